"""The web application: the JSON API, the HTML interface when it is installed, and what every response
carries — security headers, problem details for errors.

The application works without the internet: FastAPI's /docs and /redoc pages, which load their scripts from a
CDN, are off; the OpenAPI description is at /openapi.json.
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from storyline.store import connect

from . import problems
from .api import Updater, router, writes
from .feeds import feeds

TOKEN_VARIABLE = "STORYLINE_API_TOKEN"
STATIC = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def _ui_router() -> APIRouter | None:
    """The HTML interface's router, when :mod:`storyline.serve.ui` is installed."""
    try:
        from storyline.serve.ui import router as ui_router
    except ModuleNotFoundError as exc:
        if exc.name != "storyline.serve.ui":
            raise
        return None
    return ui_router


def create_app(
    url_or_engine: str | Engine | None, *, token: str | None = None, read_only: bool = True
) -> FastAPI:
    """The application over one database (a URL or path, opened and migrated, or an engine).

    Writes (following a source, running an update) are allowed only when ``read_only`` is false and a token
    is configured — ``token``, else ``$STORYLINE_API_TOKEN`` — and then only to requests bearing it.
    """
    engine = url_or_engine if isinstance(url_or_engine, Engine) else connect(url_or_engine)
    app = FastAPI(
        title="storyline",
        summary="A sourced chronicle of events, figures and checks read from the news.",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.engine = engine
    app.state.token = token or os.environ.get(TOKEN_VARIABLE) or None
    app.state.read_only = read_only
    app.state.updater = Updater(engine)
    problems.install(app)
    app.add_middleware(problems.Guard, headers=SECURITY_HEADERS)
    app.include_router(router)
    app.include_router(writes)
    app.include_router(feeds)
    ui = _ui_router()
    if ui is not None:
        app.include_router(ui)
    if STATIC.is_dir():
        from starlette.staticfiles import StaticFiles

        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def app_from_env() -> FastAPI:
    """The application over ``$STORYLINE_DB``, for ``uvicorn --factory storyline.serve.app:app_from_env``;
    writes are on when ``$STORYLINE_API_TOKEN`` is set."""
    return create_app(os.environ.get("STORYLINE_DB"), read_only=not os.environ.get(TOKEN_VARIABLE))

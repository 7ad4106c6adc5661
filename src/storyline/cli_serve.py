"""``storyline serve``: the JSON API and the web interface over the chronicle, with uvicorn."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from storyline.cli_chronicle import DbOption, _engine, err


def serve(
    db: DbOption = None,
    host: Annotated[
        str, typer.Option(help="The interface to listen on; 0.0.0.0 exposes the server.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="The port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            help="Enable writes (follow a source, run an update) for requests bearing this token as "
            "`Authorization: Bearer TOKEN`. Default: $STORYLINE_API_TOKEN; without either, the server is "
            "read-only.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the chronicle: the JSON API under /api (described at /openapi.json) and the web pages."""
    import uvicorn

    from storyline.serve import create_app

    token = token or os.environ.get("STORYLINE_API_TOKEN") or None
    app = create_app(_engine(db), token=token, read_only=token is None)
    err.print(
        f"serving on http://{host}:{port} ({'writes need the token' if token else 'read-only'}); Ctrl-C stops"
    )
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)

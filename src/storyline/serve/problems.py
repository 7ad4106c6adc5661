"""Errors as RFC 9457 problem details: ``application/problem+json`` with type, title, status, detail and
instance, for every error the server answers — unknown resources, invalid parameters, missing credentials,
and the unexpected (logged, never shown as a bare 500).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("storyline.serve")

PROBLEM_JSON = "application/problem+json"
PROBLEMS = "https://storyline.invalid/problems/"  # a namespace, not a page: the title explains each type


class Problem(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field(default="about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="the kind of problem, in words")
    status: int = Field(description="the HTTP status code")
    detail: str | None = Field(default=None, description="this occurrence, in words")
    instance: str | None = Field(default=None, description="the path that was asked for")
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="for invalid requests: each parameter that is wrong, and why"
    )


class ProblemError(Exception):
    """Raise to answer with a problem: ``ProblemError(404, "no story 'x'")``."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.detail, self.kind, self.headers = status, detail, kind, headers or {}


def problem_response(
    status: int,
    detail: str | None,
    instance: str | None,
    *,
    kind: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem details response."""
    problem = Problem(
        type=PROBLEMS + kind if kind else "about:blank",
        title=_title(status),
        status=status,
        detail=detail,
        instance=instance,
        errors=errors,
    )
    return JSONResponse(
        problem.model_dump(exclude_none=True), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _instance(request: Request) -> str:
    return request.url.path


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(exc.status, exc.detail, _instance(request), kind=exc.kind, headers=exc.headers)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    return problem_response(exc.status_code, detail, _instance(request), headers=dict(exc.headers or {}))


def _error(entry: dict[str, Any]) -> dict[str, Any]:
    """A validation error, without what cannot be shown as JSON (exceptions in its context)."""
    loc = [str(part) for part in entry.get("loc", ())]
    return {
        "parameter": ".".join(loc[1:]) or ".".join(loc),
        "in": loc[0] if loc else None,
        "problem": entry.get("msg", ""),
    }


async def _on_invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [_error(e) for e in exc.errors()]
    detail = "; ".join(f"{e['parameter']}: {e['problem']}" for e in errors) or "the request is invalid"
    return problem_response(422, detail, _instance(request), kind="invalid-request", errors=errors)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` with problem details."""
    handlers: dict[type[Exception], Callable[[Request, Exception], Awaitable[Response]]] = {
        ProblemError: _on_problem,
        StarletteHTTPException: _on_http,
        RequestValidationError: _on_invalid,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)


class Guard:
    """ASGI middleware: security headers on every response, and any exception the application lets
    through logged and answered as a 500 problem (the headers included), never as a bare error page."""

    def __init__(self, app: ASGIApp, headers: dict[str, str]) -> None:
        self.app = app
        self.headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k for k, _ in self.headers}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + self.headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = problem_response(
                500,
                "The server met an unexpected error; it has been logged.",
                scope.get("path"),
                kind="internal-error",
            )
            await response(scope, receive, send_with_headers)

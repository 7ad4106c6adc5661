"""A real HTTP server on 127.0.0.1 for the fetching tests: a route table and a log of what was requested.

    with LoopbackServer() as server:
        server.route("/feed.xml", body=b"<rss>...</rss>", headers={"Content-Type": "application/rss+xml"})
        server.url("/feed.xml")          # http://127.0.0.1:PORT/feed.xml
        server.requested("/feed.xml")    # the requests made for that path, with their headers and times

A route's body is bytes, or an iterable of byte chunks sent one by one (flushed, for slow or endless bodies).
A route may be a callable that receives the :class:`Request` and returns a :class:`Reply`. Unknown paths get
404 (so robots.txt is absent unless routed). Responses are HTTP/1.0: the connection closes after each.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when the request arrived


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0  # seconds before the status line is sent


Route = Reply | Callable[[Request], Reply]


class LoopbackServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Request] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        """``127.0.0.1:PORT``, as ``FetchConfig.allow_hosts`` names it."""
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"

    def route(
        self,
        path: str,
        body: bytes | Iterable[bytes] = b"",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.routes[path] = Reply(status, headers or {}, body, delay)

    def handle(self, path: str, handler: Callable[[Request], Reply]) -> None:
        self.routes[path] = handler

    def requested(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.log if r.path == path]

    def paths(self) -> list[str]:
        """The paths requested, in order, robots.txt left out."""
        with self._lock:
            return [r.path for r in self.log if r.path != "/robots.txt"]

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _reply(self, request: Request) -> Reply:
        with self._lock:
            self.log.append(request)
        route = self.routes.get(request.path)
        if route is None:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        return route(request) if callable(route) else route

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
                )
                reply = server._reply(request)
                if reply.delay:
                    time.sleep(reply.delay)
                # the client may stop reading: that is what the size and time limits do
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._send(reply)

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                body = reply.body
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if isinstance(body, bytes) and "Content-Length" not in reply.headers:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                chunks = [body] if isinstance(body, bytes) else body
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

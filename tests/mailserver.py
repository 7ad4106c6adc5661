"""A real SMTP server for tests: aiosmtpd on the loopback interface with STARTTLS and AUTH.

Its certificate is self-signed, made for the test with ``openssl req``; clients trust it through
``MailConfig.ca_file``, as a newsroom would its own server. It accepts one user and password and refuses the
rest, and AUTH only after STARTTLS.

with running_smtp(tmp_path) as server:
    send(message, mail_config_for(server))
    server.inbox.messages[-1]
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from storyline.digest.mail import MailConfig

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

USER, PASSWORD = "newsroom", "correct horse battery staple"
SENDER = "storyline <digest@storyline.example.org>"
PASSWORD_ENV = "STORYLINE_TEST_SMTP_PASSWORD"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, valid for a day."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class Inbox:
    """What the server received: (envelope sender, recipients, message bytes)."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    ok = (
        isinstance(auth_data, aiosmtpd_smtp.LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return aiosmtpd_smtp.AuthResult(success=ok, handled=False)


@dataclass
class Server:
    port: int
    cert: Path
    inbox: Inbox


@contextmanager
def running_smtp(folder: Path) -> Iterator[Server]:
    cert, key = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    port = free_port()
    controller = aiosmtpd_controller.Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        yield Server(port, cert, inbox)
    finally:
        controller.stop()


def mail_config_for(server: Server, **changes: Any) -> MailConfig:
    """The client's configuration for ``server`` (the password comes from ``$STORYLINE_TEST_SMTP_PASSWORD``:
    set it with monkeypatch)."""
    settings: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "password_env": PASSWORD_ENV,
        "sender": SENDER,
        "timeout": 10.0,
        "ca_file": str(server.cert),
    }
    settings.update(changes)
    return MailConfig(**settings)

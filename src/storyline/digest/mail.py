"""Sending the digest by e-mail: the message, the SMTP settings and the sending.

The settings come from the ``[mail]`` table of the configuration file (see :mod:`storyline.config`)::

    [mail]
    host = "smtp.example.org"
    port = 587                 # default: 465 with ssl, 587 with starttls, else 25
    starttls = true            # upgrade the connection with STARTTLS (the default)
    ssl = false                # or connect over TLS from the start (port 465)
    username = "newsroom"
    password_env = "STORYLINE_SMTP_PASSWORD"   # read the password from this variable (or: password = "...")
    sender = "storyline <digest@example.org>"
    timeout = 30               # seconds for connecting and for each answer
    ca_file = "/etc/ssl/newsroom-ca.pem"       # trust this CA too (a self-hosted server's own)

Certificates are always verified (against the system's CAs, plus ``ca_file`` when given), and a password
is never sent over a connection that is not encrypted. Every failure is a :class:`MailError` whose message
is one line saying what went wrong where.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

from storyline.config import ConfigError, load
from storyline.digest.render import alert_subject, render_alert, subject
from storyline.records import Digest, DigestDocument, Quote

__all__ = ["MailConfig", "MailError", "build_alert", "build_message", "mail_config", "send"]


class MailError(RuntimeError):
    """The message could not be sent; the text is one line saying why."""


@dataclass(frozen=True)
class MailConfig:
    """How to reach the SMTP server (see the module's documentation for each field)."""

    host: str = "localhost"
    port: int | None = None
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password: str | None = None
    password_env: str | None = None
    sender: str | None = None
    timeout: float = 30.0
    ca_file: str | None = None

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 465 if self.ssl else 587 if self.starttls else 25

    @property
    def where(self) -> str:
        return f"{self.host}:{self.effective_port}"

    def secret(self) -> str | None:
        """The password: from ``password_env``'s variable when named, else ``password``."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise MailError(
                    f"the environment variable {self.password_env} (mail password_env) is not set"
                )
            return value
        return self.password


_TYPES: dict[str, tuple[type, ...]] = {
    "host": (str,),
    "port": (int,),
    "starttls": (bool,),
    "ssl": (bool,),
    "username": (str,),
    "password": (str,),
    "password_env": (str,),
    "sender": (str,),
    "timeout": (int, float),
    "ca_file": (str,),
}


def mail_config(settings: Mapping[str, Any] | None = None, **overrides: Any) -> MailConfig:
    """A :class:`MailConfig` from the configuration's ``[mail]`` table, then ``overrides`` that are not
    None (command-line options). :class:`~storyline.config.ConfigError` names a bad setting."""
    table = dict((settings if settings is not None else load()).get("mail", {}))
    known = {f.name for f in fields(MailConfig)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"unknown [mail] setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    table.update({k: v for k, v in overrides.items() if v is not None})
    for name, value in table.items():
        wanted = _TYPES[name]
        if not isinstance(value, wanted) or (isinstance(value, bool) and bool not in wanted):
            raise ConfigError(f"bad [mail] setting {name} = {value!r}: expected {wanted[0].__name__}")
    if table.get("ssl") and table.get("starttls"):
        raise ConfigError("[mail] ssl and starttls exclude each other: ssl is TLS from the start (port 465)")
    if table.get("ssl"):
        table.setdefault("starttls", False)
    if "timeout" in table:
        table["timeout"] = float(table["timeout"])
    if "port" in table and not 0 < table["port"] < 65536:
        raise ConfigError(f"bad [mail] setting port = {table['port']}: not a TCP port")
    return replace(MailConfig(), **table)


# -- messages ---------------------------------------------------------------------------------------------


def _headers(message: EmailMessage, sender: str, recipients: Sequence[str], subject_line: str) -> None:
    """The headers every message of storyline carries; the Content-* ones come with the content."""
    if not recipients:
        raise ValueError("a message needs at least one recipient")
    message["Subject"] = subject_line
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now(UTC))
    addresses = getaddresses([sender])
    domain = addresses[0][1].rpartition("@")[2] if addresses and "@" in addresses[0][1] else None
    message["Message-ID"] = make_msgid(domain=domain or "storyline.invalid")
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to a digest


def build_message(
    digest: Digest,
    html: str,
    text: str,
    sender: str,
    recipients: Sequence[str],
    subject: str | None = None,
) -> EmailMessage:
    """The digest as an e-mail: multipart/alternative with the plain text first and the HTML last (the
    part a client prefers when it can show it), both UTF-8; the subject in the digest's language unless
    given."""
    message = EmailMessage()
    _headers(message, sender, recipients, subject or _subject(digest))
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message["Content-Language"] = digest.language  # after the content: set_content clears Content-* headers
    return message


_subject = subject  # the render module's; the parameter of build_message shadows the name


def build_alert(
    headline: str,
    old_status: str | None,
    new_status: str,
    quotes: Sequence[Quote],
    documents: Mapping[str, DigestDocument],
    *,
    sender: str,
    recipients: Sequence[str],
    language: str = "en",
    change: str | None = None,
    base_url: str | None = None,
) -> EmailMessage:
    """A short plain-text e-mail: the followed event ``headline`` went from ``old_status`` (None: it is
    new) to ``new_status``, with the sentences that say so and links to their documents."""
    message = EmailMessage()
    _headers(message, sender, recipients, alert_subject(headline, new_status, language))
    body = render_alert(
        headline, old_status, new_status, quotes, documents, language, change=change, base_url=base_url
    )
    message.set_content(body, subtype="plain", charset="utf-8")
    message["Content-Language"] = language
    return message


# -- sending ----------------------------------------------------------------------------------------------


def _line(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return " ".join(str(value).split())


def _context(config: MailConfig) -> ssl.SSLContext:
    try:
        return ssl.create_default_context(cafile=config.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise MailError(f"cannot read the CA file {config.ca_file}: {_line(exc)}") from exc


def send(message: EmailMessage, config: MailConfig, recipients: Sequence[str] | None = None) -> list[str]:
    """Send ``message`` (to its To, Cc and Bcc addresses, or to ``recipients``) through the server of
    ``config``; the addresses the server refused while accepting others. :class:`MailError` when nothing
    was sent."""
    if config.username and not (config.ssl or config.starttls):
        raise MailError(f"{config.where}: refusing to send the password unencrypted; set starttls or ssl")
    context = _context(config) if (config.ssl or config.starttls) else None
    where = config.where
    sender = _sender(message, config)
    try:
        client: smtplib.SMTP
        if config.ssl:
            client = smtplib.SMTP_SSL(
                config.host, config.effective_port, timeout=config.timeout, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.effective_port, timeout=config.timeout)
        with client:
            client.ehlo()
            if config.starttls and not config.ssl:
                client.starttls(context=context)
                client.ehlo()
            if config.username:
                client.login(config.username, config.secret() or "")
            refused = client.send_message(message, from_addr=sender, to_addrs=list(recipients or []) or None)
    except smtplib.SMTPNotSupportedError as exc:
        raise MailError(f"{where}: the server does not support {_line(exc) or 'STARTTLS'}") from exc
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"{where}: authentication failed for {config.username}: {exc.smtp_code} {_line(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        refused_all = ", ".join(f"{a} ({c} {_line(m)})" for a, (c, m) in exc.recipients.items())
        raise MailError(f"{where}: every recipient was refused: {refused_all}") from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(
            f"{where}: sender {exc.sender} refused: {exc.smtp_code} {_line(exc.smtp_error)}"
        ) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"{where}: the server answered {exc.smtp_code} {_line(exc.smtp_error)}") from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise MailError(
            f"{where}: the server closed the connection ({_line(exc) or 'no reason given'})"
        ) from exc
    except smtplib.SMTPException as exc:
        raise MailError(f"{where}: {_line(exc)}") from exc
    except ssl.SSLCertVerificationError as exc:
        raise MailError(
            f"{where}: TLS certificate not trusted ({_line(exc.verify_message)}); "
            "for a self-hosted server, set ca_file to its CA"
        ) from exc
    except ssl.SSLError as exc:
        raise MailError(f"{where}: TLS failed: {_line(exc.reason or exc)}") from exc
    except ConnectionRefusedError as exc:
        raise MailError(f"{where}: connection refused (is an SMTP server listening there?)") from exc
    except TimeoutError as exc:
        raise MailError(f"{where}: no answer within {config.timeout:g} s") from exc
    except OSError as exc:
        raise MailError(f"{where}: cannot connect: {_line(exc.strerror or exc)}") from exc
    return sorted(refused)


def _sender(message: EmailMessage, config: MailConfig) -> str:
    """The envelope sender: the message's From address, else the configured sender's."""
    for value in (message.get("From"), config.sender):
        if value:
            addresses = [a for _, a in getaddresses([str(value)]) if a]
            if addresses:
                return addresses[0]
    raise MailError("no sender: set From on the message or sender in [mail]")

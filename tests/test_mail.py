"""Sending the digest to a real SMTP server on loopback: aiosmtpd with STARTTLS and AUTH.

The server's certificate is self-signed, made for the test (with the ``cryptography`` package when it is
installed, else with ``openssl req``); the client trusts it through ``ca_file``, as a newsroom would for its
own server. The server accepts one user and password and refuses the rest, and AUTH only after STARTTLS.
"""

from __future__ import annotations

import email
import tomllib
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import html5lib
import pytest

import digest_sample as sample
from mailserver import PASSWORD, PASSWORD_ENV, SENDER, USER, Server, free_port, mail_config_for, running_smtp
from storyline.config import ConfigError
from storyline.digest.mail import MailConfig, MailError, build_alert, build_message, mail_config, send
from storyline.digest.render import render, subject
from storyline.kb import KnowledgeBase, load

RECIPIENT = "desk@newsroom.example.org"
XHTML = "{http://www.w3.org/1999/xhtml}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_smtp(tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load()


def config(server: Server, **changes: Any) -> MailConfig:
    return mail_config_for(server, **changes)


def received(server: Server, before: int) -> tuple[str, list[str], EmailMessage]:
    assert len(server.inbox.messages) == before + 1
    mail_from, rcpt_tos, raw = server.inbox.messages[-1]
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return mail_from, rcpt_tos, message


def test_the_digest_arrives_with_both_parts(
    server: Server, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    week = sample.digest("fr")
    html = render(week, "html", kb, sample.BASE_URL)
    text = render(week, "text", kb, sample.BASE_URL)
    before = len(server.inbox.messages)
    refused = send(build_message(week, html, text, SENDER, [RECIPIENT]), config(server))
    assert refused == []
    mail_from, rcpt_tos, message = received(server, before)
    assert mail_from == "digest@storyline.example.org" and rcpt_tos == [RECIPIENT]
    # the subject in the digest's language, with the period in the locale
    assert (
        message["Subject"]
        == subject(week)
        == "storyline — synthèse «\u00a0central-asia\u00a0», 15–21 déc. 2025"
    )
    assert message["Date"] and message["Message-ID"].endswith("@storyline.example.org>")
    assert message["Content-Language"] == "fr"
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    plain, rich = (p.get_content().replace("\r\n", "\n") for p in parts)  # SMTP carries CRLF lines
    assert plain == text and rich == html
    assert "«\u00a0Le Japon accueillera à la mi-décembre" in plain
    tree = html5lib.HTMLParser(strict=True).parse(rich)
    hrefs = [a.get("href") for a in tree.iter(f"{XHTML}a")]
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs)
    for element in tree.iter():
        assert element.get("src") is None
        assert element.tag.removeprefix(XHTML) not in ("script", "link", "style", "img", "iframe")


def test_an_alert_arrives(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    summit = sample.summit()
    took_place = summit.changes[-1]
    alert = build_alert(
        "Центральная Азия + Япония: встреча, Токио, 19—20 декабря 2025 г.",
        "ongoing",
        "occurred",
        took_place.quotes,
        sample.documents(),
        sender=SENDER,
        recipients=[RECIPIENT],
        language="ru",
        change=took_place.change,
        base_url=sample.BASE_URL,
    )
    before = len(server.inbox.messages)
    send(alert, config(server))
    _, _, message = received(server, before)
    assert message["Subject"] == (
        "Оповещение storyline: Центральная Азия + Япония: встреча, Токио, 19—20 декабря 2025 г. — состоялось"
    )
    assert message.get_content_type() == "text/plain"
    body = message.get_content()
    words = " ".join(body.split())
    assert "Статус: проходит → состоялось" in body
    assert "Что изменилось: состоялось" in body
    assert "Источник:" in body
    assert "«The leaders of Japan and the five Central Asian republics met in Tokyo on 19 and 20" in words
    assert "— Caspian Ledger, 20 декабря 2025 г." in words
    assert "<https://caspian-ledger.example/news/2025/12/20/tokyo-summit-held?ref=rss&lang=en>" in body


def test_a_wrong_password_is_a_mail_error(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "wrong")
    message = build_message(sample.digest(), "<!DOCTYPE html><title>t</title>", "t", SENDER, [RECIPIENT])
    with pytest.raises(
        MailError, match=rf"127\.0\.0\.1:{server.port}: authentication failed for {USER}: 535"
    ) as err:
        send(message, config(server))
    assert "\n" not in str(err.value)


def test_an_untrusted_certificate_is_a_mail_error(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """Certificates are verified: the self-signed one fails unless its CA file is given."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    message = build_message(sample.digest(), "<!DOCTYPE html><title>t</title>", "t", SENDER, [RECIPIENT])
    with pytest.raises(MailError, match=r"TLS certificate not trusted .*set ca_file"):
        send(message, config(server, ca_file=None))


def test_a_refused_connection_is_a_mail_error() -> None:
    port = free_port()  # nothing listens there: the connection is refused at once
    message = build_message(sample.digest(), "<!DOCTYPE html><title>t</title>", "t", SENDER, [RECIPIENT])
    cfg = MailConfig(host="127.0.0.1", port=port, starttls=False, sender=SENDER, timeout=5.0)
    with pytest.raises(MailError, match=rf"127\.0\.0\.1:{port}: connection refused"):
        send(message, cfg)


def test_no_password_over_a_plain_connection() -> None:
    message = build_message(sample.digest(), "<!DOCTYPE html><title>t</title>", "t", SENDER, [RECIPIENT])
    cfg = MailConfig(host="127.0.0.1", port=free_port(), starttls=False, username=USER, password=PASSWORD)
    with pytest.raises(MailError, match="refusing to send the password unencrypted"):
        send(message, cfg)


def test_mail_config_from_the_file() -> None:
    settings = tomllib.loads(
        """
        [mail]
        host = "smtp.example.org"
        username = "newsroom"
        password_env = "NEWSROOM_SMTP"
        sender = "storyline <digest@example.org>"
        timeout = 20
        ca_file = "/etc/ssl/newsroom-ca.pem"
        """
    )
    cfg = mail_config(settings)
    assert cfg == MailConfig(
        host="smtp.example.org",
        username="newsroom",
        password_env="NEWSROOM_SMTP",
        sender="storyline <digest@example.org>",
        timeout=20.0,
        ca_file="/etc/ssl/newsroom-ca.pem",
    )
    assert cfg.starttls and cfg.effective_port == 587
    implicit = mail_config({"mail": {"host": "smtp.example.org", "ssl": True}})
    assert not implicit.starttls and implicit.effective_port == 465
    assert mail_config({}, host="relay.example.org", port=None).host == "relay.example.org"
    with pytest.raises(ConfigError, match=r"unknown \[mail\] setting\(s\): hots"):
        mail_config({"mail": {"hots": "x"}})
    with pytest.raises(ConfigError, match="ssl and starttls exclude each other"):
        mail_config({"mail": {"ssl": True, "starttls": True}})
    with pytest.raises(ConfigError, match=r"bad \[mail\] setting port = '587'"):
        mail_config({"mail": {"port": "587"}})
    with pytest.raises(MailError, match=r"NEWSROOM_SMTP .* is not set"):
        MailConfig(password_env="NEWSROOM_SMTP").secret()


def test_a_message_needs_a_recipient() -> None:
    with pytest.raises(ValueError, match="at least one recipient"):
        build_message(sample.digest(), "<!DOCTYPE html><title>t</title>", "t", SENDER, [])

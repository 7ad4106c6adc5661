"""Alerts: a short message when an event a watch list follows changes status.

``storyline update --alerts`` asks, after each round, which of the events the round touched reached a status
that a watch list has not been told about, and tells it once: each (watch list, event, status) is recorded
when its alert is sent, so a re-run, a restart or a second source saying the same thing sends nothing more.
Only changes reported recently (``recent`` days before today) alert: loading a year of archives must not
flood anyone's inbox with last year's summits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from storyline.digest.compose import DocumentCache, as_digest_event
from storyline.digest.mail import MailConfig, MailError, build_alert, send
from storyline.kb import KnowledgeBase
from storyline.records import Event, StatusReport, WatchList
from storyline.store import tables as t
from storyline.store.queries import events_by_id
from storyline.watch import scope


@dataclass(frozen=True)
class Alert:
    """What one watch list is told about one event."""

    watch: WatchList
    event: Event
    before: str | None  # the status the event had before the change (None: new)
    report: StatusReport  # the report that made the change


def _change(event: Event) -> tuple[str | None, StatusReport] | None:
    """The latest credible change of ``event`` and the status it had before it."""
    credible = [h for h in event.history if h.credible and h.copy_of is None]
    changes = [h for h in credible if h.change]
    if not changes:
        return None
    latest = changes[-1]
    before = None
    for h in credible[: credible.index(latest)]:
        if h.status != latest.status:
            before = h.status
    return before, latest


def due(
    engine: Engine,
    touched: Iterable[str],
    watches: Iterable[WatchList],
    kb: KnowledgeBase,
    *,
    today: date | None = None,
    recent: int = 7,
) -> list[Alert]:
    """The alerts not yet sent for the events in ``touched``."""
    today = today or datetime.now(UTC).date()
    oldest = today - timedelta(days=recent)
    followed = [(w, scope(w, kb)) for w in watches]
    out: list[Alert] = []
    with Session(engine) as session:
        sent = {
            (row.watch, row.event_id, row.status)
            for row in session.execute(select(t.AlertSent).where(t.AlertSent.event_id.in_(set(touched))))
            .scalars()
            .all()
        }
        for event in events_by_id(session, touched):
            found = _change(event)
            if found is None:
                continue
            before, report = found
            if report.reported is None or report.reported < oldest or report.status != event.status:
                continue
            sentences = [h.evidence.text for h in event.history]
            for watch, follows in followed:
                if (watch.name, event.id, event.status) in sent or not follows.matches(event, sentences):
                    continue
                out.append(Alert(watch=watch, event=event, before=before, report=report))
    return out


def mark_sent(engine: Engine, alert: Alert, when: datetime | None = None) -> None:
    """Record that ``alert`` was sent, so that it is not sent again."""
    with Session(engine) as session, session.begin():
        key = (alert.watch.name, alert.event.id, alert.event.status)
        if session.get(t.AlertSent, key) is None:
            session.add(
                t.AlertSent(watch=key[0], event_id=key[1], status=key[2], sent_at=when or datetime.now(UTC))
            )


def deliver(
    engine: Engine,
    alerts: Iterable[Alert],
    kb: KnowledgeBase,
    config: MailConfig,
    *,
    base_url: str | None = None,
    language: str = "en",
) -> tuple[list[Alert], list[tuple[Alert, str]]]:
    """Send each alert to its watch list's recipients (in the list's language, else ``language``) and record
    it; the alerts sent, and those not sent with the reason (no recipients, the server refused). An alert
    not sent is tried again next time."""
    from storyline.digest.render import event_headline

    sent: list[Alert] = []
    failed: list[tuple[Alert, str]] = []
    with Session(engine) as session:
        docs = DocumentCache(session)
        for alert in alerts:
            if not alert.watch.recipients:
                failed.append((alert, f"watch list {alert.watch.name} has no recipients"))
                continue
            lang = alert.watch.language or language
            quote = docs.quote(alert.report.document, alert.report.evidence)
            message = build_alert(
                event_headline(as_digest_event(alert.event), kb, lang),
                alert.before,
                alert.event.status,
                [quote],
                docs.cards([quote.document]),
                sender=config.sender or "",
                recipients=alert.watch.recipients,
                language=lang,
                change=alert.report.change,
                base_url=base_url,
            )
            try:
                send(message, config)
            except MailError as exc:
                failed.append((alert, str(exc)))
                continue
            mark_sent(engine, alert)
            sent.append(alert)
    return sent, failed

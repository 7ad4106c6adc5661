"""The sources a user follows, and what was fetched from them, kept in the chronicle's database.

:class:`DatabaseState` is the database's implementation of :class:`storyline.ingest.web.SourceState`: the
validators (ETag, Last-Modified) of each URL for conditional requests, and the feed entries already read.
An entry marked as seen while fetching is recorded only when :meth:`DatabaseState.confirm` says its
document was stored: a run killed in between fetches it again, and storing it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from storyline.store import tables as t


@dataclass(frozen=True)
class SourceInfo:
    url: str
    kind: str
    name: str | None
    every_minutes: int
    added_at: datetime
    last_checked: datetime | None

    def due(self, now: datetime) -> bool:
        if self.last_checked is None:
            return True
        checked = self.last_checked if self.last_checked.tzinfo else self.last_checked.replace(tzinfo=UTC)
        return now - checked >= timedelta(minutes=self.every_minutes)


def _info(row: t.Source) -> SourceInfo:
    return SourceInfo(row.url, row.kind, row.name, row.every_minutes, row.added_at, row.last_checked)


def add_source(
    engine: Engine, url: str, kind: str, *, name: str | None = None, every_minutes: int = 60
) -> bool:
    """Follow a source; False when it was already followed (its name and schedule are updated)."""
    with Session(engine) as session, session.begin():
        row = session.execute(select(t.Source).where(t.Source.url == url)).scalar_one_or_none()
        if row is not None:
            row.name, row.every_minutes, row.kind = name or row.name, every_minutes, kind
            return False
        session.add(
            t.Source(url=url, kind=kind, name=name, every_minutes=every_minutes, added_at=datetime.now(UTC))
        )
        return True


def remove_source(engine: Engine, url: str) -> bool:
    with Session(engine) as session, session.begin():
        return bool(session.execute(delete(t.Source).where(t.Source.url == url)).rowcount)  # type: ignore[attr-defined]


def list_sources(engine: Engine) -> list[SourceInfo]:
    with Session(engine) as session:
        return [_info(r) for r in session.execute(select(t.Source).order_by(t.Source.url)).scalars()]


def mark_checked(engine: Engine, url: str, when: datetime) -> None:
    with Session(engine) as session, session.begin():
        row = session.execute(select(t.Source).where(t.Source.url == url)).scalar_one_or_none()
        if row is not None:
            row.last_checked = when


class DatabaseState:
    """Conditional-request validators and seen feed entries, in the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._pending: set[tuple[str, str]] = set()

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with Session(self.engine) as session:
            row = session.get(t.FetchState, url)
            return (row.etag, row.last_modified) if row else (None, None)

    def remember(
        self, url: str, etag: str | None, last_modified: str | None, status: int | None, fetched_at: datetime
    ) -> None:
        with Session(self.engine) as session, session.begin():
            row = session.get(t.FetchState, url)
            if row is None:
                session.add(
                    t.FetchState(
                        url=url, etag=etag, last_modified=last_modified, status=status, fetched_at=fetched_at
                    )
                )
            else:
                if status != 304:  # a 304 keeps the validators it was asked with
                    row.etag, row.last_modified = etag, last_modified
                row.status, row.fetched_at = status, fetched_at

    def forget_validators(self, url: str) -> None:
        """Ask for ``url`` in full next time (an entry of it failed: a 304 would hide it)."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(t.FetchState).where(t.FetchState.url == url))

    def seen(self, source: str, guid: str) -> bool:
        if (source, guid) in self._pending:
            return True
        with Session(self.engine) as session:
            return session.get(t.SeenEntry, (source, guid)) is not None

    def mark_seen(self, source: str, guid: str) -> None:
        self._pending.add((source, guid))

    def confirm(self, source: str, guid: str) -> None:
        """Record an entry as seen: its document is stored."""
        self._pending.discard((source, guid))
        with Session(self.engine) as session, session.begin():
            if session.get(t.SeenEntry, (source, guid)) is None:
                session.add(t.SeenEntry(source=source, guid=guid, seen_at=datetime.now(UTC)))

    def forget_pending(self) -> int:
        """Drop the entries marked as seen whose documents were not stored (a run stopped early)."""
        count, self._pending = len(self._pending), set()
        return count

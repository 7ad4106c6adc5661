"""Watch lists: what a user follows — actors, formats, regions, event types, keywords.

A watch list is named in the configuration file (``[watch.<name>]`` tables) or saved in the chronicle's
database with ``storyline watch add``; a saved one of the same name wins over the file's. Names given for
actors, formats and regions are resolved to knowledge-base ids when the list is saved, so that a typo is an
error at once rather than an empty digest a week later.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from storyline.kb import KnowledgeBase
from storyline.records import EVENT_TYPES, Event, WatchList
from storyline.store import tables as t

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
ACTOR_KINDS = frozenset({"country", "person", "organization", "place", "region", "format"})


class WatchError(ValueError):
    """A watch list that cannot be used; the message says what to fix."""


def _entity(kb: KnowledgeBase, value: str, kinds: frozenset[str], what: str) -> str:
    """The knowledge-base id that ``value`` (an id or a name in any language) stands for."""
    entry = kb.get(value) or kb.get(value.upper())
    if entry is not None and entry.kind in kinds:
        return entry.id
    wanted = value.casefold().strip()
    found = sorted(
        {
            a.entity_id
            for a in kb.aliases  # every language's names
            if a.text.casefold() == wanted and (e := kb.get(a.entity_id)) is not None and e.kind in kinds
        }
    )
    if len(found) == 1:
        return found[0]
    if found:
        raise WatchError(f"{what} {value!r} is ambiguous: it names {', '.join(found)}; give the id")
    raise WatchError(f"unknown {what} {value!r}: give a knowledge-base id or a name it knows (storyline kb)")


def normalise(watch: WatchList, kb: KnowledgeBase) -> WatchList:
    """The watch list with its actors, formats and regions as knowledge-base ids, checked."""
    if not NAME.match(watch.name):
        raise WatchError(f"bad watch list name {watch.name!r}: letters, digits, '-' and '_' only")
    unknown_types = sorted(set(watch.types) - set(EVENT_TYPES))
    if unknown_types:
        raise WatchError(f"unknown event type(s) {', '.join(unknown_types)}; known: {', '.join(EVENT_TYPES)}")
    return watch.model_copy(
        update={
            "actors": sorted({_entity(kb, a, ACTOR_KINDS, "actor") for a in watch.actors}),
            "formats": sorted({_entity(kb, f, frozenset({"format"}), "format") for f in watch.formats}),
            "regions": sorted({_entity(kb, r, frozenset({"region"}), "region") for r in watch.regions}),
            "keywords": sorted({k.strip() for k in watch.keywords if k.strip()}),
        }
    )


def parse(name: str, table: dict[str, Any]) -> WatchList:
    """A watch list from a ``[watch.<name>]`` table of the configuration."""
    try:
        return WatchList(name=name, **table)
    except (TypeError, ValidationError) as exc:
        raise WatchError(f"bad [watch.{name}] in the configuration: {exc}") from exc


def configured(settings: dict[str, Any]) -> dict[str, WatchList]:
    """The watch lists of the configuration file."""
    tables = settings.get("watch", {})
    if not isinstance(tables, dict):
        raise WatchError("[watch] in the configuration must hold one table per watch list")
    return {name: parse(name, dict(table)) for name, table in tables.items()}


def saved(engine: Engine) -> dict[str, WatchList]:
    """The watch lists saved in the database."""
    with Session(engine) as session:
        rows = session.execute(select(t.Watch).order_by(t.Watch.name)).scalars()
        return {row.name: WatchList.model_validate(row.definition) for row in rows}


def save(engine: Engine, watch: WatchList) -> bool:
    """Save (or replace) a watch list; True when it is new."""
    with Session(engine) as session, session.begin():
        row = session.get(t.Watch, watch.name)
        definition = watch.model_dump(mode="json")
        if row is None:
            session.add(t.Watch(name=watch.name, definition=definition, added_at=datetime.now(UTC)))
            return True
        row.definition = definition
        return False


def remove(engine: Engine, name: str) -> bool:
    """Forget a saved watch list (and the alerts sent for it); False when there was none."""
    with Session(engine) as session, session.begin():
        session.execute(delete(t.AlertSent).where(t.AlertSent.watch == name))
        return session.execute(delete(t.Watch).where(t.Watch.name == name)).rowcount > 0  # type: ignore[attr-defined]


def every(engine: Engine, settings: dict[str, Any]) -> dict[str, tuple[WatchList, str]]:
    """Every watch list with where it comes from ("config" or "database"), by name."""
    found = {name: (w, "config") for name, w in configured(settings).items()}
    found.update({name: (w, "database") for name, w in saved(engine).items()})
    return dict(sorted(found.items()))


def named(engine: Engine, settings: dict[str, Any], name: str) -> WatchList:
    lists = every(engine, settings)
    if name not in lists:
        known = ", ".join(lists) or "none yet (storyline watch add)"
        raise WatchError(f"no watch list named {name!r}; known: {known}")
    return lists[name][0]


@dataclass(frozen=True)
class Scope:
    """A watch list made ready for matching events: ids expanded to the members of regions and formats."""

    actors: frozenset[str]
    formats: frozenset[str]
    types: frozenset[str]
    keywords: tuple[str, ...]

    @property
    def everything(self) -> bool:
        return not (self.actors or self.formats or self.keywords)

    def matches(self, event: Event, texts: Iterable[str] = ()) -> bool:
        """Whether the watch list follows ``event``; ``texts`` are its reports' sentences (for keywords)."""
        if self.types and event.type not in self.types:
            return False
        if self.everything:
            return True
        if self.actors & set(event.participants):
            return True
        if event.format in self.formats or event.story in self.formats:
            return True
        if self.keywords:
            words = " ".join(texts).casefold()
            return any(k in words for k in self.keywords)
        return False


def scope(watch: WatchList | None, kb: KnowledgeBase) -> Scope:
    """What ``watch`` follows, expanded (None: everything)."""
    if watch is None:
        return Scope(frozenset(), frozenset(), frozenset(), ())
    watch = normalise(watch, kb)
    actors = set(watch.actors) | set(watch.regions)
    for region in watch.regions:
        actors |= set(kb.members(region))
    return Scope(
        actors=frozenset(actors),
        formats=frozenset(watch.formats),
        types=frozenset(watch.types),
        keywords=tuple(k.casefold() for k in watch.keywords),
    )

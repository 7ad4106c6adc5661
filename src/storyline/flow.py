"""The whole flow for a set of sources: ingest, read in parallel, store, resolve.

Inputs already stored with the same content are skipped before reading, so running twice changes nothing,
and a run killed at any point (even by SIGKILL) is finished by running it again: every document is stored
and resolved in one transaction, in input order, so the second run picks up exactly where the first stopped
and ends with the database an uninterrupted run would have made.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain

from sqlalchemy import Engine

from storyline.ingest.fetch import FetchConfig, Fetcher
from storyline.ingest.sources import DEFAULT_MAX_BYTES, RawInput, iter_inputs
from storyline.ingest.web import SourceState, iter_sources
from storyline.records import ReadError
from storyline.runner import read_all
from storyline.store.bulk import finish as finish_pending
from storyline.store.chronicle import Added, Chronicle

Inputs = Iterable[RawInput | ReadError]


@dataclass
class RunReport:
    """What a run did, in counts, and the stories it touched."""

    read: int = 0
    unchanged: int = 0  # stored before with the same content: skipped
    replaced: int = 0  # stored before with other content: read again
    copies: int = 0  # exact duplicates of a stored document
    near_duplicates: int = 0
    failed: int = 0
    irrelevant: int = 0  # rejected by the relevance filter (``keep``): not read, not a failure
    events: set[str] = field(default_factory=set)
    stories: set[str] = field(default_factory=set)
    errors: list[ReadError] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "read": self.read,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "copies": self.copies,
            "near_duplicates": self.near_duplicates,
            "failed": self.failed,
            "irrelevant": self.irrelevant,
            "events_touched": len(self.events),
            "stories_touched": len(self.stories),
        }


def input_digest(raw: RawInput) -> str:
    """The hash of an input's content and of what the input says about it (a changed date reads anew)."""
    digest = hashlib.sha256()
    for part in (raw.kind, raw.url, raw.title, raw.language, raw.published):
        digest.update((part or "").encode("utf-8") + b"\x1f")
    digest.update(raw.data if raw.data is not None else (raw.text or "").encode("utf-8"))
    return digest.hexdigest()


def run(
    inputs: Inputs,
    engine: Engine,
    *,
    workers: int = 1,
    on_document: Callable[[str, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep: Callable[[RawInput], bool] | None = None,
) -> RunReport:
    """Store and resolve every input; ``on_document(id, outcome)`` is called after each one (for progress).
    Outcomes: read, unchanged, replaced, copy, near_duplicate, failed, irrelevant. When ``should_stop()``
    turns true, no new input is started; the documents being read are finished and stored. ``keep`` (a
    relevance filter, :class:`storyline.ingest.relevance.RelevanceFilter`) decides from the raw input,
    before anything else, whether it is read: what it rejects is only counted (``irrelevant``), not
    stored, not recorded as a failure."""
    chronicle = Chronicle(engine)
    report = RunReport()
    digests: dict[str, str] = {}
    finish_pending(engine)  # a bulk load killed halfway: its documents come first

    def note(key: str, outcome: str) -> None:
        if on_document is not None:
            on_document(key, outcome)

    def pending() -> Iterator[RawInput]:
        for item in inputs:
            if should_stop is not None and should_stop():
                return
            if isinstance(item, ReadError):
                chronicle.add_failure(item, None)
                report.failed += 1
                report.errors.append(item)
                note(item.id or item.path or "?", "failed")
                continue
            if keep is not None and not keep(item):
                report.irrelevant += 1
                note(item.id, "irrelevant")
                continue
            digest = input_digest(item)
            if chronicle.known(item.id, digest):
                report.unchanged += 1
                note(item.id, "unchanged")
                continue
            original = chronicle.copy_source(item.id, digest)
            if original is not None:
                chronicle.add_copy(item.id, digest, original)
                report.copies += 1
                note(item.id, "copy")
                continue
            digests[item.id] = digest
            yield item

    for outcome in read_all(pending(), workers=workers):
        if isinstance(outcome, ReadError):
            key = outcome.id or outcome.path or "?"
            chronicle.add_failure(outcome, digests.pop(key, None), key)
            report.failed += 1
            report.errors.append(outcome)
            note(key, "failed")
            continue
        added = chronicle.add(outcome, digests.pop(outcome.id))
        note(outcome.id, tally(report, added))
    return report


def tally(report: RunReport, added: Added) -> str:
    """Count what storing one reading did in ``report``; the outcome's name (read, copy, unchanged...)."""
    if added.skipped:
        report.unchanged += 1
        return "unchanged"
    report.events |= added.events
    report.stories |= added.stories
    if added.replaced:
        report.replaced += 1
    report.read += 1
    if added.duplicate_kind == "near":
        report.near_duplicates += 1
        return "near_duplicate"
    if added.duplicate_kind == "exact":
        report.copies += 1
        return "copy"
    return "replaced" if added.replaced else "read"


def run_paths(
    paths: Iterable[str],
    engine: Engine,
    *,
    jsonl: Iterable[str] = (),
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fetch: FetchConfig | None = None,
    state: SourceState | None = None,
    on_document: Callable[[str, str], None] | None = None,
    keep: Callable[[RawInput], bool] | None = None,
) -> RunReport:
    """:func:`run` over sources — files, folders, JSONL files, feeds, OPML lists, sitemaps, web pages and
    WARC archives — fetched with ``fetch`` and, when ``state`` is given, only what is new since last time;
    ``keep`` filters the inputs before reading (see :func:`run`)."""
    inputs = chain(
        iter_sources(paths, config=fetch, state=state, max_bytes=max_bytes),
        iter_inputs([], jsonl, max_bytes=max_bytes),
    )
    return run(inputs, engine, workers=workers, on_document=on_document, keep=keep)


@dataclass
class UpdateReport:
    sources: list[str] = field(default_factory=list)  # the sources checked
    run: RunReport = field(default_factory=RunReport)
    remembered: int = 0  # feed entries recorded as seen


def update(
    engine: Engine,
    *,
    fetch: FetchConfig | None = None,
    workers: int = 1,
    force: bool = False,
    now: datetime | None = None,
    on_document: Callable[[str, str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> UpdateReport:
    """Fetch what is new in the sources that are due (all with ``force``) and run the flow on it: feeds and
    sitemaps are asked conditionally (ETag, Last-Modified), entries already stored are not fetched again."""
    from storyline.store.sources import DatabaseState, list_sources, mark_checked

    now = now or datetime.now(UTC)
    due = [s.url for s in list_sources(engine) if force or s.due(now)]
    report = UpdateReport(sources=due)
    if not due:
        return report
    state = DatabaseState(engine)
    entries: dict[str, tuple[str, str | None]] = {}  # document id -> (source, feed entry guid)

    def from_each_source(fetcher: Fetcher) -> Iterator[RawInput | ReadError]:
        for url in due:
            for item in iter_sources([url], fetcher=fetcher, state=state):
                key = item.id or item.path
                if isinstance(item, RawInput) and item.provenance and item.provenance.entry:
                    guid = item.provenance.entry.get("guid") or item.provenance.entry.get("loc")
                    entries[item.id] = (item.provenance.source or url, str(guid) if guid else None)
                elif key:
                    entries[key] = (url, None)
                yield item

    def stored(key: str, outcome: str) -> None:
        if key in entries:
            source, guid = entries.pop(key)
            if outcome == "failed":  # retried next time, even if the feed has not changed
                state.forget_validators(source)
            elif guid is not None:
                state.confirm(source, guid)
                report.remembered += 1
        if on_document is not None:
            on_document(key, outcome)

    with Fetcher(fetch) as fetcher:
        inputs = from_each_source(fetcher)
        report.run = run(inputs, engine, workers=workers, on_document=stored, should_stop=should_stop)
    state.forget_pending()
    if not (should_stop and should_stop()):
        for url in due:
            mark_checked(engine, url, now)
    return report

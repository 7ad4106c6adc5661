"""``storyline sources`` and ``storyline update``: the sources a user follows, and fetching what is new.

A thin layer over :mod:`storyline.store.sources` and :func:`storyline.flow.update`.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from storyline.cli_chronicle import (
    AllowPrivate,
    DbOption,
    Delay,
    UserAgent,
    _console,
    _engine,
    err,
    fetch_config,
)

sources_app = typer.Typer(
    help="The sources you follow: feeds, OPML lists, sitemaps, pages, archives.", no_args_is_help=True
)


@sources_app.command("add")
def add(
    source: Annotated[str, typer.Argument(help="A feed, OPML list, sitemap or page URL, or a local file.")],
    db: DbOption = None,
    every: Annotated[int, typer.Option("--every", min=1, help="Minutes between two checks.")] = 60,
    name: Annotated[str | None, typer.Option(help="A name to show.")] = None,
) -> None:
    """Follow a source (or change its schedule)."""
    from storyline.ingest.web import detect_kind, is_url
    from storyline.store.sources import add_source

    if not is_url(source) and not Path(source).exists():
        err.print(f"[red]no such file and not a URL:[/] {source}")
        raise typer.Exit(2)
    if is_url(source) and not source.lower().startswith(("http://", "https://")):
        err.print(f"[red]only http and https URLs can be followed:[/] {source}")
        raise typer.Exit(2)
    kind = detect_kind(source)
    new = add_source(_engine(db), source, kind, name=name, every_minutes=every)
    err.print(f"{'following' if new else 'updated'} {source} ({kind}, every {every} min)")


@sources_app.command("list")
def list_(db: DbOption = None) -> None:
    """List the sources you follow with their schedule and last check."""
    from storyline.store.sources import list_sources

    found = list_sources(_engine(db))
    table = Table(title=f"{len(found)} sources")
    for column in ("source", "kind", "name", "every (min)", "last checked"):
        table.add_column(column)
    for s in found:
        table.add_row(s.url, s.kind, s.name or "", str(s.every_minutes), str(s.last_checked or "never"))
    _console().print(table)


@sources_app.command("remove")
def remove(source: Annotated[str, typer.Argument()], db: DbOption = None) -> None:
    """Stop following a source (its documents stay)."""
    from storyline.store.sources import remove_source

    if not remove_source(_engine(db), source):
        err.print(f"[red]not followed:[/] {source}")
        raise typer.Exit(1)
    err.print(f"no longer following {source}")


def update(
    db: DbOption = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep going, every --interval, until stopped.")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="Seconds between two rounds.")
    ] = 300.0,
    force: Annotated[bool, typer.Option("--all", help="Check every source, due or not.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1)] = None,
    allow_private: AllowPrivate = None,
    user_agent: UserAgent = None,
    delay: Delay = None,
) -> None:
    """Fetch what is new in the sources that are due and run the flow on it. With --watch, keep going until
    SIGINT or SIGTERM, which stop cleanly: the documents being read are stored, nothing else starts."""
    from storyline.flow import update as run_update
    from storyline.runner import default_workers

    engine = _engine(db)
    config = fetch_config(allow_private, user_agent, delay)
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        err.print(f"stopping ({signal.Signals(signum).name}) …")
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while True:
            outcomes: Counter[str] = Counter()
            report = run_update(
                engine,
                fetch=config,
                workers=workers or default_workers(),
                force=force,
                on_document=lambda _k, o, seen=outcomes: seen.update([o]),  # type: ignore[misc]
                should_stop=stop.is_set,
            )
            for failure in report.run.errors:
                err.print(
                    f"[yellow]failed[/] {failure.id or failure.path}: {failure.error.kind}: {failure.error.message}"
                )
            summary = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "nothing new"
            err.print(f"checked {len(report.sources)} source(s): {summary}")
            if not watch or stop.wait(interval):
                break
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)

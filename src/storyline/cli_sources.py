"""``storyline sources`` and ``storyline update``: the sources a user follows, and fetching what is new.

A thin layer over :mod:`storyline.store.sources` and :func:`storyline.flow.update`.
"""

from __future__ import annotations

import signal
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

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
    alerts: Annotated[
        bool,
        typer.Option(
            "--alerts",
            help="E-mail each watch list's recipients when an event it follows changes status ([mail] table).",
        ),
    ] = False,
    base_url: Annotated[
        str | None, typer.Option("--base-url", help="Where `storyline serve` runs, for links in alerts.")
    ] = None,
    alert_days: Annotated[
        int,
        typer.Option("--alert-days", min=1, help="Alert only for changes reported in the last DAYS days."),
    ] = 7,
) -> None:
    """Fetch what is new in the sources that are due and run the flow on it. With --watch, keep going until
    SIGINT or SIGTERM, which stop cleanly: the documents being read are stored, nothing else starts. With
    --alerts, each round ends by telling the watch lists about the status changes it brought (once each)."""
    from storyline.flow import update as run_update
    from storyline.runner import default_workers

    engine = _engine(db)
    config = fetch_config(allow_private, user_agent, delay)
    alerter = _alerter(engine, base_url, alert_days) if alerts else None
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
            if alerter is not None:
                alerter(report.run.events)
            if not watch or stop.wait(interval):
                break
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _alerter(engine: Any, base_url: str | None, days: int) -> Callable[[set[str]], None]:
    """What sends the alerts after a round: checked once, before the first round, so that a missing [mail]
    table is said at once rather than after an hour of fetching."""
    from storyline.config import ConfigError, load
    from storyline.digest.alerts import deliver, due
    from storyline.digest.mail import mail_config
    from storyline.kb import load as load_kb
    from storyline.watch import WatchError, every, normalise

    kb = load_kb()
    try:
        settings = load()
        mail = mail_config(settings)
        watches = [normalise(w, kb) for w, _origin in every(engine, settings).values()]
    except (ConfigError, WatchError) as exc:
        err.print(f"[red]configuration:[/] {exc}")
        raise typer.Exit(2) from exc
    if not mail.sender:
        err.print("[red]--alerts needs a sender:[/] set sender in the [mail] table of the configuration")
        raise typer.Exit(2)
    silent = sorted(w.name for w in watches if not w.recipients)
    if silent:
        err.print(
            f"[yellow]--alerts: no recipients for {', '.join(silent)}[/] (storyline watch add NAME ... --to ADDR)"
        )
    watches = [w for w in watches if w.recipients]
    if not watches:
        err.print(
            "[yellow]--alerts: no watch list has recipients[/] (storyline watch add NAME --actor ... --to ...)"
        )
    language = str(settings.get("digest", {}).get("language", "en"))

    pending: set[str] = set()  # events whose alert could not be sent: tried again after the next round

    def alert(touched: set[str]) -> None:
        touched = touched | pending
        if not touched or not watches:
            return
        sent, failed = deliver(
            engine,
            due(engine, touched, watches, kb, recent=days),
            kb,
            mail,
            base_url=base_url,
            language=language,
        )
        for a in sent:
            err.print(f"alerted {a.watch.name}: {a.event.summary} ({a.event.status})")
        pending.clear()
        pending.update(a.event.id for a, _ in failed)
        for a, reason in failed:
            err.print(f"[yellow]alert for {a.watch.name} not sent[/] ({a.event.summary}): {reason}")

    return alert

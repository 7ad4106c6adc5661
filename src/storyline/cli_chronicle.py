"""The chronicle's commands: ``run``, ``stories``, ``show``, ``events``, ``search``, ``export``, ``db``.

A thin layer over :mod:`storyline.flow`, :mod:`storyline.store.queries` and :mod:`storyline.export`.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline.ingest.sources import DEFAULT_MAX_BYTES
from storyline.records import Event, Story
from storyline.scale.options import (
    AddressOption,
    BatchOption,
    EngineName,
    EngineOption,
    ShardSizeOption,
)

err = Console(stderr=True)
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a SQLite file path or a URL (postgresql://host/db). Default: the configuration's "
        "db, else $STORYLINE_DB, else ~/.local/share/storyline/storyline.sqlite3.",
    ),
]
AllowPrivate = Annotated[
    bool | None,
    typer.Option(
        "--allow-private/--no-allow-private",
        help="Fetch private, loopback and link-local addresses (intranets, tests). Default: refused "
        "(or the configuration's fetch.allow_private).",
    ),
]
Workers = Annotated[
    int | None, typer.Option("--workers", "-w", min=1, help="Processes (default: the cores).")
]
MaxBytes = Annotated[int, typer.Option("--max-bytes", min=1, help="Largest document read.")]
UserAgent = Annotated[str | None, typer.Option("--user-agent", help="The User-Agent sent when fetching.")]
Delay = Annotated[
    float | None, typer.Option("--delay", min=0, help="Seconds between two requests to one host.")
]
STATUS_COLOURS = {
    "planned": "cyan",
    "occurred": "green",
    "ongoing": "green",
    "cancelled": "red",
    "postponed": "yellow",
    "hypothetical": "magenta",
    "negated": "magenta",
}
db_app = typer.Typer(
    help="The database itself: its counts, its failures, its integrity.", no_args_is_help=True
)


def progress_bar(label: str) -> Progress:
    """The progress line of a long command, on standard error when it is a terminal (never in a pipe)."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )


def _console() -> Console:
    console = Console()
    return console if console.is_terminal else Console(width=160)


def fetch_config(allow_private: bool | None, user_agent: str | None, delay: float | None):
    """The fetcher's configuration: the configuration file, then the command line."""
    from storyline.config import ConfigError
    from storyline.config import fetch_config as from_file

    try:
        return from_file(allow_private=allow_private, user_agent=user_agent, min_delay=delay)
    except ConfigError as exc:
        err.print(f"[red]configuration:[/] {exc}")
        raise typer.Exit(2) from exc


def _engine(db: str | None):
    from storyline.config import ConfigError, database
    from storyline.store import connect

    try:
        return connect(db or database())
    except ConfigError as exc:
        err.print(f"[red]configuration:[/] {exc}")
        raise typer.Exit(2) from exc
    except Exception as exc:  # a wrong URL, a server that does not answer: say so, no traceback
        err.print(f"[red]cannot open the database[/] {db or '(default)'}: {type(exc).__name__}: {exc}")
        raise typer.Exit(2) from exc


def run(
    sources: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders, feeds, sitemaps, URLs, WARC files; '-' for stdin."),
    ] = None,
    input: Annotated[
        list[Path] | None, typer.Option("--input", "-i", help="A JSONL file of documents.")
    ] = None,
    db: DbOption = None,
    workers: Workers = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    allow_private: AllowPrivate = None,
    user_agent: UserAgent = None,
    delay: Delay = None,
    relevant: Annotated[
        bool,
        typer.Option(
            "--relevant",
            help="Read only the documents whose raw text names what storyline follows (the knowledge base's "
            "formats, Central Asian countries, cities and leaders); the others are skipped, counted as irrelevant.",
        ),
    ] = False,
    watch: Annotated[
        str | None,
        typer.Option(
            "--watch",
            help="Read only the documents whose raw text names what this watch list follows (its actors, "
            "formats, regions and keywords); the others are skipped, counted as irrelevant.",
        ),
    ] = None,
    engine_name: EngineOption = EngineName.local,
    address: AddressOption = None,
    parquet: Annotated[
        Path | None,
        typer.Option(
            "--parquet",
            help="With --engine ray: write the readings to this folder (Parquet, by month and language), "
            "then load them; a rerun skips the shards already written. Default: a temporary folder.",
        ),
    ] = None,
    shard_size: ShardSizeOption = 0,
) -> None:
    """Ingest, read (in parallel), store and resolve documents into the chronicle. SOURCEs are files,
    folders, feeds (RSS, Atom), OPML lists, sitemaps, web pages (URLs) and WARC archives. Running it again
    on the same input changes nothing; a run that was killed is finished by running it again."""
    from storyline.flow import run_paths
    from storyline.runner import default_workers

    if not sources and not input:
        err.print("[red]usage:[/] give at least one SOURCE or --input FILE.jsonl (see storyline run --help)")
        raise typer.Exit(2)
    if parquet is not None and engine_name is not EngineName.ray:
        err.print("[red]usage:[/] --parquet goes with --engine ray")
        raise typer.Exit(2)
    if address and parquet is None:
        err.print("[red]usage:[/] with --address, give --parquet: a folder every node of the cluster shares")
        raise typer.Exit(2)
    engine = _engine(db)
    outcomes: Counter[str] = Counter()
    keep = _relevance(engine, relevant, watch)
    progress = progress_bar("{task.description}")
    with progress:
        task = progress.add_task("storing", total=None)

        def seen(_key: str, outcome: str) -> None:
            outcomes[outcome] += 1
            progress.advance(task)

        fetch = fetch_config(allow_private, user_agent, delay)
        jsonl = [str(p) for p in input or []]
        if engine_name is EngineName.ray:
            job = RayJob(workers or default_workers(), address, parquet, shard_size, max_bytes)
            report = _ray_run(sources or [], jsonl, engine, job, fetch, keep, seen)
        else:
            report = run_paths(
                sources or [],
                engine,
                jsonl=jsonl,
                workers=workers or default_workers(),
                max_bytes=max_bytes,
                fetch=fetch,
                on_document=seen,
                keep=keep,
            )
    _print_run(report, keep is not None)


def _relevance(engine: Any, relevant: bool, watch: str | None) -> Any:
    """The relevance pre-filter the options ask for: the knowledge base's default terms, or a watch list's."""
    if not relevant and watch is None:
        return None
    from storyline.config import ConfigError, load
    from storyline.ingest.relevance import RelevanceFilter
    from storyline.kb import load as load_kb
    from storyline.watch import WatchError, named, normalise

    kb = load_kb()
    if watch is None:
        return RelevanceFilter.from_kb(kb)
    try:
        return RelevanceFilter.from_kb(kb, normalise(named(engine, load(), watch), kb))
    except (ConfigError, WatchError, ValueError) as exc:
        err.print(f"[red]--watch {watch}:[/] {exc}")
        raise typer.Exit(2) from exc


@dataclass
class RayJob:
    """The options of ``run --engine ray``."""

    workers: int
    address: str | None
    parquet: Path | None
    shard_size: int
    max_bytes: int


@contextmanager
def ray_failures() -> Iterator[None]:
    """No Ray cluster to reach (exit 2) or a Ray job that failed (exit 1), as one line."""
    from storyline.scale.errors import JobError, RayUnavailable

    try:
        yield
    except RayUnavailable as exc:
        err.print(f"[red]ray:[/] {exc}")
        raise typer.Exit(2) from exc
    except JobError as exc:
        err.print(f"[red]ray:[/] {exc}")
        raise typer.Exit(1) from exc


def _ray_run(
    sources: list[str],
    jsonl: list[str],
    engine: Any,
    job: RayJob,
    fetch: Any,
    keep: Callable[[Any], bool] | None,
    seen: Callable[[str, str], None],
) -> Any:
    """``run --engine ray``: read on the cluster into Parquet, then load; one line when Ray is not there."""
    from storyline.scale.jobs import ray_run

    with ray_failures():
        written, report = ray_run(
            sources,
            jsonl,
            engine,
            workers=job.workers,
            parquet=job.parquet,
            address=job.address,
            shard_size=job.shard_size,
            max_bytes=job.max_bytes,
            fetch=fetch,
            keep=keep,
            on_document=seen,
        )
    report.irrelevant += written.skipped
    err.print(
        f"ray: {written.shards} shard(s) read ({written.read} document(s) read, {written.failed} failed), "
        f"{written.already_done} already written" + (f" in {job.parquet}" if job.parquet else "")
    )
    return report


def _print_run(report: Any, filtered: bool = False) -> None:
    """The summary of a run or a load; exit code 1 when nothing was read, stored, found stored or filtered."""
    for failure in report.errors:
        err.print(
            f"[yellow]failed[/] {failure.id or failure.path}: {failure.error.kind}: {failure.error.message}"
        )
    counts = report.as_dict()
    err.print(
        f"read {counts['read']} document(s) ({counts['near_duplicates']} near duplicates), "
        f"{counts['unchanged']} unchanged, {counts['replaced']} replaced, {counts['copies']} copies, "
        f"{counts['failed']} failed; {counts['events_touched']} event(s) and {counts['stories_touched']} "
        f"story(ies) updated"
    )
    if filtered:
        err.print(f"{counts['irrelevant']} irrelevant document(s) not read")
    if not (counts["read"] or counts["unchanged"] or counts["copies"] or counts["irrelevant"]):
        raise typer.Exit(1)


def load(
    folder: Annotated[Path, typer.Argument(help="A folder written by storyline run --engine ray --parquet.")],
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            "-w",
            min=1,
            help="Processes resolving a batch's independent parts at once (default: the cores); PostgreSQL "
            "only — SQLite has one writer, so there it is 1.",
        ),
    ] = None,
    batch: BatchOption = None,
) -> None:
    """Load a Parquet folder of readings into the chronicle, in publication order, a batch at a time: each
    batch is stored in one transaction, then its mentions are resolved in parts that share no blocking key,
    in parallel on PostgreSQL — the chronicle one document at a time would make. Readings stored before with
    the same input are skipped: loading twice changes nothing, and a load that was killed is finished by
    loading again."""
    from storyline.runner import default_workers
    from storyline.scale.load import load_folder
    from storyline.scale.parquet import done_keys
    from storyline.store.bulk import BATCH

    if not folder.is_dir() or not done_keys(folder):
        err.print(
            f"[red]usage:[/] {folder} holds no complete shard (see storyline run --engine ray --parquet)"
        )
        raise typer.Exit(2)
    engine = _engine(db)
    progress = progress_bar("{task.description}")
    with progress:
        task = progress.add_task("loading", total=None)
        report = load_folder(
            folder,
            engine,
            workers=workers or default_workers(),
            batch=batch or BATCH,
            on_document=lambda _key, _outcome: progress.advance(task),
        )
    _print_run(report)


def stories(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or jsonl")] = "table",
) -> None:
    """List the stories: each with its title, documents, events and their status history, contradictions."""
    from storyline.store import queries

    engine = _engine(db)
    found = queries.stories(engine)
    if format == "jsonl":
        for story in found:
            sys.stdout.write(story.model_dump_json() + "\n")
        return
    if format != "table":
        err.print(f"[red]unknown format[/] {format!r}: table or jsonl")
        raise typer.Exit(2)
    table = Table(title=f"{len(found)} stories")
    for column in ("story", "title", "from", "to", "events", "documents", "contradictions"):
        table.add_column(
            column, justify="right" if column in ("events", "documents", "contradictions") else "left"
        )
    for story in found:
        table.add_row(
            story.id,
            story.title,
            str(story.first or ""),
            str(story.last or ""),
            str(len(story.events)),
            str(len(story.documents)),
            str(len(story.contradictions)),
        )
    _console().print(table)


def _when(event: Event) -> str:
    if event.when is None:
        return "(undated)"
    if event.when.start == event.when.end:
        return event.when.start.isoformat()
    return f"{event.when.start} … {event.when.end}"


def render_story(story: Story, console: Console, founded: dict[str, str]) -> None:
    """A story's timeline in the terminal: each event, its status history with its sources, and the
    contradictions between sources."""
    console.print(f"[bold]{story.title}[/]  [dim]({story.id}; {len(story.documents)} documents)[/]")
    first_of_format: set[str] = set()
    for event in story.events:
        colour = STATUS_COLOURS.get(event.status, "white")
        place = f" — {event.where.name}" if event.where else ""
        label = ""
        if event.format and event.format not in first_of_format and event.status == "occurred":
            first_of_format.add(event.format)
            if event.when and founded.get(event.format) == str(event.when.start.year):
                label = " [bold](format founded)[/]"
        console.print(
            f"\n[bold]{_when(event)}[/]  [{colour}]{event.status.upper()}[/]  {event.summary}{place}{label}"
            f"  [dim]{event.id} · {event.sources} source(s) · {', '.join(event.participants)}[/]"
        )
        for report in event.history:
            mark = "" if report.credible else f" [dim](not counted: {report.note})[/]"
            change = f"[bold]{report.change}[/] " if report.change else ""
            copy = f" [dim]copy of {report.copy_of}[/]" if report.copy_of else ""
            quote = (
                report.evidence.text if len(report.evidence.text) <= 160 else report.evidence.text[:157] + "…"
            )
            console.print(
                f"   {report.reported or '????-??-??'}  {change}[{STATUS_COLOURS.get(report.status, 'white')}]"
                f"{report.status}[/] — {report.document}{copy}{mark}\n      [italic]“{quote}”[/]",
                highlight=False,
            )
        for c in event.contradictions:
            console.print(f"   [red]contradiction[/] ({c.field}): {c.message}", highlight=False)
    for c in story.contradictions:
        if c.event is None:
            console.print(f"\n[red]contradiction[/] ({c.field}): {c.message}", highlight=False)


def show(
    story: Annotated[str, typer.Argument(help="A story id (see storyline stories).")],
    db: DbOption = None,
) -> None:
    """Print a story's timeline with each event's status history and sources."""
    from storyline import kb
    from storyline.store import queries

    engine = _engine(db)
    found = queries.story(engine, story)
    if found is None:
        err.print(f"[red]no story[/] {story!r}; known: {', '.join(queries.story_ids(engine)) or 'none'}")
        raise typer.Exit(1)
    base = kb.load()
    founded = {e.id: (e.founded or "")[:4] for e in base.entries.values() if e.kind == "format"}
    render_story(found, _console(), founded)


def events(
    db: DbOption = None,
    actor: Annotated[
        str | None, typer.Option(help="An entity id among the participants: JPN, european-union.")
    ] = None,
    type: Annotated[str | None, typer.Option("--type", help="A PLOVER type: CONSULT, AGREE, AID, …")] = None,
    status: Annotated[str | None, typer.Option(help="planned, occurred, postponed, cancelled, …")] = None,
    format: Annotated[
        str | None, typer.Option("--format-id", help="A format id: central-asia-plus-japan.")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Events that end on or after this day (YYYY-MM-DD).")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Events that start on or before this day.")] = None,
    limit: Annotated[int, typer.Option(min=1)] = 200,
    output: Annotated[str, typer.Option("--output-format", "-f", help="table or jsonl")] = "table",
) -> None:
    """List events, filtered, in time order."""
    from storyline.store import queries

    try:
        where = queries.EventFilter(
            actor=actor,
            type=type,
            status=status,
            format=format,
            since=date.fromisoformat(since) if since else None,
            until=date.fromisoformat(until) if until else None,
            limit=limit,
        )
    except ValueError as exc:
        err.print(f"[red]bad date:[/] {exc} (use YYYY-MM-DD)")
        raise typer.Exit(2) from exc
    found = queries.events(_engine(db), where, with_history=output == "jsonl")
    if output == "jsonl":
        for event in found:
            sys.stdout.write(event.model_dump_json() + "\n")
        return
    table = Table(title=f"{len(found)} events")
    for column in ("when", "status", "type", "summary", "participants", "story", "sources", "id"):
        table.add_column(column)
    for event in found:
        colour = STATUS_COLOURS.get(event.status, "white")
        table.add_row(
            _when(event),
            f"[{colour}]{event.status}[/]",
            event.type,
            event.summary,
            ", ".join(event.participants),
            event.story or "",
            str(event.sources),
            event.id,
        )
    _console().print(table)


def search(
    query: Annotated[str, typer.Argument(help="Words to find in documents' titles and text.")],
    db: DbOption = None,
    limit: Annotated[int, typer.Option(min=1)] = 20,
) -> None:
    """Full-text search over the stored documents."""
    from storyline.store import queries

    hits = queries.search(_engine(db), query, limit)
    if not hits:
        err.print("no document matches")
        raise typer.Exit(1)
    console = _console()
    for hit in hits:
        console.print(
            f"[bold]{hit.document}[/] {hit.published or ''} — {hit.title or ''}\n   {hit.snippet}",
            highlight=False,
        )


def export(
    format: Annotated[str, typer.Argument(help="jsonl, csv, parquet or plover")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")
    ] = None,
    db: DbOption = None,
    what: Annotated[str, typer.Option("--what", help="For jsonl: stories or events.")] = "stories",
) -> None:
    """Export the chronicle: JSONL (stories or events), CSV and Parquet (events), PLOVER JSON records."""
    from storyline import export as exporting
    from storyline.store import queries

    if format not in exporting.FORMATS:
        err.print(f"[red]unknown format[/] {format!r}: one of {', '.join(exporting.FORMATS)}")
        raise typer.Exit(2)
    if format == "parquet" and output is None:
        err.print("[red]parquet needs --output FILE[/]")
        raise typer.Exit(2)
    engine = _engine(db)
    if format == "parquet":
        assert output is not None
        n = exporting.write_parquet(queries.events(engine, with_history=False), output)
    else:
        out = sys.stdout if output is None else output.open("w", encoding="utf-8", newline="")
        try:
            if format == "jsonl":
                items = queries.stories(engine) if what == "stories" else queries.events(engine)
                n = exporting.write_jsonl(items, out)
            elif format == "csv":
                n = exporting.write_csv(queries.events(engine), out)
            else:
                n = exporting.write_plover(queries.events(engine), out)
        finally:
            if out is not sys.stdout:
                out.close()
    err.print(f"exported {n} record(s)")


@db_app.command("check")
def db_check(db: DbOption = None) -> None:
    """Check the database's integrity (the engine's own check and the chronicle's invariants)."""
    from storyline.store import integrity_problems

    problems = integrity_problems(_engine(db))
    for problem in problems:
        err.print(f"[red]problem[/] {problem}")
    if problems:
        raise typer.Exit(1)
    err.print("ok")


@db_app.command("stats")
def db_stats(db: DbOption = None) -> None:
    """Count what the database holds, and list the documents that failed with their reasons."""
    from storyline.store import queries

    engine = _engine(db)
    for name, n in queries.counts(engine).items():
        typer.echo(f"{name}: {n}")
    for key, kind, message in queries.failures(engine):
        typer.echo(f"failed: {key}: {kind}: {message}")


def register(app: typer.Typer) -> None:
    for command in (run, load, stories, show, events, search, export):
        app.command()(command)
    app.add_typer(db_app, name="db")
    from storyline.cli_sources import sources_app, update

    app.add_typer(sources_app, name="sources")
    app.command()(update)
    from storyline.cli_serve import serve

    app.command()(serve)

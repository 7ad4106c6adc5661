"""The ``storyline`` command: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from itertools import chain
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from storyline.cli_chronicle import (
    AllowPrivate,
    Delay,
    MaxBytes,
    UserAgent,
    Workers,
    fetch_config,
    progress_bar,
    ray_failures,
)
from storyline.evaluate import Count
from storyline.ingest.sources import DEFAULT_MAX_BYTES, iter_inputs
from storyline.ingest.web import iter_sources
from storyline.records import ReadError, Reading
from storyline.runner import default_workers, read_all
from storyline.scale.options import AddressOption, EngineName, EngineOption, ShardSizeOption

app = typer.Typer(
    help="storyline: news articles in, a sourced chronicle of events, figures and checks out.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _open(path: Path | None, default: TextIO) -> TextIO:
    return default if path is None or str(path) == "-" else path.open("w", encoding="utf-8")


@app.command()
def read(
    paths: Annotated[
        list[str] | None, typer.Argument(help="Files or folders (recursive); '-' for standard input.")
    ] = None,
    input: Annotated[
        list[Path] | None, typer.Option("--input", "-i", help="A JSONL file of documents.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Where readings go (JSONL).")] = None,
    errors: Annotated[
        Path | None, typer.Option("--errors", "-e", help="Where failed documents go (JSONL).")
    ] = None,
    workers: Workers = None,
    max_bytes: MaxBytes = DEFAULT_MAX_BYTES,
    allow_private: AllowPrivate = None,
    user_agent: UserAgent = None,
    delay: Delay = None,
    engine: EngineOption = EngineName.local,
    address: AddressOption = None,
    shard_size: ShardSizeOption = 0,
) -> None:
    """Read documents and write one reading per line, in input order. PATHs are files, folders, feeds
    (RSS, Atom), OPML lists, sitemaps, web pages (URLs) and WARC archives. With --engine ray the reading is
    spread over a Ray cluster; the output is the same."""
    if not paths and not input:
        err.print("[red]usage:[/] give at least one PATH or --input FILE.jsonl (see storyline read --help)")
        raise typer.Exit(2)
    fetch = fetch_config(allow_private, user_agent, delay)
    jsonl = [str(p) for p in input or []]
    if engine is EngineName.ray:
        from storyline.scale.jobs import ray_read

        outcomes = ray_read(
            paths or [],
            jsonl,
            workers=workers or default_workers(),
            address=address,
            shard_size=shard_size,
            max_bytes=max_bytes,
            fetch=fetch,
        )
    else:
        items = chain(
            iter_sources(paths or [], config=fetch, max_bytes=max_bytes),
            iter_inputs([], jsonl, max_bytes=max_bytes),
        )
        outcomes = _as_lines(read_all(items, workers or default_workers()))
    out = _open(output, sys.stdout)
    errs = _open(errors, sys.stderr) if errors else None
    read_count, kinds = 0, Counter[str]()
    progress = progress_bar("reading")
    try:
        with ray_failures(), progress:
            task = progress.add_task("read", total=None)
            for line, failure in outcomes:
                if failure is None:
                    out.write(line + "\n")
                    read_count += 1
                else:
                    kinds[failure.error.kind] += 1
                    if errs is not None:
                        errs.write(line + "\n")
                    else:
                        err.print(f"[yellow]skipped[/] {failure.id or failure.path}: {failure.error.message}")
                progress.advance(task)
    finally:
        if out is not sys.stdout:
            out.close()
        if errs is not None and errs is not sys.stderr:
            errs.close()
    failed = sum(kinds.values())
    detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    err.print(f"read {read_count} document(s); {failed} failed" + (f" ({detail})" if detail else ""))
    if read_count == 0:
        raise typer.Exit(1)


def _as_lines(outcomes: Iterator[Reading | ReadError]) -> Iterator[tuple[str, ReadError | None]]:
    """Each outcome as its output line, with the error it holds (None for a reading)."""
    for outcome in outcomes:
        if isinstance(outcome, Reading):
            yield outcome.model_dump_json(), None
        else:
            yield outcome.model_dump_json(exclude_none=True), outcome


@app.command()
def schema() -> None:
    """Print the JSON Schema of a reading, generated from the record types."""
    from storyline.schema import reading_schema

    typer.echo(json.dumps(reading_schema(), indent=1, ensure_ascii=False))


@app.command()
def bench(
    paths: Annotated[list[str] | None, typer.Argument(help="Corpus (default: the bundled examples).")] = None,
    documents: Annotated[int, typer.Option(help="Documents to read (the corpus repeated).")] = 300,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: the cores).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the numbers as JSON.")] = False,
    warc: Annotated[
        int | None,
        typer.Option(
            "--warc", min=1, help="Instead: write a WARC.gz of this many MB and stream it back (memory)."
        ),
    ] = None,
) -> None:
    """Measure reading speed (documents per second, per core) and peak memory; with --warc, how reading a
    web archive as a stream keeps memory flat."""
    from storyline.bench import run_bench

    if warc is not None:
        import tempfile

        from storyline.ingest.warc import bench_warc

        with tempfile.TemporaryDirectory() as tmp:
            result = bench_warc(warc, Path(tmp))
    else:
        result = run_bench(paths or [], documents=documents, workers=workers or default_workers())
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    table = Table(title="storyline read benchmark")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        table.add_row(key, f"{value:,.2f}" if isinstance(value, float) else str(value))
    _wide_console().print(table)


@app.command("timeline")
def timeline_command(
    readings: Annotated[Path, typer.Argument(help="A JSONL file written by storyline read.")],
) -> None:
    """Print the event mentions of a set of readings in time order."""
    from storyline.timeline import load_readings, timeline

    table = Table(title=f"Events in {readings}", show_lines=False)
    for column in ("when", "status", "type", "participants", "where", "source document"):
        table.add_column(column)
    colours = {"planned": "cyan", "occurred": "green", "cancelled": "red", "postponed": "yellow"}
    for row in timeline(load_readings(readings)):
        event = row.event
        colour = colours.get(event.status, "white")
        table.add_row(
            row.when_text,
            f"[{colour}]{event.status}[/]",
            event.type + (f" ({event.mode})" if event.mode else ""),
            ", ".join(event.participants) + (f" [dim]{event.format}[/]" if event.format else ""),
            (event.where.name if event.where else ""),
            row.document,
        )
    _wide_console().print(table)


def _register_groups() -> None:
    from storyline import cli_chronicle, cli_digest
    from storyline.cli_kb import kb_app
    from storyline.cli_rates import rates_app

    cli_chronicle.register(app)
    cli_digest.register(app)
    app.add_typer(kb_app, name="kb")
    app.add_typer(rates_app, name="rates")


_register_groups()
evaluate_app = typer.Typer(help="Score readings against gold sets.", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
ROOT = Path(__file__).resolve().parents[2]


def _count_table(title: str, rows: dict[str, Count]) -> Table:
    table = Table(title=title)
    for column in ("measure", "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, count in rows.items():
        table.add_row(
            name,
            str(count.tp),
            str(count.fp),
            str(count.fn),
            f"{count.precision:.3f}",
            f"{count.recall:.3f}",
            f"{count.f1:.3f}",
        )
    return table


@evaluate_app.command("corpus")
def evaluate_corpus(
    gold: Annotated[list[Path], typer.Argument(help="Gold files, or folders of *.gold.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: the cores).")] = None,
) -> None:
    """Read the articles that gold files name and score the readings: events at three levels, event times,
    figures, entities."""
    from storyline.evaluate import evaluate_gold_files

    files = sorted(f for g in gold for f in ([g] if g.is_file() else g.glob("**/*.gold.json")))
    if not files:
        err.print("[red]no gold files found[/]")
        raise typer.Exit(2)
    total, each = evaluate_gold_files(files, workers or default_workers())
    if as_json:
        documents = {k: v.as_dict() for k, v in each}
        typer.echo(json.dumps({"total": total.as_dict(), "documents": documents}, indent=1))
        return
    _wide_console().print(
        _count_table(f"storyline evaluate corpus: {total.documents} document(s)", total.counts)
    )


@evaluate_app.command("chronicle")
def evaluate_chronicle_command(
    gold: Annotated[list[Path], typer.Argument(help="Gold files, or folders of *.gold.json.")],
    db: Annotated[
        str | None, typer.Option("--db", help="Database to run into (default: a temporary SQLite file).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: the cores).")] = None,
) -> None:
    """Run the whole flow on the articles that gold files name and score the chronicle: story clustering
    (B-cubed over documents) and event resolution (B-cubed over the gold events found)."""
    from storyline.evaluate.chronicle import evaluate_chronicle

    files = sorted(f for g in gold for f in ([g] if g.is_file() else g.glob("**/*.gold.json")))
    if not files:
        err.print("[red]no gold files found[/]")
        raise typer.Exit(2)
    scores = evaluate_chronicle(files, db, workers or default_workers()).as_dict()
    if as_json:
        typer.echo(json.dumps(scores, indent=1))
        return
    table = Table(title=f"storyline evaluate chronicle: {scores['documents']} document(s)")
    for column in ("measure", "items", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name in ("stories", "events", "shared events"):
        row = scores[name]
        table.add_row(
            name, str(row["n"]), f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}"
        )
    _wide_console().print(table)
    events = scores["events"]
    err.print(
        f"gold events matched by a mention: {events['matched']} of {events['gold']} ({events['coverage']:.3f})"
    )


@evaluate_app.command("timebank")
def evaluate_timebank(
    folder: Annotated[Path, typer.Argument(help="A folder of ISO-TimeML .tml files.")] = ROOT
    / "benchmarks/fr-timebank/Data",
    language: Annotated[str, typer.Option(help="The documents' language.")] = "fr",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    errors: Annotated[int, typer.Option(help="Show this many errors.")] = 0,
) -> None:
    """Score the temporal tagger on a TimeML corpus (French TimeBank by default): strict and relaxed span,
    type and value, each with precision, recall and F1."""
    from storyline import languages
    from storyline.evaluate import timebank

    chosen = languages.get(language)
    if chosen is None or not folder.is_dir():
        err.print(
            f"[red]usage:[/] need a folder of .tml files and a language storyline reads (got {folder}, {language})"
        )
        raise typer.Exit(2)
    scores = timebank.score(timebank.load(folder), chosen)
    if as_json:
        typer.echo(json.dumps(scores.as_dict(), indent=1))
        return
    rows = {
        "strict span": scores.strict,
        "relaxed span": scores.relaxed,
        "type": scores.type,
        "value": scores.value,
    }
    title = f"TimeML: {scores.documents} documents, {scores.gold} expressions, {scores.predicted} found"
    _wide_console().print(_count_table(title, rows))
    for error in scores.errors[:errors]:
        typer.echo(error.describe())


@evaluate_app.command("plover")
def evaluate_plover(
    records: Annotated[Path, typer.Argument(help="PLOVER gold records (JSON).")] = ROOT
    / "benchmarks/plover-gsr/PLOVER_GSR_CAMEO.json",
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score event typing and actors on the PLOVER gold records (English sentences)."""
    from storyline.evaluate import plover

    if not records.is_file():
        err.print(f"[red]usage:[/] no such file: {records}")
        raise typer.Exit(2)
    scores = plover.score(plover.load(records))
    if as_json:
        typer.echo(json.dumps(scores.as_dict(), indent=1))
        return
    table = Table(title=f"PLOVER gold records: {scores.sentences} sentences")
    table.add_column("measure")
    table.add_column("share", justify="right")
    for name, value in (
        ("gold type found (recall)", scores.type_recall),
        ("predicted events of the gold type (precision)", scores.type_precision),
        ("gold type with gold source and target", scores.actors),
        ("gold source found", scores.source),
        ("gold target found", scores.target),
    ):
        table.add_row(name, f"{value:.3f}")
    per_type = Table(title="per type")
    for column in ("type", "gold", "found", "predicted", "right"):
        per_type.add_column(column, justify="left" if column == "type" else "right")
    for name, row in scores.types.items():
        per_type.add_row(name, str(row.gold), str(row.found), str(row.predicted), str(row.right))
    console = _wide_console()
    console.print(table)
    console.print(per_type)


def _wide_console() -> Console:
    """Standard output, as wide as the terminal, or wide enough for a table when it is not a terminal."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

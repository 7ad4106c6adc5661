"""The ``storyline`` command: a thin layer over the library."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from storyline.ingest.sources import DEFAULT_MAX_BYTES, iter_inputs
from storyline.records import Reading
from storyline.runner import default_workers, read_all

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
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Processes (default: the cores).")
    ] = None,
    max_bytes: Annotated[
        int, typer.Option("--max-bytes", min=1, help="Largest document read.")
    ] = DEFAULT_MAX_BYTES,
) -> None:
    """Read documents and write one reading per line, in input order."""
    if not paths and not input:
        err.print("[red]usage:[/] give at least one PATH or --input FILE.jsonl (see storyline read --help)")
        raise typer.Exit(2)
    items = iter_inputs(paths or [], [str(p) for p in input or []], max_bytes=max_bytes)
    out = _open(output, sys.stdout)
    errs = _open(errors, sys.stderr) if errors else None
    read_count, kinds = 0, Counter[str]()
    progress = Progress(
        TextColumn("reading"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
        transient=True,
    )
    try:
        with progress:
            task = progress.add_task("read", total=None)
            for outcome in read_all(items, workers or default_workers()):
                if isinstance(outcome, Reading):
                    out.write(outcome.model_dump_json() + "\n")
                    read_count += 1
                else:
                    kinds[outcome.error.kind] += 1
                    if errs is not None:
                        errs.write(outcome.model_dump_json(exclude_none=True) + "\n")
                    else:
                        err.print(f"[yellow]skipped[/] {outcome.id or outcome.path}: {outcome.error.message}")
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
) -> None:
    """Measure reading speed (documents per second, per core) and peak memory."""
    from storyline.bench import run_bench

    result = run_bench(paths or [], documents=documents, workers=workers or default_workers())
    if as_json:
        typer.echo(json.dumps(result, indent=1))
        return
    from rich.table import Table

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
    from rich.table import Table

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


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold files, or folders of *.gold.json.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes (default: the cores).")] = None,
) -> None:
    """Read the articles that gold files name and score the readings against them."""
    from rich.table import Table

    from storyline.evaluate import evaluate_gold_files

    files = sorted(f for g in gold for f in ([g] if g.is_file() else g.glob("**/*.gold.json")))
    if not files:
        err.print("[red]no gold files found[/]")
        raise typer.Exit(2)
    total, each = evaluate_gold_files(files, workers or default_workers())
    if as_json:
        typer.echo(
            json.dumps({"total": total.as_dict(), "documents": {k: v.as_dict() for k, v in each}}, indent=1)
        )
        return
    table = Table(title=f"storyline evaluate: {total.documents} document(s)")
    for column in ("measure", "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, count in total.counts.items():
        table.add_row(
            name,
            str(count.tp),
            str(count.fp),
            str(count.fn),
            f"{count.precision:.3f}",
            f"{count.recall:.3f}",
            f"{count.f1:.3f}",
        )
    _wide_console().print(table)


def _wide_console() -> Console:
    """Standard output, as wide as the terminal, or wide enough for a table when it is not a terminal."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def main() -> None:
    app()


if __name__ == "__main__":
    main()

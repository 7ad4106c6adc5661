"""``storyline kb``: the knowledge base's commands (a thin layer over ``storyline.kb``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

kb_app = typer.Typer(
    help="The knowledge base: what storyline knows of countries, people, bodies and formats.",
    no_args_is_help=True,
)


@kb_app.command("stats")
def stats() -> None:
    """Count the knowledge base's entries by kind and its aliases by language."""
    from collections import Counter

    from storyline import kb

    base = kb.load()
    kinds = Counter(e.kind for e in base.entries.values())
    langs = Counter(a.lang for a in base.aliases)
    typer.echo("entries: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))
    typer.echo("aliases: " + ", ".join(f"{k} {n}" for k, n in sorted(langs.items())))


@kb_app.command("import")
def import_(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Wikidata JSON dump or SPARQL-result JSON.")
    ],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Folder to write imported-<name>.json in (default: the package's data). A folder of your "
            "own is read when named in the STORYLINE_KB_PATH variable.",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option(help="Load the base with the new file; remove it and fail if it is inconsistent.")
    ] = True,
) -> None:
    """Extend the knowledge base from Wikidata: people with the positions they held (P39 with P580/P582
    dates) and organisations, with their labels and aliases in French, English and Russian."""
    from importlib import resources

    from storyline import kb
    from storyline.kb import wikidata

    data = Path(str(resources.files("storyline.kb") / "data"))
    target_dir = into or data
    try:
        result = wikidata.import_file(file)
    except (ValueError, OSError) as exc:
        typer.echo(f"cannot import {file}: {exc}", err=True)
        raise typer.Exit(2) from None
    target = wikidata.write_entries(result, file, target_dir)
    people = sum(1 for e in result.entries if e["kind"] == "person")
    terms = sum(len(e.get("terms", [])) for e in result.entries)
    typer.echo(
        f"{target}: {len(result.entries)} entries ({people} people, {terms} terms), {len(result.skipped)} left out"
    )
    for reason in result.skipped:
        typer.echo(f"  left out: {reason}", err=True)
    if check:
        # The package's base with the new file beside it must still load.
        import os
        import shutil
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            trial = Path(tmp) / "data"
            shutil.copytree(data, trial)
            shutil.copy(target, trial / target.name)
            try:
                folders = os.environ.get(kb.KB_PATH_VARIABLE, "").split(os.pathsep)
                others = [Path(p) for p in folders if p and Path(p).resolve() != target_dir.resolve()]
                kb.load_dir(trial, others)
            except kb.KBError as exc:
                target.unlink()
                typer.echo(f"the base would be inconsistent, nothing written: {exc}", err=True)
                raise typer.Exit(1) from None

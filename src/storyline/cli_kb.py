"""``storyline kb``: the knowledge base's commands (a thin layer over ``storyline.kb``)."""

from __future__ import annotations

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

"""``storyline watch`` and ``storyline digest``: what a user follows, and the newsletter of what is new.

A thin layer over :mod:`storyline.watch`, :mod:`storyline.digest.compose`, :mod:`storyline.digest.render`
and :mod:`storyline.digest.mail`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from storyline.cli_chronicle import DbOption, _console, _engine, err

watch_app = typer.Typer(
    help="Watch lists: the actors, formats, regions, event types and keywords you follow.",
    no_args_is_help=True,
)


def _settings() -> dict[str, Any]:
    from storyline.config import ConfigError, load

    try:
        return load()
    except ConfigError as exc:
        err.print(f"[red]configuration:[/] {exc}")
        raise typer.Exit(2) from exc


@watch_app.command("add")
def watch_add(
    name: Annotated[str, typer.Argument(help="A short name: letters, digits, '-' and '_'.")],
    actor: Annotated[
        list[str] | None, typer.Option("--actor", help="An actor's id or name (JPN, Japan, Japon).")
    ] = None,
    format_: Annotated[
        list[str] | None,
        typer.Option("--format", help="A diplomatic format (central-asia-plus-japan, C5+1)."),
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="A region (central-asia): its countries too.")
    ] = None,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only these PLOVER event types (CONSULT, AGREE...).")
    ] = None,
    keyword: Annotated[list[str] | None, typer.Option("--keyword", help="A word to find in reports.")] = None,
    to: Annotated[list[str] | None, typer.Option("--to", help="An e-mail address for the digest.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="The digest's language: fr, en or ru.")] = None,
    db: DbOption = None,
) -> None:
    """Follow something (or change what a watch list follows)."""
    from pydantic import ValidationError

    from storyline.kb import load as load_kb
    from storyline.records import WatchList
    from storyline.watch import WatchError, normalise, save

    try:
        watch = normalise(
            WatchList(
                name=name,
                actors=actor or [],
                formats=format_ or [],
                regions=region or [],
                types=[x.upper() for x in type_ or []],  # type: ignore[misc]
                keywords=keyword or [],
                recipients=to or [],
                language=lang,
            ),
            load_kb(),
        )
    except (WatchError, ValidationError) as exc:
        err.print(f"[red]cannot save the watch list:[/] {exc}")
        raise typer.Exit(2) from exc
    new = save(_engine(db), watch)
    err.print(f"{'saved' if new else 'updated'} watch list {name}: {_describe(watch)}")


def _describe(watch: Any) -> str:
    parts = [
        f"{label} {', '.join(values)}"
        for label, values in (
            ("actors", watch.actors),
            ("formats", watch.formats),
            ("regions", watch.regions),
            ("types", watch.types),
            ("keywords", watch.keywords),
            ("to", watch.recipients),
        )
        if values
    ]
    return "; ".join(parts) or "everything"


@watch_app.command("list")
def watch_list(db: DbOption = None) -> None:
    """List the watch lists of the database and of the configuration file."""
    from storyline.watch import WatchError, every

    try:
        found = every(_engine(db), _settings())
    except WatchError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if not found:
        err.print("no watch lists yet: storyline watch add NAME --actor JPN --region central-asia")
        return
    table = Table("name", "follows", "language", "from")
    for name, (watch, origin) in found.items():
        table.add_row(name, _describe(watch), watch.language or "", origin)
    _console().print(table)


@watch_app.command("remove")
def watch_remove(name: str, db: DbOption = None) -> None:
    """Stop following: forget a saved watch list."""
    from storyline.watch import remove

    if not remove(_engine(db), name):
        err.print(f"[red]no saved watch list named {name}[/] (lists of the configuration file stay there)")
        raise typer.Exit(1)
    err.print(f"removed watch list {name}")


def digest(
    db: DbOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="First day (YYYY-MM-DD); default: by --period.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day, included (YYYY-MM-DD); default: today.")
    ] = None,
    period: Annotated[
        str, typer.Option("--period", help="day, week (7 days) or month (30 days) up to --until.")
    ] = "week",
    watch: Annotated[
        str | None, typer.Option("--watch", help="A watch list's name; default: everything.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="html, markdown, text or json.")] = "text",
    lang: Annotated[
        str | None, typer.Option("--lang", help="fr, en or ru; default: the watch list's, else en.")
    ] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write here, not to stdout.")] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Where `storyline serve` runs: links to its pages (documents, events)."
        ),
    ] = None,
    send: Annotated[
        bool, typer.Option("--send", help="E-mail it (HTML with a text part) as the [mail] table says.")
    ] = False,
    to: Annotated[
        list[str] | None, typer.Option("--to", help="Recipients (default: the watch list's).")
    ] = None,
) -> None:
    """What is new and what changed in a period, by story: new events, status changes, figures,
    contradictions between sources and checks — each with its sources and the sentence that supports it."""
    from storyline.digest.compose import PERIODS, compose
    from storyline.digest.compose import period as window
    from storyline.digest.i18n import available as languages
    from storyline.digest.render import render
    from storyline.kb import load as load_kb
    from storyline.watch import WatchError, named

    settings = _settings()
    table = settings.get("digest", {})
    unknown = sorted(set(table) - {"language", "base_url"})
    if unknown:
        err.print(
            f"[red]configuration:[/] unknown [digest] setting(s): {', '.join(unknown)}; known: base_url, language"
        )
        raise typer.Exit(2)
    try:
        last = date.fromisoformat(until) if until else date.today()
        first = date.fromisoformat(since) if since else None
    except ValueError as exc:
        err.print(f"[red]bad date:[/] {exc} (YYYY-MM-DD)")
        raise typer.Exit(2) from exc
    if first is None:
        if period not in PERIODS:
            err.print(f"[red]unknown period {period!r}[/]; known: {', '.join(PERIODS)}")
            raise typer.Exit(2)
        first = window(period, last)[0]
    if first > last:
        err.print(f"[red]--since {first} is after --until {last}[/]")
        raise typer.Exit(2)
    if fmt not in ("html", "markdown", "text", "json"):
        err.print(f"[red]unknown format {fmt!r}[/]; known: html, markdown, text, json")
        raise typer.Exit(2)
    engine = _engine(db)
    try:
        followed = named(engine, settings, watch) if watch else None
    except WatchError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    language = lang or (followed.language if followed else None) or table.get("language") or "en"
    if language not in languages():
        err.print(f"[red]no catalogue for language {language!r}[/]; known: {', '.join(languages())}")
        raise typer.Exit(2)
    kb = load_kb()
    try:
        found = compose(engine, since=first, until=last, watch=followed, language=language, kb=kb)
    except WatchError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    base = base_url or table.get("base_url")
    if send:
        _send(found, kb, base, to or (followed.recipients if followed else []), settings)
    text = render(found, fmt, kb, base_url=base)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")
    elif not send:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _send(found: Any, kb: Any, base: str | None, recipients: list[str], settings: dict[str, Any]) -> None:
    from storyline.config import ConfigError
    from storyline.digest.mail import MailError, build_message, mail_config, send
    from storyline.digest.render import render

    if not recipients:
        err.print("[red]nobody to send it to:[/] give --to or a watch list with recipients")
        raise typer.Exit(2)
    try:
        config = mail_config(settings)
        if not config.sender:
            raise MailError("no sender: set sender in the [mail] table of the configuration")
        message = build_message(
            found,
            render(found, "html", kb, base_url=base),
            render(found, "text", kb, base_url=base),
            config.sender,
            recipients,
        )
        send(message, config)
    except (MailError, ConfigError) as exc:
        err.print(f"[red]the digest was not sent:[/] {exc}")
        raise typer.Exit(1) from exc
    err.print(f"sent the digest to {', '.join(recipients)}")


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
    app.command("digest")(digest)

"""``storyline rates``: exchange rates behind the conversions (a thin layer over ``storyline.rates`` and
``storyline.ingest.rates``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

rates_app = typer.Typer(help="Exchange rates behind every conversion.", no_args_is_help=True)

DB_HELP = "The rate store (SQLite). Default: $STORYLINE_DB, else ~/.local/share/storyline/rates.sqlite3."


def _date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from None


@rates_app.command("show")
def show(
    unit: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. USD.")],
    target: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. EUR.")] = "EUR",
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
) -> None:
    """The reference rate of a currency on a day (the store's official rates first, then the ECB's)."""
    from storyline.rates import provider_for

    day = _date(on, "--on") or date.today()
    rate = provider_for(db).rate(unit.upper(), target.upper(), day)
    if rate is None:
        typer.echo(f"no known rate for {unit.upper()} -> {target.upper()} on or shortly before {day}")
        raise typer.Exit(1)
    typer.echo(f"1 {unit.upper()} = {rate.rate:.6f} {target.upper()} on {rate.on} ({rate.source})")


@rates_app.command("update")
def update(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", help="A source to fetch (repeatable; default: all): ecb cbr nbk cbu nbkr nbt cbt."
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="YYYY-MM-DD: fetch every day since then (default: the latest rates only)."),
    ] = None,
    until: Annotated[str | None, typer.Option(help="YYYY-MM-DD: last day to fetch (default: today).")] = None,
    base_url: Annotated[
        list[str] | None,
        typer.Option("--base-url", help="NAME=URL: fetch a source from another base URL (a mirror, a test)."),
    ] = None,
) -> None:
    """Fetch the official rates of the ECB and the national banks (Russia, Kazakhstan, Uzbekistan,
    Kyrgyzstan, Tajikistan, Turkmenistan) into the rate store. A source that fails is reported; the others
    go on. Exit code 0 when at least one source gave rates, 1 when none did."""
    from storyline.ingest.rates import SOURCES
    from storyline.ingest.rates import update as run
    from storyline.rates import store_path

    names = [s.lower() for s in source or []]
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise typer.BadParameter(
            f"unknown source(s) {', '.join(unknown)}; known: {' '.join(SOURCES)}", param_hint="--source"
        )
    urls: dict[str, str] = {}
    for item in base_url or []:
        name, sep, url = item.partition("=")
        if not sep or name.lower() not in SOURCES or not url:
            raise typer.BadParameter(f"{item!r} is not NAME=URL with a known source", param_hint="--base-url")
        urls[name.lower()] = url
    first, last = _date(since, "--since"), _date(until, "--until")
    path = store_path(db)
    outcomes = run(
        path,
        names or None,
        first,
        last,
        urls,
        progress=lambda o: typer.echo(o.summary(), err=o.failed),
    )
    ok = [o for o in outcomes if not o.failed and o.rows]
    typer.echo(
        f"{sum(o.rows for o in outcomes)} rate(s) stored in {path}; {len(outcomes) - len(ok)} source(s) failed"
    )
    if not ok:
        raise typer.Exit(1)

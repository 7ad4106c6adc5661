"""``storyline rates``: exchange rates behind the conversions (a thin layer over ``storyline.rates``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

rates_app = typer.Typer(help="Exchange rates behind every conversion.", no_args_is_help=True)


@rates_app.command("show")
def show(
    unit: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. USD.")],
    target: Annotated[str, typer.Argument(help="ISO 4217 code, e.g. EUR.")] = "EUR",
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: the latest known).")] = None,
) -> None:
    """The reference rate of a currency on a day."""
    from storyline.rates import default_provider

    day = date.fromisoformat(on) if on else date.today()
    rate = default_provider().rate(unit.upper(), target.upper(), day)
    if rate is None:
        typer.echo(f"no known rate for {unit.upper()} -> {target.upper()} on or shortly before {day}")
        raise typer.Exit(1)
    typer.echo(f"1 {unit.upper()} = {rate.rate:.6f} {target.upper()} on {rate.on} ({rate.source})")

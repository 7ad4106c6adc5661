"""Time expressions: find them in a text and say which days each one means (TimeML's TIMEX3).

The tagger is rules over words, and every word is data. A language's ``time.json`` holds two things:

* **lexicons**, each mapping a meaning to the words that say it, in every inflection the language uses:
  ``months`` (``"12": ["décembre", ...]``), ``month_abbreviations``, ``weekdays`` (ISO numbers, 1 = Monday),
  ``numbers``, ``units`` (year, month, week, day, decade, century, quarter, hour, minute), ``periods``
  (the period nouns a modifier can apply to: "l'année", "the year", "года"), ``parts`` (START, MID, END,
  DURING, H1, H2, Q1..Q4), ``seasons`` (SP, SU, FA, WI), ``relative`` (a list of ``{"unit", "offset",
  "from", "words"}``; ``from`` is ``"anchor"`` for words counted from the publication date and ``"text"``
  for words counted from the nearest date the text stated before them), ``directions`` (-1, 0, 1: "last",
  "this", "next"), ``references`` (PRESENT_REF, PAST_REF, FUTURE_REF), ``approximations``, ``modifiers``
  (words before a date that make it AFTER, BEFORE or APPROX), ``sets``, ``every``, ``meridiems``, ``clock``,
  ``blocked`` (phrases that look like time expressions and are not), plus free word classes in ``words``.
  ``context_months`` lists month forms that are other words too ("mars", "May") and so count as months only
  next to a day, a year or a preposition; ``case_sensitive`` lists forms matched with their case.
* **patterns**, the word orders of the language: regular expressions with placeholders. ``{month}``,
  ``{day}``, ``{year}``, ``{part}`` ... capture a lexicon (a digit suffix, ``{day2}``, captures a second one),
  ``{name}`` for a class of ``words`` matches one of its words, a trailing underscore (``{part_}``) adds the
  space that follows the word (none after an apostrophe or a hyphen: "l'été", "mi-décembre"). In a pattern a
  space means some whitespace, ``~`` means optional whitespace and ``@`` marks where the expression's text
  starts (the words before it must be there but are not part of it: "en" in "en mars"). A pattern may be an
  object: ``{"re": ..., "not_before": class, "not_after": class, "isolated": true}`` to refuse a match
  followed by a word of a class (units after a bare year), preceded by one ("plus de 2000"), or touching
  another group of digits.

What a match means is read from the groups it captured, the same way for every language: a day and a month
make a date, a number and a unit a duration, a part and a year a part of a year, and so on.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from storyline.languages import Language
from storyline.records import Time, TimeInterval, TimeType

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
APOSTROPHES = "'\u2019\u02bc"
# After a word: whitespace, or nothing when the word ends in an apostrophe or a hyphen ("l'été", "mi-mai").
SEPARATOR = rf"(?:(?<=[{DASHES}{APOSTROPHES}])\s*|\s+)"
NOT_LETTER = r"(?![^\W\d_])"

# Slots whose text is not looked up in a lexicon.
DIGIT_SLOTS = {
    "day": None,  # built with the language's ordinal suffixes
    "mnum": r"(?<!\d)(?:1[0-2]|0?[1-9])(?!\d)",
    "year": r"(?<!\d)(?:19|20)\d\d(?!\d)",
    "decade": r"(?<!\d)(?:(?:19|20)\d0|\d0)(?!\d)",
    "hour": r"(?<!\d)(?:[01]?\d|2[0-3])(?!\d)",
    "minute": r"[0-5]\d(?!\d)",
}
# Slots read from a lexicon of the language: slot name -> key of time.json.
LEXICON_SLOTS = {
    "weekday": "weekdays",
    "unit": "units",
    "period": "periods",
    "part": "parts",
    "season": "seasons",
    "dir": "directions",
    "this": "this",
    "ref": "references",
    "approx": "approximations",
    "set": "sets",
    "ampm": "meridiems",
    "clock": "clock",
}
MONTH_SLOTS = ("month", "monthname", "monthsafe")
DATE_FIELDS = {"day", "mnum", "year", "decade", "month", "weekday", "period", "part", "season", "rel"}

UNIT_CODES = {  # unit -> (TIMEX3 letter, how many of it, time part)
    "year": ("Y", 1, False),
    "decade": ("Y", 10, False),
    "century": ("Y", 100, False),
    "quarter": ("M", 3, False),
    "month": ("M", 1, False),
    "week": ("W", 1, False),
    "day": ("D", 1, False),
    "hour": ("H", 1, True),
    "minute": ("M", 1, True),
}
THIRDS = {"START": 0, "MID": 1, "END": 2}
SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}  # a winter belongs to the year of its February
STRONG_MODIFIERS = {"AFTER", "BEFORE"}


# ---------------------------------------------------------------------------------------------- words


def _strip_latin_marks(text: str) -> str:
    """Drop accents on Latin letters only ("décembre" -> "decembre"); "й" and "ё" stay letters of their own."""
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_DASH_RE = re.compile(f"[{DASHES}]")
_SPACE_RE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """The key a form is looked up by: lower case, one apostrophe, one hyphen, one space, no Latin accents."""
    text = _SPACE_RE.sub(" ", _DASH_RE.sub("-", _APOSTROPHE_RE.sub("'", text.lower()))).strip()
    return _strip_latin_marks(text)


def _form_pattern(form: str, case_sensitive: bool = False) -> str:
    parts: list[str] = []
    for char in form:
        if char in APOSTROPHES:
            parts.append(f"[{APOSTROPHES}]")
        elif char in DASHES:
            parts.append(f"[{DASHES}]")
        elif char.isspace():
            parts.append(r"\s+")
        elif (plain := _strip_latin_marks(char)) != char:
            parts.append(f"[{re.escape(char)}{re.escape(plain)}]")
        else:
            parts.append(re.escape(char))
    pattern = "".join(parts)
    if form[-1].isalnum():
        pattern += NOT_LETTER
    return f"(?-i:{pattern})" if case_sensitive else pattern


def _alternation(forms: list[str], case_sensitive: set[str]) -> str:
    unique = sorted({f.strip() for f in forms if f.strip()}, key=lambda f: (-len(f), f))
    if not unique:
        return "(?!)"
    return "|".join(_form_pattern(f, f in case_sensitive) for f in unique)


@dataclass
class _Lexicon:
    pattern: str
    values: dict[str, Any]

    def get(self, text: str) -> Any:
        return self.values.get(_fold(text))


def _lexicon(
    entries: dict[str, list[str]] | list[str], case_sensitive: set[str], convert: Any = str
) -> _Lexicon:
    pairs = [(f, True) for f in entries] if isinstance(entries, list) else []
    if isinstance(entries, dict):
        pairs = [(f, convert(key)) for key, forms in entries.items() for f in forms]
    values = {_fold(f): value for f, value in pairs}
    return _Lexicon(_alternation([f for f, _ in pairs], case_sensitive), values)


# ---------------------------------------------------------------------------------------------- grammar


@dataclass
class _Pattern:
    regex: re.Pattern[str]
    priority: int
    not_after: re.Pattern[str] | None


@dataclass
class _Grammar:
    patterns: list[_Pattern]
    lexicons: dict[str, _Lexicon]
    relative: list[dict[str, Any]]
    number_words: re.Pattern[str] | None
    modifier: re.Pattern[str] | None
    modifier_blockers: re.Pattern[str] | None

    def value(self, slot: str, text: str) -> Any:
        return self.lexicons[slot].get(text)

    def number(self, text: str) -> int | None:
        if text.isdigit():
            return int(text)
        if self.number_words is None:
            return None
        found = [self.lexicons["number"].get(m.group()) for m in self.number_words.finditer(text)]
        return sum(found) if found and all(isinstance(n, int) for n in found) else None


_GRAMMARS: dict[tuple[str, str], _Grammar] = {}


def _grammar(language: Language) -> _Grammar:
    key = (language.code, str(language.folder))
    if key not in _GRAMMARS:
        _GRAMMARS[key] = _compile(language.resource("time"))
    return _GRAMMARS[key]


def _compile(data: dict[str, Any]) -> _Grammar:
    exact = set(data.get("case_sensitive", []))
    lexicons: dict[str, _Lexicon] = {}
    slots: dict[str, str] = {k: v for k, v in DIGIT_SLOTS.items() if v}
    suffixes = _alternation(data.get("day_suffixes", []), exact)
    slots["day"] = rf"(?<!\d)(?:3[01]|[12]\d|0?[1-9])(?:{suffixes})?(?!\d)"
    slots["dash"] = f"[{DASHES}]"

    months: dict[str, list[str]] = data.get("months", {})
    abbreviations: dict[str, list[str]] = data.get("month_abbreviations", {})
    context = {_fold(f) for f in data.get("context_months", [])}
    every_month = {k: months.get(k, []) + abbreviations.get(k, []) for k in set(months) | set(abbreviations)}
    safe = {k: [f for f in forms if _fold(f) not in context] for k, forms in months.items()}
    lexicons["month"] = _lexicon(every_month, exact, int)
    slots["month"] = lexicons["month"].pattern
    slots["monthname"] = _lexicon(months, exact, int).pattern
    slots["monthsafe"] = _lexicon(safe, exact, int).pattern

    for slot, key in LEXICON_SLOTS.items():
        if slot == "this":
            continue
        convert = int if slot in ("weekday", "dir") else str
        lexicons[slot] = _lexicon(data.get(key, {}), exact, convert)
        slots[slot] = lexicons[slot].pattern
    for slot in ("every", "blocked", "this"):
        lexicons[slot] = _lexicon(data.get(slot, []), exact)
        slots[slot] = lexicons[slot].pattern

    relative: list[dict[str, Any]] = data.get("relative", [])
    rel_forms = {str(i): entry["words"] for i, entry in enumerate(relative)}
    lexicons["rel"] = _lexicon(rel_forms, exact, int)
    slots["rel"] = lexicons["rel"].pattern

    numbers: dict[str, list[str]] = data.get("numbers", {})
    number_words: re.Pattern[str] | None = None
    digits = r"(?<![\d.,])\d{1,3}(?!\d|[.,]\d)"
    if numbers:
        lexicons["number"] = _lexicon(numbers, exact, int)
        small = _alternation([f for k, fs in numbers.items() if int(k) < 20 for f in fs], exact)
        tens = _alternation([f for k, fs in numbers.items() if 20 <= int(k) < 100 for f in fs], exact)
        joiners = _alternation(data.get("number_joiners", []), exact)
        indefinite = _alternation(data.get("indefinite", []), exact)
        compound = f"(?:{tens})(?:{joiners})(?:{small})"
        slots["number"] = f"{digits}|{compound}|{lexicons['number'].pattern}|{indefinite}"
        number_words = re.compile(lexicons["number"].pattern, re.IGNORECASE)
        for form in data.get("indefinite", []):
            lexicons["number"].values[_fold(form)] = 1
    else:
        slots["number"] = digits

    words = {name: _alternation(forms, exact) for name, forms in data.get("words", {}).items()}

    def expand(template: str) -> str:
        template = template.replace(" ", r"\s+").replace("~", r"\s*").replace("@", "(?P<at>)")

        def placeholder(match: re.Match[str]) -> str:
            name, number, separator = match.groups()
            if name in slots:
                group = ("month" if name in MONTH_SLOTS else name) + number
                text = f"(?P<{group}>{slots[name]})"
            elif name in words:
                text = f"(?:{words[name]})"
            else:
                raise ValueError(f"time.json: unknown placeholder {{{name}}} in {template!r}")
            return text + (SEPARATOR if separator else "")

        return re.sub(r"\{([a-z]+?)(\d*)(_?)\}", placeholder, template)

    patterns: list[_Pattern] = []
    specs: list[Any] = ([{"re": "{blocked}"}] if data.get("blocked") else []) + data.get("patterns", [])
    for priority, spec in enumerate(specs):
        spec = spec if isinstance(spec, dict) else {"re": spec}
        regex = r"(?<!\w)" + expand(spec["re"])
        if spec.get("isolated"):
            regex = rf"(?<!\d[\s,.]){regex}(?![,.]\d)(?!\s\d{{3}}(?!\d))"
        if "not_before" in spec:
            regex += rf"(?!\s*(?:{words[spec['not_before']]}))"
        not_after = None
        if "not_after" in spec:
            not_after = re.compile(rf"(?<!\w)(?:{words[spec['not_after']]})\s*$", re.IGNORECASE)
        patterns.append(_Pattern(re.compile(regex, re.IGNORECASE), priority, not_after))

    modifier = None
    modifiers: dict[str, list[str]] = data.get("modifiers", {})
    if modifiers:
        lexicons["mod"] = _lexicon(modifiers, exact)
        articles = words.get("articles", "(?!)")
        modifier = re.compile(
            rf"(?<!\w)(?P<mod>{lexicons['mod'].pattern}){SEPARATOR}(?:(?:{articles}){SEPARATOR})?$",
            re.IGNORECASE,
        )
    blockers = None
    if data.get("modifier_blockers"):
        blockers = re.compile(rf"(?:{_alternation(data['modifier_blockers'], exact)})$", re.IGNORECASE)
    return _Grammar(patterns, lexicons, relative, number_words, modifier, blockers)


# ---------------------------------------------------------------------------------------------- matching


@dataclass
class _Candidate:
    start: int
    end: int
    priority: int
    kind: str
    fields: dict[str, str]
    modifier: str | None = None


def _kind(fields: dict[str, str]) -> str:
    if "blocked" in fields:
        return "BLOCKED"
    if "set" in fields or "every" in fields:
        return "SET"
    if "hour" in fields or "clock" in fields:
        return "TIME"
    if "ref" in fields:
        return "REF"
    if "unit" in fields:
        return "DURATION"
    return "DATE"


def _candidates(text: str, grammar: _Grammar) -> list[_Candidate]:
    found: list[_Candidate] = []
    for pattern in grammar.patterns:
        for match in pattern.regex.finditer(text):
            fields = {k: v for k, v in match.groupdict().items() if v is not None}
            start = match.start("at") if "at" in fields else match.start()
            fields.pop("at", None)
            if pattern.not_after and pattern.not_after.search(text, max(0, start - 30), start):
                continue
            candidate = _Candidate(start, match.end(), pattern.priority, _kind(fields), fields)
            if candidate.kind == "DATE":
                _extend_with_modifier(text, grammar, candidate)
            found.append(candidate)
    return found


def _extend_with_modifier(text: str, grammar: _Grammar, candidate: _Candidate) -> None:
    """Take in "depuis", "since", "с", "before" ... said just before a date, as its TIMEX3 modifier."""
    if grammar.modifier is None:
        return
    if grammar.modifier_blockers and grammar.modifier_blockers.search(text, candidate.start, candidate.end):
        return
    match = grammar.modifier.search(text, max(0, candidate.start - 40), candidate.start)
    if match:
        candidate.start = match.start()
        candidate.modifier = grammar.value("mod", match.group("mod"))


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Longest first, then earliest, then the pattern listed first; never two that overlap."""
    candidates.sort(key=lambda c: (-(c.end - c.start), c.start, c.kind != "BLOCKED", c.priority))
    taken: list[tuple[int, int]] = []
    chosen: list[_Candidate] = []
    for c in candidates:
        i = bisect_left(taken, (c.start, c.end))
        if i > 0 and taken[i - 1][1] > c.start:
            continue
        if i < len(taken) and taken[i][0] < c.end:
            continue
        insort(taken, (c.start, c.end))
        chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return chosen


# ---------------------------------------------------------------------------------------------- calendar


@dataclass(frozen=True)
class _Period:
    value: str
    start: date
    end: date
    granularity: str
    modifier: str | None = None


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _year(y: int) -> _Period:
    return _Period(f"{y:04d}", date(y, 1, 1), date(y, 12, 31), "year")


def _month(y: int, m: int) -> _Period:
    return _Period(f"{y:04d}-{m:02d}", date(y, m, 1), date(y, m, _last_day(y, m)), "month")


def _day(d: date) -> _Period:
    return _Period(d.isoformat(), d, d, "day")


def _week(d: date) -> _Period:
    monday = d - timedelta(days=d.weekday())
    iso = monday.isocalendar()
    return _Period(f"{iso.year:04d}-W{iso.week:02d}", monday, monday + timedelta(days=6), "week")


def _quarter(y: int, q: int) -> _Period:
    return _Period(f"{y:04d}-Q{q}", date(y, 3 * q - 2, 1), date(y, 3 * q, _last_day(y, 3 * q)), "quarter")


def _season(y: int, code: str) -> _Period:
    first = SEASON_START[code]
    start = date(y - 1 if code == "WI" else y, first, 1)
    last_month = (first + 1) % 12 + 1
    return _Period(f"{y:04d}-{code}", start, date(y, last_month, _last_day(y, last_month)), "season")


def _decade(first_three: int) -> _Period:
    y = first_three * 10
    return _Period(f"{first_three:03d}", date(y, 1, 1), date(y + 9, 12, 31), "decade")


def _leading_number(text: str) -> int:
    """The day in "1er", "19th", "19-го"."""
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else 0


def _shift_month(y: int, m: int, offset: int) -> tuple[int, int]:
    index = y * 12 + m - 1 + offset
    return index // 12, index % 12 + 1


def _part_of(period: _Period, part: str) -> _Period | None:
    """The START, MID or END third, a half, a quarter, or all (DURING) of a year, month or decade."""
    if part == "DURING":
        return period
    y, gran = period.start.year, period.granularity
    if gran == "year":
        if part in THIRDS:
            first = 4 * THIRDS[part] + 1
            end = date(y, first + 3, _last_day(y, first + 3))
            return _Period(period.value, date(y, first, 1), end, "year", part)
        if part in ("H1", "H2"):
            first = 1 if part == "H1" else 7
            end = date(y, first + 5, _last_day(y, first + 5))
            return _Period(f"{y:04d}-{part}", date(y, first, 1), end, "range")
        if part in ("Q1", "Q2", "Q3", "Q4"):
            return _quarter(y, int(part[1]))
        return None
    if gran == "month":
        m, last = period.start.month, period.end.day
        bounds = {"START": (1, 10), "MID": (11, 20), "END": (21, last), "H1": (1, 15), "H2": (16, last)}
        if part not in bounds:
            return None
        first, final = bounds[part]
        modifier = {"H1": "START", "H2": "END"}.get(part, part)
        return _Period(period.value, date(y, m, first), date(y, m, final), "month", modifier)
    if gran == "decade" and part in THIRDS:
        first, final = {"START": (0, 3), "MID": (3, 6), "END": (7, 9)}[part]
        end = date(y + final, 12, 31)
        return _Period(period.value, date(y + first, 1, 1), end, "decade", part)
    if part in THIRDS:
        return _Period(period.value, period.start, period.end, gran, part)
    return None


# ---------------------------------------------------------------------------------------------- resolving


@dataclass(frozen=True)
class _Ref:
    """A date the text stated, for the words that count from it ("l'année précédente")."""

    sentence: int
    year: int
    month: int | None
    day: int | None


_SENTENCE_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+|\n\s*")


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    for match in _SENTENCE_END.finditer(text):
        after = match.end()
        if after >= len(text):
            break
        following = text[after : after + 3].lstrip("«\"“'(")
        if "\n" in match.group() or (following[:1].isupper()):
            starts.append(after)
    return starts


Resolved = _Period | str


@dataclass
class _Resolver:
    text: str
    grammar: _Grammar
    anchor: date | None
    starts: list[int] = field(default_factory=list)
    refs: list[_Ref] = field(default_factory=list)
    days: list[tuple[int, int, date]] = field(default_factory=list)  # (sentence, offset, day) for clock times

    def __post_init__(self) -> None:
        self.starts = _sentence_starts(self.text)

    def sentence(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def resolve(self, candidates: list[_Candidate]) -> list[Time]:
        times: list[Time] = []
        clocks = [c for c in candidates if c.kind == "TIME"]
        for c in candidates:
            if c.kind in ("BLOCKED", "TIME"):
                continue
            time = self._resolve(c)
            if time is not None:
                times.append(time)
        for c in clocks:
            time = self._clock(c)
            if time is not None:
                times.append(time)
        times.sort(key=lambda t: t.start)
        return times

    # -- one candidate

    def _make(self, c: _Candidate, kind: TimeType, result: Resolved) -> Time:
        text = self.text[c.start : c.end]
        if isinstance(result, str):
            return Time(start=c.start, end=c.end, text=text, type=kind, value=result)
        modifier = result.modifier
        if c.modifier and (c.modifier in STRONG_MODIFIERS or modifier is None):
            modifier = c.modifier
        interval = TimeInterval(
            start=result.start, end=result.end, granularity=result.granularity, modifier=modifier
        )
        return Time(start=c.start, end=c.end, text=text, type=kind, value=result.value, interval=interval)

    def _resolve(self, c: _Candidate) -> Time | None:
        f, g = c.fields, self.grammar
        if c.kind == "SET":
            if "set" in f:
                return self._make(c, "SET", g.value("set", f["set"]))
            if "weekday" in f:
                return self._make(c, "SET", f"XXXX-WXX-{g.value('weekday', f['weekday'])}")
            return self._make(c, "SET", self._duration(f) or "P1Y") if "unit" in f else None
        if c.kind == "REF":
            return self._make(c, "DATE", g.value("ref", f["ref"]))
        if c.kind == "DURATION":
            value = self._duration(f)
            return self._make(c, "DURATION", value) if value else None
        result = self._date(c)
        if result is None:
            return None
        if isinstance(result, _Period) and result.granularity == "day":
            self.days.append((self.sentence(c.start), c.start, result.start))
        return self._make(c, "DATE", result)

    def _duration(self, f: dict[str, str]) -> str | None:
        unit = self.grammar.value("unit", f["unit"])
        count = self.grammar.number(f["number"]) if "number" in f else 1
        if unit not in UNIT_CODES or count is None:
            return None
        letter, size, clock = UNIT_CODES[unit]
        return f"P{'T' if clock else ''}{count * size}{letter}"

    def _clock(self, c: _Candidate) -> Time | None:
        f, g = c.fields, self.grammar
        if "clock" in f:
            hour, minute = (int(x) for x in g.value("clock", f["clock"]).split(":"))
        else:
            hour, minute = int(f["hour"]), int(f.get("minute") or 0)
            meridiem = g.value("ampm", f["ampm"]) if "ampm" in f else None
            if meridiem and hour > 12:
                return None
            if meridiem == "pm" and hour < 12:
                hour += 12
            elif meridiem == "am" and hour == 12:
                hour = 0
        day = "XXXX-XX-XX"
        here = self.sentence(c.start)
        same = [
            (abs(offset - c.start) + (0 if offset < c.start else 10_000), d)
            for s, offset, d in self.days
            if s == here
        ]
        if same:
            day = min(same)[1].isoformat()
        return self._make(c, "TIME", f"{day}T{hour:02d}:{minute:02d}")

    # -- dates

    def _direction(self, f: dict[str, str]) -> int | None:
        """-1 for "last June", 1 for "next June", 0 for "this June", None when the words say nothing."""
        if "dir" in f:
            return int(self.grammar.value("dir", f["dir"]))
        return 0 if "this" in f else None

    def _date(self, c: _Candidate) -> Resolved | None:
        f, g = c.fields, self.grammar
        part = g.value("part", f["part"]) if "part" in f else None
        result: Resolved | None
        if "decade" in f:
            digits = f["decade"]
            result = _decade(int(digits[:3]) if len(digits) == 4 else 190 + int(digits[0]))
        elif "rel" in f or "period" in f:
            result = self._relative_date(c)
        elif "weekday" in f and "day" not in f:
            result = self._weekday(g.value("weekday", f["weekday"]), self._direction(f))
        elif "month" in f or "mnum" in f:
            result = self._calendar(c)
        elif "season" in f:
            result = self._season(c)
        elif "year" in f:
            first = int(f["year"])
            if "year2" in f:
                last = int(f["year2"])
                result = (
                    _Period(f"{first:04d}", date(first, 1, 1), date(last, 12, 31), "range")
                    if last > first
                    else None
                )
            else:
                result = _year(first)
            if result is not None:
                self.refs.append(_Ref(self.sentence(c.start), int(f.get("year2", first)), None, None))
        else:
            result = None
        if part is not None and result is not None:
            if isinstance(result, str):
                return result if part in THIRDS or part == "DURING" else None
            return _part_of(result, part)
        return result

    def _relative_date(self, c: _Candidate) -> Resolved | None:
        f, g = c.fields, self.grammar
        if "rel" in f:
            entry = g.relative[g.value("rel", f["rel"])]
        else:
            entry = {"unit": g.value("period", f["period"]), "offset": 0, "from": "text"}
        unit, offset = entry["unit"], int(entry.get("offset", 0))
        base = self._base(c.start, unit, entry.get("from", "anchor"))
        inner = "month" in f or "season" in f
        if inner and unit != "year":
            return None
        if base is None:
            if inner:
                return self._unknown_year(c)
            return "PRESENT_REF" if offset == 0 else "PAST_REF" if offset < 0 else "FUTURE_REF"
        if unit == "year":
            y = base.year + offset
            if "season" in f:
                return _season(y, g.value("season", f["season"]))
            if "month" in f:
                return self._in_year(c, y)
            return _year(y)
        if unit == "quarter":
            y, m = _shift_month(base.year, base.month, 3 * offset)
            return _quarter(y, (m - 1) // 3 + 1)
        if unit == "month":
            return _month(*_shift_month(base.year, base.month, offset))
        if unit == "week":
            return _week(base + timedelta(days=7 * offset))
        if unit == "day":
            return _day(base + timedelta(days=offset))
        return None

    def _base(self, offset: int, unit: str, origin: str) -> date | None:
        """The day relative words count from: the date the text stated just before them, or the anchor."""
        if origin == "text":
            need_month = unit in ("month", "quarter")
            ref = self._nearest_ref(
                offset, month=need_month or unit in ("week", "day"), day=unit in ("week", "day")
            )
            if ref is not None:
                return date(ref.year, ref.month or 1, ref.day or 1)
        return self.anchor

    def _nearest_ref(
        self, offset: int, month: bool = False, day: bool = False, window: bool = True
    ) -> _Ref | None:
        here = self.sentence(offset)
        for ref in reversed(self.refs):
            if window and ref.sentence < here - 1:
                return None
            if (month and ref.month is None) or (day and ref.day is None):
                continue
            return ref
        return None

    def _implicit_year(self, offset: int) -> int | None:
        ref = self._nearest_ref(offset)
        if ref is not None:
            return ref.year
        if self.anchor is not None:
            return self.anchor.year
        ref = self._nearest_ref(offset, window=False)
        return ref.year if ref else None

    def _unknown_year(self, c: _Candidate) -> str:
        f, g = c.fields, self.grammar
        if "season" in f:
            return f"XXXX-{g.value('season', f['season'])}"
        month = g.value("month", f["month"]) if "month" in f else int(f["mnum"])
        if "day" in f:
            return f"XXXX-{month:02d}-{_leading_number(f['day']):02d}"
        return f"XXXX-{month:02d}"

    def _in_year(self, c: _Candidate, y: int) -> _Period | None:
        """A month, or a day of a month, in a year already known."""
        f, g = c.fields, self.grammar
        m = g.value("month", f["month"]) if "month" in f else int(f["mnum"])
        if "day" not in f:
            return _month(y, m)
        d = _leading_number(f["day"])
        return _day(date(y, m, d)) if d <= _last_day(y, m) else None

    def _calendar(self, c: _Candidate) -> Resolved | None:
        f, g = c.fields, self.grammar
        m = g.value("month", f["month"]) if "month" in f else int(f["mnum"])
        day = _leading_number(f["day"]) if "day" in f else None
        if day is not None and day > _last_day(2000, m):
            return None
        y: int | None
        if "year" in f:
            y = int(f["year"])
        elif (direction := self._direction(f)) is not None:
            y = self._directed_year(m, day, direction)
        else:
            y = self._implicit_year(c.start)
        if y is None:
            return self._unknown_year(c)
        result: _Period | None
        if "day2" in f:
            result = self._day_range(c, y, m, day or 1)
        elif "month2" in f:
            last_month = g.value("month", f["month2"])
            first_year = y if m <= last_month else y - 1
            end = date(y, last_month, _last_day(y, last_month))
            result = _Period(f"{first_year:04d}-{m:02d}", date(first_year, m, 1), end, "range")
        else:
            result = self._in_year(c, y)
        if result is not None:
            self.refs.append(
                _Ref(self.sentence(c.start), result.end.year, result.end.month, day and result.end.day)
            )
        return result

    def _day_range(self, c: _Candidate, y: int, m: int, first_day: int) -> _Period | None:
        f, g = c.fields, self.grammar
        last_month = g.value("month", f["month2"]) if "month2" in f else m
        last_day = _leading_number(f["day2"])
        first_year = y if m <= last_month else y - 1
        if first_day > _last_day(first_year, m) or last_day > _last_day(y, last_month):
            return None
        start, end = date(first_year, m, first_day), date(y, last_month, last_day)
        return _Period(start.isoformat(), start, end, "range") if end > start else None

    def _directed_year(self, m: int, day: int | None, direction: int) -> int | None:
        """The year of "juin dernier", "last June", "le 19 décembre prochain"."""
        a = self.anchor
        if a is None:
            return None
        if direction == 0:
            return a.year
        here, there = (a.month, a.day if day else 0), (m, day or 0)
        if direction < 0:
            return a.year if there < here else a.year - 1
        return a.year if there > here else a.year + 1

    def _weekday(self, weekday: int, direction: int | None) -> Resolved:
        a = self.anchor
        if a is None:
            return f"XXXX-WXX-{weekday}"
        today = a.isoweekday()
        if direction is None:
            return _day(a - timedelta(days=(today - weekday) % 7))
        if direction < 0:
            return _day(a - timedelta(days=(today - weekday) % 7 or 7))
        if direction > 0:
            return _day(a + timedelta(days=(weekday - today) % 7 or 7))
        return _day(a + timedelta(days=weekday - today))

    def _season(self, c: _Candidate) -> Resolved | None:
        f, g = c.fields, self.grammar
        code = g.value("season", f["season"])
        if "year" in f:
            y = int(f["year"])
            self.refs.append(_Ref(self.sentence(c.start), y, None, None))
            return _season(y, code)
        direction = self._direction(f)
        a = self.anchor
        if direction is None:
            ref = self._nearest_ref(c.start)
            if ref is not None:
                return _season(ref.year, code)
        if a is None:
            return f"XXXX-{code}"
        around = [_season(y, code) for y in range(a.year - 1, a.year + 3)]
        if direction is not None and direction < 0:
            return [s for s in around if s.end < a][-1]
        if direction is not None and direction > 0:
            return next(s for s in around if s.start > a)
        containing = [s for s in around if s.start <= a <= s.end]
        return containing[0] if containing else _season(a.year, code)


def find_times(text: str, language: Language, anchor: date | None) -> list[Time]:
    """Every time expression in `text`, in text order, non-overlapping (longest match wins).

    `anchor` is the publication date. Relative expressions are resolved against it ("hier", "last year"),
    except those that count from a date the text gave ("l'année précédente", "the year before", "годом
    ранее"): they count from the nearest explicit date in the same sentence or the one before, and from the
    anchor when there is none. Without an anchor, what needs one gets a TIMEX3 value with X placeholders
    ("XXXX-12") or PAST_REF / PRESENT_REF / FUTURE_REF, and no interval.
    """
    grammar = _grammar(language)
    if not grammar.patterns or not text:
        return []
    return _Resolver(text, grammar, anchor).resolve(_select(_candidates(text, grammar)))

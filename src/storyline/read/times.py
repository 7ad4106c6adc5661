"""Time expressions: find them in a text and say which days each one means (TimeML's TIMEX3).

The tagger is rules over words, and every word is data. A language's ``time.json`` holds two things:

* **lexicons**, each mapping a meaning to the words that say it, in every inflection the language uses:
  ``months`` (``"12": ["décembre", ...]``), ``month_abbreviations``, ``weekdays`` (ISO numbers, 1 = Monday),
  ``day_suffixes`` ("1er", "19th"), ``numbers`` with ``number_joiners`` ("vingt et un") and ``indefinite``
  ("a year"), ``units`` (year, month, week, day, decade, century, quarter, hour, minute), ``periods`` (the
  period nouns a part can apply to: "l'année", "the year", "года"), ``parts`` (START, MID, END, DURING, H1,
  H2, Q1..Q4), ``seasons`` (SP, SU, FA, WI), ``relative`` (a list of ``{"unit", "offset", "from", "words"}``;
  ``from`` is ``"anchor"`` for words that count from the publication date, ``"text"`` for words that count
  from the last date the text stated), ``directions`` (-1 and 1: "last", "next") and ``this``,
  ``references`` (PRESENT_REF, PAST_REF, FUTURE_REF), ``approximations``, ``modifiers`` (words before a
  date that make it AFTER, BEFORE or APPROX) and ``modifier_blockers`` (endings that cancel them), ``sets``
  and ``every``, ``meridiems``, ``clock``, ``blocked`` (phrases that look like time expressions and are not),
  ``dayparts`` (MO, AF, EV, NI: "soir", "morning", "вечером"), ``weekday_plurals`` ("jeudis": a SET),
  ``vague_quantities`` ("quelques", "several": PXD), ``fractions`` ("demi-": 0.5), ``named_durations``
  ("quinquennat": P5Y), ``tense`` (regular expressions for the verb forms that tell the ``past`` and the
  ``future``: the one nearest to a weekday or a day without a year decides which one it is), and free
  classes of ``words`` for the patterns. ``context_months`` are month forms that are other words
  too ("mars", "May"): they count as months only next to a day, a year or a word before them that a pattern
  asks for. ``case_sensitive`` forms are matched with their case.
* **patterns**, the word orders of the language: regular expressions with placeholders. ``{month}``,
  ``{day}``, ``{year}``, ``{part}`` ... capture a lexicon (``{monthname}``: no abbreviation, ``{monthsafe}``:
  no context month; a digit suffix, ``{day2}``, captures a second one), ``{name}`` matches a word of the
  class ``words[name]``, and a trailing underscore (``{part_}``) adds the space after the word (none after an
  apostrophe or a hyphen: "l'été", "mi-décembre"). A space means some whitespace, ``~`` optional whitespace,
  and ``@`` where the expression's text starts (the words before it must be there but are not part of it:
  "en" in "en mars"). A pattern may be an object ``{"re": ..., "not_before": class, "not_after": class,
  "isolated": true}`` that refuses a match followed by a word of a class (units after a bare year), preceded
  by one ("plus de 2000"), or touching another group of digits ("1 2025 000"); with ``"blocks": true`` what
  it matches is not a time expression and hides the ones inside it (ages: "Jean Burget, 87 ans,").
  ``{yy}`` is a two-digit year ("octobre 98"), ``{roman}`` a century's number ("XIXe"). A group named
  ``ago`` (counted back from the anchor), ``earlier`` or ``later`` (from the date the text stated) makes
  "three years ago", "deux ans plus tard", "через две недели" a date rather than a duration.

What a match means is read from the groups it captured, the same way for every language: a day and a month
make a date, a number and a unit a duration, a part and a year a part of a year, and so on. Candidates may
overlap; the longest wins, then the earliest, then the pattern listed first.

Speed: a pattern only runs near a digit or a word of one of the lexicons it uses, so a 10,000-character
article costs a few milliseconds, not one full scan per pattern.
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

# Slots made of digits.
DIGIT_SLOTS = {
    "mnum": r"(?<!\d)(?:1[0-2]|0?[1-9])(?!\d)",
    "year": r"(?<!\d)(?:19|20)\d\d(?!\d)",
    "decade": r"(?<!\d)(?:(?:19|20)\d0|\d0)(?!\d)",
    "hour": r"(?<!\d)(?:[01]?\d|2[0-3])(?!\d)",
    "minute": r"[0-5]\d(?!\d)",
    "yy": r"(?<![\d.,])['\u2019]?\d\d(?![\d.,]\d|\d)",  # "octobre 98", "en '97"
    "roman": r"(?<!\w)(?-i:[IVX]{1,5}|\d{1,2})",  # the number of a century: "XIXe", "20e"
}
DIGITS = {"day", "number", *DIGIT_SLOTS}
NUMBER_DIGITS = r"(?<![\d.,])\d{1,3}(?!\d|[.,]\d)"  # not a piece of "326,8" or "1 000"
# Slots read from a lexicon: slot -> key of time.json; a dict of meaning -> words, or a plain list of words.
LEXICON_SLOTS = {
    "weekday": "weekdays",
    "weekdays": "weekday_plurals",
    "unit": "units",
    "period": "periods",
    "part": "parts",
    "season": "seasons",
    "dir": "directions",
    "this": "this",
    "ref": "references",
    "approx": "approximations",
    "set": "sets",
    "every": "every",
    "ampm": "meridiems",
    "clock": "clock",
    "blocked": "blocked",
    "mod": "modifiers",
    "daypart": "dayparts",
    "fuzzy": "vague_quantities",
    "fraction": "fractions",
    "span": "named_durations",
}
INTEGER_SLOTS = {"weekday", "weekdays", "dir", "month", "rel", "number"}
MONTH_SLOTS = ("month", "monthname", "monthsafe")  # all forms; no abbreviations; no context_months
# Every expression holds a digit or a word of one of these lexicons; a pattern only runs near one of its own.
TRIGGERS = (
    "month",
    "weekday",
    "unit",
    "period",
    "part",
    "season",
    "rel",
    "ref",
    "set",
    "clock",
    "blocked",
    "daypart",
    "span",
    "weekdays",
)
# What the words next to a trigger may add, in characters.
REACH_BEFORE, REACH_AFTER = 45, 35

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
# A fraction of a unit that is not a whole number of it, said in a smaller unit ("un demi-siècle" is P50Y
# already; "half a year" is P6M, "half an hour" PT30M).
SMALLER_UNIT = {
    "year": ("month", 12),
    "month": ("day", 30),
    "week": ("day", 7),
    "day": ("hour", 24),
    "hour": ("minute", 60),
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


_WORD = re.compile(r"\w+")
_APOSTROPHE_RE = re.compile(f"[{APOSTROPHES}]")
_DASH_RE = re.compile(f"[{DASHES}]")
_SPACE_RE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """The key a form is looked up by: lower case, one apostrophe, one hyphen, one space, no Latin accents."""
    text = _SPACE_RE.sub(" ", _DASH_RE.sub("-", _APOSTROPHE_RE.sub("'", text.lower()))).strip()
    return _strip_latin_marks(text)


def _form_tokens(form: str) -> list[str]:
    """A form as regular-expression pieces: any apostrophe, any dash, any run of spaces, and accents optional
    in words of four letters or more ("decembre", "aout"), not in short ones ("à" is not "a", "été" not "ete")."""
    long_word = [False] * len(form)
    for word in re.finditer(r"[^\W\d_]{4,}", form):
        long_word[word.start() : word.end()] = [True] * len(word.group())
    tokens: list[str] = []
    for i, char in enumerate(form):
        if char in APOSTROPHES:
            tokens.append(f"[{APOSTROPHES}]")
        elif char in DASHES:
            tokens.append(f"[{DASHES}]")
        elif char.isspace():
            tokens.append(r"\s+")
        elif long_word[i] and (plain := _strip_latin_marks(char)) != char:
            tokens.append(f"[{re.escape(char)}{re.escape(plain)}]")
        else:
            tokens.append(re.escape(char))
    return tokens


def _trie(forms: list[str]) -> str:
    """One regular expression for many words, shared prefixes written once: the engine rejects a position
    after a character or two instead of trying every word (long alternations are what make tagging slow)."""
    root: dict[str, Any] = {}
    for form in forms:
        node = root
        for token in _form_tokens(form):
            node = node.setdefault(token, {})
        node[""] = NOT_LETTER if form[-1].isalnum() else ""

    def render(node: dict[str, Any]) -> str:
        branches = [token + render(child) for token, child in node.items() if token]
        if "" in node:
            branches.append(node[""])  # after the longer words, so the longest word is tried first
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return render(root)


def _alternation(forms: list[str], case_sensitive: set[str]) -> str:
    unique = {f for f in forms if f}  # spaces are kept: a joiner may be " et " or " "
    exact = sorted(f for f in unique if f in case_sensitive)
    folded = sorted({f.lower() for f in unique if f not in case_sensitive})
    branches = [f"(?-i:{_trie([f])})" for f in exact] + ([_trie(folded)] if folded else [])
    return "|".join(branches) if branches else "(?!)"


@dataclass
class _Lexicon:
    """Words and what each means: a regular expression to find them, a table to read them."""

    forms: list[str]
    pattern: str
    values: dict[str, Any]

    def get(self, text: str) -> Any:
        return self.values.get(_fold(text))


def _lexicon(entries: dict[str, list[str]] | list[str], case_sensitive: set[str], integer: bool) -> _Lexicon:
    if isinstance(entries, list):
        pairs: list[tuple[str, Any]] = [(f, True) for f in entries]
    else:
        pairs = [(f, int(key) if integer else key) for key, forms in entries.items() for f in forms]
    forms = [f for f, _ in pairs]
    return _Lexicon(forms, _alternation(forms, case_sensitive), {_fold(f): value for f, value in pairs})


# ---------------------------------------------------------------------------------------------- grammar


@dataclass
class _Pattern:
    regex: re.Pattern[str]
    priority: int
    not_after: re.Pattern[str] | None
    # The kinds of word (or "digit") that every match holds one of each, or, when the pattern needs none
    # in particular, the kinds a match holds at least one of.
    triggers: frozenset[str]
    needs_all: bool
    blocks: bool = False  # what it matches is not a time expression ("Jean Burget, 87 ans,": an age)


@dataclass
class _Grammar:
    patterns: list[_Pattern]
    lexicons: dict[str, _Lexicon]
    relative: list[dict[str, Any]]
    keywords: dict[str, set[str]]  # a time word (lower case) -> the lexicons it stands for
    modifier: re.Pattern[str] | None
    modifier_blockers: re.Pattern[str] | None
    tense: list[tuple[re.Pattern[str], int]] = field(default_factory=list)  # verb forms: past -1, future 1

    def value(self, slot: str, text: str) -> Any:
        return self.lexicons[slot].get(text)

    def number(self, text: str) -> int | None:
        """2, "deux", "vingt-cinq", "двадцати пяти"."""
        if text.isdigit():
            return int(text)
        numbers = self.lexicons["number"]
        found = [numbers.get(m.group()) for m in re.finditer(numbers.pattern, text, re.IGNORECASE)]
        return sum(found) if found and None not in found else None


_GRAMMARS: dict[tuple[str, str], _Grammar] = {}


def _grammar(language: Language) -> _Grammar:
    key = (language.code, str(language.folder))
    if key not in _GRAMMARS:
        _GRAMMARS[key] = _compile(language.resource("time"))
    return _GRAMMARS[key]


def _lexicons(data: dict[str, Any], exact: set[str]) -> dict[str, _Lexicon]:
    months: dict[str, list[str]] = data.get("months", {})
    every_form = {k: months.get(k, []) + data.get("month_abbreviations", {}).get(k, []) for k in months}
    context = {_fold(f) for f in data.get("context_months", [])}
    safe = {k: [f for f in forms if _fold(f) not in context] for k, forms in months.items()}
    numbers: dict[str, list[str]] = dict(data.get("numbers", {}))
    numbers["1"] = numbers.get("1", []) + data.get("indefinite", [])  # "a year", "an hour"
    relative = {str(i): entry["words"] for i, entry in enumerate(data.get("relative", []))}
    lexicons = {
        "month": _lexicon(every_form, exact, True),
        "monthname": _lexicon(months, exact, True),
        "monthsafe": _lexicon(safe, exact, True),
        "number": _lexicon(numbers, exact, True),
        "rel": _lexicon(relative, exact, True),
    }
    for slot, key in LEXICON_SLOTS.items():
        lexicons[slot] = _lexicon(data.get(key, {}), exact, slot in INTEGER_SLOTS)
    return lexicons


def _number_pattern(data: dict[str, Any], exact: set[str], numbers: _Lexicon) -> str:
    """Digits, a number word, or tens and units written as two ("vingt-cinq", "twenty five")."""
    words: dict[str, list[str]] = data.get("numbers", {})
    if not words:
        return NUMBER_DIGITS
    small = _alternation([f for k, fs in words.items() if int(k) < 20 for f in fs], exact)
    tens = _alternation([f for k, fs in words.items() if 20 <= int(k) < 100 for f in fs], exact)
    joiners = _alternation(data.get("number_joiners", []), exact)
    return f"{NUMBER_DIGITS}|(?:{tens})(?:{joiners})(?:{small})|{numbers.pattern}"


def _keywords(data: dict[str, Any], lexicons: dict[str, _Lexicon]) -> dict[str, set[str]]:
    """One word of each time phrase stands for it when looking for where time expressions may be.

    The word is a time word of its own if the phrase has one ("an" in "un an plus tôt"), else its longest
    word that is not a function word of the time grammar ("début" in "au début", not "au").
    """
    function: set[str] = set()
    for key in ("words", "approximations", "modifiers", "every", "this"):
        entries = data.get(key, {})
        for forms in entries.values() if isinstance(entries, dict) else [entries]:
            function.update(w for form in forms for w in _WORD.findall(form.lower()))
    vocabulary = {f.lower() for kind in TRIGGERS for f in lexicons[kind].forms if _WORD.fullmatch(f)}
    keywords: dict[str, set[str]] = {}
    for kind in TRIGGERS:
        for form in lexicons[kind].forms:
            words = _WORD.findall(form.lower())
            if not words:
                continue
            own = [w for w in words if w in vocabulary]
            content = [w for w in words if w not in function] or words
            key = own[0] if own else max(reversed(content), key=len)
            for variant in (key, _strip_latin_marks(key)):
                keywords.setdefault(variant, set()).add(kind)
    return keywords


def _expand(template: str, slots: dict[str, str], words: dict[str, str]) -> str:
    """A pattern of time.json as a regular expression (see the module's documentation)."""
    template = template.replace(" ", r"\s+").replace("~", r"\s*").replace("@", "(?P<at>)")

    def placeholder(match: re.Match[str]) -> str:
        name, number, separator = match.groups()
        if name in slots:
            text = f"(?P<{('month' if name in MONTH_SLOTS else name) + number}>{slots[name]})"
        elif name in words:
            text = f"(?:{words[name]})"
        else:
            raise ValueError(f"time.json: unknown placeholder {{{name}}} in {template!r}")
        return text + (SEPARATOR if separator else "")

    return re.sub(r"\{([a-z]+?)(\d*)(_?)\}", placeholder, template)


def _pattern(
    spec: str | dict[str, Any], priority: int, slots: dict[str, str], words: dict[str, str]
) -> _Pattern:
    spec = spec if isinstance(spec, dict) else {"re": spec}
    regex = r"(?<!\w)" + _expand(spec["re"], slots, words)
    if spec.get("isolated"):
        regex = rf"(?<!\d[\s,.]){regex}(?![,.]\d)(?!\s\d{{3}}(?!\d))"
    if "not_before" in spec:
        regex += rf"(?!\s*(?:{words[spec['not_before']]}))"
    not_after = None
    if "not_after" in spec:
        not_after = re.compile(rf"(?<!\w)(?:{words[spec['not_after']]})\s*$", re.IGNORECASE)
    required = _trigger_kinds(_required_slots(spec["re"]) - {"number", "roman"})  # "vingt ans" has no digit
    present = _trigger_kinds(set(re.findall(r"\{([a-z]+?)\d*_?\}", spec["re"])))
    triggers, needs_all = (required, True) if required else (present, False)
    compiled = re.compile(regex, re.IGNORECASE)
    return _Pattern(compiled, priority, not_after, triggers, needs_all, bool(spec.get("blocks")))


def _trigger_kinds(slots: set[str]) -> frozenset[str]:
    kinds = {"digit" if n in DIGITS else "month" if n in MONTH_SLOTS else n for n in slots}
    return frozenset(kinds & {"digit", *TRIGGERS})


_PLACEHOLDER = re.compile(r"\{([a-z]+?)\d*_?\}")
_GROUP_OPEN = re.compile(r"\((\?(?:[:>]|P<\w+>|<?[=!]))?")
_CHAR_CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]])*\]")
_QUANTIFIER = re.compile(r"(?:[?*+]|\{(\d*)(?:,\d*)?\})\??")


def _required_slots(template: str) -> set[str]:
    """The placeholders every match of a pattern goes through: not optional, not in only some branches."""
    pos = 0

    def alternation() -> set[str]:
        nonlocal pos
        branches = [sequence()]
        while pos < len(template) and template[pos] == "|":
            pos += 1
            branches.append(sequence())
        return set.intersection(*branches)

    def sequence() -> set[str]:
        nonlocal pos
        required: set[str] = set()
        while pos < len(template) and template[pos] not in "|)":
            found = atom()
            if quantifier := _QUANTIFIER.match(template, pos):
                pos = quantifier.end()
                if quantifier.group()[0] in "?*" or quantifier.group(1) in ("", "0"):
                    continue  # may be absent
            required |= found
        return required

    def atom() -> set[str]:
        nonlocal pos
        if group := _GROUP_OPEN.match(template, pos):
            pos = group.end()
            inner = alternation()
            pos += 1  # the closing parenthesis
            return set() if (group.group(1) or "")[-1:] in ("=", "!") else inner
        if klass := _CHAR_CLASS.match(template, pos):
            pos = klass.end()
            return set()
        if placeholder := _PLACEHOLDER.match(template, pos):
            pos = placeholder.end()
            return {placeholder.group(1)}
        pos += 2 if template[pos] == "\\" else 1
        return set()

    return alternation()


def _compile(data: dict[str, Any]) -> _Grammar:
    exact = set(data.get("case_sensitive", []))
    lexicons = _lexicons(data, exact)
    slots = {name: lexicon.pattern for name, lexicon in lexicons.items()}
    slots.update(DIGIT_SLOTS)
    slots["number"] = _number_pattern(data, exact, lexicons["number"])
    suffixes = _alternation(data.get("day_suffixes", []), exact)
    slots["day"] = rf"(?<!\d)(?:3[01]|[12]\d|0?[1-9])(?:{suffixes})?(?!\d)"
    slots["dash"] = f"[{DASHES}]"
    words = {name: _alternation(forms, exact) for name, forms in data.get("words", {}).items()}

    specs: list[Any] = ([{"re": "{blocked}"}] if data.get("blocked") else []) + data.get("patterns", [])
    patterns = [_pattern(spec, priority, slots, words) for priority, spec in enumerate(specs)]

    modifier = blockers = None
    if data.get("modifiers"):
        articles = words.get("articles", "(?!)")
        modifier = re.compile(
            rf"(?<!\w)(?P<mod>{slots['mod']}){SEPARATOR}(?:(?:{articles}){SEPARATOR})?$", re.IGNORECASE
        )
    if data.get("modifier_blockers"):
        blockers = re.compile(rf"(?:{_alternation(data['modifier_blockers'], exact)})$", re.IGNORECASE)
    relative: list[dict[str, Any]] = data.get("relative", [])
    tense = [
        (re.compile(rf"(?<!\w)(?:{'|'.join(data['tense'][name])})(?!\w)", re.IGNORECASE), sign)
        for name, sign in (("future", 1), ("past", -1))  # a future cue wins a tie
        if data.get("tense", {}).get(name)
    ]
    return _Grammar(patterns, lexicons, relative, _keywords(data, lexicons), modifier, blockers, tense)


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
    if "set" in fields or "every" in fields or "weekdays" in fields:
        return "SET"
    if "hour" in fields or "clock" in fields:
        return "TIME"
    if "daypart" in fields:
        return "DAYPART"
    if "ref" in fields:
        return "REF"
    if "span" in fields:
        return "SPAN"
    if "roman" in fields:
        return "DATE"
    if "unit" in fields:
        return "DURATION"
    return "DATE"


def _triggers(text: str, grammar: _Grammar) -> dict[str, list[tuple[int, int]]]:
    """Where the text has a digit or a time word, by kind of word, in text order."""
    found: dict[str, list[tuple[int, int]]] = {}
    keywords = grammar.keywords
    for match in _WORD.finditer(text):
        word = match.group()
        kinds = keywords.get(word.lower(), ())
        for kind in ("digit", *kinds) if word[0].isdigit() else kinds:
            found.setdefault(kind, []).append(match.span())
    return found


def _windows(
    text: str, pattern: _Pattern, triggers: dict[str, list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Stretches of text around the triggers a pattern needs, merged where they touch."""
    kinds = [k for k in pattern.triggers if k in triggers]
    if pattern.needs_all and len(kinds) < len(pattern.triggers):
        return []
    if not kinds:
        return []
    if pattern.needs_all:
        rarest = min(kinds, key=lambda k: len(triggers[k]))
        spans = sorted(
            (max(0, start - REACH_BEFORE), min(len(text), end + REACH_AFTER))
            for start, end in triggers[rarest]
        )
        others = [triggers[k] for k in kinds if k != rarest]
        spans = [(a, b) for a, b in spans if all(_any_within(found, a, b) for found in others)]
    else:
        spans = sorted(
            (max(0, start - REACH_BEFORE), min(len(text), end + REACH_AFTER))
            for k in kinds
            for start, end in triggers[k]
        )
    windows: list[tuple[int, int]] = []
    for start, end in spans:
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _any_within(found: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_left(found, (start, start))
    return i < len(found) and found[i][1] <= end


def _matches(text: str, pattern: _Pattern, windows: list[tuple[int, int]]) -> list[re.Match[str]]:
    found: list[re.Match[str]] = []
    for start, end in windows:
        for match in pattern.regex.finditer(text, start, end):
            # Matched again without the window's end, so that look-aheads see the text that follows.
            found.append(pattern.regex.match(text, match.start()) or match)
    return found


def _candidates(text: str, grammar: _Grammar) -> list[_Candidate]:
    found: list[_Candidate] = []
    triggers = _triggers(text, grammar)
    windows: dict[tuple[frozenset[str], bool], list[tuple[int, int]]] = {}
    for pattern in grammar.patterns:
        key = (pattern.triggers, pattern.needs_all)
        if key not in windows:
            windows[key] = _windows(text, pattern, triggers)
        for match in _matches(text, pattern, windows[key]):
            fields = {k: v for k, v in match.groupdict().items() if v is not None}
            start = match.start("at") if "at" in fields else match.start()
            fields.pop("at", None)
            if pattern.not_after and pattern.not_after.search(text, max(0, start - 30), start):
                continue
            kind = "BLOCKED" if pattern.blocks else _kind(fields)
            candidate = _Candidate(start, match.end(), pattern.priority, kind, fields)
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
    return _Period(f"{first_three:03d}X", date(y, 1, 1), date(y + 9, 12, 31), "decade")


def _roman(text: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    digits = [values[ch] for ch in text.upper() if ch in values]
    return sum(-d if i + 1 < len(digits) and d < digits[i + 1] else d for i, d in enumerate(digits))


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
        if "yy" in f:
            f["year"] = str(self._full_year(int(f.pop("yy").lstrip(APOSTROPHES))))
        if c.kind == "SET":
            if "set" in f:
                return self._make(c, "SET", g.value("set", f["set"]))
            if "season" in f:  # "each summer"
                return self._make(c, "SET", f"XXXX-{g.value('season', f['season'])}")
            if "weekday" in f or "weekdays" in f:
                slot = "weekday" if "weekday" in f else "weekdays"
                return self._make(c, "SET", f"XXXX-WXX-{g.value(slot, f[slot])}")
            return self._make(c, "SET", self._duration(f) or "P1Y") if "unit" in f else None
        if c.kind == "REF":
            return self._make(c, "DATE", g.value("ref", f["ref"]))
        if c.kind == "SPAN":
            return self._make(c, "DURATION", g.value("span", f["span"]))
        if c.kind == "DAYPART":
            return self._daypart(c)
        if c.kind == "DURATION":
            if ("ago" in f or "earlier" in f or "later" in f) and "approx" not in f:
                shifted = self._ago(c)
                if shifted is not None:
                    return self._make(c, "DATE", shifted)
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
        if unit not in UNIT_CODES:
            return None
        letter, size, clock = UNIT_CODES[unit]
        if "fuzzy" in f:  # "quelques jours", "several years": PXD, PXY
            return f"P{'T' if clock else ''}X{'Y' if size >= 10 else letter}"
        count: float | None = self.grammar.number(f["number"]) if "number" in f else 1
        if count is None:
            return None
        if "fraction" in f:  # "un demi-siècle", "half an hour"
            count *= float(self.grammar.value("fraction", f["fraction"]))
        amount = count * size
        while amount != int(amount) and unit in SMALLER_UNIT:
            unit, times = SMALLER_UNIT[unit]
            letter, size, clock = UNIT_CODES[unit]
            amount *= times
        if amount != int(amount):
            return None
        return f"P{'T' if clock else ''}{int(amount)}{letter}"

    def _ago(self, c: _Candidate) -> _Period | None:
        """ "three years ago" (from the anchor), "two years earlier", "a month later" (from the date the text
        stated before, else the anchor): the period that many units away, in the unit's granularity. With an
        approximation ("il y a plus de vingt ans") it stays a duration."""
        f, g = c.fields, self.grammar
        unit = g.value("unit", f["unit"])
        n = g.number(f["number"]) if "number" in f else 1
        if n is None or unit not in ("year", "decade", "month", "week", "day"):
            return None
        sign = 1 if "later" in f else -1
        base = self._base(c.start, unit, "anchor" if "ago" in f else "text")
        if base is None:
            return None
        if unit in ("year", "decade"):
            period = _year(base.year + sign * n * (10 if unit == "decade" else 1))
            self.refs.append(_Ref(self.sentence(c.start), period.start.year, None, None))
            return period
        if unit == "month":
            return _month(*_shift_month(base.year, base.month, sign * n))
        return _day(base + timedelta(days=sign * n * (7 if unit == "week" else 1)))  # TimeBank: a day

    def _full_year(self, yy: int) -> int:
        """The year of "octobre 98": the latest one not more than ten years after the anchor."""
        latest = (self.anchor.year if self.anchor else 2000) + 10
        return 2000 + yy if 2000 + yy <= latest else 1900 + yy

    def _tense(self, offset: int) -> int:
        """-1 when the verb nearest to `offset` in its sentence says the past, 1 the future, 0 unknown."""
        i = self.sentence(offset)
        start = self.starts[i]
        end = self.starts[i + 1] if i + 1 < len(self.starts) else len(self.text)
        best: tuple[int, int] | None = None
        for regex, sign in self.grammar.tense:
            for match in regex.finditer(self.text, start, end):
                distance = offset - match.end() if match.end() <= offset else match.start() - offset
                if best is None or distance < best[0]:
                    best = (distance, sign)
        return best[1] if best else 0

    def _context_day(self, offset: int, sentences: int, after: bool = False) -> date | None:
        """The day the text was talking about: the last one named before `offset` in this sentence or the
        `sentences` before (or, with `after`, the first one named after it in this sentence), else the
        anchor."""
        here = self.sentence(offset)
        before = [(o, d) for s, o, d in self.days if o < offset and here - sentences <= s <= here]
        if before:
            return max(before)[1]
        if after:
            later = [(o, d) for s, o, d in self.days if o > offset and s == here]
            if later:
                return min(later)[1]
        return self.anchor

    def _daypart(self, c: _Candidate) -> Time | None:
        """ "hier soir", "mardi matin", "ce soir", "la nuit": a day and its part (TIMEX3 MO, AF, EV, NI)."""
        f, g = c.fields, self.grammar
        code = g.value("daypart", f["daypart"])
        day: Resolved | None
        if "rel" in f:
            day = self._relative_date(c)
        elif "weekday" in f:
            day = self._weekday(g.value("weekday", f["weekday"]), self._direction(f), c.start)
        elif "this" in f:
            day = _day(self.anchor) if self.anchor else None
        else:
            found = self._context_day(c.start, 1)
            day = _day(found) if found else None
        if day is None:
            return self._make(c, "TIME", f"T{code}")
        if isinstance(day, str):
            return self._make(c, "TIME", f"{day}T{code}")
        if day.granularity != "day":
            return None
        self.days.append((self.sentence(c.start), c.start, day.start))
        return self._make(c, "TIME", _Period(f"{day.value}T{code}", day.start, day.end, "day"))

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
        named: Resolved | None = None
        if "rel" in f:
            named = self._relative_date(c)
        elif "weekday" in f:
            named = self._weekday(g.value("weekday", f["weekday"]), self._direction(f), c.start)
        if isinstance(named, _Period) and named.granularity == "day":
            day = named.start.isoformat()
        else:
            found = self._context_day(c.start, 2, after=True)
            day = found.isoformat() if found else "XXXX-XX-XX"
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
        if "roman" in f:
            result = self._century(c)
        elif "decade" in f:
            digits = f["decade"]
            result = _decade(int(digits[:3]) if len(digits) == 4 else 190 + int(digits[0]))
        elif "rel" in f or "period" in f:
            result = self._relative_date(c)
        elif "weekday" in f and "day" not in f:
            result = self._weekday(g.value("weekday", f["weekday"]), self._direction(f), c.start)
        elif "month" in f or "mnum" in f:
            result = self._calendar(c)
        elif "season" in f:
            result = self._season(c)
        elif part in ("H1", "H2", "Q1", "Q2", "Q3", "Q4") and "year" not in f:
            # "the third quarter": of the year the text is talking about
            y = self._implicit_year(c.start, False)
            result = _year(y) if y is not None else None
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

    def _century(self, c: _Candidate) -> _Period | None:
        """ "le XIXe siècle", "the 20th century": TimeBank writes the nineteenth century 18XX."""
        f = c.fields
        if self.grammar.value("unit", f.get("unit", "")) != "century":
            return None
        n = int(f["roman"]) if f["roman"].isdigit() else _roman(f["roman"])
        if not 1 <= n <= 30:
            return None
        first = (n - 1) * 100
        return _Period(f"{n - 1:02d}XX", date(max(first, 1), 1, 1), date(first + 99, 12, 31), "century")

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
            if "month" not in f and entry.get("from", "anchor") == "anchor":  # "last year" is a date stated
                self.refs.append(_Ref(self.sentence(c.start), y, None, None))
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
        if unit == "weekend":  # "ce week-end": TIMEX3 2003-W05-WE, Saturday and Sunday
            if offset == 0 and base.isoweekday() < 6 and self._tense(c.start) < 0:
                offset = -1  # told in the past on a weekday: the weekend just gone
            week = _week(base + timedelta(days=7 * offset))
            return _Period(f"{week.value}-WE", week.start + timedelta(days=5), week.end, "week")
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
        self,
        offset: int,
        month: bool = False,
        day: bool = False,
        window: bool = True,
        same_sentence: bool = False,
    ) -> _Ref | None:
        """The last date the text stated before `offset` (in this sentence or the one before, by default)."""
        here = self.sentence(offset)
        for ref in reversed(self.refs):
            if (window and ref.sentence < here - 1) or (same_sentence and ref.sentence < here):
                return None
            if (month and ref.month is None) or (day and ref.day is None):
                continue
            return ref
        return None

    def _implicit_year(self, offset: int, day: bool) -> int | None:
        """The year of a date written without one: that of a date stated in the same sentence, or in the
        sentence before when both are days ("Le 5 mars 2020, ... Le 7 mars, ..."); else the anchor's year;
        else that of the last date the text stated."""
        ref = self._nearest_ref(offset)
        if ref is not None and (ref.sentence == self.sentence(offset) or (day and ref.day is not None)):
            return ref.year
        if self.anchor is not None:
            return self.anchor.year
        ref = self._nearest_ref(offset, window=False)
        return ref.year if ref else None

    def _anchored_year(self, offset: int, month: int, day: int | None, weekday: int | None) -> int:
        """The year of a month or day written without one, near the anchor: the one where the day falls on
        the weekday written with it ("jeudi 12 septembre"); else the anchor's year, the year before when
        the text tells it in the past and it would come after the anchor (a day: more than three months
        after; six when the text says no tense), or the year after when the text tells it in the future and
        it would come more than three months before."""
        a = self.anchor
        assert a is not None
        if weekday is not None and day is not None:
            for y in (a.year, a.year - 1, a.year + 1):
                if day <= _last_day(y, month) and date(y, month, day).isoweekday() == weekday:
                    return y
        # how far after the anchor it would be in the anchor's year, in days (months count from their middle)
        ahead = (date(a.year, month, min(day or 15, _last_day(a.year, month))) - a).days
        tense = self._tense(offset)
        if day is None and tense < 0 and month > a.month:  # "il est mort en mai", told in March
            return a.year - 1
        if ahead > (90 if tense < 0 else 183 if tense == 0 else 366):
            return a.year - 1
        if tense > 0 and ahead < -90:
            return a.year + 1
        return a.year

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
            y = self._implicit_year(c.start, day is not None)
            if y is not None and self.anchor is not None and y == self.anchor.year:
                weekday = g.value("weekday", f["weekday"]) if "weekday" in f else None
                y = self._anchored_year(c.start, m, day, weekday)
        if y is None:
            return self._unknown_year(c)
        result: _Period | None
        if "day2" in f:
            result = self._day_range(c, y, m, day or 1)
        elif "month2" in f:
            last_month = g.value("month", f["month2"])
            first_year, last_year = self._range_years(f, y, m, last_month)
            end = date(last_year, last_month, _last_day(last_year, last_month))
            result = _Period(f"{first_year:04d}-{m:02d}", date(first_year, m, 1), end, "range")
            result = result if result.end > result.start else None
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
        first_year, y = self._range_years(f, y, m, last_month)
        if first_day > _last_day(first_year, m) or last_day > _last_day(y, last_month):
            return None
        start, end = date(first_year, m, first_day), date(y, last_month, last_day)
        return _Period(start.isoformat(), start, end, "range") if end > start else None

    @staticmethod
    def _range_years(f: dict[str, str], y: int, first_month: int, last_month: int) -> tuple[int, int]:
        """The years of a range's ends: both written, or one year after the range, which may cross a new year
        ("du 28 décembre au 3 janvier 2026")."""
        if "year2" in f:
            return y, int(f["year2"])
        return (y if first_month <= last_month else y - 1), y

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

    def _weekday(self, weekday: int, direction: int | None, offset: int) -> Resolved:
        """A weekday alone is the last one before the anchor (or the anchor's day), or the next one when the
        verb nearest to it says the future ("samedi, il jouera")."""
        a = self.anchor
        if a is None:
            return f"XXXX-WXX-{weekday}"
        today = a.isoweekday()
        if direction is None:
            if self._tense(offset) > 0:
                return _day(a + timedelta(days=(weekday - today) % 7))
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
        if direction is None and (a is None or self._nearest_ref(c.start, same_sentence=True)):
            implicit = self._implicit_year(c.start, False)
            return f"XXXX-{code}" if implicit is None else _season(implicit, code)
        if a is None:
            return f"XXXX-{code}"
        # "last summer", "this winter": the seasons around the anchor, the one containing it for "this"
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

"""Anniversaries as dates: "le vingtième anniversaire du dialogue « Central Asia + Japan »" is 2024 when the
knowledge base says the dialogue was founded in 2004.

The words (anniversary nouns, ordinal words and suffixes) are each language's ``grammar.json``; the founding
years are the knowledge base's. An anniversary of something whose founding year is not known is left alone.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from storyline import kb
from storyline.languages import Language
from storyline.read.context import Context
from storyline.read.patterns import fold, trie_regex
from storyline.records import Time, TimeInterval

LOOK_BACK = 2  # sentences before the anniversary where its subject may have been named


@cache
def _pattern(language: Language) -> tuple[re.Pattern[str], dict[str, int]] | None:
    grammar = language.resource("grammar")
    words = [fold(w) for w in grammar.get("anniversary_words", [])]
    if not words:
        return None
    ordinals = {fold(k): int(v) for k, v in grammar.get("ordinals", {}).items()}
    suffixes = trie_regex(fold(s) for s in grammar.get("ordinal_suffixes", []))
    number = rf"(?P<digits>\d{{1,3}})(?:{suffixes})?" if suffixes else r"(?P<digits>\d{1,3})"
    ordinal = rf"(?P<word>{trie_regex(ordinals)})" if ordinals else r"(?!x)x"
    noun = trie_regex(words)
    # "20th anniversary", "vingtième anniversaire", "20-летие" (the noun glued to the number)
    pattern = re.compile(rf"(?<![\w])(?:{number}|{ordinal})[\s-]?(?:\w+\s)?(?:{noun})(?![\w])")
    return pattern, ordinals


def _founded(entity_id: str) -> int | None:
    entry = kb.load().get(entity_id)
    if entry is None or not entry.founded:
        return None
    return int(entry.founded[:4])


def find_anniversaries(ctx: Context) -> None:
    """Step: add a DATE for every anniversary whose subject's founding year is known."""
    compiled = _pattern(ctx.language)
    if compiled is None or ctx.parse is None:
        return
    pattern, ordinals = compiled
    taken = [(t.start, t.end) for t in ctx.times]
    added: list[Time] = []
    for m in pattern.finditer(fold(ctx.text)):
        years = int(m.group("digits")) if m.group("digits") else ordinals[m.group("word")]
        start, end = m.start(), m.end()
        if any(s < end and start < e for s, e in taken):
            continue
        founded = _subject_founded(ctx, start)
        if founded is None:
            continue
        year = founded + years
        added.append(
            Time(
                start=start,
                end=end,
                text=ctx.text[start:end],
                type="DATE",
                value=str(year),
                interval=TimeInterval(start=date(year, 1, 1), end=date(year, 12, 31), granularity="year"),
            )
        )
    ctx.times = sorted([*ctx.times, *added], key=lambda t: t.start)


def _subject_founded(ctx: Context, offset: int) -> int | None:
    """The founding year of the format or body named nearest after the anniversary in its sentence, else
    nearest before it within the previous sentences."""
    assert ctx.parse is not None
    sentence = next((k for k, s in enumerate(ctx.parse.sentences) if s.start <= offset < s.end), None)
    if sentence is None:
        return None
    first = ctx.parse.sentences[max(0, sentence - LOOK_BACK)].start
    end = ctx.parse.sentences[sentence].end
    dated = [f for f in ctx.found if first <= f.start < end and _founded(f.entity) is not None]
    after = [f for f in dated if f.start >= offset]
    chosen = (
        min(after, key=lambda f: f.start) if after else (max(dated, key=lambda f: f.start) if dated else None)
    )
    return _founded(chosen.entity) if chosen else None

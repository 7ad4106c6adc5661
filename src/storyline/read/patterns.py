"""Text folding and many-phrase matching, shared by the steps that look up lexicons in text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from typing import Any

_SAME_AS = {
    "’": "'",
    "ʼ": "'",
    "‘": "'",
    "`": "'",
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "\u00a0": " ",
    "\u202f": " ",
}


@cache
def _fold_char(ch: str) -> str:
    if ch in _SAME_AS:
        return _SAME_AS[ch]
    base = unicodedata.normalize("NFD", ch)[0].casefold()
    return base if len(base) == 1 else ch


def fold(text: str, *, keep_case: bool = False) -> str:
    """Accents, case, apostrophes, dashes and quotes folded, one character for one: offsets in the folded
    text are offsets in the original."""
    if keep_case:
        return "".join(_SAME_AS.get(ch, ch) for ch in text)
    return "".join(_fold_char(ch) for ch in text)


def trie_regex(phrases: Iterable[str]) -> str:
    """One regular expression matching any of ``phrases``, built as a trie so that matching does not try
    every phrase at every position. Longer phrases are preferred where one is a prefix of another."""
    trie: dict[str, Any] = {}
    for phrase in phrases:
        if not phrase:
            continue
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        alternatives = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        optional = "" in node
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        if optional:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def phrase_matcher(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """A compiled pattern that finds whole-word occurrences of any of ``phrases``."""
    body = trie_regex(phrases)
    if not body:
        return None
    return re.compile(r"(?<![\w])" + body + r"(?![\w])")

"""Safe clean-up of plain text: what a site printed around an article, dropped.

The markers (footer words, image-credit prefixes) are each language's data, in ``text.json``; the rules here
are the same for every language. Offsets in a reading always refer to the text this returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from storyline import languages

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SPACES = re.compile(r"[ \t\u00a0]+$", re.M)
MAX_TITLE = 250


@dataclass
class Cleaned:
    text: str
    title: str | None
    dropped: list[str]


@cache
def _markers() -> tuple[tuple[str, ...], tuple[str, ...]]:
    footers: set[str] = set()
    credits: set[str] = set()
    for language in languages.available().values():
        resource = language.resource("text")
        footers.update(m.casefold() for m in resource.get("footer_markers", []))
        credits.update(m.casefold() for m in resource.get("credit_markers", []))
    return tuple(sorted(footers)), tuple(sorted(credits))


def markdown_to_text(text: str) -> str:
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_EMPHASIS.sub(r"\2", text)
    return _MD_HEADING.sub("", text)


def _is_title_like(line: str) -> bool:
    return 0 < len(line) <= MAX_TITLE and not line.rstrip().endswith((".", ":", ";", ","))


def clean_text(text: str, title: str | None = None) -> Cleaned:
    """Drop a title printed twice, repeated title lines, image credits and a trailing site footer."""
    footers, credits = _markers()
    text = _SPACES.sub("", text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff"))
    lines = text.split("\n")
    dropped: list[str] = []
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if title is None and nonblank and _is_title_like(lines[nonblank[0]].strip()):
        title = lines[nonblank[0]].strip()
    keep = [True] * len(lines)
    seen_title = False
    for i in nonblank:
        line = lines[i].strip()
        folded = line.casefold()
        if title and line == title.strip():
            if seen_title:
                keep[i] = False
                dropped.append(line)
            seen_title = True
        elif len(line) <= 80 and folded.startswith(credits):
            keep[i] = False
            dropped.append(line)
    for i in reversed(nonblank):
        line = lines[i].strip()
        if len(line) <= 120 and line.casefold().startswith(footers):
            keep[i] = False
            dropped.append(line)
        else:
            break
    kept = [line for line, k in zip(lines, keep, strict=True) if k]
    cleaned = re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
    return Cleaned(text=cleaned, title=title, dropped=dropped)

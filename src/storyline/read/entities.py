"""Entities: knowledge-base names found in the text, capitals read as their governments where they act.

Names are matched on folded text (case, accents, apostrophes, dashes), acronyms on the text as written, and
for languages whose ``entities.json`` says ``match_lemmas`` (rich inflection: Russian) also on the sequence of
lemmas, so that "Казахстана" and "Центральной Азии" find "Казахстан" and "Центральная Азия".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from storyline import kb
from storyline.languages import Language
from storyline.read.context import Context, Found
from storyline.read.nlp import Parse, parser_for
from storyline.read.patterns import fold, phrase_matcher
from storyline.records import Entity, Mention

ENTITY_KINDS = ("country", "person", "organization", "format", "place", "region")


@dataclass
class Index:
    folded: re.Pattern[str] | None
    exact: re.Pattern[str] | None
    lemmas: re.Pattern[str] | None
    by_key: dict[str, tuple[str, str]]  # folded / exact / lemma key -> (entity id, role)


def _lemma_key(parse: Parse) -> str:
    return " ".join(fold(t.lemma) for t in parse.tokens)


@cache
def index_for(language: Language) -> Index:
    base = kb.load()
    by_key: dict[str, tuple[str, str]] = {}
    folded_keys: list[str] = []
    exact_keys: list[str] = []
    lemma_keys: list[str] = []
    use_lemmas = bool(language.resource("entities").get("match_lemmas"))
    parse = parser_for(language) if use_lemmas else None
    # More specific roles win when two aliases fold to the same key.
    rank = {"name": 0, "short": 1, "acronym": 2, "metonym": 3, "demonym": 4}
    # Formats are often quoted under their English or native name inside another language's text
    # ("le format « Central Asia + Japan »"): their names in every language are matched.
    own = base.aliases_for(language.code)
    quoted = [
        a
        for a in base.aliases
        if a not in own and (e := base.get(a.entity_id)) is not None and e.kind == "format"
    ]
    for alias in sorted(own + quoted, key=lambda a: rank.get(a.role, 9)):
        key = alias.text if alias.case_sensitive else fold(alias.text)
        tag = ("=" if alias.case_sensitive else "~") + key
        by_key.setdefault(tag, (alias.entity_id, alias.role))
        (exact_keys if alias.case_sensitive else folded_keys).append(key)
        if parse is not None and not alias.case_sensitive and alias.lang == language.code and alias in own:
            lemma = _lemma_key(parse(alias.text))
            by_key.setdefault("@" + lemma, (alias.entity_id, alias.role))
            lemma_keys.append(lemma)
    return Index(phrase_matcher(folded_keys), phrase_matcher(exact_keys), phrase_matcher(lemma_keys), by_key)


def _candidates(ctx: Context, index: Index) -> list[tuple[int, int, str, str]]:
    text = ctx.text
    found: list[tuple[int, int, str, str]] = []
    if index.folded:
        for m in index.folded.finditer(fold(text)):
            entity, role = index.by_key["~" + m.group()]
            found.append((m.start(), m.end(), entity, role))
    if index.exact:
        for m in index.exact.finditer(fold(text, keep_case=True)):
            entity, role = index.by_key["=" + m.group()]
            found.append((m.start(), m.end(), entity, role))
    if index.lemmas and ctx.parse is not None and ctx.parse.tokens:
        tokens = ctx.parse.tokens
        starts: dict[int, int] = {}
        ends: dict[int, int] = {}
        pos = 0
        for t in tokens:
            starts[pos] = t.start
            pos += len(fold(t.lemma))
            ends[pos] = t.end
            pos += 1
        for m in index.lemmas.finditer(_lemma_key(ctx.parse)):
            if m.start() in starts and m.end() in ends:
                entity, role = index.by_key["@" + m.group()]
                found.append((starts[m.start()], ends[m.end()], entity, role))
    # Longest first, then earliest; drop what overlaps a kept match.
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    kept: list[tuple[int, int, str, str]] = []
    taken = bytearray(len(text) + 1)
    for f in found:
        if not any(taken[f[0] : f[1]]):
            kept.append(f)
            taken[f[0] : f[1]] = b"\x01" * (f[1] - f[0])
    return sorted(kept)


def _is_locative(ctx: Context, start: int) -> bool:
    """Introduced by a locative preposition of the language ("à Tokyo", "in Astana", "в Астане")."""
    prepositions = ctx.words("grammar", "locative_prepositions")
    before = ctx.text[max(0, start - 12) : start]
    words = re.findall(r"[\w']+", fold(before))
    return bool(words) and words[-1] in prepositions


def find_entities(ctx: Context) -> None:
    """Step: fill ``ctx.found`` with the knowledge base's entities named in the text."""
    base = kb.load()
    for start, end, entity_id, role in _candidates(ctx, index_for(ctx.language)):
        entry = base.get(entity_id)
        if entry is None or ctx.text[end : end + 1] == "$":
            continue  # "US$" is a currency, not the United States
        locative = _is_locative(ctx, start)
        actor: str | None = entity_id
        if entry.kind == "place":
            # A capital names its government when it acts ("Tokyo cherche à…"), the city otherwise.
            place = locative or not entry.capital_of
            actor = None if place else entry.capital_of
        else:
            place = locative and role != "demonym" and entry.kind in ("country", "region")
        ctx.found.append(Found(start, end, ctx.text[start:end], entity_id, role, actor, place))


def entity_records(ctx: Context) -> list[Entity]:
    """The reading's entities, each with all its mentions: a capital acting as its government is listed
    under its country; a demonym under its country."""
    base = kb.load()
    mentions: dict[str, list[Mention]] = {}
    for f in ctx.found:
        owner = f.actor if (f.actor and not f.place) else f.entity
        mentions.setdefault(owner, []).append(Mention(start=f.start, end=f.end, text=f.text))
    entities = []
    for entity_id, spans in mentions.items():
        entry = base.get(entity_id)
        if entry is None:
            continue
        kind = entry.kind if entry.kind in ENTITY_KINDS else "other"
        entities.append(
            Entity.model_validate(
                {
                    "id": entry.id,
                    "kind": kind,
                    "name": entry.name,
                    "wikidata": entry.wikidata,
                    "mentions": spans,
                }
            )
        )
    return sorted(entities, key=lambda e: e.mentions[0].start)


def expand(ids: list[str]) -> list[str]:
    """Actors as countries where that is a fact: a region or format by its members, a ministry by its state."""
    base = kb.load()
    out: list[str] = []
    for entity_id in ids:
        entry = base.get(entity_id)
        if entry is None:
            continue
        members = base.members(entity_id)
        if members:
            out.extend(members)
        elif entry.kind == "country":
            out.append(entity_id)
        elif entry.country:
            out.append(entry.country)
        elif entry.kind in ("organization", "person"):
            out.append(entity_id)
        # a region or place without members is where things happen, not who acts
    return list(dict.fromkeys(out))

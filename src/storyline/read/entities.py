"""Entities: knowledge-base names found in the text, capitals read as their governments where they act.

Names are matched on folded text (case, accents, apostrophes, dashes), acronyms and the Latin-script names of
people on the text as written, and for languages whose ``entities.json`` says ``match_lemmas`` (rich
inflection: Russian) also on the sequence of lemmas, so that "Казахстана" and "Центральной Азии" find
"Казахстан" and "Центральная Азия".

People act for the country (or body) whose office they hold at the document's date: "Tokayev" on
2025-12-19 acts for KAZ. A title next to a country ("le président kazakh", "the Japanese Prime Minister",
"президент Казахстана") names whoever certainly held that office on that date; without a date, or when the
date falls where a term's start or end is known only to the month or year, a title names nobody.

People and organisations the base does not know come from the language's named-entity recogniser: they are
kept with a stable id ("person:jane-roe") and linked to nothing, and act for nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from storyline import kb
from storyline.languages import Language
from storyline.read.context import Context, Found
from storyline.read.nlp import Parse, Token, parser_for
from storyline.read.patterns import fold, phrase_matcher, trie_regex
from storyline.records import Entity, Mention

QUOTES = frozenset("«»\"“”„'")
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
    """Step: fill ``ctx.found`` with the knowledge base's entities named in the text, the office holders
    titles name, and the people and organisations the recogniser finds that the base does not know."""
    base = kb.load()
    day = ctx.published.date if ctx.published else None
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
        elif entry.kind == "person":
            # A head of state acts for the state: a person acts for what their office at that date is of.
            place = False
            actor = base.acts_for(entity_id, day)
        else:
            place = locative and role != "demonym" and entry.kind in ("country", "region")
        ctx.found.append(Found(start, end, ctx.text[start:end], entity_id, role, actor, place))
    if day is not None:
        ctx.found.extend(_titles(ctx, day))
    ctx.found.extend(_recognised(ctx))
    ctx.found.sort(key=lambda f: (f.start, f.end))


# --- titles: "le président kazakh" -> whoever held the office on the document's date ------------------


@dataclass
class _View:
    """The text as matched: folded (offsets are the text's) or the sequence of folded lemmas."""

    text: str
    start_of: dict[int, int] | None = None  # view offset -> text offset (None: the same)
    end_of: dict[int, int] | None = None
    view_start: dict[int, int] | None = None  # text offset -> view offset
    view_end: dict[int, int] | None = None

    def to_text(self, start: int, end: int) -> tuple[int, int] | None:
        if self.start_of is None or self.end_of is None:
            return start, end
        if start in self.start_of and end in self.end_of:
            return self.start_of[start], self.end_of[end]
        return None

    def to_view(self, start: int, end: int) -> tuple[int, int] | None:
        if self.view_start is None or self.view_end is None:
            return start, end
        if start in self.view_start and end in self.view_end:
            return self.view_start[start], self.view_end[end]
        return None


def _lemma_view(parse: Parse) -> _View:
    start_of: dict[int, int] = {}
    end_of: dict[int, int] = {}
    pos = 0
    for t in parse.tokens:
        start_of[pos] = t.start
        pos += len(fold(t.lemma))
        end_of[pos] = t.end
        pos += 1
    return _View(
        _lemma_key(parse),
        start_of,
        end_of,
        {v: k for k, v in start_of.items()},
        {v: k for k, v in end_of.items()},
    )


@dataclass
class _TitleRules:
    offices: dict[str, str]  # folded title (or its lemmas) -> office id
    before: re.Pattern[str] | None  # a title, then the country: matched against the text before it
    after: re.Pattern[str] | None  # the country, then a title: matched against the text after it
    around: list[tuple[re.Pattern[str], re.Pattern[str], str]]  # "ministre {} des Affaires étrangères"
    head_of: re.Pattern[str] | None  # "глава" before a ministry: its head


def _connectors(words: list[str]) -> str:
    alternatives = []
    for word in words:
        body = r"\s+".join(re.escape(fold(part)) for part in word.split())
        alternatives.append(body if not body or body.endswith("'") else body + r"\s+")
    return "(?:" + "|".join(sorted(alternatives, key=len, reverse=True)) + ")" if alternatives else ""


@cache
def _title_rules(language: Language, lemmas: bool) -> _TitleRules:
    base = kb.load()
    resource = language.resource("entities")
    parse = parser_for(language) if lemmas else None

    def key(text: str) -> str:
        return _lemma_key(parse(text)) if parse is not None else fold(text)

    offices: dict[str, str] = {}
    around: list[tuple[re.Pattern[str], re.Pattern[str], str]] = []
    for title, office in base.titles_for(language.code):
        if "{}" in title:
            prefix, suffix = (key(part.strip()) for part in title.split("{}", 1))
            around.append(
                (
                    re.compile(r"(?<!\w)" + re.escape(prefix) + r"\s+$"),
                    re.compile(r"^\s+" + re.escape(suffix) + r"(?!\w)"),
                    office,
                )
            )
        else:
            offices.setdefault(key(title), office)
    heads = trie_regex(key(w) for w in resource.get("head_of", []))
    head_of = re.compile(r"(?<!\w)(?:" + heads + r")\s+$") if heads else None
    body = trie_regex(offices)
    if not body:
        return _TitleRules(offices, None, None, around, head_of)
    first = resource.get("title_before_country")
    then = resource.get("title_after_country")
    before = after = None
    if first is not None:
        before = re.compile(r"(?<!\w)(" + body + r")\s+" + _connectors(first) + ("?" if first else "") + "$")
    if then:
        after = re.compile(r"^" + _connectors(then).replace(r"\s+", r"\s*") + r"?\s*(" + body + r")(?!\w)")
    return _TitleRules(offices, before, after, around, head_of)


def _titles(ctx: Context, day: date) -> list[Found]:
    """Office holders named by a title and a country next to it, as of ``day``."""
    base = kb.load()
    lemmas = bool(ctx.language.resource("entities").get("match_lemmas")) and ctx.parse is not None
    views = [(_View(fold(ctx.text)), _title_rules(ctx.language, False))]
    if lemmas and ctx.parse is not None:
        views.append((_lemma_view(ctx.parse), _title_rules(ctx.language, True)))
    out: list[Found] = []
    seen: set[tuple[int, int]] = set()
    for f in list(ctx.found):
        entry = base.get(f.entity)
        if entry is not None and entry.id in base.heads and entry.country:
            # "глава МИД Узбекистана": the head of a ministry holds its office
            for view, rules in views:
                span = view.to_view(f.start, f.end)
                if span is None or rules.head_of is None:
                    continue
                m = rules.head_of.search(view.text[max(0, span[0] - 40) : span[0]])
                where = view.to_text(span[0] - (len(m.string) - m.start()), span[1]) if m else None
                holder = base.holder(base.heads[entry.id], entry.country, day)
                if holder is not None and where is not None and where not in seen:
                    seen.add(where)
                    text = ctx.text[where[0] : where[1]]
                    out.append(Found(where[0], where[1], text, holder, "title", entry.country, False))
            continue
        if entry is None or entry.kind != "country" or f.role == "metonym":
            continue
        for view, rules in views:
            span = view.to_view(f.start, f.end)
            if span is None:
                continue
            vs, ve = span
            before, after = view.text[max(0, vs - 80) : vs], view.text[ve : ve + 80]
            matches: list[tuple[int, int, str]] = []  # view span of the whole phrase, office
            if rules.before and (m := rules.before.search(before)):
                matches.append((vs - len(before) + m.start(1), ve, rules.offices[m.group(1)]))
            if rules.after and (m := rules.after.match(after)):
                matches.append((vs, ve + m.end(1), rules.offices[m.group(1)]))
            for prefix, suffix, office in rules.around:
                if (m := prefix.search(before)) and (n := suffix.match(after)):
                    matches.append((vs - len(before) + m.start(), ve + n.end(), office))
            for start, end, office in matches:
                holder = base.holder(office, entry.id, day)
                where = view.to_text(start, end)
                if holder is None or where is None or where in seen:
                    continue
                seen.add(where)
                text = ctx.text[where[0] : where[1]]
                out.append(Found(where[0], where[1], text, holder, "title", entry.id, False))
    return out


# --- people and organisations the base does not know -----------------------------------------------


def _slug(text: str) -> str:
    return "-".join(re.findall(r"\w+", fold(text)))


def _recognised(ctx: Context) -> list[Found]:
    """Named-entity spans of people and organisations that no knowledge-base name covers."""
    parse = ctx.parse
    if parse is None or not parse.entities:
        return []
    resource: dict[str, Any] = ctx.language.resource("entities")
    labels: dict[str, str] = resource.get("ner_labels", {})
    ignore = {fold(w) for w in resource.get("ner_ignore", [])}
    lemmas = bool(resource.get("match_lemmas"))
    taken = bytearray(len(ctx.text) + 1)
    for f in ctx.found:
        taken[f.start : f.end] = b"\x01" * (f.end - f.start)
    spans: list[tuple[int, int, str, list[Token]]] = []
    for start, end, label in parse.entities:
        kind = labels.get(label)
        if kind is None or any(taken[start:end]):
            continue
        first = parse.token_at(start)
        tokens = []
        if first is not None:
            for t in parse.tokens[first.i :]:
                if t.start >= end:
                    break
                if start <= t.start and t.end <= end:
                    tokens.append(t)
        while tokens and (tokens[0].pos in ("DET", "PUNCT", "ADP") or not tokens[0].text[:1].isalnum()):
            tokens = tokens[1:]
        while tokens and (tokens[-1].pos == "PUNCT" or not tokens[-1].text[-1:].isalnum()):
            tokens = tokens[:-1]
        if not tokens:
            continue
        text = ctx.text[tokens[0].start : tokens[-1].end]
        if fold(text) in ignore or any(fold(t.text) in ignore for t in tokens if len(tokens) == 1):
            continue
        words = [t for t in tokens if t.text[:1].isalpha()]
        if not words or not all(t.text[:1].isupper() or t.pos not in ("PROPN", "NOUN") for t in words):
            continue
        spans.append((tokens[0].start, tokens[-1].end, kind, tokens))

    # A surname alone is the person named in full elsewhere in the document; an unknown single word is
    # left alone unless it is an organisation's acronym.
    def word(t: Token) -> str:
        # an inflected name is named by its lemma, a nominative one as written ("Смирнова" is not "смирнов")
        return t.lemma if lemmas and t.feats.get("Case", "Nom") != "Nom" else t.text

    full: dict[str, str] = {}
    for _, _, kind, tokens in spans:
        if kind == "person" and len(tokens) > 1:
            full.setdefault(_slug(word(tokens[-1])), _slug(" ".join(word(t) for t in tokens)))
    out: list[Found] = []
    for start, end, kind, tokens in spans:
        text = ctx.text[start:end]
        if kind == "person":
            if len(tokens) > 1:
                slug = _slug(" ".join(word(t) for t in tokens))
            else:
                slug = full.get(_slug(word(tokens[0])), "")
        else:
            acronym = len(tokens) == 1 and len(text) >= 2 and text.isupper() and text.isalpha()
            quoted = ctx.text[start - 1 : start] in QUOTES and ctx.text[end : end + 1] in QUOTES
            slug = _slug(text) if (len(tokens) > 1 or acronym or quoted) else ""
        if slug:
            out.append(Found(start, end, text, f"{kind}:{slug}", "name", None, False))
    return out


def entity_records(ctx: Context) -> list[Entity]:
    """The reading's entities, each with all its mentions: a capital acting as its government is listed
    under its country; a demonym under its country; a title under the office holder it names."""
    base = kb.load()
    mentions: dict[str, list[Mention]] = {}
    names: dict[str, str] = {}
    for f in ctx.found:
        entry = base.get(f.entity)
        acting_place = entry is not None and entry.kind == "place" and f.actor and not f.place
        owner = f.actor if acting_place and f.actor else f.entity
        mentions.setdefault(owner, []).append(Mention(start=f.start, end=f.end, text=f.text))
        names.setdefault(owner, f.text)
    entities = []
    for entity_id, spans in mentions.items():
        entry = base.get(entity_id)
        if entry is not None:
            kind, name, wikidata = entry.kind, entry.name, entry.wikidata
        elif ":" in entity_id:
            kind, name, wikidata = entity_id.split(":", 1)[0], names[entity_id], None
        else:
            continue
        entities.append(
            Entity.model_validate(
                {
                    "id": entity_id,
                    "kind": kind if kind in ENTITY_KINDS else "other",
                    "name": name,
                    "wikidata": wikidata,
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

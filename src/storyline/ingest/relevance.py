"""A fast relevance pre-filter: does a raw document name anything we follow, before the expensive read?

Most of a general news dump says nothing about what storyline follows. Reading a document (decoding,
extraction, language models) costs tens of milliseconds; looking for a few thousand names in its raw text
with one Aho-Corasick automaton costs microseconds. :class:`RelevanceFilter` does that look-up and decides
whether the document gets the full read.

The names come from the knowledge base: by default those of what the engine is about (see
:func:`default_entities`), or those of a :class:`~storyline.records.WatchList` (see :func:`watch_entities`),
in every language the knowledge base holds. Matching is on the case-folded raw text (HTML markup may stay),
with word boundaries, so that a short name does not match inside a word, and acronyms and names the
knowledge base marks case-sensitive ("SCO", "Turkey", "Rahmon") only match as written.

What a language needs for matching stays data, in ``languages/<lang>/relevance.json``: the characters it
writes interchangeably (``fold``: ё/е, typographic apostrophes), the legacy encodings its news comes in,
and, for languages whose names decline (Russian), the declension rules that list a name's oblique forms
("Казахстана", "Узбекистаном", "Центральной Азии"), since there is no lemmatiser before reading.

A filter is picklable: it pickles as its terms and rebuilds the automaton when unpickled (a few tens of
milliseconds), so it can be shipped to worker processes. Its :class:`FilterStats` count what it saw in the
process it runs in.
"""

from __future__ import annotations

import codecs
import functools
import itertools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import ahocorasick

from storyline import languages
from storyline.ingest.sources import RawInput
from storyline.kb import KnowledgeBase
from storyline.records import WatchList

__all__ = [
    "ANY_LANGUAGE",
    "FilterStats",
    "LanguageRules",
    "RelevanceFilter",
    "TermSet",
    "declined_forms",
    "default_entities",
    "focus_countries",
    "kb_terms",
    "language_rules",
    "watch_entities",
]

ANY_LANGUAGE = "*"
# A language -> {a term as written -> whether it matches only as written (case-sensitive)}.
TermSet = dict[str, dict[str, bool]]

# Whitespace of any kind separates the words of a multi-word name the same way; folded to a space so that
# "Central\nAsia" (a hard-wrapped line) and "Asie\u00a0centrale" match. Not a language matter.
_WHITESPACE_FOLD = {"\n": " ", "\r": " ", "\t": " ", "\u00a0": " ", "\u202f": " ", "\u2009": " "}
# Alias roles whose forms are already complete in the knowledge base (demonyms are listed with their
# inflected forms, acronyms do not decline): the language's declension is not applied to them.
_NOT_DECLINED_ROLES = frozenset({"demonym", "acronym"})
_CASES = 5  # genitive, dative, accusative, instrumental, prepositional


# --- language rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Declension:
    ending: str
    after: str  # letters one of which must precede the ending; "" for any
    adjective: bool
    cases: tuple[tuple[str, ...], ...]  # per case, the alternatives that replace the ending


@dataclass(frozen=True)
class LanguageRules:
    """What one language's ``relevance.json`` says (empty for a language without one)."""

    code: str
    fold: tuple[tuple[str, str], ...] = ()
    letters: frozenset[str] = frozenset()
    encodings: tuple[str, ...] = ()
    declension: tuple[_Declension, ...] = ()


@functools.cache
def language_rules(code: str) -> LanguageRules:
    """The relevance rules of language ``code``; no rules for a language storyline does not read."""
    language = languages.get(code)
    if language is None:
        return LanguageRules(code)
    data = language.resource("relevance")
    declension = tuple(
        _Declension(
            ending=rule["ending"],
            after=rule.get("after", ""),
            adjective=bool(rule.get("adjective", False)),
            cases=tuple(tuple(case.split("|")) for case in rule["cases"]),
        )
        for rule in data.get("declension", ())
    )
    for rule in declension:
        if len(rule.cases) != _CASES:
            raise ValueError(f"languages/{code}/relevance.json: rule {rule.ending!r} needs {_CASES} cases")
    return LanguageRules(
        code=code,
        fold=tuple(data.get("fold", {}).items()),
        letters=frozenset(data.get("letters", "")),
        encodings=tuple(codecs.lookup(name).name for name in data.get("encodings", ())),
        declension=declension,
    )


def _word_cases(word: str, rules: LanguageRules) -> tuple[_Declension, list[tuple[str, ...]]] | None:
    """The rule that declines ``word`` and the word's forms in each oblique case; None if none applies."""
    for rule in rules.declension:
        if not word.endswith(rule.ending):
            continue
        stem = word[: len(word) - len(rule.ending)]
        if len(stem) < 2 or (rule.after and stem[-1] not in rule.after):
            continue
        return rule, [tuple(stem + ending for ending in case) for case in rule.cases]
    return None


def declined_forms(text: str, rules: LanguageRules) -> tuple[str, ...]:
    """``text`` and its oblique case forms by the language's declension rules.

    In a name of several words the leading adjectives and the first other word (the head noun) decline
    together, in the same case; the words after the head (a genitive complement, a name in apposition)
    stay as written: "Центральная Азия" -> "Центральной Азии", "Центральную Азию", ...; "Республика
    Казахстан" -> "Республики Казахстан", ...; "Шанхайская организация сотрудничества" -> "Шанхайской
    организации сотрудничества", .... Without declension rules, just ``(text,)``.
    """
    if not rules.declension:
        return (text,)
    words = text.split(" ")
    declined: list[list[tuple[str, ...]]] = []  # per declined leading word, its forms per case
    for word in words:
        found = _word_cases(word, rules)
        if found is None:
            break
        rule, forms = found
        declined.append(forms)
        if not rule.adjective:
            break
    if not declined:
        return (text,)
    rest = words[len(declined) :]
    out = [text]
    for case in range(_CASES):
        for head in itertools.product(*(forms[case] for forms in declined)):
            out.append(" ".join((*head, *rest)))
    return tuple(dict.fromkeys(out))


# --- which entities, which terms -----------------------------------------------------------------------


def focus_countries(kb: KnowledgeBase) -> frozenset[str]:
    """The countries every diplomatic format of the knowledge base involves: what the engine is about
    (the five Central Asian states with the package's data). Derived from the data, not written here."""
    member_sets = [set(e.members) for e in kb.entries.values() if e.kind == "format" and e.members]
    return frozenset(set.intersection(*member_sets)) if member_sets else frozenset()


def _bodies_and_people(kb: KnowledgeBase, actors: set[str]) -> set[str]:
    """What stands for ``actors`` in text: the capitals named for their government (metonyms), the
    organisations that belong to them (ministries), and the people who held an office of either."""
    bodies = {
        e.id
        for e in kb.entries.values()
        if (e.kind == "organization" and e.country in actors)
        or (e.kind == "place" and e.capital_of in actors)
    }
    offices_of = actors | bodies
    people = {
        e.id for e in kb.entries.values() if e.kind == "person" and any(t.of in offices_of for t in e.terms)
    }
    return bodies | people


def default_entities(kb: KnowledgeBase) -> set[str]:
    """The entities whose names make a document worth reading when no watch list narrows it.

    * every diplomatic format (each is about the focus countries, see :func:`focus_countries`);
    * the focus countries, and the regions whose members are all focus countries (Central Asia);
    * the places (cities) of the focus countries, and their organisations (foreign ministries);
    * the people who held an office of a focus country or of one of its organisations.

    Left out on purpose, because a general news dump names them all the time and they would let most of it
    through: countries outside the focus (the partners: China, Russia, the USA...), regions without members
    or with other members (Europe, Asia, the Middle East), organisations not tied to a focus country (the
    UN, the EU, NATO, the IMF; the knowledge base does not record the SCO's or the CIS's members), the
    partners' cities and leaders (Moscow, Washington, Putin, Trump). A document about Central Asia's
    relations names a Central Asian country, city, leader or format; one that names none of them is not
    about them (measured by ``python -m storyline.bench_relevance``: all example articles are kept).
    """
    focus = set(focus_countries(kb))
    chosen = {e.id for e in kb.entries.values() if e.kind == "format"} | focus
    chosen |= {
        e.id for e in kb.entries.values() if e.kind == "region" and e.members and set(e.members) <= focus
    }
    chosen |= {e.id for e in kb.entries.values() if e.kind == "place" and e.country in focus}
    return chosen | _bodies_and_people(kb, focus)


def watch_entities(kb: KnowledgeBase, watch: WatchList) -> tuple[set[str], list[str]]:
    """The entities a watch list follows, and its words that are no entity (its keywords, and actors
    named by a name the knowledge base does not know).

    Actors are knowledge-base ids or names; formats and regions are ids and bring their member countries.
    Each actor or member brings what stands for it in text (:func:`_bodies_and_people`): a watch on Japan
    also admits "Tokyo", "Kishida", "JICA". Raises
    :class:`ValueError` for a format or region the knowledge base does not hold (a typo would otherwise
    silently filter everything out)."""
    by_name: dict[str, set[str]] = {}
    for alias in kb.aliases:
        by_name.setdefault(alias.text.casefold(), set()).add(alias.entity_id)
    actors: set[str] = set()
    words: list[str] = list(watch.keywords)
    for actor in watch.actors:
        if actor in kb.entries:
            actors.add(actor)
        elif actor.casefold() in by_name:
            actors |= by_name[actor.casefold()]
        else:
            words.append(actor)
    chosen: set[str] = set()
    for group, kinds in ((watch.formats, ("format",)), (watch.regions, ("region",))):
        for entity_id in group:
            entry = kb.get(entity_id)
            if entry is None or entry.kind not in kinds:
                raise ValueError(
                    f"watch list {watch.name!r}: no {kinds[0]} {entity_id!r} in the knowledge base"
                )
            chosen.add(entity_id)
            actors |= set(entry.members)
    chosen |= actors | _bodies_and_people(kb, actors)
    return chosen, words


def kb_terms(kb: KnowledgeBase, entity_ids: Iterable[str], keywords: Iterable[str] = ()) -> TermSet:
    """Every surface form of ``entity_ids`` in every language of the knowledge base, with the declined
    forms of languages whose names decline (not for people, whose forms the knowledge base lists, nor for
    demonyms and acronyms), and ``keywords`` (valid in any language, case-insensitive; declined in a
    language whose alphabet they are written in)."""
    wanted = set(entity_ids)
    terms: TermSet = {}

    def add(lang: str, text: str, case_sensitive: bool) -> None:
        group = terms.setdefault(lang, {})
        group[text] = group.get(text, True) and case_sensitive  # case-insensitive wins

    for alias in kb.aliases:
        if alias.entity_id not in wanted:
            continue
        entry = kb.entries[alias.entity_id]
        forms: Iterable[str] = (alias.text,)
        if alias.lang != ANY_LANGUAGE and entry.kind != "person" and alias.role not in _NOT_DECLINED_ROLES:
            forms = declined_forms(alias.text, language_rules(alias.lang))
        for form in forms:
            add(alias.lang, form, alias.case_sensitive)
    for keyword in keywords:
        keyword = " ".join(keyword.split())
        if not keyword:
            continue
        add(ANY_LANGUAGE, keyword, False)
        for code in sorted(languages.available()):
            rules = language_rules(code)
            if rules.letters and all(c in rules.letters or c in " -" for c in keyword):
                for form in declined_forms(keyword, rules):
                    add(code, form, False)
    return terms


# --- the filter ----------------------------------------------------------------------------------------


@dataclass
class FilterStats:
    """What a filter saw: documents seen, admitted and skipped, and the bytes of the documents seen."""

    seen: int = 0
    admitted: int = 0
    skipped: int = 0
    bytes: int = 0

    def merge(self, other: FilterStats) -> None:
        """Add another copy's counts (a worker's) to these."""
        self.seen += other.seen
        self.admitted += other.admitted
        self.skipped += other.skipped
        self.bytes += other.bytes

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class _Pattern:
    """One key of the automaton: the term it reports, its folded length, which of its ends must sit at a
    word boundary, and (when no form of it is case-insensitive) the forms it must match as written."""

    term: str
    length: int
    left: bool
    right: bool
    exact: frozenset[str] | None


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _casefold(text: str) -> str:
    """Case-folded ``text`` of the same length (so offsets in it are offsets in ``text``): a character
    whose folding is longer ("ß" -> "ss") is lower-cased instead, or kept."""
    folded = text.casefold()
    if len(folded) == len(text):
        return folded
    out = []
    for char in text:
        fold = char.casefold()
        if len(fold) != 1:
            fold = char.lower() if len(char.lower()) == 1 else char
        out.append(fold)
    return "".join(out)


class RelevanceFilter:
    """Decides from the raw text whether a document names enough of the terms (``min_hits`` occurrences).

    Build it with :meth:`from_kb`; call :meth:`admits` (or the filter itself, or :meth:`keep`) on a
    :class:`RawInput`, or :meth:`match` on a text to see the terms found.
    """

    def __init__(self, terms: Mapping[str, Mapping[str, bool]], *, min_hits: int = 1) -> None:
        if min_hits < 1:
            raise ValueError("min_hits must be at least 1")
        self.terms: TermSet = {lang: dict(group) for lang, group in terms.items()}
        self.min_hits = min_hits
        self.stats = FilterStats()
        self._build()

    @classmethod
    def from_kb(cls, kb: KnowledgeBase, watch: WatchList | None = None, min_hits: int = 1) -> RelevanceFilter:
        """The filter for ``watch`` (its actors, formats, regions with their members, keywords) or, without
        a watch list or with one that names no subject, for what the engine is about
        (:func:`default_entities`)."""
        if watch is not None and (watch.actors or watch.formats or watch.regions or watch.keywords):
            entities, words = watch_entities(kb, watch)
            return cls(kb_terms(kb, entities, words), min_hits=min_hits)
        return cls(kb_terms(kb, default_entities(kb)), min_hits=min_hits)

    # building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        rules = [language_rules(code) for code in sorted(languages.available())]
        # The text's language is unknown before reading: every language's foldings apply to every text.
        fold = dict(_WHITESPACE_FOLD)
        for rule in rules:
            fold.update(rule.fold)
        self._fold_pairs = tuple(fold.items())
        self._encodings = tuple(dict.fromkeys(enc for rule in rules for enc in rule.encodings))
        keys: dict[str, tuple[str, bool, set[str]]] = {}  # folded key -> term, any insensitive, exact forms
        for lang in sorted(self.terms):
            for text, case_sensitive in self.terms[lang].items():
                normal = self._normalise(text)
                key = _casefold(normal)
                if not key.strip():
                    continue
                term, insensitive, exact = keys.get(key, (text, False, set()))
                if case_sensitive:
                    exact.add(normal)
                keys[key] = (term, insensitive or not case_sensitive, exact)
        automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for key, (term, insensitive, exact) in keys.items():
            pattern = _Pattern(
                term=term,
                length=len(key),
                left=_is_word(key[0]),
                right=_is_word(key[-1]),
                exact=None if insensitive else frozenset(exact),
            )
            automaton.add_word(key, pattern)
        self.size = len(keys)
        if keys:
            automaton.make_automaton()
            self._automaton: Any = automaton
        else:
            self._automaton = None

    def _normalise(self, text: str) -> str:
        for old, new in self._fold_pairs:
            if old in text:
                text = text.replace(old, new)
        return text

    def __getstate__(self) -> dict[str, Any]:
        return {"terms": self.terms, "min_hits": self.min_hits, "stats": self.stats}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.terms = state["terms"]
        self.min_hits = state["min_hits"]
        self.stats = state["stats"]
        self._build()

    def __repr__(self) -> str:
        counts = ", ".join(f"{lang}: {len(group)}" for lang, group in sorted(self.terms.items()))
        return f"RelevanceFilter({self.size} patterns; terms {counts}; min_hits={self.min_hits})"

    # matching ------------------------------------------------------------------------------------------

    def _hits(self, text: str) -> Iterator[str]:
        """The terms found in ``text``, one per occurrence, in the order they end."""
        if self._automaton is None or not text:
            return
        normal = self._normalise(text)
        folded = _casefold(normal)
        end_of_text = len(folded) - 1
        for end, pattern in self._automaton.iter(folded):
            start = end - pattern.length + 1
            if pattern.left and start > 0 and _is_word(folded[start - 1]):
                continue
            if pattern.right and end < end_of_text and _is_word(folded[end + 1]):
                continue
            if pattern.exact is not None and normal[start : end + 1] not in pattern.exact:
                continue
            yield pattern.term

    def _texts(self, raw: RawInput | str | bytes) -> Iterator[str]:
        """The document's text (with its title) as it may be written: UTF-8, or when the bytes are not
        valid UTF-8, UTF-8 with the bad bytes replaced and each legacy encoding of the languages."""
        if isinstance(raw, str):
            yield raw
            return
        data: bytes | None
        if isinstance(raw, bytes):
            title, data, text = "", raw, None
        else:
            title, data, text = raw.title or "", raw.data, raw.text
        if text is not None:
            yield f"{title}\n{text}" if title else text
            return
        data = data or b""
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            yield title + "\n" + data.decode("utf-16", errors="replace")
            return
        try:
            yield title + "\n" + data.decode("utf-8")
            return
        except UnicodeDecodeError:
            pass
        yield title + "\n" + data.decode("utf-8", errors="replace")
        for encoding in self._encodings:
            yield title + "\n" + data.decode(encoding, errors="replace")

    def match(self, text: RawInput | str | bytes) -> list[str]:
        """The distinct terms found in ``text`` (a string, bytes, or a raw input), in order of appearance."""
        found: dict[str, None] = {}
        for candidate in self._texts(text):
            for term in self._hits(candidate):
                found.setdefault(term, None)
        return list(found)

    def relevant(self, text: RawInput | str | bytes) -> bool:
        """Whether ``text`` holds ``min_hits`` occurrences of the terms (stops at the ``min_hits``-th);
        without counting it in :attr:`stats`."""
        for candidate in self._texts(text):
            if next(itertools.islice(self._hits(candidate), self.min_hits - 1, None), None) is not None:
                return True
        return False

    def admits(self, raw: RawInput) -> bool:
        """Whether ``raw`` gets the full read; counted in :attr:`stats`."""
        keep = self.relevant(raw)
        stats = self.stats
        stats.seen += 1
        if raw.data is not None:
            stats.bytes += len(raw.data)
        elif raw.text is not None:
            stats.bytes += len(raw.text.encode("utf-8", errors="replace"))
        if keep:
            stats.admitted += 1
        else:
            stats.skipped += 1
        return keep

    keep = admits
    __call__ = admits

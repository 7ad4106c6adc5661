"""The knowledge base: the entities storyline can name, and the surface forms that name them.

All facts live in data files under ``data/`` (described, with their sources, in
``data/SOURCES.md``); this module only reads, expands and checks them. The domain is in
the data: nothing here is specific to any region.

>>> kb = load()
>>> kb.get("KGZ").name
'Kyrgyzstan'
>>> kb.members("central-asia")
('KAZ', 'KGZ', 'TJK', 'TKM', 'UZB')
"""

from __future__ import annotations

import csv
import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from storyline import languages

__all__ = [
    "ALIAS_LANGS",
    "ALIAS_ROLES",
    "ENTRY_KINDS",
    "Alias",
    "KBEntry",
    "KBError",
    "KnowledgeBase",
    "Term",
    "load",
    "load_dir",
    "russian_adjective_forms",
    "russian_name_forms",
]

ENTRY_KINDS = ("country", "organization", "format", "place", "region", "person")
ALIAS_ROLES = ("name", "short", "demonym", "metonym", "acronym")
ALIAS_LANGS = (*sorted(languages.available()), "*")  # the languages storyline reads, and "any"

_COUNTRY_ID = re.compile(r"[A-Z]{3}")
_SLUG_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_QID = re.compile(r"Q[1-9][0-9]*")
_FOUNDED = re.compile(r"[0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?")
# Keys of a JSON entry that list surface forms by language, and the role of those forms.
_JSON_ALIAS_KEYS = (("names", "name"), ("short", "short"), ("acronyms", "acronym"), ("metonyms", "metonym"))


@dataclass(frozen=True)
class Term:
    """A term in an office: ``office`` (an id of ``offices.json``) of ``of`` (a country or organisation id),
    from ``start`` to ``end`` (``None``: still in office). Dates are ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``:
    a date known only to the month or year is honest about what is not known, and a document dated inside
    that month or year is not resolved through the term."""

    office: str
    of: str
    start: str
    end: str | None = None

    def certain_on(self, day: date) -> bool:
        """Whether the term certainly covers ``day`` (the day it ends belongs to the successor)."""
        return _period(self.start)[1] <= day and (self.end is None or day < _period(self.end)[0])


def _period(value: str) -> tuple[date, date]:
    """First and last day of a ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` date."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 3:
        day = date(*parts)
        return day, day
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        following = date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
        return first, following - timedelta(days=1)
    return date(parts[0], 1, 1), date(parts[0], 12, 31)


@dataclass(frozen=True)
class Membership:
    """A state's membership of an organisation, from a day to a day (``None``: still a member)."""

    member: str
    start: date
    end: date | None = None


@dataclass(frozen=True)
class KBEntry:
    """One entity: a country, organisation, diplomatic format, place, region or person."""

    id: str
    kind: str
    name: str
    wikidata: str | None = None
    country: str | None = None
    members: tuple[str, ...] = ()
    capital_of: str | None = None
    geonameid: int | None = None
    founded: str | None = None
    terms: tuple[Term, ...] = ()
    membership: tuple[Membership, ...] = ()  # an organisation's member states over time (the EU's)


@dataclass(frozen=True)
class Alias:
    """A surface form that names an entry in one language (or in any, ``lang == "*"``)."""

    text: str
    entity_id: str
    lang: str
    role: str
    case_sensitive: bool


class KBError(ValueError):
    """The data files are inconsistent or malformed."""


class KnowledgeBase:
    """Entries by id and their aliases; built by :func:`load` or :func:`load_dir`."""

    entries: dict[str, KBEntry]
    aliases: list[Alias]
    titles: dict[str, tuple[tuple[str, str], ...]]  # language -> (title as written, office id)

    def __init__(
        self,
        entries: dict[str, KBEntry],
        aliases: list[Alias],
        titles: dict[str, tuple[tuple[str, str], ...]] | None = None,
        heads: dict[str, str] | None = None,
    ) -> None:
        self.entries = entries
        self.aliases = aliases
        self.titles = titles or {}
        self.heads = heads or {}  # a body (ministry) id -> the office its head holds
        holders: dict[tuple[str, str], list[tuple[Term, str]]] = {}
        for entry in entries.values():
            for term in entry.terms:
                holders.setdefault((term.office, term.of), []).append((term, entry.id))
        self._holders = holders
        by_lang: dict[str, list[Alias]] = {lang: [] for lang in ALIAS_LANGS}
        for alias in aliases:
            by_lang[alias.lang].append(alias)
        star = by_lang["*"]
        self._for_lang: dict[str, tuple[Alias, ...]] = {
            lang: tuple(by_lang[lang] + star) for lang in ALIAS_LANGS if lang != "*"
        }
        self._star: tuple[Alias, ...] = tuple(star)
        self._names: dict[str, dict[str, str]] = {}
        for alias in aliases:
            if alias.role == "name" and alias.lang != "*":
                self._names.setdefault(alias.lang, {}).setdefault(alias.entity_id, alias.text)
        for alias in aliases:  # a capital's names are metonyms of its government ("Tokyo said")
            named = entries.get(alias.entity_id)
            if alias.role == "metonym" and alias.lang != "*" and named is not None and named.kind == "place":
                self._names.setdefault(alias.lang, {}).setdefault(alias.entity_id, alias.text)

    def get(self, entity_id: str) -> KBEntry | None:
        return self.entries.get(entity_id)

    def aliases_for(self, lang: str) -> list[Alias]:
        """The aliases of ``lang`` followed by those valid in any language (``"*"``)."""
        return list(self._for_lang.get(lang, self._star))

    def display_name(self, entity_id: str, lang: str) -> str:
        """The name a reader of ``lang`` knows the entity by: its first name in that language, else its
        English name, else the id itself (an entity the knowledge base does not hold)."""
        names = self._names.get(lang, {})
        if entity_id in names:
            return names[entity_id]
        entry = self.entries.get(entity_id)
        return entry.name if entry is not None else entity_id

    def members(self, entity_id: str) -> tuple[str, ...]:
        """Member countries of a region or format; ``()`` if none or unknown."""
        entry = self.entries.get(entity_id)
        return entry.members if entry is not None else ()

    def members_on(self, entity_id: str, day: date) -> tuple[str, ...]:
        """Member states on ``day``: from the organisation's membership history where it has one (the EU's
        on 2019-06-01 include GBR, on 2021-06-01 not), else its fixed members."""
        entry = self.entries.get(entity_id)
        if entry is None:
            return ()
        if not entry.membership:
            return entry.members
        return tuple(m.member for m in entry.membership if m.start <= day and (m.end is None or day <= m.end))

    def titles_for(self, lang: str) -> tuple[tuple[str, str], ...]:
        """Titles of offices in ``lang`` ("président", "Prime Minister") with the office each names."""
        return self.titles.get(lang, ())

    def holder(self, office: str, of: str, day: date) -> str | None:
        """The id of whoever certainly held ``office`` of ``of`` on ``day``; None if unknown or unsure."""
        ids = {person for term, person in self._holders.get((office, of), ()) if term.certain_on(day)}
        return ids.pop() if len(ids) == 1 else None

    def acts_for(self, person_id: str, day: date | None) -> str | None:
        """The country or body a person acts for: the one whose office they hold on ``day``; without a
        date, the one all their terms are for (None when that is not a single one)."""
        entry = self.entries.get(person_id)
        if entry is None or not entry.terms:
            return None
        if day is None:
            bodies = {term.of for term in entry.terms}
            return bodies.pop() if len(bodies) == 1 else None
        bodies = {term.of for term in entry.terms if term.certain_on(day)}
        return bodies.pop() if len(bodies) == 1 else None

    def __repr__(self) -> str:
        return f"KnowledgeBase({len(self.entries)} entries, {len(self.aliases)} aliases)"


# --- Russian adjectives ---------------------------------------------------------------------------

# Endings of adjectives whose stem ends in к, г or х (японск-ий, турецк-ий, нижегородск-ой):
# every case/number/gender form is stem + one of these.
_RU_VELAR_ADJ_ENDINGS = (
    "ий",  # m. nom./acc. (inanimate)
    "ая",  # f. nom.
    "ое",  # n. nom./acc.
    "ие",  # pl. nom./acc. (inanimate)
    "ого",  # m./n. gen., m. acc. (animate)
    "ой",  # f. gen./dat./instr./prep.; m. nom. of stressed-ending adjectives
    "ому",  # m./n. dat.
    "им",  # m./n. instr., pl. dat.
    "их",  # pl. gen./prep., pl. acc. (animate)
    "ими",  # pl. instr.
    "ом",  # m./n. prep.
    "ую",  # f. acc.
)


def russian_adjective_forms(lemma: str) -> tuple[str, ...]:
    """All case, number and gender forms of a Russian adjective with a velar stem.

    ``lemma`` is the masculine nominative singular ending in -кий/-гий/-хий or
    -кой/-гой/-хой (``японский``, ``турецкий``). Raises :class:`KBError` otherwise.
    """
    if len(lemma) < 4 or lemma[-2:] not in ("ий", "ой") or lemma[-3] not in "кгх":
        raise KBError(f"not a Russian adjective with a velar stem: {lemma!r}")
    stem = lemma[:-2]
    forms = [lemma] + [stem + ending for ending in _RU_VELAR_ADJ_ENDINGS]
    return tuple(dict.fromkeys(forms))


# --- Russian personal names -----------------------------------------------------------------------

_RU_VOWELS = "аеёиоуыэюя"


_RU_CASES = ("gen", "dat", "acc", "ins", "prep")
# Endings of the oblique cases (genitive, dative, accusative, instrumental, prepositional) by the ending of
# the nominative; alternatives separated by "|" ("Путиным", but "Си Цзиньпином").
_RU_NAME_ENDINGS = (
    (("ова", "ева", "ёва", "ина", "ына"), 1, ("ой", "ой", "у", "ой", "ой")),
    (("ов", "ев", "ёв"), 0, ("а", "у", "а", "ым", "е")),
    (("ин", "ын"), 0, ("а", "у", "а", "ым|ом", "е")),
    (("ий",), 2, ("ия", "ию", "ия", "ием", "ии")),
    (("ей", "ай"), 1, ("я", "ю", "я", "ем", "е")),
    (("ка", "га", "ха", "жа", "ша", "ча", "ща"), 1, ("и", "е", "у", "ой", "е")),
    (("а",), 1, ("ы", "е", "у", "ой", "е")),
    (("я",), 1, ("и", "е", "ю", "ей", "е")),
)


def _ru_name_word(word: str) -> list[list[str]]:
    """The forms of one word of a Russian name in each oblique case (alternatives per case); the word
    itself in every case when it does not decline (Абэ, Такаити, Меркель)."""
    head, _, last = word.rpartition("-")
    prefix = head + "-" if head else ""
    low = last.lower()
    if len(last) >= 2 and last[:1].isupper():
        for suffixes, cut, endings in _RU_NAME_ENDINGS:
            if low.endswith(suffixes):
                stem = last[: len(last) - cut]
                return [[prefix + stem + e for e in ending.split("|")] for ending in endings]
        if low[-1] not in _RU_VOWELS and low[-1] not in "ьй":
            return [[prefix + last + e for e in ending.split("|")] for ending in ("а", "у", "а", "ом", "е")]
    return [[word] for _ in _RU_CASES]


def russian_name_forms(name: str) -> tuple[str, ...]:
    """Oblique case forms of a Russian personal name ("Токаев" -> "Токаева", "Токаеву", "Токаевым",
    "Токаеве"; "Роза Отунбаева" -> "Розы Отунбаевой", ...). Each word declines by its ending, all words in
    the same case; words that do not decline stay as they are. The forms are matched as written."""
    import itertools

    paradigms = [_ru_name_word(w) for w in name.split()]
    out: list[str] = []
    for case in range(len(_RU_CASES)):
        for words in itertools.product(*(p[case] for p in paradigms)):
            out.append(" ".join(words))
    return tuple(f for f in dict.fromkeys(out) if f != name)


# --- reading the data files -----------------------------------------------------------------------


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV file as dicts, skipping ``#`` comment lines; with 1-based line numbers."""
    with path.open(encoding="utf-8", newline="") as handle:
        numbered = [(n, line) for n, line in enumerate(handle, 1) if not line.startswith("#")]
    if not numbered:
        raise KBError(f"{path.name}: empty file")
    reader = csv.DictReader(line for _, line in numbered)
    for (number, _), row in zip(numbered[1:], reader, strict=False):
        if None in row or any(value is None for value in row.values()):
            raise KBError(f"{path.name}:{number}: wrong number of fields")
        yield number, {key: value.strip() for key, value in row.items()}


def _flag(value: str, where: str) -> bool:
    if value in ("true", "1", "yes"):
        return True
    if value in ("false", "0", "no", ""):
        return False
    raise KBError(f"{where}: not a boolean: {value!r}")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


class _Builder:
    """Collects entries and aliases from the data files, then checks them."""

    def __init__(self) -> None:
        self.entries: dict[str, KBEntry] = {}
        self.where: dict[str, str] = {}
        self.aliases: list[tuple[Alias, str]] = []
        self.case_sensitive_words: set[tuple[str, str]] = set()
        self.partners: list[tuple[str, str, str]] = []
        self.offices: set[str] = set()
        self.titles: dict[str, list[tuple[str, str]]] = {}
        self.heads: dict[str, str] = {}

    def add_entry(self, entry: KBEntry, where: str) -> None:
        if entry.id in self.entries:
            raise KBError(f"{where}: duplicate id {entry.id!r} (first defined at {self.where[entry.id]})")
        self.entries[entry.id] = entry
        self.where[entry.id] = where

    def add_alias(
        self, text: str, entity_id: str, lang: str, role: str, case_sensitive: bool, where: str
    ) -> None:
        text = " ".join(text.split())
        if not text:
            raise KBError(f"{where}: empty alias for {entity_id!r}")
        if lang not in ALIAS_LANGS:
            raise KBError(f"{where}: unknown language {lang!r}")
        if role not in ALIAS_ROLES:
            raise KBError(f"{where}: unknown alias role {role!r}")
        self.aliases.append((Alias(text, entity_id, lang, role, case_sensitive or role == "acronym"), where))

    # countries ------------------------------------------------------------------------------------

    def read_countries(self, data: Path) -> None:
        path = data / "countries.csv"
        for number, row in _csv_rows(path):
            where = f"{path.name}:{number}"
            self.add_entry(
                KBEntry(id=row["id"], kind="country", name=row["name"], wikidata=row["wikidata"] or None),
                where,
            )
            self.add_alias(row["name"], row["id"], "en", "name", False, where)

    def read_alias_csv(
        self, data: Path, name: str, entity_column: str, default_role: str | None = None
    ) -> None:
        path = data / name
        for number, row in _csv_rows(path):
            where = f"{path.name}:{number}"
            role = row.get("role") or default_role or ""
            case_sensitive = _flag(row.get("case_sensitive", ""), where)
            self.add_alias(row["text"], row[entity_column], row["lang"], role, case_sensitive, where)

    def read_case_sensitive(self, data: Path) -> None:
        path = data / "case_sensitive.csv"
        for number, row in _csv_rows(path):
            if row["lang"] not in ALIAS_LANGS:
                raise KBError(f"{path.name}:{number}: unknown language {row['lang']!r}")
            self.case_sensitive_words.add((row["text"], row["lang"]))

    def read_demonyms(self, data: Path) -> None:
        path = data / "demonyms.csv"
        for number, row in _csv_rows(path):
            where = f"{path.name}:{number}"
            paradigm = row["paradigm"]
            if paradigm:
                if paradigm not in PARADIGMS:
                    raise KBError(f"{where}: unknown paradigm {paradigm!r}")
                language, inflect = PARADIGMS[paradigm]
                if row["lang"] != language:
                    raise KBError(f"{where}: paradigm {paradigm} on a {row['lang']!r} row")
                try:
                    forms: Iterable[str] = inflect(row["text"])
                except KBError as exc:
                    raise KBError(f"{where}: {exc}") from None
            else:
                forms = (row["text"],)
            for form in forms:
                self.add_alias(form, row["entity"], row["lang"], "demonym", False, where)

    # places ---------------------------------------------------------------------------------------

    def read_places(self, data: Path) -> None:
        path = data / "places.csv"
        for number, row in _csv_rows(path):
            where = f"{path.name}:{number}"
            try:
                geonameid = int(row["geonameid"]) if row["geonameid"] else None
            except ValueError:
                raise KBError(f"{where}: geonameid is not a number: {row['geonameid']!r}") from None
            capital_of = row["capital_of"] or None
            entry = KBEntry(
                id=row["id"],
                kind="place",
                name=row["name"],
                wikidata=row["wikidata"] or None,
                country=row["country"] or None,
                capital_of=capital_of,
                geonameid=geonameid,
            )
            self.add_entry(entry, where)
            # A capital's name can stand for its government: its names are metonym aliases.
            role = "metonym" if capital_of else "name"
            self.add_alias(row["name"], row["id"], "en", role, False, where)
            for lang in sorted(set(ALIAS_LANGS) & set(row)):
                for text in _split(row[lang]):
                    self.add_alias(text, row["id"], lang, role, False, where)

    # JSON entities (regions, organisations, formats) ----------------------------------------------

    def read_json(self, data: Path, name: str) -> None:
        path = data / name
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KBError(f"{name}: invalid JSON: {exc}") from None
        if not doc.get("_sources") and not doc.get("_source"):
            raise KBError(f"{name}: no _sources")
        default_kind = doc.get("kind")
        for index, item in enumerate(doc.get("entries", [])):
            self._json_entry(item, default_kind, f"{name}[{index}]")

    def _json_entry(self, item: dict[str, Any], default_kind: str | None, where: str) -> None:
        known = {
            "id", "kind", "name", "wikidata", "country", "members", "capital_of", "geonameid", "founded",
            "names", "short", "acronyms", "metonyms", "partner", "note", "terms", "membership",
        }  # fmt: skip
        unknown = set(item) - known
        if unknown:
            raise KBError(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("id", "name"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise KBError(f"{where}: missing {key}")
        entity_id = item["id"]
        where = f"{where} ({entity_id})"
        members = item.get("members", [])
        if not isinstance(members, list):
            raise KBError(f"{where}: members must be a list")
        entry = KBEntry(
            id=entity_id,
            kind=item.get("kind", default_kind) or "",
            name=item["name"],
            wikidata=item.get("wikidata"),
            country=item.get("country"),
            members=tuple(members),
            capital_of=item.get("capital_of"),
            geonameid=item.get("geonameid"),
            founded=item.get("founded"),
            terms=self._terms(item.get("terms", []), where),
            membership=_membership(item.get("membership", []), where),
        )
        self.add_entry(entry, where)
        if "partner" in item:
            self.partners.append((entity_id, item["partner"], where))
        person = entry.kind == "person"
        self.add_alias(entry.name, entity_id, "en", "name", person and not _person_name_rules("en")[0], where)
        for key, role in _JSON_ALIAS_KEYS:
            by_lang = item.get(key, {})
            if not isinstance(by_lang, dict):
                raise KBError(f"{where}: {key} must map a language to a list of forms")
            for lang, texts in by_lang.items():
                if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
                    raise KBError(f"{where}: {key}.{lang} must be a list of strings")
                matched_on_lemmas, inflect = _person_name_rules(lang) if person else (False, None)
                for text in texts:
                    # A person's name is matched as written ("Rice", "Truss") unless the language matches
                    # names on lemmas, which needs them folded.
                    self.add_alias(text, entity_id, lang, role, person and not matched_on_lemmas, where)
                    # Names decline in some languages and lemmas miss many ("Токаева" -> "токаева"): the
                    # language's name paradigm lists the oblique forms, matched as written.
                    for form in inflect(text) if inflect else ():
                        self.add_alias(form, entity_id, lang, role, True, where)

    def _terms(self, items: Any, where: str) -> tuple[Term, ...]:
        if not isinstance(items, list):
            raise KBError(f"{where}: terms must be a list")
        terms = []
        for item in items:
            if not isinstance(item, dict) or set(item) - {"office", "of", "from", "to", "note"}:
                raise KBError(f"{where}: a term has office, of, from, to (and note): {item!r}")
            start, end = item.get("from"), item.get("to")
            for value in (start, end):
                if value is not None and not (isinstance(value, str) and _FOUNDED.fullmatch(value)):
                    raise KBError(f"{where}: term dates are YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}")
            if not isinstance(start, str):
                raise KBError(f"{where}: a term needs its start ('from')")
            if end is not None and _period(end)[1] < _period(start)[0]:
                raise KBError(f"{where}: a term ends before it starts: {item!r}")
            terms.append(Term(office=str(item.get("office")), of=str(item.get("of")), start=start, end=end))
        return tuple(terms)

    def read_offices(self, data: Path) -> None:
        path = data / "offices.json"
        doc = json.loads(path.read_text(encoding="utf-8"))
        if not doc.get("_sources"):
            raise KBError(f"{path.name}: no _sources")
        for item in doc["offices"]:
            self.offices.add(item["id"])
            for body in item.get("bodies", []):
                self.heads[body] = item["id"]
            for lang, texts in item.get("titles", {}).items():
                if lang not in ALIAS_LANGS:
                    raise KBError(f"{path.name} ({item['id']}): unknown language {lang!r}")
                self.titles.setdefault(lang, []).extend((" ".join(t.split()), item["id"]) for t in texts)

    # checks and finishing -------------------------------------------------------------------------

    def check_entries(self) -> None:
        countries = {eid for eid, e in self.entries.items() if e.kind == "country"}
        for entity_id, entry in self.entries.items():
            where = self.where[entity_id]
            if entry.kind not in ENTRY_KINDS:
                raise KBError(f"{where}: unknown kind {entry.kind!r}")
            pattern = _COUNTRY_ID if entry.kind == "country" else _SLUG_ID
            if not pattern.fullmatch(entity_id):
                raise KBError(f"{where}: malformed id {entity_id!r} for a {entry.kind}")
            if not entry.name:
                raise KBError(f"{where}: empty name")
            if entry.wikidata is not None and not _QID.fullmatch(entry.wikidata):
                raise KBError(f"{where}: malformed wikidata id {entry.wikidata!r}")
            if entry.founded is not None and not _FOUNDED.fullmatch(entry.founded):
                raise KBError(f"{where}: founded must be YYYY, YYYY-MM or YYYY-MM-DD, not {entry.founded!r}")
            if entry.geonameid is not None and (not isinstance(entry.geonameid, int) or entry.geonameid <= 0):
                raise KBError(f"{where}: malformed geonameid {entry.geonameid!r}")
            refs = [("country", entry.country), ("capital_of", entry.capital_of)]
            refs += [("members", member) for member in entry.members]
            refs += [("membership", m.member) for m in entry.membership]
            for field, ref in refs:
                if ref is not None and ref not in countries:
                    raise KBError(f"{where}: {field} {ref!r} is not a country id")
            if len(set(entry.members)) != len(entry.members):
                raise KBError(f"{where}: repeated member")
            for term in entry.terms:
                if term.office not in self.offices:
                    raise KBError(f"{where}: unknown office {term.office!r}")
                if term.of not in self.entries or self.entries[term.of].kind not in (
                    "country",
                    "organization",
                ):
                    raise KBError(
                        f"{where}: a term's 'of' must be a country or organisation, not {term.of!r}"
                    )
        for body in self.heads:
            if body not in self.entries or not self.entries[body].country:
                raise KBError(f"offices.json: body {body!r} is not an organisation with a country")
        for entity_id, partner, where in self.partners:
            if partner not in self.entries:
                raise KBError(f"{where}: partner {partner!r} of {entity_id!r} is not an entry")

    def finish_aliases(self) -> list[Alias]:
        """Check targets, apply the case-sensitive word list and drop duplicates."""
        merged: dict[tuple[str, str, str], Alias] = {}
        for alias, where in self.aliases:
            if alias.entity_id not in self.entries:
                raise KBError(f"{where}: alias {alias.text!r} names unknown entry {alias.entity_id!r}")
            sensitive = alias.case_sensitive or any(
                (alias.text, lang) in self.case_sensitive_words for lang in (alias.lang, "*")
            )
            key = (alias.text, alias.entity_id, alias.lang)
            previous = merged.get(key)
            if previous is None:
                merged[key] = Alias(alias.text, alias.entity_id, alias.lang, alias.role, sensitive)
            elif sensitive and not previous.case_sensitive:
                merged[key] = Alias(previous.text, previous.entity_id, previous.lang, previous.role, True)
        star = {(a.text, a.entity_id) for a in merged.values() if a.lang == "*"}
        return [a for a in merged.values() if a.lang == "*" or (a.text, a.entity_id) not in star]


def load_dir(data: Path, extra: Iterable[Path] = ()) -> KnowledgeBase:
    """Build a knowledge base from the data files in ``data`` and the ``imported-*.json`` files of the
    folders ``extra`` (uncached; raises :class:`KBError`)."""
    builder = _Builder()
    builder.read_case_sensitive(data)
    builder.read_offices(data)
    builder.read_countries(data)
    builder.read_alias_csv(data, "country_names.csv", "country")
    builder.read_alias_csv(data, "country_variants.csv", "country")
    builder.read_places(data)
    builder.read_alias_csv(data, "metonyms.csv", "entity", default_role="metonym")
    # Files written by ``storyline kb import`` (``imported-*.json``) extend the base.
    imported = sorted(p.name for p in data.glob("imported-*.json"))
    for name in ("regions.json", "organizations.json", "formats.json", "persons.json", *imported):
        builder.read_json(data, name)
    for folder in extra:
        for path in sorted(folder.glob("imported-*.json")):
            builder.read_json(folder, path.name)
    builder.read_demonyms(data)
    builder.check_entries()
    aliases = builder.finish_aliases()
    titles = {lang: tuple(pairs) for lang, pairs in builder.titles.items()}
    return KnowledgeBase(builder.entries, aliases, titles, builder.heads)


# Folders (separated by the path separator) whose ``imported-*.json`` files extend the package's base.
KB_PATH_VARIABLE = "STORYLINE_KB_PATH"


@functools.cache
def load() -> KnowledgeBase:
    """The knowledge base of the package data files and of the folders named by ``STORYLINE_KB_PATH``,
    loaded once per process."""
    extra = [Path(p) for p in os.environ.get(KB_PATH_VARIABLE, "").split(os.pathsep) if p]
    with resources.as_file(resources.files(__name__) / "data") as data:
        return load_dir(Path(data), extra)


# Inflection paradigms a demonym row (or a language's ``person_name_paradigm``) may name: the language they
# belong to and the function that inflects.
PARADIGMS: dict[str, tuple[str, Callable[[str], Iterable[str]]]] = {
    "ru-adj": ("ru", russian_adjective_forms),
    "ru-name": ("ru", russian_name_forms),
}


@functools.cache
def _person_name_rules(lang: str) -> tuple[bool, Callable[[str], Iterable[str]] | None]:
    """How a language's names of people are matched: on lemmas (so folded) or as written, and the paradigm
    that lists their inflected forms (the language's ``entities.json``)."""
    language = languages.get(lang)
    if language is None:
        return False, None
    resource = language.resource("entities")
    paradigm = resource.get("person_name_paradigm")
    if paradigm is not None and (paradigm not in PARADIGMS or PARADIGMS[paradigm][0] != lang):
        raise KBError(f"languages/{lang}/entities.json: unknown person_name_paradigm {paradigm!r}")
    return bool(resource.get("match_lemmas")), PARADIGMS[paradigm][1] if paradigm else None


def _membership(rows: Any, where: str) -> tuple[Membership, ...]:
    if not isinstance(rows, list):
        raise KBError(f"{where}: membership must be a list")
    out = []
    for row in rows:
        try:
            start = date.fromisoformat(row["from"])
            end = date.fromisoformat(row["to"]) if row.get("to") else None
        except (KeyError, TypeError, ValueError) as exc:
            raise KBError(
                f"{where}: membership rows need 'member', 'from' (YYYY-MM-DD) and an optional 'to': {row!r}"
            ) from exc
        out.append(Membership(member=row["member"], start=start, end=end))
    return tuple(out)

"""Extending the knowledge base from Wikidata: a JSON dump of entities or a SPARQL query's JSON result.

What is read:

* a **JSON dump**: the ``{"entities": {"Q…": {…}}}`` document of ``Special:EntityData``, a list of entities,
  or the dump format (one entity per line between ``[`` and ``]``). Each entity gives its ``labels`` and
  ``aliases`` in several languages; ``P31`` (instance of) ``Q5`` (human) makes it a person, anything else an
  organisation; each ``P39`` (position held) with its ``P580``/``P582`` (start/end time) qualifiers becomes a
  term. An imported organisation acts as itself: in the base, ``country`` marks a state's own bodies
  (ministries), which act as the state, and a company's ``P17`` says no such thing.
* a **SPARQL result** (``{"head": …, "results": {"bindings": […]}}``), one row per item and label or per
  item and position held. Variables read: ``item`` (or ``person``/``org``), ``itemLabel``/``label`` and
  ``altLabel``/``alias`` (language-tagged literals), ``kind`` (``person`` or ``organization``; else a
  person when it holds a position), ``position``, ``start``, ``end``.

A position becomes a term when the base can say which office of which country it is: from ``positions`` in
``offices.json`` (Wikidata items of positions, with office and ``of``), or from the position's own entity in
the same dump (``P279`` subclass of head of state ``Q48352`` / head of government ``Q2285706``, or its English
label matched against the offices' English titles, and ``P17`` or ``P1001`` for the country). Positions the
base cannot place are left out: a term is recorded only when it is sure.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.kb import ALIAS_LANGS, KnowledgeBase, load

__all__ = ["ImportResult", "import_file", "known_positions", "read_wikidata", "write_entries"]

_ENTITY_URI = re.compile(r"(?:https?://www\.wikidata\.org/entity/)?(Q[1-9][0-9]*)$")
_HUMAN = "Q5"
_OFFICE_CLASSES = {"Q48352": "head-of-state", "Q2285706": "head-of-government"}
LANGS = tuple(lang for lang in ALIAS_LANGS if lang != "*")


@dataclass
class _Item:
    qid: str
    kind: str | None = None
    labels: dict[str, list[str]] = field(default_factory=dict)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    positions: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    country: str | None = None  # an ISO alpha-3 code or a Wikidata item
    subclass_of: set[str] = field(default_factory=set)
    jurisdiction: str | None = None


@dataclass
class ImportResult:
    """What an import produced: the entries in the base's JSON format and what was left out, and why."""

    entries: list[dict[str, Any]]
    skipped: list[str]


def _qid(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("id") or value.get("value")
    if not isinstance(value, str):
        return None
    m = _ENTITY_URI.search(value.strip())
    return m.group(1) if m else None


def _day(value: Any, precision: int | None = None) -> str | None:
    """A Wikidata time (``+2019-03-20T00:00:00Z``) or xsd:dateTime as YYYY, YYYY-MM or YYYY-MM-DD, as
    precise as the source says (precision 9 = year, 10 = month, 11 = day)."""
    if isinstance(value, dict):
        precision = value.get("precision", precision)
        value = value.get("time") or value.get("value")
    if not isinstance(value, str):
        return None
    m = re.match(r"[+]?(\d{4})-(\d{2})-(\d{2})", value)
    if not m:
        return None
    year, month, day = m.groups()
    if (precision is not None and precision <= 9) or month == "00":
        return year
    if precision == 10 or day == "00":
        return f"{year}-{month}"
    return f"{year}-{month}-{day}"


def _snaks(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    return list(entity.get("claims", {}).get(prop, []))


def _snak_value(snak: dict[str, Any]) -> Any:
    return snak.get("datavalue", {}).get("value")


def _from_entity(entity: dict[str, Any]) -> _Item | None:
    qid = _qid(entity.get("id"))
    if qid is None:
        return None
    item = _Item(qid)
    for lang, label in entity.get("labels", {}).items():
        if lang in LANGS and isinstance(label, dict) and label.get("value"):
            item.labels.setdefault(lang, []).append(label["value"])
    for lang, aliases in entity.get("aliases", {}).items():
        if lang in LANGS:
            item.aliases.setdefault(lang, []).extend(a["value"] for a in aliases if a.get("value"))
    kinds = {_qid(_snak_value(c.get("mainsnak", {}))) for c in _snaks(entity, "P31")}
    item.kind = "person" if _HUMAN in kinds else "organization"
    for claim in _snaks(entity, "P39"):
        position = _qid(_snak_value(claim.get("mainsnak", {})))
        qualifiers = claim.get("qualifiers", {})
        start = next((_day(_snak_value(q)) for q in qualifiers.get("P580", [])), None)
        end = next((_day(_snak_value(q)) for q in qualifiers.get("P582", [])), None)
        if position:
            item.positions.append((position, start, end))
    for prop in ("P17", "P1001"):
        for claim in _snaks(entity, prop):
            value = _qid(_snak_value(claim.get("mainsnak", {})))
            if value and prop == "P17":
                item.country = item.country or value
            elif value:
                item.jurisdiction = item.jurisdiction or value
    item.subclass_of = {q for c in _snaks(entity, "P279") if (q := _qid(_snak_value(c.get("mainsnak", {}))))}
    return item


def _entities_of(doc: Any) -> list[dict[str, Any]]:
    if isinstance(doc, dict) and isinstance(doc.get("entities"), dict):
        return list(doc["entities"].values())
    if isinstance(doc, list):
        return [e for e in doc if isinstance(e, dict)]
    if isinstance(doc, dict) and "id" in doc:
        return [doc]
    raise ValueError("not a Wikidata JSON dump: expected {'entities': {...}} or a list of entities")


def _load_json(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        # the dump format: "[", one entity per line ending with ",", "]"
        lines = [line.strip().rstrip(",") for line in text.splitlines()]
        return [json.loads(line) for line in lines if line and line not in ("[", "]")]


def _from_sparql(doc: dict[str, Any]) -> dict[str, _Item]:
    items: dict[str, _Item] = {}
    for row in doc.get("results", {}).get("bindings", []):

        def value(*names: str, row: dict[str, Any] = row) -> tuple[str | None, str | None]:
            for name in names:
                if name in row:
                    return row[name].get("value"), row[name].get("xml:lang")
            return None, None

        qid = _qid(value("item", "person", "org", "organization")[0])
        if qid is None:
            continue
        item = items.setdefault(qid, _Item(qid))
        text, lang = value("itemLabel", "personLabel", "orgLabel", "label")
        if text and lang in LANGS and text not in item.labels.get(lang, []):
            item.labels.setdefault(lang, []).append(text)
        text, lang = value("altLabel", "alias")
        if text and lang in LANGS and text not in item.aliases.get(lang, []):
            item.aliases.setdefault(lang, []).append(text)
        kind = value("kind")[0]
        if kind in ("person", "organization"):
            item.kind = kind
        country = value("country")[0]
        if country:
            item.country = _qid(country) or country.strip()
        position = _qid(value("position")[0])
        if position:
            term = (position, _day(value("start")[0]), _day(value("end")[0]))
            if term not in item.positions:
                item.positions.append(term)
            item.kind = item.kind or "person"
    return items


def read_wikidata(path: Path) -> dict[str, _Item]:
    """The items of a Wikidata JSON dump or SPARQL result file, by QID."""
    doc = _load_json(path)
    if isinstance(doc, dict) and "results" in doc and "head" in doc:
        return _from_sparql(doc)
    items = {}
    for entity in _entities_of(doc):
        item = _from_entity(entity)
        if item is not None:
            items[item.qid] = item
    return items


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def _country_id(base: KnowledgeBase, value: str | None) -> str | None:
    if value is None:
        return None
    if re.fullmatch(r"[A-Z]{3}", value):
        entry = base.get(value)
        return value if entry is not None and entry.kind == "country" else None
    for entry in base.entries.values():
        if entry.wikidata == value and entry.kind in ("country", "organization"):
            return entry.id
    return None


def _position_office(
    base: KnowledgeBase, known: dict[str, tuple[str, str]], items: dict[str, _Item], position: str
) -> tuple[str, str] | None:
    if position in known:
        return known[position]
    item = items.get(position)
    if item is None:
        return None
    of = _country_id(base, item.jurisdiction or item.country)
    if of is None:
        return None
    for cls in sorted(item.subclass_of):
        if cls in _OFFICE_CLASSES:
            return _OFFICE_CLASSES[cls], of
    label = " ".join(item.labels.get("en", [])).casefold()
    offices = {o for t, o in base.titles_for("en") if re.search(rf"\b{re.escape(t.casefold())}\b", label)}
    return (offices.pop(), of) if len(offices) == 1 else None


def known_positions() -> dict[str, tuple[str, str]]:
    """Wikidata position items the package's ``offices.json`` maps to (office, country or body)."""
    from importlib import resources

    doc = json.loads((resources.files("storyline.kb") / "data" / "offices.json").read_text(encoding="utf-8"))
    return {
        qid: (value["office"], value["of"])
        for qid, value in doc.get("positions", {}).items()
        if isinstance(value, dict)
    }


def import_file(
    path: Path, base: KnowledgeBase | None = None, positions: dict[str, tuple[str, str]] | None = None
) -> ImportResult:
    """Entries for the base from a Wikidata dump or SPARQL result: people with their terms, organisations
    with their names; items the base already has (same Wikidata id) are left out."""
    base = base or load()
    known = known_positions() if positions is None else positions
    items = read_wikidata(path)
    have = {e.wikidata: e.id for e in base.entries.values() if e.wikidata}
    held = {p for item in items.values() for p, _, _ in item.positions}
    entries: list[dict[str, Any]] = []
    skipped: list[str] = []
    ids = set(base.entries)
    for qid, item in items.items():
        if qid in held and not item.positions:
            continue  # a position described in the dump, not an entity of its own
        # the canonical name is English where the item has one (the base's convention), else the first label
        labels = item.labels.get("en") or next(
            (item.labels[lang] for lang in LANGS if item.labels.get(lang)), []
        )
        name = labels[0] if labels else None
        if name is None:
            skipped.append(f"{qid}: no label in {', '.join(LANGS)}")
            continue
        if qid in have:
            skipped.append(f"{qid} ({name}): already in the base as {have[qid]}")
            continue
        slug = _slug(name) or qid.lower()
        entity_id = slug if slug not in ids else f"{slug}-{qid.lower()}"
        ids.add(entity_id)
        kind = item.kind or "organization"
        entry: dict[str, Any] = {"id": entity_id, "kind": kind, "name": name, "wikidata": qid}
        names = {lang: list(dict.fromkeys(v)) for lang, v in sorted(item.labels.items())}
        entry["names"] = names
        aliases = {
            lang: [a for a in dict.fromkeys(v) if a not in names.get(lang, [])]
            for lang, v in sorted(item.aliases.items())
        }
        if any(aliases.values()):
            entry["short"] = {lang: v for lang, v in aliases.items() if v}
        terms = []
        for position, start, end in item.positions:
            office = _position_office(base, known, items, position)
            if office is None:
                skipped.append(f"{qid} ({name}): position {position} is not an office the base knows")
                continue
            if start is None:
                skipped.append(f"{qid} ({name}): position {position} has no start date")
                continue
            term = {"office": office[0], "of": office[1], "from": start}
            if end is not None:
                term["to"] = end
            terms.append(term)
        if terms:
            entry["terms"] = sorted(terms, key=lambda t: t["from"])
        entries.append(entry)
    return ImportResult(entries, skipped)


def write_entries(result: ImportResult, source: Path, into: Path) -> Path:
    """Write the entries as ``imported-<name>.json`` in ``into`` (the base's JSON format)."""
    into.mkdir(parents=True, exist_ok=True)
    target = into / f"imported-{_slug(source.stem) or 'wikidata'}.json"
    doc = {
        "_sources": [
            f"imported by 'storyline kb import' from {source.name} (Wikidata, CC0)",
            "terms from P39 (position held) with P580/P582; names from labels, other forms from aliases",
        ],
        "entries": result.entries,
    }
    target.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return target

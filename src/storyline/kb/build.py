"""Regenerate the generated country files of the knowledge base.

Run ``python -m storyline.kb.build`` to rewrite ``data/countries.csv`` and
``data/country_names.csv`` from pycountry (ISO 3166-1 and its translations) and babel
(CLDR territory names), plus the hand-written ``country_overrides.csv`` and
``country_wikidata.csv``. ``python -m storyline.kb.build --check`` exits non-zero if the
shipped files differ from what the installed libraries would produce.

Everything else under ``data/`` is written by hand; see ``data/SOURCES.md``.
"""

from __future__ import annotations

import argparse
import csv
import gettext
import io
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = ("en", "fr", "ru")

COUNTRIES_FILE = "countries.csv"
NAMES_FILE = "country_names.csv"

_PAREN = re.compile(r"\s*\([^)]*\)")
# Abbreviations CLDR uses in Russian territory names, spelled out as news text writes them.
_RU_ABBREVIATIONS = ((r"\bо-ва\b", "острова"), (r"\bо-в\b", "остров"))


def library_versions() -> str:
    """The versions of the libraries the generated files come from."""
    from importlib.metadata import version

    import babel
    from babel.core import get_cldr_version

    return f"pycountry {version('pycountry')}, babel {babel.__version__} (CLDR {get_cldr_version()})"


def _read_hand_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def clean_name(text: str) -> str:
    """Normalise a name taken from a library to the form it takes in running text."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\u0301", "")  # stress marks in some Russian translations
    text = text.replace("\u2019", "'")
    text = re.sub(r"\s+-\s+", "-", text)  # CLDR "Congo - Kinshasa" -> "Congo-Kinshasa"
    return " ".join(text.split())


def _variants(text: str, lang: str) -> list[str]:
    """The name itself plus simple spelled-out variants of it."""
    out = [text]
    if lang == "ru":
        spelled = text
        for pattern, repl in _RU_ABBREVIATIONS:
            spelled = re.sub(pattern, repl, spelled)
        if spelled != text:
            out = [spelled]
    if lang == "en":
        for current in list(out):
            alt = current.replace(" & ", " and ")
            alt = re.sub(r"\bSt\. ", "Saint ", alt)
            if alt != current:
                out.append(alt)
    return out


def _is_inverted(name: str) -> bool:
    """ISO's inverted list forms ("Korea, Republic of") never occur in running text."""
    return "," in name


def generate() -> tuple[list[list[str]], list[list[str]]]:
    """Return (countries rows, country name rows), headers excluded."""
    import pycountry
    from babel import Locale

    overrides = {row["id"]: row["name"] for row in _read_hand_csv("country_overrides.csv")}
    qids = {row["id"]: row["wikidata"] for row in _read_hand_csv("country_wikidata.csv")}
    unknown = (set(overrides) | set(qids)) - {c.alpha_3 for c in pycountry.countries}
    if unknown:
        raise SystemExit(f"unknown country ids in hand-written files: {sorted(unknown)}")

    cldr = {lang: Locale(lang).territories for lang in LANGS}
    translations = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in ("fr", "ru")
    }

    countries: list[list[str]] = []
    # (lang, country) -> ordered list of (name, is_stripped_form)
    names: dict[tuple[str, str], list[tuple[str, bool]]] = defaultdict(list)

    for country in sorted(pycountry.countries, key=lambda c: c.alpha_3):
        alpha3, alpha2 = country.alpha_3, country.alpha_2
        common = getattr(country, "common_name", None)
        official = getattr(country, "official_name", None)
        canonical = overrides.get(alpha3) or common or country.name
        countries.append([alpha3, alpha2, canonical, qids.get(alpha3, "")])

        iso_sources = [s for s in (country.name, common, official) if s and not _is_inverted(s)]
        for lang in LANGS:
            raw: list[str] = []
            if lang == "en":
                raw.append(canonical)
            if alpha2 in cldr[lang]:
                raw.append(cldr[lang][alpha2])
            for source in iso_sources:
                raw.append(source if lang == "en" else translations[lang].gettext(source))
            for item in raw:
                item = clean_name(item)
                if not item or _is_inverted(item):
                    continue
                for variant in _variants(item, lang):
                    names[(lang, alpha3)].append((variant, False))
                    base = _PAREN.sub("", variant).strip()
                    if base and base != variant:
                        names[(lang, alpha3)].append((base, True))

    # A form obtained by dropping a parenthesis is kept only if no other country has it.
    owners: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (lang, alpha3), forms in names.items():
        for text, _ in forms:
            owners[(lang, text.casefold())].add(alpha3)

    rows: list[list[str]] = []
    for (lang, alpha3), forms in sorted(names.items(), key=lambda kv: (kv[0][1], LANGS.index(kv[0][0]))):
        seen: set[str] = set()
        for text, is_base in forms:
            key = text.casefold()
            if key in seen:
                continue
            if is_base and len(owners[(lang, key)]) > 1:
                continue
            seen.add(key)
            rows.append([text, lang, alpha3, "name"])
    return countries, rows


def _render(comment: str, header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    out.write(f"# source: {comment}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def render_files() -> dict[str, str]:
    """The generated files' names and full contents."""
    countries, rows = generate()
    versions = library_versions()
    return {
        COUNTRIES_FILE: _render(
            f"generated by python -m storyline.kb.build from ISO 3166-1 ({versions}), "
            "country_overrides.csv and country_wikidata.csv; do not edit",
            ["id", "alpha2", "name", "wikidata"],
            countries,
        ),
        NAMES_FILE: _render(
            f"generated by python -m storyline.kb.build from CLDR territory names and ISO 3166-1 "
            f"names with their translations ({versions}); do not edit",
            ["text", "lang", "country", "role"],
            rows,
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storyline.kb.build", description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    stale = []
    for name, content in render_files().items():
        path = DATA_DIR / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != content:
                stale.append(name)
        else:
            path.write_text(content, encoding="utf-8")
            print(f"wrote {path} ({content.count(chr(10)) - 2} rows)")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python -m storyline.kb.build)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

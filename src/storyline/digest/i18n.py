"""The digest's interface text in the reader's language: gettext catalogues, dates and numbers.

Each language folder of :mod:`storyline.languages` may hold a ``messages.po``: that language can then be
chosen for a digest. Adding a language means adding its folder and catalogue; the list is read from the
folders, never written in code. The catalogues are compiled when first used (babel reads the ``.po`` and
writes the ``.mo`` bytes in memory), so no binary file is kept in the repository and a translator's edit
shows on the next run.

The template ``messages.pot`` beside this module lists every message the code and the templates use;
``python -m storyline.digest.i18n`` writes it again from the sources (:func:`extract`), and the tests check
that every catalogue translates all of it.

Dates and numbers go through babel in the same locale, so a French digest reads "19–20 décembre 2025" and
"2,3 milliards USD", a Russian one "19—20 декабря 2025 г." and "2,3 миллиарда USD".
"""

from __future__ import annotations

import functools
import gettext
import io
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_compact_decimal, format_decimal

from storyline import languages
from storyline.records import Interval

__all__ = [
    "CATALOGUE",
    "N_",
    "TEMPLATE",
    "Texts",
    "UnknownLanguage",
    "available",
    "catalogue_path",
    "extract",
    "texts",
    "translations",
]

HERE = Path(__file__).parent
CATALOGUE = "messages.po"  # the file name of a language's catalogue, in its folder
TEMPLATE = HERE / "messages.pot"
TEMPLATES = HERE / "templates"
DOMAIN = "storyline-digest"


class UnknownLanguage(ValueError):
    """No catalogue for the language asked for; the message lists those there are."""


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (tables built at import time)."""
    return message


def catalogue_path(code: str) -> Path:
    return languages.HERE / code / CATALOGUE


def available() -> tuple[str, ...]:
    """The codes of the languages a digest can be written in: the folders that hold a catalogue."""
    return tuple(sorted(p.parent.name for p in languages.HERE.glob(f"*/{CATALOGUE}")))


def _read_catalogue(path: Path, code: str) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=code, domain=DOMAIN)


@functools.cache
def translations(code: str) -> gettext.GNUTranslations:
    """The compiled catalogue of ``code`` (compiled once per process)."""
    path = catalogue_path(code)
    if not path.exists():
        raise UnknownLanguage(
            f"no interface catalogue for language {code!r}; available: {', '.join(available()) or 'none'}"
        )
    compiled = io.BytesIO()
    write_mo(compiled, _read_catalogue(path, code))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


_MONTH = re.compile(r"(?<!M)MMM(?!M)")


@dataclass(frozen=True)
class Texts:
    """The interface words, dates and numbers of one language: what a template or a message needs."""

    code: str
    catalogue: gettext.GNUTranslations

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.code)

    # -- words ------------------------------------------------------------------------------------------

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)

    def counted(self, singular: str, plural: str, n: int) -> str:
        """A count with its noun in the right plural form: ``counted("%(num)d event", "%(num)d events", 3)``."""
        return self.ngettext(singular, plural, n) % {"num": n}

    def colon(self) -> str:
        """What separates a label from its value ("Status: took place"; French puts a no-break space
        before the colon)."""
        # TRANSLATORS: the separator between a label and its value (French: a no-break space, ":" and a space)
        return self.gettext(": ")

    def names(self, items: Sequence[str]) -> str:
        """A list of names as the language writes it: "Japan, Kazakhstan and Uzbekistan"."""
        return format_list(list(items), locale=self.code) if items else ""

    # -- dates ------------------------------------------------------------------------------------------

    def day(self, value: date | None) -> str:
        """A day in full: "20 December 2025" (en: "December 20, 2025"), "20 декабря 2025 г."."""
        return format_date(value, "long", locale=self.code) if value is not None else self.gettext("undated")

    def short_day(self, value: date) -> str:
        return format_date(value, "medium", locale=self.code)

    def moment(self, value: datetime) -> str:
        """A moment to the minute, in UTC when the value is aware: "22 décembre 2025, 07:00 UTC"."""
        if value.tzinfo is None:
            return f"{self.day(value.date())}, {format_time(value, 'short', locale=self.code)}"
        utc = value.astimezone(UTC)
        return f"{self.day(utc.date())}, {format_time(utc, 'short', locale=self.code, tzinfo=UTC)} UTC"

    def days(self, start: date, end: date, *, short: bool = False) -> str:
        """A span of days with the language's interval pattern: "19–20 décembre 2025", "Dec 15 – 21, 2025".

        CLDR's interval patterns abbreviate the month; for the long form the month field is widened, so
        Russian keeps its genitive ("19—20 декабря 2025 г.")."""
        if start == end:
            return self.short_day(start) if short else self.day(start)
        if start > end:
            start, end = end, start
        patterns = self.locale.interval_formats["yMMMd"]
        field = "y" if start.year != end.year else "M" if start.month != end.month else "d"
        first, second = patterns[field]
        if not short:
            first, second = _MONTH.sub("MMMM", first), _MONTH.sub("MMMM", second)
        return format_date(start, first, locale=self.code) + format_date(end, second, locale=self.code)

    def interval(self, value: Interval | None) -> str:
        """When an event is or was, as precisely as the sources said it: a day, days, a month, a year."""
        if value is None:
            return self.gettext("date unknown")
        start, end, grain = value.start, value.end, value.granularity
        if grain == "year" and start.year == end.year:
            return str(start.year)
        if grain == "month" and (start.year, start.month) == (end.year, end.month):
            return format_skeleton("yMMMM", start, locale=self.code)
        if grain == "quarter" and (start.year, (start.month - 1) // 3) == (end.year, (end.month - 1) // 3):
            return format_skeleton("yQQQQ", start, locale=self.code)
        text = self.days(start, end)
        if grain in ("approximate", "season", "decade"):
            return self.gettext("around %(when)s") % {"when": text}
        return text

    # -- numbers ----------------------------------------------------------------------------------------

    def number(self, value: float) -> str:
        """A number in the locale: "950 000", "2,3 milliards" (words from a million on)."""
        if abs(value) >= 1_000_000:
            return format_compact_decimal(value, format_type="long", locale=self.code, fraction_digits=2)
        return format_decimal(value, format="#,##0.##", locale=self.code)

    def amount(self, value: float, unit: str) -> str:
        """A quantity with its unit as the source gave it: "2,3 milliards USD", "1,5 million tonnes"."""
        return f"{self.number(value)}\u00a0{unit}" if unit else self.number(value)

    def rate(self, value: float) -> str:
        return format_decimal(value, format="#,##0.####", locale=self.code)


def texts(code: str) -> Texts:
    """The :class:`Texts` of a language; :class:`UnknownLanguage` when it has no catalogue."""
    return Texts(code, translations(code))


# -- the template: every message the code and templates use ----------------------------------------------

_METHODS = [
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**/templates/**.md", "jinja2"),
    ("**.py", "python"),
]
_OPTIONS = {"**/templates/**": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}
_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "counted": (1, 2)}


def _messages() -> Iterator[tuple[str, int, str | tuple[str, ...], list[str]]]:
    for filename, lineno, message, comments, _context in extract_from_dir(
        str(HERE),
        method_map=_METHODS,
        options_map=_OPTIONS,
        keywords=_KEYWORDS,
        comment_tags=("TRANSLATORS:",),
    ):
        yield filename, lineno, message, comments


def extract() -> Catalog:
    """Every message of the digest's code and templates, as a catalogue template (no translations)."""
    catalog = Catalog(project="storyline", domain=DOMAIN, charset="utf-8", fuzzy=False)
    catalog.header_comment = (
        "# The interface messages of storyline's digests and alerts.\n"
        "# Written by `python -m storyline.digest.i18n` from the code and templates of storyline/digest;\n"
        "# each language translates them in storyline/languages/<code>/messages.po."
    )
    for filename, lineno, message, comments in _messages():
        catalog.add(message, locations=[(filename, lineno)], auto_comments=comments)
    return catalog


def write_template(path: Path = TEMPLATE) -> None:
    """Write the catalogue template (``messages.pot``) from the sources."""
    with path.open("wb") as handle:
        write_po(handle, extract(), omit_header=False, sort_output=True, include_lineno=False, width=110)


if __name__ == "__main__":  # python -m storyline.digest.i18n: refresh messages.pot
    write_template()
    sys.stdout.write(f"{TEMPLATE}: {len(extract())} messages\n")

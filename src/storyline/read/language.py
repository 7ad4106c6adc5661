"""Which language a document is in, with lingua, among the languages the engine reads and a set of others
that news often comes in (so that a German article is told German, not forced into French)."""

from __future__ import annotations

from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from storyline import languages

# Languages we do not read but must not mistake for ours.
OTHERS = (
    "GERMAN",
    "SPANISH",
    "ITALIAN",
    "PORTUGUESE",
    "DUTCH",
    "TURKISH",
    "UKRAINIAN",
    "KAZAKH",
    "POLISH",
    "CHINESE",
    "JAPANESE",
    "KOREAN",
    "ARABIC",
    "PERSIAN",
)
SAMPLE = 4000  # characters: enough to tell, and keeps detection fast on long documents


@cache
def detector() -> LanguageDetector:
    names = {language.lingua for language in languages.available().values()} | set(OTHERS)
    return LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in sorted(names))).build()


def detect(text: str) -> str:
    """ISO 639-1 code of the text's language, or "und" when it cannot be told."""
    found = detector().detect_language_of(text[:SAMPLE])
    if found is None:
        return "und"
    code: IsoCode639_1 = found.iso_code_639_1
    return str(code.name).lower()

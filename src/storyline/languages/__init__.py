"""Languages are data: each sub-folder with a ``language.json`` is a language the engine reads.

A language folder holds its metadata (``language.json``: code, name, the lingua detector's name for it, the
NLP backend and model to use) and its resources as JSON files (``time.json``, ``events.json``,
``figures.json``, ``text.json`` ...). The core asks a :class:`Language` for a resource by name; it never
tests a language's code. Adding a language means adding a folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@dataclass(frozen=True, eq=False)
class Language:
    code: str
    name: str
    lingua: str
    nlp: dict[str, Any]
    folder: Path
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def resource(self, name: str) -> dict[str, Any]:
        """The language's resource ``<name>.json`` (an empty dict when the language has none)."""
        if name not in self._cache:
            path = self.folder / f"{name}.json"
            self._cache[name] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        resource: dict[str, Any] = self._cache[name]
        return resource


@cache
def available() -> dict[str, Language]:
    """Every language folder shipped with the package, by ISO 639-1 code."""
    found: dict[str, Language] = {}
    for meta_path in sorted(HERE.glob("*/language.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        found[meta["code"]] = Language(
            code=meta["code"],
            name=meta["name"],
            lingua=meta["lingua"],
            nlp=meta["nlp"],
            folder=meta_path.parent,
        )
    return found


def get(code: str) -> Language | None:
    return available().get(code)

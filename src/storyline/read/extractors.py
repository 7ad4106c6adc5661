"""Event extractors are pluggable: a backend is a function from the reading context to event mentions.

The reading pipeline's ``events`` step asks this registry for the configured backend (``STORYLINE_EVENTS``
in the environment, "rules" by default). The rules-and-parse backend is :func:`storyline.read.events.extract`;
another one (a trained model, a local LLM server) registers itself under its own name and receives the same
context: the text, its parse, the entities, times and publication date found by the earlier steps.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from storyline.read.context import Context
from storyline.records import EventMention

Extractor = Callable[[Context], list[EventMention]]
_BACKENDS: dict[str, Extractor] = {}
DEFAULT = "rules"


def register(name: str) -> Callable[[Extractor], Extractor]:
    """Decorator: make ``function`` the backend called ``name``."""

    def decorate(function: Extractor) -> Extractor:
        _BACKENDS[name] = function
        return function

    return decorate


def backend(name: str | None = None) -> Extractor:
    chosen = name or os.environ.get("STORYLINE_EVENTS", DEFAULT)
    if chosen not in _BACKENDS:
        known = ", ".join(sorted(_BACKENDS))
        raise ValueError(f"unknown event extractor {chosen!r} (known: {known})")
    return _BACKENDS[chosen]


def names() -> list[str]:
    return sorted(_BACKENDS)


def find_events(ctx: Context) -> None:
    """Step: fill ``ctx.events`` with the configured backend's events."""
    ctx.events.extend(backend()(ctx))

"""Languages are data: each is a folder of resources, and the core never names one."""

from __future__ import annotations

import json
import re

from storyline import languages

from conftest import ROOT

CORE = ROOT / "src" / "storyline"
RESOURCES = ("language", "grammar", "events", "figures", "time", "text", "entities")


def test_the_three_languages_are_folders_with_every_resource() -> None:
    found = languages.available()
    assert set(found) >= {"fr", "en", "ru"}
    for language in found.values():
        for name in RESOURCES:
            path = language.folder / f"{name}.json"
            assert path.exists(), path
            json.loads(path.read_text(encoding="utf-8"))


def test_every_event_trigger_has_a_plover_type() -> None:
    from storyline.records import EVENT_TYPES

    for language in languages.available().values():
        for trigger in language.resource("events")["triggers"]:
            assert trigger["type"] in EVENT_TYPES, trigger
            assert trigger.get("args") in ("gathering", "directed"), trigger


def test_the_core_never_tests_a_language_code() -> None:
    test = re.compile(r"""(==|!=|\bin\b)\s*\(?\s*["'](fr|en|ru)["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in CORE.rglob("*.py")
        # a language's own folder may name it; so may the script that generates the country-name data
        if "languages" not in path.parts and path.name != "build.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if test.search(line)
    ]
    assert offenders == []

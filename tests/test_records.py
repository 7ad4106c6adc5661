"""The records and their JSON Schema: generated from the models, shipped, and compatible with the contract."""

from __future__ import annotations

import json
from typing import Any

from storyline.schema import reading_schema

from conftest import ROOT

SHIPPED = ROOT / "schema" / "reading.schema.json"


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and drop the null branch of anyOf, so that a property reads like the contract's."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _resolve(root["$defs"][name], root)
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            return _resolve(branches[0], root)
    return schema


def _walk(
    contract: dict[str, Any], ours: dict[str, Any], root: dict[str, Any], path: str, problems: list[str]
) -> None:
    ours = _resolve(ours, root)
    if "enum" in contract:
        theirs = set(contract["enum"])
        mine = set(ours.get("enum", [ours["const"]] if "const" in ours else []))
        if theirs != mine:
            problems.append(f"{path}: enum {sorted(mine)} != contract {sorted(theirs)}")
    if "required" in contract and set(contract["required"]) != set(ours.get("required", [])):
        problems.append(
            f"{path}: required {sorted(ours.get('required', []))} != contract {sorted(contract['required'])}"
        )
    for name, sub in contract.get("properties", {}).items():
        if name not in ours.get("properties", {}):
            problems.append(f"{path}.{name}: missing")
            continue
        _walk(sub, ours["properties"][name], root, f"{path}.{name}", problems)
    if "items" in contract:
        _walk(contract["items"], ours.get("items", {}), root, f"{path}[]", problems)
    if isinstance(contract.get("additionalProperties"), dict):
        _walk(
            contract["additionalProperties"],
            ours.get("additionalProperties", {}),
            root,
            f"{path}{{}}",
            problems,
        )


def test_generated_schema_matches_the_contract(contract: dict[str, Any]) -> None:
    ours = reading_schema()
    problems: list[str] = []
    _walk(contract, ours, ours, "reading", problems)
    assert problems == []


def test_shipped_schema_is_the_generated_one() -> None:
    assert json.loads(SHIPPED.read_text(encoding="utf-8")) == reading_schema(), (
        "run: storyline schema > schema/reading.schema.json"
    )

"""The JSON Schema of a reading, generated from the record types (``storyline schema`` prints it)."""

from __future__ import annotations

from typing import Any

from storyline.records import Reading


def reading_schema() -> dict[str, Any]:
    schema = Reading.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "storyline-reading.schema.json"
    return schema

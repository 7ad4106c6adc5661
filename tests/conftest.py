"""Shared fixtures. Tests that need ``../shared`` (the seed article, the contract) skip cleanly without it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SHARED = ROOT.parent / "shared"
SEED = SHARED / "examples" / "seed-article.fr.txt"
SEED_GOLD = SHARED / "examples" / "seed-article.gold.json"
CONTRACT = SHARED / "schema" / "reading.schema.json"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


@pytest.fixture(scope="session")
def seed_text() -> str:
    return need(SEED).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> dict[str, Any]:
    return json.loads(need(SEED_GOLD).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def contract() -> dict[str, Any]:
    return json.loads(need(CONTRACT).read_text(encoding="utf-8"))

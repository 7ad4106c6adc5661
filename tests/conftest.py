"""Shared fixtures. Tests that need ``../shared`` (the seed article, the contract) skip cleanly without it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
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


POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def fresh_postgres() -> str:
    """A new, empty PostgreSQL database on the machine's server (dropped by :func:`drop_postgres`)."""
    import uuid

    from sqlalchemy import create_engine, text

    name = f"storyline_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = create_engine(
            POSTGRES.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # no server here: the PostgreSQL half of the suite cannot run
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES}: {type(exc).__name__}")
    return POSTGRES.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rsplit("/", 1)[1]
    admin = create_engine(
        POSTGRES.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh, empty database of each kind: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        yield str(tmp_path / "chronicle.sqlite3")
        return
    url = fresh_postgres()
    try:
        yield url
    finally:
        drop_postgres(url)


@pytest.fixture(scope="session")
def example_chronicle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example corpus's chronicle (SQLite), built once per session by ``storyline run`` (slow: it loads the
    language models). Tests that change it work on a copy (:func:`copy_chronicle`)."""
    path = tmp_path_factory.mktemp("examples") / "examples.sqlite3"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyline.cli",
            "run",
            "examples/articles",
            "--db",
            str(path),
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return path


def copy_chronicle(source: Path, folder: Path) -> str:
    """A copy of a SQLite chronicle in ``folder`` (through SQLite's backup, so the copy is consistent)."""
    target = folder / source.name
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return str(target)


def dump(url: str) -> list[str]:
    """Everything a chronicle says, as text: stories (with their events, histories, contradictions) and all
    events, in their stable order — two databases are the same chronicle when their dumps are equal."""
    from storyline.store import connect, queries

    engine = connect(url)
    try:
        return queries.dump(engine)
    finally:
        engine.dispose()

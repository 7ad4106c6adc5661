"""The chronicle's database: SQLite by default (one file), PostgreSQL for a team.

``connect(url)`` opens a database and brings its schema up to date with the Alembic migrations shipped in
the package. A URL without a scheme is a SQLite file path. SQLite runs in WAL mode with foreign keys on, so
a reader never blocks the writer and a killed run loses only its uncommitted document.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def default_url() -> str:
    """``$STORYLINE_DB``, else ``~/.local/share/storyline/storyline.sqlite3``."""
    configured = os.environ.get("STORYLINE_DB")
    if configured:
        return configured
    return str(Path.home() / ".local" / "share" / "storyline" / "storyline.sqlite3")


def normalise_url(url: str | None) -> str:
    """A SQLAlchemy URL: a bare path is a SQLite file; ``postgresql://`` uses psycopg 3."""
    url = url or default_url()
    if "://" not in url:
        path = Path(url).expanduser()
        path.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{path}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def engine_for(url: str | None) -> Engine:
    """An engine for ``url`` (see :func:`normalise_url`), without touching the schema."""
    full = normalise_url(url)
    engine = create_engine(full, future=True)
    if make_url(full).get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (creating it in an empty database)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def connect(url: str | None = None) -> Engine:
    """Open the database at ``url`` and bring its schema up to date."""
    engine = engine_for(url)
    migrate(engine)
    return engine


def integrity_problems(engine: Engine) -> list[str]:
    """What is wrong with a database: the engine's own checks (SQLite) and the chronicle's invariants."""
    problems: list[str] = []
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            if result != ["ok"]:
                problems += [f"sqlite integrity: {r}" for r in result]
            problems += [
                f"foreign key: {tuple(row)}" for row in conn.execute(text("PRAGMA foreign_key_check"))
            ]
        checks = {
            "event mention without an event": "SELECT count(*) FROM event_mentions m WHERE event_id IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM pending_documents p WHERE p.document_id = m.document_id)",
            "event without mentions": "SELECT count(*) FROM events e WHERE NOT EXISTS "
            "(SELECT 1 FROM event_mentions m WHERE m.event_id = e.id)",
            "event whose mention count is wrong": "SELECT count(*) FROM events e WHERE e.mentions <> "
            "(SELECT count(*) FROM event_mentions m WHERE m.event_id = e.id)",
            "event without keys": "SELECT count(*) FROM events e WHERE NOT EXISTS "
            "(SELECT 1 FROM event_keys k WHERE k.event_id = e.id)",
            "story without events": "SELECT count(*) FROM stories s WHERE NOT EXISTS "
            "(SELECT 1 FROM events e WHERE e.story_id = s.id)",
            "document read without a reading": "SELECT count(*) FROM documents WHERE reading IS NULL "
            "AND duplicate_kind IS DISTINCT FROM 'exact'"
            if engine.dialect.name == "postgresql"
            else "SELECT count(*) FROM documents WHERE reading IS NULL AND duplicate_kind IS NOT 'exact'",
        }
        for what, sql in checks.items():
            count = conn.execute(text(sql)).scalar_one()
            if count:
                problems.append(f"{count} {what}")
        if engine.dialect.name == "sqlite":
            fts = conn.execute(text("SELECT count(*) FROM documents_fts")).scalar_one()
            docs = conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
            if fts != docs:
                problems.append(f"full-text index holds {fts} documents, the table {docs}")
    return problems

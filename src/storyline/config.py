"""The user's configuration: a TOML file, ``$STORYLINE_CONFIG`` or ``~/.config/storyline/config.toml``.

```toml
db = "postgresql://127.0.0.1/test"     # the chronicle's database (else $STORYLINE_DB, else a SQLite file)

[fetch]
user_agent = "storyline (+mailto:newsroom@example.org)"
min_delay = 2.0                         # seconds between two requests to one host
allow_private = false                   # fetch private, loopback and link-local addresses (intranets, tests)
allow_hosts = ["news.intranet:8080"]    # hosts fetched even when private
max_bytes = 10485760
```

Command-line options win over the file; the file wins over the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from storyline.ingest.fetch import FetchConfig


class ConfigError(ValueError):
    """The configuration file cannot be used; the message says why and where."""


def config_path() -> Path:
    configured = os.environ.get("STORYLINE_CONFIG")
    return Path(configured) if configured else Path.home() / ".config" / "storyline" / "config.toml"


def load(path: Path | None = None) -> dict[str, Any]:
    """The configuration as a dict (empty when there is no file)."""
    path = path or config_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the configuration {path}: {exc}") from exc


def fetch_config(settings: dict[str, Any] | None = None, **overrides: Any) -> FetchConfig:
    """A :class:`FetchConfig` from the file's ``[fetch]`` table, then ``overrides`` that are not None."""
    table = dict((settings if settings is not None else load()).get("fetch", {}))
    known = {f.name for f in fields(FetchConfig)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"unknown [fetch] setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    table.update({k: v for k, v in overrides.items() if v is not None})
    if "allow_hosts" in table:
        table["allow_hosts"] = frozenset(table["allow_hosts"])
    try:
        return replace(FetchConfig(), **table)
    except TypeError as exc:
        raise ConfigError(f"bad [fetch] setting: {exc}") from exc


def database(settings: dict[str, Any] | None = None) -> str | None:
    value = (settings if settings is not None else load()).get("db")
    return str(value) if value else None

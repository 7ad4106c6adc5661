"""The command-line options of the Ray engine, shared by ``storyline read`` and ``storyline run`` (kept
apart from the engine so that the commands load Ray only when it is asked for)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class EngineName(StrEnum):
    local = "local"
    ray = "ray"


EngineOption = Annotated[
    EngineName,
    typer.Option(
        "--engine", help="local: processes on this machine; ray: a Ray cluster (see docs/scale.md)."
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="With --engine ray: the head of a running cluster (host:port, or ray://host:10001). Default: "
        "a local Ray instance with --workers CPUs.",
    ),
]
ShardSizeOption = Annotated[
    int,
    typer.Option(
        "--shard-size",
        min=0,
        help="With --engine ray: files of a folder per shard (0: about four per worker).",
    ),
]
BatchOption = Annotated[
    int | None,
    typer.Option(
        "--batch",
        min=1,
        help="Documents stored in one transaction, then resolved together (default: 200).",
    ),
]

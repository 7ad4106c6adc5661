"""Reading many documents in worker processes: order kept, nothing lost when a worker dies."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from storyline.ingest.sources import iter_inputs
from storyline.records import Reading
from storyline.runner import read_all

from conftest import EXAMPLES


def _workers_of(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(c) for c in text)
    return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_a_killed_worker_loses_no_document() -> None:
    items = list(iter_inputs([str(EXAMPLES / "articles")]))
    outcomes = read_all(items, workers=2)
    first = next(outcomes)
    workers = _workers_of(os.getpid())
    assert workers
    for pid in workers:
        os.kill(pid, signal.SIGKILL)  # as the kernel's memory killer would
    rest = list(outcomes)
    readings = [first, *rest]
    assert len(readings) == len(items)
    assert all(isinstance(r, Reading) for r in readings), [r for r in readings if not isinstance(r, Reading)]
    assert [r.id for r in readings] == [i.id for i in items]

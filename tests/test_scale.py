"""The Ray engine (``--engine ray``) on a real local Ray instance, with the real models and real databases:
the same readings as the local engine, a worker killed mid-job, Parquet shards written once and skipped on a
rerun, a job killed halfway and finished, loading into SQLite and PostgreSQL twice, the keep hook, and the
one-line errors when there is no cluster to reach."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from storyline.ingest.sources import RawInput, iter_inputs
from storyline.ingest.warc import write_synthetic_warc
from storyline.ingest.web import iter_sources
from storyline.scale.cluster import check_head, check_loopback, connect, head_endpoint
from storyline.scale.errors import RayUnavailable
from storyline.scale.load import load_folder
from storyline.scale.parquet import READINGS, done_keys
from storyline.scale.pipeline import CRASH_ONCE, Tally, read_shards, write_parquet
from storyline.scale.shards import expand, plan
from storyline.store import connect as open_db
from storyline.store import integrity_problems

from conftest import EXAMPLES, ROOT, dump

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")  # Ray's own settings
ARTICLES = EXAMPLES / "articles"
MARKED = "2023-09-20-sommet-c5-new-york.fr.txt"  # the document whose worker is killed the first time
SUBSET = [  # French and English only: two models to load, for the jobs that are killed and run again
    "2006-06-06-reunion-tokyo.fr.txt",
    "2015-11-02-c5-plus-1-launched.en.txt",
    "2023-09-20-sommet-c5-new-york.fr.txt",
    "2023-09-29-sommet-berlin.fr.txt",
    "2024-08-09-kishida-cancels-astana.en.html",
    "2024-08-10-sommet-astana-annule.fr.txt",
    "2025-12-19-sommet-tokyo-ouvert.fr.html",
    "2025-12-20-tokyo-summit-held.en.txt",
]


def storyline(
    *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "storyline.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env or _env(),
    )
    if check and done.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k != CRASH_ONCE}
    return {**base, "COLUMNS": "200", **extra}


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local Ray instance with two CPUs, through the engine's own connection; its head's address."""
    import ray

    connect(None, workers=2)
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


@pytest.fixture(scope="module")
def subset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("subset")
    for name in SUBSET:
        shutil.copy(ARTICLES / name, folder / name)
    return folder


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# -- without a cluster --------------------------------------------------------------------------------------


def test_a_dead_head_node_is_one_line_and_exit_2(tmp_path: Path) -> None:
    address = f"127.0.0.1:{_closed_port()}"
    with pytest.raises(RayUnavailable, match="no Ray head node answers"):
        check_head(address, timeout=1)
    done = storyline("read", str(ARTICLES), "--engine", "ray", "--address", address, check=False)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "no Ray head node answers at 127.0.0.1" in done.stderr
    db = str(tmp_path / "db.sqlite3")
    run = ["run", str(ARTICLES), "--engine", "ray", "--address", address, "--db", db]
    done = storyline(*run, "--parquet", str(tmp_path / "parquet"), check=False)
    assert done.returncode == 2 and "no Ray head node answers" in done.stderr
    done = storyline(*run, check=False)  # a cluster's nodes need a folder they share
    assert done.returncode == 2 and "give --parquet" in done.stderr


def test_addresses_and_loopback() -> None:
    assert head_endpoint("10.0.0.5:6380") == ("10.0.0.5", 6380)
    assert head_endpoint("head.example") == ("head.example", 6379)
    assert head_endpoint("ray://head.example") == ("head.example", 10001)
    assert head_endpoint("[::1]:6379") == ("::1", 6379)
    with pytest.raises(RayUnavailable, match="not a number"):
        head_endpoint("host:port")
    check_loopback()  # this machine has one


def test_shards_hold_what_the_local_engine_reads(tmp_path: Path) -> None:
    shards = plan([str(ARTICLES)], shard_size=8)
    assert [s.index for s in shards] == [0, 1, 2, 3] and all(s.kind == "files" for s in shards)
    assert len({s.key for s in shards}) == 4
    assert plan([str(ARTICLES)], shard_size=8) == shards  # stable across runs

    def same(a: list[object], b: list[object]) -> None:
        assert [vars(x) if isinstance(x, RawInput) else x for x in a] == [
            vars(x) if isinstance(x, RawInput) else x for x in b
        ]

    same([item for s in shards for item in expand(s)], list(iter_inputs([str(ARTICLES)])))
    warc = tmp_path / "pages.warc.gz"
    write_synthetic_warc(warc, 1)
    records = tmp_path / "docs.jsonl"
    records.write_text('{"id": "a", "text": "Un texte."}\nnot json\n', encoding="utf-8")
    shards = plan([str(warc)], [str(records)])
    assert [s.kind for s in shards] == ["source", "jsonl"]
    same(list(expand(shards[0])), list(iter_sources([str(warc)])))
    same(list(expand(shards[1])), list(iter_inputs([], [str(records)])))
    records.write_text('{"id": "b", "text": "Autre."}\n', encoding="utf-8")
    assert plan([], [str(records)])[0].key != shards[1].key  # a changed file is a new shard


def test_the_keep_hook_filters_before_reading_and_is_counted(cluster: str, tmp_path: Path) -> None:
    # rejecting every document: nothing is read, so no model is loaded
    out = tmp_path / "filtered"
    job = write_parquet(plan([str(ARTICLES)], shard_size=16), out, workers=2, keep=lambda raw: False)
    assert (job.shards, job.read, job.failed, job.skipped) == (2, 0, 0, 31)
    markers = [json.loads(p.read_text()) for p in (out / "_done").glob("*.json")]
    assert sorted(m["skipped"] for m in markers) == [15, 16] and not (out / READINGS).exists()
    again = write_parquet(plan([str(ARTICLES)], shard_size=16), out, workers=2, keep=lambda raw: False)
    assert (again.shards, again.already_done) == (0, 2)  # complete shards are not read again
    tally = Tally()
    shards = plan([str(ARTICLES)], shard_size=16)
    assert list(read_shards(shards, workers=2, keep=lambda raw: False, tally=tally)) == []
    assert tally.skipped == 31


# -- with the models ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def local_readings(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("local") / "readings.jsonl"
    storyline("read", str(ARTICLES), "--workers", "2", "--output", str(out))
    return out.read_bytes()


@pytest.mark.slow
def test_ray_reads_like_the_local_engine_even_when_a_worker_dies(
    cluster: str, local_readings: bytes, tmp_path: Path
) -> None:
    flag = tmp_path / "crashed"
    out = tmp_path / "ray.jsonl"
    storyline(
        "read",
        str(ARTICLES),
        "--engine",
        "ray",
        "--address",
        cluster,
        "--workers",
        "2",
        "--output",
        str(out),
        env=_env(**{CRASH_ONCE: f"{MARKED}={flag}"}),
    )
    assert flag.exists()  # the worker reading the marked document killed itself once
    lines = out.read_bytes().splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert len(ids) == 31 and len(set(ids)) == 31  # every document exactly once
    assert sorted(lines) == sorted(local_readings.splitlines())  # byte for byte
    assert lines == local_readings.splitlines()  # and even in input order


def job_args(subset: Path, cluster: str, parquet: Path, db: str) -> list[str]:
    """``storyline run`` over the subset on the test cluster: two actors, four shards of two files."""
    return [
        *("run", str(subset), "--engine", "ray", "--address", cluster, "--workers", "2"),
        *("--shard-size", "2", "--parquet", str(parquet), "--db", db),
    ]


@pytest.fixture(scope="module")
def subset_job(cluster: str, subset: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An uninterrupted ``run --engine ray --parquet`` over the subset: its Parquet folder and database."""
    folder = tmp_path_factory.mktemp("job")
    db = str(folder / "chronicle.sqlite3")
    done = storyline(*job_args(subset, cluster, folder / "parquet", db))
    assert "ray: 4 shard(s) read (8 document(s) read, 0 failed)" in done.stderr
    return folder / "parquet", db


@pytest.mark.slow
def test_parquet_partitions_and_columns(subset_job: tuple[Path, str]) -> None:
    parquet, _db = subset_job
    assert len(done_keys(parquet)) == 4
    files = sorted((parquet / READINGS).glob("month=*/language=*/*.parquet"))
    parts = {(f.parent.parent.name, f.parent.name) for f in files}
    assert ("month=2025-12", "language=fr") in parts and ("month=2024-08", "language=en") in parts
    rows = [row for f in files for row in pq.read_table(f).to_pylist()]
    assert sorted(r["id"] for r in rows) == sorted(SUBSET)
    for row in rows:
        reading = json.loads(row["reading"])
        assert reading["id"] == row["id"] and reading["language"] == row["language"]
        assert row["month"] == reading["published"]["date"][:7] and len(row["digest"]) == 64
    assert not list(parquet.rglob("*.tmp"))


@pytest.mark.slow
def test_a_job_killed_halfway_finishes_with_the_same_database(
    cluster: str, subset: Path, subset_job: tuple[Path, str], tmp_path: Path
) -> None:
    parquet, db = tmp_path / "parquet", str(tmp_path / "killed.sqlite3")
    command = [sys.executable, "-m", "storyline.cli", *job_args(subset, cluster, parquet, db)]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(done_keys(parquet)) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process.poll() is None, "the job ended before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert 2 <= len(done_keys(parquet)) < 4
    done = storyline(*command[3:])
    assert "already written" in done.stderr and "ray: 0 shard(s)" not in done.stderr
    engine = open_db(db)
    assert integrity_problems(engine) == []
    engine.dispose()
    assert dump(db) == dump(subset_job[1])


@pytest.mark.slow
def test_loading_twice_changes_nothing(subset_job: tuple[Path, str], db_url: str) -> None:
    parquet, reference = subset_job
    engine = open_db(db_url)
    try:
        first = load_folder(parquet, engine, workers=2, batch=3)  # parallel parts on PostgreSQL
        assert (first.read, first.failed, first.unchanged) == (8, 0, 0) and first.events
        assert integrity_problems(engine) == []
        before = dump(db_url)
        second = load_folder(parquet, engine)
        assert (second.read, second.unchanged) == (0, 8)
        assert dump(db_url) == before == dump(reference)
    finally:
        engine.dispose()
    done = storyline("load", str(parquet), "--db", db_url, "--workers", "2", "--batch", "3")
    assert "8 unchanged" in done.stderr

"""Measure the relevance pre-filter: ``python -m storyline.bench_relevance [--docs N] [--json]``.

Builds a mixed corpus from what the repository bundles: the example articles (all about Central Asia's
international relations: the relevant part) and general news that is not about it (the French TimeBank's
articles, the PLOVER gold-standard sentences, the time tagger's test sentences), repeated to a few thousand
documents. For the default filter and for alternatives (a broader term selection, a watch list on Japan)
it reports the automaton's size and build time, the recall on the example articles, the share of each
general-news source admitted (with the terms that admitted it), and the throughput in MB/s and documents/s,
of the decision (which stops at the first hit) and of a full scan (every term found).

Throughput is wall-clock time on this machine, single process; it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.ingest.relevance import (
    RelevanceFilter,
    default_entities,
    focus_countries,
    kb_terms,
)
from storyline.ingest.sources import RawInput
from storyline.kb import KnowledgeBase, load
from storyline.records import WatchList

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "articles"
TIMEBANK = ROOT / "benchmarks" / "fr-timebank" / "Data"
PLOVER = ROOT / "benchmarks" / "plover-gsr" / "PLOVER_GSR_CAMEO.json"
TIME_SENTENCES = ROOT / "tests" / "data" / "times"


@dataclass
class Doc:
    source: str  # "examples" (relevant) or the general-news source it comes from
    raw: RawInput


def corpus() -> list[Doc]:
    """The bundled documents, each once: the examples first, then the general news."""
    docs = [Doc("examples", RawInput(id=p.name, kind="text", data=p.read_bytes())) for p in _files(EXAMPLES)]
    docs += [
        Doc("fr-timebank", RawInput(id=p.name, kind="text", data=p.read_bytes())) for p in _files(TIMEBANK)
    ]
    if PLOVER.exists():
        for record in json.loads(PLOVER.read_text(encoding="utf-8")):
            if record.get("text"):
                data = record["text"].encode("utf-8")
                docs.append(Doc("plover-gsr", RawInput(id=record["id"], kind="text", data=data)))
    for path in _files(TIME_SENTENCES):
        if path.suffix != ".json":
            continue
        for index, sentence in enumerate(json.loads(path.read_text(encoding="utf-8")).get("sentences", [])):
            data = sentence["text"].encode("utf-8")
            docs.append(
                Doc(f"times-{path.stem}", RawInput(id=f"{path.stem}-{index}", kind="text", data=data))
            )
    return docs


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def broad_entities(kb: KnowledgeBase) -> set[str]:
    """The alternative the default rejects: every format, region, organisation, person and place of the
    knowledge base (with the focus countries)."""
    kinds = {"format", "region", "organization", "person", "place"}
    return {e.id for e in kb.entries.values() if e.kind in kinds} | set(focus_countries(kb))


def _timed(build: Callable[[], RelevanceFilter]) -> tuple[RelevanceFilter, float]:
    start = time.perf_counter()
    built = build()
    return built, time.perf_counter() - start


def measure(name: str, build: Callable[[], RelevanceFilter], base: list[Doc], total: int) -> dict[str, Any]:
    """One filter over the corpus: sizes, recall, admitted shares and throughput."""
    relevance, build_seconds = _timed(build)
    shipped = pickle.dumps(relevance)
    _, rebuild_seconds = _timed(lambda: pickle.loads(shipped))
    by_source: dict[str, list[int]] = {}  # source -> [documents, admitted]
    admitted_examples: list[str] = []
    admitted_general: dict[str, list[str]] = {}
    for doc in base:
        kept = relevance.relevant(doc.raw)
        counts = by_source.setdefault(doc.source, [0, 0])
        counts[0] += 1
        counts[1] += kept
        if kept and doc.source == "examples":
            admitted_examples.append(doc.raw.id)
        elif kept:
            admitted_general[f"{doc.source}/{doc.raw.id}"] = relevance.match(doc.raw)[:4]
    examples = by_source.get("examples", [0, 0])
    general = [sum(c[i] for s, c in by_source.items() if s != "examples") for i in (0, 1)]
    repeated = [base[i % len(base)].raw for i in range(max(total, len(base)))]
    size = sum(len(raw.data or b"") for raw in repeated)
    start = time.perf_counter()
    admitted = sum(relevance.admits(raw) for raw in repeated)
    decide = time.perf_counter() - start
    start = time.perf_counter()
    for raw in repeated:
        relevance.match(raw)
    scan = time.perf_counter() - start
    return {
        "filter": name,
        "patterns": relevance.size,
        "terms_by_language": {lang: len(group) for lang, group in sorted(relevance.terms.items())},
        "build_seconds": round(build_seconds, 4),
        "pickle_bytes": len(shipped),
        "unpickle_seconds": round(rebuild_seconds, 4),
        "recall_examples": round(examples[1] / examples[0], 4) if examples[0] else None,
        "examples_missed": sorted(
            {d.raw.id for d in base if d.source == "examples"} - set(admitted_examples)
        ),
        "admitted_share_general": round(general[1] / general[0], 4) if general[0] else None,
        "by_source": {s: {"documents": c[0], "admitted": c[1]} for s, c in by_source.items()},
        "general_admitted": admitted_general,
        "mixed": {
            "documents": len(repeated),
            "megabytes": round(size / 1e6, 3),
            "admitted": admitted,
            "admitted_share": round(admitted / len(repeated), 4),
            "stats": relevance.stats.as_dict(),
        },
        "decide_mb_per_s": round(size / 1e6 / decide, 1),
        "decide_docs_per_s": round(len(repeated) / decide),
        "scan_mb_per_s": round(size / 1e6 / scan, 1),
        "scan_docs_per_s": round(len(repeated) / scan),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m storyline.bench_relevance", description=__doc__)
    parser.add_argument("--docs", type=int, default=5000, help="documents in the mixed corpus")
    parser.add_argument("--json", action="store_true", help="print the measurements as JSON")
    parser.add_argument("--verbose", action="store_true", help="list the general-news documents admitted")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    kb = load()
    kb_seconds = time.perf_counter() - start
    base = corpus()
    japan = WatchList(name="japan", actors=["JPN"])
    variants: list[tuple[str, Callable[[], RelevanceFilter]]] = [
        ("default", lambda: RelevanceFilter.from_kb(kb)),
        ("default, min_hits=2", lambda: RelevanceFilter.from_kb(kb, min_hits=2)),
        ("watch: Japan", lambda: RelevanceFilter.from_kb(kb, japan)),
        (
            "broad (all formats, regions, organisations, people, places)",
            lambda: RelevanceFilter(kb_terms(kb, broad_entities(kb))),
        ),
    ]
    results = [measure(name, build, base, args.docs) for name, build in variants]
    if args.json:
        print(
            json.dumps(
                {"kb_load_seconds": round(kb_seconds, 3), "results": results}, ensure_ascii=False, indent=1
            )
        )
        return
    sources = {d.source: 0 for d in base}
    for d in base:
        sources[d.source] += 1
    print(f"knowledge base loaded in {kb_seconds:.2f} s; default entities: {len(default_entities(kb))}")
    print(
        "corpus: "
        + ", ".join(f"{s} {n}" for s, n in sources.items())
        + f"; mixed corpus: {args.docs} documents"
    )
    for r in results:
        print(f"\n== {r['filter']}")
        print(
            f"  automaton: {r['patterns']} patterns ({r['terms_by_language']}), built in {r['build_seconds'] * 1000:.0f} ms; "
            f"pickled {r['pickle_bytes'] / 1000:.0f} kB, unpickled (rebuilt) in {r['unpickle_seconds'] * 1000:.0f} ms"
        )
        print(
            f"  recall on the {r['by_source']['examples']['documents']} example articles: {r['recall_examples']}"
            + (f" (missed {r['examples_missed']})" if r["examples_missed"] else "")
        )
        shares = ", ".join(
            f"{s} {c['admitted']}/{c['documents']}" for s, c in r["by_source"].items() if s != "examples"
        )
        print(f"  general news admitted: {r['admitted_share_general']:.1%} ({shares})")
        m = r["mixed"]
        print(
            f"  mixed corpus: {m['documents']} documents, {m['megabytes']} MB, {m['admitted_share']:.1%} admitted"
        )
        print(
            f"  throughput: decide {r['decide_mb_per_s']} MB/s, {r['decide_docs_per_s']} docs/s; full scan {r['scan_mb_per_s']} MB/s, {r['scan_docs_per_s']} docs/s"
        )
        if args.verbose:
            for key, terms in r["general_admitted"].items():
                print(f"    admitted {key}: {terms}")


if __name__ == "__main__":
    main()

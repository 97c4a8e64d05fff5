"""Codebook figures: build time, open time, search latency and recall@5, memory.

Beside the search, a naive linear scan over every title (substring match of all query words)
is measured in the same run, so the latency is read as a ratio on a noisy machine.
Run: python benchmarks/codebook.py
"""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.codebook.build import build_index  # noqa: E402
from simulator.codebook.index import Codebook  # noqa: E402

QUERIES = ROOT / "tests" / "data" / "search_queries.tsv"


def load_queries() -> list[dict[str, str]]:
    """Read the recall query set (query, expected code, system, kind)."""
    with QUERIES.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def recall(book: Codebook, rows: list[dict[str, str]], k: int = 5) -> tuple[float, list[str]]:
    """Return recall@k over the query set and the queries that missed."""
    misses = []
    for row in rows:
        hits = book.search(row["query"], limit=k)
        if row["expected"] not in [h.code for h in hits]:
            misses.append(
                f"{row['kind']:12} {row['query']!r} -> {row['expected']}: "
                + ", ".join(h.code for h in hits)
            )
    return 1 - len(misses) / len(rows), misses


def percentile(values: list[float], p: float) -> float:
    """Return the p-th percentile (0-100) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    """Measure and print every figure."""
    rows = load_queries()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        path = build_index(Path(folder))
        built = time.perf_counter() - start
        size = path.stat().st_size
        opens = []
        for _ in range(20):
            start = time.perf_counter()
            Codebook(path).lookup("E11.9")
            opens.append(time.perf_counter() - start)
        tracemalloc.start()
        book = Codebook(path)
        book.search("warm up the vocabulary")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        latencies = []
        for row in rows:
            start = time.perf_counter()
            book.search(row["query"], limit=10)
            latencies.append(time.perf_counter() - start)
        titles = book._con().execute("SELECT code, title FROM codes").fetchall()
        naive = []
        for row in rows[:60]:
            words = row["query"].lower().split()
            start = time.perf_counter()
            [c for c, t in titles if all(w in t.lower() for w in words)][:10]
            naive.append(time.perf_counter() - start)
        score, misses = recall(book, rows)
    print(f"build: {built:.1f} s (goal <= 15 s), index file {size / 1e6:.0f} MB")
    print(f"open + first lookup: median {statistics.median(opens) * 1000:.2f} ms (goal <= 20 ms)")
    p50, p99 = percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000
    print(
        f"search over all code sets: p50 {p50:.2f} ms, p99 {p99:.2f} ms (goal p99 <= 5 ms), {len(rows)} queries"
    )
    p90, slowest = percentile(latencies, 90) * 1000, max(latencies) * 1000
    over = sum(1 for latency in latencies if latency > 0.005)
    print(f"  p90 {p90:.2f} ms, slowest {slowest:.2f} ms, {over} queries over 5 ms")
    naive50 = statistics.median(naive) * 1000
    print(
        f"naive linear scan of {len(titles)} titles: p50 {naive50:.1f} ms; search is {naive50 / p50:.0f}x faster at p50"
    )
    print(
        f"memory added by the open index and search vocabulary: {peak / 1e6:.1f} MB (Python heap)"
    )
    print(f"recall@5: {score:.1%} over {len(rows)} queries (goal >= 95%)")
    if "--misses" in sys.argv:
        print("\n".join(misses))


if __name__ == "__main__":
    main()

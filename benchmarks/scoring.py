"""Charts graded per second by `simulator.scoring.grade`, without and with MS-DRG grouping.

Submissions are drawn (seeded) from every case's key with the mistakes trainees make: a line
left out, a sibling code, a wrong 7th character, a header, a wrong modifier or unit count, a
wrong POA, an extra code. Each chart is graded on every lens; "with MS-DRG" also groups the key
and the submission of each inpatient chart (the key's grouping is cached per chart, as in a
shift; the figure with the cache cleared before every chart is printed too). The codebook index
is built first into a temporary cache (not timed).

Goals (issue 8): at least 5,000 charts/s without grouping and 1,000 charts/s with it.
Run: python benchmarks/scoring.py [--pack PATH] [--charts N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import paths  # noqa: E402
from simulator.charts.render import Chart, render  # noqa: E402
from simulator.codebook import Codebook  # noqa: E402
from simulator.codebook.build import build_index, index_path  # noqa: E402
from simulator.codebook.grouper import warm_up  # noqa: E402
from simulator.packs import Case, LoadedPack, load_pack  # noqa: E402
from simulator.scoring import Submission, SubmittedLine, grade, key_submission  # noqa: E402
from simulator.scoring.drg import grouped  # noqa: E402

PLAIN_GOAL = 5_000.0
DRG_GOAL = 1_000.0
SHIFT = date(2026, 11, 24)
EXTRAS = ("J45.909", "K21.9", "M54.50", "F41.9", "G47.33", "E78.5", "I10", "N18.30")


def mutate(code: str, rng: random.Random) -> str:
    """Return a near miss of a diagnosis code: the header, another 7th character or a sibling."""
    flat = code.replace(".", "")
    choice = rng.random()
    if len(flat) == 7 and choice < 0.4:
        return f"{flat[:3]}.{flat[3:6]}{rng.choice('ADS')}"
    if choice < 0.6:
        return flat[:3]
    if len(flat) > 4:
        return f"{flat[:3]}.{flat[3:-1]}{rng.choice('0123456789')}"
    return f"{flat[:3]}.9"


def mistaken(key: Submission, rng: random.Random) -> Submission:
    """Return the key with a trainee's typical mistakes (about one in three lines touched)."""
    diagnoses: list[SubmittedLine] = []
    for line in key.diagnoses:
        roll = rng.random()
        if roll < 0.08:
            continue
        if roll < 0.25:
            line = replace(line, code=mutate(line.code, rng))
        if line.poa and rng.random() < 0.1:
            line = replace(line, poa=rng.choice("NUW"))
        diagnoses.append(line)
    procedures = [
        replace(line, units=line.units + 1) if rng.random() < 0.15 else line
        for line in key.procedures
        if rng.random() > 0.05
    ]
    if rng.random() < 0.3:
        diagnoses.append(
            SubmittedLine(
                rng.choice(EXTRAS), poa="Y" if diagnoses[:1] and diagnoses[0].poa else None
            )
        )
    if len(diagnoses) > 2 and rng.random() < 0.2:
        diagnoses[0], diagnoses[1] = diagnoses[1], diagnoses[0]
    return replace(key, diagnoses=tuple(diagnoses), procedures=tuple(procedures))


def workload(pack: LoadedPack, count: int) -> list[tuple[Chart, Case, Submission]]:
    """Render count charts (cycling through the cases and seeds) with a mistaken submission each."""
    rng = random.Random(8)
    cases = pack.cases
    made = []
    for n in range(count):
        case = cases[n % len(cases)]
        chart = render(
            case, 1 + n // len(cases) % 50, SHIFT, pack.pack.target(case.setting).minutes
        )
        sub = key_submission(chart, case)
        made.append((chart, case, mistaken(sub, rng) if rng.random() < 0.8 else sub))
    return made


def rate(
    book: Codebook,
    batch: list[tuple[Chart, Case, Submission]],
    year: int,
    *,
    drg: bool,
    cold: bool = False,
) -> float:
    """Grade the batch once and return charts per second."""
    start = time.perf_counter()
    for chart, case, sub in batch:
        if cold:
            grouped.cache_clear()
        grade(chart, sub, book, case=case, fiscal_year=year, drg=drg)
    return len(batch) / (time.perf_counter() - start)


def median_rate(
    book: Codebook, batch: list[tuple[Chart, Case, Submission]], year: int, *, drg: bool
) -> float:
    """Return the median charts per second of three runs (the MS-DRG cache cleared before each)."""
    runs = []
    for _ in range(3):
        grouped.cache_clear()
        runs.append(rate(book, batch, year, drg=drg))
    return statistics.median(runs)


def main() -> None:
    """Build the index, draw the workload, and print the rates against the goals."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pack", type=Path, default=paths.builtin_pack("starter"))
    parser.add_argument("--charts", type=int, default=5_000, help="charts per run (default 5000)")
    parser.add_argument("--cache", type=Path, help="an existing cache folder with the index")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        if not index_path(cache).exists():
            build_index(cache)
        book = Codebook.open(cache)
        pack = load_pack(args.pack)
        year = pack.pack.code_year
        warm_up()
        batch = workload(pack, args.charts)
        inpatient = [item for item in batch if item[0].setting == "inpatient"]
        first = rate(book, batch, year, drg=False)  # cold: every codebook look-up is new
        plain = median_rate(book, batch, year, drg=False)
        with_drg = median_rate(book, batch, year, drg=True)
        info = grouped.cache_info()
        ip_drg = median_rate(book, inpatient, year, drg=True)
        ip_cold = rate(book, inpatient, year, drg=True, cold=True)

    def verdict(value: float, goal: float) -> str:
        """Say a rate against its goal."""
        return f"{value:,.0f} charts/s (goal {goal:,.0f}): {'met' if value >= goal else 'NOT MET'}"

    print(f"pack {pack.pack.id}: {len(pack.cases)} cases; {len(batch)} charts per run, ", end="")
    print(f"{len(inpatient)} of them inpatient; medians of 3 runs")
    print(f"first pass, cold codebook caches, without grouping: {first:,.0f} charts/s")
    print(f"without MS-DRG grouping: {verdict(plain, PLAIN_GOAL)}")
    print(f"with MS-DRG grouping:    {verdict(with_drg, DRG_GOAL)}")
    print(f"  per run: {info.misses:,} claims grouped, {info.hits:,} reused from the cache")
    print(f"inpatient charts only, with grouping: {ip_drg:,.0f} charts/s", end="")
    print(f"; cache cleared before every chart: {ip_cold:,.0f} charts/s")


if __name__ == "__main__":
    main()

"""Load+validate time for a generated 500-case pack, and chart rendering throughput.

The pack is made from the built-in starter cases and the `codedesk pack new` cases, each copied
under new ids until there are 500 (about a third with variants, a third inpatient), in a
temporary folder. The codebook index is built first into a temporary cache (not timed).

Goals (issue 5): load+validate at most 3 s; rendering at least 1,000 charts per second.
Run: python benchmarks/packs.py [--cases N] [--renders N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator import paths  # noqa: E402
from simulator.charts.render import render  # noqa: E402
from simulator.codebook import Codebook  # noqa: E402
from simulator.codebook.build import build_index  # noqa: E402
from simulator.packs import load_pack  # noqa: E402
from simulator.packs.scaffold import CLINIC_CASE, ED_CASE  # noqa: E402
from simulator.packs.validate import check_pack  # noqa: E402

LOAD_GOAL_S = 3.0
RENDER_GOAL = 1_000.0


def templates() -> list[tuple[str, str]]:
    """Return (id, text) of every case to copy: the starter pack's and the scaffold's."""
    found = [("clinic-acute-cystitis", CLINIC_CASE), ("ed-colles-fracture", ED_CASE)]
    for path in sorted((paths.builtin_pack("starter") / "cases").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        case_id = next(
            line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:")
        )
        found.append((case_id, text))
    return found


def generate(root: Path, count: int) -> Path:
    """Write a pack of count cases under root and return its folder."""
    pack = root / "bench-pack"
    (pack / "cases").mkdir(parents=True)
    (pack / "pack.yaml").write_text(
        "id: bench-pack\ntitle: Benchmark pack\nversion: 1.0.0\nauthor: benchmarks/packs.py\n"
        "code_year: 2026\n",
        encoding="utf-8",
    )
    sources = templates()
    for n in range(count):
        case_id, text = sources[n % len(sources)]
        new_id = f"{case_id[:50]}-{n:04d}"
        text = text.replace(f"id: {case_id}", f"id: {new_id}", 1)
        (pack / "cases" / f"{new_id}.yaml").write_text(text, encoding="utf-8")
    return pack


def main() -> int:
    """Build the index, generate the pack, time loading, checking and rendering."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--renders", type=int, default=5_000, help="charts to render")
    parser.add_argument("--runs", type=int, default=3, help="load+validate runs (first is cold)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        started = time.perf_counter()
        build_index(tmp_path / "cache")
        book = Codebook.open(tmp_path / "cache")
        print(f"codebook index built in {time.perf_counter() - started:.1f} s (not counted)")
        pack_dir = generate(tmp_path, args.cases)

        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            loaded = load_pack(pack_dir)
            loaded_at = time.perf_counter()
            problems = check_pack(loaded, book)
            done = time.perf_counter()
            timings.append((loaded_at - started, done - loaded_at, done - started))
            if problems:
                print("\n".join(str(p) for p in problems[:10]))
                return 1
        load_s, check_s, total_s = timings[0]
        variants = sum(1 for c in loaded.cases if c.variants)
        lines = sum(len(c.key.diagnoses) + len(c.key.procedures) for c in loaded.cases)
        print(
            f"pack: {len(loaded.cases)} cases ({variants} with variants, {lines} key lines), "
            f"{sum(f.stat().st_size for f in pack_dir.rglob('*.yaml')) / 1e6:.1f} MB of YAML"
        )
        print(
            f"load+validate, first run: {total_s:.2f} s (load {load_s:.2f} s, validate "
            f"{check_s:.2f} s); goal <= {LOAD_GOAL_S:.0f} s: "
            f"{'met' if total_s <= LOAD_GOAL_S else 'NOT met'}"
        )
        if len(timings) > 1:
            rest = statistics.median(t[2] for t in timings[1:])
            print(f"load+validate, later runs (median of {len(timings) - 1}): {rest:.2f} s")

        shift = date(2026, 11, 24)
        cases = loaded.cases
        render(cases[0], 0, shift)  # load Faker's providers before timing
        started = time.perf_counter()
        for n in range(args.renders):
            render(cases[n % len(cases)], n, shift)
        elapsed = time.perf_counter() - started
        rate = args.renders / elapsed
        print(
            f"render: {args.renders} charts in {elapsed:.2f} s = {rate:,.0f} charts/s; goal >= "
            f"{RENDER_GOAL:,.0f}/s: {'met' if rate >= RENDER_GOAL else 'NOT met'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Claims grouped per second by `simulator.codebook.grouper.group`, and the one-time load time.

Each claim is grouped by the MS-DRG grouper and checked by the Medicare Code Editor, as the app
does. The claims are drawn (seeded) from realistic inpatient principals, secondaries and
procedures; about one in ten carries an MCE edit, which costs extra editor runs to tie the edit
to its code. Run: python benchmarks/grouper.py [--claims N] [--version V]
"""

from __future__ import annotations

import argparse
import random
import time

from simulator.codebook.grouper import Claim, Grouping, group, warm_up

PRINCIPALS = (
    "I13.0",
    "J18.9",
    "A41.9",
    "I21.4",
    "K80.00",
    "S72.001A",
    "M17.11",
    "J44.1",
    "N39.0",
    "K92.2",
    "I63.9",
    "F10.239",
    "C34.90",
    "U07.1",
    "E11.10",
    "I50.23",
    "K35.80",
    "N17.9",
    "J96.01",
    "I48.91",
)
"""Principal diagnoses a hospital coder meets every week."""

SECONDARIES = (
    "I50.23",
    "N18.4",
    "E11.65",
    "Z79.4",
    "E78.5",
    "I10",
    "E66.01",
    "Z68.41",
    "F17.210",
    "E86.0",
    "D62",
    "K57.30",
    "R47.01",
    "E43",
    "C79.51",
    "J96.11",
    "I25.10",
    "N18.30",
    "E87.1",
    "G93.41",
    "F03.90",
    "Z95.5",
    "I46.9",
    "L89.154",
)
"""Secondary diagnoses, CC, MCC and neither."""

PROCEDURES = ("0FT44ZZ", "02703DZ", "0QS604Z", "0SRC0J9", "5A1945Z", "0DTJ4ZZ")
"""ICD-10-PCS procedures, operating room and not."""

WITH_EDITS = (("O80", "Y"), ("Z38.00", "Y"), ("J18.99", "Y"))
"""Secondaries that raise an MCE edit on an adult (age conflicts, an invalid code)."""


def claims(count: int, seed: int = 7) -> list[Claim]:
    """Return count seeded claims, about one in ten with an MCE edit."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        sdx = [(code, rng.choice("YYYYN")) for code in rng.sample(SECONDARIES, rng.randint(0, 6))]
        if rng.random() < 0.1:
            sdx.append(rng.choice(WITH_EDITS))
        made.append(
            Claim(
                age=rng.randint(40, 95),
                sex=rng.choice(("F", "M")),
                discharge_status=rng.choice(("01", "01", "06", "03", "20")),
                pdx=rng.choice(PRINCIPALS),
                sdx=tuple(sdx),
                pcs=tuple(rng.sample(PROCEDURES, rng.choice((0, 0, 1, 2)))),
            )
        )
    return made


def main() -> None:
    """Time the load, then group the claims once and print the rates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=800, help="how many claims (default 800)")
    parser.add_argument("--version", type=int, default=None, help="grouper version")
    args = parser.parse_args()

    load = warm_up()
    batch = claims(args.claims)
    start = time.perf_counter()
    results: list[Grouping] = [group(claim, args.version) for claim in batch]
    elapsed = time.perf_counter() - start
    with_edits = sum(1 for r in results if r.mce)

    clean = [c for c, r in zip(batch, results, strict=True) if not r.mce]
    start = time.perf_counter()
    for claim in clean:
        group(claim, args.version)
    clean_elapsed = time.perf_counter() - start

    print(f"grouper load (once per process): {load * 1000:.1f} ms")
    print(
        f"grouped {len(batch)} claims ({with_edits} with MCE edits) in {elapsed:.3f} s: "
        f"{len(batch) / elapsed:,.0f} claims/s"
    )
    print(f"claims without MCE edits: {len(clean) / clean_elapsed:,.0f} claims/s")


if __name__ == "__main__":
    main()

"""`codedesk grade PACK SUBMISSION.json`: grade a submission file offline, chart by chart."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from simulator.commands.common import CliError, open_book


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the top-level `grade` command."""
    grade = sub.add_parser(
        "grade",
        help="grade a submission file against a pack's answer keys, offline",
        description=(
            "Render each case of the submission with its seed, grade every chart with every "
            "lens (code-over-code, record, principal, POA, MS-DRG, decision, query, privacy, "
            "time) and print a shift summary. The file format is in docs/SUBMISSION_FORMAT.md. "
            "Exit status: 0 graded, 1 a problem in the pack or the submission (each as "
            "file:line:col: message), 2 bad arguments."
        ),
    )
    grade.add_argument("pack", type=Path, help="pack folder or .zip")
    grade.add_argument("submission", type=Path, help="submission file (.json, or .yaml)")
    grade.add_argument(
        "--seed", type=int, help="seed the charts were rendered with (replaces the file's seed)"
    )
    grade.add_argument("--json", action="store_true", help="print the grades as JSON")
    grade.set_defaults(handler=grade_submission)


def grade_submission(args: argparse.Namespace) -> int:
    """Grade every chart of a submission file and print the grades and the summary."""
    from simulator.charts.render import render
    from simulator.packs import PackError, Setting, load_pack
    from simulator.scoring import CREDITS, grade, summarize
    from simulator.scoring.report import grade_dict, grade_lines, summary_dict, summary_lines
    from simulator.scoring.submission_file import read_submission

    if not args.pack.exists():
        raise CliError(f"{args.pack}: no such pack folder or file")
    try:
        loaded = load_pack(args.pack)
    except PackError as exc:
        for problem in exc.problems:
            print(problem)
        print(f"{len(exc.problems)} problem(s) in {args.pack}", file=sys.stderr)
        return 1
    if not args.submission.exists():
        raise CliError(f"{args.submission}: no such submission file")
    pack = loaded.pack
    cases = {case.id: case for case in loaded.cases}
    found, problems = read_submission(args.submission, cases, seed=args.seed, pack_id=pack.id)
    if found is None:
        for problem in problems:
            print(problem)
        print(f"{len(problems)} problem(s) in {args.submission}", file=sys.stderr)
        return 1
    book = open_book()
    credits = pack.scoring.credit_table({v.value: c for v, c in CREDITS.items()})
    shift_date = found.shift_date or date.today()
    grades = []
    titles = []
    for entry in found.charts:
        case = cases[entry.case_id]
        chart = render(case, entry.seed, shift_date, pack.target(case.setting).minutes)
        grades.append(
            grade(chart, entry.submission, book, credits, case=case, fiscal_year=pack.code_year)
        )
        titles.append(chart.title)
    summary = summarize(
        grades,
        targets={setting.value: pack.target(setting) for setting in Setting},
        accuracy_goal=pack.scoring.accuracy_goal,
        productivity_goal=pack.scoring.productivity_goal,
        events=found.events,
        inbox=loaded.inbox,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "pack": {"id": pack.id, "version": pack.version, "code_year": pack.code_year},
                    "submission": found.file,
                    "trainee": found.trainee,
                    "charts": [
                        {**grade_dict(g), "seed": e.seed}
                        for g, e in zip(grades, found.charts, strict=True)
                    ],
                    "summary": summary_dict(summary),
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    print(
        f"CodeDesk grade: pack {pack.id} {pack.version} (FY{pack.code_year} keys), "
        f"{len(grades)} chart(s) from {found.file}; every patient is synthetic"
    )
    for result, title in zip(grades, titles, strict=True):
        print()
        print("\n".join(grade_lines(result, title)))
    print()
    print("\n".join(summary_lines(summary)))
    return 0

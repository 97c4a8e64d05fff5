"""`codedesk codes group ...`: group an inpatient claim to its MS-DRG and run the Medicare Code Editor."""

from __future__ import annotations

import argparse
import json
import re
from typing import TYPE_CHECKING, NoReturn

from simulator.commands.common import CliError

if TYPE_CHECKING:
    from simulator.codebook.grouper import Grouping


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a bad argument as one line on stderr, not usage text."""

    def error(self, message: str) -> NoReturn:
        """Print the problem as one line and exit with status 2, as argparse does."""
        self.exit(2, f"codedesk: codes group: {message} (see codedesk codes group --help)\n")


def register(actions: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `group` action to the `codes` command."""
    group = actions.add_parser(
        "group",
        help="group an inpatient claim to its MS-DRG, with CC/MCC and Medicare Code Editor edits",
        description=(
            "Group an inpatient claim with the CMS MS-DRG grouper and run the Medicare Code "
            "Editor. Exit status: 0 grouped, 1 ungroupable (DRG 998/999), 2 bad arguments."
        ),
    )
    group.add_argument("--age", required=True, metavar="YEARS", help="age in years (0-124)")
    group.add_argument("--sex", required=True, metavar="F|M|U", help="F, M or U (unknown)")
    group.add_argument("--pdx", required=True, metavar="CODE", help="principal diagnosis")
    group.add_argument(
        "--sdx",
        action="append",
        default=[],
        metavar="CODE[:POA]",
        help="secondary diagnosis, POA Y/N/U/W/1 after a colon (default Y); repeat for more",
    )
    group.add_argument(
        "--pcs", action="append", default=[], metavar="CODE", help="ICD-10-PCS procedure; repeat"
    )
    group.add_argument(
        "--discharge-status",
        default="01",
        metavar="NN",
        help="UB-04 discharge status (default 01 home; 20 expired)",
    )
    group.add_argument(
        "--year", metavar="FY", help="fiscal year to group for (default: the codebook's year)"
    )
    group.add_argument("--json", action="store_true", help="print JSON")
    group.set_defaults(handler=group_claim)
    group.__class__ = _Parser


def group_claim(args: argparse.Namespace) -> int:
    """Group the claim given on the command line and print the result."""
    from simulator.codebook.grouper import (
        DEFAULT_FISCAL_YEAR,
        Claim,
        GroupingError,
        default_version,
        group,
    )

    age = _whole(args.age, "--age")
    year = _whole(args.year, "--year") if args.year is not None else DEFAULT_FISCAL_YEAR
    sdx = tuple(_sdx(item) for item in args.sdx)
    try:
        version = default_version(year)
        claim = Claim(
            age=age,
            sex=args.sex.strip().upper(),
            discharge_status=args.discharge_status,
            pdx=args.pdx,
            sdx=sdx,
            pcs=tuple(args.pcs),
        )
        result = group(claim, version)
    except GroupingError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps(result.as_dict(), indent=2))
    else:
        for line in describe(result):
            print(line)
    return 0 if result.ok else 1


def _whole(raw: str, option: str) -> int:
    """Read a whole number typed for an option, or raise a CliError naming the option."""
    text = str(raw).strip()
    if not re.fullmatch(r"-?[0-9]+", text):
        raise CliError(f"{option} must be a whole number, not {raw!r}")
    return int(text)


def _sdx(item: str) -> tuple[str, str]:
    """Split a `CODE[:POA]` argument; POA defaults to Y."""
    code, colon, poa = item.partition(":")
    if not code.strip():
        raise CliError(f"--sdx {item!r}: give a code, e.g. --sdx I50.23:Y")
    return code.strip(), (poa.strip().upper() if colon else "Y")


def describe(result: Grouping) -> list[str]:
    """Return the plain-text report of a grouping, one line per item."""
    mdc = f"MDC {result.mdc:02d}  {result.mdc_title}" if result.mdc else "MDC -"
    lines = [
        f"MS-DRG {result.drg:03d}  {result.drg_title}",
        mdc,
        f"severity: {result.severity_label}",
        f"grouper: MS-DRG v{result.version_label} (FY{result.fiscal_year}), "
        f"return code {result.return_code}",
    ]
    if result.hac_changed_drg:
        lines.append(
            f"hospital-acquired condition: DRG {result.initial_drg:03d} became "
            f"{result.drg:03d} ({result.initial_drg_title} -> {result.drg_title})"
        )
    lines += [f"error: {error}" for error in result.errors]
    lines.append("diagnoses:")
    for dx in result.diagnoses:
        role = "principal" if dx.principal else "secondary"
        level = "-" if dx.severity == "none" else dx.severity
        parts = [f"  {role:<9}  {dx.code:<8}  {level:<3}"]
        if not dx.principal:
            parts.append(f"POA {dx.poa or 'exempt'}")
        if not dx.valid:
            parts.append("not valid for this version")
        elif dx.principal and dx.severity != "none":
            parts.append("(a principal diagnosis is not counted as CC/MCC)")
        elif dx.excluded:
            parts.append(f"not counted: {dx.exclusion_reason}")
        elif dx.counts:
            parts.append("counts, sets the DRG severity" if dx.affects_drg else "counts")
        parts += [f"HAC {h.number:02d} {h.description}: {h.status}" for h in dx.hacs]
        lines.append("  ".join(parts).rstrip())
    if result.procedures:
        lines.append("procedures:")
        for proc in result.procedures:
            kind = "sets the DRG" if proc.affects_drg else "does not change the DRG"
            if not proc.valid:
                kind = "not valid for this version"
            lines.append(f"  {proc.code}  {kind}")
    if result.mce:
        lines.append("Medicare Code Editor:")
        lines += [f"  {edit.name.lower().replace('_', ' ')}: {edit.message}" for edit in result.mce]
    else:
        lines.append("Medicare Code Editor: no edits")
    return lines

"""`codedesk pack preview`: a case rendered for one seed, and its key, as plain text."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date

from simulator.charts.render import DATE_FORMAT, Chart, RenderedLine, render, render_line
from simulator.charts.template import substitute
from simulator.packs.loader import LoadedPack
from simulator.packs.models import Case, KeyLine


def _wrap(label: str, text: str, indent: str = "     ") -> list[str]:
    """Wrap a labelled paragraph to the terminal width most trainers use."""
    return textwrap.wrap(
        " ".join(text.split()),
        width=96,
        initial_indent=f"{indent}{label}",
        subsequent_indent=indent + " " * len(label),
    ) or [f"{indent}{label}"]


def key_lines(lines: Sequence[RenderedLine], part: str) -> list[str]:
    """Return the text of rendered key lines: code, POA, modifiers, rationale and evidence."""
    if not lines:
        return [f"  {part}: none"]
    out = [f"  {part}:"]
    for n, line in enumerate(lines, 1):
        details = [line.system]
        if line.poa is not None:
            details.append(f"POA {line.poa}")
        if line.modifiers:
            details.append("modifiers " + " ".join(line.modifiers))
        if line.units != 1:
            details.append(f"units {line.units}")
        if line.optional:
            details.append("optional")
        if line.alternates:
            details.append("alternates " + ", ".join(line.alternates))
        out.append(f"  {n:>2}. {line.code}  ({'; '.join(details)})")
        out += _wrap("rationale: ", line.rationale)
        out += _wrap("evidence:  ", f'"{line.evidence}"')
    return out


def _rendered(lines: Sequence[KeyLine], chart: Chart) -> list[RenderedLine]:
    """Render key lines with the chart's variant."""
    return [render_line(line, chart.variant) for line in lines]


def preview_case(loaded: LoadedPack, case: Case, seed: int, shift_date: date) -> list[str]:
    """Return a case rendered for a seed and shift date, and its key, as plain text lines."""
    chart = render(case, seed, shift_date, loaded.pack.target(case.setting).minutes)
    patient = chart.patient
    enc = chart.encounter
    when = (
        f"admitted {enc.admit_date:{DATE_FORMAT}}, discharged {enc.discharge_date:{DATE_FORMAT}}"
        f" ({enc.los} days)"
        if enc.admit_date and enc.discharge_date
        else f"service date {enc.service_date:{DATE_FORMAT}}"
    )
    out = [
        f"=== case {case.id}: {case.title}",
        f"{case.setting.value}, {case.claim_type.value} claim, difficulty {case.difficulty}, "
        f"time standard {chart.time_standard_minutes:g} min, seed {seed}, "
        f"shift date {shift_date:{DATE_FORMAT}}",
    ]
    if chart.variant:
        out.append("variant: " + ", ".join(f"{k}={v}" for k, v in chart.variant.items()))
    out += [
        f"patient (synthetic): {patient.name}, {patient.sex}, DOB {patient.dob:{DATE_FORMAT}}, "
        f"age {patient.age}, MRN {patient.mrn}, account {patient.account}",
        f"encounter: {when}, payer {enc.payer}, priority {enc.priority}",
        f"facility: {chart.facility}; provider: {chart.provider}",
    ]
    for doc in chart.documents:
        state = "signed" if doc.signed else "UNSIGNED"
        out += [
            "",
            f"--- document {doc.index + 1}: {doc.type} | {doc.author} | "
            f"{doc.date:{DATE_FORMAT}} | {state}",
            *doc.text.rstrip("\n").split("\n"),
        ]
    reason = f" ({case.decision.reason})" if case.decision.reason else ""
    out += ["", f"=== expected decision: {case.decision.action.value}{reason}"]
    if case.flag is not None:
        which = ""
        if case.flag.document_index is not None and case.flag.document_index < len(chart.documents):
            which = f", document {case.flag.document} ({chart.documents[case.flag.document_index].type})"
        out.append(f"  flag: {case.flag.kind}{which}")
    out += ["=== key"]
    out += key_lines(chart.diagnoses, "diagnoses")
    out += key_lines(chart.procedures, "procedures")
    if case.query is not None:
        values = {**chart.values, "document.date": shift_date.strftime(DATE_FORMAT)}
        out += ["", "=== query", "  clinical indicators:"]
        out += [f'   - "{substitute(q, values)}"' for q in case.query.clinical_indicators]
        out += ["  acceptable options:"]
        out += [f"   - {substitute(o, values)}" for o in case.query.acceptable_options]
        for n, answer in enumerate(case.query.answers, 1):
            out += ["", f"--- answer {n}: {substitute(answer.answer, values)}"]
            out += _wrap("physician: ", substitute(answer.physician_response_text, values), "  ")
            out += key_lines(_rendered(answer.key.diagnoses, chart), "diagnoses")
            out += key_lines(_rendered(answer.key.procedures, chart), "procedures")
    return out

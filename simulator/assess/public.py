"""Split a pack into what a candidate may read and what stays sealed.

Key material is everything that says what the right answer is, or hints at it:
- the answer key (codes, alternates, POA, modifiers, units, rationales, evidence quotes);
- the expected decision and its reason, the query block (clinical indicators, compliant options,
  the physician's answers and their keys) and the flag block (kind and document). The query
  block is sealed whole, the physician's answer text included: only query cases have one, so
  publishing it would tell the candidate which charts need a query;
- topics (tags such as `misfiled-document` or `modifier-59` name the answer), the case's own
  id and title (authors write them for trainers: "the x-ray report belongs to another
  patient"), and the pack's description;
- variant variables that only the key uses (e.g. a code's laterality digit);
- inbox messages (each one carries its expected answer and rationale).

What stays readable is the chart as a coder sees it: the documents, the patient and encounter
constraints, the setting, the claim type, the time standard and the difficulty (the fair draw
needs it). Each case gets an opaque id (`case-07`) and a neutral title ("Emergency chart 07").

A public case still has to load as a pack case, and the loader requires a key or a decision
other than `code`; every public case therefore says `decision: {action: pend, reason: ...}`
with the reason SEALED_REASON. The app never grades in assessment mode, so this placeholder
decision is never used; the real one is in the sealed part.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from typing import Any

from simulator.charts.template import PLACEHOLDER
from simulator.packs.models import Case, Pack, Selection

SEALED_REASON = "sealed assessment: the expected decision is not in this file"
"""The reason of the placeholder decision every public case carries."""

SETTING_WORDS = {
    "inpatient": "Inpatient",
    "outpatient_surgery": "Outpatient surgery",
    "emergency": "Emergency",
    "clinic": "Clinic",
    "radiology": "Radiology",
    "ancillary": "Ancillary",
}
"""Settings in words, for neutral chart titles."""

PUBLIC_CASE_FIELDS = {
    "setting",
    "claim_type",
    "difficulty",
    "time_standard_minutes",
    "patient",
    "encounter",
    "documents",
}
"""Case fields copied to the public pack as they are; id, title and variants are rewritten."""


def public_ids(cases: Sequence[Case], salt: bytes) -> dict[str, str]:
    """Map each case id to an opaque public id, numbered in an order keyed by the salt."""
    width = max(2, len(str(len(cases))))
    order = sorted(cases, key=lambda c: hmac.new(salt, c.id.encode(), hashlib.sha256).hexdigest())
    return {case.id: f"case-{i:0{width}d}" for i, case in enumerate(order, start=1)}


def neutral_title(case: Case, public_id: str) -> str:
    """A title that names only the setting and the chart's number, e.g. 'Emergency chart 07'."""
    number = public_id.removeprefix("case-")
    return f"{SETTING_WORDS.get(case.setting.value, case.setting.value)} chart {number}"


def document_variables(case: Case) -> set[str]:
    """Return the variant variables the documents use (the ones a chart needs to render)."""
    names: set[str] = set()
    for document in case.documents:
        for text in (document.type, document.author, document.text):
            names.update(match.group(1) for match in PLACEHOLDER.finditer(text))
    variables = set(case.variants[0]) if case.variants else set()
    return names & variables


def public_case(case: Case, public_id: str) -> dict[str, Any]:
    """Return a case as the candidate may read it: the chart, none of the key material.

    Variants keep their number and order (the seed picks the same one) but only the variables
    the documents use, so the chart renders exactly as it does from the full case.
    """
    data = case.model_dump(
        mode="json", by_alias=True, include=PUBLIC_CASE_FIELDS, exclude_none=True
    )
    shown = sorted(document_variables(case))
    out: dict[str, Any] = {"id": public_id, "title": neutral_title(case, public_id)}
    out.update(data)
    if case.variants:
        out["variants"] = [{name: variant[name] for name in shown} for variant in case.variants]
    out["decision"] = {"action": "pend", "reason": SEALED_REASON}
    ordered = [
        "id",
        "title",
        "setting",
        "claim_type",
        "difficulty",
        "time_standard_minutes",
        "patient",
        "encounter",
        "variants",
        "documents",
        "decision",
    ]
    return {k: out[k] for k in ordered if k in out}


def public_pack(pack: Pack, pack_id: str) -> dict[str, Any]:
    """Return pack.yaml as the candidate may read it: no description, scoring or pass marks."""
    data: dict[str, Any] = {
        "id": pack_id,
        "title": pack.title,
        "version": pack.version,
        "author": pack.author,
        "code_year": pack.code_year,
        "default_mode": "assessment",
        "settings": [s.value for s in pack.settings],
        "targets": {
            setting.value: override.model_dump(mode="json", exclude_none=True)
            for setting, override in pack.targets.items()
        },
        "selection": Selection().model_dump(mode="json"),
    }
    if not data["settings"]:
        del data["settings"]
    if not data["targets"]:
        del data["targets"]
    return data


def public_pack_id(pack: Pack, assessment_id: str) -> str:
    """The public pack's id: the pack's id and the sealed file's, so sittings never mix."""
    return f"{pack.id[:40].rstrip('-._')}-{assessment_id[:12]}"


def to_yaml(data: dict[str, Any], comment: str = "") -> bytes:
    """Write plain data as readable YAML: multi-line texts as literal blocks."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """A safe dumper that writes multi-line strings as `|` blocks."""

    def text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        """Represent a string, as a literal block when it spans lines."""
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text)
    body = yaml.dump(
        data,
        Dumper=Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    head = "".join(f"# {line}\n" for line in comment.splitlines())
    return (head + body).encode("utf-8")

"""`codedesk pack new`: write a small, valid, commented pack that a trainer edits into their own."""

from __future__ import annotations

import string
from pathlib import Path

PACK_YAML = """\
# pack.yaml: what this pack is. Every line starting with # is a comment; delete or keep them.
# The full guide is docs/PACK_FORMAT.md. Check your work with:  codedesk pack validate {folder}
id: {pack_id}                     # short name: lower-case letters, digits and dashes
title: My training pack           # the name trainees see
version: 0.1.0                    # raise it whenever you change a case
author: Your name, CCS            # who wrote the pack
description: >
  Two starter cases (a clinic visit, and an ED fracture with a left/right variant) and one
  inbox message. Copy a case file to write a new case.
code_year: 2026                   # fiscal year of the codes in the keys (FY2026 = Oct 2025 - Sep 2026)
default_mode: practice            # practice, shift or assessment

# Optional from here on: delete what you do not need.
settings: [clinic, emergency]     # settings your cases use; a case in another setting is an error

targets:                          # override the productivity defaults for a setting
  emergency:
    charts_per_hour: 15
    time_standard_minutes: 4

scoring:
  credits:                        # credit (0 to 1) a line earns per verdict
    less specific: 0.5
    modifier or units wrong: 0.5
  accuracy_goal: 0.95

selection:
  draw: all                       # or a number, e.g. 10, drawn at random for each session
  difficulty: [1, 5]              # lowest and highest difficulty to draw
"""

CLINIC_CASE = """\
# A case file: one case per file, in the cases/ folder. Copy this file to start a new case;
# give the copy a new id. Text between {{ and }} is a placeholder filled in for each patient.
id: clinic-acute-cystitis
title: Clinic visit, acute cystitis with an in-office urine dipstick
setting: clinic                   # inpatient, outpatient_surgery, emergency, clinic, radiology, ancillary
claim_type: professional          # professional (CMS-1500) or facility (UB-04)
topics: [first-listed-diagnosis, em-level, uncertain-diagnosis-outpatient]
difficulty: 1                     # 1 (easiest) to 5 (hardest)
time_standard_minutes: 5

patient:
  age: {min: 20, max: 60}         # the synthetic patient's age at the visit
  sex: F                          # F, M or any

encounter:
  service_day: -1                 # days before the shift date (-1 = yesterday)

documents:
  - type: Office visit note
    day: -1
    text: |
      OFFICE VISIT - ESTABLISHED PATIENT
      {{ patient.name }}  |  DOB {{ patient.dob }}  |  MRN {{ patient.mrn }}
      Seen by {{ provider.name }} on {{ encounter.service_date }} at {{ facility.name }}

      S: Burning with urination and urinary frequency for 2 days. No fever, chills or flank
      pain. No vaginal discharge. Not pregnant (LMP 2 weeks ago).

      O: T 98.9 F, BP 118/76. No CVA tenderness. Suprapubic tenderness on palpation.
      Urine dipstick in office: positive leukocyte esterase and nitrite, negative blood.

      A/P: Acute cystitis without hematuria. Nitrofurantoin 100 mg twice daily for 5 days.
      Urine culture sent. Possible early pyelonephritis considered, not supported by exam.
      Return if fever or flank pain.

key:
  diagnoses:                      # in order: the first-listed (or principal) diagnosis first
    - code: N30.00
      rationale: >
        Acute cystitis without hematuria is documented as the reason for the visit, so it is
        listed first. The dipstick was negative for blood. The possible pyelonephritis is not
        coded: in outpatient coding an uncertain diagnosis is never coded (Guideline IV.H).
      evidence: Acute cystitis without hematuria
  procedures:
    - code: "99213"               # put CPT codes in quotes
      system: cpt                 # icd10cm (default), icd10pcs, cpt or hcpcs
      rationale: >
        Office E/M by medical decision making: one acute uncomplicated illness (low problem)
        and prescription drug management (moderate risk). Two of the three elements reach low,
        so medical decision making is low: level 3 for an established patient.
      evidence: Nitrofurantoin 100 mg twice daily
    - code: "81002"
      system: cpt
      rationale: The dipstick urinalysis was done in the office, without microscopy.
      evidence: "Urine dipstick in office"
"""

ED_CASE = """\
# A case with variants: each rendering draws one line of variables (here: right or left), so
# the same case teaches laterality both ways. Use a variable as {{ side }} in the text and in
# the key's codes.
id: ed-colles-fracture
title: ED visit, wrist fracture after a fall on ice
setting: emergency
claim_type: professional
topics: [injury, laterality, seventh-character, external-cause, placeholder-x, em-level]
difficulty: 2
time_standard_minutes: 4

patient:
  age: {min: 45, max: 80}
  sex: any

encounter:
  service_day: -1
  priority: 2                     # 1 is the most urgent, 5 the least

variants:                         # every variant defines the same variables
  - side: right
    digit: "1"                    # quote numbers so they stay text
  - side: left
    digit: "2"

documents:
  - type: ED provider note
    day: -1
    text: |
      EMERGENCY DEPARTMENT PROVIDER NOTE
      Patient: {{ patient.name }}   DOB: {{ patient.dob }}   MRN: {{ patient.mrn }}
      Date of service: {{ encounter.service_date }}   Provider: {{ provider.name }}

      HPI: {{ patient.age }} y/o slipped on an icy sidewalk and fell onto an outstretched
      {{ side }} hand. Wrist pain and swelling. No head strike, no other injury.

      EXAM: {{ side }} wrist with dinner-fork deformity, tender over the distal radius. Skin
      intact. Radial pulse 2+, sensation intact in all fingers.

      X-ray, {{ side }} wrist: extra-articular fracture of the distal radius with dorsal
      angulation (Colles type). No intra-articular extension.

      ASSESSMENT: Closed Colles fracture of the {{ side }} radius, initial encounter.
      Fall on ice on a public sidewalk.

      PLAN: Sugar-tong splint applied, sling. Hydrocodone/acetaminophen 5/325 for pain,
      #8 tablets. Orthopedics follow-up in 3 to 5 days for possible reduction.
key:
  diagnoses:
    - code: S52.53{{ digit }}A
      rationale: >
        Colles fracture of the {{ side }} radius (S52.53-), with laterality documented and 7th
        character A for active treatment of a closed fracture (Guideline I.C.19.a, I.C.19.c).
      evidence: Closed Colles fracture of the {{ side }} radius
    - code: W00.0XXA
      optional: true              # an optional line costs nothing when left out
      rationale: >
        External cause: fall on the same level due to ice. Placeholder X fills the 5th and
        6th characters before the 7th character A (Guideline I.A.5).
      evidence: slipped on an icy sidewalk
    - code: Y92.480
      optional: true
      rationale: Place of occurrence, sidewalk; reported once, at the initial encounter.
      evidence: public sidewalk
  procedures:
    - code: "99284"
      system: cpt
      # alternates: ["..."]        # other codes an auditor would also accept for this line
      rationale: >
        ED E/M by medical decision making: an acute complicated injury (moderate), an x-ray
        ordered and reviewed (limited data), and prescription drug management (moderate risk).
      evidence: Hydrocodone/acetaminophen 5/325 for pain
"""

INBOX_MESSAGE = """\
# An inbox message tests privacy judgement. expected: comply, refuse, route_roi (send to
# release of information) or verify_identity.
id: roi-email-request
from: Front desk, Lakeside Orthopedics
channel: email                    # email, phone or chat
subject: Records for our new patient
case: ed-colles-fracture          # optional: the case whose patient this is about
text: |
  Hi! We are seeing {{ patient.name }} next week for the wrist. Could you email us the ED
  note and the x-ray report today? Thanks so much.
expected: route_roi
rationale: >
  Coders do not release records. A request for PHI goes to release of information, which
  verifies the requester and the purpose; PHI is never sent by ordinary email (45 CFR 164.502,
  164.514(h)).
"""


class FolderNotEmpty(Exception):
    """The folder for a new pack already holds files; nothing was written."""


def write_starter_pack(folder: Path) -> list[Path]:
    """Write the starter pack into an empty or new folder; return the files written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise FolderNotEmpty(f"{folder} is not an empty folder; choose a new one")
    pack_id = _slug(folder.name)
    files = {
        "pack.yaml": PACK_YAML.format(pack_id=pack_id, folder=folder),
        "cases/clinic-acute-cystitis.yaml": CLINIC_CASE,
        "cases/ed-colles-fracture.yaml": ED_CASE,
        "inbox/roi-email-request.yaml": INBOX_MESSAGE,
    }
    written: list[Path] = []
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _slug(name: str) -> str:
    """Turn a folder name into a pack id (lower-case letters, digits and dashes)."""
    allowed = set(string.ascii_lowercase + string.digits)
    slug = "".join(ch if ch in allowed else "-" for ch in name.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:64].strip("-")
    return slug or "my-pack"

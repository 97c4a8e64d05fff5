"""Render a case into a concrete chart: a seeded synthetic patient, real dates, one variant.

The same (case, seed, shift date) always gives the same chart; a different seed gives a
different patient and may draw a different variant. Every identifier is synthetic: SSNs start
with 9 (never issued), phone numbers use the fictional 555 exchange.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import ModuleType
from typing import Any

from simulator.charts.template import substitute
from simulator.packs.models import Action, Case, ClaimType, KeyLine, Setting

PAYERS = (
    "Medicare",
    "Medicaid",
    "Blue Cross Blue Shield",
    "Aetna",
    "UnitedHealthcare",
    "Cigna",
    "Humana",
    "Tricare",
    "Self-pay",
)
FACILITIES = (
    "Riverbend General Hospital",
    "Cedar Valley Medical Center",
    "Lakeshore Community Hospital",
    "Northfield Regional Medical Center",
    "St. Aurelia Hospital",
)
CREDENTIALS = ("MD", "MD", "MD", "DO", "NP", "PA-C")
DATE_FORMAT = "%m/%d/%Y"


@dataclass(frozen=True)
class Patient:
    """A synthetic patient; every field is made up and marked so."""

    first_name: str
    last_name: str
    sex: str
    dob: date
    age: int
    mrn: str
    account: str
    phone: str
    address: str
    ssn: str
    synthetic: bool = True

    @property
    def name(self) -> str:
        """Full name as charts print it."""
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self) -> str:
        """Initials, the most a workqueue grid shows."""
        return f"{self.first_name[:1]}.{self.last_name[:1]}."


@dataclass(frozen=True)
class Encounter:
    """When and under which payer the encounter happened."""

    admit_date: date | None
    discharge_date: date | None
    service_date: date
    payer: str
    priority: int

    @property
    def los(self) -> int | None:
        """Length of stay in days (inpatient only)."""
        if self.admit_date and self.discharge_date:
            return max((self.discharge_date - self.admit_date).days, 1)
        return None


@dataclass(frozen=True)
class RenderedDocument:
    """One document of a chart with its placeholders filled in."""

    index: int
    type: str
    author: str
    date: date
    signed: bool
    text: str


@dataclass(frozen=True)
class RenderedLine:
    """One answer-key line with variant variables filled into its codes."""

    code: str
    system: str
    poa: str | None
    modifiers: tuple[str, ...]
    units: int
    alternates: tuple[str, ...]
    optional: bool
    rationale: str
    evidence: str


@dataclass(frozen=True)
class Chart:
    """A case rendered for one seed: what the coder sees and the key it is graded by."""

    chart_id: str
    case_id: str
    seed: int
    title: str
    setting: Setting
    claim_type: ClaimType
    topics: tuple[str, ...]
    difficulty: int
    time_standard_minutes: float
    patient: Patient
    encounter: Encounter
    provider: str
    facility: str
    variant: dict[str, str]
    documents: tuple[RenderedDocument, ...]
    action: Action
    action_reason: str | None
    diagnoses: tuple[RenderedLine, ...]
    procedures: tuple[RenderedLine, ...]
    values: dict[str, str] = field(repr=False, default_factory=dict)


@lru_cache(maxsize=1)
def _faker() -> Any:
    """Return one shared Faker generator (en_US names and addresses), reseeded per chart.

    Only the two providers used are loaded: a full `Faker("en_US")` loads every provider and
    costs about 60 ms more at start-up.
    """
    generator_module, person, address = _faker_parts()
    generator = generator_module.Generator()
    generator.add_provider(person.Provider)
    generator.add_provider(address.Provider)
    return generator


def _faker_parts() -> tuple[ModuleType, ModuleType, ModuleType]:
    """Import faker.generator and the en_US person and address providers, without the locale
    scan of `import faker`.

    faker/__init__.py imports faker.config, which imports every provider package (about 25)
    to list the locales they ship: ~45 ms of CodeDesk's start-up, for two providers. So when
    Faker is not loaded yet, its package is registered without running its __init__ (its
    submodules import as usual), and it completes itself, running that __init__ in place, the
    first time anything asks it for an attribute it lacks: `from faker import Faker` anywhere
    else in the process works as ever (tests/unit/test_render.py checks both).
    """
    import importlib
    import importlib.util
    import sys

    if "faker" not in sys.modules:
        spec = importlib.util.find_spec("faker")
        if spec is not None and spec.loader is not None:
            package = importlib.util.module_from_spec(spec)
            loader = spec.loader
            completing: list[bool] = []

            def complete(name: str) -> Any:
                if completing:  # asked during the __init__ itself: a real miss
                    raise AttributeError(f"module 'faker' has no attribute {name!r}")
                completing.append(True)
                del package.__getattr__
                loader.exec_module(package)
                return getattr(package, name)

            package.__getattr__ = complete  # type: ignore[method-assign]
            sys.modules["faker"] = package
    return (
        importlib.import_module("faker.generator"),
        importlib.import_module("faker.providers.person.en_US"),
        importlib.import_module("faker.providers.address.en_US"),
    )


def chart_seed(case_id: str, seed: int) -> int:
    """Derive a stable per-case seed so charts of one queue differ from each other."""
    digest = hashlib.sha256(f"{case_id}\x00{seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def render(case: Case, seed: int, shift_date: date, default_minutes: float | None = None) -> Chart:
    """Render a case for a seed and a shift date."""
    derived = chart_seed(case.id, seed)
    rng = random.Random(derived)
    fake = _faker()
    fake.seed_instance(derived)

    sex = case.patient.sex if case.patient.sex != "any" else rng.choice(("F", "M"))
    age = rng.randint(case.patient.age.min, case.patient.age.max)
    spec = case.encounter
    admit = shift_date + timedelta(days=spec.admit_day) if spec.admit_day is not None else None
    discharge = (
        shift_date + timedelta(days=spec.discharge_day) if spec.discharge_day is not None else None
    )
    service = shift_date + timedelta(days=spec.service_day if spec.service_day is not None else 0)
    if discharge is not None and spec.service_day is None:
        service = discharge
    anchor = admit or service
    birthday_offset = rng.randint(1, 364)
    dob = _years_before(anchor, age) - timedelta(days=birthday_offset)
    age_at_visit = _age_on(dob, anchor)
    first = fake.first_name_female() if sex == "F" else fake.first_name_male()
    last = fake.last_name()
    patient = Patient(
        first_name=first,
        last_name=last,
        sex=sex,
        dob=dob,
        age=age_at_visit,
        mrn=f"{rng.randint(10_000_000, 99_999_999)}",
        account=f"{rng.randint(1, 9)}{rng.randint(100_000_000, 999_999_999)}",
        phone=f"({rng.randint(201, 989)}) 555-{rng.randint(100, 199):04d}",
        address=f"{fake.street_address()}, {fake.city()}, {fake.state_abbr()}",
        ssn=f"9{rng.randint(0, 99):02d}-{rng.randint(70, 99)}-{rng.randint(1000, 9999)}",
    )
    payer = spec.payer or ("Medicare" if age_at_visit >= 65 else rng.choice(PAYERS[1:]))
    encounter = Encounter(admit, discharge, service, payer, spec.priority)
    provider = f"{fake.first_name()} {fake.last_name()}, {rng.choice(CREDENTIALS)}"
    consultant = f"{fake.first_name()} {fake.last_name()}, MD"
    facility = rng.choice(FACILITIES)
    variant = dict(rng.choice(case.variants)) if case.variants else {}

    values: dict[str, str] = {
        "patient.name": patient.name,
        "patient.first_name": patient.first_name,
        "patient.last_name": patient.last_name,
        "patient.dob": patient.dob.strftime(DATE_FORMAT),
        "patient.age": str(patient.age),
        "patient.sex": "Female" if sex == "F" else "Male",
        "patient.pronoun": "she" if sex == "F" else "he",
        "patient.mrn": patient.mrn,
        "patient.account": patient.account,
        "patient.phone": patient.phone,
        "patient.address": patient.address,
        "patient.ssn": patient.ssn,
        "encounter.admit_date": admit.strftime(DATE_FORMAT) if admit else "",
        "encounter.discharge_date": discharge.strftime(DATE_FORMAT) if discharge else "",
        "encounter.service_date": service.strftime(DATE_FORMAT),
        "encounter.los": str(encounter.los or ""),
        "encounter.payer": payer,
        "provider.name": provider,
        "provider.consultant": consultant,
        "facility.name": facility,
        **variant,
    }
    documents = []
    for index, doc in enumerate(case.documents):
        doc_date = shift_date + timedelta(days=doc.day)
        local = {**values, "document.date": doc_date.strftime(DATE_FORMAT)}
        documents.append(
            RenderedDocument(
                index=index,
                type=substitute(doc.type, local),
                author=substitute(doc.author, local),
                date=doc_date,
                signed=doc.signed,
                text=substitute(doc.text, local),
            )
        )
    minutes = case.time_standard_minutes or default_minutes or 10.0
    return Chart(
        chart_id=f"{case.id}#{seed}",
        case_id=case.id,
        seed=seed,
        title=case.title,
        setting=case.setting,
        claim_type=case.claim_type,
        topics=tuple(case.topics),
        difficulty=case.difficulty,
        time_standard_minutes=minutes,
        patient=patient,
        encounter=encounter,
        provider=provider,
        facility=facility,
        variant=variant,
        documents=tuple(documents),
        action=case.decision.action,
        action_reason=case.decision.reason,
        diagnoses=tuple(render_line(line, variant) for line in case.key.diagnoses),
        procedures=tuple(render_line(line, variant) for line in case.key.procedures),
        values=values,
    )


def render_line(line: KeyLine, variant: dict[str, str]) -> RenderedLine:
    """Fill variant variables into one key line's codes and texts."""
    return RenderedLine(
        code=substitute(line.code, variant).upper(),
        system=line.system,
        poa=line.poa,
        modifiers=tuple(substitute(m, variant).upper() for m in line.modifiers),
        units=line.units,
        alternates=tuple(substitute(a, variant).upper() for a in line.alternates),
        optional=line.optional,
        rationale=substitute(line.rationale, variant),
        evidence=substitute(line.evidence, variant),
    )


def _years_before(day: date, years: int) -> date:
    """Return the same calendar day `years` earlier (28 Feb for 29 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _age_on(dob: date, day: date) -> int:
    """Return the age in whole years on a day."""
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

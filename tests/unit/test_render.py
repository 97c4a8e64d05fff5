"""Rendering: deterministic per seed, different across seeds, within the case's constraints."""

from __future__ import annotations

from datetime import date

from simulator.charts.render import render
from simulator.packs import LoadedPack
from simulator.packs.models import PatientSpec

SHIFT = date(2026, 11, 24)


def test_same_seed_same_chart(starter: LoadedPack) -> None:
    case = starter.case("ip-chf-exacerbation")
    assert render(case, 11, SHIFT) == render(case, 11, SHIFT)


def test_different_seeds_different_patients(starter: LoadedPack) -> None:
    case = starter.case("ip-chf-exacerbation")
    names = {render(case, seed, SHIFT).patient.name for seed in range(20)}
    assert len(names) > 15


def test_constraints_hold(starter: LoadedPack) -> None:
    base = starter.case("clinic-diabetes-followup")
    case = base.model_copy(
        update={"patient": PatientSpec.model_validate({"age": {"min": 20, "max": 40}, "sex": "F"})}
    )
    for seed in range(300):
        chart = render(case, seed, SHIFT)
        assert chart.patient.sex == "F"
        assert 20 <= chart.patient.age <= 40


def test_no_unfilled_placeholders_and_variants_fill_keys(starter: LoadedPack) -> None:
    for case in starter.cases:
        for seed in range(20):
            chart = render(case, seed, SHIFT)
            for doc in chart.documents:
                assert "{{" not in doc.text and "?]" not in doc.text
            for line in chart.diagnoses + chart.procedures:
                assert "{{" not in line.code


def test_identifiers_are_marked_synthetic(starter: LoadedPack) -> None:
    chart = render(starter.cases[0], 5, SHIFT)
    assert chart.patient.synthetic
    assert chart.patient.ssn.startswith("9")
    assert "555-" in chart.patient.phone


FAKER_IN_A_FRESH_PROCESS = """
import sys
from datetime import date
from simulator.charts.render import _faker

generator = _faker()
generator.seed_instance(7)
ours = [generator.first_name_female(), generator.last_name(), generator.street_address()]
assert "faker.config" not in sys.modules, "the locale scan ran"

from faker import Faker, Generator, VERSION  # the package completes itself here
from faker.providers.address.en_US import Provider as Address
from faker.providers.person.en_US import Provider as Person

assert "faker.config" in sys.modules and VERSION
assert Faker("en_US").name()
plain = Generator()
plain.add_provider(Person)
plain.add_provider(Address)
plain.seed_instance(7)
assert ours == [plain.first_name_female(), plain.last_name(), plain.street_address()], ours
print("ok")
"""


def test_faker_loads_without_its_locale_scan_and_still_imports_whole() -> None:
    """Charts take Faker's person and address providers without running `import faker`'s scan
    of every provider; the package still completes itself for `from faker import Faker`, and the
    same seed gives the same patient as a plainly imported Faker."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", FAKER_IN_A_FRESH_PROCESS], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"

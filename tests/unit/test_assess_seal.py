"""A sealed assessment file: the charts readable, no key material in clear, clear errors."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from simulator import paths
from simulator.assess.errors import AssessError
from simulator.assess.public import SEALED_REASON, document_variables
from simulator.assess.sealed import (
    MIMETYPE,
    SealedAssessment,
    load_full_pack,
    read_sealed,
    screener_keys,
    seal,
    unlock,
)
from simulator.charts.render import render, render_line
from simulator.cli import main
from simulator.codebook import Codebook
from simulator.packs import LoadedPack, load_pack
from simulator.packs.validate import check_pack
from tests.unit.test_import_hygiene import ui_modules_loaded

SAMPLE = paths.builtin_pack("assessment-sample")
PASSPHRASE = "screener passphrase 7"


@pytest.fixture(scope="module")
def full() -> LoadedPack:
    """The sample assessment pack, keys and all."""
    return load_pack(SAMPLE)


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory, book: Codebook) -> SealedAssessment:
    """The sample pack sealed (a cheap scrypt keeps the tests fast)."""
    out = tmp_path_factory.mktemp("seal") / "sample.cdassess"
    return seal(SAMPLE, out, PASSPHRASE, book, scrypt_n=2**10)


def key_codes(pack: LoadedPack) -> set[str]:
    """Every code of every answer key (query answers too), with each variant filled in."""
    codes: set[str] = set()
    for case in pack.cases:
        lines = [*case.key.diagnoses, *case.key.procedures]
        if case.query is not None:
            for answer in case.query.answers:
                lines += [*answer.key.diagnoses, *answer.key.procedures]
        for variant in case.variants or [{}]:
            for line in lines:
                rendered = render_line(line, variant)
                codes.add(rendered.code)
                codes.update(rendered.alternates)
    return codes


def parts(path: Path) -> tuple[list[bytes], list[str]]:
    """The sealed file's bytes as binary parts (raw, base64-decoded fields) and text parts."""
    raw = path.read_bytes()
    binary = [raw]
    texts: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == "key-material.bin":
                binary.append(data)
                continue
            text = data.decode("utf-8")
            texts.append(text)
            if info.filename == "manifest.json":
                for value in re.findall(r'"([A-Za-z0-9+/]{16,}={0,2})"', text):
                    try:
                        binary.append(base64.b64decode(value, validate=True))
                    except ValueError:
                        continue
    return binary, texts


def test_sealed_file_holds_no_key_material_in_clear(
    sealed: SealedAssessment, full: LoadedPack
) -> None:
    binary, texts = parts(sealed.path)
    codes = key_codes(full)
    assert len(codes) > 80
    for code in codes:
        word = re.compile(rf"(?<![A-Z0-9.]){re.escape(code)}(?![A-Z0-9])")
        for text in texts:
            assert not word.search(text), code
        if len(code) >= 5:  # shorter strings turn up in random bytes by chance
            for blob in binary:
                assert code.encode() not in blob, code
    secrets_in_words = []
    for case in full.cases:
        secrets_in_words += [case.id, case.title]
        for line in [*case.key.diagnoses, *case.key.procedures]:
            secrets_in_words.append(" ".join(line.rationale.split())[:40])
        if case.query is not None:
            secrets_in_words += [
                " ".join(a.physician_response_text.split())[:40] for a in case.query.answers
            ]
        secrets_in_words += [t for t in case.topics if "-" in t]  # e.g. misfiled-document
    flat = [" ".join(text.split()) for text in texts]
    for secret in secrets_in_words:
        assert not any(secret in text for text in flat), secret
        for blob in binary:
            assert secret.encode() not in blob, secret
    assert full.pack.description[:40] not in " ".join(flat)
    cases = [text for text in texts if text.startswith("# Public part") and "documents:" in text]
    assert len(cases) == 20
    assert not any(re.search(r"^(topics|key|query|flag):", text, re.M) for text in cases)


def test_the_file_format_is_what_the_guide_says(sealed: SealedAssessment) -> None:
    raw = sealed.path.read_bytes()
    assert (
        raw[:4] == b"PK\x03\x04"
        and raw[30:38] == b"mimetype"
        and raw[38 : 38 + len(MIMETYPE)] == MIMETYPE
    )
    manifest = json.loads(zipfile.ZipFile(sealed.path).read("manifest.json"))
    assert manifest["format"] == "codedesk-sealed-assessment" and manifest["version"] == 1
    assert manifest["kdf"]["name"] == "scrypt" and manifest["cipher"] == "AES-256-GCM"
    assert manifest["screener_public_key"]["algorithm"] == "X25519"
    assert manifest["charts"] == 14 and manifest["time_limit_minutes"] == 45
    assert [s["count"] for s in manifest["draw"]["strata"]] == [2, 2, 2, 3, 3, 2]
    names = zipfile.ZipFile(sealed.path).namelist()
    assert names[0] == "mimetype" and "key-material.bin" in names
    assert sum(1 for n in names if n.startswith("public/cases/")) == 20


def test_public_cases_render_exactly_like_the_full_cases(
    sealed: SealedAssessment, full: LoadedPack, book: Codebook, tmp_path: Path
) -> None:
    public = tmp_path / "public"
    for name, data in sealed.public_files.items():
        (public / name).parent.mkdir(parents=True, exist_ok=True)
        (public / name).write_bytes(data)
    loaded = load_pack(public)
    assert check_pack(loaded, book) == []  # the app opens it as any pack
    key = unlock(sealed, screener_keys(sealed, PASSPHRASE))
    from datetime import date

    for case in loaded.cases:
        assert case.decision.reason == SEALED_REASON and not case.key.diagnoses
        assert case.topics == [] and case.query is None and case.flag is None
        real = full.case(key.real_ids[case.id]).model_copy(update={"id": case.id})
        for seed in (3, 77):
            mine = render(case, seed, date(2026, 11, 24), 5.0)
            theirs = render(real, seed, date(2026, 11, 24), 5.0)
            assert mine.documents == theirs.documents
            assert mine.patient == theirs.patient
            assert set(mine.variant) == document_variables(real) & set(theirs.variant)


def test_unlock_gives_back_the_original_pack(
    sealed: SealedAssessment, full: LoadedPack, tmp_path: Path
) -> None:
    key = unlock(sealed, screener_keys(sealed, PASSPHRASE))
    rebuilt = load_full_pack(sealed, key, tmp_path / "full")
    assert [c.model_dump() for c in rebuilt.cases] == [c.model_dump() for c in full.cases]
    assert sorted(key.real_ids.values()) == sorted(c.id for c in full.cases)


def test_wrong_passphrase_is_a_clear_error(
    sealed: SealedAssessment, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(AssessError, match="wrong passphrase"):
        screener_keys(sealed, "not the passphrase")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase\n")
    result = tmp_path / "nothing.cdresult"
    result.write_text("{}")
    code = main(
        [
            "assess",
            "score",
            str(result),
            "--sealed",
            str(sealed.path),
            "--passphrase-file",
            str(wrong),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == (
        f"{sealed.path}: wrong passphrase (it does not give this file's screener key)"
    )
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"hello", "not a sealed CodeDesk assessment (not a zip archive)"),
        (None, "not a sealed CodeDesk assessment (no mimetype entry)"),
    ],
)
def test_bad_sealed_files_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, message: str
) -> None:
    bad = tmp_path / "bad.cdassess"
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("manifest.json", "{}")
        content = buffer.getvalue()
    bad.write_bytes(content)
    assert main(["assess", "take", str(bad), "--candidate", "C-1"]) == 1
    out, err = capsys.readouterr()
    assert err.strip() == f"{bad}: {message}"
    assert "Traceback" not in out + err


def _rewrite(source: Path, target: Path, change: dict[str, bytes]) -> None:
    """Copy a sealed file with some entries replaced, keeping the order."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info, change.get(info.filename, old.read(info)))


def test_a_changed_sealed_file_is_caught(sealed: SealedAssessment, tmp_path: Path) -> None:
    manifest = zipfile.ZipFile(sealed.path).read("manifest.json")
    longer = tmp_path / "longer.cdassess"
    _rewrite(
        sealed.path,
        longer,
        {"manifest.json": manifest.replace(b'"time_limit_minutes":45', b'"time_limit_minutes":90')},
    )
    changed = read_sealed(longer)
    assert changed.time_limit_minutes == 90
    with pytest.raises(AssessError, match="changed after sealing"):
        unlock(changed, screener_keys(changed, PASSPHRASE))
    case = tmp_path / "case.cdassess"
    name = next(n for n in zipfile.ZipFile(sealed.path).namelist() if n.startswith("public/cases/"))
    _rewrite(sealed.path, case, {name: b"id: x\n"})
    with pytest.raises(AssessError, match="was changed after sealing"):
        read_sealed(case)
    newer = tmp_path / "newer.cdassess"
    _rewrite(
        sealed.path, newer, {"manifest.json": manifest.replace(b'"version":1', b'"version":2')}
    )
    with pytest.raises(AssessError, match="newer CodeDesk"):
        read_sealed(newer)


def test_seal_cli_with_a_passphrase_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    cache_dir: Path,
) -> None:
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache_dir))
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE + "\n")
    out = tmp_path / "s.cdassess"
    assert (
        main(["assess", "seal", str(SAMPLE), "--out", str(out), "--passphrase-file", str(secret)])
        == 0
    )
    text = capsys.readouterr().out
    assert "14 charts per candidate" in text and "different draws" in text
    sealed = read_sealed(out)
    assert sealed.kdf.n == 2**17  # the real cost, not the tests' cheap one
    short = tmp_path / "short.txt"
    short.write_text("short\n")
    assert (
        main(
            [
                "assess",
                "seal",
                str(SAMPLE),
                "--out",
                str(tmp_path / "x.cdassess"),
                "--passphrase-file",
                str(short),
            ]
        )
        == 1
    )
    assert "shorter than 10 characters" in capsys.readouterr().err


def test_seal_asks_twice_without_echo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSPHRASE, PASSPHRASE + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert main(["assess", "seal", str(SAMPLE), "--out", str(tmp_path / "s.cdassess")]) == 2
    assert "the two passphrases differ" in capsys.readouterr().err
    assert not (tmp_path / "s.cdassess").exists()


def test_a_pack_with_too_few_cases_for_a_stratum_is_refused(tmp_path: Path, book: Codebook) -> None:
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(SAMPLE, pack)
    text = (pack / "pack.yaml").read_text().replace("count: 3\n", "count: 9\n", 1)
    (pack / "pack.yaml").write_text(text.replace("  charts: 14\n", ""))
    with pytest.raises(AssessError, match=r"assessment.strata\[3\] \(emergency\): draws 9"):
        seal(pack, tmp_path / "x.cdassess", PASSPHRASE, book, scrypt_n=2**10)


def test_the_assessment_core_imports_no_ui() -> None:
    modules = [
        "simulator.assess.crypto",
        "simulator.assess.draw",
        "simulator.assess.handin",
        "simulator.assess.public",
        "simulator.assess.report",
        "simulator.assess.result",
        "simulator.assess.scorer",
        "simulator.assess.sealed",
        "simulator.assess.sitting",
        "simulator.assess.timeline",
        "simulator.commands.assess",
    ]
    assert ui_modules_loaded(modules) == {}


def test_the_guides_cover_the_assessment_block(full: LoadedPack) -> None:
    import yaml

    from simulator.packs.models import AssessmentRules, PassMarks, Stratum

    docs = Path(__file__).resolve().parents[2] / "docs"
    pack_format = (docs / "PACK_FORMAT.md").read_text(encoding="utf-8")
    guide = (docs / "ASSESSMENTS.md").read_text(encoding="utf-8")
    for model in (AssessmentRules, Stratum, PassMarks):
        for name in model.model_fields:
            assert f"`{name}`" in pack_format, name
    assert "`assessment`" in pack_format
    section = pack_format[pack_format.index("## 15. Assessments") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    rules = AssessmentRules.model_validate(yaml.safe_load(example.group(1))["assessment"])
    assert rules == full.pack.assessment
    for words in ("assess seal", "assess take", "assess score", "codedesk serve", "hash chain"):
        assert words in guide, words

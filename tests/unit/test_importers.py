"""Importing the CMS HCPCS file and a licensed CPT file: layouts, located errors, atomicity."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.codebook import importers
from simulator.codebook.importers import ImportedCode, ImportRejected
from simulator.commands import importers as commands

TODAY = dt.date(2026, 11, 2)
WELLNESS = (
    "Annual wellness visit; includes a personalized prevention plan of service (pps), initial visit"
)


def record(code: str, seq: int, recid: str, text: str, short: str = "", term: str = "") -> str:
    """Return one record of the CMS fixed-width layout, padded to 320 characters."""
    line = f"{code:<5}{seq:05d}{recid}{text:<80}{short:<28}"
    if term:
        line = line.ljust(284) + term + "D"
    return line.ljust(320)


def cms_fixed() -> str:
    """A small CMS fixed-width file: continuations (mid-word and at a space), modifiers, a
    discontinued code, and a short continuation line as some exports trim trailing blanks."""
    ambulance = "Ambulance service, basic life support, non-emergency transport, (bls)"
    return "\r\n".join(
        [
            record("A0428", 100, "3", ambulance, "Bls"),
            record("G0438", 100, "3", WELLNESS[:80], "Ppps, initial visit"),
            record("G0438", 200, "4", WELLNESS[80:]),
            record(
                "G0442",
                100,
                "3",
                "Annual alcohol misuse screening,",
                "Annual alcohol screen 15 min",
            ),
            record("G0442", 200, "4", "15 minutes").rstrip(),
            record(
                "J1100",
                100,
                "3",
                "Injection, dexamethasone sodium phosphate, 1 mg",
                "Dexamethasone sodium phos",
            ),
            record(
                "Q0091",
                100,
                "3",
                "Screening papanicolaou smear",
                "Obtaining screen pap smear",
                "20251231",
            ),
            record(
                "GA",
                100,
                "7",
                "Waiver of liability statement issued as required by payer",
                "Waiver of liability on file",
            ),
            record(
                "   GY",
                100,
                "7",
                "Item or service statutorily excluded, does not meet the",
                "Statutorily excluded",
            ),
            record("   GY", 200, "8", "definition of any medicare benefit"),
            "",
        ]
    )


def cms_csv() -> str:
    """The same kind of content in the CMS CSV layout (Excel export)."""
    return "\n".join(
        [
            "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION,PRICE1,TERM DT,ACTION CD",
            'A0428,00100,3,"Ambulance service, basic life support, non-emergency transport, (bls)",Bls,,,N',
            'G0442,00100,3,"Annual alcohol misuse screening,",Annual alcohol screen 15 min,11,,N',
            "G0442,00200,4,15 minutes,,,,",
            'Q0091,00100,3,Screening papanicolaou smear,"Obtaining screen pap smear",,20251231,D',
            "GA,00100,7,Waiver of liability statement issued as required by payer,Waiver of liability on file,,,N",
        ]
    )


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a sample file and return its path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(exc: pytest.ExceptionInfo[ImportRejected]) -> list[str]:
    """Return the rendered problems of a rejected import."""
    return [str(p) for p in exc.value.problems]


def by_code(codes: tuple[ImportedCode, ...]) -> dict[tuple[str, str], ImportedCode]:
    """Index parsed codes by system and code."""
    return {(c.system, c.code): c for c in codes}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Return every file under folder with its bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes() if p.is_file() else b"<folder>"
        for p in sorted(folder.rglob("*"))
    }


# --- HCPCS, fixed width ---------------------------------------------------------------


def test_fixed_width_joins_continuations_and_reads_modifiers(tmp_path: Path) -> None:
    """Continuation lines are joined (mid-word and at spaces); modifiers and end dates are read."""
    parsed = importers.parse_hcpcs(write(tmp_path, "HCPC2026_JAN_ANWEB.txt", cms_fixed()))
    assert (parsed.layout, parsed.encoding, parsed.source) == (
        "CMS fixed-width",
        "utf-8",
        "HCPC2026_JAN_ANWEB.txt",
    )
    codes = by_code(parsed.codes)
    assert codes["hcpcs", "G0438"].title == WELLNESS
    assert codes["hcpcs", "G0442"].title == "Annual alcohol misuse screening, 15 minutes"
    assert codes["hcpcs", "A0428"] == ImportedCode(
        "hcpcs",
        "A0428",
        "Ambulance service, basic life support, non-emergency transport, (bls)",
        "Bls",
    )
    assert codes["hcpcs", "Q0091"].terminated == "2025-12-31"
    assert codes["modifier", "GY"].title == (
        "Item or service statutorily excluded, does not meet the definition of any medicare benefit"
    )
    assert (parsed.count("hcpcs"), parsed.count("modifier")) == (5, 2)
    assert [c.code for c in parsed.codes] == [
        "A0428",
        "G0438",
        "G0442",
        "J1100",
        "Q0091",
        "GA",
        "GY",
    ]


def test_fixed_width_errors_are_located_and_all_reported(tmp_path: Path) -> None:
    """Every malformed record is reported at its line and column, in file order."""
    lines = [
        record("A0428", 100, "3", "Ambulance service, basic life support"),
        record("12345", 100, "3", "Not a level II code"),
        record("A0430", 100, "5", "Bad record id"),
        "A0021",
        record("A0425", 100, "3", "Ground mileage").replace("00100", "00A00", 1),
        record("G9999", 200, "4", "orphan continuation"),
        record("A0428", 100, "3", "Ambulance again"),
        record("Q0091", 100, "3", "Screening papanicolaou smear", "", "20251341"),
        record("J1100", 100, "3", ""),
    ]
    path = write(tmp_path, "bad.txt", "\n".join(lines))
    with pytest.raises(ImportRejected) as exc:
        importers.parse_hcpcs(path)
    f = str(path)
    assert problems(exc) == [
        f"{f}:2:1: '12345' is not a HCPCS Level II code (a letter and four digits)",
        f"{f}:3:11: record id '5' is not 3 or 4 (procedure) or 7 or 8 (modifier)",
        f"{f}:4:6: the record ends after 5 characters; the HCPCS layout needs a code "
        "(columns 1-5), a sequence number (6-10) and a record id (11)",
        f"{f}:5:6: sequence number '00A00' is not five digits",
        f"{f}:6:1: continuation of G9999 (record id 4) does not follow its first line (record id 3)",
        f"{f}:7:1: A0428 appears again (its record starts at line 1)",
        f"{f}:8:285: termination date '20251341' is not a YYYYMMDD date",
        f"{f}:9:12: J1100 has no long description",
    ]


def test_a_file_of_another_kind_gets_one_clear_message_first(tmp_path: Path) -> None:
    """A CPT file passed as HCPCS is named as the wrong kind before the line-by-line problems."""
    path = write(tmp_path, "cpt.txt", "99213\tOffice visit\n99214\tOffice visit, longer\n")
    with pytest.raises(ImportRejected) as exc:
        importers.parse_hcpcs(path)
    assert problems(exc)[0] == (
        f"{path}:1:1: not a CMS HCPCS file: expected fixed-width records (code in columns 1-5, "
        "record id in column 11) or a CSV header starting with HCPC"
    )
    assert len(problems(exc)) == 3


# --- HCPCS, CSV -------------------------------------------------------------------------


def test_csv_layout_is_detected_by_its_header(tmp_path: Path) -> None:
    """The CSV export is read by column name, with quoted cells and continuation rows."""
    parsed = importers.parse_hcpcs(write(tmp_path, "HCPC2026_JAN_ANWEB.csv", cms_csv()))
    assert parsed.layout == "CMS CSV"
    codes = by_code(parsed.codes)
    assert codes["hcpcs", "A0428"].title == (
        "Ambulance service, basic life support, non-emergency transport, (bls)"
    )
    assert codes["hcpcs", "G0442"].title == "Annual alcohol misuse screening, 15 minutes"
    assert codes["hcpcs", "G0442"].short_title == "Annual alcohol screen 15 min"
    assert codes["hcpcs", "Q0091"].terminated == "2025-12-31"
    assert codes["modifier", "GA"].short_title == "Waiver of liability on file"


def test_csv_with_windows_1252_text_is_read(tmp_path: Path) -> None:
    """A spreadsheet export in Windows-1252 (not UTF-8) is still read, and says so."""
    text = cms_csv().replace("Screening papanicolaou", "Screening Papanicolaou\u2019s")
    parsed = importers.parse_hcpcs(write(tmp_path, "w.csv", text, "cp1252"))
    assert parsed.encoding == "windows-1252"
    assert by_code(parsed.codes)["hcpcs", "Q0091"].title.startswith("Screening Papanicolaou\u2019s")


def test_csv_errors_are_located_at_the_cell(tmp_path: Path) -> None:
    """CSV problems point at the column where the offending cell starts."""
    text = "\n".join(
        [
            "HCPC,SEQNUM,RECID,LONG DESCRIPTION,SHORT DESCRIPTION",
            "A0428,00100,3,Ambulance service,Bls",
            "A0429,00100,9,Ambulance service emergency,Bls emergency",
            'A0430,00100,3,"Fixed wing air transport,Fixed wing',
            "A0431,00100,3,Rotary wing,Rotary,extra",
            "A0432,1x0,3,Paramedic intercept,Pi",
            "A0433,00200,4,continued",
        ]
    )
    path = write(tmp_path, "bad.csv", text)
    with pytest.raises(ImportRejected) as exc:
        importers.parse_hcpcs(path)
    f = str(path)
    assert problems(exc) == [
        f"{f}:3:13: RECID '9' is not 3 or 4 (procedure) or 7 or 8 (modifier)",
        f"{f}:4:15: this quote is never closed",
        f"{f}:5:34: 6 cells, but the header names 5 columns",
        f"{f}:6:7: SEQNUM '1x0' is not a number of up to five digits",
        f"{f}:7:1: continuation of A0433 (RECID 4) does not follow its first line (RECID 3)",
    ]


def test_csv_header_without_required_columns(tmp_path: Path) -> None:
    """A header that lacks RECID and LONG DESCRIPTION says so, at line 1."""
    path = write(tmp_path, "h.csv", "HCPC,SEQNUM,DESCRIPTION\nA0428,00100,Ambulance\n")
    with pytest.raises(ImportRejected) as exc:
        importers.parse_hcpcs(path)
    assert problems(exc) == [
        f"{path}:1:1: the header has no RECID column",
        f"{path}:1:1: the header has no LONG DESCRIPTION column",
    ]


# --- CPT ---------------------------------------------------------------------------------


def test_cpt_tab_separated_with_header(tmp_path: Path) -> None:
    """A tab-separated file with a header is read by column name."""
    text = "Code\tDescriptor\n99213\tOffice or other outpatient visit, established patient\n0001U\tRed cell antigen typing\n"
    parsed = importers.parse_cpt(write(tmp_path, "cpt.txt", text))
    assert parsed.layout == "tab-separated"
    assert [(c.system, c.code, c.title) for c in parsed.codes] == [
        ("cpt", "0001U", "Red cell antigen typing"),
        ("cpt", "99213", "Office or other outpatient visit, established patient"),
    ]


def test_cpt_comma_separated_without_header(tmp_path: Path) -> None:
    """Without a header, unquoted commas belong to the descriptor; quoted cells work too."""
    text = '47562,"Laparoscopy, surgical; cholecystectomy"\n44970,Laparoscopy, surgical, appendectomy\n'
    parsed = importers.parse_cpt(write(tmp_path, "cpt.csv", text))
    assert parsed.layout == "comma-separated"
    assert by_code(parsed.codes)["cpt", "44970"].title == "Laparoscopy, surgical, appendectomy"
    assert by_code(parsed.codes)["cpt", "47562"].title == "Laparoscopy, surgical; cholecystectomy"


def test_cpt_header_picks_the_long_descriptor(tmp_path: Path) -> None:
    """With more columns, the header decides which ones hold the code and the descriptor."""
    text = (
        "Concept Id\tCPT Code\tShort Descriptor\tLong Descriptor\n"
        "1001\t99213\tOFFICE O/P EST LOW 20 MIN\tOffice or other outpatient visit\n"
    )
    parsed = importers.parse_cpt(write(tmp_path, "cpt.txt", text))
    assert parsed.codes == (ImportedCode("cpt", "99213", "Office or other outpatient visit"),)


def test_cpt_errors_are_located(tmp_path: Path) -> None:
    """Bad codes, missing descriptors, duplicates and missing separators are all reported."""
    text = "\n".join(
        [
            "99213\tOffice visit",
            "9921\tOffice visit, lost zero",
            "ABCDE\tNot a code",
            "99214\t",
            "99213\tOffice visit again",
            "99215 Office visit without a tab",
            "99212\tOffice visit\tsurplus",
        ]
    )
    path = write(tmp_path, "cpt.txt", text)
    with pytest.raises(ImportRejected) as exc:
        importers.parse_cpt(path)
    f = str(path)
    assert problems(exc) == [
        f"{f}:2:1: '9921' is not a CPT code (five digits, or four digits and F, T, U or M) "
        "(were leading zeros lost in a spreadsheet?)",
        f"{f}:3:1: 'ABCDE' is not a CPT code (five digits, or four digits and F, T, U or M)",
        f"{f}:4:7: 99214 has no descriptor",
        f"{f}:5:1: 99213 appears again (first at line 1)",
        f"{f}:6:33: expected a code and a descriptor separated by a tab",
        f"{f}:7:20: 3 cells, but 2 columns are expected (add a header line naming the columns)",
    ]


def test_cpt_comma_file_errors(tmp_path: Path) -> None:
    """A comma-separated file reports quote problems at the quote."""
    path = write(tmp_path, "cpt.csv", '99213,Office visit\n99214,"Office visit" longer\n')
    with pytest.raises(ImportRejected) as exc:
        importers.parse_cpt(path)
    assert problems(exc) == [f"{path}:2:21: unexpected text after a closing quote"]


# --- files that are not text at all -----------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "{f}:1:1: the file is empty"),
        (b"\r\n  \n", "{f}:1:1: the file is empty"),
        (
            b"99213\tOffice\n\x89PNG\x00\x01",
            "{f}:2:5: binary data (a NUL byte): expected a text file",
        ),
        (
            b"99213\tOffice visit\n99214\tvisit \x81\x8d",
            "{f}:2:13: byte 0x81 cannot be read: the file is neither UTF-8 nor Windows-1252 "
            "text; save it as UTF-8",
        ),
        (b"99213\tOffice\x07visit\n", "{f}:1:13: control character U+0007 in a text file"),
    ],
)
def test_junk_is_rejected_with_a_location(tmp_path: Path, content: bytes, expected: str) -> None:
    """Empty files, binary data, undecodable bytes and control characters are located."""
    path = tmp_path / "junk.txt"
    path.write_bytes(content)
    for parse in (importers.parse_cpt, importers.parse_hcpcs):
        with pytest.raises(ImportRejected) as exc:
            parse(path)
        assert problems(exc) == [expected.format(f=path)]


def test_missing_file_and_folder(tmp_path: Path) -> None:
    """A missing file or a folder is a one-line problem, not a traceback."""
    with pytest.raises(ImportRejected) as exc:
        importers.parse_cpt(tmp_path / "nope.txt")
    assert problems(exc) == [
        f"{tmp_path / 'nope.txt'}: cannot read the file: No such file or directory"
    ]
    with pytest.raises(ImportRejected) as exc:
        importers.parse_hcpcs(tmp_path)
    assert problems(exc) == [f"{tmp_path}: not a regular file"]


def test_utf16_export_is_read(tmp_path: Path) -> None:
    """Excel's "Unicode text" export (UTF-16 with BOM) is read."""
    path = tmp_path / "cpt.txt"
    path.write_bytes("Code\tDescriptor\r\n99213\tOffice visit\r\n".encode("utf-16"))
    parsed = importers.parse_cpt(path)
    assert (parsed.encoding, parsed.codes) == (
        "utf-16",
        (ImportedCode("cpt", "99213", "Office visit"),),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_either_import_or_are_rejected(content: bytes) -> None:
    """Whatever the bytes, parsing returns or raises ImportRejected, never anything else."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "junk"
        path.write_bytes(content)
        for parse in (importers.parse_cpt, importers.parse_hcpcs):
            try:
                parse(path)
            except ImportRejected as exc:
                assert exc.problems and all(str(p).startswith(str(path)) for p in exc.problems)


# --- saving, rows for the index, digest -------------------------------------------------


def test_saved_imports_become_index_rows(tmp_path: Path) -> None:
    """Saved imports yield code rows and notes; the digest follows the saved content."""
    data = tmp_path / "data"
    assert importers.imports_digest(data) == "none"
    assert list(importers.imported_rows(data)) == []
    importers.import_file(
        "hcpcs", write(tmp_path, "HCPC2026_JAN_ANWEB.txt", cms_fixed()), data, TODAY
    )
    first = importers.imports_digest(data)
    importers.import_file("cpt", write(tmp_path, "cpt.txt", "99213\tOffice visit\n"), data, TODAY)
    assert importers.imports_digest(data) not in ("none", first)
    rows = list(importers.imported_rows(data))
    codes = {row[1]: row for kind, row in rows if kind == "code"}
    notes = {(row[1], row[2]): row[4] for kind, row in rows if kind == "note"}
    assert codes["G0438"][:7] == ("hcpcs", "G0438", WELLNESS, "code", 1, None, 0)
    assert codes["Q0091"][4] == 0
    assert codes["GY"][0] == "modifier"
    assert codes["99213"][:3] == ("cpt", "99213", "Office visit")
    assert notes["G0438", "source"] == "imported from HCPC2026_JAN_ANWEB.txt on 2026-11-02"
    assert notes["99213", "source"] == "imported from cpt.txt on 2026-11-02"
    assert notes["Q0091", "terminated"] == "discontinued: last date of service 2025-12-31"
    assert notes["A0428", "short_title"] == "Bls"
    assert notes["GY", "modifier_system"] == "HCPCS"
    assert {kind for kind, _ in rows} == {"code", "note"}
    assert importers.remove_import("cpt", data) is True
    assert importers.imports_digest(data) == first
    assert importers.remove_import("cpt", data) is False


def test_a_failed_import_changes_nothing(tmp_path: Path) -> None:
    """A rejected file leaves the imports folder byte for byte as it was."""
    data = tmp_path / "data"
    importers.import_file("hcpcs", write(tmp_path, "good.txt", cms_fixed()), data, TODAY)
    importers.import_file("cpt", write(tmp_path, "cpt.txt", "99213\tOffice visit\n"), data, TODAY)
    before = snapshot(importers.imports_dir(data))
    bad_hcpcs = write(tmp_path, "bad.txt", cms_fixed() + record("12345", 100, "3", "x"))
    bad_cpt = write(tmp_path, "bad.csv", "99213,Office visit\n9921,Lost zero\n")
    with pytest.raises(ImportRejected):
        importers.import_file("hcpcs", bad_hcpcs, data, TODAY)
    with pytest.raises(ImportRejected):
        importers.import_file("cpt", bad_cpt, data, TODAY)
    assert snapshot(importers.imports_dir(data)) == before


# --- the command ------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Point Settings at tmp_path and record index rebuilds instead of running them."""
    monkeypatch.setenv("CODEDESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(tmp_path / "cache"))
    built: list[Path] = []

    def fake_build(cache_dir: Path, progress: Any = None, *, data_dir: Path | None = None) -> Path:
        """Record the rebuild."""
        built.append(cache_dir)
        return cache_dir / "index.sqlite3"

    monkeypatch.setattr("simulator.codebook.build.build_index", fake_build)
    return built


def run(*argv: str) -> int:
    """Run a `codebooks` action through a parser holding only the import actions."""
    parser = argparse.ArgumentParser()
    commands.register(parser.add_subparsers(dest="books_command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


def test_command_imports_and_rebuilds(
    tmp_path: Path, cli: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A valid file is imported, counted, and the index rebuilt."""
    path = write(tmp_path, "HCPC2026_JAN_ANWEB.txt", cms_fixed())
    assert run("import-hcpcs", str(path)) == 0
    out = capsys.readouterr().out
    assert (
        f"imported 5 HCPCS Level II codes (1 discontinued) and 2 modifiers (CMS fixed-width) "
        f"from {path} into {tmp_path / 'data' / 'imports' / 'hcpcs.tsv'}"
    ) in out
    assert cli == [tmp_path / "cache"]
    assert run("remove-import", "hcpcs") == 0
    assert "removed the hcpcs import" in capsys.readouterr().out
    assert not (tmp_path / "data" / "imports" / "hcpcs.tsv").exists()


def test_command_check_only_changes_nothing(
    tmp_path: Path, cli: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """--check validates and reports without writing or rebuilding."""
    path = write(tmp_path, "cpt.csv", "99213,Office visit\n")
    assert run("import-cpt", "--check", str(path)) == 0
    assert "valid: 1 CPT code (comma-separated); nothing changed" in capsys.readouterr().out
    assert not (tmp_path / "data").exists() and cli == []


def test_command_rejects_a_bad_file_with_every_problem(
    tmp_path: Path, cli: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad file prints each located problem and a summary, exits 1, and changes nothing."""
    good = write(tmp_path, "cpt.txt", "99213\tOffice visit\n")
    assert run("import-cpt", str(good)) == 0
    before = snapshot(tmp_path / "data")
    capsys.readouterr()
    bad = write(tmp_path, "bad.txt", "9921\tLost zero\n99214\t\n")
    assert run("import-cpt", str(bad)) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad}:1:1: not a CPT file: expected a code and a descriptor on each line, separated "
        "by a tab or a comma, after an optional header line",
        f"{bad}:1:1: '9921' is not a CPT code (five digits, or four digits and F, T, U or M) "
        "(were leading zeros lost in a spreadsheet?)",
        f"{bad}:2:7: 99214 has no descriptor",
        f"{bad}: 3 problems; nothing was imported",
    ]
    assert snapshot(tmp_path / "data") == before
    assert cli == [tmp_path / "cache"]


def test_command_kinds_match_the_core() -> None:
    """The command's list of imports is the core's."""
    assert commands.KINDS == importers.KINDS


def test_command_shows_at_most_200_problems(
    tmp_path: Path, cli: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A file full of problems lists the first 200 and says how many more there are."""
    bad = write(tmp_path, "bad.txt", "".join(f"{n:04d}\tLost zero\n" for n in range(250)))
    assert run("import-cpt", str(bad)) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 202
    assert err[-2:] == ["... and 51 more problems", f"{bad}: 251 problems; nothing was imported"]


def test_imported_entries_win_in_the_built_index(tmp_path: Path) -> None:
    """A real rebuild: the imported CPT descriptor replaces the authored summary, with its source."""
    from simulator.codebook.build import build_index
    from simulator.codebook.importers import import_file
    from simulator.codebook.index import Codebook

    source = tmp_path / "cpt.txt"
    source.write_text("99213\tLICENSED DESCRIPTOR FOR TESTING\n99999\tANOTHER LICENSED LINE\n")
    data_dir = tmp_path / "data"
    import_file("cpt", source, data_dir)
    book = Codebook(build_index(tmp_path / "cache", data_dir=data_dir))
    entry = book.lookup("99213", "cpt")
    assert entry is not None and entry.title == "LICENSED DESCRIPTOR FOR TESTING"
    notes = book.notes("99213", "cpt", inherited=False)
    assert any(n.kind == "source" and "cpt.txt" in n.text for n in notes)
    assert book.lookup("99999", "cpt") is not None
    assert book.lookup("99214", "cpt") is not None  # authored entries stay

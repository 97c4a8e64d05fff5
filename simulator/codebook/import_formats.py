"""Read the file layouts the importers accept, validating every line with its location.

CMS publishes the annual HCPCS Level II file as fixed-width text (code in columns 1-5, sequence
number 6-10, record id 11, long description 12-91 in 80-character pieces continued on further
records, short description 92-119, termination date 285-292) and as a spreadsheet whose CSV
export has the columns HCPC, SEQNUM, RECID, LONG DESCRIPTION, SHORT DESCRIPTION, ... TERM DT.
A licensed CPT file is read as a code and a descriptor per line, tab or comma separated.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

MAX_BYTES = 100 * 1024 * 1024
"""Refuse files larger than this: the real files are a few megabytes."""

WIDTH = 80
"""Width of the long-description field (columns 12-91) of the CMS fixed-width layout."""

_HCPCS_CODE = re.compile(r"[A-Z][0-9]{4}")
_MODIFIER = re.compile(r"[A-Z0-9]{2}")
_CPT_CODE = re.compile(r"[0-9]{4}[0-9FTUM]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_CSV_HEADER = re.compile(r'\s*"?HCPCS?"?\s*[,\t]', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an import file, located by line and column (both from 1)."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        """Render as `FILE:LINE:COL: message` (or `FILE: message` when not about a line)."""
        if self.line <= 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ImportRejected(Exception):
    """A file was not imported; problems says every reason, in file order."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems, sorted by where they are in the file."""
        self.problems = sorted(problems, key=lambda p: (p.line, p.column))
        super().__init__(f"{len(self.problems)} problem(s) in {self.problems[0].path}")


@dataclass(frozen=True, slots=True)
class ImportedCode:
    """One code read from an import file."""

    system: str
    """Index system: "hcpcs", "modifier" (from the HCPCS file) or "cpt"."""

    code: str
    """The code, upper case, as printed on claims."""

    title: str
    """The long description (HCPCS) or the descriptor (CPT)."""

    short_title: str = ""
    """The CMS short description, if the file has one."""

    terminated: str = ""
    """The last date the code may be used (ISO), when the file says it is discontinued."""


@dataclass
class _Problems:
    """Collects the problems of one file."""

    path: str
    found: list[Problem] = field(default_factory=list)

    def add(self, line: int, column: int, message: str) -> None:
        """Record a problem at line and column."""
        self.found.append(Problem(self.path, line, column, message))

    def first(self, line: int, column: int, message: str) -> None:
        """Record a problem that explains the others, so it is listed before them."""
        self.found.insert(0, Problem(self.path, line, column, message))

    def fail(self, line: int, column: int, message: str) -> NoReturn:
        """Record a problem that makes reading on pointless, and reject the file."""
        self.add(line, column, message)
        raise ImportRejected(self.found)

    def raise_if_any(self) -> None:
        """Reject the file when anything was found."""
        if self.found:
            raise ImportRejected(self.found)


@dataclass
class _Record:
    """A HCPCS record being assembled from its first line and its continuation lines."""

    system: str
    code: str
    line: int
    title_column: int
    chunks: list[str]
    short_title: str
    terminated: str


def read_hcpcs(path: Path) -> tuple[tuple[ImportedCode, ...], str, str]:
    """Read a CMS HCPCS file (fixed-width or CSV, told apart by the header).

    Returns the codes, the layout in words and the encoding; raises ImportRejected.
    """
    label = str(path)
    lines, encoding = _read_lines(path, label)
    first = next(i for i, line in enumerate(lines) if line.strip())
    if _CSV_HEADER.match(lines[first]):
        return _hcpcs_csv(lines, first, label), "CMS CSV", encoding
    return _hcpcs_fixed(lines, label), "CMS fixed-width", encoding


def read_cpt(path: Path) -> tuple[tuple[ImportedCode, ...], str, str]:
    """Read a CPT file (code and descriptor, tab or comma separated, optional header).

    Returns the codes, the layout in words and the encoding; raises ImportRejected.
    """
    label = str(path)
    lines, encoding = _read_lines(path, label)
    first = next(i for i, line in enumerate(lines) if line.strip())
    delimiter = "\t" if "\t" in lines[first] else ","
    layout = "tab-separated" if delimiter == "\t" else "comma-separated"
    return _cpt_rows(lines, first, delimiter, label), layout, encoding


def one_line(text: str) -> str:
    """Collapse all whitespace (tabs, line breaks) to single spaces."""
    return " ".join(text.split())


def _locate(data: bytes, offset: int) -> tuple[int, int]:
    """Return the line and byte column (from 1) of a byte offset."""
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def _read_lines(path: Path, label: str) -> tuple[list[str], str]:
    """Read a text file into lines, rejecting unreadable, empty, binary or undecodable files."""
    problems = _Problems(label)
    try:
        size = path.stat().st_size
        if not path.is_file():
            problems.fail(0, 0, "not a regular file")
        if size > MAX_BYTES:
            problems.fail(1, 1, f"the file is {size // 2**20} MB; code files are far smaller")
        data = path.read_bytes()
    except OSError as exc:
        problems.fail(0, 0, f"cannot read the file: {exc.strerror or exc}")
    text, encoding = _decode(data, problems)
    if text.endswith("\x1a"):
        text = text[:-1]  # the DOS end-of-file mark some older exports carry
    lines = _NEWLINE.split(text)
    if not any(line.strip() for line in lines):
        problems.fail(1, 1, "the file is empty")
    for number, line in enumerate(lines, start=1):
        bad = _CONTROL.search(line)
        if bad:
            char = f"U+{ord(bad.group()):04X}"
            problems.add(number, bad.start() + 1, f"control character {char} in a text file")
    problems.raise_if_any()
    return lines, encoding


def _decode(data: bytes, problems: _Problems) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            problems.fail(1, 1, f"not valid UTF-16 text ({exc.reason} at byte {exc.start})")
    nul = data.find(b"\0")
    if nul >= 0:
        line, column = _locate(data, nul)
        problems.fail(line, column, "binary data (a NUL byte): expected a text file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        line, column = _locate(data, exc.start)
        problems.fail(
            line,
            column,
            f"byte 0x{data[exc.start]:02X} cannot be read: the file is neither UTF-8 nor "
            "Windows-1252 text; save it as UTF-8",
        )


def _split_cells(line: str, delimiter: str) -> tuple[list[tuple[str, int]], tuple[int, str] | None]:
    """Split one delimited line into (cell, start column) pairs, honouring double quotes."""
    cells: list[tuple[str, int]] = []
    i, n = 0, len(line)
    while True:
        start = i
        if i < n and line[i] == '"':
            value: list[str] = []
            i += 1
            while True:
                close = line.find('"', i)
                if close < 0:
                    return cells, (start + 1, "this quote is never closed")
                value.append(line[i:close])
                if line.startswith('""', close):
                    value.append('"')
                    i = close + 2
                    continue
                i = close + 1
                break
            if i < n and line[i] != delimiter:
                return cells, (i + 1, "unexpected text after a closing quote")
            cells.append(("".join(value), start + 1))
        else:
            end = line.find(delimiter, i)
            end = n if end < 0 else end
            cells.append((line[i:end], start + 1))
            i = end
        if i >= n:
            return cells, None
        i += 1  # past the delimiter
        if i == n:
            cells.append(("", i + 1))
            return cells, None


def _cell(cells: list[tuple[str, int]], at: int, line: str) -> tuple[str, int]:
    """Return a cell's stripped text and column; a missing cell is empty at the end of line."""
    if 0 <= at < len(cells):
        return cells[at][0].strip(), cells[at][1]
    return "", len(line) + 1


def _header_names(cells: list[tuple[str, int]]) -> list[str]:
    """Normalise header cells: upper case, underscores as spaces, single spaces."""
    return [" ".join(value.replace("_", " ").upper().split()) for value, _ in cells]


def _join_chunks(chunks: list[str]) -> str:
    """Join long-description pieces: a full 80-character piece may end in the middle of a word."""
    parts: list[str] = []
    glue = False
    for raw in chunks:
        piece = raw.strip()
        if glue and parts and raw[:1] not in ("", " "):
            parts[-1] += piece
        elif piece:
            parts.append(piece)
        glue = len(raw) >= WIDTH and not raw.endswith(" ")
    return one_line(" ".join(parts))


def _iso_date(value: str) -> str | None:
    """Return a YYYYMMDD (or YYYY-MM-DD) date in ISO form, or None if it is not a real date."""
    text = value.strip().replace("-", "")
    if not re.fullmatch(r"[0-9]{8}", text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
    except ValueError:
        return None


def _code_problem(code: str, modifier: bool) -> str | None:
    """Say what is wrong with a HCPCS code or modifier, or None if it is well formed."""
    if modifier:
        if _MODIFIER.fullmatch(code):
            return None
        return f"modifier {code!r} is not two letters or digits"
    if _HCPCS_CODE.fullmatch(code):
        return None
    return f"{code!r} is not a HCPCS Level II code (a letter and four digits)"


class _Assembler:
    """Groups HCPCS first lines and continuation lines into records, noting problems."""

    def __init__(self, problems: _Problems, id_name: str) -> None:
        """Start with no records; id_name is how the record-id field is called in messages."""
        self.problems = problems
        self.id_name = id_name
        self.records: dict[tuple[str, str], _Record] = {}
        self.current: _Record | None = None

    def interrupt(self) -> None:
        """Forget the open record: a broken line sits between it and what follows."""
        self.current = None

    def first(self, record: _Record, column: int) -> None:
        """Open a record from its first line, unless its code was seen before."""
        key = (record.system, record.code)
        if key in self.records:
            self.current = None
            seen = self.records[key].line
            self.problems.add(
                record.line,
                column,
                f"{record.code} appears again (its record starts at line {seen})",
            )
            return
        self.records[key] = self.current = record

    def more(self, system: str, code: str, recid: str, chunk: str, line: int, column: int) -> None:
        """Add a continuation line to the open record of the same code."""
        if self.current is None or (self.current.system, self.current.code) != (system, code):
            first_id = "7" if system == "modifier" else "3"
            self.problems.add(
                line,
                column,
                f"continuation of {code} ({self.id_name} {recid}) does not follow its first "
                f"line ({self.id_name} {first_id})",
            )
            return
        self.current.chunks.append(chunk)

    def finish(self) -> tuple[ImportedCode, ...]:
        """Check every record has a description and return the codes, sorted."""
        codes = []
        for r in self.records.values():
            title = _join_chunks(r.chunks)
            if not title:
                self.problems.add(r.line, r.title_column, f"{r.code} has no long description")
            codes.append(ImportedCode(r.system, r.code, title, r.short_title, r.terminated))
        self.problems.raise_if_any()
        return tuple(sorted(codes, key=lambda c: (c.system, c.code)))


def _hcpcs_fixed(lines: list[str], label: str) -> tuple[ImportedCode, ...]:
    """Validate and read the CMS fixed-width layout (record id 3/4 procedures, 7/8 modifiers)."""
    problems = _Problems(label)
    records = _Assembler(problems, "record id")
    recognised = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) < 11:
            records.interrupt()
            problems.add(
                number,
                len(line) + 1,
                f"the record ends after {len(line)} characters; the HCPCS layout needs a code "
                "(columns 1-5), a sequence number (6-10) and a record id (11)",
            )
            continue
        recid = line[10]
        if recid not in "3478":
            records.interrupt()
            problems.add(
                number, 11, f"record id {recid!r} is not 3 or 4 (procedure) or 7 or 8 (modifier)"
            )
            continue
        system = "modifier" if recid in "78" else "hcpcs"
        code = line[:5].strip().upper()
        wrong = _code_problem(code, system == "modifier")
        if wrong:
            records.interrupt()
            problems.add(number, 1, wrong)
            continue
        recognised = True
        if not re.fullmatch(r"[0-9]{5}", line[5:10]):
            problems.add(number, 6, f"sequence number {line[5:10]!r} is not five digits")
        chunk = line[11 : 11 + WIDTH]
        if recid in "48":
            records.more(system, code, recid, chunk, number, 1)
            continue
        terminated = ""
        raw_date = line[284:292].strip()
        if raw_date:
            terminated = _iso_date(raw_date) or ""
            if not terminated:
                problems.add(number, 285, f"termination date {raw_date!r} is not a YYYYMMDD date")
        short = one_line(line[91:119])
        records.first(_Record(system, code, number, 12, [chunk], short, terminated), 1)
    if not recognised:
        problems.first(
            1,
            1,
            "not a CMS HCPCS file: expected fixed-width records (code in columns 1-5, record "
            "id in column 11) or a CSV header starting with HCPC",
        )
    return records.finish()


def _hcpcs_csv(lines: list[str], first: int, label: str) -> tuple[ImportedCode, ...]:
    """Validate and read the CSV (or tab-separated) export of the CMS HCPCS file."""
    problems = _Problems(label)
    delimiter = "\t" if "\t" in lines[first] else ","
    header, broken = _split_cells(lines[first], delimiter)
    if broken:
        problems.fail(first + 1, broken[0], broken[1])
    names = _header_names(header)

    def find(*wanted: str) -> int:
        """Return the index of the first header cell named one of wanted, or -1."""
        return next((i for i, name in enumerate(names) if name in wanted), -1)

    at = {
        "HCPC": find("HCPC", "HCPCS"),
        "SEQNUM": find("SEQNUM"),
        "RECID": find("RECID"),
        "LONG DESCRIPTION": find("LONG DESCRIPTION"),
        "SHORT DESCRIPTION": find("SHORT DESCRIPTION"),
        "TERM DT": find("TERM DT", "TERMINATION DATE"),
    }
    for required in ("HCPC", "RECID", "LONG DESCRIPTION"):
        if at[required] < 0:
            problems.add(first + 1, 1, f"the header has no {required} column")
    problems.raise_if_any()
    width = len(header)
    records = _Assembler(problems, "RECID")
    for index in range(first + 1, len(lines)):
        number, line = index + 1, lines[index]
        if not line.strip():
            continue
        cells, broken = _split_cells(line, delimiter)
        if broken:
            records.interrupt()
            problems.add(number, broken[0], broken[1])
            continue
        if any(value.strip() for value, _ in cells[width:]):
            records.interrupt()
            problems.add(
                number, cells[width][1], f"{len(cells)} cells, but the header names {width} columns"
            )
            continue
        recid, recid_col = _cell(cells, at["RECID"], line)
        if recid not in ("3", "4", "7", "8"):
            records.interrupt()
            problems.add(
                number, recid_col, f"RECID {recid!r} is not 3 or 4 (procedure) or 7 or 8 (modifier)"
            )
            continue
        system = "modifier" if recid in "78" else "hcpcs"
        code, code_col = _cell(cells, at["HCPC"], line)
        code = code.upper()
        wrong = _code_problem(code, system == "modifier")
        if wrong:
            records.interrupt()
            problems.add(number, code_col, wrong)
            continue
        seq, seq_col = _cell(cells, at["SEQNUM"], line)
        if at["SEQNUM"] >= 0 and not re.fullmatch(r"[0-9]{1,5}", seq):
            problems.add(number, seq_col, f"SEQNUM {seq!r} is not a number of up to five digits")
        long_at = at["LONG DESCRIPTION"]
        chunk = cells[long_at][0] if long_at < len(cells) else ""
        if recid in "48":
            records.more(system, code, recid, chunk, number, code_col)
            continue
        raw_date, date_col = _cell(cells, at["TERM DT"], line)
        terminated = ""
        if raw_date:
            terminated = _iso_date(raw_date) or ""
            if not terminated:
                problems.add(number, date_col, f"TERM DT {raw_date!r} is not a YYYYMMDD date")
        short, _ = _cell(cells, at["SHORT DESCRIPTION"], line)
        _, long_col = _cell(cells, long_at, line)
        record = _Record(system, code, number, long_col, [chunk], one_line(short), terminated)
        records.first(record, code_col)
    if not records.records and not problems.found:
        problems.add(first + 1, 1, "the file has a header but no codes")
    return records.finish()


_CPT_HEADER_WORDS = ("CODE", "CPT", "HCPCS", "DESCRIPT")
"""Words that mark a CPT file's first line as a header."""


def _cpt_columns(
    header: list[tuple[str, int]], problems: _Problems, number: int
) -> tuple[int, int]:
    """Find the code and descriptor columns named in a CPT file's header."""
    names = _header_names(header)
    if len(names) == 2:
        return 0, 1
    code_at = next(
        (i for i, n in enumerate(names) if n in ("CODE", "CPT", "HCPCS") or n.endswith(" CODE")),
        -1,
    )
    ranked = [
        i
        for wanted in ("LONG DESCRIPT", "DESCRIPT")
        for i, n in enumerate(names)
        if wanted in n and "SHORT" not in n and "CONSUMER" not in n and i != code_at
    ]
    if code_at < 0 or not ranked:
        problems.fail(
            number,
            1,
            "cannot tell which columns hold the code and the descriptor: name them "
            "'code' and 'descriptor'",
        )
    return code_at, ranked[0]


def _cpt_rows(lines: list[str], first: int, delimiter: str, label: str) -> tuple[ImportedCode, ...]:
    """Validate and read CPT rows (code, descriptor) with an optional header line."""
    problems = _Problems(label)
    head, broken = _split_cells(lines[first], delimiter)
    names = _header_names(head)
    code_at, desc_at, width, start = 0, 1, 0, first
    is_header = (
        not broken
        and not re.search(r"[0-9]", names[0])
        and any(word in name for name in names for word in _CPT_HEADER_WORDS)
    )
    if is_header:
        code_at, desc_at = _cpt_columns(head, problems, first + 1)
        width, start = len(head), first + 1
    # Without a header, or with the descriptor last, unquoted commas belong to the descriptor.
    open_ended = delimiter == "," and (not width or desc_at == width - 1)
    separator = "a tab" if delimiter == "\t" else "a comma"
    seen: dict[str, int] = {}
    codes: list[ImportedCode] = []
    for index in range(start, len(lines)):
        number, line = index + 1, lines[index]
        if not line.strip():
            continue
        cells, broken = _split_cells(line, delimiter)
        if broken:
            problems.add(number, broken[0], broken[1])
            continue
        if len(cells) < 2:
            problems.add(
                number, len(line) + 1, f"expected a code and a descriptor separated by {separator}"
            )
            continue
        limit = width or 2
        if not open_ended and any(value.strip() for value, _ in cells[limit:]):
            problems.add(
                number,
                cells[limit][1],
                f"{len(cells)} cells, but {limit} columns are expected"
                + ("" if width else " (add a header line naming the columns)"),
            )
            continue
        code, code_col = _cell(cells, code_at, line)
        code = code.upper()
        if not _CPT_CODE.fullmatch(code):
            hint = ""
            if re.fullmatch(r"[0-9]{1,4}", code):
                hint = " (were leading zeros lost in a spreadsheet?)"
            problems.add(
                number,
                code_col,
                f"{code!r} is not a CPT code (five digits, or four digits and F, T, U or M){hint}",
            )
            continue
        pieces = cells[desc_at:] if open_ended else cells[desc_at : desc_at + 1]
        descriptor = one_line(delimiter.join(value for value, _ in pieces))
        if not descriptor:
            _, column = _cell(cells, desc_at, line)
            problems.add(number, column, f"{code} has no descriptor")
            continue
        if code in seen:
            problems.add(number, code_col, f"{code} appears again (first at line {seen[code]})")
            continue
        seen[code] = number
        codes.append(ImportedCode("cpt", code, descriptor))
    if not codes:
        problems.first(
            first + 1,
            1,
            "not a CPT file: expected a code and a descriptor on each line, separated by a "
            "tab or a comma, after an optional header line",
        )
    problems.raise_if_any()
    return tuple(sorted(codes, key=lambda c: c.code))

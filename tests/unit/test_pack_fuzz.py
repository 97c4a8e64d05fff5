"""Property-based tests: malformed packs and zips never raise, and every problem is located."""

from __future__ import annotations

import re
import shutil
import stat
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.charts.render import render
from simulator.codebook import Codebook
from simulator.packs import Problem, load_pack, read_pack
from simulator.packs.scaffold import CLINIC_CASE, ED_CASE, INBOX_MESSAGE, write_starter_pack
from simulator.packs.validate import check_pack

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>[1-9]\d*):(?P<col>[1-9]\d*): [^\n]+$")
SHIFT = date(2026, 11, 24)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a clean copy of the `pack new` starter pack, written once."""
    root = tmp_path_factory.mktemp("fuzz") / "clean"
    write_starter_pack(root)
    return root


def fresh(base: Path, name: str) -> Path:
    """Return a working copy of the clean pack, replacing any earlier copy."""
    root = base.parent / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(base, root)
    return root


def check(root: Path, book: Codebook) -> list[Problem]:
    """Load and validate a pack; assert the promises every malformed input must keep.

    Nothing raises; every problem prints as one `file:line:col: message` line; when there are
    no errors the pack loads and every case renders.
    """
    loaded, problems = read_pack(root)
    problems = problems + check_pack(loaded, book, warnings=True)
    for problem in problems:
        assert LOCATED.match(str(problem)), str(problem)
        assert problem.file and "Traceback" not in problem.message
    if not any(p.is_error for p in problems):
        for case in load_pack(root).cases:
            chart = render(case, 1, SHIFT)
            assert chart.case_id == case.id
    return problems


def assert_within(problems: list[Problem], name: str, text: str) -> None:
    """Assert that problems in the named file point at a line that exists (or just after it)."""
    lines = max(1, len(text.splitlines()) + 1)
    for problem in problems:
        if problem.file.endswith(name):
            assert problem.line <= lines, (str(problem), lines)


# Values of every YAML type, including huge strings and deep nesting.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(
        [
            "E11",
            "S93.401",
            "99213",
            "{{ patient.nope }}",
            "{{ side }}",
            "Y",
            "exempt",
            "{{",
            "}}",
            "[/",
            "\x1b[31m",
            "../../etc/passwd",
            "clinic",
            "inpatient",
            "query",
            "flag",
            "misfiled_document",
            "",
            " ",
            "0",
            "-1",
        ]
    ),
    st.builds(lambda n: "x" * n, st.integers(min_value=250, max_value=70_000)),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=12), children, max_size=4),
    ),
    max_leaves=12,
)


def _paths(data: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return every path inside plain data, the root included."""
    found = [here]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*here, i))
    return found


def _set(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    """Return data with the value at path replaced (the root when path is empty)."""
    if not path:
        return value
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return data


def _deep(depth: int) -> Any:
    """Return a value nested depth levels deep."""
    value: Any = "bottom"
    for i in range(depth):
        value = [value] if i % 2 else {"n": value}
    return value


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """Draw a YAML file made from a valid one by a few random edits."""
    data = yaml.safe_load(text)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "add", "deep", "type"]))
        if action == "replace":
            data = _set(data, path, draw(values))
        elif action == "delete" and path:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            del parent[path[-1]]
        elif action == "add":
            target = data
            for part in path:
                target = target[part]
            if isinstance(target, dict):
                target[draw(st.text(max_size=10))] = draw(values)
            elif isinstance(target, list):
                target.append(draw(values))
        elif action == "deep":
            data = _set(data, path, _deep(draw(st.integers(min_value=5, max_value=40))))
        else:
            data = _set(data, path, draw(st.sampled_from([[], {}, 3, "text", None, True, [1, 2]])))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=80)


YAML_ALPHABET = st.sampled_from(
    [
        *list("abcdefxyz0123456789 :-[]{}|>'\"#&*!%@,.?\n\t\\"),
        "\n  ",
        "\n    ",
        ": ",
        "- ",
        "{{ ",
        " }}",
        "id: ",
        "key:",
        "code: ",
        "documents:\n  - text: ",
    ]
)


@settings(FUZZ, max_examples=500)
@given(text=st.lists(YAML_ALPHABET, max_size=80).map("".join))
def test_random_yaml_case_file(base: Path, book: Codebook, text: str) -> None:
    root = base.parent / "random-yaml"
    if not root.exists():
        shutil.copytree(base, root)
    (root / "cases" / "fuzz.yaml").write_text(text, encoding="utf-8")
    problems = check(root, book)
    assert problems, "random text is never a valid case"
    assert_within(problems, "fuzz.yaml", text)


@settings(FUZZ, max_examples=150)
@given(raw=st.binary(max_size=300))
def test_random_bytes_case_file(base: Path, book: Codebook, raw: bytes) -> None:
    root = base.parent / "random-bytes"
    if not root.exists():
        shutil.copytree(base, root)
    (root / "cases" / "fuzz.yaml").write_bytes(raw)
    assert check(root, book)


@settings(FUZZ, max_examples=700)
@given(data=st.data())
def test_mutated_case_files(base: Path, book: Codebook, data: st.DataObject) -> None:
    root = base.parent / "mutated"
    if not root.exists():
        shutil.copytree(base, root)
    name, original = data.draw(
        st.sampled_from(
            [("clinic-acute-cystitis.yaml", CLINIC_CASE), ("ed-colles-fracture.yaml", ED_CASE)]
        )
    )
    text = data.draw(mutated(original))
    path = root / "cases" / name
    path.write_text(text, encoding="utf-8")
    try:
        assert_within(check(root, book), name, text)
    finally:
        path.write_text(original, encoding="utf-8")


@settings(FUZZ, max_examples=250)
@given(data=st.data())
def test_mutated_pack_and_inbox_files(base: Path, book: Codebook, data: st.DataObject) -> None:
    root = base.parent / "mutated-pack"
    if not root.exists():
        shutil.copytree(base, root)
    pack_text = (base / "pack.yaml").read_text()
    name, original = data.draw(
        st.sampled_from([("pack.yaml", pack_text), ("inbox/roi-email-request.yaml", INBOX_MESSAGE)])
    )
    text = data.draw(mutated(original))
    path = root / name
    path.write_text(text, encoding="utf-8")
    try:
        assert_within(check(root, book), name.rsplit("/", 1)[-1], text)
    finally:
        path.write_text(original, encoding="utf-8")


MEMBER_NAMES = st.one_of(
    st.sampled_from(
        [
            "pack.yaml",
            "cases/a.yaml",
            "cases/b.yaml",
            "inbox/m.yaml",
            "p/pack.yaml",
            "p/cases/a.yaml",
            "../evil.yaml",
            "cases/../../evil.yaml",
            "/etc/passwd",
            "C:\\evil.yaml",
            "cases\\..\\..\\x.yaml",
            "cases/",
            "__MACOSX/._pack.yaml",
            "cases/x.yml",
            "cases/.hidden.yaml",
            "cases/sub/deep.yaml",
            "",
            "cases/a\x00.yaml",
            "cases/a\nb.yaml",
        ]
    ),
    st.text(min_size=1, max_size=30),
)
MEMBER_DATA = st.one_of(
    st.sampled_from([CLINIC_CASE.encode(), ED_CASE.encode(), INBOX_MESSAGE.encode()]),
    st.binary(max_size=200),
    st.lists(YAML_ALPHABET, max_size=40).map(lambda parts: "".join(parts).encode()),
    st.just(b" " * 200_000),
)


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
@settings(FUZZ, max_examples=500)
@given(
    members=st.lists(
        st.tuples(MEMBER_NAMES, MEMBER_DATA, st.sampled_from(["file", "link", "dir", "odd"])),
        max_size=8,
    ),
    with_pack=st.booleans(),
    prefix=st.sampled_from(["", "my-pack/", "a/b/"]),
)
def test_random_zips(
    tmp_path_factory: pytest.TempPathFactory,
    base: Path,
    book: Codebook,
    members: list[tuple[str, bytes, str]],
    with_pack: bool,
    prefix: str,
) -> None:
    path = base.parent / "fuzz.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if with_pack:
            for file in sorted(base.rglob("*.yaml")):
                archive.writestr(prefix + file.relative_to(base).as_posix(), file.read_bytes())
        for name, content, kind in members:
            info = zipfile.ZipInfo(name if kind != "dir" else name.rstrip("/") + "/")
            info.create_system = 3
            mode = {
                "file": stat.S_IFREG | 0o644,
                "link": stat.S_IFLNK | 0o777,
                "dir": stat.S_IFDIR | 0o755,
                "odd": stat.S_IFIFO | 0o644,
            }[kind]
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    problems = check(path, book)
    if not with_pack:
        assert problems, "a zip without pack.yaml content is never a valid pack"
    unsafe = [
        n for n, _, kind in members if kind == "link" or ".." in n.replace("\\", "/").split("/")
    ]
    if unsafe:
        assert any(p.is_error for p in problems)


@settings(FUZZ, max_examples=150)
@given(raw=st.binary(max_size=400), header=st.booleans())
def test_random_bytes_as_zip(base: Path, book: Codebook, raw: bytes, header: bool) -> None:
    path = base.parent / "bytes.zip"
    path.write_bytes((b"PK\x03\x04" if header else b"") + raw)
    problems = check(path, book)
    assert problems and all(p.file.startswith("bytes.zip") for p in problems)


def test_deep_nesting_and_huge_values(base: Path, book: Codebook) -> None:
    root = fresh(base, "extremes")
    cases = root / "cases"
    (cases / "deep.yaml").write_text("a: " + "[" * 200 + "]" * 200 + "\n")
    (cases / "deeper.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    (cases / "huge.yaml").write_text("id: " + "x" * 600_000 + "\n")
    (cases / "wide.yaml").write_text("a: [" + ", ".join(["1"] * 25_000) + "]\n")
    (cases / "long-title.yaml").write_text(
        CLINIC_CASE.replace("id: clinic-acute-cystitis", "id: long").replace(
            "title: Clinic visit", "title: " + "T" * 400
        )
    )
    (cases / "recursive.yaml").write_text("a: &x [*x]\n")
    problems = check(root, book)
    by_file = {p.file.rsplit("/", 1)[-1] for p in problems}
    assert {
        "deep.yaml",
        "deeper.yaml",
        "huge.yaml",
        "wide.yaml",
        "long-title.yaml",
        "recursive.yaml",
    } <= by_file
    assert any("nested deeper than" in p.message for p in problems)
    assert any("larger than 512 KiB" in p.message for p in problems)
    assert any("more than 20000 YAML values" in p.message for p in problems)

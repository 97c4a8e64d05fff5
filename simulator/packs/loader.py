"""Load a pack folder: parse every file, check it against the models, report all problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simulator.packs.errors import PackError, Problem
from simulator.packs.models import Case, Pack
from simulator.packs.yamlsrc import Located, parse_yaml

M = TypeVar("M", bound=BaseModel)

MAX_CASES = 2_000
MAX_PACK_BYTES = 64 * 1024 * 1024


@dataclass
class LoadedPack:
    """A pack that parsed and matched the models, with where each case came from."""

    root: Path
    pack: Pack
    cases: list[Case]
    sources: dict[str, Located] = field(default_factory=dict)
    """Parsed case files by case id, kept so later checks can locate their problems."""

    def case(self, case_id: str) -> Case:
        """Return a case by id."""
        for case in self.cases:
            if case.id == case_id:
                return case
        raise KeyError(case_id)


def display_name(path: Path, root: Path) -> str:
    """Name a file relative to the folder that holds the pack, as errors show it."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_pack(root: Path) -> LoadedPack:
    """Load and model-check a pack folder; raise PackError listing every problem found."""
    problems: list[Problem] = []
    root = Path(root)
    if not root.exists():
        raise PackError([Problem(str(root), 1, 1, "no such pack folder or file")])
    if not root.is_dir():
        raise PackError([Problem(str(root), 1, 1, "a pack is a folder holding pack.yaml")])
    pack_file = root / "pack.yaml"
    pack: Pack | None = None
    if not pack_file.is_file():
        problems.append(Problem(display_name(pack_file, root), 1, 1, "pack.yaml is missing"))
    else:
        located, found = _read(pack_file, root)
        problems += found
        if located is not None:
            pack, found = _model(Pack, located)
            problems += found
    cases: list[Case] = []
    sources: dict[str, Located] = {}
    case_files = sorted((root / "cases").glob("*.yaml")) if (root / "cases").is_dir() else []
    if not case_files:
        problems.append(Problem(display_name(root / "cases", root), 1, 1, "no cases/*.yaml"))
    if len(case_files) > MAX_CASES:
        problems.append(
            Problem(display_name(root / "cases", root), 1, 1, f"more than {MAX_CASES} cases")
        )
        case_files = case_files[:MAX_CASES]
    seen: dict[str, str] = {}
    for case_file in case_files:
        located, found = _read(case_file, root)
        problems += found
        if located is None:
            continue
        case, found = _model(Case, located)
        problems += found
        if case is None:
            continue
        if case.id in seen:
            problems.append(
                located.problem(("id",), f"duplicate case id {case.id!r} (also in {seen[case.id]})")
            )
            continue
        seen[case.id] = located.file
        cases.append(case)
        sources[case.id] = located
    if problems or pack is None:
        raise PackError(problems)
    return LoadedPack(root=root, pack=pack, cases=cases, sources=sources)


def _read(path: Path, root: Path) -> tuple[Located | None, list[Problem]]:
    """Read and parse one YAML file of a pack."""
    name = display_name(path, root)
    if path.is_symlink():
        return None, [Problem(name, 1, 1, "links are not followed inside a pack")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, 1, 1, f"cannot read: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, 1, 1, f"not UTF-8 text (byte {exc.start})")]
    return parse_yaml(text, name)


def _model(model: type[M], located: Located) -> tuple[M | None, list[Problem]]:
    """Check parsed data against a model; turn pydantic's errors into located problems."""
    if not isinstance(located.data, dict):
        return None, [located.problem((), "expected a mapping of fields (key: value) at the top")]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        return None, [_problem(located, err) for err in exc.errors(include_url=False)]


def _problem(located: Located, err: Any) -> Problem:
    """Turn one pydantic error into a plain-words located problem."""
    loc = tuple(err["loc"])
    kind = err["type"]
    field_name = ".".join(str(p) for p in loc) or "(top)"
    if kind == "extra_forbidden":
        return located.problem(loc, f"unknown field {loc[-1]!r} here", key=True)
    if kind == "missing":
        return located.problem(loc[:-1], f"missing required field {loc[-1]!r}")
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    value = err.get("input")
    shown = (
        f" (got {value!r})" if isinstance(value, (str, int, float)) and kind != "missing" else ""
    )
    if len(shown) > 80:
        shown = shown[:77] + "...)"
    return located.problem(loc, f"{field_name}: {message}{shown}")

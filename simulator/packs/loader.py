"""Load a pack folder or zip: parse every file, check it against the models, report all problems."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from simulator.packs.errors import PackError, Problem
from simulator.packs.loaded import LoadedPack
from simulator.packs.models import (
    MAX_CASES,
    SLUG_PATTERN,
    VARIABLE_PATTERN,
    Case,
    InboxMessage,
    Pack,
)
from simulator.packs.source import MAX_PACK_BYTES, PackFiles, read_source
from simulator.packs.yamlsrc import Located, parse_yaml

__all__ = ["MAX_CASES", "MAX_PACK_BYTES", "LoadedPack", "load_pack", "read_pack"]

M = TypeVar("M", bound=BaseModel)

_PATTERN_WORDS = {
    SLUG_PATTERN: "use lower-case letters, digits, '-', '_' or '.', starting with a letter or "
    "digit, at most 64 characters (e.g. ed-ankle-sprain)",
    VARIABLE_PATTERN: "a variable name is lower-case letters, digits and '_', starting with a "
    "letter (e.g. side_digit)",
    r"^\d+(\.\d+){0,2}$": "a version is numbers separated by dots, e.g. 1.0 or 1.2.3",
    r"^[A-Z0-9]{2}$": "a modifier is two letters or digits, e.g. 25, LT, XU",
}
"""Plain words for the patterns a pack's names must follow."""

FALLBACK_PACK = Pack(
    id="unreadable-pack",
    title="pack.yaml could not be read",
    version="0",
    author="unknown",
    code_year=2026,
)
"""Stands in for a broken pack.yaml so the cases can still be checked and reported."""


def display_name(path: Path, root: Path) -> str:
    """Name a file relative to the folder that holds the pack, as errors show it."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def load_pack(root: Path) -> LoadedPack:
    """Load and model-check a pack folder or zip; raise PackError listing every problem found."""
    loaded, problems = read_pack(root)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise PackError(errors)
    return loaded


def read_pack(root: Path) -> tuple[LoadedPack, list[Problem]]:
    """Read as much of a pack as can be read; return it with every problem met.

    When pack.yaml itself is broken the returned pack holds FALLBACK_PACK, so callers must
    not use a pack whose problems include errors; the cases that did parse can still be checked.
    """
    files = read_source(Path(root))
    problems = list(files.problems)
    pack: Pack | None = None
    pack_source: Located | None = None
    if "pack.yaml" in files.files:
        pack_source, found = _parse(files, "pack.yaml")
        problems += found
        if pack_source is not None:
            pack, found = _model(Pack, pack_source)
            problems += found
    elif not files.problems or Path(root).is_dir():
        problems.append(Problem(files.display("pack.yaml"), 1, 1, "pack.yaml is missing"))
    cases, sources = _read_all(files, "cases/", Case, problems)
    if not cases and not any(n.startswith("cases/") for n in files.files) and not files.problems:
        problems.append(Problem(files.display("cases"), 1, 1, "no cases/*.yaml"))
    inbox, inbox_sources = _read_all(files, "inbox/", InboxMessage, problems)
    loaded = LoadedPack(
        root=files.root,
        pack=pack or FALLBACK_PACK,
        cases=cases,
        sources=sources,
        inbox=inbox,
        inbox_sources=inbox_sources,
        pack_source=pack_source if pack is not None else None,
    )
    return loaded, sorted(problems)


def _read_all(
    files: PackFiles, folder: str, model: type[M], problems: list[Problem]
) -> tuple[list[M], dict[str, Located]]:
    """Parse and model-check every file under a folder; keep the first of duplicate ids."""
    items: list[M] = []
    sources: dict[str, Located] = {}
    for name in sorted(n for n in files.files if n.startswith(folder)):
        located, found = _parse(files, name)
        problems += found
        if located is None:
            continue
        item, found = _model(model, located)
        problems += found
        if item is None:
            continue
        item_id = str(getattr(item, "id", name))
        if item_id in sources:
            what = "case" if folder == "cases/" else "message"
            problems.append(
                located.problem(
                    ("id",), f"duplicate {what} id {item_id!r} (also in {sources[item_id].file})"
                )
            )
            continue
        items.append(item)
        sources[item_id] = located
    return items, sources


def _parse(files: PackFiles, name: str) -> tuple[Located | None, list[Problem]]:
    """Decode and parse one YAML file of a pack."""
    shown = files.display(name)
    raw = files.files[name]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(shown, line, col, "not UTF-8 text: save the file as UTF-8 in your editor")
        ]
    return parse_yaml(text, shown)


def _model(model: type[M], located: Located) -> tuple[M | None, list[Problem]]:
    """Check parsed data against a model; turn pydantic's errors into located problems.

    When the only errors are unknown fields, the model is checked again without them, so the
    rest of the file (codes, evidence, placeholders) can still be checked in the same run.
    """
    if not isinstance(located.data, dict):
        return None, [located.problem((), "expected a mapping of fields (key: value) at the top")]
    try:
        return model.model_validate(located.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    problems = [_problem(located, err) for err in errors]
    if all(err["type"] == "extra_forbidden" for err in errors):
        data = copy.deepcopy(located.data)
        for err in errors:
            _remove(data, tuple(err["loc"]))
        try:
            return model.model_validate(data), problems
        except ValidationError:
            return None, problems
    return None, problems


def _remove(data: Any, loc: tuple[Any, ...]) -> None:
    """Delete the value at a path inside plain data, if it is there."""
    for part in loc[:-1]:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return
    if isinstance(data, dict):
        data.pop(loc[-1], None)


def _problem(located: Located, err: Any) -> Problem:
    """Turn one pydantic error into a plain-words located problem."""
    loc = tuple(err["loc"])
    kind = err["type"]
    on_key = bool(loc) and loc[-1] == "[key]"
    if on_key:
        loc = loc[:-1]
    field_name = ".".join(str(p) for p in loc if isinstance(p, str)) or "(top)"
    if kind == "extra_forbidden":
        return located.problem(loc, f"unknown field {loc[-1]!r} here", key=True)
    if kind == "missing":
        return located.problem(loc[:-1], f"missing required field {loc[-1]!r}")
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    ctx = err.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        message = _PATTERN_WORDS.get(str(ctx.get("pattern")), message)
    elif kind in ("model_type", "dict_type", "model_attributes_type"):
        message = "expected a mapping of fields (name: value) here"
    elif kind in ("list_type", "tuple_type"):
        message = "expected a list here (lines starting with '- ', or [a, b])"
    elif kind == "string_too_short":
        message = "must not be empty"
    value = err.get("input")
    if on_key:
        where = ".".join(str(p) for p in loc[:-1] if isinstance(p, str)) or "(top)"
        detail = message[:1].lower() + message[1:]
        return located.problem(
            loc, f"{where}: {str(loc[-1])!r} is not allowed here; {detail}", key=True
        )
    if value is None and kind.endswith("_type"):
        return located.problem(loc, f"{field_name}: no value given (nothing after the colon)")
    shown = ""
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        shown = f" (got {value!r})"
    if len(shown) > 80:
        shown = shown[:77] + "...)"
    return located.problem(loc, f"{field_name}: {message}{shown}")

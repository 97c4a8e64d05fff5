"""Read YAML safely while remembering where every value came from.

Only plain YAML is accepted (no tags that build objects, no anchors used as bombs): the
document is composed into nodes with PyYAML's safe loader (libyaml's when installed), turned
into plain dicts, lists and scalars, and every path (e.g. ("key", "diagnoses", 0, "code")) is
mapped to its line and column. Syntax errors are explained in plain words for trainers.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

from simulator.packs.errors import Problem


def offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    """Return the 0-based (line, column) of a character offset in text."""
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return line, col


MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 24

Path = tuple[str | int, ...]

_LOADER: type[yaml.SafeLoader] | Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's composer is about 15 times faster than the pure-Python one; both give the same marks."""

_PLAIN_TAGS = frozenset(("str", "int", "float", "bool", "null", "timestamp"))
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (terminal escapes) and bidirectional overrides never belong in a pack."""


@dataclass
class Located:
    """A parsed YAML document and the source position of each path inside it."""

    file: str
    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    block_scalars: set[Path] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)

    def where_in_text(self, path: Path, line: int, col: int) -> tuple[int, int]:
        """Return the file position of (0-based) line and col inside the string at path."""
        start_line, start_col = self.where(path)
        if path not in self.block_scalars:
            return (start_line, start_col + 1 + col) if line == 0 else (start_line + line, 1)
        file_line = start_line + 1 + line
        source = self.lines[file_line - 1] if 0 < file_line <= len(self.lines) else ""
        indent = len(source) - len(source.lstrip(" "))
        return file_line, indent + col + 1

    def find_in_text(self, path: Path, text: str, offset: int, length: int) -> tuple[int, int]:
        """Return the file position of text[offset:offset + length], the string at path.

        The snippet is searched for in the source lines from the value's start, which is exact
        for plain, quoted, literal and folded scalars alike; when it is not found as written
        (an escape or a line break inside it), the position is computed from the offset.
        """
        needle = text[offset : offset + length]
        nth = text.count(needle, 0, offset) if needle else 0
        start_line, start_col = self.where(path)
        if needle and "\n" not in needle:
            seen = 0
            for index in range(start_line - 1, min(len(self.lines), start_line + 5_000)):
                source = self.lines[index]
                found = source.find(needle, start_col - 1 if index == start_line - 1 else 0)
                while found != -1:
                    if seen == nth:
                        return index + 1, found + 1
                    seen += 1
                    found = source.find(needle, found + 1)
        line, col = offset_to_line_col(text, offset)
        return self.where_in_text(path, line, col)

    def where(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Return (line, col) for a path, or for its nearest ancestor that has one."""
        probe = tuple(path)
        while True:
            if key and probe in self.key_positions:
                return self.key_positions[probe]
            if probe in self.positions:
                return self.positions[probe]
            if not probe:
                return (1, 1)
            probe = probe[:-1]

    def problem(
        self, path: Path, message: str, *, key: bool = False, warning: bool = False
    ) -> Problem:
        """Return a Problem (an error, or a warning) located at path."""
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message, "warning" if warning else "error")


class _Builder:
    """Turn composed nodes into plain Python values, recording positions and problems."""

    def __init__(self, located: Located) -> None:
        """Start with no values seen."""
        self.located = located
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
        """Return the plain value of a node, recording its position and its children's."""
        self.count += 1
        mark = node.start_mark
        self.located.positions[path] = (mark.line + 1, mark.column + 1)
        if self.count > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} YAML values in one file")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    self._add(key_node, "a key must be plain text, not a list or a mapping")
                    continue
                key = self._scalar(key_node)
                if not isinstance(key, Hashable) or isinstance(key, bool) or key is None:
                    self._add(key_node, f"{key_node.value!r} cannot be used as a key")
                    continue
                key = str(key)
                child = (*path, key)
                km = key_node.start_mark
                self.located.key_positions[child] = (km.line + 1, km.column + 1)
                if key in result:
                    self._add(key_node, f"duplicate key {key!r} (it was already given above)")
                    continue
                result[key] = self.build(value_node, child, depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if not isinstance(node, yaml.ScalarNode):
            self._add(node, "unsupported YAML node")
            return None
        if node.style in ("|", ">"):
            self.located.block_scalars.add(path)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        """Return the value of a plain scalar; refuse tags and control characters."""
        prefix = "tag:yaml.org,2002:"
        if not (node.tag.startswith(prefix) and node.tag[len(prefix) :] in _PLAIN_TAGS):
            self._add(node, f"YAML tag {node.tag!r} is not allowed in a pack")
            return None
        if node.tag.endswith(":str"):
            bad = _FORBIDDEN_CHARS.search(node.value)
            if bad is not None:
                self._add(
                    node,
                    f"control or direction character U+{ord(bad.group()):04X} is not allowed "
                    "in pack text",
                )
                return _FORBIDDEN_CHARS.sub("", node.value)
            return node.value
        if node.tag.endswith(":timestamp"):
            return str(node.value)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError):
            self._add(node, f"{node.value[:40]!r} is not a valid value")
            return None

    def _add(self, node: yaml.Node, message: str) -> None:
        """Record a problem at a node."""
        mark = node.start_mark
        self.problems.append(Problem(self.located.file, mark.line + 1, mark.column + 1, message))


class _TooBig(Exception):
    """The document breaks a size limit."""


def _explain(exc: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int, str]:
    """Turn a YAML syntax error into a position and a message in plain words."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    what = exc.problem or exc.context or "not valid YAML"
    context = exc.context_mark
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    above = f" (the block it belongs to starts on line {context.line + 1})" if context else ""
    if "\t" in text[: len(text) - len(text.lstrip())] or "'\\t'" in what:
        return line, col, "YAML syntax: a tab is used to indent; indent with spaces only"
    if "mapping values are not allowed" in what:
        return (
            line,
            col,
            (
                "YAML syntax: unexpected ': ' here; if the value contains a colon, put it in "
                "quotes, otherwise check the indentation of this line and the one above"
            ),
        )
    if "expected key" in what or "expected <block end>" in what or "expected '-' indicator" in what:
        return (
            line,
            col,
            (
                "YAML syntax: this line is indented differently from the lines around it; "
                f"fields of the same item must line up under each other{above}"
            ),
        )
    if "end of stream" in what and exc.context and "quoted scalar" in exc.context and context:
        return context.line + 1, context.column + 1, "YAML syntax: this quote is never closed"
    if "flow sequence" in (exc.context or ""):
        return line, col, f"YAML syntax: a list in [ ] is not closed properly{above}"
    if "flow mapping" in (exc.context or ""):
        return line, col, f"YAML syntax: a mapping in {{ }} is not closed properly{above}"
    detail = f" {exc.context}" if exc.context and exc.context != what else ""
    return line, col, f"YAML syntax: {what}{detail}"


def _offset_position(text: str, offset: int) -> tuple[int, int]:
    """Return the 1-based line and column of a character offset."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def parse_yaml(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse YAML text into a Located document, or return the problems that stop it."""
    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")]
    lines = text.splitlines()
    located = Located(file=file, data=None, lines=lines)
    try:
        nodes = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.MarkedYAMLError as exc:
        line, col, message = _explain(exc, lines)
        return None, [Problem(file, line, col, message)]
    except yaml.reader.ReaderError as exc:
        line, col = _offset_position(text, exc.position)
        return None, [Problem(file, line, col, f"character U+{exc.character:04X} is not allowed")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"not valid YAML: {exc}")]
    except RecursionError:
        return None, [Problem(file, 1, 1, f"nested deeper than {MAX_DEPTH} levels")]
    if len(nodes) > 1:
        mark = nodes[1].start_mark
        return None, [Problem(file, mark.line + 1, 1, "one YAML document per file, found more")]
    if not nodes or nodes[0] is None:
        return None, [Problem(file, 1, 1, "the file is empty")]
    builder = _Builder(located)
    try:
        located.data = builder.build(nodes[0], (), 0)
    except _TooBig as exc:
        return None, [Problem(file, 1, 1, str(exc))]
    except (yaml.YAMLError, RecursionError) as exc:
        return None, [Problem(file, 1, 1, f"not valid YAML: {exc}")]
    return located, builder.problems

"""Read YAML safely while remembering where every value came from.

Only plain YAML is accepted (no tags that build objects, no anchors used as bombs): the
document is composed into nodes with PyYAML's safe loader, turned into plain dicts, lists and
scalars, and every path (e.g. ("key", "diagnoses", 0, "code")) is mapped to its line and column.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import yaml

from simulator.packs.errors import Problem

MAX_FILE_BYTES = 512 * 1024
MAX_NODES = 20_000
MAX_DEPTH = 24

Path = tuple[str | int, ...]


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

    def problem(self, path: Path, message: str, *, key: bool = False) -> Problem:
        """Return a Problem located at path."""
        line, col = self.where(path, key=key)
        return Problem(self.file, line, col, message)


class _Builder:
    """Turn composed nodes into plain Python values, recording positions and problems."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self.count = 0
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path, depth: int) -> Any:
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
        assert isinstance(node, yaml.ScalarNode)
        if node.style in ("|", ">"):
            self.located.block_scalars.add(path)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag.startswith("tag:yaml.org,2002:") and node.tag.rsplit(":", 1)[-1] in (
            "str",
            "int",
            "float",
            "bool",
            "null",
            "timestamp",
        ):
            value = self.constructor.construct_object(node, deep=True)
            if node.tag.endswith(":timestamp"):
                return str(node.value)
            return value
        self._add(node, f"YAML tag {node.tag!r} is not allowed in a pack")
        return None

    def _add(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.located.file, mark.line + 1, mark.column + 1, message))


class _TooBig(Exception):
    """The document breaks a size limit."""


def parse_yaml(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse YAML text into a Located document, or return the problems that stop it."""
    located = Located(file=file, data=None, lines=text.splitlines())
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        return None, [Problem(file, 1, 1, f"file is larger than {MAX_FILE_BYTES // 1024} KiB")]
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "not valid YAML"
        hint = ""
        if "mapping values are not allowed" in what or "expected <block end>" in what:
            hint = " (check the indentation of this line and the one above)"
        if "found character '\\t'" in what:
            hint = " (use spaces, not tabs, to indent)"
        return None, [Problem(file, line, col, f"YAML syntax: {what}{hint}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"YAML: {exc}")]
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
    except yaml.YAMLError as exc:
        return None, [Problem(file, 1, 1, f"YAML: {exc}")]
    return located, builder.problems

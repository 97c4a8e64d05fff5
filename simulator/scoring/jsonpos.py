"""Parse JSON while remembering where every value came from, for `file:line:col` errors.

A small recursive-descent reader over the standard library's string scanner: the same JSON the
`json` module accepts (plus a clear word on the usual slips: a trailing comma, single quotes,
a comment), and every path (e.g. ("charts", 0, "diagnoses", 1, "code")) mapped to its line and
column, as `simulator.packs.yamlsrc` does for YAML.
"""

from __future__ import annotations

import json
import re
from typing import Any

from simulator.packs.errors import Problem
from simulator.packs.yamlsrc import Located

MAX_BYTES = 4 * 1024 * 1024
"""Largest submission file read."""
MAX_DEPTH = 32
"""Deepest nesting accepted."""

_STRING_BODY = r'"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*'
_STRING = re.compile(_STRING_BODY + '"')
_STRING_START = re.compile(_STRING_BODY)
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


class _Fail(Exception):
    """A syntax error at a character offset."""

    def __init__(self, offset: int, message: str) -> None:
        """Keep where and what."""
        super().__init__(message)
        self.offset = offset
        self.message = message


class _Reader:
    """Reads one JSON document, recording the position of every value and key."""

    def __init__(self, text: str, located: Located) -> None:
        """Start at the beginning of text."""
        self.text = text
        self.located = located
        self.pos = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def where(self, offset: int) -> tuple[int, int]:
        """Return the 1-based line and column of an offset."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1, offset - self.starts[lo] + 1

    def skip(self) -> None:
        """Skip whitespace; a comment is an error with a clear word."""
        match = _SPACE.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos
        if self.text.startswith(("//", "/*"), self.pos):
            raise _Fail(self.pos, "JSON has no comments: remove this comment")

    def peek(self) -> str:
        """Return the next character, or '' at the end."""
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def value(self, path: tuple[str | int, ...], depth: int) -> Any:
        """Read one value at the current position."""
        self.skip()
        if depth > MAX_DEPTH:
            raise _Fail(self.pos, f"nested deeper than {MAX_DEPTH} levels")
        self.located.positions[path] = self.where(self.pos)
        char = self.peek()
        if char == "{":
            return self.mapping(path, depth)
        if char == "[":
            return self.sequence(path, depth)
        if char == '"':
            return self.string()
        if char == "'":
            raise _Fail(self.pos, 'JSON strings use double quotes ("..."), not single quotes')
        if not char:
            raise _Fail(self.pos, "the file ends where a value was expected")
        for word, literal in _LITERALS.items():
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return literal
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            number = match.group()
            return float(number) if any(c in number for c in ".eE") else int(number)
        shown = self.text[self.pos : self.pos + 12].split("\n")[0]
        raise _Fail(
            self.pos,
            f'expected a value (a "string", a number, true, false, null, {{...}} or [...]), '
            f"found {shown!r}; put text in double quotes",
        )

    def string(self) -> str:
        """Read a string starting at the opening quote."""
        match = _STRING.match(self.text, self.pos)
        if match is None:
            start = _STRING_START.match(self.text, self.pos)
            bad = start.end() if start else self.pos
            char = self.text[bad : bad + 1]
            if char in ("", "\n", "\r"):
                raise _Fail(self.pos, 'this string is never closed (a " is missing)')
            if char == "\\":
                raise _Fail(
                    bad, 'inside a string: a backslash starts \\n, \\t, \\\\, \\" or \\uXXXX only'
                )
            raise _Fail(bad, "inside a string: a control character (e.g. a tab) must be escaped")
        self.pos = match.end()
        return str(json.loads(match.group()))

    def mapping(self, path: tuple[str | int, ...], depth: int) -> dict[str, Any]:
        """Read an object; duplicate keys are errors."""
        result: dict[str, Any] = {}
        self.pos += 1
        self.skip()
        if self.peek() == "}":
            self.pos += 1
            return result
        while True:
            self.skip()
            if self.peek() != '"':
                if self.peek() == "}":
                    raise _Fail(self.pos, "a comma before '}' has nothing after it: remove it")
                raise _Fail(self.pos, 'expected a key in double quotes, e.g. "case"')
            key_at = self.pos
            key = self.string()
            child = (*path, key)
            if key in result:
                raise _Fail(key_at, f"duplicate key {key!r} (it was already given above)")
            self.located.key_positions[child] = self.where(key_at)
            self.skip()
            if self.peek() != ":":
                raise _Fail(self.pos, f"expected ':' after the key {key!r}")
            self.pos += 1
            result[key] = self.value(child, depth + 1)
            self.skip()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return result
            raise _Fail(self.pos, "expected ',' or '}' after a value (is a comma missing?)")

    def sequence(self, path: tuple[str | int, ...], depth: int) -> list[Any]:
        """Read an array."""
        result: list[Any] = []
        self.pos += 1
        self.skip()
        if self.peek() == "]":
            self.pos += 1
            return result
        while True:
            self.skip()
            if self.peek() == "]":
                raise _Fail(self.pos, "a comma before ']' has nothing after it: remove it")
            result.append(self.value((*path, len(result)), depth + 1))
            self.skip()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "]":
                self.pos += 1
                return result
            raise _Fail(self.pos, "expected ',' or ']' after a list item (is a comma missing?)")


def parse_json(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse JSON text into a Located document, or return the problem that stops it."""
    if len(text) > MAX_BYTES:
        return None, [Problem(file, 1, 1, f"file is larger than {MAX_BYTES // 1024 // 1024} MiB")]
    located = Located(file=file, data=None, lines=text.splitlines())
    reader = _Reader(text, located)
    try:
        reader.skip()
        if not reader.peek():
            return None, [Problem(file, 1, 1, "the file is empty")]
        located.data = reader.value((), 0)
        reader.skip()
        if reader.peek():
            raise _Fail(reader.pos, "unexpected text after the end of the JSON document")
    except _Fail as exc:
        line, col = reader.where(exc.offset)
        return None, [Problem(file, line, col, exc.message)]
    except RecursionError:
        return None, [Problem(file, 1, 1, f"nested deeper than {MAX_DEPTH} levels")]
    return located, []

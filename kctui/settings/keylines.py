"""Where each key of a TOML text is written: a small scan that maps key paths to line numbers.

TOML parsers give values, not positions, so error messages would name a key but not its
line. The scan follows table headers (``[a.b]``, ``[[a.b]]`` with their running index),
dotted and quoted keys, and skips multi-line values (arrays, strings, inline tables). A
key it cannot place (inside an inline table, say) falls back to its nearest table.
"""

from __future__ import annotations

import json
import re

Path = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _unescape(raw: str) -> str:
    """A basic (double-quoted) key's text; TOML's escapes are JSON's for what keys use."""
    try:
        decoded = json.loads(f'"{raw}"')
    except ValueError:
        return raw
    return decoded if isinstance(decoded, str) else raw


def _read_key(text: str, at: int) -> tuple[list[str], int] | None:
    """The dotted key starting at ``at`` (bare or quoted parts) and where it ends."""
    parts: list[str] = []
    while True:
        while at < len(text) and text[at] in " \t":
            at += 1
        if at >= len(text):
            return None
        quote = text[at]
        if quote in "\"'":
            end = at + 1
            while end < len(text) and text[end] != quote:
                end += 2 if quote == '"' and text[end] == "\\" else 1
            if end >= len(text):
                return None
            raw = text[at + 1 : end]
            parts.append(_unescape(raw) if quote == '"' else raw)
            at = end + 1
        else:
            bare = _BARE.match(text, at)
            if bare is None:
                return None
            parts.append(bare.group())
            at = bare.end()
        while at < len(text) and text[at] in " \t":
            at += 1
        if at < len(text) and text[at] == ".":
            at += 1
            continue
        return parts, at


class _ValueScan:
    """Follows one value across lines: brackets, braces and (multi-line) strings."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the open multi-line string's quotes

    @property
    def open(self) -> bool:
        return self.depth > 0 or self.string is not None

    def feed(self, line: str) -> None:
        at = 0
        while at < len(line):
            if self.string is not None:
                end = line.find(self.string, at)
                if end < 0:
                    return
                self.string, at = None, end + 3
                continue
            char = line[at]
            if char == "#":
                return
            if line.startswith(('"""', "'''"), at):
                self.string, at = line[at : at + 3], at + 3
                continue
            if char in "\"'":
                end = at + 1
                while end < len(line) and line[end] != char:
                    end += 2 if char == '"' and line[end] == "\\" else 1
                at = end + 1
                continue
            if char in "[{":
                self.depth += 1
            elif char in "]}":
                self.depth = max(0, self.depth - 1)
            at += 1


class KeyLines:
    """The line (1-based) of every table header and key in a TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._arrays: dict[Path, int] = {}  # array-of-tables path -> index of its last table
        self._scan(text)

    def _resolve(self, parts: list[str]) -> Path:
        """A header's dotted parts as a path: each array of tables it passes through (not the
        last part) takes the index of that array's latest table."""
        path: Path = ()
        for part in parts[:-1]:
            path = (*path, part)
            if path in self._arrays:
                path = (*path, self._arrays[path])
        return (*path, parts[-1])

    def _note(self, path: Path, line: int) -> None:
        for end in range(1, len(path) + 1):
            self._lines.setdefault(path[:end], line)

    def _scan(self, text: str) -> None:
        table: Path = ()
        value = _ValueScan()
        for number, line in enumerate(text.splitlines(), start=1):
            if value.open:
                value.feed(line)
                continue
            stripped = line.lstrip()
            if stripped.startswith("[["):
                key = _read_key(stripped, 2)
                if key is None:
                    continue
                header = self._resolve(key[0])
                self._arrays[header] = self._arrays.get(header, -1) + 1
                table = (*header, self._arrays[header])
                self._lines[table] = number
                self._note(header, number)
            elif stripped.startswith("["):
                key = _read_key(stripped, 1)
                if key is not None:
                    table = self._resolve(key[0])
                    self._note(table, number)
            elif stripped and not stripped.startswith("#"):
                key = _read_key(stripped, 0)
                if key is None or not stripped[key[1] :].startswith("="):
                    continue
                self._note((*table, *key[0]), number)
                value.feed(stripped[key[1] + 1 :])

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, else of its nearest enclosing table or key (None: none)."""
        for end in range(len(path), 0, -1):
            found = self._lines.get(path[:end])
            if found is not None:
                return found
        return None

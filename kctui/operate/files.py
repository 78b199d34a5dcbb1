"""Connector files: the ``{"name", "config"}`` REST shape or a bare config map with ``name``.

A file may also hold a JSON array of such objects. Paths may be files or folders (every
``*.json`` in the folder, sorted). Every problem of every file is collected and reported
at once, malformed JSON with its file, line and column.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kctui.errors import KctuiError


class ConnectorFileError(KctuiError):
    """One or more connector files cannot be used; ``problems`` lists each, one per line."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems), exit_code=2)


@dataclass(frozen=True)
class ConnectorSpec:
    """A connector to create or update: its name, its config (strings) and where it came from."""

    name: str
    config: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    @property
    def connector_class(self) -> str:
        return self.config.get("connector.class", "")


def json_error_text(source: str, exc: json.JSONDecodeError) -> str:
    """``file:line:column: malformed JSON: reason``."""
    return f"{source}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}"


def strip_comment_lines(text: str) -> str:
    """Blank out whole-line ``//`` comments (kctui's editor notes) keeping line numbers."""
    return "\n".join("" if line.lstrip().startswith("//") else line for line in text.split("\n"))


def config_value(key: str, value: Any) -> str | None:
    """A JSON value as the string Connect stores; None when it cannot be one."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return None


def config_from_mapping(
    data: Mapping[str, Any], source: str, problems: list[str]
) -> dict[str, str]:
    """String config from a JSON object; a problem per value that is not a scalar."""
    config: dict[str, str] = {}
    for key, value in data.items():
        text = config_value(key, value)
        if text is None:
            kind = "null" if value is None else type(value).__name__
            problems.append(
                f"{source}: key '{key}' has a {kind} value; connector configs hold strings, "
                "numbers or booleans (remove the key to unset it)"
            )
            continue
        config[str(key)] = text
    return config


def spec_from_json(data: Any, source: str, problems: list[str]) -> ConnectorSpec | None:
    """One connector from a parsed JSON object (either shape); None after adding problems."""
    if not isinstance(data, Mapping):
        problems.append(f"{source}: expected a JSON object, got {type(data).__name__}")
        return None
    before = len(problems)
    if isinstance(data.get("config"), Mapping):
        name = data.get("name")
        config = config_from_mapping(data["config"], source, problems)
        inner = config.get("name")
        if not isinstance(name, str) or not name.strip():
            name = inner
        elif inner is not None and inner != name:
            problems.append(f"{source}: name '{name}' differs from config name '{inner}'")
        extra = sorted(set(data) - {"name", "config", "tasks", "type", "initial_state"})
        if extra:
            problems.append(
                f"{source}: unexpected top-level keys {', '.join(extra)} next to 'config' "
                "(put connector settings inside 'config')"
            )
    else:
        config = config_from_mapping(data, source, problems)
        name = config.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f'{source}: no connector name (set "name")')
    if not config.get("connector.class", "").strip():
        problems.append(f'{source}: no "connector.class"')
    if len(problems) > before or not isinstance(name, str):
        return None
    name = name.strip()
    config["name"] = name
    return ConnectorSpec(name=name, config=config, source=source)


def parse_connector_text(text: str, source: str) -> tuple[list[ConnectorSpec], list[str]]:
    """Connectors in one file's text (an object or an array of objects) and the problems."""
    problems: list[str] = []
    try:
        data = json.loads(strip_comment_lines(text))
    except json.JSONDecodeError as exc:
        return [], [json_error_text(source, exc)]
    items = data if isinstance(data, list) else [data]
    specs = []
    for index, item in enumerate(items):
        where = f"{source}[{index}]" if isinstance(data, list) else source
        spec = spec_from_json(item, where, problems)
        if spec is not None:
            specs.append(spec)
    if isinstance(data, list) and not data:
        problems.append(f"{source}: empty array, no connector")
    return specs, problems


def expand_paths(paths: Iterable[Path], problems: list[str]) -> list[Path]:
    """Files as given, folders as their ``*.json`` files in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.glob("*.json") if p.is_file())
            if not found:
                problems.append(f"{path}: folder without any .json file")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    return files


def load_connector_files(paths: Sequence[Path | str]) -> list[ConnectorSpec]:
    """Every connector in the files and folders; ConnectorFileError lists all problems."""
    problems: list[str] = []
    specs: list[ConnectorSpec] = []
    for path in expand_paths([Path(p).expanduser() for p in paths], problems):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: cannot read: {exc}")
            continue
        found, file_problems = parse_connector_text(text, str(path))
        specs.extend(found)
        problems.extend(file_problems)
    seen: dict[str, str] = {}
    for spec in specs:
        if spec.name in seen:
            problems.append(
                f"{spec.source}: connector '{spec.name}' is also defined in {seen[spec.name]}"
            )
        seen.setdefault(spec.name, spec.source)
    if problems:
        raise ConnectorFileError(problems)
    if not specs:
        raise ConnectorFileError(["no connector file given"])
    return specs

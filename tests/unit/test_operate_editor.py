"""The editor runner (0600 temp file, removed), the document, templates and edit sessions."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from kctui.connect.models import ConfigKeyInfo, ConnectorInfo, PluginInfo, ValidationResult
from kctui.masking import MASK
from kctui.operate.editor import (
    EditedTextError,
    EditorError,
    edit_document,
    editor_command,
    parse_edited,
    run_editor,
    split_document,
)
from kctui.operate.session import CANCEL, READY, RETRY, EditSession
from kctui.operate.template import template_config
from tests.unit.partial_client import PartialClient

SCRIPT = (
    "import os, sys; p = sys.argv[-1]; "
    "open(sys.argv[1], 'w').write(oct(os.stat(p).st_mode & 0o777) + ' ' + p); "
    "text = open(p).read(); open(p, 'w').write(text.replace('old', 'new'))"
)


def test_run_editor_uses_a_private_temp_file_and_removes_it(tmp_path: Path) -> None:
    record = tmp_path / "record"
    saved = run_editor('{"x": "old"}', [sys.executable, "-c", SCRIPT, str(record)])
    assert saved == '{"x": "new"}'
    mode, path = record.read_text().split(" ", 1)
    assert mode == "0o600"
    assert path.endswith(".json") and not Path(path).exists()


def test_editor_failures_are_clear(tmp_path: Path) -> None:
    with pytest.raises(EditorError, match="cannot run the editor 'no-such-editor-kctui'"):
        run_editor("{}", ["no-such-editor-kctui"])
    with pytest.raises(EditorError, match="exited with code 3; nothing applied"):
        run_editor("{}", [sys.executable, "-c", "raise SystemExit(3)"])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, ["vi"]),
        ({"EDITOR": "nano -w"}, ["nano", "-w"]),
        ({"EDITOR": "nano", "VISUAL": "code --wait"}, ["code", "--wait"]),
    ],
)
def test_editor_command_from_environment(env: dict[str, str], expected: list[str]) -> None:
    assert editor_command(env) == expected


def test_document_and_parse_round_trip() -> None:
    text = edit_document('{\n  "a": "1"\n}', ["note"], ["a: bad"])
    assert text.splitlines()[:3] == ["// note", "// ERRORS (fix them, then save and quit; "
                                     "quit without saving to cancel):", "//   a: bad"]  # fmt: skip
    assert split_document(text) == '{\n  "a": "1"\n}\n'
    assert parse_edited(split_document(text)) == {"a": "1"}
    bad = '{\n  "a": 1,\n}'
    with pytest.raises(json.JSONDecodeError) as by_json:  # where this Python's json puts it
        json.loads(bad)
    with pytest.raises(EditedTextError) as caught:
        parse_edited(bad, first_line=5)
    # The position is json's, moved down by the comment lines above the document (5 - 1).
    line, column = by_json.value.lineno + 4, by_json.value.colno
    assert line in (6, 7)  # the trailing comma's line or the brace's
    assert caught.value.problems[0].startswith(f"malformed JSON at line {line}, column {column}")
    with pytest.raises(EditedTextError, match="the config is empty"):
        parse_edited("// only a comment\n")


def test_template_required_first_defaults_filled() -> None:
    keys = [
        ConfigKeyInfo("file"),
        ConfigKeyInfo("tasks.max", default_value="1"),
        ConfigKeyInfo("topics", required=True),
        ConfigKeyInfo("name", required=True),
        ConfigKeyInfo("connector.plugin.version", default_value="4.1.0"),
    ]
    config, notes = template_config("a.b.Sink", keys)
    assert list(config) == ["name", "connector.class", "topics", "tasks.max"]
    assert config == {"name": "", "connector.class": "a.b.Sink", "topics": "", "tasks.max": "1"}
    assert notes[1:] == ["Required: topics", "Optional, no default (add when needed): file"]


class ValidatingClient(PartialClient):
    def __init__(self, errors: dict[str, tuple[str, ...]] | None = None) -> None:
        self.errors = errors or {}
        self.calls: list[tuple[str, Any]] = []

    async def validate(self, plugin_class: str, config: Mapping[str, str]) -> ValidationResult:
        self.calls.append(("validate", dict(config)))
        return ValidationResult(plugin_class, len(self.errors), self.errors)

    async def plugins(self, connectors_only: bool = True) -> list[PluginInfo]:
        return []

    async def patch_config(self, name: str, partial: Mapping[str, str | None]) -> ConnectorInfo:
        self.calls.append(("patch", partial))
        return ConnectorInfo(name)

    async def put_config(self, name: str, config: Mapping[str, str]) -> ConnectorInfo:
        self.calls.append(("put", config))
        return ConnectorInfo(name, dict(config))


STORED = {"name": "c", "connector.class": "a.Sink", "file": "/x", "db.password": "pw"}


async def test_session_patch_of_changed_keys_keeps_the_secret() -> None:
    client = ValidatingClient()
    session = EditSession(client, name="c", stored=STORED)
    document = session.document()
    assert MASK in document and '"pw"' not in document
    outcome = await session.submit(
        document.replace('"/x"', '"/y"').replace('  "file"', '  "new": "1",\n  "file"')
    )
    assert outcome.kind == READY
    assert client.calls[0] == ("validate", {**STORED, "file": "/y", "new": "1"})
    assert (await session.write(use_patch=True)).kind == READY
    assert client.calls[1] == ("patch", {"file": "/y", "new": "1"})


async def test_session_unchanged_cancels_and_errors_retry() -> None:
    client = ValidatingClient({"file": ("bad file",)})
    session = EditSession(client, name="c", stored=STORED)
    assert (await session.submit(session.document())).kind == CANCEL
    outcome = await session.submit(session.document().replace('"/x"', '"/z"'))
    assert outcome.kind == RETRY and session.problems == ["file: bad file"]
    assert "//   file: bad file" in session.document()
    assert (await session.submit(session.document())).kind == CANCEL
    assert [c[0] for c in client.calls] == ["validate"]

"""Pilot tests of ``e`` (edit config) and ``c`` (create) with a fake editor and fake client."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kctui.masking import MASK
from kctui.ui.screens.modals import ConfirmScreen
from kctui.ui.screens.plugins import PluginPicker
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.operate_fakes import FakeEditor, OperateClient


def select(app: Any, name: str) -> None:
    table = app.screen.query_one(ConnectorTable)
    table.move_cursor(row=table.get_row_index(name))


def calls_named(client: OperateClient, kind: str) -> list[tuple[Any, ...]]:
    return [c for c in client.calls if c[0] == kind]


async def confirm(pilot: Any, app: Any) -> str:
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirmation")
    question = app.screen.question
    await pilot.press("y")
    return question


async def test_edit_fixes_file_with_patch_of_changed_key_only(tmp_path: Path) -> None:
    client = OperateClient()
    editor = FakeEditor(tmp_path / "ed", [{"replace": ["/nonexistent/out.txt", "/tmp/ok.txt"]}])
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-failing-sink")
        await pilot.press("e")
        question = await confirm(pilot, app)
        await wait_for(pilot, lambda: bool(calls_named(client, "patch_config")), what="patch")
    assert "~ file: /nonexistent/out.txt -> /tmp/ok.txt" in question
    assert calls_named(client, "patch_config") == [
        ("patch_config", "demo-failing-sink", {"file": "/tmp/ok.txt"})
    ]
    assert calls_named(client, "put_config") == []
    validated = calls_named(client, "validate")[0][2]
    assert validated["file"] == "/tmp/ok.txt" and validated["name"] == "demo-failing-sink"
    assert editor.modes() == ["0o600"]
    assert not any(p.exists() for p in editor.paths()), "temp file must be removed"


async def test_masked_secret_is_never_written_back(tmp_path: Path) -> None:
    client = OperateClient()
    stored_jaas = client.connectors["demo-dlq-sink"]["info"]["config"]["sasl.jaas.config"]
    editor = FakeEditor(
        tmp_path / "ed", [{"replace": ['"errors.tolerance": "all"', '"errors.tolerance": "none"']}]
    )
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-dlq-sink")
        await pilot.press("e")
        question = await confirm(pilot, app)
        await wait_for(pilot, lambda: bool(calls_named(client, "patch_config")), what="patch")
    shown = editor.shown()[0]
    assert MASK in shown and "hunter2" not in shown
    assert "hunter2" not in question
    assert calls_named(client, "patch_config")[0][2] == {"errors.tolerance": "none"}
    validated = calls_named(client, "validate")[0][2]
    assert validated["sasl.jaas.config"] == stored_jaas


async def test_put_of_whole_config_before_3_8(tmp_path: Path) -> None:
    client = OperateClient(version="3.7.1")
    editor = FakeEditor(tmp_path / "ed", [{"replace": ["/nonexistent/out.txt", "/tmp/ok.txt"]}])
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-failing-sink")
        await pilot.press("e")
        await confirm(pilot, app)
        await wait_for(pilot, lambda: bool(calls_named(client, "put_config")), what="put")
    put = calls_named(client, "put_config")[0]
    assert put[2]["file"] == "/tmp/ok.txt"
    assert put[2]["connector.class"].endswith("FileStreamSinkConnector")
    assert calls_named(client, "patch_config") == []


async def test_invalid_config_comes_back_with_errors(tmp_path: Path) -> None:
    client = OperateClient()
    client.invalid_keys = {"topics.regex": "Must configure one of topics or topics.regex"}
    added = '"topics.regex": "a.*",\n  "file"'
    editor = FakeEditor(
        tmp_path / "ed",
        [
            {"replace": ['"file"', added]},
            {"replace": [added, '"file"']},
        ],
    )
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-failing-sink")
        await pilot.press("e")
        await wait_for(pilot, lambda: len(editor.shown()) >= 2, what="second editor round")
        await wait_for(pilot, lambda: not app.workers, what="flow to end")
    second = editor.shown()[1]
    assert "// ERRORS" in second
    assert "topics.regex: Must configure one of topics or topics.regex" in second
    assert '"topics.regex": "a.*"' in second  # the user's text is kept
    # Second save removed the bad key again: unchanged from the stored config, nothing written.
    assert calls_named(client, "patch_config") == [] and calls_named(client, "put_config") == []


async def test_malformed_json_reports_line_and_column_then_cancel(tmp_path: Path) -> None:
    client = OperateClient()
    editor = FakeEditor(tmp_path / "ed", [{"text": '{\n  "name": ,\n}\n'}, {"same": True}])
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-failing-sink")
        await pilot.press("e")
        await wait_for(pilot, lambda: len(editor.shown()) >= 2, what="second editor round")
        await wait_for(pilot, lambda: not app.workers, what="flow to end")
    second = editor.shown()[1]
    error_line = next(line for line in second.splitlines() if "malformed JSON" in line)
    # The JSON starts after 2 notes, the ERRORS header and one error line: line 5 + 1.
    assert "line 6, column 11" in error_line
    assert second.splitlines()[5] == '  "name": ,'
    assert calls_named(client, "validate") == []
    assert calls_named(client, "patch_config") == []


async def test_create_from_template(tmp_path: Path) -> None:
    client = OperateClient()
    editor = FakeEditor(
        tmp_path / "ed",
        [{"replace": ['"name": ""', '"name": "test-new-sink"']}],
    )
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, PluginPicker), what="picker")
        await pilot.press("down", "enter")  # source first, then the sink
        question = await confirm(pilot, app)
        await wait_for(pilot, lambda: bool(calls_named(client, "create")), what="create")
    template = editor.shown()[0]
    assert '"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector"' in template
    assert '"tasks.max": "1"' in template
    assert "Optional, no default (add when needed): file" in template
    assert "Create test-new-sink?" in question
    create = calls_named(client, "create")[0]
    assert create[1] == "test-new-sink" and create[2]["tasks.max"] == "1"


async def test_create_with_existing_name_goes_back_to_editor(tmp_path: Path) -> None:
    client = OperateClient()
    editor = FakeEditor(
        tmp_path / "ed", [{"replace": ['"name": ""', '"name": "demo-sink"']}, {"same": True}]
    )
    app = make_app(client)
    app.editor_command = editor.command
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, PluginPicker), what="picker")
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: len(editor.shown()) >= 2, what="second round")
        await wait_for(pilot, lambda: not app.workers, what="flow to end")
    assert "a connector named 'demo-sink' already exists" in editor.shown()[1]
    assert calls_named(client, "create") == []


async def test_read_only_hides_operate_keys(tmp_path: Path) -> None:
    client = OperateClient(read_only=True)
    app = make_app(client, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        select(app, "demo-sink")
        screen = app.screen
        for action in ("edit_config", "create_connector", "debug_logging"):
            assert screen.check_action(action, ()) is False, action
        assert screen.check_action("offsets", ()) is True
        shown_keys = {b.binding.key for b in screen.active_bindings.values() if b.enabled}
        assert not {"e", "c", "x"} & shown_keys
        await pilot.press("e")
        await pilot.pause()
    assert client.calls == []

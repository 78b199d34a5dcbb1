"""Operate against the real sandbox with our own connectors ``test-operate-*`` (deleted at
the end): apply from files, fix a FAILED sink through the editor's code path, stop -> reset
offsets -> resume and see a sink re-read, and runtime log levels (cluster and worker scope)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from kctui.cli import main
from kctui.connect.client import ConnectClient
from kctui.connect.errors import NotFound
from kctui.connect.models import ConnectorStatus
from kctui.operate.loggers import current_level, loggers_of, worker_client
from kctui.operate.session import READY, EditSession
from kctui.settings import ClusterConfig
from tests import polling
from tests.jsonerrors import file_json_error

pytestmark = pytest.mark.integration

SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"
PREFIX = "test-operate-"
T = TypeVar("T")


async def poll(
    what: str, fetch: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 90
) -> T:
    """The shared poll, where a connector not there yet (404) counts as not done."""
    return await polling.poll(what, fetch, done, timeout=timeout, tolerate=(NotFound,))


def task_states(status: ConnectorStatus) -> list[str]:
    return [t.state for t in status.tasks]


@pytest.fixture
async def client(sandbox_cluster: ClusterConfig) -> AsyncIterator[ConnectClient]:
    async with ConnectClient(sandbox_cluster) as connect:
        yield connect
        state = await connect.cluster_state()
        for name in state.connectors:
            if name.startswith(PREFIX):
                await connect.delete(name)


def url_args(cluster: ClusterConfig) -> list[str]:
    return ["--url", ",".join(cluster.urls)]


def sink_file(path: Path, name: str, out: Path, **extra: Any) -> Path:
    config = {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "demo-lines",
              "file": str(out), **extra}  # fmt: skip
    path.write_text(json.dumps({"name": name, "config": config}, indent=2))
    return path


async def run_cli(argv: list[str]) -> int:
    """The CLI in a thread (it runs its own event loop)."""
    return await asyncio.to_thread(main, argv)


async def test_apply_create_update_invalid_and_dry_run(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    name = PREFIX + "apply"
    path = sink_file(tmp_path / "a.json", name, tmp_path / "a-out.txt")
    assert await run_cli(["apply", "-f", str(path), *url_args(sandbox_cluster)]) == 0
    assert f"{name} ({path}): created" in capsys.readouterr().out
    assert (await client.connector_config(name))["file"] == str(tmp_path / "a-out.txt")

    sink_file(path, name, tmp_path / "b-out.txt")
    assert await run_cli(["apply", "-f", str(path), *url_args(sandbox_cluster)]) == 0
    out = capsys.readouterr().out
    assert f"{name} ({path}): updated" in out
    assert f"~ file: {tmp_path / 'a-out.txt'} -> {tmp_path / 'b-out.txt'}" in out
    assert (await client.connector_config(name))["file"] == str(tmp_path / "b-out.txt")

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": PREFIX + "bad", "connector.class": "FileStreamSink",
                               "tasks.max": "many"}))  # fmt: skip
    assert await run_cli(["apply", "-f", str(bad), *url_args(sandbox_cluster)]) == 1
    out = capsys.readouterr().out
    assert f"{PREFIX}bad ({bad}): invalid" in out
    assert "  tasks.max: Invalid value many for configuration tasks.max" in out
    assert "  topics: Must configure one of topics or topics.regex" in out

    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({"name": PREFIX + "unknown", "connector.class": "com.nope.X"}))
    assert await run_cli(["apply", "-f", str(unknown), *url_args(sandbox_cluster)]) == 1
    assert "connector.class: unknown connector class 'com.nope.X'" in capsys.readouterr().out

    dry = sink_file(tmp_path / "dry.json", PREFIX + "dry", tmp_path / "dry-out.txt")
    assert await run_cli(["apply", "-f", str(dry), "--dry-run", *url_args(sandbox_cluster)]) == 0
    assert f"{PREFIX}dry ({dry}): would create" in capsys.readouterr().out

    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"name": "x",\n "config": {"connector.class": }}')
    assert await run_cli(["apply", "-f", str(malformed), *url_args(sandbox_cluster)]) == 2
    assert file_json_error(str(malformed), malformed.read_text()) in capsys.readouterr().err

    state = await client.cluster_state()
    assert name in state.connectors
    for absent in ("bad", "unknown", "dry"):
        assert PREFIX + absent not in state.connectors


async def test_fix_failing_sink_through_the_editor_path(
    client: ConnectClient, tmp_path: Path
) -> None:
    name = PREFIX + "failing"
    broken = tmp_path / "missing-dir" / "out.txt"
    await client.create(name, {"connector.class": SINK, "tasks.max": "1",
                               "topics": "demo-lines", "file": str(broken)})  # fmt: skip
    await poll("task FAILED", lambda: client.connector_status(name),
               lambda s: task_states(s) == ["FAILED"])  # fmt: skip

    fixed = tmp_path / "fixed-out.txt"
    stored = await client.connector_config(name)
    session = EditSession(client, name=name, stored=stored)
    outcome = await session.submit(session.document().replace(str(broken), str(fixed)))
    assert outcome.kind == READY, outcome.message
    assert [(c.key, c.new) for c in session.changes] == [("file", str(fixed))]
    assert (
        await session.write(use_patch=(await client.server_info()).supports_patch_config)
    ).kind == READY

    await client.restart(name, include_tasks=True, only_failed=True)
    await poll("task RUNNING", lambda: client.connector_status(name),
               lambda s: task_states(s) == ["RUNNING"])  # fmt: skip
    assert (await client.connector_config(name))["file"] == str(fixed)
    await asyncio.to_thread(
        polling.wait_until,
        lambda: fixed.exists() and fixed.stat().st_size > 0,
        what="the fixed sink writing its file",
    )


async def test_stop_reset_resume_rereads_from_the_start(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    name = PREFIX + "reset"
    out = tmp_path / "reset-out.txt"
    await client.create(name, {"connector.class": SINK, "tasks.max": "1",
                               "topics": "demo-lines", "file": str(out)})  # fmt: skip

    async def committed() -> dict[int, int]:
        offsets = await client.offsets(name)
        return {int(o.partition["kafka_partition"]): int((o.offset or {})["kafka_offset"])
                for o in offsets if o.offset}  # fmt: skip

    async def lines() -> list[str]:
        text = await asyncio.to_thread(lambda: out.read_text() if out.exists() else "")
        return text.splitlines()

    # A group left by an earlier run may already hold offsets: wait for the file as well.
    first_line = (await poll("the sink's first lines", lines, lambda ls: len(ls) > 0))[0]
    before = await poll("committed offsets", committed, lambda c: sum(c.values()) > 0)

    # Altering a running connector is refused with a clear message.
    args = ["offsets", "reset", name, *url_args(sandbox_cluster)]
    assert await run_cli(args) == 2
    assert "is RUNNING: offsets can only be changed while the connector is STOPPED" in (
        capsys.readouterr().err
    )
    assert await run_cli([*args, "--stop"]) == 0
    printed = capsys.readouterr().out
    assert f"stopped {name}" in printed and f"{name}: no offsets stored" in printed
    assert (await client.connector_status(name)).state == "STOPPED"
    assert await client.offsets(name) == []

    set_args = ["offsets", "set", name, "--topic", "demo-lines", "--partition", "0",
                "--offset", "0", *url_args(sandbox_cluster)]  # fmt: skip
    assert await run_cli(set_args) == 0
    assert (await committed()) == {0: 0}
    capsys.readouterr()

    await client.resume(name)
    await poll("the sink to re-read the first record", lines,
               lambda ls: ls.count(first_line) >= 2)  # fmt: skip
    await poll("offsets committed again", committed, lambda c: set(c) == set(before))

    assert await run_cli(["offsets", "get", name, "--json", *url_args(sandbox_cluster)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert all(e["partition"]["kafka_topic"] == "demo-lines" for e in document["offsets"])


async def test_logger_levels_cluster_and_worker_scope(
    client: ConnectClient, sandbox_cluster: ClusterConfig
) -> None:
    logger = "kctui.test.operate"
    previous = await current_level(client, logger)
    urls = list(sandbox_cluster.urls)
    assert len(urls) == 2

    async def levels() -> list[str]:
        answers = [await loggers_of(client, url) for url in urls]
        return [w.levels.get(logger, "") for w in answers]

    try:
        await client.set_logger_level(logger, "DEBUG", scope="cluster")
        await poll("DEBUG on every worker", levels, lambda ls: ls == ["DEBUG", "DEBUG"], 30)
        second, owned = worker_client(client, urls[1])
        try:
            changed = await second.set_logger_level(logger, "WARN", scope="worker")
        finally:
            if owned:
                await second.aclose()
        assert logger in changed
        assert await levels() == ["DEBUG", "WARN"]
    finally:
        await client.set_logger_level(logger, previous, scope="cluster")
        await poll("level restored", levels, lambda ls: ls == [previous, previous], 30)


async def test_console_edit_fixes_failed_sink(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    """The demo's fix in the console: e, the (fake) editor changes file, y, R, RUNNING."""
    from msgspec.structs import replace

    from kctui.ui.app import KctuiApp
    from kctui.ui.screens.modals import ConfirmScreen
    from kctui.ui.widgets.connector_table import ConnectorTable
    from tests.ui.operate_fakes import FakeEditor

    name = PREFIX + "console"
    broken, fixed = tmp_path / "nowhere" / "out.txt", tmp_path / "console-out.txt"
    await client.create(name, {"connector.class": SINK, "tasks.max": "1",
                               "topics": "demo-lines", "file": str(broken)})  # fmt: skip
    await poll("task FAILED", lambda: client.connector_status(name),
               lambda s: task_states(s) == ["FAILED"])  # fmt: skip
    editor = FakeEditor(tmp_path / "editor", [{"replace": [str(broken), str(fixed)]}])
    app = KctuiApp(replace(sandbox_cluster, refresh_seconds=30.0))
    app.editor_command = editor.command

    async def until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await pilot.pause(0.1)

    async with app.run_test(size=(140, 40)) as pilot:
        await until(lambda: app.state is not None and name in app.state.connectors, "state")
        table = app.screen.query_one(ConnectorTable)
        await until(lambda: table.row_count > 0, "rows")
        table.move_cursor(row=table.get_row_index(name))
        await pilot.press("e")
        await until(lambda: isinstance(app.screen, ConfirmScreen), "confirmation")
        confirm = app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert f"~ file: {broken} -> {fixed}" in confirm.question
        await pilot.press("y")
        await poll("config updated", lambda: client.connector_config(name),
                   lambda c: c["file"] == str(fixed), 30)  # fmt: skip
        await pilot.press("R")
        await poll("task RUNNING", lambda: client.connector_status(name),
                   lambda s: task_states(s) == ["RUNNING"])  # fmt: skip

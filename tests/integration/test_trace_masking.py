"""On the real sandbox: a sink whose failure trace carries a JDBC-style password (the file
path names it, as a driver's connection URL would). Describe, triage and the console show
the trace with the password masked; ``v`` reveals it on screen only."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from kctui.connect.client import ConnectClient
from kctui.connect.models import FAILED, ConnectorStatus
from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from tests import polling
from tests.integration.cli import run_kctui

pytestmark = pytest.mark.integration
NAME = "trace-secret-sink"
SECRET = "hunter2-trace"
FILE = f"/nonexistent/jdbc:mysql:/db?user=app&password={SECRET}"


@pytest.fixture
async def failing_sink(sandbox_cluster: ClusterConfig) -> AsyncIterator[ConnectorStatus]:
    async with ConnectClient(sandbox_cluster) as client:
        template = await client.connector_config("demo-failing-sink")
        config = {**template, "name": NAME, "file": FILE}
        try:
            await client.delete(NAME)
        except Exception:  # noqa: BLE001, S110 - not there: the usual case
            pass
        await client.create(NAME, config)
        status = await polling.poll(
            f"{NAME}'s task to fail",
            lambda: client.connector_status(NAME),
            lambda s: bool(s.tasks) and s.tasks[0].state == FAILED and bool(s.tasks[0].trace),
            tolerate=(Exception,),
        )
        try:
            yield status
        finally:
            await client.delete(NAME)


def kctui(*args: str, tmp_path: Path) -> str:
    result = run_kctui(*args, config=tmp_path / "absent.toml")
    return result.stdout + result.stderr


async def test_describe_and_triage_mask_the_password(
    failing_sink: ConnectorStatus, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    assert SECRET in (failing_sink.tasks[0].trace or "")  # the real trace holds it
    url = ",".join(sandbox_cluster.urls)
    described = kctui("--url", url, "describe", NAME, tmp_path=tmp_path)
    assert "Couldn't find or create file" in described and "password=********" in described
    as_json = json.loads(kctui("--url", url, "describe", NAME, "--json", tmp_path=tmp_path))
    assert as_json["tasks"][0]["trace_summary"][0].startswith("error: ConnectException:")
    triage = kctui("--url", url, "triage", tmp_path=tmp_path)
    assert NAME in triage
    for output in (described, json.dumps(as_json), triage):
        assert SECRET not in output


async def test_kctui_logs_masks_the_workers_log_records(
    failing_sink: ConnectorStatus, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    paths = [source.path for source in sandbox_cluster.logs if source.path]
    assert paths, "the sandbox cluster has log files"
    printed = kctui("logs", *paths, "--grep", "Couldn't find or create file", tmp_path=tmp_path)
    assert "password=********" in printed
    assert SECRET not in printed


async def test_masking_leaves_the_rest_of_a_real_worker_log_alone(
    failing_sink: ConnectorStatus, sandbox_cluster: ClusterConfig
) -> None:
    """Startup, REST access and rebalance lines come out unchanged; only the lines that
    hold the secret change."""
    from glob import glob

    from kctui.masking import mask_text

    lines = [
        line
        for source in sandbox_cluster.logs
        for path in glob(source.path or "")
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    ]
    changed = [line for line in lines if mask_text(line) != line]
    assert changed and all(SECRET in line for line in changed)
    assert len(lines) > 100


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


async def test_console_masks_the_trace_and_v_reveals_it(
    failing_sink: ConnectorStatus, sandbox_cluster: ClusterConfig
) -> None:
    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: NAME in app.screen.query_one(ConnectorTable).names, NAME)
        app.screen.query_one(ConnectorTable).select(NAME)
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ConnectorScreen), "the detail")

        def body() -> str:
            return str(app.screen.query_one("#trace-body", Static).visual)

        await until(pilot, lambda: "Couldn't find or create file" in body(), "the trace")
        assert SECRET not in body() and "password=********" in body()
        assert SECRET not in str(app.screen.query_one("#trace-summary", Static).visual)
        await pilot.press("v")
        await until(pilot, lambda: SECRET in body(), "the revealed trace")
        await pilot.press("v")
        await until(pilot, lambda: SECRET not in body(), "the masked trace again")

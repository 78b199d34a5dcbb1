"""The console's trace view on real traces: masked summary and body, v reveals, w saves masked."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from kctui.ui.screens.connector import ConnectorScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.task_list import TaskList
from kctui.ui.widgets.trace_view import TraceView
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import W1, FakeClient, connector_json, demo_cluster

FIXTURES = Path(__file__).parent.parent / "fixtures" / "traces"
# A real JDBC sink trace with the password in the connection URL (yugabyte-db issue 15498),
# without its log header line.
JDBC_TRACE = (FIXTURES / "log-jdbc-sink-no-driver-password.log").read_text().split("\n", 1)[1]
SFTP_TRACE = json.loads((FIXTURES / "status-sftp-classless-cause.json").read_text())["connector"][
    "trace"
]


def cluster() -> dict:
    data = demo_cluster()
    data["jdbc-sink"] = connector_json("jdbc-sink", "sink", "FAILED", [], trace=JDBC_TRACE)
    data["sftp-source"] = connector_json("sftp-source", "source", "FAILED", [], trace=SFTP_TRACE)
    data["jdbc-sink"]["status"]["connector"]["worker_id"] = W1
    data["jdbc-sink"]["status"]["tasks"] = [
        {"id": 0, "state": "FAILED", "worker_id": W1, "trace": JDBC_TRACE}
    ]
    data["jdbc-sink"]["info"]["tasks"] = [{"connector": "jdbc-sink", "task": 0}]
    return data


def text_of(screen: ConnectorScreen, widget_id: str) -> str:
    return str(screen.query_one(widget_id, Static).visual)


async def open_detail(pilot: Pilot[Any], name: str) -> ConnectorScreen:
    pilot.app.screen.query_one(ConnectorTable).select(name)
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConnectorScreen))
    screen = pilot.app.screen
    assert isinstance(screen, ConnectorScreen)
    return screen


async def test_trace_and_summary_masked_v_reveals_w_saves_masked(hidden_user_files: Path) -> None:
    app = make_app(FakeClient(cluster()))
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        overview = pilot.app.screen
        overview.query_one(ConnectorTable).select("jdbc-sink")
        reason = overview.query_one("#reason", Static)
        await wait_for(pilot, lambda: "jdbc-sink" in str(reason.visual))
        assert "password=********" in str(reason.visual)
        task_row = " ".join(c.plain for c in overview.query_one(TaskList).get_row_at(0))
        assert "password=********" in task_row
        for text in (str(reason.visual), task_row):
            assert "password=demo" not in text
        screen = await open_detail(pilot, "jdbc-sink")
        view = screen.query_one(TraceView)
        await wait_for(pilot, lambda: "No suitable driver" in text_of(screen, "#trace-body"))
        for part in ("#trace-body", "#trace-summary", "#detail-header"):
            assert "password=demo" not in text_of(screen, part)
        assert "password=********" in text_of(screen, "#trace-summary")
        await pilot.press("v")
        await wait_for(pilot, lambda: "password=demo" in text_of(screen, "#trace-body"))
        assert "password=demo" in text_of(screen, "#trace-summary") and view.revealed
        await pilot.press("w")  # saving while revealed still writes the masked text
        folder = hidden_user_files / "state" / "kctui" / "traces"
        await wait_for(pilot, lambda: folder.exists() and any(folder.iterdir()))
        saved = next(folder.iterdir()).read_text()
        assert "No suitable driver" in saved and "password=********" in saved
        await pilot.press("v")
        await wait_for(pilot, lambda: "password=demo" not in text_of(screen, "#trace-body"))
    written = [p for p in hidden_user_files.rglob("*") if p.is_file()]
    assert written and all("password=demo" not in p.read_text(errors="replace") for p in written)


async def test_summary_shows_a_class_less_root_cause() -> None:
    app = make_app(FakeClient(cluster()))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot, "sftp-source")
        await wait_for(pilot, lambda: "root cause" in text_of(screen, "#trace-summary"))
        summary = text_of(screen, "#trace-summary").splitlines()
        assert summary[0].startswith("error: ConnectException: Sftp directory for 'input.path'")
        assert summary[-1] == "root cause: 2: No such file"


async def test_every_notice_is_masked() -> None:
    """A failed edit, offset change or action quotes Connect's answer: a real validation
    error (kafka-connect-jdbc issue 329) names the password in the connection URL."""
    answer = json.loads((FIXTURES / "validate-jdbc-no-driver-password.json").read_text())
    app = make_app(FakeClient(cluster()))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.screen.notify(answer["message"], title="apply failed", severity="error")
        await pilot.pause()
        shown = [str(n.message) for n in app._notifications]
        assert any("password=********" in text for text in shown)
        assert not any("password=pw" in text for text in shown)

"""The DLQ screen and the log view on real samples holding credentials: masked on screen,
``v`` reveals the DLQ error headers on screen only (tests/fixtures/traces/PROVENANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Static

from kctui.dlq.records import HEADER_PREFIX, KafkaRecord
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.dlq_detail import DlqDetail
from kctui.ui.widgets.dlq_table import DlqTable
from kctui.ui.widgets.log_view import LogView
from tests.ui.test_dlq_screen import FakeReader, Host, screen_for, until
from tests.ui.test_log_screen import LogApp, cluster_for

FIXTURES = Path(__file__).parent.parent / "fixtures" / "traces"
JDBC_LOG = (FIXTURES / "log-jdbc-sink-no-driver-password.log").read_text()
JDBC_TRACE = JDBC_LOG.split("\n", 1)[1]
AMPERSAND = json.loads((FIXTURES / "validate-jdbc-password-ampersand.txt").read_text())["message"]


def real_dead_letter(offset: int) -> KafkaRecord:
    headers = (
        (HEADER_PREFIX + "topic", b"orders"),
        (HEADER_PREFIX + "stage", b"TASK_PUT"),
        (
            HEADER_PREFIX + "exception.class.name",
            b"org.apache.kafka.connect.errors.ConnectException",
        ),
        (HEADER_PREFIX + "exception.message", AMPERSAND.encode()),
        (HEADER_PREFIX + "exception.stacktrace", JDBC_TRACE.encode()),
    )
    return KafkaRecord("orders-dlq", 0, offset, 1_700_000_000_000, b"k", b"{}", headers)


def header_cells(detail: DlqDetail) -> str:
    table = detail.query_one("#dlq-headers", DataTable)
    return " ".join(str(table.get_row_at(i)[1]) for i in range(table.row_count))


def shown(detail: DlqDetail) -> str:
    trace = str(detail.query_one("#dlq-trace", Static).visual)
    cause = str(detail.query_one("#dlq-cause", Static).visual)
    return header_cells(detail) + trace + cause


async def test_dlq_error_headers_masked_and_v_reveals() -> None:
    reader = FakeReader(count=3)
    reader.records = [real_dead_letter(i) for i in range(3)]
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(160, 50)) as pilot:
        table = screen.query_one(DlqTable)
        await until(pilot, lambda: table.row_count == 3, "the dead letters")
        detail = screen.query_one(DlqDetail)
        await until(pilot, lambda: "No suitable driver" in shown(detail), "the detail")
        assert "password=demo" not in shown(detail) and "OQ^o2" not in shown(detail)
        assert "password=********" in shown(detail)
        table.focus()
        await pilot.press("v")
        await until(pilot, lambda: "password=demo" in shown(detail), "revealed headers")
        assert "OQ^o2" in header_cells(detail)
        await pilot.press("v")
        await until(pilot, lambda: "password=demo" not in shown(detail), "masked again")


async def test_log_view_masks_credentials_in_lines_and_traces(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text(
        "[2024-01-16 15:44:33,911] ERROR WorkerSinkTask{id=jdbc-sink-0} Task threw an uncaught "
        "and unrecoverable exception (org.apache.kafka.connect.runtime.WorkerTask:212)\n"
        + JDBC_TRACE,
        encoding="utf-8",
    )
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(160, 30)) as pilot:
        view = screen.query_one(LogView)
        await until(pilot, lambda: len(view.rows) == 1, "the log record")
        view.cursor = 0
        await until(pilot, lambda: view.record(view.rows[0]) is not None, "the record read")
        folded = view._header_text(view.rows[0]).plain
        assert "lines] error: ConnectException: java.sql.SQLException: No suitable" in folded
        assert "password=demo" not in folded
        view.toggle_fold()
        await until(pilot, lambda: view.is_expanded(view.rows[0]), "the trace")
        lines = [view._trace_text(view.rows[0], i).plain for i in range(7)]
        assert any("password=********" in line for line in lines)
        assert not any("password=demo" in line for line in lines)
        # Drawn by the one trace model's roles, like the connector screen's trace.
        first = view._trace_text(view.rows[0], 0)
        exception = view._trace_style("exception")
        styled = {first.plain[s.start : s.end]: s.style for s in first.spans}
        assert styled["org.apache.kafka.connect.errors.ConnectException"] == exception
        frame = view._trace_text(view.rows[0], 4)
        kafka = {frame.plain[s.start : s.end]: s.style for s in frame.spans}
        assert kafka["org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages"] == (
            view._trace_style("kafka-frame")
        )

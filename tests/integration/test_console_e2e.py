"""End to end: the real console on the sandbox; ``t`` on demo-failing-sink restarts its task
and the screen follows the task through RESTARTING back to FAILED (its directory is missing).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Static

from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.messages import ClusterStateChanged
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.status_bar import StatusBar
from kctui.ui.widgets.task_list import TaskList

pytestmark = pytest.mark.integration
NAME = "demo-failing-sink"


async def until(pilot: Any, condition: Callable[[], bool], what: str, seconds: float = 45) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)


def task_states(message: ClusterStateChanged) -> tuple[str, ...]:
    connector = message.state.connectors.get(NAME)
    return tuple(t.state for t in connector.tasks) if connector else ()


async def test_t_restarts_the_failed_task_and_the_screen_follows_it(
    sandbox_cluster: ClusterConfig,
) -> None:
    seen: list[tuple[str, ...]] = []

    def hook(message: Message) -> None:
        if isinstance(message, ClusterStateChanged):
            seen.append(task_states(message))

    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await until(pilot, lambda: app.state is not None and NAME in app.state.connectors
                    and app.screen.query(ConnectorTable).first().row_count > 0,
                    "the first refresh")  # fmt: skip
        status = str(app.screen.query_one(StatusBar).render())
        assert "Kafka 4." in status and "2 workers" in status
        table = app.screen.query_one(ConnectorTable)
        assert table.names.index(NAME) < table.names.index("demo-sink")  # unhealthy first
        assert table.select(NAME)
        tasks = app.screen.query_one(TaskList)
        await until(pilot, lambda: tasks.connector_name == NAME, "its tasks")
        assert tasks.get_cell("0", "state").plain == "FAILED"
        seen.clear()

        await pilot.press("t")
        # the outcome shows at once as pending; it settles when the state is followed
        await until(pilot, lambda: app.session.outcome_kinds.get(NAME) in ("ok", "failed"),
                    "the restart to settle")  # fmt: skip

        # Connect accepted the restart (RESTARTING on screen), then the task failed again.
        assert ("RESTARTING",) in seen, seen
        assert seen[-1] == ("FAILED",)
        assert seen.index(("RESTARTING",)) < len(seen) - 1
        # The hook sees the last message when it is dispatched; the task list shows it once
        # the screen has handled it (a loaded machine can be a frame behind).
        await until(pilot, lambda: tasks.get_cell("0", "state").plain == "FAILED",
                    "the task list to show FAILED")  # fmt: skip
        reason = str(app.screen.query_one("#reason", Static).render())
        assert f"restart task {NAME}/0" in reason
        outcome = app.session.outcomes[NAME]
        assert "RESTARTING" in outcome and outcome.endswith("[0:FAILED]")
        assert not [n for n in app._notifications if n.severity == "error"]

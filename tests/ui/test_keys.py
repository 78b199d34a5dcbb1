"""Every lifecycle key against the fake client: the calls sent and what the screen shows."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from kctui.connect.errors import Conflict
from kctui.connect.models import ClusterState
from kctui.ui.app import KctuiApp
from kctui.ui.screens.modals import ConfirmScreen, TypedConfirmScreen
from kctui.ui.screens.overview import OverviewScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.task_list import TaskList
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import FakeClient


async def select(pilot: Pilot[Any], name: str) -> None:
    overview = pilot.app.screen
    assert isinstance(overview, OverviewScreen)
    assert overview.query_one(ConnectorTable).select(name)

    def selected() -> bool:
        connector = overview.selected_connector()
        return connector is not None and connector.name == name

    await wait_for(pilot, selected)


def connector_state(app: KctuiApp, name: str) -> str | None:
    """The state of a connector in the app's last refresh (None before the first)."""
    return None if app.state is None else app.state.connectors[name].state


def task_state(app: KctuiApp, task_id: int = 0) -> str:
    tasks = app.screen.query_one(TaskList)
    return tasks.get_cell(str(task_id), "state").plain


async def test_pause_then_resume() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-sink")
        await pilot.press("p")
        await wait_for(pilot, lambda: ("pause", "demo-sink") in client.calls)
        await wait_for(pilot, lambda: connector_state(app, "demo-sink") == "PAUSED")
        # Paused: resume is offered, pause is not.
        assert app.screen.check_action("pause", ()) is False
        assert app.screen.check_action("resume", ()) is True
        await pilot.press("p")
        await pilot.press("r")
        await wait_for(pilot, lambda: ("resume", "demo-sink") in client.calls)
        assert client.calls.count(("pause", "demo-sink")) == 1


async def test_resume_also_starts_a_stopped_connector() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-stopped")
        assert app.screen.check_action("stop", ()) is None  # already stopped: greyed
        await pilot.press("r")
        await wait_for(pilot, lambda: connector_state(app, "demo-stopped") == "RUNNING")
        assert client.calls == [("resume", "demo-stopped")]


async def test_restart_connector_and_failed_tasks_follows_until_settled() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-failing-sink")
        await pilot.press("R")
        await wait_for(
            pilot, lambda: client.calls == [("restart", "demo-failing-sink", True, True)]
        )
        await wait_for(pilot, lambda: task_state(app) == "RESTARTING", what="RESTARTING shown")
        assert "demo-failing-sink" in app.poller.follows
        client.connectors["demo-failing-sink"]["status"]["tasks"][0]["state"] = "RUNNING"
        await wait_for(pilot, lambda: task_state(app) == "RUNNING", timeout=8, what="settled")
        await wait_for(pilot, lambda: "demo-failing-sink" in app.session.outcomes)
        assert "RESTARTING" in app.session.outcomes["demo-failing-sink"]
        assert "RUNNING [0:RUNNING]" in app.session.outcomes["demo-failing-sink"]
        assert "last action" in str(app.screen.query_one("#reason", Static).render())


class HeldRefresh(FakeClient):
    """A cluster whose status answers wait while ``hold`` is clear."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = asyncio.Event()
        self.hold.set()

    async def cluster_state(self) -> ClusterState:
        await self.hold.wait()
        return await super().cluster_state()


async def test_restarting_comes_from_the_restart_answer_before_any_refresh() -> None:
    """Connect answers a restart with tasks 202 and the status it set: the table shows
    that answer (RESTARTING) at once, while no status refresh has answered."""
    client = HeldRefresh()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-failing-sink")
        assert task_state(app) == "FAILED"
        client.hold.clear()
        answered = client.state_requests
        await pilot.press("R")
        await wait_for(pilot, lambda: task_state(app) == "RESTARTING", what="the 202 overlay")
        assert client.state_requests == answered  # no refresh answered: it is the overlay
        client.hold.set()
        await wait_for(pilot, lambda: client.state_requests > answered, what="a refresh")


async def test_restart_task_shows_restarting_then_failed_again() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-failing-sink")
        await pilot.press("t")
        await wait_for(pilot, lambda: client.calls == [("restart_task", "demo-failing-sink", 0)])
        await wait_for(pilot, lambda: task_state(app) == "RESTARTING")
        # The task fails again (the directory is still missing).
        entry = client.connectors["demo-failing-sink"]["status"]["tasks"][0]
        entry["state"], entry["trace"] = "FAILED", "java.io.IOException: still missing"
        await wait_for(pilot, lambda: task_state(app) == "FAILED", timeout=8)
        await wait_for(pilot, lambda: "demo-failing-sink" in app.session.outcomes, timeout=8)
        assert app.session.outcomes["demo-failing-sink"].endswith("RUNNING [0:FAILED]")


async def test_stop_asks_first() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-sink")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert client.calls == []
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: client.calls == [("stop", "demo-sink")])
        await wait_for(pilot, lambda: connector_state(app, "demo-sink") == "STOPPED")


async def test_delete_needs_the_typed_name() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-paused")
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
        await pilot.press(*"demo-pause", "enter")
        assert isinstance(app.screen, TypedConfirmScreen)
        assert "is not" in str(app.screen.query_one("#typed-error", Static).render())
        assert client.calls == []
        app.screen.query_one(Input).value = ""
        await pilot.press(*"demo-paused", "enter")
        await wait_for(pilot, lambda: client.calls == [("delete", "demo-paused")])
        grid = app.screen.query_one(ConnectorTable)
        await wait_for(pilot, lambda: "demo-paused" not in grid.names, what="row removed")


async def test_delete_cancelled_with_escape() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, TypedConfirmScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, TypedConfirmScreen))
        assert client.calls == []


async def test_restart_every_failed_task_lists_them() -> None:
    client = FakeClient()
    client.connectors["demo-sink"]["status"]["tasks"][1]["state"] = "FAILED"
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        question = str(app.screen.query_one("#question", Static).render())
        assert "demo-failing-sink task 0" in question and "demo-sink task 1" in question
        await pilot.press("y")
        await wait_for(pilot, lambda: len(client.calls) == 2)
        assert sorted(client.calls) == [
            ("restart_task", "demo-failing-sink", 0),
            ("restart_task", "demo-sink", 1),
        ]


async def test_client_error_becomes_a_notice() -> None:
    client = FakeClient()
    client.fail_next = Conflict("Cannot complete request: rebalancing", status=409)
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-sink")
        await pilot.press("p")
        await wait_for(pilot, lambda: any("rebalancing" in n.message for n in app._notifications))
        assert app.is_running
        notice = next(n for n in app._notifications if "rebalancing" in n.message)
        assert notice.severity == "error"


async def test_task_key_disabled_without_a_task() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await select(pilot, "demo-stopped")  # a stopped connector has no tasks
        assert app.screen.check_action("restart_task", ()) is None
        await pilot.press("t")
        assert client.calls == []

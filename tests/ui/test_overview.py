"""Overview: ordering, status bar, filter, in-place updates, unreachable banner, odd JSON."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input, Static

from kctui.connect.errors import RebalanceInProgress
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.status_bar import StatusBar
from kctui.ui.widgets.task_list import TaskList
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import W1, W2, FakeClient, connector_json, demo_cluster


def table(app: App[Any]) -> ConnectorTable:
    return app.screen.query_one(ConnectorTable)


async def test_unhealthy_first_and_status_counters() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        names = table(app).names
        assert names[0] == "demo-failing-sink"
        assert names.index("demo-paused") < names.index("demo-sink")
        status = str(app.screen.query_one(StatusBar).render())
        assert "test-cluster" in status and "Kafka 4.1.0" in status and "2 workers" in status
        assert "1 unhealthy" in status and "4 healthy" in status and "1 failed" in status
        assert "READ-ONLY" not in status
        # The task list shows the selected (first) connector's failed task and its trace.
        task = app.screen.query_one(TaskList).selected_task
        assert task is not None and task.state == "FAILED" and task.connector == "demo-failing-sink"


async def test_wide_terminal_adds_columns() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        keys = [str(key.value) for key in table(app).columns]
        assert {"class", "reason"} <= set(keys)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        keys = [str(key.value) for key in table(app).columns]
        assert "reason" not in keys and "health" in keys


async def test_filter_substring_regex_worker_and_clear() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"smt")
        await wait_for(pilot, lambda: table(app).names == ["demo-smt-source"], what="substring")
        app.screen.query_one("#filter", Input).value = "^demo-(sink|source)$"
        await wait_for(pilot, lambda: sorted(table(app).names) == ["demo-sink", "demo-source"])
        app.screen.query_one("#filter", Input).value = "paused"  # by state
        await wait_for(pilot, lambda: table(app).names == ["demo-paused"], what="state")
        app.screen.query_one("#filter", Input).value = "FileStreamSource"  # by class
        await wait_for(pilot, lambda: "demo-source" in table(app).names)
        assert "demo-sink" not in table(app).names
        app.screen.query_one("#filter", Input).value = "demo-["  # not a regex: substring
        await wait_for(pilot, lambda: table(app).names == [])
        assert "not a regex" in str(app.screen.query_one("#reason", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(table(app).names) == 7, what="filter cleared")
        assert not app.screen.query_one("#filter", Input).display


async def test_filter_by_worker() -> None:
    cluster = demo_cluster()
    cluster["only-w1"] = connector_json("only-w1", "source", "RUNNING", [("RUNNING", W1)])
    cluster["demo-failing-sink"]["status"]["connector"]["worker_id"] = W2
    app = make_app(FakeClient(cluster))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("slash", *"29084", "enter")
        await wait_for(pilot, lambda: "only-w1" not in table(app).names)
        assert "demo-failing-sink" in table(app).names
        assert app.focused is table(app)


async def test_rows_update_in_place_keeping_selection_and_scroll() -> None:
    cluster = {
        f"conn-{i:03d}": connector_json(f"conn-{i:03d}", "sink", "RUNNING", [("RUNNING", W1)])
        for i in range(80)
    }
    client = FakeClient(cluster)
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        grid = table(app)
        grid.select("conn-050")
        grid.scroll_to(y=45, animate=False, immediate=True)  # the selection mid-screen
        await pilot.pause()
        scroll_before = grid.scroll_y
        assert scroll_before == 45
        # Nothing changed: a refresh touches no cell.
        app.poller.refresh_now()
        await wait_for(pilot, lambda: client.state_requests == 2)
        await pilot.pause()
        assert grid.cells_updated == 0
        # One task fails elsewhere: its row moves to the top, the selection stays on conn-050.
        client.connectors["conn-070"]["status"]["tasks"][0]["state"] = "FAILED"
        app.poller.refresh_now()
        await wait_for(pilot, lambda: grid.names[0] == "conn-070", what="reorder")
        assert grid.selected_name == "conn-050"
        assert 0 < grid.cells_updated <= 4
        assert grid.row_count == 80
        assert grid.scroll_y == scroll_before


async def test_unreachable_at_start_then_recovers_by_itself() -> None:
    client = FakeClient()
    client.unreachable = True
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        app.poller.backoff_first = 0.1
        banner = app.screen.query_one("#banner", Static)
        await wait_for(pilot, lambda: banner.display, what="banner")
        assert "Cluster unreachable" in str(banner.render())
        assert "connection refused" in str(banner.render())
        client.unreachable = False
        await wait_for(pilot, lambda: not banner.display, timeout=10, what="recovery")
        await ready(pilot)
        assert app.session.server_info is not None


async def test_rebalance_during_refresh_keeps_the_rows_and_says_so() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        client.refresh_error = RebalanceInProgress("Connect is rebalancing (409 for 15 s)")
        await pilot.press("ctrl+r")
        banner = app.screen.query_one("#banner", Static)
        await wait_for(pilot, lambda: banner.display, what="banner")
        text = str(banner.render())
        assert text.startswith("Cluster rebalancing") and "Showing the state of" in text
        assert len(table(app).names) == 7
        client.refresh_error = None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not banner.display, what="banner gone")


async def test_worker_killed_tasks_unassigned_then_moved() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        for entry in client.connectors.values():
            for task in entry["status"]["tasks"]:
                if task["worker_id"] == W2:
                    task["state"], task["worker_id"] = "UNASSIGNED", ""
        app.poller.refresh_now()
        await wait_for(
            pilot, lambda: "3 unassigned" in str(app.screen.query_one(StatusBar).render())
        )
        assert app.state is not None and app.state.workers == (W1,)
        assert any(W2 in n.message for n in app._notifications), "the console says so"
        for entry in client.connectors.values():
            for task in entry["status"]["tasks"]:
                if task["state"] == "UNASSIGNED":
                    task["state"], task["worker_id"] = "RUNNING", W1
        app.poller.refresh_now()
        await wait_for(
            pilot, lambda: "unassigned" not in str(app.screen.query_one(StatusBar).render())
        )


async def test_odd_json_never_crashes() -> None:
    cluster = demo_cluster()
    cluster["no-status"] = {"info": {"config": None}}
    cluster["garbage"] = "not an object"
    cluster["weird-state"] = {
        "status": {"connector": {"state": "HIBERNATING"}, "tasks": [{"id": "x"}, 7], "extra": 1},
        "info": {"config": {"connector.class": 5}, "tasks": "nope"},
    }
    app = make_app(FakeClient(cluster))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert {"no-status", "garbage", "weird-state"} <= set(table(app).names)
        table(app).select("weird-state")
        await pilot.press("enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConnectorScreen")
        await pilot.press("2")
        await pilot.pause()
        assert app.is_running

"""The console tells the truth promptly: retries during a rebalance show at once, the last
action's outcome stays on the row and detail, and wide terminals give names the room."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.widgets import Static
from textual.widgets.data_table import ColumnKey

from kctui.connect.errors import RebalanceInProgress
from kctui.connect.retries import RetryNotice, report_retry
from kctui.ui.widgets.connector_table import ConnectorTable
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import W1, W2, FakeClient, connector_json, demo_cluster


class RebalancingClient(FakeClient):
    """``pause`` meets a rebalance: the real client's retry loop reports each retry, and
    the request waits until the test lets it finish (or fail)."""

    def __init__(self, *, give_up: bool = False) -> None:
        super().__init__()
        self.release = asyncio.Event()
        self.give_up = give_up

    async def pause(self, name: str) -> None:
        for attempt in (2, 3):
            report_retry(RetryNotice(attempt, 10, "cluster rebalancing", "PUT", f"/{name}", 1.0))
        await self.release.wait()
        if self.give_up:
            raise RebalanceInProgress(
                "cluster is rebalancing: PUT /connectors/demo-sink/pause still answered 409 "
                "after 10 attempts",
                status=409,
            )
        await super().pause(name)


def reason_line(app: App[Any]) -> str:
    return str(app.screen.query_one("#reason", Static).visual)


def row_text(table: ConnectorTable, name: str) -> str:
    return " ".join(cell.plain for cell in table.get_row(name))


async def test_retry_shows_at_once_and_outcome_stays_until_next_action() -> None:
    client = RebalancingClient()
    app = make_app(client)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        table = app.screen.query_one(ConnectorTable)
        table.select("demo-sink")
        await pilot.press("p")
        # Before the request ends: the row, the detail line and a notice say it.
        await wait_for(pilot, lambda: "retrying (3/10)" in row_text(table, "demo-sink"))
        assert "pause demo-sink: retrying (3/10): cluster rebalancing" in reason_line(app)
        assert "⟳" in row_text(table, "demo-sink")
        assert any("retrying (2/10)" in str(n.message) for n in app._notifications)
        client.release.set()
        await wait_for(pilot, lambda: "✓" in row_text(table, "demo-sink"), timeout=10)
        settled = row_text(table, "demo-sink")
        assert "pause demo-sink at" in settled and "PAUSED" in settled
        # It stays there through later refreshes, until the next action.
        before = client.state_requests
        app.poller.refresh_now()
        await wait_for(pilot, lambda: client.state_requests > before)
        await pilot.pause()
        assert "pause demo-sink at" in row_text(table, "demo-sink")
        assert "pause demo-sink at" in reason_line(app)
        await pilot.press("r")
        await wait_for(pilot, lambda: "resume demo-sink" in row_text(table, "demo-sink"))


async def test_a_failed_action_stays_on_the_row() -> None:
    client = RebalancingClient(give_up=True)
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        table = app.screen.query_one(ConnectorTable)
        table.select("demo-sink")
        await pilot.press("p")
        await wait_for(pilot, lambda: "⟳" in row_text(table, "demo-sink"))
        client.release.set()
        await wait_for(pilot, lambda: "✗" in row_text(table, "demo-sink"))
        assert "pause demo-sink failed: cluster is rebalancing" in reason_line(app)


LONG = "jdbc-sink-orders-postgres-prod-eu-west-1"  # 40 characters


# terminal width -> (name, workers) column widths: the name takes what the reason can give
# (down to 12), then what workers has beyond 22, before workers keeps its 33.
WIDTHS = {150: (35, 22), 160: (40, 27), 200: (40, 33)}


async def test_wide_terminal_gives_names_the_room_first() -> None:
    cluster = demo_cluster()
    cluster[LONG] = connector_json(LONG, "sink", "RUNNING", [("RUNNING", W1), ("RUNNING", W2)])
    for width, (name_width, workers_width) in WIDTHS.items():
        app = make_app(FakeClient(cluster))
        async with app.run_test(size=(width, 48)) as pilot:
            await ready(pilot)
            table = app.screen.query_one(ConnectorTable)

            def name_fits(t: ConnectorTable = table, w: int = name_width) -> bool:
                return t.columns[ColumnKey("name")].width == w

            await wait_for(pilot, name_fits)
            assert table.columns[ColumnKey("workers")].width == workers_width
            assert table.columns[ColumnKey("reason")].width >= 12
            fitted = sum(c.get_render_width(table) for c in table.columns.values())
            assert fitted <= width


async def test_real_client_retries_reach_the_row_while_the_request_waits() -> None:
    """The real ConnectClient (MockTransport answering 409 three times) drives the row."""
    import httpx

    from kctui.connect.client import ConnectClient
    from tests.ui.conftest import cluster_config
    from tests.unit.test_connect_client import REBALANCE

    cluster = demo_cluster()
    pauses = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/":
            return httpx.Response(200, json={"version": "4.1.0", "commit": "abc"})
        if request.method == "GET" and request.url.path == "/connectors":
            return httpx.Response(200, json=cluster)
        if request.method == "PUT" and request.url.path == "/connectors/demo-sink/pause":
            pauses["n"] += 1
            if pauses["n"] <= 3:
                return httpx.Response(409, json={"error_code": 409, "message": REBALANCE})
            cluster["demo-sink"]["status"]["connector"]["state"] = "PAUSED"
            return httpx.Response(202)
        return httpx.Response(404, json={"error_code": 404, "message": "not here"})

    client = ConnectClient(
        cluster_config(),
        transport=httpx.MockTransport(handler),
        retry_total_seconds=15.0,
        retry_base_delay=1.5,  # each retry shows for 1.5 s: time enough on a loaded machine
        retry_max_delay=1.5,
    )
    app = make_app(client)
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        table = app.screen.query_one(ConnectorTable)
        table.select("demo-sink")
        await pilot.press("p")
        await wait_for(
            pilot,
            lambda: f"retrying (2/{client.planned_attempts})" in row_text(table, "demo-sink"),
            timeout=10,
            what="the first retry on the row",
        )
        assert pauses["n"] <= 2  # shown while the client still waits between attempts
        await wait_for(
            pilot, lambda: f"retrying (4/{client.planned_attempts})" in reason_line(app), timeout=15
        )
        await wait_for(
            pilot,
            lambda: pauses["n"] == 4 and "⟳" not in row_text(table, "demo-sink"),
            timeout=15,
        )
    await client.aclose()


async def test_other_requests_say_they_retry_too() -> None:
    """A mutating request outside a lifecycle action (an edit, offsets, log levels) has no
    listener of its own: the console's fallback says it retries, at once."""
    import httpx

    from kctui.connect.client import ConnectClient
    from tests.ui.conftest import cluster_config
    from tests.unit.test_connect_client import REBALANCE

    cluster = demo_cluster()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.path == "/":
            return httpx.Response(200, json={"version": "4.1.0", "commit": "abc"})
        if request.method == "GET" and request.url.path == "/connectors":
            return httpx.Response(200, json=cluster)
        return httpx.Response(409, json={"error_code": 409, "message": REBALANCE})

    client = ConnectClient(
        cluster_config(),
        transport=httpx.MockTransport(handler),
        retry_total_seconds=3.0,
        retry_base_delay=1.0,
        retry_max_delay=1.0,
    )
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.run_worker(client.put_config("demo-sink", {"x": "y"}), exit_on_error=False)

        def notices() -> list[str]:
            return [str(n.message) for n in app._notifications]

        await wait_for(pilot, lambda: any("retrying (2/" in text for text in notices()))
        assert "PUT /connectors/demo-sink/config: retrying (2/" in " ".join(notices())
    await client.aclose()

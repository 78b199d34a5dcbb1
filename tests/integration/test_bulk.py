"""``kctui pause|resume --match REGEX`` on the sandbox: a filtered set of our own connectors
round-trips (RUNNING -> PAUSED -> RUNNING); the ones outside the regex are untouched, and
``--dry-run`` sends nothing."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kctui.cli import main
from kctui.connect.client import ConnectClient
from kctui.connect.errors import NotFound
from kctui.connect.models import ClusterState
from kctui.settings import ClusterConfig
from tests import polling

pytestmark = pytest.mark.integration

PREFIX = "test-bulk-"
TEAM = [PREFIX + "team-a-1", PREFIX + "team-a-2"]
OTHER = PREFIX + "team-b-1"


@pytest.fixture
async def client(sandbox_cluster: ClusterConfig) -> AsyncIterator[ConnectClient]:
    async with ConnectClient(sandbox_cluster) as connect:
        yield connect
        state = await connect.cluster_state()
        for name in state.connectors:
            if name.startswith(PREFIX):
                await connect.delete(name)


async def run_cli(*argv: str) -> tuple[int, list[dict]]:
    out = io.StringIO()

    def call() -> int:
        with contextlib.redirect_stdout(out):
            return main(list(argv))

    code = await asyncio.to_thread(call)
    return code, [json.loads(line) for line in out.getvalue().splitlines()]


async def states(client: ConnectClient, names: list[str], wanted: str) -> ClusterState:
    def done(state: ClusterState) -> bool:
        return all(
            n in state.connectors
            and state.connectors[n].state == wanted
            and all(t.state == wanted for t in state.connectors[n].tasks)
            and state.connectors[n].tasks
            for n in names
        )

    return await polling.poll(
        f"{names} {wanted}", client.cluster_state, done, timeout=90, tolerate=(NotFound,)
    )


async def test_pause_resume_a_filtered_set_round_trips(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    for name in [*TEAM, OTHER]:
        await client.put_config(
            name,
            {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "demo-lines",
             "file": str(tmp_path / f"{name}.txt")},
        )  # fmt: skip
    await states(client, [*TEAM, OTHER], "RUNNING")
    url = ["--url", ",".join(sandbox_cluster.urls), "--config", str(tmp_path / "absent.toml")]
    regex = f"^{PREFIX}team-a-"

    code, lines = await run_cli("pause", "--match", regex, "--dry-run", "--json", *url)
    assert code == 0 and [x["connector"] for x in lines] == TEAM
    assert lines[0]["requests"] == [f"PUT /connectors/{TEAM[0]}/pause"]
    assert (await client.connector_status(TEAM[0])).state == "RUNNING"  # dry run sent nothing

    code, lines = await run_cli("pause", "--match", regex, "--json", *url)
    assert code == 0 and all(x["ok"] and x["skipped"] is None for x in lines)
    state = await states(client, TEAM, "PAUSED")
    assert state.connectors[OTHER].state == "RUNNING"

    code, lines = await run_cli("pause", "--match", regex, "--json", *url)
    assert [x["skipped"] for x in lines] == ["already PAUSED", "already PAUSED"]

    code, lines = await run_cli("resume", "--match", regex, "--json", *url)
    assert code == 0 and [x["result"] for x in lines] == ["resume requested"] * 2
    await states(client, TEAM, "RUNNING")

    code, lines = await run_cli("resume", "--match", "^no-such-connector$", "--json", *url)
    assert code == 1 and lines == []


async def test_console_bulk_pause_resume_of_the_filter(
    client: ConnectClient, sandbox_cluster: ClusterConfig, tmp_path: Path
) -> None:
    """The real console on the sandbox: filter, B, pause, enter; then B, resume, enter."""
    from textual.widgets import OptionList

    from kctui.ui.app import KctuiApp
    from kctui.ui.screens.bulk import BulkChooseScreen, BulkScreen
    from kctui.ui.widgets.connector_table import ConnectorTable

    for name in TEAM:
        await client.put_config(
            name,
            {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "demo-lines",
             "file": str(tmp_path / f"{name}.txt")},
        )  # fmt: skip
    await states(client, TEAM, "RUNNING")

    async def until(pilot: Any, condition: Any, what: str) -> None:
        deadline = time.monotonic() + 60
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            await pilot.pause(0.05)

    async def bulk(pilot: Any, action: str) -> None:
        await pilot.press("B")
        await until(pilot, lambda: isinstance(app.screen, BulkChooseScreen), "chooser")
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        options.highlighted = ids.index(action)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, BulkScreen), "preview")
        screen = app.screen
        assert isinstance(screen, BulkScreen)
        assert [i.connector for i in screen.to_send] == TEAM
        await pilot.press("enter")
        await until(pilot, lambda: screen.finished, "results")
        assert all(r.ok for r in screen.results.values())
        await pilot.press("escape")

    def connector_states() -> set[str]:
        state = app.state
        if state is None:
            return set()
        return {state.connectors[n].state for n in TEAM if n in state.connectors}

    app = KctuiApp(sandbox_cluster)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: app.screen.query(ConnectorTable).first().row_count > 0,
                    "first refresh")  # fmt: skip
        await pilot.press("slash", *f"{PREFIX}team-a", "enter")
        await until(pilot, lambda: app.screen.query_one(ConnectorTable).names == TEAM, "filter")
        await bulk(pilot, "pause")
        await until(pilot, lambda: connector_states() == {"PAUSED"}, "both PAUSED")
        await bulk(pilot, "resume")
        await until(pilot, lambda: connector_states() == {"RUNNING"}, "both RUNNING")
    await states(client, TEAM, "RUNNING")

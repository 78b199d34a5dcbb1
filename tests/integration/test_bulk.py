"""``kctui pause|resume --match REGEX`` on the sandbox: a filtered set of our own connectors
round-trips (RUNNING -> PAUSED -> RUNNING); the ones outside the regex are untouched, and
``--dry-run`` sends nothing."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kctui.cli import main
from kctui.config import ClusterConfig
from kctui.connect.client import ConnectClient
from kctui.connect.errors import NotFound
from kctui.connect.models import ClusterState
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

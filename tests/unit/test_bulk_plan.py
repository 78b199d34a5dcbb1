"""Bulk plans: the exact request per connector, or why it is skipped (table-driven)."""

from __future__ import annotations

import pytest

from kctui.connect.models import ClusterState, ServerInfo
from kctui.errors import KctuiError
from kctui.operate.bulk import match_connectors, plan, run_plan
from tests.unit.partial_client import PartialClient


def state() -> ClusterState:
    def entry(state: str, tasks: list[str]) -> dict:
        return {
            "status": {
                "connector": {"state": state},
                "tasks": [{"id": i, "state": s} for i, s in enumerate(tasks)],
            }
        }

    return ClusterState.from_json(
        {
            "run": entry("RUNNING", ["RUNNING"]),
            "paused": entry("PAUSED", ["PAUSED"]),
            "stopped": entry("STOPPED", []),
            "tasks-failed": entry("RUNNING", ["FAILED", "RUNNING", "FAILED"]),
            "all/failed": entry("FAILED", ["FAILED"]),
        }
    )


ONLY_FAILED = "/restart?includeTasks=true&onlyFailed=true"
NEW = ServerInfo.from_json({"version": "3.9.1"})
OLD = ServerInfo.from_json({"version": "2.8.2"})


@pytest.mark.parametrize(
    ("action", "name", "server", "requests", "skip"),
    [
        ("pause", "run", NEW, ["PUT /connectors/run/pause"], None),
        ("pause", "paused", NEW, ["PUT /connectors/paused/pause"], "already PAUSED"),
        ("resume", "run", NEW, ["PUT /connectors/run/resume"], "RUNNING: nothing to resume"),
        ("resume", "stopped", NEW, ["PUT /connectors/stopped/resume"], None),
        ("stop", "run", NEW, ["PUT /connectors/run/stop"], None),
        ("stop", "stopped", NEW, ["PUT /connectors/stopped/stop"], "already STOPPED"),
        (
            "stop",
            "run",
            OLD,
            ["PUT /connectors/run/stop"],
            "stop needs Kafka 3.5+ (cluster runs 2.8.2)",
        ),
        ("restart", "run", NEW, ["POST /connectors/run" + ONLY_FAILED], "nothing FAILED"),
        ("restart", "tasks-failed", NEW, ["POST /connectors/tasks-failed" + ONLY_FAILED], None),
        (
            "restart",
            "tasks-failed",
            OLD,
            [
                "POST /connectors/tasks-failed/tasks/0/restart",
                "POST /connectors/tasks-failed/tasks/2/restart",
            ],
            None,
        ),
        (
            "restart",
            "all/failed",
            OLD,
            [
                "POST /connectors/all%2Ffailed/restart",
                "POST /connectors/all%2Ffailed/tasks/0/restart",
            ],
            None,
        ),
        ("delete", "paused", NEW, ["DELETE /connectors/paused"], None),
    ],
)
def test_plan(
    action: str, name: str, server: ServerInfo, requests: list[str], skip: str | None
) -> None:
    [item] = plan(action, [state().connectors[name]], read_only=False, server=server)
    assert (list(item.requests), item.skip) == (requests, skip)


def test_read_only_skips_all_and_says_why() -> None:
    items = plan("pause", state().connectors.values(), read_only=True, server=NEW)
    assert {i.connector: i.skip for i in items}["paused"] == "read-only; already PAUSED"
    assert all(i.skip and i.skip.startswith("read-only") for i in items)


def test_match_connectors() -> None:
    assert [c.name for c in match_connectors(state(), "failed")] == ["all/failed", "tasks-failed"]
    with pytest.raises(KctuiError, match="invalid regular expression"):
        match_connectors(state(), "(")


async def test_run_plan_reports_failures_and_goes_on() -> None:
    from kctui.connect.errors import Conflict

    class Client(PartialClient):
        calls: list[tuple[str, str]] = []

        async def pause(self, name: str) -> None:
            self.calls.append(("pause", name))
            if name == "run":
                raise Conflict("rebalancing", status=409)

    connectors = [state().connectors[n] for n in ("paused", "run", "tasks-failed")]
    client = Client()
    items = plan("pause", connectors, read_only=False, server=NEW)
    results = [r async for r in run_plan(client, items)]
    assert [(r.item.connector, r.ok, r.message) for r in results] == [
        ("paused", True, "skipped: already PAUSED"),
        ("run", False, "rebalancing"),
        ("tasks-failed", True, "pause requested"),
    ]
    assert client.calls == [("pause", "run"), ("pause", "tasks-failed")]

"""Bulk lifecycle actions on a selection of connectors (pure plan, then one request each).

``plan`` says, for every connector, the exact request that will be sent or why it is
skipped (the state makes no sense for the action, read-only mode, an old Kafka);
``run_plan`` sends them one by one through the client's mutation door and yields each
result, so a failure is reported and the rest go on.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from urllib.parse import quote

from kctui.connect.models import (
    FAILED,
    PAUSED,
    STOPPED,
    ClusterState,
    Connector,
    ServerInfo,
)
from kctui.connect.protocol import ConnectApi
from kctui.errors import KctuiError

ACTIONS = ("pause", "resume", "stop", "restart", "delete")
ACTION_LABELS = {
    "pause": "Pause",
    "resume": "Resume",
    "stop": "Stop",
    "restart": "Restart failed",
    "delete": "Delete",
}


@dataclass(frozen=True)
class BulkItem:
    """One connector of a bulk action: the requests to send, or why it is skipped."""

    connector: str
    action: str
    requests: tuple[str, ...]
    skip: str | None = None

    @property
    def request_text(self) -> str:
        return "; ".join(self.requests) if self.requests else "-"


@dataclass(frozen=True)
class BulkResult:
    item: BulkItem
    ok: bool
    message: str


def match_connectors(state: ClusterState, pattern: str) -> list[Connector]:
    """Connectors whose name the regex finds (``re.search``), sorted by name."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise KctuiError(f"--match: invalid regular expression {pattern!r}: {exc}") from exc
    return [state.connectors[n] for n in sorted(state.connectors) if regex.search(n)]


def _path(name: str) -> str:
    return f"/connectors/{quote(name, safe='')}"


def failed_units(connector: Connector) -> list[int | None]:
    """What failed: None for the connector itself, then the FAILED task ids."""
    units: list[int | None] = [None] if connector.state == FAILED else []
    return units + list(connector.failed_task_ids)


def restart_request(name: str, only_failed_supported: bool, units: list[int | None]) -> list[str]:
    """The exact requests restarting ``name``'s failed ``units`` sends: one KIP-745 request
    on 3.0+, else the connector's restart and one per task."""
    base = _path(name)
    if only_failed_supported:
        return [f"POST {base}/restart?includeTasks=true&onlyFailed=true"]
    return [
        f"POST {base}/restart" if unit is None else f"POST {base}/tasks/{unit}/restart"
        for unit in units
    ]


def _plan_one(
    action: str, connector: Connector, server: ServerInfo | None
) -> tuple[tuple[str, ...], str | None]:
    base, state = _path(connector.name), connector.state
    if action == "pause":
        return (f"PUT {base}/pause",), f"already {state}" if state == PAUSED else None
    if action == "resume":
        skip = None if state in (PAUSED, STOPPED) else f"{state}: nothing to resume"
        return (f"PUT {base}/resume",), skip
    if action == "stop":
        if server is not None and not server.supports_stop:
            return (f"PUT {base}/stop",), f"stop needs Kafka 3.5+ (cluster runs {server.version})"
        return (f"PUT {base}/stop",), "already STOPPED" if state == STOPPED else None
    if action == "restart":
        units = failed_units(connector)
        kip745 = server is None or server.version.at_least(3, 0)
        skip = None if units else "nothing FAILED"
        return tuple(restart_request(connector.name, kip745, units)), skip
    if action == "delete":
        return (f"DELETE {base}",), None
    raise KctuiError(f"unknown bulk action {action!r} (expected one of {', '.join(ACTIONS)})")


def plan(
    action: str,
    connectors: Iterable[Connector],
    *,
    read_only: bool,
    server: ServerInfo | None,
) -> list[BulkItem]:
    """Every connector with its requests and skip reason (read-only skips them all)."""
    items = []
    for connector in connectors:
        requests, skip = _plan_one(action, connector, server)
        if read_only:
            skip = "read-only" + (f"; {skip}" if skip else "")
        items.append(BulkItem(connector.name, action, requests, skip))
    return items


async def _send(client: ConnectApi, item: BulkItem) -> str:
    name = item.connector
    if item.action == "pause":
        await client.pause(name)
        return "pause requested"
    if item.action == "resume":
        await client.resume(name)
        return "resume requested"
    if item.action == "stop":
        await client.stop(name)
        return "stop requested"
    if item.action == "delete":
        await client.delete(name)
        return "deleted"
    if item.requests and "onlyFailed=true" in item.requests[0]:
        status = await client.restart(name, include_tasks=True, only_failed=True)
        return "restart accepted" + (f": {status.state}" if status is not None else "")
    for request in item.requests:
        match = re.search(r"/tasks/(\d+)/restart$", request)
        if match:
            await client.restart_task(name, int(match.group(1)))
        else:
            await client.restart(name)
    return f"{len(item.requests)} restart(s) sent"


async def run_plan(client: ConnectApi, items: Iterable[BulkItem]) -> AsyncIterator[BulkResult]:
    """Send each item that is not skipped, in order; a failure does not stop the rest."""
    for item in items:
        if item.skip is not None:
            yield BulkResult(item, True, f"skipped: {item.skip}")
            continue
        try:
            message = await _send(client, item)
        except KctuiError as exc:
            yield BulkResult(item, False, str(exc))
            continue
        yield BulkResult(item, True, message)

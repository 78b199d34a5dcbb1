"""One pass of ``kctui watch``: poll (ONE request), diff, apply the restart policy, alert.

The watcher keeps the previous cluster state in memory and the restart bookkeeping on
disk (``restart_state.RestartStore``), so ``--once`` from cron and a long-running watch
share the same backoff and history. Every restart goes through the Connect client's
mutation door: in read-only mode the watcher only reports what it would do.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from kctui.connect.models import ClusterState, Connector, ConnectorStatus
from kctui.connect.protocol import ConnectApi
from kctui.diagnose.model import Rule
from kctui.errors import KctuiError
from kctui.operate.alerts import AlertSender
from kctui.operate.bulk import failed_units, restart_request
from kctui.operate.restart_history import RestartHistory, RestartRecord
from kctui.operate.restart_state import (
    CANNOT_FIX,
    GIVE_UP,
    HEALTHY,
    RESTART,
    WAIT,
    ConnectorRestarts,
    RestartStore,
    decide,
    failure_trace,
    is_failed,
)
from kctui.operate.watch import (
    BACKOFF,
    GAVE_UP,
    NOT_RESTARTED,
    RESTART_FAILED,
    RESTARTED,
    WOULD_RESTART,
    WatchEvent,
    diff_states,
    masked_first_line,
)
from kctui.settings import RestartPolicy


@dataclass(frozen=True)
class PollResult:
    state: ClusterState
    events: tuple[WatchEvent, ...]
    alert_problems: tuple[str, ...] = ()


def unit_state(status: ConnectorStatus | None, unit: int | None) -> str:
    if status is None:
        return "unknown"
    if unit is None:
        return status.state
    for task in status.tasks:
        if task.id == unit:
            return task.state
    return "unknown"


class Watcher:
    """Polls one cluster; ``poll()`` is one pass (what ``--once`` runs)."""

    def __init__(
        self,
        client: ConnectApi,
        *,
        cluster: str,
        policy: RestartPolicy | None,
        store: RestartStore,
        history: RestartHistory,
        alerts: AlertSender | None = None,
        clock: Callable[[], float] = time.time,
        rules: Sequence[Rule] | None = None,
    ) -> None:
        self.client = client
        self.cluster = cluster
        self.policy = policy  # None: no auto-restart, events only
        self.store = store
        self.history = history
        self.alerts = alerts
        self.clock = clock
        self.rules = rules  # the diagnosis rules: what a restart cannot fix
        self.previous: ClusterState | None = None
        self._reported: set[tuple[str, str]] = set()  # (connector, kind) once per failure

    async def poll(self) -> PollResult:
        state = await self.client.cluster_state()
        now = self.clock()
        events = diff_states(self.previous, state, cluster=self.cluster, now=now)
        if self.policy is not None:
            events += await self._apply_policy(state, now)
        self.previous = state
        problems: list[str] = []
        if self.alerts is not None:
            for event in events:
                problems += await self.alerts.send(event)
        return PollResult(state, tuple(events), tuple(problems))

    # ------------------------------------------------------------------ policy

    async def _apply_policy(self, state: ClusterState, now: float) -> list[WatchEvent]:
        if self.client.read_only:
            return await self._decide_all(state, self.store.load(), now)
        with self.store.lock():  # another watch on this host waits, then sees our restarts
            records = self.store.load()
            before = dict(records)
            events = await self._decide_all(state, records, now)
            if records != before:
                self.store.save(records)
        return events

    async def _decide_all(
        self, state: ClusterState, records: dict[str, ConnectorRestarts], now: float
    ) -> list[WatchEvent]:
        assert self.policy is not None
        events: list[WatchEvent] = []
        for gone in [name for name in records if name not in state.connectors]:
            del records[gone]  # deleted: a connector created later with its name starts afresh
        for name, connector in state.connectors.items():
            failed = is_failed(connector)
            if not failed:
                self._reported.discard((name, CANNOT_FIX))  # a new failure is reported again
                self._reported.discard((name, RESTART))
                if name in records:
                    self._reported.discard((name, f"{WAIT}{records[name].restarts}"))
                if name not in records:
                    continue
            decision = decide(
                connector, records.get(name), self.policy.settings_for(name), now, self.rules
            )
            record = decision.record
            if decision.kind == HEALTHY and record is None:
                records.pop(name, None)
            elif record is not None:
                records[name] = record
            error = masked_first_line(failure_trace(connector))
            event = self._event_of(connector, error, now)
            if decision.kind == CANNOT_FIX and self._first(name, CANNOT_FIX):
                events.append(event(NOT_RESTARTED, f"not restarted: {decision.reason}"))
            elif decision.kind == GIVE_UP:
                events.append(event(GAVE_UP, decision.reason))
            elif decision.kind == RESTART and self.client.read_only:
                if self._first(name, RESTART):
                    info = await self.client.server_info()
                    units = failed_units(connector)
                    sent = restart_request(name, info.version.at_least(3, 0), units)
                    detail = f"read-only, attempt {decision.attempt} would send " + "; ".join(sent)
                    events.append(event(WOULD_RESTART, detail))
            elif decision.kind == WAIT and decision.next_at is not None and record is not None:
                if self._first(name, f"{WAIT}{record.restarts}"):
                    minutes = max(0.0, (decision.next_at - now) / 60)
                    count = f"{record.restarts} restart{'s' if record.restarts != 1 else ''}"
                    detail = f"{count} so far, next in {minutes:.0f} min"
                    events.append(event(BACKOFF, detail))
            elif decision.kind == RESTART:
                current = record or ConnectorRestarts()
                events += await self._restart(connector, decision.attempt, error, now)
                records[name] = replace(
                    current, restarts=decision.attempt, last_restart=now, last_error=error
                )
        return events

    def _first(self, name: str, kind: str) -> bool:
        key = (name, kind)
        if key in self._reported:
            return False
        self._reported.add(key)
        return True

    def _event_of(
        self, connector: Connector, error: str, now: float
    ) -> Callable[[str, str], WatchEvent]:
        def make(event: str, detail: str) -> WatchEvent:
            return WatchEvent(
                now, self.cluster, connector.name, None, event, connector.state,
                connector.status.worker_id, error, detail,
            )  # fmt: skip

        return make

    async def _restart(
        self, connector: Connector, attempt: int, error: str, now: float
    ) -> list[WatchEvent]:
        """Restart the failed connector/tasks of ``connector``; events and history lines."""
        name = connector.name
        units = failed_units(connector)
        try:
            info = await self.client.server_info()
            only_failed = info.version.at_least(3, 0)
            requests = restart_request(name, only_failed, units)
            status: ConnectorStatus | None
            if only_failed:
                status = await self.client.restart(name, include_tasks=True, only_failed=True)
            else:
                status = None
                for unit in units:
                    if unit is None:
                        await self.client.restart(name)
                    else:
                        await self.client.restart_task(name, unit)
            if status is None:
                status = await self.client.connector_status(name)
        except KctuiError as exc:
            return [
                WatchEvent(now, self.cluster, name, None, RESTART_FAILED, connector.state,
                           connector.status.worker_id, error, f"attempt {attempt}: {exc}")
            ]  # fmt: skip
        records = []
        events = []
        for unit in units:
            after = unit_state(status, unit)
            request = requests[0] if only_failed else requests[units.index(unit)]
            records.append(
                RestartRecord(now, self.cluster, name, unit, attempt, error, after, request)
            )
            worker = next(
                (t.worker_id for t in connector.tasks if t.id == unit), connector.status.worker_id
            )
            events.append(
                WatchEvent(now, self.cluster, name, unit, RESTARTED, after, worker, error,
                           f"attempt {attempt}")
            )  # fmt: skip
        self.history.append(records)
        return events

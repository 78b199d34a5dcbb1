"""Pure view models of the console: row filter and cache, counters (rows: kctui.rows).

No Textual import here, so the logic behind the table (health rollup, ordering,
filtering, the follow-until-settled rule) is tested as plain functions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from kctui.connect.models import (
    FAILED,
    RESTARTING,
    UNASSIGNED,
    ClusterState,
    Connector,
    ConnectorStatus,
    TaskStatus,
)
from kctui.health import Health, HealthVerdict
from kctui.rows import ConnectorRow, connector_rows

TRANSIENT_STATES = (RESTARTING, UNASSIGNED)


@dataclass(frozen=True)
class RowFilter:
    """A compiled filter: a case-insensitive regex, or a substring when not a valid regex."""

    text: str
    pattern: re.Pattern[str] | None
    error: str | None = None

    @classmethod
    def compile(cls, text: str) -> RowFilter:
        text = text.strip()
        if not text:
            return cls(text="", pattern=None)
        try:
            return cls(text=text, pattern=re.compile(text, re.IGNORECASE))
        except re.error as exc:
            return cls(text=text, pattern=None, error=f"not a regex ({exc}); matching as text")

    def matches(self, row: ConnectorRow) -> bool:
        if not self.text:
            return True
        if self.pattern is not None:
            return any(self.pattern.search(value) for value in row.haystack())
        needle = self.text.lower()
        return any(needle in value.lower() for value in row.haystack())


def build_rows(
    state: ClusterState | None, row_filter: RowFilter | None = None
) -> list[ConnectorRow]:
    """Rows of the connector table, unhealthy first then by name, filtered."""
    if state is None:
        return []
    return filtered(connector_rows(state), row_filter)


def _same_row_inputs(before: Connector, after: Connector) -> bool:
    """True when a row computed from ``before`` is valid for ``after`` (status, type, class)."""
    return (
        before.status == after.status
        and before.info.type == after.info.type
        and before.info.connector_class == after.info.connector_class
    )


class Judge(Protocol):
    """Who says a connector's health (the console's metrics service): ``stamp`` changes
    whenever any verdict may change, ``key(name)`` when that connector's may."""

    @property
    def stamp(self) -> object: ...

    def key(self, name: str) -> object: ...

    def verdict(self, connector: Connector) -> HealthVerdict: ...


class RowCache:
    """Rows of the last snapshot, reusing a connector's row when the connector is unchanged.

    A refresh of a big cluster mostly repeats itself; comparing two frozen snapshots of a
    connector is cheaper than rolling its health up again, and the same snapshot asked
    twice (table and status bar) is computed once. With a ``judge`` (the metrics service)
    the health comes from it, and a row is judged again when its key changes too.
    """

    def __init__(self) -> None:
        self._state: ClusterState | None = None
        self._stamp: object = None
        self._rows: list[ConnectorRow] = []
        self._by_name: dict[str, tuple[Connector, object, ConnectorRow]] = {}

    def rows(self, state: ClusterState | None, judge: Judge | None = None) -> list[ConnectorRow]:
        if state is None:
            return []
        stamp = judge.stamp if judge is not None else None
        if state is self._state and stamp is self._stamp:
            return self._rows
        by_name: dict[str, tuple[Connector, object, ConnectorRow]] = {}
        for name, connector in state.connectors.items():
            key = judge.key(name) if judge is not None else None
            previous = self._by_name.get(name)
            if (
                previous is not None
                and previous[1] == key
                and _same_row_inputs(previous[0], connector)
            ):
                by_name[name] = previous
            else:
                verdict = judge.verdict(connector) if judge is not None else None
                by_name[name] = (connector, key, ConnectorRow.of(connector, verdict))
        rows = [row for _, _, row in by_name.values()]
        rows.sort(key=lambda row: row.sort_key)
        self._state, self._stamp, self._rows, self._by_name = state, stamp, rows, by_name
        return rows


def filtered(rows: list[ConnectorRow], row_filter: RowFilter | None) -> list[ConnectorRow]:
    if row_filter is None or not row_filter.text:
        return rows
    return [row for row in rows if row_filter.matches(row)]


@dataclass(frozen=True)
class Counters:
    """Connectors by health and tasks by state, for the status bar."""

    connectors: int
    by_health: dict[Health, int]
    tasks: int
    tasks_by_state: dict[str, int]

    @classmethod
    def of(cls, rows: Iterable[ConnectorRow], state: ClusterState | None) -> Counters:
        rows = list(rows)
        by_health = Counter(row.health for row in rows)
        tasks: Counter[str] = Counter()
        if state is not None:
            for connector in state.connectors.values():
                tasks.update(task.state for task in connector.tasks)
        return cls(
            connectors=len(rows),
            by_health=dict(by_health),
            tasks=sum(tasks.values()),
            tasks_by_state=dict(tasks),
        )


def connector_summary(connector: Connector | None) -> str:
    """A short text of a connector's state and its tasks, e.g. ``RUNNING [0:FAILED 1:RUNNING]``."""
    if connector is None:
        return "gone"
    tasks = " ".join(f"{t.id}:{t.state}" for t in connector.tasks)
    return f"{connector.state} [{tasks}]" if tasks else connector.state


def is_transient(connector: Connector | None) -> bool:
    """True while the connector or one of its tasks is RESTARTING or UNASSIGNED."""
    if connector is None:
        return False
    if connector.state in TRANSIENT_STATES:
        return True
    return any(task.state in TRANSIENT_STATES for task in connector.tasks)


def failed_tasks(state: ClusterState | None) -> list[TaskStatus]:
    """Every FAILED task of the cluster, by connector name and task id."""
    if state is None:
        return []
    return sorted(
        (t for c in state.connectors.values() for t in c.tasks if t.state == FAILED),
        key=lambda t: (t.connector, t.id),
    )


def with_task_restarting(state: ClusterState, name: str, task_ids: Iterable[int]) -> ClusterState:
    """``state`` with the given tasks shown RESTARTING (Connect accepted their restart)."""
    connector = state.connectors.get(name)
    if connector is None:
        return state
    wanted = set(task_ids)
    tasks = tuple(
        replace(t, state=RESTARTING, trace=None) if t.id in wanted else t for t in connector.tasks
    )
    return with_connector_status(state, replace(connector.status, tasks=tasks))


def with_connector_status(state: ClusterState, status: ConnectorStatus) -> ClusterState:
    """``state`` with one connector's status replaced (e.g. by a restart's 202 answer)."""
    connector = state.connectors.get(status.name)
    if connector is None:
        return state
    connectors = dict(state.connectors)
    connectors[status.name] = replace(connector, status=status)
    return replace(state, connectors=connectors)

"""The connector row: one connector's table line, shared by ``kctui status`` and the console.

Computed from one ``Connector`` snapshot and its health: the REST rollup, or the verdict
the console made with the metric rules too; no Textual import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kctui.connect.models import ClusterState, Connector
from kctui.health import Health, HealthVerdict, rollup
from kctui.masking import mask_text


@dataclass(frozen=True)
class ConnectorRow:
    """One line of the connector table (reason with URL credentials masked)."""

    name: str
    type: str
    connector_class: str
    state: str
    tasks_running: int
    tasks_total: int
    failed_task_ids: tuple[int, ...]
    workers: tuple[str, ...]
    health: Health
    reason: str

    @classmethod
    def of(cls, connector: Connector, verdict: HealthVerdict | None = None) -> ConnectorRow:
        """The row of ``connector`` with ``verdict`` (default: the REST rollup)."""
        verdict = rollup(connector) if verdict is None else verdict
        return cls(
            name=connector.name,
            type=connector.type,
            connector_class=connector.info.connector_class,
            state=connector.state,
            tasks_running=connector.running_task_count,
            tasks_total=len(connector.tasks),
            failed_task_ids=connector.failed_task_ids,
            workers=connector.workers,
            health=verdict.health,
            reason=mask_text(verdict.reason),
        )

    @property
    def tasks_failed(self) -> int:
        return len(self.failed_task_ids)

    @property
    def sort_key(self) -> tuple[int, str]:
        """Worst health first, then by name."""
        return (self.health.rank, self.name)

    def haystack(self) -> tuple[str, ...]:
        """The texts a filter looks at: name, class, state, health and workers."""
        return (self.name, self.connector_class, self.state, self.health.value, *self.workers)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "class": self.connector_class,
            "state": self.state,
            "tasks_running": self.tasks_running,
            "tasks_total": self.tasks_total,
            "tasks_failed": self.tasks_failed,
            "failed_task_ids": list(self.failed_task_ids),
            "workers": list(self.workers),
            "health": self.health.value,
            "reason": self.reason,
        }


def connector_rows(state: ClusterState) -> list[ConnectorRow]:
    """Rows of every connector, worst health first, then by name."""
    return sorted((ConnectorRow.of(c) for c in state.connectors.values()), key=lambda r: r.sort_key)

"""The header: cluster, Kafka version, workers, counters by health, last refresh, READ-ONLY."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from kctui.health import Health
from kctui.ui.view import Counters

HEALTH_STYLE = {
    Health.UNHEALTHY: "$error bold",
    Health.DEGRADED: "$warning bold",
    Health.RESTARTING: "$accent",
    Health.UNASSIGNED: "$warning",
    Health.PAUSED: "$text-muted",
    Health.STOPPED: "$text-muted",
    Health.HEALTHY: "$success",
}
TASK_STATE_STYLE = {
    "FAILED": "$error bold",
    "RUNNING": "$success",
    "RESTARTING": "$accent",
    "UNASSIGNED": "$warning",
    "PAUSED": "$text-muted",
}


@dataclass(frozen=True)
class StatusInfo:
    """Everything the status bar shows; the screen builds it from the app's state."""

    cluster: str
    read_only: bool
    kafka_version: str | None = None
    workers: int = 0
    counters: Counters | None = None
    refreshed_at: float | None = None
    refresh_seconds: float = 5.0
    following: tuple[str, ...] = field(default_factory=tuple)
    workers_healthy: tuple[int, int] | None = None  # (healthy, asked) from GET /health


class StatusBar(Widget):
    """Two lines of status (three when narrow); colours come from theme variables only."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.info: StatusInfo | None = None

    def show(self, info: StatusInfo) -> None:
        if info == self.info:
            return
        self.info = info
        self.refresh(layout=True)

    def render(self) -> Content:
        if self.info is None:
            return Content("")
        return self._render_info(self.info, self.size.width or 80)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.info is None:
            return 1
        return len(self._render_info(self.info, width).plain.splitlines())

    @staticmethod
    def _render_info(info: StatusInfo, width: int) -> Content:
        first: list[tuple[str, str] | str | Content] = [(" kctui ", "$primary bold reverse"), " "]
        first.append((info.cluster, "bold"))
        if info.read_only:
            first += [" ", (" READ-ONLY ", "$warning bold reverse")]
        first.append(f"  Kafka {info.kafka_version or '?'}")
        if info.workers_healthy is None:
            first.append(f"  {info.workers} worker{'s' if info.workers != 1 else ''}")
        else:
            healthy, asked = info.workers_healthy
            style = "" if healthy == asked else "$warning bold"
            first.append((f"  {healthy}/{asked} workers healthy", style))
        if info.refreshed_at is not None:
            clock = time.strftime("%H:%M:%S", time.localtime(info.refreshed_at))
            first.append((f"  refreshed {clock}", "$text-muted"))
        if info.following:
            first.append(("  following " + ", ".join(info.following), "$accent"))
        second: list[tuple[str, str] | str | Content] = [" "]
        counters = info.counters
        if counters is None:
            second.append(("waiting for the first answer...", "$text-muted"))
        else:
            second.append((f"Connectors {counters.connectors}", "bold"))
            for health in Health:
                count = counters.by_health.get(health, 0)
                if count:
                    second += [" ", (f"{count} {health.value.lower()}", HEALTH_STYLE[health])]
            connectors_line = Content.assemble(*second)
            tasks: list[tuple[str, str] | str | Content] = [(f"Tasks {counters.tasks}", "bold")]
            for state, count in sorted(counters.tasks_by_state.items()):
                style = TASK_STATE_STYLE.get(state, "")
                tasks += [" ", (f"{count} {state.lower()}", style)]
            tasks_line = Content.assemble(*tasks)
            if connectors_line.cell_length + tasks_line.cell_length + 5 <= width:
                second = [connectors_line, ("  │  ", "$text-muted"), tasks_line]
            else:
                second = [connectors_line, "\n ", tasks_line]
        return Content.assemble(*first, "\n", *second)

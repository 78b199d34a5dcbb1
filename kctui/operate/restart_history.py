"""The restart history of ``kctui watch``: JSON Lines, one restart per line, and its views.

Each line: ``time`` (ISO 8601 UTC), ``cluster``, ``connector``, ``task`` (null for the
connector itself), ``attempt``, ``error`` (first line of the trace seen before the
restart, masked), ``state_after`` and ``request``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kctui.masking import mask_text
from kctui.operate.restart_state import ConnectorRestarts
from kctui.settings import PolicySettings

if TYPE_CHECKING:
    from kctui.settings import ClusterConfig

HISTORY_FILE = "history.jsonl"


def iso_time(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


@dataclass(frozen=True)
class RestartRecord:
    """One restart kctui sent."""

    time: float
    cluster: str
    connector: str
    task: int | None
    attempt: int
    error: str
    state_after: str
    request: str

    def to_json(self) -> dict[str, Any]:
        return {
            "time": iso_time(self.time),
            "cluster": self.cluster,
            "connector": self.connector,
            "task": self.task,
            "attempt": self.attempt,
            "error": mask_text(self.error),
            "state_after": self.state_after,
            "request": self.request,
        }


class RestartHistory:
    """Append-only ``history.jsonl`` of one cluster."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / HISTORY_FILE

    def append(self, records: Iterable[RestartRecord]) -> None:
        lines = [json.dumps(r.to_json(), ensure_ascii=False) + "\n" for r in records]
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write("".join(lines))

    def read(self, connector: str | None = None) -> list[dict[str, Any]]:
        """Every line (a broken line is skipped), oldest first, maybe of one connector."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        entries = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if not isinstance(entry, dict):
                continue
            if connector is None or entry.get("connector") == connector:
                entries.append(entry)
        return entries


def history_text(entries: Iterable[Mapping[str, Any]]) -> str:
    """The history as aligned lines for a terminal."""
    lines = []
    for e in entries:
        task = e.get("task")
        target = f"{e.get('connector')}" + ("" if task is None else f"/{task}")
        lines.append(
            f"{e.get('time', '?')}  {target:<32} attempt {e.get('attempt', '?'):<3} "
            f"-> {e.get('state_after', '?'):<11} {e.get('error') or ''}".rstrip()
        )
    return "\n".join(lines) if lines else "no restarts recorded"


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{max(0, round(seconds))} s"
    return f"{round(seconds / 60)} min"


def restart_summary(
    record: ConnectorRestarts | None,
    settings: PolicySettings,
    now: float,
    *,
    last_error: str = "",
) -> str | None:
    """ "auto-restart: 3 restarts, next in 6 min, last error …" for the console (None: nothing)."""
    if not settings.enabled:
        return "auto-restart: off for this connector"
    if record is None:
        return None
    parts = [f"{record.restarts} restart{'s' if record.restarts != 1 else ''}"]
    if record.gave_up:
        parts.append(f"gave up after {record.restarts} (kctui watch --clear to retry)")
    elif record.restarts >= settings.max_restarts:
        parts.append("gives up at the next failure")
    elif record.last_restart is not None:
        due = record.last_restart + settings.delay_after(record.restarts)
        parts.append(f"next in {_minutes(due - now)}" if due > now else "next when it fails")
    error = last_error or record.last_error
    if error:
        parts.append(f"last error {mask_text(error)}")
    return "auto-restart: " + ", ".join(parts)


def connector_restart_summary(
    cluster: ClusterConfig, connector: str, now: float, directory: Path | None = None
) -> str | None:
    """The console's auto-restart line for ``connector`` from the files ``kctui watch``
    keeps (blocking file reads: call it from a thread worker, never from a widget)."""
    from kctui.operate.restart_state import RestartStore, state_dir
    from kctui.settings import RestartPolicy

    directory = directory or state_dir(cluster.name)
    record = RestartStore(directory).load().get(connector)
    if record is None and cluster.auto_restart is None:
        return None  # no policy configured and no watch ever restarted it: say nothing
    settings = (cluster.auto_restart or RestartPolicy()).settings_for(connector)
    return restart_summary(record, settings, now)

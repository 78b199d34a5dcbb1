"""Events of ``kctui watch``: what changed between two cluster states (pure).

An event is one line for a human or one JSON object for a script: ``time``, ``cluster``,
``connector``, ``task`` (None for the connector itself), ``event``, ``state``,
``worker`` and ``error`` (first line of the trace, masked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kctui.connect.changes import changed_units
from kctui.connect.models import FAILED, RUNNING, ClusterState, first_line
from kctui.masking import mask_text
from kctui.operate.restart_history import iso_time

# Event names.
FAILED_EVENT = "failed"
RECOVERED = "recovered"
MOVED = "moved"
RESTARTED = "restarted"
GAVE_UP = "gave-up"
WOULD_RESTART = "would-restart"  # read-only mode: what the policy would have done
NOT_RESTARTED = "not-restarted"  # a restart cannot fix it: reported instead
RESTART_FAILED = "restart-failed"  # the restart request itself was refused or failed
BACKOFF = "backoff"  # still failed, the next restart waits (said once per restart count)
ALERT_EVENTS = frozenset({FAILED_EVENT, GAVE_UP})


@dataclass(frozen=True)
class WatchEvent:
    time: float
    cluster: str
    connector: str
    task: int | None
    event: str
    state: str
    worker: str
    error: str
    detail: str = ""  # free words for the text form (next restart, reason...)

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "time": iso_time(self.time),
            "cluster": self.cluster,
            "connector": self.connector,
            "task": self.task,
            "event": self.event,
            "state": self.state,
            "worker": self.worker,
            "error": self.error,
        }
        if self.detail:
            document["detail"] = self.detail
        return document

    def text(self) -> str:
        target = self.connector + ("" if self.task is None else f" task {self.task}")
        line = f"{iso_time(self.time)} {self.cluster} {target} {self.event.upper()} {self.state}"
        if self.worker:
            line += f" on {self.worker}"
        if self.detail:
            line += f" ({self.detail})"
        if self.error:
            line += f": {self.error}"
        return line


def masked_first_line(trace: str | None) -> str:
    return mask_text(first_line(trace))


def diff_states(
    before: ClusterState | None, after: ClusterState, *, cluster: str, now: float
) -> list[WatchEvent]:
    """Failed, recovered and moved events from ``before`` to ``after``.

    With no ``before`` (the first pass), every connector or task that is FAILED now is
    reported as failed, so ``--once`` shows what needs attention.
    """
    events: list[WatchEvent] = []
    old_connectors = before.connectors if before is not None else {}
    for name, connector in after.connectors.items():
        for unit, previous, current in changed_units(old_connectors.get(name), connector):
            state, worker = current.state, current.worker
            kind = None
            if state == FAILED and (previous is None or previous.state != FAILED):
                kind = FAILED_EVENT
            elif state == RUNNING and previous is not None and previous.state == FAILED:
                kind = RECOVERED
            elif previous is not None and previous.worker and worker and previous.worker != worker:
                kind = MOVED  # also UNASSIGNED on w1 -> RUNNING on w2 after a rebalance
            if kind is None:
                continue
            error = masked_first_line(current.trace) if kind == FAILED_EVENT else ""
            detail = f"from {previous.worker}" if kind == MOVED and previous else ""
            events.append(WatchEvent(now, cluster, name, unit, kind, state, worker, error, detail))
    return events

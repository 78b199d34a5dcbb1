"""What the auto-restart remembers per connector, the decision it takes, and where it keeps it.

The state lives under ``$XDG_STATE_HOME/kctui/watch/<cluster>/``: ``state.json`` (restart
count, last restart, gave-up flag per connector), ``history.jsonl`` (every restart) and
``lock``. Several ``kctui watch`` processes on one host take the lock (``fcntl.flock``)
around "read state, restart, write state", so one task is not restarted twice; processes
on different hosts do not share it (see docs/operate.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kctui.connect.models import FAILED, RUNNING, Connector
from kctui.diagnose.model import Rule
from kctui.operate.restart_policy import restart_cannot_fix
from kctui.settings import PolicySettings, xdg_dir

# Decision kinds.
RESTART = "restart"
WAIT = "wait"
GIVE_UP = "give-up"
GAVE_UP = "gave-up-already"
CANNOT_FIX = "cannot-fix"
IGNORED = "ignored"  # not covered by the policy
HEALTHY = "healthy"
NOTHING = "nothing"


@dataclass(frozen=True)
class ConnectorRestarts:
    """Auto-restart bookkeeping of one connector."""

    restarts: int = 0
    last_restart: float | None = None
    gave_up: bool = False
    last_error: str = ""
    healthy_since: float | None = None

    @classmethod
    def from_json(cls, data: Any) -> ConnectorRestarts:
        data = data if isinstance(data, Mapping) else {}

        def number(key: str) -> float | None:
            value = data.get(key)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return float(value) if ok else None

        restarts = data.get("restarts")
        return cls(
            restarts=restarts if isinstance(restarts, int) and restarts >= 0 else 0,
            last_restart=number("last_restart"),
            gave_up=data.get("gave_up") is True,
            last_error=str(data.get("last_error") or ""),
            healthy_since=number("healthy_since"),
        )


@dataclass(frozen=True)
class Decision:
    """What to do about one connector now, and its bookkeeping afterwards."""

    kind: str
    record: ConnectorRestarts | None
    attempt: int = 0
    next_at: float | None = None
    reason: str = ""


def is_failed(connector: Connector) -> bool:
    return connector.state == FAILED or any(t.state == FAILED for t in connector.tasks)


def is_healthy(connector: Connector) -> bool:
    return connector.state == RUNNING and all(t.state == RUNNING for t in connector.tasks)


def failure_trace(connector: Connector) -> str | None:
    """The trace that explains the failure: the connector's, else the first failed task's."""
    if connector.state == FAILED and connector.status.trace:
        return connector.status.trace
    for task in connector.tasks:
        if task.state == FAILED and task.trace:
            return task.trace
    return None


def decide(
    connector: Connector,
    record: ConnectorRestarts | None,
    settings: PolicySettings,
    now: float,
    rules: Sequence[Rule] | None = None,
) -> Decision:
    """The auto-restart decision for ``connector`` (pure; the caller acts and saves);
    ``rules`` say what a restart cannot fix (the watch's, the shipped ones when None)."""
    if not is_failed(connector):
        if record is None or not is_healthy(connector):
            return Decision(NOTHING, record)
        since = record.healthy_since if record.healthy_since is not None else now
        if now - since >= settings.reset_after_minutes * 60.0:
            return Decision(HEALTHY, None)  # healthy long enough: the count starts again
        return Decision(HEALTHY, replace(record, gave_up=False, healthy_since=since))
    if record is not None and record.healthy_since is not None:
        record = replace(record, healthy_since=None)
    if not settings.enabled:
        return Decision(IGNORED, record)
    reason = restart_cannot_fix(failure_trace(connector), rules)
    if reason and not settings.restart_cannot_fix:
        return Decision(CANNOT_FIX, record, reason=reason)
    current = record or ConnectorRestarts()
    if current.gave_up:
        return Decision(GAVE_UP, current)
    if current.restarts >= settings.max_restarts:
        reason = (
            f"{current.restarts} restarts did not help (max_restarts = {settings.max_restarts})"
        )
        return Decision(GIVE_UP, replace(current, gave_up=True), reason=reason)
    if current.last_restart is not None:
        due = current.last_restart + settings.delay_after(current.restarts)
        if now < due:
            return Decision(WAIT, current, next_at=due)
    return Decision(RESTART, current, attempt=current.restarts + 1)


# --------------------------------------------------------------------------- storage


def state_dir(cluster: str, env: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/kctui/watch/<cluster>`` (the name made safe for a path)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", cluster).strip("._") or "cluster"
    return xdg_dir("state", env) / "kctui" / "watch" / safe


class RestartStore:
    """``state.json`` and the lock of one cluster's auto-restart."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "state.json"

    def load(self) -> dict[str, ConnectorRestarts]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}  # a broken file starts afresh rather than stopping the watch
        connectors = data.get("connectors") if isinstance(data, dict) else None
        if not isinstance(connectors, dict):
            return {}
        return {str(k): ConnectorRestarts.from_json(v) for k, v in connectors.items()}

    def save(self, records: Mapping[str, ConnectorRestarts]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        document = {"connectors": {name: asdict(r) for name, r in sorted(records.items())}}
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(document, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive for this host: another ``kctui watch`` waits here."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def clear(self, connector: str) -> bool:
        """Forget ``connector`` (gave-up state and count); False when nothing was kept."""
        with self.lock():
            records = self.load()
            if records.pop(connector, None) is None:
                return False
            self.save(records)
            return True

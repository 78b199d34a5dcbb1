"""App-level messages; each carries an immutable snapshot, never a live object."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from kctui.connect.models import ClusterState, ServerInfo
from kctui.connect.worker_health import WorkerHealth
from kctui.metrics.model import MetricsSnapshot


@dataclass
class ClusterStateChanged(Message):
    """A refresh succeeded: the new whole-cluster snapshot."""

    state: ClusterState
    server_info: ServerInfo | None = None


@dataclass
class ClusterUnreachable(Message):
    """A refresh failed; the poller retries after ``retry_in`` seconds."""

    error: str
    retry_in: float
    failures: int
    title: str = "Cluster unreachable"


@dataclass
class FollowChanged(Message):
    """The state of a connector followed after an action moved on (or settled)."""

    connector: str
    history: tuple[str, ...]
    settled: bool


@dataclass
class ActionProgress(Message):
    """A lifecycle action moved on: sent, retrying while the cluster rebalances, accepted,
    failed or settled. ``kind`` is ``pending``, ``ok`` or ``failed``."""

    connectors: tuple[str, ...]
    text: str
    kind: str


@dataclass
class WorkerHealthChanged(Message):
    """``GET /health`` of every worker answered (the status bars count the healthy ones)."""

    health: tuple[WorkerHealth, ...]


@dataclass
class MetricsChanged(Message):
    """A metrics poll finished (a newer one replaces an unhandled older one)."""

    snapshot: MetricsSnapshot

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsChanged)

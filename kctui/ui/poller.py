"""Status polling: ONE ``cluster_state()`` request per refresh, backoff when unreachable,
a faster pace while following a connector after an action, paused under a modal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

from kctui.connect.changes import has_changed
from kctui.connect.models import ClusterState, Connector
from kctui.errors import KctuiError
from kctui.ui.messages import ClusterStateChanged, ClusterUnreachable, FollowChanged
from kctui.ui.polling import Poller
from kctui.ui.view import connector_summary, is_transient

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp
    from kctui.ui.session import ConsoleSession

FOLLOW_INTERVAL = 1.0  # seconds between refreshes while following an action
FOLLOW_SECONDS = 30.0  # give up following after this long
SETTLE_AFTER = 10.0  # no visible change by then: the action had no visible effect
MAX_BACKOFF = 60.0


def failure_title(exc: BaseException) -> str:
    """A few words for the banner: what kind of failure stopped the refresh."""
    from kctui.connect import errors

    if isinstance(exc, errors.RebalanceInProgress):
        return "Cluster rebalancing"
    if isinstance(exc, errors.RequestTimeout):
        return "Cluster not answering"
    if isinstance(exc, errors.Unreachable):
        return "Cluster unreachable"
    if isinstance(exc, errors.AuthError):
        return "Not authorised"
    if isinstance(exc, errors.BadResponse):
        return "Unexpected answer from the cluster"
    return "Refresh failed"


@dataclass
class Follow:
    """A connector watched after an action until it settles (RUNNING, FAILED, gone...)."""

    name: str
    label: str
    started: float
    baseline: Connector | None
    history: list[str] = field(default_factory=list)
    changed: bool = False
    wall_started: float = field(default_factory=time.time)

    def observe(self, current: Connector | None, now: float) -> bool:
        """Record the connector's new summary; True once it has settled."""
        summary = connector_summary(current)
        if not self.history or self.history[-1] != summary:
            self.history.append(summary)
        self.changed = self.changed or has_changed(self.baseline, current) or is_transient(current)
        elapsed = now - self.started
        if elapsed >= FOLLOW_SECONDS:
            return True
        if is_transient(current):
            return False
        return self.changed or elapsed >= SETTLE_AFTER


class ClusterPoller(Poller[ClusterState]):
    """The status refresh of the app: ONE ``cluster_state()`` request per poll.

    It writes the session's state and server info, then tells every screen
    (``ClusterStateChanged`` carries both): screens never ask the poller. A failed
    refresh shows the banner (``ClusterUnreachable``) and backs off.
    """

    name = "refresh"

    def __init__(self, app: KctuiApp, session: ConsoleSession, interval: float) -> None:
        super().__init__(app, max(0.5, interval), backoff_first=2.0, max_backoff=MAX_BACKOFF)
        self.console = app
        self.session = session
        self.requests = 0
        self.follows: dict[str, Follow] = {}
        self._clock = time.monotonic

    @property
    def enabled(self) -> bool:
        return self.session.client is not None

    def follow(self, name: str, label: str) -> None:
        """Watch ``name`` closely for ~30 s so the user sees the action take effect."""
        state = self.session.state
        baseline = state.connectors.get(name) if state else None
        self.follows[name] = Follow(
            name, label, self._clock(), baseline, [connector_summary(baseline)]
        )

    def overlay(self, state: ClusterState) -> None:
        """Show what an action's answer already tells (e.g. RESTARTING) before the next refresh."""
        self.session.state = state
        self._observe_follows(state)
        info = self.session.server_info
        self.publish(lambda: ClusterStateChanged(state, info))

    def next_delay(self) -> float:
        if self.failures:
            return super().next_delay()
        return min(self.interval, FOLLOW_INTERVAL) if self.follows else self.interval

    async def fetch(self) -> ClusterState:
        session = self.session
        client = session.api
        self.requests += 1
        state = await client.cluster_state()
        if session.server_info is None:
            try:
                session.server_info = await client.server_info()
            except KctuiError:
                pass  # the version shows as "?" and is asked again next time
        return state

    def failed(self, exc: Exception) -> bool:
        """The banner says what failed and when the next try is."""
        delay = self.next_delay()
        error = str(exc) if isinstance(exc, KctuiError) else f"{type(exc).__name__}: {exc}"
        failures, title = self.failures, failure_title(exc)
        self.publish(lambda: ClusterUnreachable(error, delay, failures, title))
        return True

    def apply(self, state: ClusterState) -> None:
        session = self.session
        previous, session.state = session.state, state
        self._report_workers(previous, state)
        self._observe_follows(state)
        info = session.server_info
        self.publish(lambda: ClusterStateChanged(state, info))

    def _report_workers(self, before: ClusterState | None, after: ClusterState) -> None:
        """Say when the worker we asked stops answering, when a worker stops running
        anything (its work was moved) and when one comes back.

        On a real cluster a killed worker's tasks keep showing RUNNING on it (stale
        status) until the group notices and rebalances: not UNASSIGNED.
        """
        if before is None:
            return
        if before.worker_url and after.worker_url and after.worker_url != before.worker_url:
            self.console.notify(
                f"{before.worker_url} does not answer; asking {after.worker_url}. Tasks of a "
                "dead worker show RUNNING on it until Connect rebalances them (session "
                "timeout, then scheduled.rebalance.max.delay.ms)",
                title="worker not answering",
                severity="warning",
            )
        gone = sorted(set(before.workers) - set(after.workers))
        new = sorted(set(after.workers) - set(before.workers))
        for worker in gone:
            self.console.notify(
                f"worker {worker} runs nothing any more: it left the group (stopped or "
                "killed) and its work moved to other workers, or its connectors were removed",
                title="worker gone",
                severity="warning",
            )
        for worker in new:
            self.console.notify(
                f"worker {worker} now runs connectors or tasks", title="worker joined"
            )

    def _observe_follows(self, state: ClusterState) -> None:
        now = self._clock()
        for name, follow in list(self.follows.items()):
            settled = follow.observe(state.connectors.get(name), now)
            if settled:
                del self.follows[name]
            history = tuple(follow.history)
            if settled:
                self._settled(follow, history)
            self.publish(partial(FollowChanged, name, history, settled))

    def _settled(self, follow: Follow, history: tuple[str, ...]) -> None:
        clock = time.strftime("%H:%M:%S", time.localtime(follow.wall_started))
        outcome = f"{follow.label} at {clock}: " + " → ".join(history[-4:])
        if not follow.changed:
            outcome += " (no change seen)"
        failed = "FAILED" in history[-1]
        self.console.set_outcome((follow.name,), outcome, "failed" if failed else "ok")
        self.console.notify(
            outcome,
            title="settled",
            severity="warning" if failed else "information",
        )

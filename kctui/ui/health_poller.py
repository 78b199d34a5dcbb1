"""The console's worker-health poller: ``GET /health`` of every worker (KIP-1017), its own
concern on its own timer (never more often than every 10 s), paused while a modal is open.
Results go to ``session.worker_health`` and every screen hears ``WorkerHealthChanged``
(the status bars show "2/2 workers healthy").
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from kctui.connect.worker_health import WorkerHealth, check_workers
from kctui.settings import ClusterConfig
from kctui.ui.messages import WorkerHealthChanged
from kctui.ui.polling import Poller

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp

MIN_INTERVAL = 10.0

Health = tuple[WorkerHealth, ...]
Check = Callable[[ClusterConfig, Iterable[str]], Awaitable[Health]]


class WorkerHealthPoller(Poller[Health]):
    """Asks every worker how it is; a failed check is a notice and the next one comes on time."""

    name = "worker-health"

    def __init__(
        self,
        app: KctuiApp,
        *,
        check: Check | None = None,
        interval: float | None = None,
    ) -> None:
        session = app.session
        super().__init__(app, interval or max(MIN_INTERVAL, session.cluster.refresh_seconds))
        self.session = session
        self.check: Check = check or check_workers
        self.checks = 0

    def start(self, delay: float = 0.5) -> None:
        super().start(delay)

    async def fetch(self) -> Health:
        state = self.session.state
        return await self.check(self.session.cluster, state.workers if state else ())

    def apply(self, result: Health) -> None:
        self.checks += 1
        self.session.worker_health = result
        self.publish(lambda: WorkerHealthChanged(result))

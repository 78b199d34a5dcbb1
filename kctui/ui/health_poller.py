"""The console's worker-health timer: ``GET /health`` of every worker (KIP-1017), its own
concern with its own timer (never more often than every 10 s), paused while a modal is
open. Results go to ``app.worker_health`` and every status bar shows "2/2 workers healthy".
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import ScreenStackError
from textual.screen import ModalScreen
from textual.timer import Timer

from kctui.connect.worker_health import WorkerHealth, check_workers

if TYPE_CHECKING:
    from kctui.ui.app import KctuiApp

MIN_INTERVAL = 10.0

Check = Callable[[Any, Iterable[str]], Awaitable[tuple[WorkerHealth, ...]]]


class WorkerHealthPoller:
    def __init__(
        self,
        app: KctuiApp,
        *,
        check: Check | None = None,
        interval: float | None = None,
    ):
        self.app = app
        self.session = app.session
        self.check: Check = check or check_workers
        self.interval = interval or max(MIN_INTERVAL, self.session.cluster.refresh_seconds)
        self.checks = 0
        self._timer: Timer | None = None
        self._stopped = False

    def start(self, delay: float = 0.5) -> None:
        self._schedule(delay)

    def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _schedule(self, delay: float) -> None:
        if self._stopped:
            return
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(delay, self._tick, name="worker-health-timer")

    def _tick(self) -> None:
        self._timer = None
        try:
            modal = isinstance(self.app.screen, ModalScreen)
        except ScreenStackError:
            modal = True
        if modal:
            self._schedule(1.0)
            return
        self.app.run_worker(
            self._run(), name="worker-health", group="worker-health", exclusive=True,
            exit_on_error=False,
        )  # fmt: skip

    async def _run(self) -> None:
        state = self.session.state
        try:
            health = await self.check(self.session.cluster, state.workers if state else ())
        finally:
            self._schedule(self.interval)
        self.checks += 1
        self.session.worker_health = health
        from kctui.ui.widgets.status_bar import StatusBar

        for screen in list(self.app.screen_stack):
            for bar in screen.query(StatusBar):
                bar.show(self.app.status_info())

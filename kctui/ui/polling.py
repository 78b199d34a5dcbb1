"""The one poller base of the console: a timer per concern, a backoff after failures, a pause
while a modal is open, one exclusive worker per poll, and results published to every screen.

A subclass says what one poll fetches (``fetch``, or ``fetch_blocking`` in a thread worker
for blocking clients) and what the UI thread does with the result (``apply``: write the
session, ``publish`` a message). Status, worker health and metrics are its three subclasses.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from textual.app import App, ScreenStackError
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer

from kctui.connect.retries import backoff_delay

ResultT = TypeVar("ResultT")

MODAL_RECHECK = 0.5  # seconds between looks while a modal asks the user something


class Poller(Generic[ResultT]):
    """Polls one concern on its own timer; never two polls of it at once (exclusive worker).

    After a failed poll the next one waits ``backoff_first`` seconds, doubling up to
    ``max_backoff`` (both default to the interval: a steady retry). A failure the subclass
    does not handle in :meth:`failed` is raised in the worker, so the app's one reporter
    shows it as a notice.
    """

    name: ClassVar[str] = "poll"  # the worker's name and group; the timer is "<name>-timer"
    thread: ClassVar[bool] = False  # True: ``fetch_blocking`` runs in a thread worker

    def __init__(
        self,
        app: App[Any],
        interval: float,
        *,
        backoff_first: float | None = None,
        max_backoff: float | None = None,
    ) -> None:
        self.app = app
        self.interval = interval
        self.backoff_first = interval if backoff_first is None else backoff_first
        self.max_backoff = self.backoff_first if max_backoff is None else max_backoff
        self.failures = 0
        self._timer: Timer | None = None
        self._stopped = False

    # ------------------------------------------------------------------ what subclasses say

    @property
    def enabled(self) -> bool:
        """False while there is nothing to poll (no client, no metrics endpoints)."""
        return True

    async def fetch(self) -> ResultT:
        """One poll, in an async worker (``thread`` False)."""
        raise NotImplementedError

    def fetch_blocking(self) -> ResultT:
        """One poll, in a thread worker (``thread`` True)."""
        raise NotImplementedError

    def apply(self, result: ResultT) -> None:
        """On the UI thread: keep the result and tell the screens (``publish``)."""

    def failed(self, exc: Exception) -> bool:
        """On the UI thread, after ``failures`` grew: True when the failure was shown here."""
        return False

    def next_delay(self) -> float:
        """Seconds until the next poll: the backoff after failures, else the interval."""
        if self.failures:
            return backoff_delay(self.failures - 1, self.backoff_first, self.max_backoff)
        return self.interval

    # ------------------------------------------------------------------ control

    def start(self, delay: float = 0.0) -> None:
        """The first poll in ``delay`` seconds (nothing when there is nothing to poll)."""
        if self.enabled:
            self._schedule(delay)

    def stop(self) -> None:
        """No more polls (the app is closing)."""
        self._stopped = True
        self._cancel_timer()

    def refresh_now(self) -> None:
        """Cancel the pending timer and poll at once (a poll under way is cancelled)."""
        self._cancel_timer()
        if self._stopped or not self.enabled:
            return
        if self.thread:
            self.app.run_worker(
                self._poll_in_thread, name=self.name, group=self.name, thread=True,
                exclusive=True, exit_on_error=False,
            )  # fmt: skip
        else:
            self.app.run_worker(
                self._poll(), name=self.name, group=self.name, exclusive=True, exit_on_error=False
            )

    def publish(self, make: Callable[[], Message]) -> None:
        """Post a fresh message (``make()``) to every screen of the stack."""
        for screen in list(self.app.screen_stack):
            screen.post_message(make())

    # ------------------------------------------------------------------ the timer

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _schedule(self, delay: float) -> None:
        if self._stopped:
            return
        self._cancel_timer()
        self._timer = self.app.set_timer(delay, self._tick, name=f"{self.name}-timer")

    def _tick(self) -> None:
        self._timer = None
        if self._stopped:
            return
        if self._modal_open():
            self._schedule(MODAL_RECHECK)  # paused while a modal asks the user something
            return
        self.refresh_now()

    def _modal_open(self) -> bool:
        try:
            return isinstance(self.app.screen, ModalScreen)
        except ScreenStackError:  # starting up or shutting down: no screen to poll for
            return True

    # ------------------------------------------------------------------ one poll

    def _succeeded(self, result: ResultT) -> None:
        self.failures = 0
        self.apply(result)
        self._schedule(self.next_delay())

    def _failed(self, exc: Exception) -> bool:
        self.failures += 1
        self._schedule(self.next_delay())
        return self.failed(exc)

    async def _poll(self) -> None:
        try:
            result = await self.fetch()
        except asyncio.CancelledError:
            raise  # a newer poll replaced this one; it schedules the next
        except Exception as exc:
            if not self._failed(exc):
                raise
            return
        self._succeeded(result)

    def _poll_in_thread(self) -> None:
        try:
            result = self.fetch_blocking()
        except Exception as exc:
            if not self.app.call_from_thread(self._failed, exc):
                raise
            return
        self.app.call_from_thread(self._succeeded, result)

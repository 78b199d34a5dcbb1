"""Progress of the client's retries, for whoever waits on a request (the console).

A 409 during a rebalance is retried for up to ``retry_total_seconds``. So that the
operator sees "retrying (2/10): cluster rebalancing" at once instead of a silent wait, the
caller installs a listener for the duration of its request (:func:`retry_listener`, a
context variable, so concurrent requests each report to their own listener) and the
client calls it before each wait. No UI import here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryNotice:
    """The client is about to wait ``delay`` seconds, then make attempt ``attempt``."""

    attempt: int  # the attempt about to be made (2 for the first retry)
    attempts: int  # how many attempts the retry budget allows at most
    reason: str  # "cluster rebalancing"
    method: str
    url: str
    delay: float

    def __str__(self) -> str:
        return f"retrying ({self.attempt}/{self.attempts}): {self.reason}"


RetryListener = Callable[[RetryNotice], None]
_listener: ContextVar[RetryListener | None] = ContextVar("kctui_retry_listener", default=None)


@contextmanager
def retry_listener(listener: RetryListener) -> Iterator[None]:
    """Report the retries of requests made inside this block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def report_retry(notice: RetryNotice, fallback: RetryListener | None = None) -> None:
    """Tell the current listener (else ``fallback``, the client's own, if any); a failing
    listener never breaks the request."""
    listener = _listener.get() or fallback
    if listener is None:
        return
    try:
        listener(notice)
    except Exception:  # noqa: BLE001, S110 - progress display must not fail the request
        pass


def backoff_delay(retry: int, first: float, maximum: float) -> float:
    """Seconds to wait before retry number ``retry`` (0 for the first): ``first``, doubling
    each time, never more than ``maximum``. The one backoff of the client, the console's
    status poller and ``kctui watch``."""
    return min(first * 2 ** min(retry, 62), maximum)


def planned_attempts(total_seconds: float, base_delay: float, max_delay: float) -> int:
    """How many attempts fit in the retry budget with this backoff (answers take no time)."""
    attempts, waited, retry = 1, 0.0, 0
    while True:
        delay = backoff_delay(retry, base_delay, max_delay)
        if delay <= 0 or waited + delay > total_seconds:
            return attempts
        waited, attempts, retry = waited + delay, attempts + 1, retry + 1

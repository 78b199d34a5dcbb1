"""Waiting in tests: poll a condition until it holds, failing after a deadline.

Tests never sleep for a fixed time to let something happen; they call these, which
poll at a short interval and fail with what they were waiting for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_until(
    condition: Callable[[], bool], *, timeout: float = 60.0, what: str, interval: float = 0.1
) -> None:
    """Call ``condition`` until it returns true; AssertionError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


async def poll(
    what: str,
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    timeout: float = 60.0,
    interval: float = 0.3,
    tolerate: tuple[type[BaseException], ...] = (),
) -> T:
    """Await ``fetch()`` until ``done(result)``; errors in ``tolerate`` count as not done."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await fetch()
            if done(last):
                return last
        except tolerate as exc:
            last = exc
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}; last seen: {last!r}")

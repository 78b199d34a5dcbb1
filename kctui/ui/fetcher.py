"""A Connect client on its own event loop in a thread, for the status refresh.

Decoding and parsing the whole-cluster answer of a big cluster (2,000 connectors: a few
MB of JSON) takes a few hundred milliseconds; done on the UI's event loop it would
freeze the screen at every refresh. The poller awaits this client from its exclusive
async worker, so cancelling a stale refresh still cancels the request.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any


class BackgroundClient:
    """Runs the coroutines of ``make_client()``'s client on a private loop thread."""

    def __init__(self, make_client: Callable[[], Any]) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="kctui-refresh", daemon=True
        )
        self._thread.start()
        self._client = make_client()

    async def call(self, method: str, *args: Any) -> Any:
        """Await ``client.<method>(*args)`` run on the private loop."""
        coroutine = getattr(self._client, method)(*args)
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        return await asyncio.wrap_future(future)

    def close(self, timeout: float = 5.0) -> None:
        """Close the client on its loop, then stop the loop and its thread."""
        if not self._loop.is_running():
            return
        closing = asyncio.run_coroutine_threadsafe(self._client.aclose(), self._loop)
        try:
            closing.result(timeout=timeout)
        except Exception:  # noqa: BLE001 - closing is best effort at exit
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=timeout)
        if not self._thread.is_alive():
            self._loop.close()

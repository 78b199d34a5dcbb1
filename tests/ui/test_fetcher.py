"""The refresh's background client: answers, cancellation reaching the request, close."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from kctui.connect.client import ConnectClient
from kctui.connect.errors import Unreachable
from kctui.ui.fetcher import BackgroundClient
from tests.ui.conftest import cluster_config
from tests.ui.fakes import demo_cluster


async def test_answers_from_its_own_thread_then_closes() -> None:
    threads: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        threads.append(threading.current_thread().name)
        return httpx.Response(200, json=demo_cluster())

    cluster = cluster_config()
    fetcher = BackgroundClient(
        lambda: ConnectClient(cluster, transport=httpx.MockTransport(handler))
    )
    state = await fetcher.call("cluster_state")
    assert len(state.connectors) == 7
    assert threads == ["kctui-refresh"]
    fetcher.close()
    assert not fetcher._thread.is_alive()


async def test_cancelling_the_caller_cancels_the_request() -> None:
    started, cancelled = threading.Event(), threading.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        started.set()
        try:
            await asyncio.Event().wait()  # a server that never answers
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return httpx.Response(200, json={})

    cluster = cluster_config()
    fetcher = BackgroundClient(
        lambda: ConnectClient(cluster, transport=httpx.MockTransport(handler))
    )
    task = asyncio.create_task(fetcher.call("cluster_state"))
    assert await asyncio.to_thread(started.wait, 5)  # the request reached the server
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await asyncio.to_thread(cancelled.wait, 5)
    fetcher.close()


async def test_errors_come_back_as_the_clients_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    cluster = cluster_config()
    fetcher = BackgroundClient(
        lambda: ConnectClient(cluster, transport=httpx.MockTransport(handler))
    )
    with pytest.raises(Unreachable):
        await fetcher.call("cluster_state")
    fetcher.close()

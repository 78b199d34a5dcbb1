"""The client reports each retry of a 409-while-rebalancing to the caller's listener."""

from __future__ import annotations

import httpx
import pytest

from kctui.connect.errors import RebalanceInProgress
from kctui.connect.retries import RetryNotice, planned_attempts, report_retry, retry_listener
from tests.unit.test_connect_client import REBALANCE, make_client


@pytest.mark.parametrize(
    ("total", "base", "most", "attempts"),
    [
        (15.0, 0.25, 2.0, 10),  # the client's defaults: "retrying (n/10)"
        (0.3, 0.01, 0.05, 8),  # 0.01+0.02+0.04+0.05*4 = 0.27; one more would pass 0.3
        (0.0, 0.25, 2.0, 1),
        (1.0, 0.0, 2.0, 1),  # no backoff configured: no retry promised
    ],
)
def test_planned_attempts(total: float, base: float, most: float, attempts: int) -> None:
    assert planned_attempts(total, base, most) == attempts


async def test_each_retry_is_reported_before_the_wait() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= 3:
            return httpx.Response(409, json={"error_code": 409, "message": REBALANCE})
        return httpx.Response(204)

    client, _ = make_client(handler)
    notices: list[RetryNotice] = []
    async with client:
        with retry_listener(notices.append):
            await client.pause("c1")
    assert [str(n) for n in notices] == [
        f"retrying (2/{client.planned_attempts}): cluster rebalancing",
        f"retrying (3/{client.planned_attempts}): cluster rebalancing",
        f"retrying (4/{client.planned_attempts}): cluster rebalancing",
    ]
    assert notices[0].method == "PUT" and notices[0].url.endswith("/connectors/c1/pause")


async def test_listener_sees_only_its_own_requests_and_never_breaks_one() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"error_code": 409, "message": REBALANCE})

    client, _ = make_client(handler)
    seen: list[str] = []

    def broken(notice: RetryNotice) -> None:
        seen.append(notice.url)
        raise RuntimeError("a display bug")

    async def quiet() -> None:
        with pytest.raises(RebalanceInProgress):
            await client.resume("other")

    async with client:
        with retry_listener(broken):
            with pytest.raises(RebalanceInProgress):
                await client.pause("c1")
        await quiet()  # outside the block: nobody is told
        report_retry(RetryNotice(2, 10, "cluster rebalancing", "PUT", "x", 0.1))
    assert seen and all(url.endswith("/connectors/c1/pause") for url in seen)

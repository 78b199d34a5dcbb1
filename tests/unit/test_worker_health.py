"""GET /health of every worker (KIP-1017) and the GET / fallback of older workers, on
httpx.MockTransport (rare answers); the healthy answer text is the sandbox's Kafka 4.3."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from kctui.connect.models import ClusterState
from kctui.connect.worker_health import WorkerHealth, check_workers, summary, worker_urls
from kctui.report import status_json
from kctui.settings import ClusterConfig

HEALTHY = {
    "status": "healthy",
    "message": "Worker has completed startup and is ready to handle requests.",
}


def handler(request: httpx.Request) -> httpx.Response:
    host, path = request.url.host, request.url.path
    if host == "new":
        return httpx.Response(200, json=HEALTHY)
    if host == "starting":
        return httpx.Response(
            503, json={"status": "starting", "message": "Worker is still starting up."}
        )
    if host == "old":
        return (
            httpx.Response(404, text="")
            if path == "/health"
            else httpx.Response(200, json={"version": "3.6.1"})
        )
    if host == "proxy":
        return httpx.Response(502, text="<html>Bad Gateway</html>")
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def run(cluster: ClusterConfig, ids: tuple[str, ...] = ()) -> tuple[WorkerHealth, ...]:
    return asyncio.run(check_workers(cluster, ids, transport=httpx.MockTransport(handler)))


def test_each_worker_answers_for_itself() -> None:
    urls = tuple(f"http://{h}:8083" for h in ("new", "starting", "old", "proxy", "down"))
    health = run(ClusterConfig(name="c", urls=urls))
    by_host = {h.url.split("//")[1].split(":")[0]: h for h in health}
    assert (by_host["new"].status, by_host["new"].message) == ("healthy", HEALTHY["message"])
    assert by_host["starting"].status == "starting" and not by_host["starting"].healthy
    assert by_host["old"].status == "reachable" and by_host["old"].kip1017 is False
    assert by_host["old"].healthy
    assert by_host["proxy"].status == "unhealthy" and "HTTP 502" in by_host["proxy"].message
    assert (by_host["down"].status, by_host["down"].message) == (
        "unreachable",
        "connection refused",
    )
    assert all(h.ms is not None and h.ms >= 0 for h in health)
    assert summary(health) == "2/5 workers healthy"


def test_workers_behind_a_load_balancer_are_asked_on_their_own_address() -> None:
    cluster = ClusterConfig(name="c", urls=("https://connect.example.com",))
    urls = worker_urls(cluster, ("10.0.0.1:8083", "10.0.0.2:8083", "connect.example.com:443"))
    assert urls == ("https://connect.example.com", "https://10.0.0.1:8083", "https://10.0.0.2:8083")


def test_status_json_carries_each_worker_with_its_health_and_time() -> None:
    health = run(ClusterConfig(name="c", urls=("http://new:8083",)))
    state = ClusterState(connectors={}, fetched_at=0.0, worker_url="http://new:8083")
    document = status_json(state, [], cluster="c", server=None, worker_health=health)
    (worker,) = document["workers"]
    assert worker["url"] == "http://new:8083" and worker["id"] == "new:8083"
    assert worker["health"] == HEALTHY
    assert isinstance(worker["ms"], float)


@pytest.mark.parametrize("body", [b"not json", b"[1,2]", b'{"status": 3}'])
def test_a_health_answer_that_is_not_kip1017_falls_back_to_its_http_status(body: bytes) -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(500, content=body))
    (health,) = asyncio.run(
        check_workers(ClusterConfig(name="c", urls=("http://x:1",)), transport=transport)
    )
    assert health.status == "unhealthy" and health.message == "HTTP 500 from /health"

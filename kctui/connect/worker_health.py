"""Each worker's own health: ``GET /health`` (KIP-1017, Kafka 3.9+) with its answer time.

Older workers have no ``/health`` (404): for them, whether ``GET /`` answers is all
that is known ("reachable"). Every worker is asked on its own URL, with the REST
client's auth and TLS, in parallel; nothing here raises for a worker that fails.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from kctui.connect.transport import client_settings, transport_reason
from kctui.settings import ClusterConfig

HEALTHY = ("healthy", "reachable")


def address_of(url: str) -> str:
    """``host:port`` of a URL: the worker id Connect reports, usually."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


@dataclass(frozen=True)
class WorkerHealth:
    url: str
    status: str  # healthy | starting | unhealthy (KIP-1017) | reachable | unreachable | …
    message: str
    ms: float | None = None
    kip1017: bool = True  # False: no /health endpoint, GET / was asked instead

    @property
    def healthy(self) -> bool:
        return self.status in HEALTHY

    @property
    def address(self) -> str:
        return address_of(self.url)

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "health": {"status": self.status, "message": self.message},
            "ms": None if self.ms is None else round(self.ms, 1),
        }

    @property
    def label(self) -> str:
        timing = f" {self.ms:.0f} ms" if self.ms is not None else ""
        return f"{self.status}{timing}"


def worker_urls(cluster: ClusterConfig, worker_ids: Iterable[str] = ()) -> tuple[str, ...]:
    """The configured URLs, plus one per worker id the cluster reports that is not among
    them (a load balancer in ``urls`` hides the workers behind it)."""
    urls = list(dict.fromkeys(u.rstrip("/") for u in cluster.urls))
    scheme = urlsplit(urls[0]).scheme if urls else "http"
    known = {address_of(u) for u in urls}
    for worker in worker_ids:
        if worker and worker not in known and ":" in worker:
            urls.append(f"{scheme}://{worker}")
            known.add(worker)
    return tuple(urls)


def _from_answer(url: str, response: httpx.Response, ms: float) -> WorkerHealth | None:
    """A KIP-1017 answer (200, 503 or 500 with status/message JSON), else None."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(body, dict) or not isinstance(body.get("status"), str):
        return None
    message = str(body.get("message") or "")
    return WorkerHealth(url, body["status"].lower(), " ".join(message.split()), ms)


async def check_worker(client: httpx.AsyncClient, url: str) -> WorkerHealth:
    started = time.monotonic()
    try:
        response = await client.get(f"{url}/health")
        ms = (time.monotonic() - started) * 1000
        answer = _from_answer(url, response, ms)
        if answer is not None:
            return answer
        if response.status_code not in (404, 405):
            reason = f"HTTP {response.status_code} from /health"
            return WorkerHealth(url, "unhealthy", reason, ms)
        started = time.monotonic()
        response = await client.get(f"{url}/")
        ms = (time.monotonic() - started) * 1000
        if response.status_code == 200:
            return WorkerHealth(
                url, "reachable", "no /health (Kafka < 3.9); GET / answered", ms, False
            )
        return WorkerHealth(url, "unhealthy", f"HTTP {response.status_code} from GET /", ms, False)
    except httpx.HTTPError as exc:
        ms = (time.monotonic() - started) * 1000
        return WorkerHealth(url, "unreachable", transport_reason(exc), ms)


async def check_workers(
    cluster: ClusterConfig,
    worker_ids: Iterable[str] = (),
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[WorkerHealth, ...]:
    """Every worker's health, asked in parallel (one GET each, two on old workers)."""
    urls = worker_urls(cluster, worker_ids)
    settings = client_settings(cluster)
    timeout = min(cluster.timeout, 5.0)
    settings["timeout"] = httpx.Timeout(timeout, connect=min(timeout, 3.0))
    async with httpx.AsyncClient(**settings, transport=transport) as client:
        return tuple(await asyncio.gather(*(check_worker(client, url) for url in urls)))


def summary(health: Iterable[WorkerHealth]) -> str:
    """``2/2 workers healthy``."""
    items = list(health)
    return f"{sum(h.healthy for h in items)}/{len(items)} workers healthy"

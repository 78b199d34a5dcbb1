"""Benchmark of the headless path (prints figures, never asserts on time).

A 2,000-connector x 8-task cluster in the shape Connect answers
``GET /connectors?expand=status&expand=info`` is served by an in-process
``httpx.MockTransport``. Measured: requests per ``cluster_state()`` (must be 1), the
time of ``cluster_state()`` (HTTP + msgspec decode into the models; a client's first
answer, then the same answer again), beside the peer json.loads + ``from_json`` of the
same bytes (the decode before msgspec), health rollup and sorting of
every connector, and rendering of the ``kctui status`` table and JSON.

    .venv/bin/python tests/bench/bench_client.py [--connectors 2000] [--tasks 8] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from kctui import report
from kctui.connect.client import ConnectClient
from kctui.connect.models import ClusterState
from kctui.connect.wire import decode_connectors
from kctui.rows import connector_rows
from kctui.settings import ClusterConfig

TRACE = "org.apache.kafka.connect.errors.ConnectException: boom\n" + "\tat a.b.C.d(C.java:1)\n" * 30


def payload(connectors: int, tasks: int) -> dict[str, Any]:
    """Every 50th connector has a failed task (with a 30-frame trace), like a real bad day."""
    body: dict[str, Any] = {}
    for n in range(connectors):
        name = f"bench-{n:05d}"
        failing = n % 50 == 0
        body[name] = {
            "status": {
                "name": name,
                "connector": {"state": "RUNNING", "worker_id": f"10.0.0.{n % 4}:8083"},
                "tasks": [
                    {
                        "id": t,
                        "state": "FAILED" if failing and t == 0 else "RUNNING",
                        "worker_id": f"10.0.0.{(n + t) % 4}:8083",
                        **({"trace": TRACE} if failing and t == 0 else {}),
                    }
                    for t in range(tasks)
                ],
                "type": "sink",
            },
            "info": {
                "name": name,
                "config": {
                    "connector.class": "io.example.SinkConnector",
                    "tasks.max": str(tasks),
                    "topics": f"topic-{n}",
                    "connection.password": "secret",
                },
                "tasks": [{"connector": name, "task": t} for t in range(tasks)],
                "type": "sink",
            },
        }
    return body


def timed(label: str, repeat: int, action: Callable[[], Any]) -> Any:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<44} median {statistics.median(times):8.1f} ms  (min {min(times):.1f})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--connectors", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    raw = json.dumps(payload(args.connectors, args.tasks)).encode()
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=raw, headers={"content-type": "application/json"})

    cluster = ClusterConfig(name="bench", urls=("http://bench:8083",))
    print(
        f"{args.connectors} connectors x {args.tasks} tasks, "
        f"payload {len(raw) / 1e6:.1f} MB, {args.repeat} repetitions"
    )

    async def refreshes() -> tuple[ClusterState, list[float], list[float]]:
        first, again = [], []
        for _ in range(args.repeat):  # a new client each time: every connector decoded
            async with ConnectClient(cluster, transport=httpx.MockTransport(handler)) as client:
                start = time.perf_counter()
                state = await client.cluster_state()
                first.append((time.perf_counter() - start) * 1000)
                start = time.perf_counter()  # the same answer again (kctui watch's next poll)
                state = await client.cluster_state()
                again.append((time.perf_counter() - start) * 1000)
        return state, first, again

    state, first, again = asyncio.run(refreshes())
    for label, times in (
        ("cluster_state(), first (HTTP mock + decode)", first),
        ("cluster_state(), same answer again", again),
    ):
        print(f"{label:<44} median {statistics.median(times):8.1f} ms  (min {min(times):.1f})")
    timed("of which msgspec decode into the models", args.repeat, lambda: decode_connectors(raw))
    json_only = timed("peer: json.loads of the payload", args.repeat, lambda: json.loads(raw))
    timed("peer: then from_json", args.repeat, lambda: ClusterState.from_json(json_only))
    print(f"{'requests per cluster_state()':<44} {len(requests) // (2 * args.repeat)}")
    rows = timed(
        "health rollup + sort of every connector", args.repeat, lambda: connector_rows(state)
    )
    timed(
        "status table text",
        args.repeat,
        lambda: report.status_text(state, rows, cluster="bench", server=None, width=160),
    )
    timed(
        "status JSON",
        args.repeat,
        lambda: json.dumps(report.status_json(state, rows, cluster="bench", server=None)),
    )
    print(f"{'exit code':<44} {report.exit_code(rows)}")


if __name__ == "__main__":
    main()

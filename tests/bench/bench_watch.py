"""``kctui watch`` benchmark: cost per poll and per event diff on a 2,000 x 8 fake; prints figures.

The cluster is ``bench_refresh.payload`` (Connect 4.x's expand=status&expand=info shape,
1 % of tasks FAILED) served by ``httpx.MockTransport`` to the real ``ConnectClient``.
Side by side with the peer approach of a cron script (list the connectors, then one
``GET /connectors/{c}/status`` each). Never asserts on time; it asserts ONE request per
poll (a count).

Run: ``.venv/bin/python tests/bench/bench_watch.py [--connectors 2000 --tasks 8 --runs 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from kctui.connect.client import ConnectClient
from kctui.connect.models import ClusterState
from kctui.operate.restart_history import RestartHistory
from kctui.operate.restart_state import RestartStore
from kctui.operate.watch import diff_states
from kctui.operate.watcher import Watcher
from kctui.settings import ClusterConfig, RestartPolicy

try:
    from tests.bench.bench_refresh import WORKERS, payload
except ModuleNotFoundError:  # run as a script (make bench): tests/bench is on sys.path
    from bench_refresh import WORKERS, payload  # type: ignore[no-redef]


class Served:
    """Serves the cluster answer, each status alone, and counts requests."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.set(data)
        self.requests = 0

    def set(self, data: dict[str, Any]) -> None:
        self.data = data
        self.body = json.dumps(data).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        path = request.url.path
        if path == "/connectors" and request.url.query:
            return httpx.Response(
                200, content=self.body, headers={"content-type": "application/json"}
            )
        if path == "/connectors":
            return httpx.Response(200, json=list(self.data))
        if path.endswith("/status"):
            name = path.split("/")[2]
            return httpx.Response(200, json=self.data[name]["status"])
        return httpx.Response(200, json={"version": "4.3.1", "commit": "x"})


def changed_copy(data: dict[str, Any]) -> dict[str, Any]:
    """20 tasks fail, 20 failed tasks recover, 20 tasks move worker."""
    changed = copy.deepcopy(data)
    failed = recovered = moved = 0
    for index, entry in enumerate(changed.values()):
        task = entry["status"]["tasks"][index % len(entry["status"]["tasks"])]
        if task["state"] == "FAILED" and recovered < 20:
            task["state"] = "RUNNING"
            task.pop("trace", None)
            recovered += 1
        elif index % 97 == 0 and failed < 20:
            task["state"], task["trace"] = "FAILED", "org.example.BoomException: boom"
            failed += 1
        elif index % 89 == 0 and moved < 20:
            task["worker_id"] = WORKERS[(WORKERS.index(task["worker_id"]) + 1) % len(WORKERS)]
            moved += 1
    return changed


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:8.2f} ms  (min {min(values) * 1000:.2f})"


async def bench(connectors: int, tasks: int, runs: int) -> None:
    data = payload(connectors, tasks)
    changed = changed_copy(data)
    served = Served(data)
    print(f"cluster: {connectors} connectors x {tasks} tasks, {len(served.body) / 1e6:.1f} MB JSON")
    cluster = ClusterConfig(name="bench", urls=("http://bench:8083",), read_only=True)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        async with ConnectClient(cluster, transport=httpx.MockTransport(served.handler)) as client:
            await client.server_info()
            store, history = RestartStore(directory), RestartHistory(directory)
            plain = Watcher(client, cluster="bench", policy=None, store=store, history=history)
            policed = Watcher(
                client, cluster="bench", policy=RestartPolicy(), store=store, history=history
            )
            per_poll, per_poll_cpu, per_poll_policy, events_seen = [], [], [], 0
            for run in range(runs):
                served.set(changed if run % 2 else data)
                before = served.requests
                started, cpu = time.perf_counter(), time.process_time()
                result = await plain.poll()
                per_poll.append(time.perf_counter() - started)
                per_poll_cpu.append(time.process_time() - cpu)
                assert served.requests - before == 1, "one request per poll"
                events_seen += len(result.events)
                before = served.requests
                started = time.perf_counter()
                await policed.poll()
                per_poll_policy.append(time.perf_counter() - started)
                assert served.requests - before == 1, "one request per poll with the policy"
            peer = []
            for _ in range(max(1, runs // 2)):
                started = time.perf_counter()
                names = (await client._get("/connectors")).data
                for name in names:
                    await client.connector_status(name)
                peer.append(time.perf_counter() - started)
            peer_requests = 1 + len(names)

    a = ClusterState.from_json(data)
    a_again = ClusterState.from_json(copy.deepcopy(data))
    b = ClusterState.from_json(changed)
    quiet, busy = [], []
    for _ in range(runs * 4):
        started = time.perf_counter()
        none = diff_states(a, a_again, cluster="bench", now=0)
        quiet.append(time.perf_counter() - started)
        started = time.perf_counter()
        events = diff_states(a, b, cluster="bench", now=0)
        busy.append(time.perf_counter() - started)
    assert none == []
    kinds = {k: sum(1 for e in events if e.event == k) for k in ("failed", "recovered", "moved")}
    print("requests per poll:                          1")
    print(
        f"poll (GET + decode + parse + diff):         {ms(per_poll)}  ({events_seen} events seen)"
    )
    print(f"  CPU time of the process per poll:         {ms(per_poll_cpu)}")
    print(f"poll with --auto-restart (read-only):       {ms(per_poll_policy)}")
    print(f"event diff alone, nothing changed:          {ms(quiet)}")
    print(f"event diff alone, {len(events):>3} events:              {ms(busy)}  ({kinds})")
    ratio = statistics.median(peer) / statistics.median(per_poll)
    print(f"peer: list + one GET status per connector:  {ms(peer)}  ({peer_requests} requests)")
    print(f"peer / kctui watch per poll:                {ratio:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(bench(args.connectors, args.tasks, args.runs))


if __name__ == "__main__":
    main()

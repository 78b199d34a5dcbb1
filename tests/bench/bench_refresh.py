"""Refresh benchmark: a 2,000-connector x 8-task cluster served in-process; prints figures.

The payload copies the shape of the sandbox's ``GET /connectors?expand=status&expand=info``
answer (status with ``version`` fields, info with a sink config of 13 keys, task ids),
with 1 % of the tasks FAILED with a real-looking trace. It is served by
``httpx.MockTransport`` to the real ``ConnectClient``, so the figures include JSON
decoding and model parsing, then the health rollup and the connector table's diff.
Never asserts on time; it asserts one request per refresh (a count, not a timing).

Run: ``.venv/bin/python tests/bench/bench_refresh.py [--connectors 2000 --tasks 8 --runs 5]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from typing import Any

import httpx

from kctui.connect.client import ConnectClient
from kctui.connect.models import ClusterState
from kctui.connect.wire import decode_connectors
from kctui.metrics.model import MetricsSnapshot
from kctui.settings import ClusterConfig
from kctui.ui.view import RowCache, build_rows

WORKERS = ("10.0.0.1:8083", "10.0.0.2:8083", "10.0.0.3:8083")
TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file "
    "'/data/out.txt' for FileStreamSinkTask\n"
    + "".join(
        f"\tat org.apache.kafka.connect.runtime.WorkerTask.frame{i}(WorkerTask.java:{100 + i})\n"
        for i in range(25)
    )
    + "Caused by: java.nio.file.NoSuchFileException: /data/out.txt\n\t... 12 more"
)


def payload(connectors: int, tasks: int, failed_every: int = 100) -> dict[str, Any]:
    """The expand=status&expand=info answer of a big cluster, shaped like Connect 4.x's."""
    data: dict[str, Any] = {}
    counter = 0
    for c in range(connectors):
        name = f"orders-sink-{c:05d}"
        task_entries = []
        for t in range(tasks):
            counter += 1
            entry: dict[str, Any] = {
                "id": t,
                "state": "RUNNING",
                "worker_id": WORKERS[(c + t) % len(WORKERS)],
                "version": "4.3.1",
            }
            if counter % failed_every == 0:
                entry["state"], entry["trace"] = "FAILED", TRACE
            task_entries.append(entry)
        data[name] = {
            "status": {
                "name": name,
                "connector": {"state": "RUNNING", "worker_id": WORKERS[c % 3], "version": "4.3.1"},
                "tasks": task_entries,
                "type": "sink",
            },
            "info": {
                "name": name,
                "config": {
                    "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                    "errors.log.include.messages": "true",
                    "tasks.max": str(tasks),
                    "topics": f"orders-{c}",
                    "errors.deadletterqueue.context.headers.enable": "true",
                    "file": f"/data/orders-{c}.txt",
                    "errors.deadletterqueue.topic.name": f"orders-{c}-dlq",
                    "value.converter.schemas.enable": "false",
                    "name": name,
                    "errors.tolerance": "all",
                    "errors.deadletterqueue.topic.replication.factor": "3",
                    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
                    "errors.log.enable": "true",
                },
                "tasks": [{"connector": name, "task": t} for t in range(tasks)],
                "type": "sink",
            },
        }
    return data


class Served:
    """Serves the payload bytes and counts requests by path."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.body = json.dumps(data).encode()
        self.requests: list[str] = []

    def set(self, data: dict[str, Any]) -> None:
        self.body = json.dumps(data).encode()

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url.path)
        if request.url.path == "/connectors":
            return httpx.Response(
                200, content=self.body, headers={"content-type": "application/json"}
            )
        return httpx.Response(200, json={"version": "4.3.1", "commit": "x"})


def snapshot(state: ClusterState, at: float) -> MetricsSnapshot:
    """Metrics of every task of ``state`` (counters growing with ``at``), one lagging sink."""
    from kctui.metrics.model import SinkTaskMetrics, TaskMetrics, Value, WorkerSnapshot

    tasks: dict[str, dict[tuple[str, int], TaskMetrics]] = {w: {} for w in WORKERS}
    for name, connector in state.connectors.items():
        for task in connector.tasks:
            values: dict[str, Value] = {"status": "running", "running-ratio": 1.0}
            sink = SinkTaskMetrics({"sink-record-send-total": 100 * at, "sink-record-lag-max": 5.0})
            metrics = TaskMetrics(values, connector=name, task=task.id, worker=task.worker_id,
                                  sink=sink)  # fmt: skip
            tasks[task.worker_id or WORKERS[0]][(name, task.id)] = metrics
    workers = tuple(WorkerSnapshot(w, w, at, tasks=t) for w, t in tasks.items())
    return MetricsSnapshot(workers, at, sink_lag={next(iter(state.connectors)): 50_000})


def rows_with_metrics(cluster: ClusterConfig, state: ClusterState, runs: int) -> list[float]:
    """Seconds the UI thread takes for the rows after a new snapshot (the metric reasons
    were worked out in the poller's thread; only rows whose reasons changed are judged)."""
    from kctui.ui.metrics_service import MetricsService

    service = MetricsService(cluster)
    cache = RowCache()
    service.add(service.judge(snapshot(state, 1.0)))
    cache.rows(state, service)
    out = []
    for run in range(runs):
        service.add(service.judge(snapshot(state, 2.0 + run)))  # judged in the poller's thread
        started = time.perf_counter()
        rows = cache.rows(state, service)
        out.append(time.perf_counter() - started)
    assert rows[0].health.value == "DEGRADED", rows[0]  # the lagging sink sorts first
    return out


def ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:8.1f} ms  (min {min(values) * 1000:.1f})"


async def bench(connectors: int, tasks: int, runs: int) -> None:
    from kctui.ui.app import KctuiApp
    from kctui.ui.screens.overview import OverviewScreen
    from kctui.ui.widgets.connector_table import ConnectorTable

    data = payload(connectors, tasks)
    served = Served(data)
    cluster = ClusterConfig(name="bench", urls=("http://bench:8083",), refresh_seconds=3600)
    print(f"cluster: {connectors} connectors x {tasks} tasks, {len(served.body) / 1e6:.1f} MB JSON")

    cold, peer, alone = [], [], []
    for _ in range(runs):
        # A client's first answer: every connector is decoded (nothing to reuse yet).
        async with ConnectClient(cluster, transport=httpx.MockTransport(served.handler)) as new:
            started = time.perf_counter()
            await new.cluster_state()
            cold.append(time.perf_counter() - started)
        started = time.perf_counter()
        decode_connectors(served.body)
        alone.append(time.perf_counter() - started)
        started = time.perf_counter()  # the peer: what cluster_state() did before msgspec
        ClusterState.from_json(json.loads(served.body))
        peer.append(time.perf_counter() - started)
    print(f"first fetch + decode + parse:      {ms(cold)}  (every connector decoded)")
    print(f"decode + parse alone, msgspec:     {ms(alone)}")
    print(f"peer: json.loads + from_json:      {ms(peer)}  (the decode before msgspec)")

    async with ConnectClient(cluster, transport=httpx.MockTransport(served.handler)) as client:
        fetch, rollup, incremental = [], [], []
        cache = RowCache()
        await client.cluster_state()  # the console has refreshed before: what a refresh costs
        for _ in range(runs):
            before = len(served.requests)
            started = time.perf_counter()
            state = await client.cluster_state()
            fetch.append(time.perf_counter() - started)
            assert len(served.requests) - before == 1, "one request per refresh"
            started = time.perf_counter()
            rows = build_rows(state)
            rollup.append(time.perf_counter() - started)
            cache.rows(state)
            again = await client.cluster_state()  # same content, a new snapshot
            started = time.perf_counter()
            cache.rows(again)
            incremental.append(time.perf_counter() - started)
        print("requests per refresh:              1")
        print(f"fetch + JSON decode + parse:       {ms(fetch)}  (unchanged connectors reused)")
        print(f"health rollup + order, every row:  {ms(rollup)}  ({len(rows)} rows)")
        print(f"rollup reusing unchanged rows:     {ms(incremental)}")
        judged = rows_with_metrics(cluster, again, runs)
        print(f"rows after a metrics snapshot:     {ms(judged)}  (reasons judged in a thread)")

    changed = json.loads(json.dumps(data))
    for index, entry in enumerate(changed.values()):
        if index % 100 == 0:  # 20 connectors get one more failed task
            entry["status"]["tasks"][0]["state"] = "FAILED"
    client = ConnectClient(cluster, transport=httpx.MockTransport(served.handler))
    app = KctuiApp(cluster, client=client)
    async with app.run_test(size=(160, 48)) as pilot:
        while app.state is None or not app.screen.query(ConnectorTable):
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, OverviewScreen)
        table = screen.query_one(ConnectorTable)
        while table.row_count < connectors:
            await pilot.pause(0.05)
        same_state = app.state
        served.set(changed)
        changed_state = await client.cluster_state()
        served.set(data)

        same_rows, changed_rows = build_rows(same_state), build_rows(changed_state)
        diff_same, diff_changed, frame_same, cycle = [], [], [], []
        for _ in range(runs):
            started = time.perf_counter()
            table.show(same_rows)
            diff_same.append(time.perf_counter() - started)
            assert table.cells_updated == 0
            started = time.perf_counter()
            table.show(changed_rows)
            diff_changed.append(time.perf_counter() - started)
            touched = table.cells_updated
            table.show(same_rows)
            await pilot.pause()
            # A refresh where nothing changed: update the screen, then wait for the frame.
            started = time.perf_counter()
            screen.apply_state(same_state)
            await pilot.pause()
            frame_same.append(time.perf_counter() - started)
            # The whole cycle in the app: ctrl+r -> one GET -> parse -> rollup -> diff.
            before = app.poller.requests
            started = time.perf_counter()
            await pilot.press("ctrl+r")
            while app.poller.requests == before or app.state is same_state:
                await pilot.pause(0.001)
            await pilot.pause()
            cycle.append(time.perf_counter() - started)
            same_state = app.state
        print(f"table diff alone, nothing changed: {ms(diff_same)}")
        print(f"table diff alone, 20 changed:      {ms(diff_changed)}  ({touched} cells)")
        print(f"no-change refresh, apply + frame:  {ms(frame_same)}")
        print(f"ctrl+r cycle in the app:           {ms(cycle)}")
        watch = DecodeWatch(client)
        on_thread = await stall_during_refreshes(app, pilot, runs, watch)  # what ships
        decoding = watch.at_return[-runs:]
        client.offload_large_answers = False
        on_loop = await stall_during_refreshes(app, pilot, runs, watch)
        client.offload_large_answers = True
        # Every connector's bytes differ from the last answer's (same content, keys in
        # another order): nothing is reused, every connector is decoded again.
        shuffled = {name: {"info": e["info"], "status": e["status"]} for name, e in data.items()}
        cold_stall: list[float] = []
        for index in range(runs):
            served.set(shuffled if index % 2 == 0 else data)
            cold_stall += await stall_during_refreshes(app, pilot, 1, watch)
        cold_decoding = watch.at_return[-runs:]
        served.set(data)
        print("longest UI-loop stall per refresh: whole refresh / until cluster_state() returned")
        print(f"  decode + parse on the UI loop:   {ms(on_loop)}")
        print(f"  decode + parse in a thread:      {ms(on_thread)}  /  {ms(decoding)}")
        print(f"  the same, every connector new:   {ms(cold_stall)}  /  {ms(cold_decoding)}")
    await client.aclose()


async def _tick(longest: list[float], last: float) -> None:
    """Sleep 5 ms at a time and keep the longest extra delay seen (a stall of the loop);
    ``last`` is when the ticker was created, so a stall before it first runs counts."""
    while True:
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        longest[0], last = max(longest[0], now - last - 0.005), now


class DecodeWatch:
    """Wraps ``client.cluster_state`` to note the longest UI-loop stall seen until the
    answer was fetched, decoded and parsed (the rest of a refresh is the console's)."""

    def __init__(self, client: ConnectClient) -> None:
        self.longest = [0.0]
        self.at_return: list[float] = []
        fetch = client.cluster_state

        async def watched() -> ClusterState:
            state = await fetch()
            self.at_return.append(self.longest[0])
            return state

        client.cluster_state = watched  # type: ignore[method-assign]


async def stall_during_refreshes(
    app: Any, pilot: Any, runs: int, watch: DecodeWatch
) -> list[float]:
    """The longest gap between 5 ms ticks of the UI loop while a ctrl+r refresh runs."""
    stalls = []
    for _ in range(runs):
        before_state = app.state
        watch.longest[0] = 0.0
        ticker = asyncio.create_task(_tick(watch.longest, time.perf_counter()))
        await pilot.press("ctrl+r")
        while app.state is before_state:
            await asyncio.sleep(0.005)
        await pilot.pause()
        ticker.cancel()
        stalls.append(watch.longest[0])
    return stalls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    asyncio.run(bench(args.connectors, args.tasks, args.runs))


if __name__ == "__main__":
    main()

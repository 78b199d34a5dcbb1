"""Benchmark: one refresh per worker from each metrics source, side by side (prints figures).

Against the running sandbox, whose workers expose remote JMX, the Prometheus JMX
exporter javaagent (Strimzi-style rules) and the Jolokia agent. Like bench_jmx.py it
creates ``--connectors`` sink connectors ``test-bench-NNN`` with ``tasks.max=--tasks``
whose file lies in a missing directory (every task fails at start and keeps its MBeans
without running a consumer), measures, and deletes them. Per worker and source: the
median wall time of one refresh (what kctui does: one batched jmxquery call, one
``/metrics`` GET, one Jolokia bulk POST), the CPU spent where kctui runs (the query JVM
for JMX, parsing in Python for all) and the CPU the worker JVM spent answering. Never
asserts on time.

    .venv/bin/python tests/bench/bench_metrics_sources.py              # 50 x 4 tasks
    .venv/bin/python tests/bench/bench_metrics_sources.py --full       # 200 x 4 tasks
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from msgspec.structs import replace

from kctui.metrics.sources import PREFERENCE, MetricsSource
from kctui.settings import ClusterConfig, MetricsEndpoint
from tests.bench.bench_jmx import (
    PREFIX,
    children_cpu,
    create_connectors,
    delete_connectors,
    process_cpu,
    sandbox_cluster,
)


def worker_pid(endpoint: MetricsEndpoint, cluster: ClusterConfig) -> int | None:
    """The sandbox worker JVM of this endpoint (found by its REST port on its command line)."""
    import os

    port = endpoint.worker.rsplit(":", 1)[-1]
    wanted = f"listeners=http://127.0.0.1:{port}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                cmdline = handle.read()
        except OSError:
            continue
        if b"ConnectDistributed" not in cmdline:
            continue
        props = cmdline.split(b"\0")[-2].decode(errors="replace")
        try:
            with open(props, "rb") as handle:
                if wanted in handle.read():
                    return int(entry)
        except OSError:
            continue
    return None


def one_refresh(
    source: MetricsSource, endpoint: MetricsEndpoint, pid: int | None, reps: int
) -> dict[str, Any]:
    walls, cpus, workers, tasks = [], [], [], 0
    source.read(endpoint)  # warm up: connection, JIT of the agent's first answer
    for _ in range(reps):
        wall, child, own, jvm = (
            time.perf_counter(), children_cpu(), time.process_time(), process_cpu(pid),
        )  # fmt: skip
        snapshot = source.read(endpoint)
        walls.append(time.perf_counter() - wall)
        cpus.append(children_cpu() - child + time.process_time() - own)
        workers.append(process_cpu(pid) - jvm)
        if snapshot.error:
            return {"error": snapshot.error}
        tasks = len(snapshot.tasks)
    return {
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
        "worker_cpu": statistics.median(workers),
        "tasks": tasks,
    }


def report(cluster: ClusterConfig, label: str, reps: int) -> None:
    print(f"\n== {label}")
    source = MetricsSource(replace(cluster, timeout=120.0))  # measure, do not give up
    try:
        for worker in sorted({e.worker for e in cluster.metric_endpoints()}):
            endpoints = {e.source: e for e in cluster.metric_endpoints() if e.worker == worker}
            pid = worker_pid(next(iter(endpoints.values())), cluster)
            results = {
                kind: one_refresh(source, endpoints[kind], pid, reps)
                for kind in PREFERENCE
                if kind in endpoints
            }
            jmx_wall = results.get("jmx", {}).get("wall")
            tasks = max(r.get("tasks", 0) for r in results.values())
            print(f"worker {worker} ({tasks} tasks)")
            print(f"  {'source':<12}{'wall s':>9}{'CPU s':>9}{'worker CPU s':>14}{'vs JMX':>9}")
            for kind, r in results.items():
                if "error" in r:
                    print(f"  {kind:<12}{r['error']}")
                    continue
                ratio = f"{jmx_wall / r['wall']:.0f}x" if jmx_wall and kind != "jmx" else ""
                print(
                    f"  {kind:<12}{r['wall']:>9.3f}{r['cpu']:>9.3f}{r['worker_cpu']:>14.3f}"
                    f"{ratio:>9}"
                )
    finally:
        source.close()
    print(f"  (median of {reps} refreshes each; CPU = where kctui runs: query JVM + parsing)")


def wait_for_tasks(cluster: ClusterConfig, expected: int, timeout: float = 900) -> int:
    source = MetricsSource(cluster, source="jolokia")
    deadline = time.monotonic() + timeout
    seen = 0
    try:
        while time.monotonic() < deadline:
            snapshot = source.fetch_raw()
            seen = sum(1 for w in snapshot.workers for (c, _) in w.tasks if c.startswith(PREFIX))
            if seen >= expected:
                break
            time.sleep(2)  # polling a remote cluster, not waiting in a test
    finally:
        source.close()
    return seen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--connectors", type=int, default=50)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--full", action="store_true", help="200 connectors x 4 tasks")
    parser.add_argument("--reps", type=int, default=5, help="refreshes per worker and source")
    args = parser.parse_args(argv)
    if args.full:
        args.connectors, args.tasks = 200, 4
    cluster = sandbox_cluster()
    print("kctui metrics sources benchmark: " + ", ".join(sorted({
        e.source for e in cluster.metric_endpoints()})))  # fmt: skip
    report(cluster, "baseline: the demo connectors only", args.reps)
    expected = args.connectors * args.tasks
    url = cluster.urls[0]
    try:
        started = time.monotonic()
        create_connectors(url, args.connectors, args.tasks)
        seen = wait_for_tasks(cluster, expected)
        print(
            f"\ncreated {args.connectors} connectors x {args.tasks} tasks ({seen} of "
            f"{expected} tasks registered after {time.monotonic() - started:.0f} s)"
        )
        report(cluster, f"{args.connectors} connectors x {args.tasks} tasks (+ demo)", args.reps)
    finally:
        print(f"\ndeleted {delete_connectors(url)} {PREFIX}* connectors")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

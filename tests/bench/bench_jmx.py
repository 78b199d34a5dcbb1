"""Benchmark: one batched jmxquery call per worker vs. a naive call per metric (prints figures).

Against the running sandbox: creates ``--connectors`` sink connectors named
``test-bench-NNN`` with ``tasks.max=--tasks`` whose file lies in a missing directory,
so every task fails at start and keeps its task, sink-task and task-error MBeans
registered without running a consumer (800 running consumers do not fit two 512 MB
workers on a 2-core machine). It then measures, per worker:

- batched: ONE jmxquery call with the 7 wildcard patterns (what kctui does);
- naive: one jmxquery call per (MBean, attribute), through jmxquery's own Python API.
  The naive approach takes hours at this scale, so a sample of calls is timed and the
  figures are extrapolated to the worker's metric count (printed as such).

All test connectors are deleted at the end. Never asserts on time.

    .venv/bin/python tests/bench/bench_jmx.py [--connectors 200] [--tasks 4]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from kctui.metrics import catalog
from kctui.metrics.jmx import JmxRequest, parse_output, run_jar
from kctui.settings import ClusterConfig, JmxEndpoint

PREFIX = "test-bench-"


def sandbox_cluster() -> ClusterConfig:
    from kctui.sandbox.cluster import Sandbox

    box = Sandbox.from_env()
    if not box.is_up():
        raise SystemExit("the sandbox is not up: run 'kctui sandbox up' first")
    return box.cluster_config()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(action: Callable[[], Any]) -> tuple[float, float, float, Any]:
    """(wall s, CPU of child processes s, CPU of this process s, result)."""
    wall, child, own = time.perf_counter(), children_cpu(), time.process_time()
    result = action()
    return (
        time.perf_counter() - wall,
        children_cpu() - child,
        time.process_time() - own,
        result,
    )


def worker_pid(endpoint: JmxEndpoint) -> int | None:
    """The local JVM whose JMX port the endpoint names (the sandbox runs on this host)."""
    import os
    import re

    match = re.search(r":(\d+)/jmxrmi", endpoint.url)
    if match is None:
        return None
    wanted = f"jmxremote.port={match.group(1)}".encode()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as handle:
                    if wanted in handle.read():
                        return int(entry)
            except OSError:
                continue
    return None


def process_cpu(pid: int | None) -> float:
    """User + system CPU seconds of a process (0 when unknown)."""
    import os

    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- connectors


def create_connectors(url: str, count: int, tasks: int) -> list[str]:
    names = [f"{PREFIX}{i:03d}" for i in range(count)]
    with httpx.Client(base_url=url, timeout=60) as client:
        for name in names:
            config = {
                "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector",
                "tasks.max": str(tasks),
                "topics": "demo-lines",
                "file": f"/nonexistent-kctui-bench/{name}/out.txt",
            }
            for _attempt in range(20):
                response = client.put(f"/connectors/{name}/config", json=config)
                if response.status_code != 409:  # 409 while the group rebalances
                    response.raise_for_status()
                    break
                time.sleep(0.5)
    return names


def delete_connectors(url: str) -> int:
    deleted = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        names = [n for n in client.get("/connectors").json() if n.startswith(PREFIX)]
        for name in names:
            for _attempt in range(20):
                response = client.delete(f"/connectors/{name}")
                if response.status_code in (204, 404):
                    deleted += 1
                    break
                time.sleep(0.5)
    return deleted


def bench_tasks(endpoint: JmxEndpoint) -> int:
    text = run_jar(
        JmxRequest(endpoint.url, (f"{catalog.DOMAIN}:type={catalog.TASK},*",), timeout=60)
    )
    return sum(
        1 for r in parse_output(text).records if PREFIX in r.mbean and r.attribute == "status"
    )


def wait_for_tasks(cluster: ClusterConfig, expected: int, timeout: float = 600) -> int:
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline:
        seen = sum(bench_tasks(e) for e in cluster.jmx)
        if seen >= expected:
            return seen
        time.sleep(2)  # polling a remote cluster, not waiting in a test
    return seen


# --------------------------------------------------------------------------- measuring


def batched(endpoint: JmxEndpoint, reps: int, connector: str | None = None) -> dict[str, Any]:
    request = JmxRequest(endpoint.url, catalog.query_patterns(connector=connector), timeout=120)
    walls, childs, owns, workers, records = [], [], [], [], 0
    pid = worker_pid(endpoint)
    for _ in range(reps):
        before = process_cpu(pid)
        wall, child, own, parsed = measure(lambda: parse_output(run_jar(request)))
        workers.append(process_cpu(pid) - before)
        walls.append(wall)
        childs.append(child)
        owns.append(own)
        records = len(parsed.records)
    mbeans = len({r.mbean for r in parsed.records})
    return {
        "wall": statistics.median(walls),
        "child_cpu": statistics.median(childs),
        "own_cpu": statistics.median(owns),
        "worker_cpu": statistics.median(workers),
        "records": records,
        "mbeans": mbeans,
        "by_group": Counter(r.mbean.split("type=")[1].split(",")[0] for r in parsed.records),
    }


def naive_sample(
    endpoint: JmxEndpoint, metrics: list[tuple[str, str]], sample: int
) -> dict[str, float]:
    """One jmxquery ``query()`` per metric, as a user of its Python API would write it."""
    from jmxquery import JMXConnection, JMXQuery

    connection = JMXConnection(endpoint.url)
    picked = metrics[:: max(1, len(metrics) // sample)][:sample]

    def run() -> None:
        for mbean, attribute in picked:
            connection.query([JMXQuery(mbean, attribute)], timeout=60)

    wall, child, own, _ = measure(run)
    n = len(picked)
    return {"calls": n, "wall_per_call": wall / n, "cpu_per_call": (child + own) / n}


def report(cluster: ClusterConfig, label: str, reps: int, sample: int, connector: str) -> None:
    print(f"\n== {label}")
    for endpoint in cluster.jmx:
        b = batched(endpoint, reps)
        one = batched(endpoint, reps, connector)
        text = run_jar(JmxRequest(endpoint.url, catalog.query_patterns(), timeout=120))
        metrics = [(r.mbean, r.attribute) for r in parse_output(text).records]
        n = naive_sample(endpoint, metrics, sample)
        total_metrics = len(metrics)
        naive_wall = n["wall_per_call"] * total_metrics
        naive_cpu = n["cpu_per_call"] * total_metrics
        groups = ", ".join(f"{g} {c}" for g, c in sorted(b["by_group"].items()))
        print(f"worker {endpoint.worker}: {b['mbeans']} MBeans, {b['records']} attribute values")
        print(f"  values by group: {groups}")
        print(f"  {'approach':<34}{'calls':>8}{'wall s':>12}{'CPU s':>12}")
        print(
            f"  {'batched (1 call, 7 wildcards)':<34}{1:>8}{b['wall']:>12.2f}"
            f"{b['child_cpu'] + b['own_cpu']:>12.2f}"
            f"   (java {b['child_cpu']:.2f} + python parse {b['own_cpu']:.2f}; the worker JVM "
            f"meanwhile {b['worker_cpu']:.2f}; median of {reps})"
        )
        print(
            f"  {'batched, one connector (its pane)':<34}{1:>8}{one['wall']:>12.2f}"
            f"{one['child_cpu'] + one['own_cpu']:>12.2f}"
            f"   ({connector}: {one['records']} values; median of {reps})"
        )
        print(
            f"  {'naive (1 call per metric)':<34}{total_metrics:>8}{naive_wall:>12.0f}"
            f"{naive_cpu:>12.0f}   (extrapolated from {n['calls']} timed calls: "
            f"{n['wall_per_call']:.2f} s wall, {n['cpu_per_call']:.2f} s CPU each)"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connectors", type=int, default=200)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--reps", type=int, default=3, help="batched refreshes per worker")
    parser.add_argument("--sample", type=int, default=10, help="naive calls timed per worker")
    args = parser.parse_args(argv)
    cluster = sandbox_cluster()
    url = cluster.urls[0]
    print(f"kctui JMX benchmark against {', '.join(e.url for e in cluster.jmx)}")
    report(cluster, "baseline: the demo connectors only", args.reps, args.sample, "demo-sink")
    expected = args.connectors * args.tasks
    try:
        started = time.monotonic()
        create_connectors(url, args.connectors, args.tasks)
        seen = wait_for_tasks(cluster, expected)
        elapsed = time.monotonic() - started
        print(
            f"\ncreated {args.connectors} connectors x {args.tasks} tasks "
            f"({seen} of {expected} task MBeans registered after {elapsed:.0f} s)"
        )
        label = f"{args.connectors} connectors x {args.tasks} tasks (+ demo connectors)"
        if seen < expected:
            label += f" -- only {seen} tasks registered; extrapolate linearly"
        report(cluster, label, args.reps, args.sample, f"{PREFIX}000")
    finally:
        print(f"\ndeleted {delete_connectors(url)} {PREFIX}* connectors")
    return 0


if __name__ == "__main__":
    sys.exit(main())

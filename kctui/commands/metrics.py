"""``kctui metrics [--connector NAME] [--source jmx|prometheus|jolokia] [--json]``.

Every metric of every worker and task by its Connect attribute name, with the source it
was read from and when. Each worker is read once, from its cheapest configured source
(or from ``--source``). Exit code 0 when at least one worker answered, 2 when none did
(or nothing is configured).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from kctui.settings import METRIC_SOURCES


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "metrics",
        help="print every worker and task metric (JMX, Prometheus or Jolokia)",
        description="Per worker and per task, every metric by its Connect attribute name, "
        "with its source and when it was read. Exit 2 when no source answers.",
    )
    parser.add_argument("--connector", metavar="NAME", help="only this connector's MBeans")
    parser.add_argument("--source", choices=METRIC_SOURCES, help="read only this kind of source")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_cluster_options(parser)


def _values(values: Any) -> dict[str, Any]:
    return {name: values[name] for name in sorted(values)}


def snapshot_json(snapshot: Any, *, cluster: str, source: str | None) -> dict[str, Any]:
    workers = []
    for worker in snapshot.workers:
        tasks = [
            {
                "connector": task.connector,
                "task": task.task,
                "metrics": _values(
                    {
                        **task.values,
                        **(task.source.values if task.source else {}),
                        **(task.sink.values if task.sink else {}),
                        **(task.errors.values if task.errors else {}),
                    }
                ),
            }
            for _, task in sorted(worker.tasks.items())
        ]
        connectors = {
            name: {**_values(c.values), **_values(c.task_counts)}
            for name, c in sorted(worker.connectors.items())
        }
        workers.append(
            {
                "worker": worker.worker,
                "url": worker.url,
                "source": worker.source,
                "detail": worker.detail or None,
                "read_at": worker.fetched_at,
                "seconds": round(worker.elapsed, 3),
                "error": worker.error,
                "notes": list(worker.notes),
                "worker_metrics": _values(worker.worker_metrics.values)
                if worker.worker_metrics
                else {},
                "rebalance": _values(worker.rebalance.values) if worker.rebalance else {},
                "connectors": connectors,
                "tasks": tasks,
            }
        )
    return {
        "cluster": cluster,
        "source": source,
        "fetched_at": snapshot.fetched_at,
        "workers": workers,
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:,.3f}".rstrip("0")
    return str(value)


def _block(title: str, values: dict[str, Any]) -> list[str]:
    if not values:
        return []
    width = max(len(name) for name in values)
    return [f"  {title}"] + [f"    {name:<{width}}  {_fmt(v)}" for name, v in values.items()]


def snapshot_text(document: dict[str, Any]) -> str:
    lines: list[str] = []
    for worker in document["workers"]:
        clock = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(worker["read_at"]))
        how = worker["source"] + (f" ({worker['detail']})" if worker["detail"] else "")
        lines.append(f"worker {worker['worker']}: {how}, {worker['url']}, read {clock}"
                     f" in {worker['seconds']:.2f} s")  # fmt: skip
        if worker["error"]:
            lines.append(f"  error: {worker['error']}")
        lines += [f"  note: {note}" for note in worker["notes"]]
        lines += _block("connect-worker-metrics", worker["worker_metrics"])
        lines += _block("connect-worker-rebalance-metrics", worker["rebalance"])
        for name, values in worker["connectors"].items():
            lines += _block(f"connector {name}", values)
        for task in worker["tasks"]:
            lines += _block(f"task {task['connector']}/{task['task']}", task["metrics"])
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def run(args: argparse.Namespace) -> int:
    import json

    from kctui.commands import cluster_from_args
    from kctui.metrics.sources import MetricsSource

    cluster = cluster_from_args(args)
    source = MetricsSource(cluster, source=args.source)
    if not source.configured:
        what = f"no {args.source} source" if args.source else "no metrics source"
        print(
            f"kctui: {what} configured for cluster '{cluster.name}': add "
            f"[[clusters.{cluster.name}.metrics]] entries (see docs/metrics.md)",
            file=sys.stderr,
        )
        return 2
    try:
        snapshot = source.fetch_raw(args.connector)
    finally:
        source.close()
    document = snapshot_json(snapshot, cluster=cluster.name, source=args.source)
    if args.json:
        print(json.dumps(document, indent=2))
    else:
        sys.stdout.write(snapshot_text(document))
    if not snapshot.available:
        print("kctui: no metrics source answered", file=sys.stderr)
        return 2
    return 0

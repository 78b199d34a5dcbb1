"""``kctui triage``: one report of everything unhealthy, for an incident ticket.

Gathers the cluster state (one REST request), the workers' JMX metrics and sink lag
(when configured), DLQ counts by exception class (when Kafka settings exist) and recent
failure lines from file log sources, then prints text, Markdown or JSON. Each optional
source degrades to a note when it is missing or fails. Exit code 1 when a connector is
UNHEALTHY, DEGRADED or UNASSIGNED, 0 when all is well, 2 when the cluster cannot be asked.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kctui.connect.models import ClusterState
    from kctui.logs.patterns import LogLine
    from kctui.settings import ClusterConfig, LogSource
    from kctui.triage import DlqCount

DLQ_SAMPLE = 500
LOG_SCAN_BYTES = 16 * 1024 * 1024
LOG_LINES_PER_CONNECTOR = 5


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "triage",
        help="report everything unhealthy (traces, metrics, DLQ, log lines); exit 1 if any",
        description="Every unhealthy connector with its health reason, failed tasks with the "
        "first lines of their traces, key metrics (lag, errors), DLQ counts by exception "
        "class and recent failure lines from the logs. Secrets are masked. Exit code 1 when "
        "something is unhealthy.",
    )
    parser.add_argument(
        "--format",
        choices=("text", "markdown", "json"),
        default="text",
        help="output format (default text)",
    )
    add_cluster_options(parser)


def gather_metrics(cluster: ClusterConfig, state: ClusterState, notes: list[str]) -> object:
    """One metrics snapshot (JMX + sink lag), or None; failures become notes."""
    if not cluster.metric_endpoints():
        notes.append("no metrics source (JMX, Prometheus, Jolokia) configured: metrics left out")
        return None
    from kctui.metrics.sources import MetricsSource

    source = MetricsSource(cluster)
    try:
        configs = {name: c.config for name, c in state.connectors.items()}
        snapshot = source.fetch(configs)
    finally:
        source.close()
    for worker in snapshot.failed_workers:
        notes.append(f"metrics of worker {worker.worker} ({worker.url}): {worker.error}")
    if snapshot.lag_error:
        notes.append(snapshot.lag_error)
    return snapshot


def gather_dlq(
    cluster: ClusterConfig, state: ClusterState, notes: list[str]
) -> dict[str, DlqCount]:
    """Per connector with a DLQ topic: its size and newest records by exception class."""
    topics = {name: c.dlq_topic for name, c in state.connectors.items() if c.dlq_topic}
    if not topics:
        return {}
    if cluster.kafka is None:
        notes.append("no Kafka settings for this cluster: DLQ topics not read")
        return {}
    from kctui.triage import DlqCount

    try:
        from kctui.dlq.reader import DlqReader
        from kctui.dlq.records import summarize
    except ImportError as exc:
        notes.append(f"DLQ reader unavailable ({exc}): DLQ topics not read")
        return {}
    counts: dict[str, DlqCount] = {}
    try:
        reader = DlqReader(cluster)
    except Exception as exc:  # noqa: BLE001 - an optional source becomes a note
        notes.append(f"DLQ topics not read: {exc}")
        return {}
    with reader:
        for name, topic in sorted(topics.items()):
            assert topic is not None
            try:
                bounds = reader.bounds(topic)
                total = sum(max(0, end - begin) for begin, end in bounds.values())
                if not total:
                    counts[name] = DlqCount(topic)
                    continue
                page = reader.newest(topic, limit=DLQ_SAMPLE)
                summary = summarize(page.dead_letters)
                counts[name] = DlqCount(topic, total, summary.total, summary.by_exception)
            except Exception as exc:  # noqa: BLE001 - one bad topic must not hide the rest
                counts[name] = DlqCount(topic, error=str(exc))
    return counts


def _failure_lines(path: str, budget: int, source: LogSource | None = None) -> list[LogLine]:
    """Failure lines among the last ``budget`` bytes of a file (the log view's fast scan),
    parsed with the file's layout (the source's ``layout``/``pattern``, or detected)."""
    from kctui.logs.layouts import detect, for_source
    from kctui.logs.scan import decode_line, failure_lines, head_lines

    with open(path, "rb") as handle:
        asked = for_source(source.layout, source.pattern) if source else None
        layout = detect(head_lines(handle.fileno()), body=asked)
        handle.seek(0, 2)
        start = max(0, handle.tell() - budget)
        handle.seek(start)
        data = handle.read()
    first = 0 if start == 0 else data.find(b"\n") + 1  # skip a line cut by the budget
    if start and first == 0:
        return []
    return [
        layout.parse(decode_line(data[begin:end]))
        for begin, end in failure_lines(data, first, len(data), layout=layout)
    ]


def gather_logs(
    cluster: ClusterConfig, connectors: Iterable[str], notes: list[str]
) -> dict[str, list[str]]:
    """The last failure lines per connector from file log sources (newest 16 MB of each)."""
    wanted = set(connectors)
    if not wanted or not cluster.logs:
        return {}
    try:
        from kctui.logs.sources import expand_path
    except ImportError as exc:
        notes.append(f"log reader unavailable ({exc}): logs not read")
        return {}
    found: dict[str, list[tuple[str, str]]] = {}
    for source in cluster.logs:
        if not source.path:
            notes.append(f"logs of {source.worker}: command sources are not read by triage")
            continue
        files = expand_path(source.path)[-2:]  # the current file and the one rolled before
        if not files:
            notes.append(f"logs of {source.worker}: no file matches {source.path}")
            continue
        lines: list[LogLine] = []
        try:
            for path in files:
                lines += _failure_lines(path, LOG_SCAN_BYTES, source)
        except OSError as exc:
            notes.append(f"logs of {source.worker}: {exc.strerror or exc}")
            continue
        for line in lines:
            if line.connector in wanted and line.is_failure:
                entry = (line.timestamp or "", f"{line.text} [{source.worker}]")
                found.setdefault(line.connector, []).append(entry)
    return {
        name: [text for _, text in sorted(entries)[-LOG_LINES_PER_CONNECTOR:]]
        for name, entries in found.items()
    }


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json

    from kctui import triage
    from kctui.commands import command_context
    from kctui.connect.client import ConnectClient
    from kctui.metrics.model import MetricsSnapshot

    context = command_context(args)
    cluster = context.cluster

    async def fetch() -> ClusterState:
        async with ConnectClient(cluster) as client:
            return await client.cluster_state()

    state = asyncio.run(fetch())
    notes: list[str] = []
    snapshot = gather_metrics(cluster, state, notes)
    metrics = snapshot if isinstance(snapshot, MetricsSnapshot) else None
    dlq_counts = gather_dlq(cluster, state, notes)
    first = triage.build_report(
        cluster.name, state, metrics=metrics, lag_threshold=cluster.lag_threshold,
        dlq_counts=dlq_counts,
    )  # fmt: skip
    log_lines = gather_logs(cluster, (f.name for f in first.findings), notes)
    report = triage.build_report(
        cluster.name,
        state,
        metrics=metrics,
        lag_threshold=cluster.lag_threshold,
        dlq_counts=dlq_counts,
        log_lines=log_lines,
        notes=notes,
        rules=context.rules,
    )
    if args.format == "json":
        print(json.dumps(triage.render_json(report), indent=2))
    elif args.format == "markdown":
        print(triage.render_markdown(report), end="")
    else:
        print(triage.render_text(report))
    return report.exit_code

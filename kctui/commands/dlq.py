"""``kctui dlq``: print decoded dead letters, or counts over every DLQ topic of the cluster.

Reading never joins a consumer group and never commits an offset (see ``kctui.dlq.reader``).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kctui.errors import KctuiError

if TYPE_CHECKING:
    from kctui.diagnose.model import Rule
    from kctui.dlq.pages import Page
    from kctui.dlq.protocol import DlqSource
    from kctui.settings import ClusterConfig


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "dlq",
        help="decode dead-letter queue records (Connect's __connect.errors.* headers)",
        description="Print the newest dead letters of TOPIC decoded, newest first; without "
        "TOPIC, list the DLQ topics of the cluster's connectors with their record counts. "
        "Needs the cluster's [kafka] settings. Never joins a consumer group, never commits. "
        "'kctui dlq redrive TOPIC' produces dead letters again (see its --help).",
    )
    add_cluster_options(parser)
    parser.add_argument("topic", nargs="?", metavar="TOPIC", help="a dead-letter topic")
    parser.add_argument(
        "--limit", "-n", type=int, metavar="N",
        help="dead letters to read (default 20; with --summary 10000 per topic)",
    )  # fmt: skip
    parser.add_argument("--json", action="store_true", help="JSON Lines output (one per record)")
    parser.add_argument(
        "--summary", action="store_true",
        help="groups by cause (normalised root cause), stage and exception class, with counts, "
        "first and last seen and partitions, over all DLQ topics (or TOPIC)",
    )  # fmt: skip
    parser.add_argument(
        "--bootstrap", metavar="HOST:PORT[,...]",
        help="Kafka bootstrap servers (PLAINTEXT), replacing the cluster's [kafka] settings",
    )  # fmt: skip
    parser.add_argument("--offset", type=int, metavar="N", help="read from offset N onwards")
    parser.add_argument("--partition", type=int, metavar="P", help="with --offset: one partition")
    parser.add_argument(
        "--since", metavar="TIME",
        help="read from a time onwards: ISO 8601 (UTC if no zone), epoch ms, or 30m / 2h / 1d ago",
    )  # fmt: skip


def parse_since(text: str, now: float | None = None) -> int:
    """Epoch milliseconds for ``--since``; a clear error for anything else."""
    from kctui.dlq.records import parse_time_spec

    try:
        return parse_time_spec(text, now)
    except ValueError as exc:
        raise KctuiError(f"--since: {exc}") from None


def _with_bootstrap(cluster: ClusterConfig, bootstrap: str | None) -> ClusterConfig:
    """The cluster, its Kafka settings replaced by ``--bootstrap`` when given."""
    from msgspec.structs import replace

    from kctui.settings import KafkaSettings

    if bootstrap:
        servers = tuple(s.strip() for s in bootstrap.split(",") if s.strip())
        cluster = replace(cluster, kafka=KafkaSettings(bootstrap_servers=servers))
    return cluster


def _dlq_topics(cluster: ClusterConfig) -> dict[str, str]:
    import asyncio

    from kctui.connect.client import ConnectClient
    from kctui.dlq.reader import dlq_topics_from_configs

    async def fetch() -> dict[str, str]:
        async with ConnectClient(cluster) as client:
            state = await client.cluster_state()
        return dlq_topics_from_configs({n: c.config for n, c in state.connectors.items()})

    return asyncio.run(fetch())


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> str:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    from kctui.report import cell_width, pad

    widths = [max(cell_width(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join(
        "  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
    )


def _print_topics(reader: DlqSource, topics: dict[str, str], as_json: bool) -> int:
    import json

    infos = reader.topic_infos(topics)
    if as_json:
        for info in infos:
            line = {"topic": info.topic, "connector": info.connector, "records": info.count}
            print(json.dumps(line | ({"error": info.error} if info.error else {})))
        return 0
    if not infos:
        print("no connector of this cluster has errors.deadletterqueue.topic.name set")
        return 0
    rows = [(i.topic, i.connector, i.error or i.count) for i in infos]
    print(_table(rows, ("TOPIC", "CONNECTOR", "RECORDS")))
    return 0


def _print_summary(
    reader: DlqSource, topics: dict[str, str], limit: int, as_json: bool, rules: Sequence[Rule]
) -> int:
    import json

    from kctui.diagnose import Diagnosis, diagnosis_lines
    from kctui.diagnose.dlq import diagnose_dead_letter, pair_diagnoses
    from kctui.dlq.errors import NotAuthorized, TopicNotFound
    from kctui.dlq.groups import cause_groups
    from kctui.dlq.records import format_timestamp, summarize

    def _diagnosis_json(found: Diagnosis | None) -> dict[str, str | None] | None:
        return found.to_json() if found else None

    topic_rows: list[tuple[Any, ...]] = []
    group_rows: list[tuple[Any, ...]] = []
    cause_rows: list[tuple[Any, ...]] = []
    told: dict[str, Diagnosis] = {}
    out: list[dict[str, Any]] = []
    for topic, connector in topics.items():
        try:
            page = reader.newest(topic, limit)
        except (TopicNotFound, NotAuthorized) as exc:
            topic_rows.append((topic, connector, str(exc), "-"))
            out.append({"topic": topic, "connector": connector, "error": str(exc)})
            continue
        summary = summarize(page.dead_letters)
        topic_rows.append((topic, connector, page.total, summary.total))
        diagnoses = pair_diagnoses(page.dead_letters, rules)
        groups: list[dict[str, Any]] = [
            {"stage": stage, "exception_class": exc, "count": count,
             "diagnosis": _diagnosis_json(diagnoses.get((stage, exc)))}
            for (stage, exc), count in summary.by_stage_exception
        ]  # fmt: skip
        group_rows += [
            (
                topic,
                stage,
                exc,
                count,
                diagnoses[(stage, exc)].rule if (stage, exc) in diagnoses else "-",
            )
            for (stage, exc), count in summary.by_stage_exception
        ]
        told.update((d.rule, d) for d in diagnoses.values())
        causes = cause_groups(page.dead_letters)
        cause_rows += [
            (topic, c.count, format_timestamp(c.first_ms), format_timestamp(c.last_ms),
             ",".join(c.partitions), f"{c.exception_class.rsplit('.', 1)[-1]} at {c.stage}: "
             f"{c.cause}"[:160])
            for c in causes
        ]  # fmt: skip
        cause_json = [
            {"key": c.key, "stage": c.stage, "exception_class": c.exception_class,
             "cause": c.cause, "example": c.example, "count": c.count,
             "first_timestamp": c.first_ms, "last_timestamp": c.last_ms,
             "partitions": list(c.partitions),
             "diagnosis": _diagnosis_json(diagnose_dead_letter(c.sample, rules))}
            for c in causes
        ]  # fmt: skip
        out.append({"topic": topic, "connector": connector, "records": page.total,
                    "read": summary.total, "causes": cause_json, "groups": groups})  # fmt: skip
    if as_json:
        print(json.dumps({"topics": out}, indent=2))
        return 0
    if not topics:
        print("no connector of this cluster has errors.deadletterqueue.topic.name set")
        return 0
    print(_table(topic_rows, ("TOPIC", "CONNECTOR", "RECORDS", "READ")))
    if cause_rows:
        print()
        print(_table(cause_rows, ("TOPIC", "COUNT", "FIRST (UTC)", "LAST (UTC)", "PARTITIONS",
                                  "CAUSE")))  # fmt: skip
    if group_rows:
        print()
        print(_table(group_rows, ("TOPIC", "STAGE", "EXCEPTION", "COUNT", "DIAGNOSIS")))
    for found in told.values():
        print()
        print("\n".join(diagnosis_lines(found)))
    return 0


def _print_page(page: Page, as_json: bool) -> None:
    from kctui.dlq.export import dumps_line
    from kctui.masking import mask_text

    if as_json:
        for dl in page.dead_letters:
            print(dumps_line(dl))
        return
    rows = [
        (f"{dl.record.partition}@{dl.record.offset}", dl.record.time_text, dl.origin_text,
         dl.stage or "-", dl.exception_short, mask_text(dl.message_line)[:100])
        for dl in page.dead_letters
    ]  # fmt: skip
    print(_table(rows, ("RECORD", "TIME (UTC)", "ORIGINAL", "STAGE", "EXCEPTION", "MESSAGE")))
    print(f"{len(rows)} of {page.total} records in {page.topic}")


def run(args: argparse.Namespace) -> int:
    from kctui.dlq.reader import DlqReader, NoKafkaSettings

    if args.limit is not None and args.limit < 1:
        raise KctuiError(f"--limit: expected a positive number, got {args.limit}")
    if args.partition is not None and args.offset is None:
        raise KctuiError("--partition only makes sense with --offset")
    if args.offset is not None and args.since is not None:
        raise KctuiError("give either --offset or --since, not both")
    since_ms = parse_since(args.since) if args.since is not None else None
    from kctui.commands import command_context

    context = command_context(args)
    cluster = _with_bootstrap(context.cluster, args.bootstrap)
    try:
        reader = DlqReader(cluster)
    except NoKafkaSettings as exc:
        raise NoKafkaSettings(f"{exc}, or pass --bootstrap HOST:PORT") from None
    with reader:
        if args.summary:
            topics = {args.topic: ""} if args.topic else _dlq_topics(cluster)
            limit = args.limit or 10_000
            return _print_summary(reader, topics, limit, args.json, context.rules)
        if not args.topic:
            return _print_topics(reader, _dlq_topics(cluster), args.json)
        limit = args.limit or 20
        if args.offset is not None:
            page = reader.from_offset(args.topic, args.offset, args.partition, limit)
        elif since_ms is not None:
            page = reader.from_time(args.topic, since_ms, limit)
        else:
            page = reader.newest(args.topic, limit)
        _print_page(page, args.json)
    return 0

"""``kctui dlq redrive TOPIC``: produce dead letters again to the topic they came from.

The DLQ is read without a consumer group and never changed. What is sent is saved in a
report under the XDG state dir; a later run skips what that report says went already.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import TYPE_CHECKING

from kctui.errors import KctuiError

if TYPE_CHECKING:
    from kctui.dlq.protocol import DlqSource
    from kctui.dlq.records import DeadLetter
    from kctui.dlq.redrive import Plan, RateLimit, RedriveLog
    from kctui.settings import ClusterConfig

_OFFSETS = re.compile(r"^(\d+):(\d+)-(\d+)$")
DEFAULT_LIMIT = 10_000


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "dlq-redrive",
        prog="kctui dlq redrive",
        description="Produce dead letters of TOPIC again, each with its original key, value, "
        "timestamp and headers (without __connect.errors.*), to the topic named in its "
        "__connect.errors.topic header or to --to. Idempotent producer, acks=all. The DLQ is "
        "never changed; a report of what was sent is saved, and records it lists are skipped "
        "on a later run (--again sends them anyway). Refused in read-only mode.",
    )
    add_cluster_options(parser)
    parser.add_argument("topic", metavar="TOPIC", help="the dead-letter topic to redrive from")
    parser.add_argument(
        "--group", metavar="TEXT",
        help="only the cause group whose key contains TEXT (see kctui dlq --summary)",
    )  # fmt: skip
    parser.add_argument(
        "--offsets", metavar="P:FROM-TO", help="only partition P, offsets FROM to TO inclusive"
    )
    parser.add_argument(
        "--limit", type=int, metavar="N",
        help=f"at most N dead letters, newest first (default {DEFAULT_LIMIT})",
    )  # fmt: skip
    parser.add_argument("--to", metavar="TOPIC", help="send every record to this topic instead")
    parser.add_argument("--rate", type=float, metavar="N", help="at most N records a second")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be sent; send nothing"
    )
    parser.add_argument("--again", action="store_true", help="also send records redriven before")
    parser.add_argument(
        "--bootstrap", metavar="HOST:PORT[,...]",
        help="Kafka bootstrap servers (PLAINTEXT), replacing the cluster's [kafka] settings",
    )  # fmt: skip


def parse_offsets(text: str) -> tuple[int, int, int]:
    match = _OFFSETS.match(text.strip())
    if not match:
        raise KctuiError(f"--offsets: expected P:FROM-TO (e.g. 0:100-199), got {text!r}")
    partition, low, high = (int(g) for g in match.groups())
    if high < low:
        raise KctuiError(f"--offsets: {low} is after {high}")
    return partition, low, high


def _select(args: argparse.Namespace, reader: DlqSource) -> list[DeadLetter]:
    from kctui.dlq.groups import cause_groups, cause_key

    limit = args.limit or DEFAULT_LIMIT
    if args.offsets:
        partition, low, high = parse_offsets(args.offsets)
        page = reader.from_offset(args.topic, low, partition, min(limit, high - low + 1))
        letters = [dl for dl in page.dead_letters if low <= dl.record.offset <= high]
    else:
        letters = list(reader.newest(args.topic, limit).dead_letters)
    if args.group:
        wanted = args.group.lower()
        keys = [g.key for g in cause_groups(letters) if wanted in g.key.lower()]
        if not keys:
            raise KctuiError(f"--group: no cause group of {args.topic} contains {args.group!r}")
        if len(keys) > 1:
            listed = "\n  ".join(keys)
            raise KctuiError(f"--group: {len(keys)} groups contain {args.group!r}:\n  {listed}")
        letters = [dl for dl in letters if cause_key(dl) == keys[0]]
    return letters


def run(args: argparse.Namespace) -> int:
    from kctui.commands import cluster_from_args
    from kctui.commands.dlq import _with_bootstrap
    from kctui.dlq import redrive
    from kctui.dlq.reader import DlqReader

    if args.limit is not None and args.limit < 1:
        raise KctuiError(f"--limit: expected a positive number, got {args.limit}")
    if args.rate is not None and args.rate <= 0:
        raise KctuiError(f"--rate: expected a positive number of records a second, got {args.rate}")
    cluster = _with_bootstrap(cluster_from_args(args), args.bootstrap)
    if cluster.read_only and not args.dry_run:
        raise redrive.ReadOnlyRefused(
            f"cluster '{cluster.name}' is read-only: redrive refused, nothing was sent"
        )
    dlq_topics, state, warnings = redrive.checks(cluster, args.topic)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    log = redrive.RedriveLog(redrive.report_path(cluster.name, args.topic))
    with DlqReader(cluster) as reader:
        letters = _select(args, reader)
    plan = redrive.plan(args.topic, letters, to_topic=args.to, dlq_topics=dlq_topics,
                        already=None if args.again else log.already())  # fmt: skip
    for skip in plan.skips:
        print(f"skip {args.topic} {skip.dlq_partition}@{skip.dlq_offset}: {skip.reason}")
    if state is not None:
        for warning in redrive.sink_warnings(plan.targets, state):
            print(f"warning: {warning}", file=sys.stderr)
    if args.dry_run:
        for send in plan.sends:
            print(f"would send {args.topic} {send.dlq_partition}@{send.dlq_offset} -> "
                  f"{redrive.target_text(send)}, {len(send.headers)} headers")  # fmt: skip
        print(f"dry run: {len(plan.sends)} to send, {len(plan.skips)} skipped; nothing produced")
        return 0
    if not plan.sends:
        print(f"nothing to send ({len(plan.skips)} skipped)")
        return 0
    return _send(args.topic, cluster, plan, log, redrive.RateLimit(args.rate))


def _send(
    dlq_topic: str, cluster: ClusterConfig, plan: Plan, log: RedriveLog, rate: RateLimit
) -> int:
    from kctui.dlq.redrive import RecordProducer, execute

    producer = RecordProducer(cluster)
    try:
        outcomes = execute(plan, producer, log, rate=rate,
                           on_each=lambda outcome: print(outcome.line(dlq_topic)))  # fmt: skip
    finally:
        producer.close()
    failed = sum(1 for o in outcomes if o.landed is None)
    sent = len(outcomes) - failed
    print(f"sent {sent}, failed {failed}, skipped {len(plan.skips)}; report: {log.path}")
    return 1 if failed else 0

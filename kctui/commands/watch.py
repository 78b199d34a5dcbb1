"""``kctui watch``: print an event per change; optionally restart failed tasks by policy.

``--once`` does one pass (for cron) and exits like ``kctui status``: 0 all well, 1 when
something is unhealthy, 2 when the cluster cannot be asked. ``--history`` shows the
restarts recorded, ``--clear NAME`` forgets a connector's gave-up state.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kctui.diagnose.model import Rule
    from kctui.settings import ClusterConfig

MIN_INTERVAL = 1.0
DEFAULT_INTERVAL = 30.0
MAX_RETRY_DELAY = 300.0


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "watch",
        help="print failed/recovered/moved/restarted events; optional auto-restart",
        description="Poll the cluster (one request per poll) and print an event per change. "
        "With --auto-restart, restart failed tasks by the cluster's [auto_restart] policy "
        "(backoff, maximum, gave-up). --once: one pass, exit code as for 'kctui status'.",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--once", action="store_true", help="one pass, then exit (for cron)")
    parser.add_argument(
        "--auto-restart", action="store_true", help="restart failed tasks by the policy"
    )
    parser.add_argument(
        "--interval", type=float, metavar="SECONDS", help=f"seconds between polls "
        f"(default {DEFAULT_INTERVAL:g})",
    )  # fmt: skip
    parser.add_argument("--history", action="store_true", help="show the restarts recorded")
    parser.add_argument("--connector", metavar="NAME", help="with --history: one connector")
    parser.add_argument(
        "--clear", metavar="NAME", help="forget NAME's restart count and gave-up state"
    )
    add_cluster_options(parser)


def run(args: argparse.Namespace) -> int:
    import json

    from kctui.commands import command_context
    from kctui.operate.restart_history import RestartHistory, history_text
    from kctui.operate.restart_state import RestartStore, state_dir

    context = command_context(args)
    cluster = context.cluster
    directory = state_dir(cluster.name)
    if args.clear:
        cleared = RestartStore(directory).clear(args.clear)
        print(
            f"{args.clear}: restart count and gave-up state cleared"
            if cleared
            else f"{args.clear}: nothing recorded for it on cluster {cluster.name}"
        )
        return 0
    if args.history:
        entries = RestartHistory(directory).read(args.connector)
        if args.json:
            for entry in entries:
                print(json.dumps(entry))
        else:
            print(history_text(entries))
        return 0
    from kctui.errors import KctuiError

    if args.connector:
        raise KctuiError("--connector goes with --history (kctui watch --history --connector NAME)")
    interval = args.interval if args.interval is not None else DEFAULT_INTERVAL
    if interval < MIN_INTERVAL:
        raise KctuiError(f"--interval: at least {MIN_INTERVAL:g} s between polls, got {interval}")
    import asyncio

    rules = context.rules if args.auto_restart else None  # only a restart decision asks them
    return asyncio.run(_watch(args, cluster, directory, interval, rules))


def _print_event(event: Any, as_json: bool) -> None:
    import json

    print(json.dumps(event.to_json()) if as_json else event.text(), flush=True)


async def _watch(
    args: argparse.Namespace,
    cluster: ClusterConfig,
    directory: Path,
    interval: float,
    rules: Sequence[Rule] | None,
) -> int:
    import asyncio
    import signal
    import sys
    import time

    from kctui import report
    from kctui.connect.client import ConnectClient
    from kctui.connect.retries import backoff_delay
    from kctui.errors import KctuiError
    from kctui.operate.alerts import AlertSender
    from kctui.operate.restart_history import RestartHistory
    from kctui.operate.restart_state import RestartStore
    from kctui.operate.watcher import Watcher
    from kctui.rows import connector_rows
    from kctui.settings import RestartPolicy

    policy = (cluster.auto_restart or RestartPolicy()) if args.auto_restart else None
    alert_settings = (cluster.auto_restart or RestartPolicy()).alerts
    alerts = (
        AlertSender(alert_settings, clock=time.monotonic) if alert_settings.configured else None
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):
            pass
    async with ConnectClient(cluster) as client:
        watcher = Watcher(
            client, cluster=cluster.name, policy=policy, store=RestartStore(directory),
            history=RestartHistory(directory), alerts=alerts, rules=rules,
        )  # fmt: skip
        if policy is not None and client.read_only and not args.json:
            print(f"{cluster.name} is read-only: reporting what auto-restart would do", flush=True)
        failures = 0
        while True:
            try:
                result = await watcher.poll()
            except KctuiError as exc:
                if args.once:
                    raise
                failures += 1
                delay = backoff_delay(failures, interval, MAX_RETRY_DELAY)
                print(f"kctui watch: {exc} (next try in {delay:g} s)", file=sys.stderr, flush=True)
            else:
                failures = 0
                delay = interval
                for event in result.events:
                    _print_event(event, args.json)
                for problem in result.alert_problems:
                    print(f"kctui watch: {problem}", file=sys.stderr, flush=True)
                if args.once:
                    return report.exit_code(connector_rows(result.state))
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
                return 0
            except TimeoutError:
                continue

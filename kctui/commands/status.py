"""``kctui status [--json]``: the connector table with health, for scripts and cron.

Exit code 0 when every connector is fine, 1 when one is UNHEALTHY, DEGRADED or
UNASSIGNED, 2 when the cluster could not be asked (the CLI prints the error).
"""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "status",
        help="print the connector table with health (exit 1 when something is unhealthy)",
        description="Connectors with state, tasks and one health value each, unhealthy first. "
        "Exit code 0 when all is well, 1 when a connector is UNHEALTHY, DEGRADED or "
        "UNASSIGNED, 2 when the cluster cannot be reached.",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_cluster_options(parser)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import shutil
    import sys

    from kctui import report
    from kctui.commands import cluster_from_args, use_color
    from kctui.connect.client import ConnectClient
    from kctui.connect.worker_health import check_workers
    from kctui.rows import connector_rows

    cluster = cluster_from_args(args)

    async def fetch() -> tuple:
        async with ConnectClient(cluster) as client:
            state = await client.cluster_state()
            server = await client.server_info()
        health = await check_workers(cluster, state.workers) if args.json else None
        return state, server, health

    state, server, health = asyncio.run(fetch())
    rows = connector_rows(state)
    if args.json:
        document = report.status_json(
            state, rows, cluster=cluster.name, server=server, worker_health=health
        )
        print(json.dumps(document, indent=2))
    else:
        color = use_color(sys.stdout)
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print(
            report.status_text(
                state, rows, cluster=cluster.name, server=server, color=color, width=width
            )
        )
    return report.exit_code(rows)

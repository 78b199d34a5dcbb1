"""``kctui describe NAME``: status, tasks with full traces, masked config, SMT chain."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "describe",
        help="print one connector: status, tasks, traces, masked config, transforms",
        description="Everything about one connector: state and health, each task with its "
        "worker and full trace, the config with secrets masked, the transforms chain in order, "
        "converters and error handling. Exit code as for 'status'.",
    )
    parser.add_argument("name", metavar="NAME", help="connector name")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_cluster_options(parser)


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json
    import sys

    from kctui import report
    from kctui.commands import command_context, use_color
    from kctui.connect.client import ConnectClient
    from kctui.connect.errors import NotFound
    from kctui.connect.models import Connector
    from kctui.health import rollup

    context = command_context(args)
    cluster = context.cluster

    async def fetch() -> Connector:
        async with ConnectClient(cluster) as client:
            try:
                info = await client.connector(args.name)
                status = await client.connector_status(args.name)
            except NotFound as exc:
                raise NotFound(
                    f"no connector named '{args.name}' on cluster '{cluster.name}' "
                    f"({exc.detail}); 'kctui status' lists them",
                    status=exc.status,
                    error_code=exc.error_code,
                    detail=exc.detail,
                    url=exc.url,
                ) from exc
            return Connector(name=args.name, status=status, info=info)

    connector = asyncio.run(fetch())
    if args.json:
        document = report.describe_json(connector, cluster=cluster.name, rules=context.rules)
        print(json.dumps(document, indent=2))
    else:
        color = use_color(sys.stdout)
        text = report.describe_text(
            connector, cluster=cluster.name, color=color, rules=context.rules
        )
        print(text)
    return 1 if rollup(connector).health.is_problem else 0

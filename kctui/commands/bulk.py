"""``kctui pause|resume|stop|restart --match REGEX [--dry-run]``: one action on many connectors.

Each connector matched by the name regex gets one line: the exact request and its result,
or why it was skipped. Exit code 0 when every request was accepted (or skipped), 1 when
one failed or nothing matched, 2 when the cluster cannot be asked.
"""

from __future__ import annotations

import argparse

HELP = {
    "pause": "pause every connector whose name matches a regex",
    "resume": "resume (or start) every PAUSED/STOPPED connector whose name matches a regex",
    "stop": "stop every connector whose name matches a regex (Kafka 3.5+)",
    "restart": "restart the failed connectors/tasks of every connector matching a regex",
}


def add_bulk_parser(subparsers: argparse._SubParsersAction, action: str) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        action,
        help=HELP[action],
        description=HELP[action].capitalize() + ". Prints the exact request per connector; "
        "--dry-run prints them without sending anything.",
    )
    parser.add_argument(
        "--match", metavar="REGEX", required=True, help="connector names (re.search)"
    )
    parser.add_argument("--dry-run", action="store_true", help="show the requests, send none")
    parser.add_argument("--json", action="store_true", help="one JSON object per connector")
    add_cluster_options(parser)


def run_bulk(args: argparse.Namespace, action: str) -> int:
    import asyncio
    import json
    import sys

    from kctui.commands import cluster_from_args
    from kctui.connect.client import ConnectClient
    from kctui.operate.bulk import BulkResult, match_connectors, plan, run_plan

    cluster = cluster_from_args(args)

    def show(result: BulkResult) -> None:
        item = result.item
        if args.json:
            print(json.dumps({
                "connector": item.connector, "action": action, "requests": list(item.requests),
                "skipped": item.skip, "ok": result.ok, "result": result.message,
            }), flush=True)  # fmt: skip
            return
        if item.skip is not None or args.dry_run:
            outcome = result.message
        else:
            outcome = f"{'ok' if result.ok else 'FAILED'}: {result.message}"
        print(f"{item.connector}  {item.request_text}  {outcome}", flush=True)

    async def go() -> int:
        async with ConnectClient(cluster) as client:
            state = await client.cluster_state()
            connectors = match_connectors(state, args.match)
            if not connectors:
                print(f"no connector name matches {args.match!r}", file=sys.stderr)
                return 1
            server = await client.server_info()
            items = plan(action, connectors, read_only=client.read_only, server=server)
            if args.dry_run:
                for item in items:
                    outcome = f"skipped: {item.skip}" if item.skip else "would be sent (dry run)"
                    show(BulkResult(item, True, outcome))
                return 0
            failures = 0
            async for result in run_plan(client, items):
                failures += not result.ok
                show(result)
            return 1 if failures else 0

    return asyncio.run(go())

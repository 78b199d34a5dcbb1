"""``kctui apply -f FILE_OR_DIR [-f ...] [--dry-run] [--initial-state STOPPED|PAUSED]``.

Validates every connector file against its plugin, prints each error by key, and creates
or updates (whole config, PUT) only when every config is valid. Exit code 0 when all went
well, 1 on validation errors, 2 on any other error.
"""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "apply",
        help="create or update connectors from JSON files (validated first)",
        description="Create or update connectors from JSON files: the REST shape "
        '{"name": ..., "config": {...}} or a bare config map with "name" inside (a file may '
        "hold an array of them; a folder means its *.json files). Every config is validated "
        "against its plugin first and nothing is written unless all are valid. Exit code 0 "
        "ok, 1 validation errors, 2 other errors.",
    )
    parser.add_argument(
        "-f", "--file", dest="files", action="append", required=True, metavar="FILE_OR_DIR",
        help="connector file or folder (repeatable)",
    )  # fmt: skip
    parser.add_argument("--dry-run", action="store_true", help="validate and show changes only")
    parser.add_argument(
        "--initial-state", type=str.upper, choices=("STOPPED", "PAUSED", "RUNNING"),
        help="state of connectors created by this run (Kafka Connect 3.7+; ignored on update)",
    )  # fmt: skip
    add_cluster_options(parser)


def render_results(results: list, *, dry_run: bool) -> list[str]:
    """Lines for the terminal: one heading per connector, errors and changes below it."""
    from kctui.operate.apply import format_errors
    from kctui.operate.diff import render_diff

    lines: list[str] = []
    for result in results:
        where = f" ({result.source})" if result.source else ""
        note = f": {result.message}" if result.message else ""
        lines.append(f"{result.name}{where}: {result.action}{note}")
        lines += [f"  {line}" for line in format_errors(result.errors)]
        if result.changes and result.action not in ("created", "would create"):
            lines += [f"  {line}" for line in render_diff(result.changes)]
        elif result.changes:
            lines.append(f"  {len(result.changes)} keys")
    if dry_run:
        lines.append("dry run: nothing was written")
    return lines


def run(args: argparse.Namespace) -> int:
    import asyncio
    import sys

    from kctui.commands import cluster_from_args
    from kctui.connect.client import ConnectClient
    from kctui.operate.apply import apply_specs, exit_code
    from kctui.operate.files import load_connector_files

    specs = load_connector_files(args.files)
    cluster = cluster_from_args(args)

    async def go() -> list:
        async with ConnectClient(cluster) as client:
            return await apply_specs(
                client, specs, dry_run=args.dry_run, initial_state=args.initial_state
            )

    from kctui.masking import mask_text

    results = asyncio.run(go())
    for line in render_results(results, dry_run=args.dry_run):
        print(mask_text(line))  # Connect's validation errors may quote a connection URL
    sys.stdout.flush()
    return exit_code(results)

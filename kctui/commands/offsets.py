"""``kctui offsets get|set|reset NAME``: KIP-875 offsets of a connector, headless.

``set`` and ``reset`` need a STOPPED connector: kctui says so, or stops it first with
``--stop``. The new offsets are printed after every change.
"""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "offsets",
        help="show, alter or reset a connector's offsets (KIP-875)",
        description="Offsets of a connector (Kafka Connect 3.5+ to read, 3.6+ to alter). "
        "Altering and resetting need a STOPPED connector (--stop stops it first).",
    )
    actions = parser.add_subparsers(dest="offsets_action", metavar="ACTION", required=True)
    get = actions.add_parser("get", help="print the offsets")
    get.add_argument("name", metavar="NAME")
    get.add_argument("--json", action="store_true", help="print Connect's JSON")
    add_cluster_options(get)
    put = actions.add_parser(
        "set",
        help="set one partition's offset",
        description="Sinks: --topic T --partition P --offset O. "
        "Sources: --partition-json '{...}' --offset-json '{...}'.",
    )
    put.add_argument("name", metavar="NAME")
    put.add_argument("--topic", help="sink: topic")
    put.add_argument("--partition", help="sink: partition number")
    put.add_argument("--offset", help="sink: next offset to consume")
    put.add_argument("--partition-json", help="source: the partition map as JSON")
    put.add_argument("--offset-json", help="source: the offset map as JSON")
    put.add_argument("--stop", action="store_true", help="stop the connector first if needed")
    add_cluster_options(put)
    reset = actions.add_parser(
        "reset",
        help="reset all offsets, or one partition",
        description="Reset every offset, or one sink partition (--topic/--partition) or one "
        "source partition (--partition-json).",
    )
    reset.add_argument("name", metavar="NAME")
    reset.add_argument("--topic", help="sink: reset only this topic's partition")
    reset.add_argument("--partition", help="sink: partition number")
    reset.add_argument("--partition-json", help="source: reset only this partition map")
    reset.add_argument("--stop", action="store_true", help="stop the connector first if needed")
    add_cluster_options(reset)


def entries_from_args(args: argparse.Namespace, *, reset: bool) -> list[dict[str, Any]] | None:
    """The PATCH entries the arguments ask for; None for a full reset (DELETE)."""
    from kctui.errors import KctuiError
    from kctui.operate.offsets import sink_entry, source_entry

    sink = args.topic is not None or args.partition is not None
    source = args.partition_json is not None or getattr(args, "offset_json", None) is not None
    if sink and source:
        raise KctuiError("give either --topic/--partition (sink) or --partition-json (source)")
    if sink:
        if args.topic is None or args.partition is None:
            raise KctuiError("a sink partition needs both --topic and --partition")
        if reset:
            return [sink_entry(args.topic, args.partition, None)]
        if args.offset is None:
            raise KctuiError("--offset is needed (the next offset the sink will consume)")
        return [sink_entry(args.topic, args.partition, args.offset)]
    if source:
        if args.partition_json is None:
            raise KctuiError("a source partition needs --partition-json")
        if reset:
            return [source_entry(args.partition_json, None)]
        if args.offset_json is None:
            raise KctuiError("--offset-json is needed (the offset map to store)")
        return [source_entry(args.partition_json, args.offset_json)]
    if reset:
        return None
    raise KctuiError(
        "say which offset: --topic T --partition P --offset O (sink) or "
        "--partition-json '{...}' --offset-json '{...}' (source)"
    )


def render_offsets(name: str, offsets: list) -> list[str]:
    from kctui.operate.offsets import is_sink_offsets, sink_rows, source_rows

    if not offsets:
        return [f"{name}: no offsets stored"]
    if is_sink_offsets(offsets):
        rows = sink_rows(offsets)
        lines = [f"{name} (sink)", f"  {'TOPIC':<30} {'PARTITION':>9} {'OFFSET':>12}"]
        for row in rows:
            shown = "-" if row.offset is None else str(row.offset)
            lines.append(f"  {row.topic:<30} {row.partition:>9} {shown:>12}")
        return lines
    lines = [f"{name} (source)"]
    for partition, offset in source_rows(offsets):
        lines.append(f"  {partition} -> {offset}")
    return lines


def run(args: argparse.Namespace) -> int:
    import asyncio
    import json

    from kctui.commands import cluster_from_args
    from kctui.connect.client import ConnectClient
    from kctui.operate.lifecycle import change_offsets
    from kctui.operate.offsets import offsets_json

    cluster = cluster_from_args(args)
    action = args.offsets_action
    entries = None if action == "get" else entries_from_args(args, reset=action == "reset")

    async def go() -> tuple[list, str]:
        async with ConnectClient(cluster) as client:
            if action == "get":
                return await client.offsets(args.name), ""
            message = await change_offsets(client, args.name, entries, stop_first=args.stop)
            return await client.offsets(args.name), message

    offsets, message = asyncio.run(go())
    if message:
        print(message)
    if action == "get" and args.json:
        print(json.dumps(offsets_json(offsets), indent=2))
    else:
        print("\n".join(render_offsets(args.name, offsets)))
    return 0

"""``kctui demo``: bring up the local sandbox cluster (or reuse it) and open the console on it."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands.console import add_console_options

    parser = subparsers.add_parser(
        "demo",
        help="start the sandbox cluster with demo connectors and open the console on it",
        description="Starts (or reuses) the local sandbox: a Kafka broker, two Connect workers "
        "and demo connectors, one of them failing. Then opens the console on it.",
    )
    add_console_options(parser)
    parser.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                        help="open the console in read-only mode")  # fmt: skip


def run(args: argparse.Namespace) -> int:
    import time

    from msgspec.structs import replace

    from kctui.commands import rules_beside
    from kctui.commands.console import launch
    from kctui.configfile import load_config
    from kctui.sandbox.cluster import Sandbox

    box = Sandbox.from_env()
    started = time.monotonic()
    result = box.up(seed=True)
    elapsed = time.monotonic() - started
    how = "started" if result.started else "already running, reused"
    print(f"sandbox {how} in {elapsed:.1f} s (Kafka {result.version})", flush=True)
    cluster = box.cluster_config()
    if getattr(args, "read_only", False):
        cluster = replace(cluster, read_only=True)
    config = load_config(box.config_file, import_kcctl=False)
    return launch(
        cluster,
        config,
        theme=getattr(args, "theme", None),
        refresh=getattr(args, "refresh", None),
        rules=rules_beside(config.path),
    )

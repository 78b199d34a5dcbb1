"""``kctui stop --match REGEX [--dry-run]``: see kctui.commands.bulk."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands.bulk import add_bulk_parser

    add_bulk_parser(subparsers, "stop")


def run(args: argparse.Namespace) -> int:
    from kctui.commands.bulk import run_bulk

    return run_bulk(args, "stop")

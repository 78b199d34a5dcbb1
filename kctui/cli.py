"""Command-line entry point: argument parsing and subcommand dispatch.

Nothing here imports Textual, httpx or kafka at module level so that ``kctui --help``
and ``kctui --version`` stay instant. Each subcommand lives in ``kctui/commands/<name>.py``
and exposes ``add_parser(subparsers)`` and ``run(args) -> int``; its heavy imports happen
inside ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from kctui import __version__

# Subcommand modules under kctui.commands, in the order --help lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "console",
    "demo",
    "sandbox",
    "status",
    "describe",
    "config",
    "dlq",
    "logs",
    "triage",
    "metrics",
    "apply",
    "offsets",
)


def _available_modules() -> list[ModuleType]:
    modules: list[ModuleType] = []
    for name in COMMAND_MODULES:
        try:
            modules.append(importlib.import_module(f"kctui.commands.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"kctui.commands.{name}":
                raise
    return modules


def add_cluster_options(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    """Options shared by every command that talks to a cluster.

    Subcommands add them again (with suppressed defaults) so that both
    ``kctui --cluster x status`` and ``kctui status --cluster x`` work.
    """
    default = None if top_level else argparse.SUPPRESS
    parser.add_argument(
        "--cluster", "-c", metavar="NAME", default=default, help="cluster from the config file"
    )
    parser.add_argument(
        "--url",
        metavar="URL",
        default=default,
        help="Connect REST URL (several comma-separated); overrides --cluster; env KCTUI_URL",
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=False if top_level else argparse.SUPPRESS,
        help="never send a mutating request to the cluster",
    )
    parser.add_argument(
        "--config", metavar="FILE", default=default, help="config file (default: XDG path)"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kctui",
        description="A terminal console for troubleshooting Apache Kafka Connect clusters.",
    )
    parser.add_argument("--version", action="version", version=f"kctui {__version__}")
    add_cluster_options(parser, top_level=True)
    parser.add_argument("--theme", metavar="NAME", help="colour theme (remembered)")
    parser.add_argument(
        "--refresh", metavar="SECONDS", type=float, help="console auto-refresh interval"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _available_modules():
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = args.command or "console"
    module = importlib.import_module(f"kctui.commands.{command}")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence for the CLI
        from kctui.errors import KctuiError

        if isinstance(exc, KctuiError):
            print(f"kctui: {exc}", file=sys.stderr)
            return exc.exit_code
        raise


if __name__ == "__main__":
    raise SystemExit(main())

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
from kctui.commands import add_cluster_options

# Subcommand modules under kctui.commands, in the order --help lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "console",
    "demo",
    "sandbox",
    "status",
    "describe",
    "explain",
    "config",
    "dlq",
    "dlq_redrive",
    "logs",
    "triage",
    "metrics",
    "apply",
    "offsets",
    "watch",
    "pause",
    "resume",
    "stop",
    "restart",
)


def _command_modules() -> list[ModuleType]:
    """Every subcommand module; a missing one is a broken install, never skipped."""
    return [importlib.import_module(f"kctui.commands.{name}") for name in COMMAND_MODULES]


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
    for module in _command_modules():
        module.add_parser(subparsers)
    return parser


_VALUED_OPTIONS = {"--cluster", "-c", "--url", "--config", "--theme", "--refresh"}
_NESTED = {("dlq", "redrive"): "dlq-redrive"}


def _nest(argv: list[str]) -> list[str]:
    """``kctui dlq redrive ...`` is the command ``dlq-redrive`` (``dlq`` takes a TOPIC)."""
    for i, token in enumerate(argv[:-1]):
        if i and argv[i - 1] in _VALUED_OPTIONS:
            continue
        if (token, argv[i + 1]) in _NESTED:
            return [*argv[:i], _NESTED[(token, argv[i + 1])], *argv[i + 2 :]]
        if not token.startswith("-"):
            break  # the first word is the command
    return argv


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_nest(list(sys.argv[1:] if argv is None else argv)))
    command = (args.command or "console").replace("-", "_")
    module = importlib.import_module(f"kctui.commands.{command}")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence for the CLI
        from kctui.errors import KctuiError
        from kctui.masking import mask_text

        if isinstance(exc, KctuiError):
            print(f"kctui: {mask_text(str(exc))}", file=sys.stderr)
            return exc.exit_code
        raise


if __name__ == "__main__":
    raise SystemExit(main())

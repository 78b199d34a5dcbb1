"""``kctui`` (or ``kctui console``): the interactive console on one cluster."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kctui.diagnose.model import Rule
    from kctui.settings import ClusterConfig, Config


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "console",
        help="open the console (the default when no command is given)",
        description="The interactive console: connectors by health, tasks, traces, config, "
        "lifecycle keys. Press ? inside for every key.",
    )
    add_console_options(parser)
    add_cluster_options(parser)


def add_console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--theme", metavar="NAME", default=argparse.SUPPRESS, help="colour theme (remembered)"
    )
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        type=float,
        default=argparse.SUPPRESS,
        help="auto-refresh interval (default: the cluster's refresh_seconds, 5)",
    )


def launch(
    cluster: ClusterConfig,
    config: Config,
    *,
    theme: str | None = None,
    refresh: float | None = None,
    rules: Sequence[Rule] | None = None,
) -> int:
    """Run the console app on ``cluster`` until the user quits; ``rules`` are the diagnosis
    rules the command loaded (a bad rules.toml has stopped it before the terminal is taken)."""
    from msgspec.structs import replace

    from kctui.errors import KctuiError

    if refresh is not None:
        if not refresh > 0:
            raise KctuiError(f"--refresh: expected a positive number of seconds, got {refresh}")
        cluster = replace(cluster, refresh_seconds=refresh)
    from kctui.ui.app import KctuiApp
    from kctui.ui.keys import check_keymap

    check_keymap(config.keymap, f"{config.path or 'config'}: [keymap]")
    app = KctuiApp(
        cluster,
        theme=theme or config.theme,
        keymap=config.keymap,
        config_file=config.path,
        remembered_theme=config.theme,
        rules=rules,
    )
    app.run()
    return app.return_code or 0


def run(args: argparse.Namespace) -> int:
    from kctui.commands import command_context

    context = command_context(args)
    return launch(
        context.cluster,
        context.config,
        theme=getattr(args, "theme", None),
        refresh=getattr(args, "refresh", None),
        rules=context.rules,
    )

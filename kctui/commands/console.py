"""``kctui`` (or ``kctui console``): the interactive console on one cluster."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kctui.config import ClusterConfig, Config


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from kctui.cli import add_cluster_options

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
) -> int:
    """Run the console app on ``cluster`` until the user quits."""
    from dataclasses import replace

    from kctui.errors import KctuiError

    if refresh is not None:
        if not refresh > 0:
            raise KctuiError(f"--refresh: expected a positive number of seconds, got {refresh}")
        cluster = replace(cluster, refresh_seconds=refresh)
    from kctui.diagnose import load_rules

    load_rules()  # once, before the screens use them: a bad rules.toml stops here, clearly
    from kctui.ui.app import KctuiApp
    from kctui.ui.keys import check_keymap

    check_keymap(config.keymap, f"{config.path or 'config'}: [keymap]")
    app = KctuiApp(
        cluster,
        theme=theme or config.theme,
        keymap=config.keymap,
        config_file=config.path,
        remembered_theme=config.theme,
    )
    app.run()
    return app.return_code or 0


def run(args: argparse.Namespace) -> int:
    from kctui.commands import config_and_cluster

    config, cluster = config_and_cluster(args)
    return launch(
        cluster, config, theme=getattr(args, "theme", None), refresh=getattr(args, "refresh", None)
    )

"""Subcommands of the ``kctui`` CLI, and the helpers they share (kept light: lazy imports)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kctui.config import ClusterConfig, Config


def config_and_cluster(args: argparse.Namespace) -> tuple[Config, ClusterConfig]:
    """The config file and the cluster the common options point at (``--url``, ``--cluster``...)."""
    from pathlib import Path

    from kctui.config import load_config, resolve_cluster
    from kctui.diagnose.loading import use_config_file

    config_file = getattr(args, "config", None)
    config = load_config(Path(config_file) if config_file else None)
    use_config_file(config.path)  # the user's rules.toml may sit beside it
    cluster = resolve_cluster(
        config,
        name=getattr(args, "cluster", None),
        url=getattr(args, "url", None),
        read_only=bool(getattr(args, "read_only", False)),
    )
    return config, cluster


def cluster_from_args(args: argparse.Namespace) -> ClusterConfig:
    """The cluster the common options point at."""
    return config_and_cluster(args)[1]


def use_color(stream: object) -> bool:
    """ANSI colours only on a terminal, and never with ``NO_COLOR`` set."""
    import os

    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")

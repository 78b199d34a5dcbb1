"""Subcommands of the ``kctui`` CLI, and the helpers they share (kept light: lazy imports)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kctui.diagnose.model import Rule
    from kctui.settings import ClusterConfig, Config


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


def rules_beside(config_file: Path | None) -> tuple[Rule, ...]:
    """The diagnosis rules a command uses: the shipped ones with the user's ``rules.toml``
    (the XDG config folder's, then the one beside ``config_file``). A bad file raises
    :class:`~kctui.diagnose.RuleFileError`, which the CLI prints as one line (exit 2)."""
    from kctui.diagnose.loading import load_rules

    return load_rules(config_file=config_file)


def rules_for(args: argparse.Namespace) -> tuple[Rule, ...]:
    """The diagnosis rules of a command that needs no cluster (``--config`` names the file
    the user's rules sit beside)."""
    config_file = getattr(args, "config", None)
    return rules_beside(Path(config_file).expanduser() if config_file else None)


@dataclass
class CommandContext:
    """What a command runs with: the config file, the cluster its options point at, and the
    diagnosis rules, loaded when the command first asks for them."""

    config: Config
    cluster: ClusterConfig
    _rules: tuple[Rule, ...] | None = field(default=None, repr=False)

    @property
    def rules(self) -> tuple[Rule, ...]:
        if self._rules is None:
            self._rules = rules_beside(self.config.path)
        return self._rules


def command_context(args: argparse.Namespace) -> CommandContext:
    """The config file and the cluster the common options point at (``--url``, ``--cluster``...)."""
    from kctui.configfile import load_config, resolve_cluster

    config_file = getattr(args, "config", None)
    config = load_config(Path(config_file) if config_file else None)
    cluster = resolve_cluster(
        config,
        name=getattr(args, "cluster", None),
        url=getattr(args, "url", None),
        read_only=bool(getattr(args, "read_only", False)),
    )
    return CommandContext(config, cluster)


def cluster_from_args(args: argparse.Namespace) -> ClusterConfig:
    """The cluster the common options point at."""
    return command_context(args).cluster


def use_color(stream: object) -> bool:
    """ANSI colours only on a terminal, and never with ``NO_COLOR`` set."""
    import os

    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")

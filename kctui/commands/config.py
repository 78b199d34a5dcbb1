"""``kctui config path|list|use NAME``: where the config is, its clusters, the current one."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="show the config file path, list clusters, choose the current cluster",
        description="Clusters come from the TOML config file and from kcctl's ~/.kcctl "
        "(imported as kcctl-<context>, read only from there).",
    )
    parser.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS)
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    actions.add_parser("path", help="print the config file path")
    actions.add_parser("list", help="list clusters; * marks the current one")
    use = actions.add_parser("use", help="make NAME the current cluster")
    use.add_argument("name", metavar="NAME")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from kctui.configfile import load_config, update_config
    from kctui.settings import ConfigError, config_path

    explicit = getattr(args, "config", None)
    path = Path(explicit).expanduser() if explicit else config_path()
    if args.config_action == "path":
        print(path)
        return 0
    config = load_config(path)
    clusters = config.all_clusters()
    if args.config_action == "use":
        if args.name not in clusters:
            known = ", ".join(sorted(clusters)) or "none"
            raise ConfigError(f"unknown cluster '{args.name}' (known: {known}; file {path})")
        update_config(path, current=args.name)
        print(f"current cluster: {args.name} (written to {path})")
        return 0
    if not clusters:
        print(f"no clusters in {path}; add one, or run 'kctui sandbox up'")
        return 0
    from kctui.report import cell_width, pad

    width = max(cell_width(name) for name in clusters)
    for name, cluster in sorted(clusters.items()):
        mark = "*" if name == config.current else " "
        source = "kcctl" if name in config.imported and name not in config.clusters else "config"
        flags = " read-only" if cluster.read_only else ""
        print(f"{mark} {pad(name, width)}  {','.join(cluster.urls)}  [{source}{flags}]")
    return 0

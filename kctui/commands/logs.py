"""``kctui logs``: worker log records, filtered by connector, task, level or failures.

Sources are the files given on the command line (paths or globs) or, with none, the log
sources configured for the cluster (``[[clusters.NAME.logs]]``). In a terminal the log view
opens at the end of the logs (no Connect cluster needed), with the filters preset; with
``--print`` or when stdout is not a terminal, records are printed: several workers merged
by timestamp and tagged with their worker. Exit status when printing: 0 when something was
printed, 1 when nothing matched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any, TextIO

from kctui.errors import KctuiError
from kctui.masking import mask_text

IDLE_SECONDS = 2.0  # without --follow, a command that stays silent this long is done
POLL_SECONDS = 0.25

_RESET = "\033[0m"
_STYLES = {
    "failure": "\033[1;31m",
    "offset": "\033[33m",
    "rebalance": "\033[35m",
    "worker": "\033[1;34m",
    "lifecycle": "\033[36m",
    "trace": "\033[31m",
    "dim": "\033[2m",
    "WARN": "\033[33m",
    "ERROR": "\033[31m",
    "FATAL": "\033[1;31m",
    "DEBUG": "\033[2m",
    "TRACE": "\033[2m",
}


def add_parser(subparsers: Any) -> None:
    from kctui.commands import add_cluster_options

    parser = subparsers.add_parser(
        "logs",
        help="worker log records: failures, startups, rebalances per connector and task",
        description=(
            "Worker log records, filtered by connector, task, level or failures. SOURCE are "
            "log files or globs; with none, the log sources configured for the cluster. In a "
            "terminal the log view opens at the end of the logs with these filters preset; "
            "with --print (or when stdout is not a terminal) records are printed, several "
            "workers merged by timestamp and tagged with their worker, exit status 0 when "
            "something matched and 1 when nothing did. Layouts (Kafka, Confluent, Strimzi, "
            "Debezium, log4j2 JSON, behind kubectl/docker compose/journald prefixes) are "
            "detected per file."
        ),
    )
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="log files or globs (default: the cluster's)"
    )
    parser.add_argument("--connector", metavar="NAME", help="only records of this connector")
    parser.add_argument("--task", metavar="N", type=int, help="only records of this task id")
    parser.add_argument(
        "--failures", action="store_true", help="only failures, offset commit problems, errors"
    )
    parser.add_argument("--level", metavar="LEVEL", help="minimum level (TRACE ... FATAL)")
    parser.add_argument("--grep", metavar="TEXT", help="only records containing TEXT")
    parser.add_argument("--regex", action="store_true", help="--grep TEXT is a regular expression")
    parser.add_argument(
        "--print", action="store_true", help="print records instead of opening the log view"
    )
    parser.add_argument(
        "--layout",
        metavar="NAME",
        help="layout of the SOURCE files: kafka, confluent, strimzi, debezium, ecs, "
        "log4j2-json (default: detected)",
    )
    parser.add_argument(
        "--pattern", metavar="PATTERN", help="log4j PatternLayout of the SOURCE files"
    )
    parser.add_argument("--follow", "-f", action="store_true", help="keep printing new records")
    parser.add_argument(
        "--no-trace", action="store_true", help="print header lines without their stack traces"
    )
    parser.add_argument(
        "--color", choices=("auto", "always", "never"), default="auto", help="colour output"
    )
    add_cluster_options(parser)
    parser.set_defaults(command="logs")


def _sources(args: argparse.Namespace) -> tuple[Any, ...]:
    from kctui.commands import cluster_from_args
    from kctui.logs.sources import expand_path, path_sources

    if args.sources:
        for source in args.sources:
            if not expand_path(source) and not args.follow:
                raise KctuiError(f"no such log file: {source}")
            if os.path.isdir(os.path.expanduser(source)):
                raise KctuiError(f"{source} is a directory; give the log file (or a glob)")
        from msgspec.structs import replace

        from kctui.logs.layouts import LayoutError, for_source

        layout, pattern = getattr(args, "layout", None), getattr(args, "pattern", None)
        try:
            for_source(layout, pattern)
        except LayoutError as exc:
            raise KctuiError(f"--{'pattern' if pattern else 'layout'}: {exc}") from exc
        return tuple(
            replace(source, layout=layout, pattern=pattern) for source in path_sources(args.sources)
        )
    if getattr(args, "layout", None) or getattr(args, "pattern", None):
        raise KctuiError("--layout/--pattern apply to SOURCE files; set them in the config")
    cluster = cluster_from_args(args)
    if not cluster.logs:
        raise KctuiError(
            f"cluster '{cluster.name}' has no log sources: add [[clusters.{cluster.name}.logs]] "
            "entries to the config file (see docs/logs.md) or give log files as arguments"
        )
    return cluster.logs


class _Printer:
    def __init__(self, out: TextIO, *, color: bool, tag: bool, trace: bool) -> None:
        self.out, self.color, self.tag, self.trace = out, color, tag, trace
        self.printed = 0

    def _paint(self, text: str, style: str | None) -> str:
        if not self.color or not style:
            return text
        return f"{_STYLES[style]}{text}{_RESET}"

    def record(self, worker: str, header: Any, continuation: list[str]) -> None:
        kind = header.kind.value
        style = kind if kind in _STYLES else None
        if style is None and header.level in _STYLES:
            style = header.level
        prefix = self._paint(f"{worker} | ", "dim") if self.tag else ""
        lines = [prefix + self._paint(mask_text(header.text), style)]
        if self.trace:
            trace_style = "trace" if header.is_failure else "dim"
            lines.extend(
                prefix + self._paint(mask_text(text), trace_style) for text in continuation
            )
        self.out.write("\n".join(lines) + "\n")
        self.printed += 1


def run(args: argparse.Namespace) -> int:
    from kctui.commands import use_color
    from kctui.logs.feed import LogFeed
    from kctui.logs.filters import FilterError, LogFilter

    try:
        flt = LogFilter(
            connector=args.connector,
            task=args.task,
            failures_only=args.failures,
            min_level=args.level,
            text=args.grep or "",
            regex=args.regex,
        )
    except FilterError as exc:
        raise KctuiError(str(exc)) from exc
    sources = _sources(args)
    if not getattr(args, "print", False) and not args.follow and _is_terminal(sys.stdout):
        return _open_viewer(args, sources, flt)
    color = args.color == "always" or (args.color == "auto" and use_color(sys.stdout))
    printer = _Printer(
        sys.stdout, color=color, tag=len({s.worker for s in sources}) > 1, trace=not args.no_trace
    )
    # --failures finds past failures with the fast scan: no need to index the files first.
    feed = LogFeed(sources, index_history=not flt.failures_only)
    try:
        _read_history(feed, args.follow)
        _print_rows(feed, feed.build(flt).rows, printer)
        sys.stdout.flush()
        if args.follow:
            while True:
                step = feed.step()
                _notices(step.notices)
                if step.appended:
                    _print_rows(feed, feed.select_new(step.appended, flt).rows, printer)
                    sys.stdout.flush()
                time.sleep(POLL_SECONDS)
    finally:
        feed.close()
    if not printer.printed:
        print("kctui: no matching log records", file=sys.stderr)
        return 1
    return 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _open_viewer(args: argparse.Namespace, sources: tuple[Any, ...], flt: Any) -> int:
    """The log view in the terminal, at the end of the logs, with the filters preset."""
    from kctui.commands import cluster_from_args, rules_for
    from kctui.settings import ClusterConfig

    name = "files" if args.sources else cluster_from_args(args).name
    rules = rules_for(args)  # a bad rules.toml stops here, before the terminal is taken
    from kctui.ui.log_app import LogViewerApp

    LogViewerApp(ClusterConfig(name=name, urls=(), logs=sources), flt, rules=rules).run()
    return 0


def _read_history(feed: Any, follow: bool) -> None:
    """Index every file completely; without --follow, read commands until they go quiet."""
    step = feed.step()
    _notices(step.notices)
    last_output = time.monotonic()
    running = feed.commands_running
    while True:
        if step.appended:
            last_output = time.monotonic()
        commands_done = follow or not running or time.monotonic() - last_output > IDLE_SECONDS
        if not step.scanning and commands_done:
            return
        running = feed.commands_running  # one more step after they finish reads the rest
        if not step.scanning:
            time.sleep(POLL_SECONDS / 2)
        step = feed.step()
        _notices(step.notices)


def _notices(notices: Any) -> None:
    for notice in notices:
        print(f"kctui: {notice.worker}: {notice.message}", file=sys.stderr)


def _print_rows(feed: Any, rows: Any, printer: _Printer) -> None:
    for packed in rows:
        header = feed.header(packed)
        continuation = feed.read_continuation(packed) if printer.trace else []
        printer.record(feed.worker_of(packed), header, continuation)

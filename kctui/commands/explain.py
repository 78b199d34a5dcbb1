"""``kctui explain [FILE|-] [--json]``: explain a pasted failure (no cluster needed)."""

from __future__ import annotations

import argparse

EXIT_DIAGNOSED, EXIT_UNKNOWN, EXIT_ERROR = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "explain",
        help="explain a pasted failure: a trace, log excerpt, REST or status answer, DLQ headers",
        description="Read a failure however it was pasted (a trace, a log excerpt with "
        "collector prefixes, a one-line trace, a REST error or status answer, a status table, "
        "DLQ headers) from FILE or standard input, and print its chain, root cause, category, "
        "the system it comes from and what to do, with secrets masked. Exit code: 0 diagnosed, "
        "1 not diagnosed, 2 unreadable input.",
    )
    parser.add_argument("file", metavar="FILE", nargs="?", default="-",
                        help="file to read; '-' or nothing reads standard input")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--config", metavar="FILE", default=None, help="your rules.toml is looked for beside it"
    )


def _read(name: str) -> tuple[bytes, bool, str]:
    """(bytes read, True when there was more than the limit, what to call the input)."""
    import sys
    from pathlib import Path

    from kctui.diagnose.explain import MAX_INPUT_BYTES

    if name == "-":
        stream = sys.stdin.buffer
        if sys.stdin.isatty():
            print("kctui explain: reading a failure from the terminal (end with Ctrl-D)",
                  file=sys.stderr)  # fmt: skip
        data = stream.read(MAX_INPUT_BYTES + 1)
        return data, len(data) > MAX_INPUT_BYTES, "standard input"
    path = Path(name)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except IsADirectoryError:
        raise OSError(f"{name} is a directory, not a file") from None
    except OSError as exc:
        raise OSError(f"cannot read {name}: {exc.strerror or exc}") from None
    return data, len(data) > MAX_INPUT_BYTES, name


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from kctui.commands import rules_for
    from kctui.diagnose.explain import (
        InputError,
        decode_input,
        explain,
        explanation_json,
        explanation_lines,
    )

    rules = rules_for(args)  # a bad rules.toml of the user's stops here, with its message (exit 2)
    try:
        data, truncated, where = _read(args.file)
        text, note = decode_input(data, truncated=truncated, where=where)
    except (OSError, InputError) as exc:
        print(f"kctui explain: {exc}", file=sys.stderr)
        return EXIT_ERROR
    if note:
        print(f"kctui explain: {note}", file=sys.stderr)
    found = explain(text, rules)
    if args.json:
        print(json.dumps(explanation_json(found), indent=2, ensure_ascii=False))
    else:
        print("\n".join(explanation_lines(found)))
    return EXIT_DIAGNOSED if found.diagnosis else EXIT_UNKNOWN

"""Masking and trace-model benchmarks; prints figures, never asserts on time.

1. ``mask_text`` over the lines of the sandbox's real worker log (tests/fixtures/logs):
   lines per second, next to a plain ``str.lower`` pass on the same lines as the peer (the
   least any per-line pass costs), as a ratio; then the same on lines that hold a
   credential (the real samples of tests/fixtures/traces), which take the full path.
2. ``parse_trace`` and ``trace_spans`` on the real traces of tests/fixtures/traces (cache
   cleared each round), median per trace, next to ``str.splitlines`` on the same texts.

Run with ``.venv/bin/python tests/bench/bench_masking.py [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from kctui.masking import mask_text
from kctui.traces import parse_trace, trace_spans

ROOT = Path(__file__).parents[1] / "fixtures"


def mask_all(lines: list[str]) -> list[str]:
    return [mask_text(line) for line in lines]


def lower_all(lines: list[str]) -> list[str]:
    """The peer: one pass over the same lines with a cheap str method."""
    return [line.lower() for line in lines]


def median_seconds(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def trace_texts() -> list[str]:
    texts = []
    for path in sorted((ROOT / "traces").iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.name.startswith("status-") and path.suffix == ".json":
            text = json.loads(text)["connector"]["trace"]
        if path.suffix in (".txt", ".log", ".json"):
            texts.append(text)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    log_lines = (ROOT / "logs" / "sandbox-connect.log").read_text(encoding="utf-8").splitlines()
    secret_lines = [line for text in trace_texts() for line in text.splitlines() if line]
    for label, lines in (
        ("worker log lines", log_lines),
        ("lines of credential samples", secret_lines),
    ):
        masked = median_seconds(functools.partial(mask_all, lines), args.rounds)
        peer = median_seconds(functools.partial(lower_all, lines), args.rounds)
        print(
            f"mask_text, {len(lines):,} {label}: {len(lines) / masked:,.0f} lines/s "
            f"({masked * 1e6 / len(lines):.2f} µs/line); str.lower peer "
            f"{peer * 1e6 / len(lines):.2f} µs/line; ratio {masked / peer:.1f}x"
        )

    texts = trace_texts()

    def parse_all() -> None:
        parse_trace.cache_clear()
        for text in texts:
            parse_trace(text)

    parsed = median_seconds(parse_all, args.rounds)
    spans = median_seconds(lambda: [trace_spans(t) for t in texts], args.rounds)
    split = median_seconds(lambda: [t.splitlines() for t in texts], args.rounds)
    count = len(texts)
    print(
        f"parse_trace, {count} real samples: {parsed * 1e6 / count:.0f} µs/trace; trace_spans "
        f"{spans * 1e6 / count:.0f} µs/trace; splitlines peer {split * 1e6 / count:.1f} µs/trace "
        f"(parse {parsed / split:.0f}x)"
    )


if __name__ == "__main__":
    main()

"""Diagnosis benchmarks; prints figures, never asserts on time.

1. Loading the rules (TOML parse and regex compile of the shipped set), cold.
2. One diagnosis per real failure of tests/fixtures/diagnose (45+ texts): the median
   time of ``diagnose`` with a fresh parse, next to ``parse_trace`` alone on the same texts
   (the cost a screen already pays to show the trace), as a ratio.
3. The DLQ summary's per-group diagnoses over N dead letters built from the sandbox's real
   error headers (each with its own offset, as on a real topic), next to ``summarize`` on
   the same list (what the screen already computes on every page), as a ratio.

Run with ``.venv/bin/python tests/bench/bench_diagnose.py [--letters 100000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from kctui.diagnose import diagnose, parse_rules
from kctui.diagnose.dlq import group_diagnoses
from kctui.diagnose.loading import BUILT_IN, builtin_text
from kctui.dlq.records import KafkaRecord, decode_dead_letter, summarize
from kctui.traces import parse_trace

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"


def median_seconds(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def failure_texts() -> list[str]:
    texts = []
    for path in sorted(FIXTURES.iterdir()):
        if path.suffix in (".log", ".txt"):
            texts.append(path.read_text(encoding="utf-8"))
    return texts


def dead_letters(count: int) -> list:
    letters = []
    for name in ("sandbox-dlq-not-json.json", "sandbox-smt-dlq-header.json"):
        headers = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        for offset in range(count // 2):
            own = dict(headers, **{"__connect.errors.offset": str(offset)})
            stack = own.get("__connect.errors.exception.stacktrace") or ""
            own["__connect.errors.exception.stacktrace"] = stack.replace(
                "offset=", f"offset={offset} "
            )  # distinct strings, as records on a real topic are
            encoded = tuple((k, None if v is None else v.encode()) for k, v in own.items())
            record = KafkaRecord("dlq", 0, offset, 0, None, b"x", encoded)
            letters.append(decode_dead_letter(record))
    return letters


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    text = builtin_text()
    load = median_seconds(lambda: parse_rules(text, BUILT_IN), args.repeat)
    rules = parse_rules(text, BUILT_IN)
    print(f"rules: {len(rules)} built-in, loaded in {load * 1000:.1f} ms (median of {args.repeat})")

    texts = failure_texts()

    def parse_all() -> None:
        parse_trace.cache_clear()
        for t in texts:
            parse_trace(t)

    def diagnose_all() -> None:
        parse_trace.cache_clear()
        for t in texts:
            diagnose(t, rules=rules)

    parse = median_seconds(parse_all, args.repeat) / len(texts)
    both = median_seconds(diagnose_all, args.repeat) / len(texts)
    print(
        f"one failure ({len(texts)} real texts): diagnose {both * 1e6:.0f} us "
        f"vs parse_trace alone {parse * 1e6:.0f} us (x{both / parse:.1f})"
    )

    letters = dead_letters(args.letters)
    groups = median_seconds(lambda: group_diagnoses(letters, rules), args.repeat)
    counts = median_seconds(lambda: summarize(letters), args.repeat)
    print(
        f"DLQ summary of {len(letters):,} dead letters: group diagnoses {groups * 1000:.0f} ms "
        f"vs summarize {counts * 1000:.0f} ms (x{groups / counts:.2f})"
    )


if __name__ == "__main__":
    main()

"""Diagnosis benchmarks; prints figures, never asserts on time.

1. Loading the rules: the shipped rules, categories and systems (TOML parse and regex
   compile), in process and in a fresh interpreter (import included). Target: 30 ms. Then
   the categories, their lexicons and the systems alone (what the larger lexicons cost).
2. One diagnosis per real failure of tests/fixtures/diagnose (45+ texts): the median
   time of ``diagnose`` with a fresh parse, next to ``parse_trace`` alone on the same texts
   (the cost a screen already pays to show the trace), as a ratio.
3. The DLQ summary's per-group diagnoses over N dead letters built from the sandbox's real
   error headers (each with its own offset, as on a real topic), next to ``summarize`` on
   the same list (what the screen already computes on every page), as a ratio.

4. A 200-line trace mangled as pasted (docker compose prefixes and a log header; the same
   trace collapsed onto one line; inside a status answer with real newlines; the printed
   trace as is), diagnosed from scratch (no parse cache). Target: 2 ms. Then the printed
   trace with its causes made unknown, so that every rule and every category is tried and
   none fits: the slowest path, the one a failure kctui cannot name takes.

Run with ``.venv/bin/python tests/bench/bench_diagnose.py [--letters 100000]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kctui.diagnose import diagnose, parse_rules
from kctui.diagnose.classify import load_catalog
from kctui.diagnose.dlq import group_diagnoses
from kctui.diagnose.loading import BUILT_IN, builtin_text
from kctui.dlq.records import KafkaRecord, decode_dead_letter, summarize
from kctui.traces import parse_trace

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"
TRACES = Path(__file__).parents[1] / "fixtures" / "traces"
COLD_LOAD = (
    "import time; t = time.perf_counter(); from kctui.diagnose import load_rules; "
    "load_rules({'XDG_CONFIG_HOME': '/nonexistent', 'KCTUI_CONFIG': '/nonexistent/c.toml'}); "
    "print((time.perf_counter() - t) * 1000)"
)


def long_trace(lines: int = 200) -> str:
    """A real Connect trace (the sandbox's failing sink) with the frames of other real
    traces as more causes, up to ``lines`` lines."""
    head = (FIXTURES / "sandbox-file-sink-missing-dir.txt").read_text(encoding="utf-8")
    out = head.rstrip("\n").split("\n")
    frames = [
        line
        for path in sorted(TRACES.glob("*.txt")) + sorted(FIXTURES.glob("*.log"))
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.lstrip().startswith("at ")
    ]
    cause = 0
    while len(out) < lines:
        cause += 1
        out.append(f"Caused by: java.io.IOException: nested failure {cause}")
        out += frames[cause * 17 % len(frames) :][:20]
    return "\n".join(out[:lines])


def mangled(trace: str) -> dict[str, str]:
    compose = "\n".join(f"connect-1  | {line}" for line in trace.split("\n"))
    header = (
        "[2024-05-01 10:00:00,002] ERROR [s|task-0] WorkerSinkTask{id=s-0} Task threw an "
        "uncaught and unrecoverable exception (org.apache.kafka.connect.runtime.WorkerTask:196)"
    )
    status = json.dumps({"name": "s", "tasks": [{"id": 0, "state": "FAILED", "trace": trace}]})
    return {
        "compose prefixes + log header": f"connect-1  | {header}\n{compose}",
        "one collapsed line": " ".join(line.strip() for line in trace.split("\n")),
        "status answer, raw newlines": status.replace("\\n", "\n").replace("\\t", "\t"),
        "printed as is": trace,
        "printed, nothing known in it": unknown(trace),
    }


def unknown(trace: str) -> str:
    """``trace`` with its exceptions and messages made ones no rule or category knows."""
    lines: list[str] = []
    for line in trace.split("\n"):
        if not line.lstrip().startswith("at "):
            head = "Caused by: " if line.startswith("Caused by: ") else ""
            line = f"{head}com.example.OddStateException: state {len(lines)} was odd"
        lines.append(line)
    return "\n".join(lines)


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

    def load_all() -> None:
        load_catalog.cache_clear()
        load_catalog()
        parse_rules(text, BUILT_IN)

    load = median_seconds(load_all, args.repeat)
    rules = parse_rules(text, BUILT_IN)
    catalog = load_catalog()
    cold = statistics.median(
        float(
            subprocess.run(
                [sys.executable, "-c", COLD_LOAD], capture_output=True, text=True, check=True
            ).stdout
        )  # fmt: skip
        for _ in range(args.repeat)
    )
    print(
        f"rules: {len(rules)} built-in + {len(catalog.categories)} categories + "
        f"{len(catalog.systems)} systems, loaded in {load * 1000:.1f} ms in process, "
        f"{cold:.1f} ms in a fresh interpreter with the import (median of {args.repeat})"
    )

    def load_catalog_only() -> None:
        load_catalog.cache_clear()
        load_catalog()

    alone = median_seconds(load_catalog_only, args.repeat)
    lexicon = catalog.lexicon
    written = len({(term.category, term.source) for term in lexicon.terms})
    print(
        f"of which categories + lexicons + systems: {alone * 1000:.1f} ms "
        f"({written} lexicon terms as written, {len(lexicon.terms)} spellings, "
        f"{len(lexicon.codes)} error codes)"
    )

    trace = long_trace()
    for layout, pasted in mangled(trace).items():

        def once(pasted: str = pasted) -> None:
            parse_trace.cache_clear()
            diagnose(pasted, rules=rules)

        found = diagnose(pasted, rules=rules)
        took = median_seconds(once, args.repeat * 20)
        print(
            f"200-line trace, {layout} ({len(pasted):,} chars): diagnose {took * 1000:.2f} ms "
            f"-> {found.rule if found else None}"
        )

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

"""How long ``kctui sandbox up`` takes, plain and ``--secure``, side by side in one run.

Each kind starts in a folder of its own (never the user's sandbox): ``fresh`` from an empty
folder (the secure one also makes its CA, keystores and passwords and formats the broker
with its SCRAM users), then ``restart`` with the data kept, then ``reuse`` while it is up.
Every start includes the demo scenario (connectors settled, dead letters written). The
Kafka jars must be cached already (a first run downloads them: that is not measured here).
One kind runs at a time and is stopped before the next starts; the kinds take turns, run
after run, so both meet the same load. Prints each run and the medians; never passes or
fails on time.

    python tests/bench/bench_sandbox_start.py [--runs 3] [--kinds plain,secure]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from kctui.sandbox.cluster import Sandbox
from kctui.sandbox.procs import port_is_free
from kctui.sandbox.secure import SecureSandbox
from kctui.settings import xdg_dir

KINDS: dict[str, type[Sandbox]] = {"plain": Sandbox, "secure": SecureSandbox}


def timed_up(box: Sandbox) -> float:
    started = time.monotonic()
    box.up(seed=True)
    return time.monotonic() - started


def make_box(kind: str, root: Path) -> Sandbox | None:
    """The sandbox of ``kind`` in a folder of its own; None when its ports are taken."""
    cls = KINDS[kind]
    base = int(os.environ.get(cls.port_base_env) or cls.default_port_base)
    cache = xdg_dir("cache") / "kctui" / "kafka"
    box = cls(root / kind, cache, port_base=base, config_file=root / "config.toml",
              log=lambda _message: None)  # fmt: skip
    busy = [p for p in box.ports.named().values() if not port_is_free(p)]
    if busy:
        print(f"{kind}: skipped, ports {busy[:3]} are in use (stop that sandbox or move "
              f"this one with {cls.port_base_env})")  # fmt: skip
        return None
    return box


def one_run(box: Sandbox) -> dict[str, float]:
    """Fresh start, restart with the data kept, reuse while up; stopped afterwards."""
    shutil.rmtree(box.home, ignore_errors=True)
    box.__dict__.pop("secrets", None)
    try:
        fresh = timed_up(box)
        box.down(quiet=True)
        restart = timed_up(box)
        return {"fresh": fresh, "restart": restart, "reuse": timed_up(box)}
    finally:
        box.down(quiet=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", default="plain,secure")
    args = parser.parse_args()
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip() in KINDS]
    print(f"load average at start: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory(prefix="kctui-bench-sandbox-") as folder:
        boxes = {kind: make_box(kind, Path(folder)) for kind in kinds}
        for run in range(args.runs):  # kinds take turns, so both meet the same load
            for kind, box in boxes.items():
                if box is None:
                    continue
                seconds = one_run(box)
                for step, value in seconds.items():
                    results.setdefault(kind, {}).setdefault(step, []).append(value)
                print(f"{kind} run {run + 1}: " + ", ".join(
                    f"{step} {value:.1f} s" for step, value in seconds.items()
                ) + f" (load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    print(f"\nmedians of {args.runs} (seconds)   fresh  restart  reuse")
    for kind, steps in results.items():
        row = "  ".join(f"{statistics.median(values):6.1f}" for values in steps.values())
        print(f"  {kind:<28}{row}")
    if all(results.get(k) for k in ("plain", "secure")):
        ratio = statistics.median(results["secure"]["fresh"]) / statistics.median(
            results["plain"]["fresh"]
        )
        print(f"secure / plain, fresh start: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())

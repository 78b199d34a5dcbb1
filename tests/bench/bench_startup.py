"""Start-up benchmark: ``kctui --help`` wall time and launch-to-first-frame of the console.

``--help``: median of 10 subprocess runs. First frame: ``kctui`` is started in a pseudo
terminal (100x30) and the clock stops when its status bar is on the terminal (the
first painted frame); the run then quits with ``q``. Against the sandbox when it is up,
otherwise against a closed port (the console opens anyway with its banner).
Prints figures, never asserts on time.

Run: ``.venv/bin/python tests/bench/bench_startup.py [--runs 10 --frames 3]``
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
import urllib.request
from pathlib import Path

KCTUI = str(Path(sys.executable).with_name("kctui"))
SANDBOX = "http://127.0.0.1:29083,http://127.0.0.1:29084"
CLOSED = "http://127.0.0.1:9"


def help_times(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([KCTUI, "--help"], check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def first_frame(url: str, marker: bytes, timeout: float = 30.0) -> float:
    """Seconds from spawning ``kctui --url URL`` in a pty until ``marker`` is painted."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TERM="xterm-256color", KCTUI_CONFIG=f"{home}/config.toml",
                   XDG_CONFIG_HOME=home, XDG_STATE_HOME=home)  # fmt: skip
        started = time.perf_counter()
        proc = subprocess.Popen(
            [KCTUI, "--url", url], stdin=slave, stdout=slave, stderr=slave, env=env,
            close_fds=True, start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        seen = b""
        elapsed = float("nan")
        try:
            while time.perf_counter() - started < timeout:
                ready, _, _ = select.select([master], [], [], 0.05)
                if ready:
                    try:
                        seen += os.read(master, 65536)
                    except OSError:
                        break
                    if marker in seen:
                        elapsed = time.perf_counter() - started
                        break
            os.write(master, b"q")
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        finally:
            os.close(master)
    return elapsed


def sandbox_up() -> bool:
    try:
        with urllib.request.urlopen("http://127.0.0.1:29083/", timeout=2):
            return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--frames", type=int, default=3)
    args = parser.parse_args()
    times = help_times(args.runs)
    print(f"kctui --help: median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, {args.runs} runs)")  # fmt: skip
    url = SANDBOX if sandbox_up() else CLOSED
    where = "the sandbox" if url == SANDBOX else "a closed port"
    frames = [first_frame(url, b"Filter") for _ in range(args.frames)]  # the footer
    filled = [first_frame(url, b"Connectors") for _ in range(args.frames)] if url == SANDBOX else []
    print(f"launch to first frame ({where}): median {statistics.median(frames) * 1000:.0f} ms "
          f"(min {min(frames) * 1000:.0f}, {args.frames} runs)")  # fmt: skip
    if filled:
        print(f"launch to connector counts on screen: median "
              f"{statistics.median(filled) * 1000:.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()

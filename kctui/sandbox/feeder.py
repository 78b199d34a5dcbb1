"""Appends lines to the demo source file so the sandbox always has live throughput.

Run by ``kctui sandbox up`` as ``python -m kctui.sandbox.feeder --sandbox-home DIR FILE``
and stopped by ``kctui sandbox down``. It stops growing the file past a size cap.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime


def main() -> int:
    parser = argparse.ArgumentParser(prog="kctui-sandbox-feeder")
    parser.add_argument("--sandbox-home", required=True)
    parser.add_argument("--rate", type=float, default=5.0, help="lines per second")
    parser.add_argument("--max-bytes", type=int, default=20 * 1024 * 1024)
    parser.add_argument("file")
    args = parser.parse_args()
    interval = 1.0 / args.rate
    n = 0
    while True:
        try:
            if os.path.getsize(args.file) < args.max_bytes:
                stamp = datetime.now(UTC).isoformat(timespec="milliseconds")
                with open(args.file, "a", encoding="utf-8") as out:
                    out.write(f"{stamp} event {n} from the kctui sandbox feeder\n")
                n += 1
        except OSError:
            pass
        time.sleep(interval)


if __name__ == "__main__":
    raise SystemExit(main())

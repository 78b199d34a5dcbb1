"""Run the ``kctui`` command as a user would, against a given config file."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_kctui(
    *args: str, config: Path, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m kctui ARGS`` with ``KCTUI_CONFIG=config``, no colour, no ``KCTUI_URL``."""
    full = {**os.environ, "KCTUI_CONFIG": str(config), "NO_COLOR": "1", **(env or {})}
    full.pop("KCTUI_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "kctui", *args],
        capture_output=True, text=True, env=full, timeout=timeout, check=False,
    )  # fmt: skip

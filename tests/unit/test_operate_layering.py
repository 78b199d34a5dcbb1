"""The operate library and its commands load without Textual or kafka (fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = (
    "kctui.operate.apply",
    "kctui.operate.diff",
    "kctui.operate.editor",
    "kctui.operate.files",
    "kctui.operate.lifecycle",
    "kctui.operate.loggers",
    "kctui.operate.masks",
    "kctui.operate.offsets",
    "kctui.operate.session",
    "kctui.operate.template",
    "kctui.commands.apply",
    "kctui.commands.offsets",
)


def test_operate_does_not_import_textual_or_kafka() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {MODULES!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'kafka'})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []

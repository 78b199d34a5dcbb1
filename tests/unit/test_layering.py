"""The library layers load without Textual, and ``kctui --help`` loads neither Textual nor
kafka (checked in fresh interpreters, so earlier imports in this process do not count)."""

from __future__ import annotations

import json
import subprocess
import sys

LIBRARY = (
    "kctui.connect.client",
    "kctui.connect.errors",
    "kctui.connect.transport",
    "kctui.config",
    "kctui.health",
    "kctui.masking",
    "kctui.report",
    "kctui.cli",
)


def python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=60
    )


def test_library_does_not_import_textual() -> None:
    code = (
        "import importlib, json, sys\n"
        f"for name in {LIBRARY!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'kafka', 'rich', 'pygments'))))\n"
    )
    result = python(code)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_help_loads_neither_textual_nor_kafka() -> None:
    code = (
        "import json, sys\n"
        "from kctui.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit as exc:\n    code = exc.code\n"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'kafka', 'httpx'})\n"
        "print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)\n"
    )
    result = python(code)
    report = json.loads(result.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}
    assert "status" in result.stdout and "describe" in result.stdout


def test_help_import_trace_has_no_textual_or_kafka() -> None:
    result = python("from kctui.cli import main\nmain(['--help'])", "-X", "importtime")
    assert result.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    heavy = {name for name in imported if name.split(".")[0] in ("textual", "kafka")}
    assert "kctui.cli" in imported
    assert heavy == set()

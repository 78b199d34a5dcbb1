"""The library layers load without Textual, and ``kctui --help`` loads neither Textual nor
kafka (checked in fresh interpreters, so earlier imports in this process do not count).

Every module outside ``kctui.ui`` is imported (found by walking the package, so a new
module is checked without being listed); ``make lint`` holds the same rule statically with
an import-linter contract (pyproject.toml, ``[tool.importlinter]``).
"""

from __future__ import annotations

import json
import subprocess
import sys

LIBRARY = (
    "kctui.connect.client",
    "kctui.connect.errors",
    "kctui.connect.transport",
    "kctui.settings",
    "kctui.configfile",
    "kctui.health",
    "kctui.masking",
    "kctui.report",
    "kctui.cli",
)


def python(code: str, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, timeout=60
    )


# Every module outside kctui.ui, found by walking the package (kctui.ui itself is never
# imported: walk_packages imports a package to look inside it). __main__ runs the CLI.
WALK_LIBRARY = """
import importlib, json, pkgutil, sys, kctui
names = []
for top in pkgutil.iter_modules(kctui.__path__, "kctui."):
    if top.name in ("kctui.ui", "kctui.__main__"):
        continue
    names.append(top.name)
    if top.ispkg:
        package = importlib.import_module(top.name)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, top.name + ".")]
first = None
for name in names:
    importlib.import_module(name)
    if first is None and "textual" in sys.modules:
        first = name
print(json.dumps({"modules": names, "textual_after": first}))
"""


def test_no_module_outside_the_ui_loads_textual() -> None:
    result = python(WALK_LIBRARY)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["textual_after"] is None
    # The walk really covers the library, the modules the issue named included.
    assert {"kctui.dlq.records", "kctui.logs.patterns", "kctui.metrics.model",
            "kctui.triage", "kctui.commands.status", "kctui.sandbox.cluster"} <= set(
        report["modules"]
    )  # fmt: skip
    assert not any(name.startswith("kctui.ui") for name in report["modules"])


def test_library_does_not_import_textual() -> None:
    # httpx 0.28 imports its own CLI (rich, pygments) when click is installed (import-linter
    # brings it): what importing httpx alone loads is not ours.
    code = (
        "import importlib, json, sys\n"
        "heavy = lambda: {m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'kafka', 'rich', 'pygments')}\n"
        "import httpx\n"
        "by_httpx = heavy()\n"
        f"for name in {LIBRARY!r}: importlib.import_module(name)\n"
        "print(json.dumps(sorted(heavy() - by_httpx)))\n"
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

"""Fakes for the operate UI tests: a Connect client with configs, plugins, offsets and
loggers, and a fake ``$EDITOR`` (a Python script following scripted steps)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tests.ui.fakes import FakeClient

EDITOR_SCRIPT = """
import json, pathlib, sys
state = pathlib.Path(sys.argv[1]); target = pathlib.Path(sys.argv[2])
doc = target.read_text()
n = len(list(state.glob("shown-*.txt")))
(state / f"shown-{n}.txt").write_text(doc)
(state / f"mode-{n}.txt").write_text(oct(target.stat().st_mode & 0o777))
(state / f"path-{n}.txt").write_text(str(target))
steps = json.loads((state / "steps.json").read_text())
step = steps[n] if n < len(steps) else {"same": True}
if "text" in step:
    target.write_text(step["text"])
elif "replace" in step:
    target.write_text(doc.replace(step["replace"][0], step["replace"][1]))
"""


class FakeEditor:
    """A command list for ``app.editor_command``; records every document it was shown."""

    def __init__(self, folder: Path, steps: list[dict[str, Any]]) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "steps.json").write_text(json.dumps(steps))
        script = folder / "editor.py"
        script.write_text(EDITOR_SCRIPT)
        self.command = [sys.executable, str(script), str(folder)]

    def shown(self) -> list[str]:
        count = len(list(self.folder.glob("shown-*.txt")))
        return [(self.folder / f"shown-{i}.txt").read_text() for i in range(count)]

    def modes(self) -> list[str]:
        count = len(list(self.folder.glob("mode-*.txt")))
        return [(self.folder / f"mode-{i}.txt").read_text() for i in range(count)]

    def paths(self) -> list[Path]:
        count = len(list(self.folder.glob("path-*.txt")))
        return [Path((self.folder / f"path-{i}.txt").read_text()) for i in range(count)]


# The fake client serves configs, plugins, offsets and loggers too (one fake, checked
# against the client's Protocol): the operate tests keep their name for it.
OperateClient = FakeClient

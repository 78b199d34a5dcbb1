"""Print pip constraints that hold every runtime dependency of pyproject.toml at its floor.

``make test-floors`` installs kctui with these constraints, so the unit and UI tests run on
the oldest releases pyproject.toml claims to support.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,;\s]+)")


def floors(pyproject: Path) -> list[str]:
    """``name==floor`` for each runtime dependency with a ``>=`` bound."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    pins = []
    for requirement in data["project"]["dependencies"]:
        match = FLOOR.match(requirement)
        if match is None:
            raise SystemExit(f"{pyproject}: no '>=' floor in {requirement!r}")
        name = match.group(1).split("[", 1)[0]
        pins.append(f"{name}=={match.group(2)}")
    return pins


if __name__ == "__main__":
    print("\n".join(floors(Path(sys.argv[1] if len(sys.argv) > 1 else "pyproject.toml"))))

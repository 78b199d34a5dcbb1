"""No module of kctui/ grows past 500 lines (issue #19): split by responsibility instead."""

from __future__ import annotations

from pathlib import Path

import kctui

LIMIT = 500


def test_no_module_is_over_the_limit() -> None:
    root = Path(kctui.__file__).parent
    sizes = {
        str(path.relative_to(root.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in root.rglob("*.py")
    }
    assert len(sizes) > 100  # the walk found the package
    assert {name: lines for name, lines in sizes.items() if lines > LIMIT} == {}

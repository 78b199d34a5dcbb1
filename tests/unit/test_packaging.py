"""The wheel holds every module and kctui's themes (kept in the top-level themes/ folder),
and an installed wheel finds its themes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_installed_wheel_holds_every_module_and_finds_the_themes(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("kctui-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    themes = sorted(p.name for p in (ROOT / "themes").glob("*.toml"))
    assert themes and {f"kctui/themes/{name}" for name in themes} <= names
    sources = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kctui").rglob("*.py")}
    assert sources - names == set()  # the listed packages miss none
    assert "kctui/ui/app.tcss" in names

    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
         str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr
    code = (
        "import json, kctui\n"
        "from kctui.ui.themes import load_themes, shipped_themes\n"
        "print(json.dumps({'kctui': kctui.__file__, 'folder': str(shipped_themes()),\n"
        "                  'themes': [t.name for t in load_themes(None).themes]}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(target), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    found = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env,
        cwd=tmp_path,
    )  # fmt: skip
    assert found.returncode == 0, found.stderr
    report = json.loads(found.stdout)
    assert report["kctui"].startswith(str(target))  # the installed copy, not the clone
    assert report["folder"] == str(target / "kctui" / "themes")
    assert sorted(report["themes"]) == sorted(Path(name).stem for name in themes)


def test_a_clone_finds_the_top_level_themes() -> None:
    from kctui.ui.themes import load_themes, shipped_themes

    assert Path(str(shipped_themes())).resolve() == ROOT / "themes"
    assert {"kctui-dark", "kctui-light"} <= {t.name for t in load_themes(ROOT / "none").themes}

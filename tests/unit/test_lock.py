"""The test environment comes from the committed lock: every make target that installs the
project's venv reads it with hashes, and it pins every dependency pyproject.toml names at a
version inside pyproject's range."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "ci.lock"
# Unlocked on purpose: they look for drift (newest releases) and check the floors.
UNLOCKED_TARGETS = {"test-latest", "test-floors", "lock"}


def _recipes(makefile: str) -> dict[str, list[str]]:
    """Target -> its recipe lines (continuations joined)."""
    recipes: dict[str, list[str]] = {}
    target = None
    for line in makefile.replace("\\\n", " ").splitlines():
        if line.startswith("\t") and target is not None:
            recipes[target].append(line.strip())
        elif re.match(r"^[$()A-Za-z_.\-]+:", line) and ":=" not in line:
            target = line.split(":", 1)[0]
            recipes[target] = []
        elif line and not line.startswith("\t"):
            target = None
    return recipes


def _pinned() -> dict[str, str]:
    text = LOCK.read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.MULTILINE))
    return {canonicalize_name(name): version for name, version in pins.items()}


def test_every_installing_target_reads_the_lock_with_hashes() -> None:
    recipes = _recipes((ROOT / "Makefile").read_text(encoding="utf-8"))
    installing = {
        target: lines
        for target, lines in recipes.items()
        if any("pip install" in line for line in lines) and target not in UNLOCKED_TARGETS
    }
    assert "$(STAMP)" in installing  # the venv every other target depends on
    for target, lines in installing.items():
        installs = [line for line in lines if "pip install" in line]
        from_lock = [line for line in installs if "--require-hashes -r $(LOCK)" in line]
        assert from_lock, f"{target} installs without the lock"
        # Anything else installed there is kctui itself, without pulling dependencies.
        for line in installs:
            assert line in from_lock or ("--no-deps" in line and line.endswith("-e .")), line
    assert re.search(r"^LOCK\s*=\s*requirements/ci\.lock$", (ROOT / "Makefile").read_text(),
                     re.MULTILINE)  # fmt: skip


def test_ci_installs_only_through_make() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" not in ci
    assert "make test" in ci and "make lint" in ci


def test_the_lock_pins_every_dependency_inside_pyprojects_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["test"]]
    pinned = _pinned()
    for spec in map(Requirement, wanted):
        name = canonicalize_name(spec.name)
        assert name in pinned, f"{spec.name} is not in {LOCK.name}"
        assert spec.specifier.contains(pinned[name], prereleases=True), (spec, pinned[name])


def test_every_pin_has_a_hash() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9_.\-]+==)", LOCK.read_text(encoding="utf-8"))
    pins = [block for block in blocks if re.match(r"[A-Za-z0-9_.\-]+==", block)]
    assert len(pins) == len(_pinned()) > 20
    for block in pins:
        assert "--hash=sha256:" in block, block.splitlines()[0]

"""Themes from TOML files: kctui's own (the top-level themes/ folder, shipped in the wheel as
kctui/themes/) and the user's folder.

A theme file holds the fields of :class:`textual.theme.Theme` (``name``, ``primary``,
``dark``...) plus an optional ``[variables]`` table. A broken file is skipped with a
message naming it; it never stops the console.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from textual.theme import Theme

from kctui.config import user_theme_dir

DEFAULT_THEME = "kctui-dark"
_COLOR_FIELDS = (
    "primary", "secondary", "warning", "error", "success", "accent",
    "foreground", "background", "surface", "panel", "boost",
)  # fmt: skip


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def theme_from_toml(origin: str, text: str) -> Theme:
    """Build a Theme from TOML text; ValueError names ``origin`` and the bad key."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{origin}: invalid TOML: {exc}") from exc
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"{origin}: key 'name': expected a theme name")
    primary = data.get("primary")
    if not isinstance(primary, str):
        raise ValueError(f"{origin}: key 'primary': expected a colour such as \"#4FA3E0\"")
    colors: dict[str, str] = {}
    for key in _COLOR_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{origin}: key '{key}': expected a colour string")
        if value is not None:
            colors[key] = value
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ValueError(f"{origin}: key 'dark': expected true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError(f"{origin}: key 'variables': expected a table")
    theme = Theme(
        name=name.strip(),
        primary=primary,
        secondary=colors.get("secondary"),
        warning=colors.get("warning"),
        error=colors.get("error"),
        success=colors.get("success"),
        accent=colors.get("accent"),
        foreground=colors.get("foreground"),
        background=colors.get("background"),
        surface=colors.get("surface"),
        panel=colors.get("panel"),
        boost=colors.get("boost"),
        dark=dark,
        variables={str(k): str(v) for k, v in variables.items()},
    )
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - a bad colour value
        raise ValueError(f"{origin}: bad colour: {exc}") from exc
    return theme


def _theme_files(folder: Path) -> list[Path]:
    try:
        return sorted(folder.glob("*.toml"))
    except OSError:
        return []


def shipped_themes() -> Traversable:
    """kctui's theme folder: ``kctui/themes`` in an installed wheel, else the top-level
    ``themes/`` beside ``kctui/`` (a clone, an editable install)."""
    installed = resources.files("kctui") / "themes"
    if installed.is_dir() and any(e.name.endswith(".toml") for e in installed.iterdir()):
        return installed
    return resources.files("kctui").joinpath("..", "themes")


def load_themes(user_dir: Path | None = None) -> LoadedThemes:
    """kctui's themes, then the user's (a user theme may replace one of ours by name)."""
    loaded = LoadedThemes()
    package = shipped_themes()
    try:
        shipped = sorted(
            (entry for entry in package.iterdir() if entry.name.endswith(".toml")),
            key=lambda entry: entry.name,
        )
    except OSError:
        shipped = []
    for entry in shipped:
        try:
            loaded.themes.append(theme_from_toml(entry.name, entry.read_text(encoding="utf-8")))
        except ValueError as exc:
            loaded.problems.append(str(exc))
    folder = user_dir if user_dir is not None else user_theme_dir()
    for path in _theme_files(folder):
        try:
            loaded.themes.append(theme_from_toml(str(path), path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            loaded.problems.append(str(exc))
    return loaded

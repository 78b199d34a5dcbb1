"""Themes from TOML files: kctui's own (the top-level themes/ folder, shipped in the wheel as
kctui/themes/) and the user's folder.

A theme file holds the fields of :class:`textual.theme.Theme` (``name``, ``primary``,
``dark``...) plus an optional ``[variables]`` table. A broken file is skipped with a
message naming it; it never stops the console.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta
from textual.theme import Theme

from kctui.settings import Settings, user_theme_dir
from kctui.settings.validate import Invalid, TomlSource

DEFAULT_THEME = "kctui-dark"

Colour = Annotated[str, Meta(extra={"expected": "a colour string"})]


class ThemeFile(Settings, frozen=True, kw_only=True, forbid_unknown_fields=False):
    """A theme file: the fields of :class:`textual.theme.Theme` and ``[variables]`` (other
    keys are left alone, as they always were)."""

    name: Annotated[str, Meta(extra={"expected": "a theme name"})]
    primary: Annotated[str, Meta(extra={"expected": 'a colour such as "#4FA3E0"'})]
    secondary: Colour | None = None
    warning: Colour | None = None
    error: Colour | None = None
    success: Colour | None = None
    accent: Colour | None = None
    foreground: Colour | None = None
    background: Colour | None = None
    surface: Colour | None = None
    panel: Colour | None = None
    boost: Colour | None = None
    dark: bool = True
    variables: dict[str, Any] = {}  # each value as its text

    def check(self) -> None:
        if not self.name.strip():
            raise Invalid("expected a theme name", "name")


@dataclass
class LoadedThemes:
    themes: list[Theme] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def theme_from_toml(origin: str, text: str) -> Theme:
    """Build a Theme from TOML text; ValueError names ``origin``, the line and the bad key."""
    read = TomlSource(text, origin, error=ValueError).read(ThemeFile)
    fields = msgspec.structs.asdict(read)  # ThemeFile's fields are Theme's parameters
    fields["name"] = read.name.strip()
    fields["variables"] = {str(k): str(v) for k, v in read.variables.items()}
    theme = Theme(**fields)
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

"""Where kctui's files live: the XDG base directories and the config file's path (no I/O)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal


def xdg_dir(
    kind: Literal["config", "cache", "state", "data"], env: Mapping[str, str] | None = None
) -> Path:
    """The user's base directory of ``kind``: ``$XDG_<KIND>_HOME`` when ``env`` sets it (tests
    pass their own), else platformdirs' answer for this platform (``~/.config`` on Linux)."""
    env = os.environ if env is None else env
    value = env.get(f"XDG_{kind.upper()}_HOME")
    if value:
        return Path(value)
    import platformdirs  # user_config_dir, user_cache_dir, user_state_dir, user_data_dir

    return Path(getattr(platformdirs, f"user_{kind}_dir")())


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: ``$KCTUI_CONFIG`` or ``$XDG_CONFIG_HOME/kctui/config.toml``."""
    env = os.environ if env is None else env
    explicit = env.get("KCTUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return xdg_dir("config", env) / "kctui" / "config.toml"


def user_theme_dir(env: Mapping[str, str] | None = None) -> Path:
    """The user's own theme files."""
    return xdg_dir("config", env) / "kctui" / "themes"

"""Secrets named by the settings (``*_env``, ``*_file``), read when a client needs them.

Settings hold only where a secret is; its value is read at connection time, never stored.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kctui.settings.base import ConfigError


def read_secret(
    env_name: str | None, file_name: str | None, *, what: str, env: Mapping[str, str] | None = None
) -> str | None:
    """Read a secret from an environment variable or a file; None when neither is set."""
    env = os.environ if env is None else env
    if env_name:
        value = env.get(env_name)
        if value is None:
            raise ConfigError(f"{what}: environment variable {env_name} is not set")
        return value
    if file_name:
        path = Path(file_name).expanduser()
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            raise ConfigError(f"{what}: cannot read {path}: {exc.strerror or exc}") from exc
    return None

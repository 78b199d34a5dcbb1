"""A new connector's config template from its plugin's key definitions."""

from __future__ import annotations

from collections.abc import Sequence

from kctui.connect.models import ConfigKeyInfo

# Keys the template leaves out: kctui fills them or they pin what the worker decides.
SKIPPED_KEYS = frozenset({"name", "connector.class", "connector.plugin.version"})


def template_config(
    plugin_class: str, keys: Sequence[ConfigKeyInfo]
) -> tuple[dict[str, str], list[str]]:
    """Required keys first (empty unless they have a default), then keys with defaults.

    Returns the config and notes (for ``//`` lines): the optional keys without a default,
    which the template omits rather than set to an empty string that means something.
    """
    config: dict[str, str] = {"name": "", "connector.class": plugin_class}
    required = [k for k in keys if k.required and k.name not in SKIPPED_KEYS]
    defaults = [
        k for k in keys if not k.required and k.default_value is not None
        and k.name not in SKIPPED_KEYS
    ]  # fmt: skip
    for key in required:
        config[key.name] = key.default_value or ""
    for key in defaults:
        config.setdefault(key.name, key.default_value or "")
    optional = sorted(
        k.name for k in keys
        if not k.required and k.default_value is None and k.name not in SKIPPED_KEYS
    )  # fmt: skip
    notes = [f'New {plugin_class.rsplit(".", 1)[-1]} connector: set "name" and the keys below.']
    if required:
        notes.append("Required: " + ", ".join(k.name for k in required))
    if optional:
        notes.append("Optional, no default (add when needed): " + ", ".join(optional))
    return config, notes

"""The whole config file as settings: the clusters, the current one, the theme and the keymap."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from msgspec import Meta

from kctui.settings.base import Settings
from kctui.settings.cluster import ClusterConfig

# ``[keymap]`` ids are ``screen.action``: written unquoted (``connector.pause = "P"``) TOML
# nests them, so nested tables are joined back.
Keymap = Annotated[
    dict[str, str],
    Meta(extra={"flatten": True, "expected": 'a table of action id = "keys"'}),
]
Clusters = Annotated[dict[str, ClusterConfig], Meta(extra={"expected": "a table of clusters"})]


class ConfigFile(Settings, frozen=True, kw_only=True):
    """What the config file holds (see docs/configuration.md for every key)."""

    current: str | None = None
    theme: str | None = None
    keymap: Keymap = {}
    clusters: Clusters = {}


@dataclass(frozen=True)
class Config:
    """The whole config file, read, with the clusters imported from kcctl beside it."""

    path: Path
    current: str | None = None
    theme: str | None = None
    keymap: Mapping[str, str] = field(default_factory=dict)
    clusters: Mapping[str, ClusterConfig] = field(default_factory=dict)
    imported: Mapping[str, ClusterConfig] = field(default_factory=dict)

    def all_clusters(self) -> dict[str, ClusterConfig]:
        return {**self.imported, **self.clusters}

"""UI test fixtures: the user's own config, themes and state are hidden from every test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from kctui.connect.protocol import ConnectApi
from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from tests.ui.fakes import FakeClient


@pytest.fixture(autouse=True)
def hidden_user_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point config, XDG dirs and HOME at a temporary folder; fix the time zone."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KCTUI_CONFIG", str(tmp_path / "config.toml"))
    for kind in ("CONFIG", "STATE", "CACHE", "DATA"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    monkeypatch.delenv("KCTUI_URL", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield tmp_path
    monkeypatch.undo()
    time.tzset()


def cluster_config(read_only: bool = False, refresh_seconds: float = 30.0) -> ClusterConfig:
    """A cluster whose timer does not fire during a test unless asked (30 s)."""
    return ClusterConfig(
        name="test-cluster",
        urls=("http://fake:8083",),
        read_only=read_only,
        refresh_seconds=refresh_seconds,
    )


def make_app(
    client: ConnectApi | None = None, *, read_only: bool = False, **kwargs: Any
) -> KctuiApp:
    return KctuiApp(cluster_config(read_only=read_only), client=client or FakeClient(), **kwargs)


async def wait_for(
    pilot: Pilot[Any], condition: Callable[[], bool], *, timeout: float = 5.0, what: str = ""
) -> None:
    """Poll ``condition`` (letting the app run) until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        await pilot.pause(0.02)


async def ready(pilot: Pilot[Any]) -> KctuiApp:
    """Wait until the first refresh has filled the connector table."""
    app = pilot.app
    assert isinstance(app, KctuiApp)
    await wait_for(
        pilot, lambda: app.state is not None and _table_filled(app), what="first refresh"
    )
    return app


def _table_filled(app: KctuiApp) -> bool:
    from kctui.ui.widgets.connector_table import ConnectorTable

    tables = app.screen.query(ConnectorTable)
    return bool(tables) and tables.first().row_count > 0

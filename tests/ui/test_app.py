"""App wiring: help, keymap, palette, feature screens, read-only, modal pause, themes."""

from __future__ import annotations

import sys
import types
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.command import CommandPalette
from textual.screen import Screen

import kctui.ui.screens
from kctui.configfile import load_config
from kctui.connect.client import ConnectClient
from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp
from kctui.ui.screens.help import HelpScreen
from kctui.ui.screens.modals import ConfirmScreen
from kctui.ui.screens.overview import OverviewScreen
from kctui.ui.widgets.connector_table import ConnectorTable
from kctui.ui.widgets.status_bar import StatusBar
from tests.ui.conftest import cluster_config, make_app, ready, wait_for
from tests.ui.fakes import FakeClient, demo_cluster


async def test_help_lists_every_key_with_its_id() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        ids = {row[2] for row in help_screen.rows}
        expected = {
            "overview.filter", "overview.clear", "overview.detail", "app.quit", "app.palette",
            "app.help", "app.refresh", "connector.pause", "connector.resume",
            "connector.restart", "connector.restart-task", "connector.stop", "connector.delete",
            "connector.restart-failed", "connector.dlq", "connector.logs",
            "connector.logs-failure", "connector.metrics",
        }  # fmt: skip
        assert expected <= ids
        keys = {row[2]: row[0] for row in help_screen.rows}
        assert keys["overview.filter"] == "/" and keys["connector.delete"] == "ctrl+d"
        assert keys["connector.restart"] == "R"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, HelpScreen))


async def test_keymap_from_config_remaps_a_key() -> None:
    client = FakeClient()
    app = make_app(client, keymap={"connector.pause": "P"})
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.screen.query_one(ConnectorTable).select("demo-sink")
        await pilot.press("p")
        await pilot.press("P")
        await wait_for(pilot, lambda: client.calls == [("pause", "demo-sink")])
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("P", "Pause", "connector.pause") in help_screen.rows


async def test_palette_opens_with_colon_and_offers_the_keys() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for title in (
            "Pause",
            "Restart",
            "Restart task",
            "Stop",
            "Delete",
            "Filter",
            "dlq",
            "logs",
        ):
            assert title in titles
        await pilot.press("colon")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))


class Recorder(Screen[None]):
    """Stands for a feature screen another developer writes; records its arguments."""

    opened: list[tuple[Any, dict[str, Any]]] = []

    def __init__(self, cluster: ClusterConfig, **kwargs: Any) -> None:
        super().__init__()
        Recorder.opened.append((cluster, kwargs))


@pytest.fixture
def feature_modules(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    Recorder.opened = []
    for module, name in (("dlq", "DlqScreen"), ("logs", "LogScreen"), ("metrics", "MetricsScreen")):
        fake = types.ModuleType(f"kctui.ui.screens.{module}")
        setattr(fake, name, Recorder)
        monkeypatch.setitem(sys.modules, f"kctui.ui.screens.{module}", fake)
        monkeypatch.setattr(kctui.ui.screens, module, fake, raising=False)
    return Recorder.opened


async def test_feature_keys_open_their_screens(feature_modules: list[Any]) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        grid = app.screen.query_one(ConnectorTable)
        grid.select("demo-dlq-sink")
        await pilot.press("D")
        await wait_for(pilot, lambda: len(feature_modules) == 1)
        assert feature_modules[0][1] == {
            "dlq_topics": {"demo-orders-dlq": "demo-dlq-sink"},
            "topic": "demo-orders-dlq",
        }
        app.pop_screen()
        grid.select("demo-failing-sink")
        await pilot.pause()
        await pilot.press("l")
        await wait_for(pilot, lambda: len(feature_modules) == 2)
        assert feature_modules[1][1] == {
            "connector": "demo-failing-sink", "task": 0, "around_failure": False,
        }  # fmt: skip
        app.pop_screen()
        await pilot.press("L")
        await wait_for(pilot, lambda: len(feature_modules) == 3)
        assert feature_modules[2][1]["around_failure"] is True
        app.pop_screen()
        await pilot.press("m")
        await wait_for(pilot, lambda: len(feature_modules) == 4)
        assert feature_modules[3][1] == {"connector": "demo-failing-sink"}
        app.pop_screen()
        app.open_dlq(None)  # the palette's "dlq": every DLQ, no topic chosen
        await wait_for(pilot, lambda: len(feature_modules) == 5)
        assert feature_modules[4][1]["topic"] is None


async def test_missing_feature_screen_says_not_available(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kctui.ui.screens.metrics", None)
    monkeypatch.delattr(kctui.ui.screens, "metrics", raising=False)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("m")
        await wait_for(
            pilot, lambda: any("not available yet" in n.message for n in app._notifications)
        )
        assert app.is_running


async def test_read_only_hides_mutations_and_shows_the_badge() -> None:
    client = FakeClient(read_only=True)
    app = make_app(client, read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert "READ-ONLY" in str(app.screen.query_one(StatusBar).render())
        for action in (
            "pause",
            "resume",
            "restart",
            "restart_task",
            "stop",
            "delete",
            "restart_failed",
        ):
            assert app.screen.check_action(action, ()) is False, action
        shown = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "pause" not in shown and "delete" not in shown
        await pilot.press("p", "t", "R", "s", "ctrl+d", "F")
        await pilot.pause()
        assert client.calls == [] and isinstance(app.screen, Screen)
        assert not isinstance(app.screen, ConfirmScreen)


async def test_read_only_client_refuses_even_if_the_ui_asks() -> None:
    """With the real client: a forced action sends no mutating request and shows why."""
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        if request.url.path == "/connectors":
            return httpx.Response(200, json=demo_cluster())
        return httpx.Response(200, json={"version": "4.1.0", "commit": "x"})

    cluster = cluster_config(read_only=True)
    client = ConnectClient(cluster, transport=httpx.MockTransport(handler))
    app = KctuiApp(cluster, client=client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        overview.action_pause()  # bypass the hidden key on purpose
        await wait_for(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        assert methods and set(methods) == {"GET"}
        notice = next(n for n in app._notifications if n.severity == "error")
        assert "read-only" in notice.message.lower()
    await client.aclose()


async def test_refresh_timer_waits_while_a_modal_is_open() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        before = client.state_requests
        app.poller._tick()  # the timer fires under the modal
        await pilot.pause()
        assert client.state_requests == before
        await pilot.press("n")
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: client.state_requests == before + 1)


async def test_one_request_per_refresh() -> None:
    client = FakeClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert client.state_requests == 1
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: client.state_requests == 2)


async def test_themes_builtin_ours_and_users_and_choice_remembered(hidden_user_files: Path) -> None:
    user_dir = hidden_user_files / "config" / "kctui" / "themes"
    user_dir.mkdir(parents=True)
    (user_dir / "mine.toml").write_text('name = "my-theme"\nprimary = "#336699"\ndark = true\n')
    (user_dir / "broken.toml").write_text('name = "broken"\nprimary = 7\n')
    config_file = hidden_user_files / "config.toml"
    app = make_app(theme="kctui-light", config_file=config_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == "kctui-light"
        assert {"kctui-dark", "kctui-light", "my-theme", "textual-dark"} <= set(
            app.available_themes
        )
        assert any("broken.toml" in n.message for n in app._notifications)
        await wait_for(pilot, lambda: load_config(config_file).theme == "kctui-light")
        app.theme = "my-theme"
        await wait_for(pilot, lambda: load_config(config_file).theme == "my-theme")
        assert app.screen.query_one(ConnectorTable).row_count == 7


async def test_unknown_theme_falls_back_with_a_notice() -> None:
    app = make_app(theme="no-such-theme")
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.theme == "kctui-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_bad_tls_file_exits_with_a_clear_message() -> None:
    cluster = ClusterConfig(name="x", urls=("https://h:1",), ca_file="/nonexistent/ca.pem")
    app = KctuiApp(cluster)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.return_code is not None, what="exit")
        assert "/nonexistent/ca.pem" in str(app._exit_renderables[0])
    assert app.return_code == 2


async def test_q_quits() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None, what="quit")
    assert app.return_code == 0


async def test_auto_refresh_on_the_cluster_interval() -> None:
    client = FakeClient()
    app = KctuiApp(cluster_config(refresh_seconds=0.5), client=client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        client.connectors["demo-sink"]["status"]["tasks"][0]["state"] = "FAILED"
        await wait_for(pilot, lambda: client.state_requests >= 3, what="timer refreshes")
        grid = app.screen.query_one(ConnectorTable)
        await wait_for(
            pilot, lambda: grid.names.index("demo-sink") < grid.names.index("demo-paused")
        )

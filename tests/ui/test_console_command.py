"""``kctui`` / ``kctui console`` options: cluster, theme, keymap and refresh reach the app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kctui import cli
from kctui.ui.app import KctuiApp


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> list[KctuiApp]:
    apps: list[KctuiApp] = []

    def fake_run(self: KctuiApp, *args: Any, **kwargs: Any) -> None:
        apps.append(self)

    monkeypatch.setattr(KctuiApp, "run", fake_run)
    return apps


def test_no_subcommand_opens_the_console_with_config_theme_and_keymap(
    launched: list[KctuiApp], hidden_user_files: Path
) -> None:
    config = hidden_user_files / "config.toml"
    config.write_text(
        'theme = "kctui-light"\n[keymap]\nconnector.pause = "P"\n"app.back" = "b"\n'
        '[clusters.prod]\nurls = ["http://connect:8083"]\nrefresh_seconds = 7\nread_only = true\n'
    )
    assert cli.main(["--cluster", "prod"]) == 0
    app = launched[0]
    assert app.cluster.name == "prod" and app.cluster.read_only
    assert app.poller.interval == 7
    assert app._requested_theme == "kctui-light" and app.keymap == {
        "connector.pause": "P",
        "app.back": "b",
    }
    assert app.config_file == config


def test_an_unknown_keymap_id_is_a_config_error_naming_the_valid_ones(
    launched: list[KctuiApp], hidden_user_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = hidden_user_files / "config.toml"
    config.write_text('[keymap]\npuase = "P"\n[clusters.prod]\nurls = ["http://connect:8083"]\n')
    assert cli.main(["--cluster", "prod"]) != 0
    assert not launched  # the console never opened
    err = capsys.readouterr().err
    assert "unknown key id puase" in err and "connector.pause" in err and "app.back" in err


def test_console_options_override(launched: list[KctuiApp]) -> None:
    assert cli.main(["console", "--url", "http://a:8083,http://b:8083", "--theme", "nord",
                     "--refresh", "2.5", "--read-only"]) == 0  # fmt: skip
    app = launched[0]
    assert app.cluster.urls == ("http://a:8083", "http://b:8083") and app.cluster.read_only
    assert app.poller.interval == 2.5 and app._requested_theme == "nord"
    assert cli.main(["--refresh", "3", "--url", "http://a:8083"]) == 0
    assert launched[1].poller.interval == 3


def test_bad_refresh_is_a_clear_error(
    launched: list[KctuiApp], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--url", "http://a:8083", "--refresh", "0"]) == 2
    assert "--refresh: expected a positive number of seconds" in capsys.readouterr().err
    assert launched == []


def test_no_cluster_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "no cluster configured" in capsys.readouterr().err

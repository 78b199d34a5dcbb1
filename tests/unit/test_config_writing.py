"""The sandbox writes its cluster entry into kctui's config without losing anything."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctui.configfile import load_config, parse_config, update_config, write_cluster
from kctui.sandbox import layout
from kctui.sandbox.cluster import Sandbox


def _sandbox(tmp_path: Path, port_base: int = 29000) -> Sandbox:
    return Sandbox(
        tmp_path / "home",
        tmp_path / "cache",
        port_base=port_base,
        config_file=tmp_path / "config.toml",
        log=lambda _message: None,
    )


def test_sandbox_entry_round_trips_through_the_parser(tmp_path: Path) -> None:
    box = _sandbox(tmp_path)
    box.write_config("4.3.1")
    before = load_config(tmp_path / "config.toml", import_kcctl=False).clusters
    assert len(before["sandbox"].logs) == 2  # the workers write no other layouts yet
    assert "sandbox-layouts" not in before
    for index in (0, 1):
        box.worker_dir(index).mkdir(parents=True)
        (box.worker_dir(index) / "log4j2.xml").write_text(
            layout.log4j2_xml(box.worker_dir(index), "connect.log", other_layouts=True), "utf-8"
        )
    box.write_config("4.3.1")
    clusters = load_config(tmp_path / "config.toml", import_kcctl=False).clusters
    assert [s.worker for s in clusters["sandbox"].logs] == ["127.0.0.1:29083", "127.0.0.1:29084"]
    cluster = clusters["sandbox-layouts"]  # the same cluster, its logs in three layouts
    assert cluster.urls == ("http://127.0.0.1:29083", "http://127.0.0.1:29084")
    assert cluster.kafka is not None and cluster.kafka.bootstrap_servers == ("127.0.0.1:29092",)
    assert [j.worker for j in cluster.jmx] == ["127.0.0.1:29083", "127.0.0.1:29084"]
    assert cluster.jmx[1].url.endswith(":29074/jmxrmi")
    assert [s.worker for s in cluster.logs] == [
        "127.0.0.1:29083",
        "127.0.0.1:29084",
        "127.0.0.1:29083 strimzi",  # the workers also write the Strimzi layout and log4j2 JSON
        "127.0.0.1:29084 strimzi",
        "127.0.0.1:29083 json",
        "127.0.0.1:29084 json",
    ]
    assert cluster.logs[0].path and cluster.logs[0].path.endswith("worker-1/connect.log*")
    assert [s.path.rsplit("/", 2)[-2:] for s in cluster.logs[2:] if s.path] == [
        ["worker-1", "connect-strimzi.log"],
        ["worker-2", "connect-strimzi.log"],
        ["worker-1", "connect.json"],
        ["worker-2", "connect.json"],
    ]


def test_sandbox_entry_keeps_the_users_clusters_and_current(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'current = "prod"\ntheme = "nord"\n\n[clusters.prod]\n'
        'urls = ["https://connect.example:8083"]\nread_only = true\npassword_env = "PW"\n',
        encoding="utf-8",
    )
    _sandbox(tmp_path, port_base=31000).write_config()
    config = load_config(path, import_kcctl=False)
    assert config.current == "prod"
    assert config.theme == "nord"
    assert config.clusters["prod"].read_only is True
    assert config.clusters["prod"].password_env == "PW"
    assert config.clusters["sandbox"].urls[0] == "http://127.0.0.1:31083"


def test_first_cluster_becomes_current(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_cluster(path, "sandbox", {"urls": ["http://127.0.0.1:29083"]}, make_current=False)
    assert load_config(path, import_kcctl=False).current == "sandbox"


def test_update_config_sets_top_level_keys_only(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_cluster(path, "a", {"urls": ["http://a:8083"]}, make_current=True)
    update_config(path, theme="kctui-light")
    text = path.read_text(encoding="utf-8")
    config = parse_config(path, text)
    assert config.theme == "kctui-light"
    assert set(config.clusters) == {"a"}
    assert "[clusters]\n" not in text  # no empty parent sections


USER_FILE = """\
# kctui config of the ops team (do not remove the read_only line on prod!)
theme = 'kctui-dark'   # dark for the night shift

[keymap]
pause = "P"  # capital P: p is too easy to hit

# production: two workers behind the VPN
[clusters.prod]
urls = ["https://connect-1:8083", "https://connect-2:8083"]  # both workers
read_only = true
username = "ops"
password_env = "CONNECT_PASSWORD"

[[clusters.prod.jmx]]     # only connect-1 exposes JMX
worker = "connect-1:8083"
url = "service:jmx:rmi:///jndi/rmi://connect-1:9999/jmxrmi"
"""


def _lines_in_order(text: str, lines: list[str]) -> bool:
    """Every line of ``lines`` is in ``text``, in this order."""
    found = text.splitlines()
    positions = [found.index(line) for line in lines]
    return positions == sorted(positions)


def test_a_top_level_change_keeps_the_users_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    update_config(path, theme="kctui-light", current="prod")  # a theme change, `config use`
    text = path.read_text(encoding="utf-8")
    # The new values are read back.
    config = parse_config(path, text)
    assert (config.theme, config.current) == ("kctui-light", "prod")
    # The changed line keeps the user's single quotes and comment; how many blanks tomlkit
    # puts before the comment is its own business.
    written = text.splitlines()
    theme_line = next(line for line in written if line.startswith("theme"))
    assert theme_line.startswith("theme = 'kctui-light'")
    assert theme_line.endswith("# dark for the night shift")
    # Every other line, comment and blank line is there byte for byte, in its place.
    others = [line for line in written if line != theme_line and line != 'current = "prod"']
    assert others == [line for line in USER_FILE.splitlines() if not line.startswith("theme")]


@pytest.mark.parametrize(
    ("written", "expected_start"),
    [
        ("theme = 'kctui-dark'\n", "theme = 'kctui-light'"),
        ('theme = "kctui-dark"\n', 'theme = "kctui-light"'),
        ("theme = 'kctui-dark'  # night\n", "theme = 'kctui-light'"),
    ],
)
def test_a_replaced_string_keeps_the_users_quotes(
    tmp_path: Path, written: str, expected_start: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(written, encoding="utf-8")
    update_config(path, theme="kctui-light")
    text = path.read_text(encoding="utf-8")
    assert text.startswith(expected_start)
    assert parse_config(path, text).theme == "kctui-light"


def test_a_literal_string_that_cannot_hold_the_new_value_is_double_quoted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("current = 'prod'\n", encoding="utf-8")
    update_config(path, current="it's")  # a literal string cannot hold a single quote
    text = path.read_text(encoding="utf-8")
    assert parse_config(path, text).current == "it's"


def test_adding_a_cluster_keeps_the_users_comments_and_order(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE, encoding="utf-8")
    write_cluster(path, "sandbox", _sandbox(tmp_path).cluster_table(), make_current=False)
    text = path.read_text(encoding="utf-8")
    # The user's file is kept byte for byte; the first cluster written becomes current.
    assert text.replace('current = "sandbox"\n', "", 1).startswith(USER_FILE)
    assert _lines_in_order(text, [
        "# kctui config of the ops team (do not remove the read_only line on prod!)",
        "theme = 'kctui-dark'   # dark for the night shift",
        'pause = "P"  # capital P: p is too easy to hit',
        "# production: two workers behind the VPN",
        '[[clusters.prod.jmx]]     # only connect-1 exposes JMX',
        "[clusters.sandbox]",
    ])  # fmt: skip
    config = parse_config(path, text)
    assert list(config.clusters) == ["prod", "sandbox"]
    assert config.current == "sandbox"

"""Config parsing, cluster resolution, kcctl import, writing, and ``kctui config``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kctui.cli import main
from kctui.configfile import (
    kcctl_clusters,
    load_config,
    parse_config,
    resolve_cluster,
    write_cluster,
)
from kctui.settings import ConfigError, read_secret

FILE = Path("/etc/kctui/config.toml")
GOOD = """
current = "prod"

[clusters.prod]
urls = ["https://c1:8083", "https://c2:8083"]
username = "ops"
password_env = "CONNECT_PW"
ca_file = "/etc/ssl/ca.pem"
read_only = true
timeout = 3

[clusters.prod.kafka]
bootstrap_servers = "k1:9093, k2:9093"
security_protocol = "sasl_ssl"
sasl_mechanism = "SCRAM-SHA-512"

[[clusters.prod.jmx]]
worker = "c1:8083"
url = "service:jmx:rmi:///jndi/rmi://c1:9999/jmxrmi"

[[clusters.prod.logs]]
worker = "c1:8083"
command = ["ssh", "c1", "tail", "-F", "/var/log/connect.log"]

[clusters.dev]
url = "http://localhost:8083"
"""


def test_a_full_cluster_parses() -> None:
    config = parse_config(FILE, GOOD)
    prod = config.clusters["prod"]
    assert config.current == "prod"
    assert prod.urls == ("https://c1:8083", "https://c2:8083")
    assert prod.read_only and prod.timeout == 3.0 and prod.username == "ops"
    assert prod.kafka is not None and prod.kafka.bootstrap_servers == ("k1:9093", "k2:9093")
    assert prod.kafka.security_protocol == "SASL_SSL"
    assert prod.jmx[0].worker == "c1:8083"
    assert prod.logs[0].command == ("ssh", "c1", "tail", "-F", "/var/log/connect.log")
    assert config.clusters["dev"].urls == ("http://localhost:8083",)
    assert not config.clusters["dev"].read_only


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("current = ", "invalid TOML"),
        (
            "[clusters.a]\nurls = ['http://x']\nread_only = 'yes'",
            "'clusters.a.read_only': expected true or false",
        ),
        (
            "[clusters.a]\nurls = ['http://x']\ntimeout = -1",
            "'clusters.a.timeout': expected a positive number",
        ),
        ("[clusters.a]\nurls = ['http://x']\ncolour = 'red'", "unknown key 'clusters.a.colour'"),
        (
            "[clusters.a]\nread_only = true",
            "'clusters.a.urls': expected at least one Connect REST URL",
        ),
        (
            "[clusters.a]\nurls = ['connect:8083']",
            "'clusters.a.urls': expected http:// or https:// URLs",
        ),
        ("[clusters.a]\nurls = [1, 2]", "'clusters.a.urls': expected a list of strings"),
        ("clusters = 3", "'clusters': expected a table of clusters"),
        ("bogus = 1", "unknown key 'bogus'"),
        (
            "[clusters.a]\nurls = ['http://x']\n[clusters.a.kafka]\n"
            "bootstrap_servers = ['k:1']\nsecurity_protocol = 'TLS'",
            "'clusters.a.kafka.security_protocol': expected one of PLAINTEXT, SSL",
        ),
        (
            "[clusters.a]\nurls = ['http://x']\n[clusters.a.kafka]\nsecurity_protocol = 'SSL'",
            "'clusters.a.kafka.bootstrap_servers': expected host:port",
        ),
        (
            "[clusters.a]\nurls = ['http://x']\n[[clusters.a.jmx]]\nworker = 'w'",
            "'clusters.a.jmx[0].worker' and 'clusters.a.jmx[0].url' are required",
        ),
        (
            "[clusters.a]\nurls = ['http://x']\n[[clusters.a.logs]]\npath = '/x'\ncommand = 'tail'",
            "'clusters.a.logs[0]': expected exactly one of path, command",
        ),
        (
            "[clusters.a]\nurls = ['http://x']\njmx = 'nope'",
            "'clusters.a.jmx': expected an array of tables",
        ),
    ],
)
def test_errors_name_the_file_and_key(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(FILE, text)
    message = str(info.value)
    assert re.match(rf"{re.escape(str(FILE))}:\d+: ", message), message  # file:line: first
    assert expected in message


def test_tls_strict_is_the_clusters_and_its_http_sources_inherit_it() -> None:
    text = """
[clusters.corp]
urls = ["https://connect:8083"]
tls_strict = false
[clusters.corp.schema_registry]
urls = ["https://registry:8081"]
[[clusters.corp.metrics]]
worker = "w1"
url = "https://w1:9404/metrics"
source = "prometheus"
[[clusters.corp.metrics]]
worker = "w2"
url = "https://w2:9404/metrics"
source = "prometheus"
tls_strict = true
[clusters.plain]
urls = ["https://connect:8083"]
"""
    clusters = parse_config(FILE, text).clusters
    corp = clusters["corp"]
    assert corp.tls_strict is False
    assert corp.schema_registry is not None and corp.schema_registry.tls_strict is False
    assert [m.tls_strict for m in corp.metrics] == [False, True]
    assert clusters["plain"].tls_strict is None  # Python's own default
    with pytest.raises(ConfigError, match="'clusters.x.tls_strict': expected true or false"):
        parse_config(FILE, "[clusters.x]\nurls = ['https://c:1']\ntls_strict = 'no'\n")


def test_invalid_toml_names_the_line() -> None:
    with pytest.raises(ConfigError, match=r"line 3"):
        parse_config(FILE, "current = 'a'\n\n[clusters.a\n")


def test_absent_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml", import_kcctl=False)
    assert config.clusters == {} and config.current is None


ENV_NONE: dict[str, str] = {}


@pytest.mark.parametrize(
    ("kwargs", "env", "expected_urls"),
    [
        (
            {"url": "http://flag:1", "name": "dev"},
            {"KCTUI_URL": "http://env:1"},
            ("http://flag:1",),
        ),
        ({"name": "dev"}, {"KCTUI_URL": "http://env:1"}, ("http://env:1",)),
        ({"name": "dev"}, ENV_NONE, ("http://localhost:8083",)),
        ({}, ENV_NONE, ("https://c1:8083", "https://c2:8083")),
        ({"url": "http://a:1/, http://b:2"}, ENV_NONE, ("http://a:1", "http://b:2")),
    ],
)
def test_resolve_order(kwargs: dict, env: dict, expected_urls: tuple[str, ...]) -> None:
    config = parse_config(FILE, GOOD)
    assert resolve_cluster(config, env=env, **kwargs).urls == expected_urls


def test_resolve_read_only_flag_and_errors() -> None:
    config = parse_config(FILE, GOOD)
    assert resolve_cluster(config, name="dev", read_only=True, env={}).read_only
    assert resolve_cluster(config, name="prod", env={}).read_only  # from the file
    with pytest.raises(ConfigError, match=r"unknown cluster 'nope' \(known: dev, prod"):
        resolve_cluster(config, name="nope", env={})
    with pytest.raises(ConfigError, match="expected an http:// or https:// URL, got 'ftp://x'"):
        resolve_cluster(config, url="ftp://x", env={})
    with pytest.raises(ConfigError, match="--url"):
        resolve_cluster(config, url=" , ", env={})
    empty = parse_config(FILE, "")
    with pytest.raises(ConfigError, match="no cluster configured"):
        resolve_cluster(empty, env={})


def test_single_cluster_needs_no_current() -> None:
    config = parse_config(FILE, "[clusters.only]\nurls = ['http://o:1']\n")
    assert resolve_cluster(config, env={}).name == "only"


def write_kcctl(path: Path) -> Path:
    path.write_text(
        json.dumps(
            {
                "currentContext": "local",
                "local": {
                    "cluster": "http://localhost:8083",
                    "bootstrapServers": "k:9092, k2:9092",
                },
                "secure": {
                    "cluster": "https://c:8443",
                    "username": "u",
                    "password": "kcctl-pw-123",
                },
                "broken": {"cluster": "not a url"},
                "weird": 3,
            }
        ),
        encoding="utf-8",
    )
    return path


def test_kcctl_import(tmp_path: Path) -> None:
    clusters = kcctl_clusters(write_kcctl(tmp_path / ".kcctl"))
    assert set(clusters) == {"kcctl-local", "kcctl-secure"}
    local = clusters["kcctl-local"]
    assert local.urls == ("http://localhost:8083",)
    assert local.kafka is not None and local.kafka.bootstrap_servers == ("k:9092", "k2:9092")
    secure = clusters["kcctl-secure"]
    assert secure.username == "u" and secure.rest_password(env={}) == "kcctl-pw-123"
    assert "kcctl-pw-123" not in repr(secure)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", ""])
def test_broken_kcctl_imports_nothing(tmp_path: Path, content: str) -> None:
    path = tmp_path / ".kcctl"
    path.write_text(content, encoding="utf-8")
    assert kcctl_clusters(path) == {}
    assert kcctl_clusters(tmp_path / "absent") == {}


def test_write_cluster_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "kctui" / "config.toml"
    table = {
        "urls": ["https://a:8083", "https://b:8083"],
        "read_only": True,
        "username": "ops",
        "password_file": "~/.secret",
        "timeout": 2.5,
        "kafka": {"bootstrap_servers": ["k:9092"], "security_protocol": "SSL"},
        "jmx": [{"worker": "a:8083", "url": "service:jmx:rmi:///jndi/rmi://a:1/jmxrmi"}],
        "logs": [{"worker": "a:8083", "path": "/var/log/connect.log*"}],
    }
    write_cluster(path, "prod", table, make_current=True)
    write_cluster(path, "dev", {"urls": ["http://d:1"]}, make_current=False)
    config = load_config(path, import_kcctl=False)
    assert config.current == "prod"
    prod = config.clusters["prod"]
    assert prod.urls == ("https://a:8083", "https://b:8083") and prod.read_only
    assert prod.timeout == 2.5 and prod.password_file == "~/.secret"
    assert prod.kafka is not None and prod.kafka.security_protocol == "SSL"
    assert prod.logs[0].path == "/var/log/connect.log*"
    assert config.clusters["dev"].urls == ("http://d:1",)


def test_write_cluster_refuses_a_table_it_could_not_read_back(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    write_cluster(path, "ok", {"urls": ["http://o:1"]}, make_current=True)
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="clusters.bad.urls"):
        write_cluster(path, "bad", {"urls": ["nope"]}, make_current=False)
    assert path.read_text(encoding="utf-8") == before


def test_read_secret(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n", encoding="utf-8")
    assert read_secret(None, str(secret), what="password") == "s3cret"
    assert read_secret("PW", None, what="password", env={"PW": "x"}) == "x"
    assert read_secret(None, None, what="password") is None
    with pytest.raises(ConfigError, match="password: environment variable PW is not set"):
        read_secret("PW", None, what="password", env={})
    with pytest.raises(ConfigError, match="password: cannot read .*absent"):
        read_secret(None, str(tmp_path / "absent"), what="password")


def test_config_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    write_kcctl(tmp_path / ".kcctl")
    path = tmp_path / "config.toml"
    path.write_text(GOOD, encoding="utf-8")

    assert main(["config", "--config", str(path), "path"]) == 0
    assert capsys.readouterr().out.strip() == str(path)

    assert main(["--config", str(path), "config", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("* prod ") and "read-only" in line for line in lines)
    assert any(line.startswith("  kcctl-local ") and "[kcctl]" in line for line in lines)

    assert main(["config", "--config", str(path), "use", "kcctl-local"]) == 0
    assert "current cluster: kcctl-local" in capsys.readouterr().out
    config = load_config(path)
    assert config.current == "kcctl-local" and set(config.clusters) == {"prod", "dev"}

    assert main(["config", "--config", str(path), "use", "nope"]) == 2
    assert "unknown cluster 'nope'" in capsys.readouterr().err

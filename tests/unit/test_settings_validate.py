"""The one TOML validator: errors name the file line and the key, for the config file, the
restart policy, the rules and the themes; the key scan behind the lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctui.configfile import parse_config
from kctui.diagnose import RuleFileError, parse_rules
from kctui.settings import ConfigError
from kctui.settings.keylines import KeyLines
from kctui.ui.themes import theme_from_toml

FILE = Path("/etc/kctui/config.toml")

TEXT = """\
current = "prod"   # a comment [not a table]
[keymap]
connector.pause = "P"

[clusters.prod]
urls = [
  "https://a:8083",  # ]
  "https://b:8083",
]
"quoted.key" = '''
[not a table either
'''
timeout = 3
[[clusters.prod.jmx]]
worker = "w1"
[[clusters.prod.jmx]]
url = "x"
[clusters.prod.auto_restart]
[[clusters.prod.auto_restart.connectors]]
match = "a"
inline = { a = 1,
  b = 2 }
after = 1
"""


@pytest.mark.parametrize(
    ("path", "line"),
    [
        (("current",), 1),
        (("keymap", "connector", "pause"), 3),
        (("clusters", "prod"), 5),
        (("clusters", "prod", "urls"), 6),
        (("clusters", "prod", "quoted.key"), 10),
        (("clusters", "prod", "timeout"), 13),
        (("clusters", "prod", "jmx", 0, "worker"), 15),
        (("clusters", "prod", "jmx", 1), 16),
        (("clusters", "prod", "jmx", 1, "url"), 17),
        (("clusters", "prod", "jmx", 1, "absent"), 16),  # the nearest table
        (("clusters", "prod", "auto_restart", "connectors", 0, "match"), 20),
        (("clusters", "prod", "auto_restart", "connectors", 0, "inline", "b"), 21),
        (("clusters", "prod", "auto_restart", "connectors", 0, "after"), 23),
        (("nothing",), None),
    ],
)
def test_key_lines_follow_tables_arrays_and_multiline_values(
    path: tuple[str | int, ...], line: int | None
) -> None:
    assert KeyLines(TEXT).line_of(path) == line


CLUSTER = "[clusters.a]\nurls = ['http://x']\n"


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        (CLUSTER + "timeout = 'x'\n", 3, "key 'clusters.a.timeout': expected a positive number, "
                                          "got 'x'"),
        (CLUSTER + "\n\nread_only = 'yes'\n", 5, "key 'clusters.a.read_only'"),
        ("theme = 'dark'\n" + CLUSTER + "colour = 'red'\n", 4, "unknown key 'clusters.a.colour'"),
        (CLUSTER + "[[clusters.a.jmx]]\nworker = 'w'\n", 3, "'clusters.a.jmx[0].url' are"),
        (CLUSTER + "[[clusters.a.logs]]\nworker = 'w'\npath = 3\n", 5, "logs[0].path'"),
        (CLUSTER + "[[clusters.a.metrics]]\nworker = 'w'\nurl = 'x'\nsource = 'snmp'\n", 6,
         "expected one of jmx, prometheus, jolokia, got 'snmp'"),
        (CLUSTER + "[clusters.a.auto_restart]\nmax_restarts = -1\n", 4,
         "key 'clusters.a.auto_restart.max_restarts': expected a whole number >= 0, got -1"),
        (CLUSTER + "[clusters.a.auto_restart]\n[[clusters.a.auto_restart.connectors]]\n"
         "match = '('\n", 5, "connectors[0].match': invalid regular expression"),
        (CLUSTER + "[[clusters.a.logs]]\npath = '/l'\nlayout = 'nope'\n", 5, "unknown log layout"),
        ("[keymap]\nconnector.pause = 3\n", 1, "key 'keymap': expected a table of action id"),
        ("current = 'a'\n\n[clusters.a\n", 3, "invalid TOML"),
        ("current = ", 1, "invalid TOML"),
        (CLUSTER + "password = 'inline'\n", 3, "unknown key 'clusters.a.password'"),
        (CLUSTER + "name = 'other'\n", 3, "unknown key 'clusters.a.name'"),
    ],
)  # fmt: skip
def test_config_errors_name_the_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(FILE, text)
    message = str(info.value)
    assert message.startswith(f"{FILE}:{line}: "), message
    assert expected in message


def test_what_the_structs_say_shapes_the_file() -> None:
    text = """
[clusters.a]
url = "https://c:8083"
tls_strict = false
[clusters.a.kafka]
bootstrap_servers = "k1:9092, k2:9092"
security_protocol = "sasl_ssl"
[clusters.a.schema_registry]
url = "https://r:8081/"
[[clusters.a.metrics]]
worker = "w"
url = "https://w:9404/metrics"
source = "Prometheus"
[[clusters.a.logs]]
command = "journalctl -fu connect"
[clusters.b]
urls = ["http://b:8083"]
lag_threshold = 2500.7
"""
    cluster = parse_config(FILE, text).clusters["a"]
    assert cluster.name == "a" and cluster.urls == ("https://c:8083",)  # alias
    assert cluster.kafka is not None
    assert cluster.kafka.bootstrap_servers == ("k1:9092", "k2:9092")  # a comma list
    assert cluster.kafka.security_protocol == "SASL_SSL"  # any case
    assert cluster.schema_registry is not None
    assert cluster.schema_registry.urls == ("https://r:8081",)  # no trailing slash
    assert cluster.schema_registry.tls_strict is False  # the cluster's
    assert cluster.metrics[0].source == "prometheus" and cluster.metrics[0].tls_strict is False
    assert cluster.logs[0].worker == "worker-1"  # numbered
    assert cluster.logs[0].command == ("journalctl -fu connect",)  # one item, not split
    assert parse_config(FILE, text).clusters["b"].lag_threshold == 2500  # its whole part


def test_unknown_keys_are_all_listed_where_a_file_lists_them() -> None:
    text = '[[rule]]\nid = "mine"\nsummary = "s"\naction = "a"\ncolour = 1\nsize = 2\n'
    with pytest.raises(RuleFileError) as info:
        parse_rules(text, "mine.toml")
    assert "rules file mine.toml:5, rule 'mine': unknown key(s) colour, size" in str(info.value)


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('[[rule]]\nid = "a"\nsummary = "s"\naction = "a"\npriority = "high"\n', 5,
         "rule 'a': 'priority' must be an integer"),
        ('[[rule]]\nid = "a"\nsummary = "s"\naction = "a"\n[rule.match]\nstages = ["X"]\n', 6,
         "rule 'a': unknown stage(s) X"),
        ('[[rule]]\nid = "a"\nenabled = false\n[[rule]]\nid = "a"\n', 5,
         "rule 'a': the id is used twice"),
    ],
)  # fmt: skip
def test_rule_errors_name_the_line(text: str, line: int, expected: str) -> None:
    with pytest.raises(RuleFileError) as info:
        parse_rules(text, "mine.toml")
    message = str(info.value)
    assert message.startswith(f"rules file mine.toml:{line}, "), message
    assert expected in message


def test_theme_errors_name_the_line() -> None:
    with pytest.raises(ValueError, match=r"^mine\.toml:3: key 'dark': expected true or false"):
        theme_from_toml("mine.toml", 'name = "x"\nprimary = "#fff"\ndark = "yes"\n')

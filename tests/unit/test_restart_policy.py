"""The auto-restart policy: Strimzi's backoff, include/exclude and overrides, what a restart
cannot fix (real traces), config errors, and the decision for one connector."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctui.configfile import parse_config
from kctui.connect.models import Connector, ConnectorInfo, ConnectorStatus, TaskStatus
from kctui.operate.restart_policy import restart_cannot_fix
from kctui.operate.restart_state import (
    CANNOT_FIX,
    GAVE_UP,
    GIVE_UP,
    HEALTHY,
    IGNORED,
    NOTHING,
    RESTART,
    WAIT,
    ConnectorRestarts,
    decide,
)
from kctui.settings import ConfigError, PolicySettings, RestartPolicy, backoff_seconds
from kctui.settings.restart import parse_policy

FIXTURES = Path(__file__).parent.parent / "fixtures" / "watch"
CONFIG = Path("/etc/kctui.toml")


@pytest.mark.parametrize(
    ("previous", "minutes", "cap", "expected_minutes"),
    [
        (0, 1.0, 60.0, 0),  # the first restart is immediate
        (1, 1.0, 60.0, 2),
        (2, 1.0, 60.0, 6),
        (3, 1.0, 60.0, 12),
        (4, 1.0, 60.0, 20),
        (5, 1.0, 60.0, 30),
        (6, 1.0, 60.0, 42),
        (7, 1.0, 60.0, 56),
        (8, 1.0, 60.0, 60),  # capped
        (30, 1.0, 60.0, 60),
        (2, 0.5, 60.0, 3),  # a smaller unit scales the whole schedule
        (3, 1.0, 10.0, 10),  # a smaller cap
        (5, 0.0, 60.0, 0),  # no backoff at all
        (-1, 1.0, 60.0, 0),  # nonsense counts as none
    ],
)
def test_backoff_follows_strimzi(
    previous: int, minutes: float, cap: float, expected_minutes: float
) -> None:
    assert backoff_seconds(previous, minutes=minutes, cap_minutes=cap) == expected_minutes * 60


@pytest.mark.parametrize(
    ("fixture", "reason"),
    [
        ("plugin-missing.txt", "connector-plugin-not-found"),
        ("noclassdef.txt", "java-class-missing"),
        ("missing-config.txt", "missing-required-config"),
        ("ccloud-invalid-config.txt", "config-invalid"),
        ("jdbc-connection-failed.txt", None),
        ("sqlserver-closed.txt", None),
        ("db2-connection-refused.txt", None),
    ],
)
def test_restart_cannot_fix_on_real_traces(fixture: str, reason: str | None) -> None:
    found = restart_cannot_fix((FIXTURES / fixture).read_text())
    assert (found.split(":", 1)[0] if found else None) == reason


def test_restart_cannot_fix_without_a_trace() -> None:
    assert restart_cannot_fix(None) is None
    assert restart_cannot_fix("") is None


def policy_from(text: str) -> RestartPolicy:
    config = parse_config(CONFIG, '[clusters.p]\nurls = ["http://c:8083"]\n' + text)
    policy = config.clusters["p"].auto_restart
    assert policy is not None
    return policy


def test_include_exclude_and_overrides() -> None:
    policy = policy_from(
        "[clusters.p.auto_restart]\n"
        'include = "^(orders|billing)-"\nexclude = "-test$"\nmax_restarts = 4\n'
        "[[clusters.p.auto_restart.connectors]]\n"
        'match = "^billing-"\nmax_restarts = 1\nbackoff_minutes = 5\n'
        "[[clusters.p.auto_restart.connectors]]\n"
        'match = "^orders-jdbc"\nrestart_cannot_fix = true\n'
    )
    table = {
        "orders-s3": (True, 4, 1.0, False),
        "orders-jdbc-sink": (True, 4, 1.0, True),
        "billing-es": (True, 1, 5.0, False),
        "billing-es-test": (False, 1, 5.0, False),
        "inventory": (False, 4, 1.0, False),
    }
    for name, (enabled, max_restarts, minutes, cannot_fix) in table.items():
        settings = policy.settings_for(name)
        got = (settings.enabled, settings.max_restarts, settings.backoff_minutes,
               settings.restart_cannot_fix)  # fmt: skip
        assert got == (enabled, max_restarts, minutes, cannot_fix), name


def test_defaults_and_alerts() -> None:
    policy = policy_from(
        "[clusters.p.auto_restart]\n"
        'alert_command = ["notify", "--urgent"]\nalert_webhook = "https://hooks.example/x"\n'
    )
    assert policy.defaults == PolicySettings()
    assert policy.alerts.command == ("notify", "--urgent")
    assert policy.alerts.webhook == "https://hooks.example/x"
    assert policy.alerts.min_interval_seconds == 300.0
    assert (
        parse_config(CONFIG, '[clusters.p]\nurls = ["http://c:8083"]\n').clusters["p"].auto_restart
        is None
    )


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('max_restarts = "3"', "auto_restart.max_restarts': expected a whole number"),
        ("backoff_minutes = -1", "auto_restart.backoff_minutes': expected a number of minutes"),
        ('include = "("', "auto_restart.include': invalid regular expression"),
        ("retries = 3", "unknown key 'clusters.p.auto_restart.retries'"),
        ('alert_command = "notify me"', "auto_restart.alert_command': expected an argv list"),
        ('alert_webhook = "hooks.example"', "alert_webhook': expected an http:// or https:// URL"),
        ("[[clusters.p.auto_restart.connectors]]\nmax_restarts = 1", "connectors[0].match'"),
    ],
)
def test_config_errors_name_the_key(table: str, message: str) -> None:
    with pytest.raises(ConfigError, match="kctui.toml") as caught:
        policy_from("[clusters.p.auto_restart]\n" + table + "\n")
    assert message in str(caught.value)


def test_parse_policy_rejects_a_non_table() -> None:
    with pytest.raises(Exception, match="expected a table"):
        parse_policy(CONFIG, "clusters.p.auto_restart", 3)


# --------------------------------------------------------------------------- decide

TRANSIENT = (FIXTURES / "sqlserver-closed.txt").read_text()
PLUGIN = (FIXTURES / "plugin-missing.txt").read_text()


def connector(
    state: str = "RUNNING", tasks: tuple[str, ...] = ("FAILED",), trace: str = TRANSIENT
) -> Connector:
    task_statuses = tuple(
        TaskStatus("c", i, s, "w1:8083", trace if s == "FAILED" else None)
        for i, s in enumerate(tasks)
    )
    status = ConnectorStatus(
        "c", state, "w1:8083", trace if state == "FAILED" else None, "sink", task_statuses
    )
    return Connector("c", status, ConnectorInfo("c"))


SETTINGS = PolicySettings(max_restarts=3, backoff_minutes=1.0, reset_after_minutes=10.0)
NOW = 1_000_000.0


@pytest.mark.parametrize(
    ("name", "unit", "record", "settings", "kind", "attempt"),
    [
        ("first failure restarts at once", connector(), None, SETTINGS, RESTART, 1),
        ("connector itself failed", connector("FAILED", ()), None, SETTINGS, RESTART, 1),
        (
            "within the 2 min backoff",
            connector(),
            ConnectorRestarts(1, NOW - 60),
            SETTINGS,
            WAIT,
            0,
        ),
        ("backoff elapsed", connector(), ConnectorRestarts(1, NOW - 121), SETTINGS, RESTART, 2),
        ("6 min after the 2nd", connector(), ConnectorRestarts(2, NOW - 300), SETTINGS, WAIT, 0),
        ("cap reached", connector(), ConnectorRestarts(3, NOW - 9999), SETTINGS, GIVE_UP, 0),
        (
            "stays gave up",
            connector(),
            ConnectorRestarts(3, NOW, gave_up=True),
            SETTINGS,
            GAVE_UP,
            0,
        ),
        ("plugin missing", connector(trace=PLUGIN), None, SETTINGS, CANNOT_FIX, 0),
        (
            "plugin missing, told to restart anyway",
            connector(trace=PLUGIN),
            None,
            PolicySettings(restart_cannot_fix=True),
            RESTART,
            1,
        ),
        ("not covered", connector(), None, PolicySettings(enabled=False), IGNORED, 0),
        ("healthy, nothing kept", connector(tasks=("RUNNING",)), None, SETTINGS, NOTHING, 0),
        (
            "paused with a record",
            connector("PAUSED", ("PAUSED",)),
            ConnectorRestarts(1, NOW),
            SETTINGS,
            NOTHING,
            0,
        ),
        (
            "healthy again",
            connector(tasks=("RUNNING",)),
            ConnectorRestarts(2, NOW, True),
            SETTINGS,
            HEALTHY,
            0,
        ),
    ],
)
def test_decide(
    name: str, unit: Connector, record: ConnectorRestarts | None, settings: PolicySettings,
    kind: str, attempt: int,
) -> None:  # fmt: skip
    decision = decide(unit, record, settings, NOW)
    assert (decision.kind, decision.attempt) == (kind, attempt), name


def test_give_up_then_healthy_clears_gave_up_and_later_the_count() -> None:
    given_up = decide(connector(), ConnectorRestarts(3, NOW - 9999), SETTINGS, NOW)
    assert given_up.record is not None and given_up.record.gave_up
    assert "3 restarts" in given_up.reason
    healthy = decide(connector(tasks=("RUNNING",)), given_up.record, SETTINGS, NOW + 10)
    assert healthy.record == ConnectorRestarts(3, NOW - 9999, False, "", NOW + 10)
    still = decide(connector(tasks=("RUNNING",)), healthy.record, SETTINGS, NOW + 300)
    assert still.record is not None and still.record.restarts == 3
    reset = decide(connector(tasks=("RUNNING",)), still.record, SETTINGS, NOW + 10 + 600)
    assert reset.kind == HEALTHY and reset.record is None
    failed_again = decide(connector(), healthy.record, SETTINGS, NOW + 20)
    assert failed_again.kind == GIVE_UP  # still over the cap: gave up again at once
    assert failed_again.record is not None and failed_again.record.healthy_since is None


def test_wait_says_when() -> None:
    decision = decide(connector(), ConnectorRestarts(1, NOW - 60), SETTINGS, NOW)
    assert decision.next_at == NOW - 60 + 120

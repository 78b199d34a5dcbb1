"""The console's metrics service: its verdicts (metric reasons worked out once per snapshot,
in the poller's thread) are exactly ``rollup_with_metrics``'s, case by case, and the row
cache judges a row again only when what the metrics say of it changed."""

from __future__ import annotations

import pytest
from msgspec.structs import replace

from kctui.connect.models import ClusterState
from kctui.health import Health, rollup_with_metrics
from kctui.metrics.model import MetricsSnapshot
from kctui.settings import ClusterConfig
from kctui.ui.metrics_service import MetricsService
from kctui.ui.view import RowCache
from tests.unit.test_health_metrics import CASES, T, connector, snapshot

CLUSTER = ClusterConfig(name="c", urls=("http://127.0.0.1:1",))


def service_with(
    previous: MetricsSnapshot | None, current: MetricsSnapshot | None, threshold: int
) -> MetricsService:
    service = MetricsService(replace(CLUSTER, lag_threshold=threshold))
    for shot in (previous, current):
        if shot is not None:
            service.add(service.judge(shot))
    return service


@pytest.mark.parametrize(
    ("tasks", "current", "previous", "threshold"),
    [(case[1], case[2], case[3], case[4]) for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_the_service_says_what_rollup_with_metrics_says(
    tasks: tuple[str, ...],
    current: MetricsSnapshot | None,
    previous: MetricsSnapshot | None,
    threshold: int,
) -> None:
    service = service_with(previous if current is not None else None, current, threshold)
    c = connector(tasks=tasks)
    expected = rollup_with_metrics(c, current, previous=previous, lag_threshold=threshold)
    assert service.verdict(c) == expected


def test_a_snapshot_judged_against_an_older_one_is_judged_again() -> None:
    service = service_with(None, snapshot(T(errors=2)), 10_000)
    stale = service.judge(snapshot(T(errors=12)))  # two polls crossed: another came first
    service.add(service.judge(snapshot(T(errors=5))))
    service.add(stale)
    verdict = service.verdict(connector())
    assert verdict.health == Health.DEGRADED and "+7" in verdict.reason  # 12 - 5, not 12 - 2


def state_of(*names: str) -> ClusterState:
    return ClusterState(connectors={n: connector(name=n) for n in names})


def test_rows_are_judged_again_only_when_their_metrics_say_something_new() -> None:
    state = state_of("orders", "payments")
    service = service_with(None, snapshot(T(lag=5)), 10_000)
    cache = RowCache()
    first = {row.name: row for row in cache.rows(state, service)}
    service.add(service.judge(snapshot(T(lag=50_000))))  # orders lags now
    second = {row.name: row for row in cache.rows(state, service)}
    assert second["orders"].health == Health.DEGRADED
    assert second["payments"] is first["payments"]  # nothing new said of it: reused
    assert [row.name for row in cache.rows(state, service)] == ["orders", "payments"]

"""Pure logic behind the console: rows, filter, row cache, follow rule, config summary,
trace chain, theme files. Table-driven, no Textual app."""

from __future__ import annotations

import pytest

from kctui.connect.models import ClusterState
from kctui.health import Health
from kctui.traces import parse_trace
from kctui.ui.config_summary import converters, error_handling, shown_config, smt_chain
from kctui.ui.highlight import chain_summary, highlight_json, highlight_trace
from kctui.ui.poller import FOLLOW_SECONDS, SETTLE_AFTER, Follow
from kctui.ui.themes import theme_from_toml
from kctui.ui.view import (
    RowCache,
    RowFilter,
    build_rows,
    connector_summary,
    with_task_restarting,
)
from tests.ui.fakes import TRACE, W1, connector_json, demo_cluster


def state_of(data: dict) -> ClusterState:
    return ClusterState.from_json(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 7),
        ("failing", 1),
        ("FAILING", 1),
        ("^demo-s", 4),  # sink, smt-source, source, stopped
        ("PAUSED", 1),
        ("FileStreamSource", 4),
        ("29084", 3),
        ("demo-[", 0),  # not a regex: substring, matches nothing
        ("unhealthy", 1),
    ],
)
def test_filter(text: str, expected: int) -> None:
    rows = build_rows(state_of(demo_cluster()), RowFilter.compile(text))
    assert len(rows) == expected


def test_invalid_regex_is_reported_and_matched_as_text() -> None:
    row_filter = RowFilter.compile("a(b")
    assert row_filter.pattern is None and row_filter.error and "not a regex" in row_filter.error


def test_rows_worst_first_then_by_name() -> None:
    rows = build_rows(state_of(demo_cluster()))
    ranks = [row.health.rank for row in rows]
    assert ranks == sorted(ranks)
    assert rows[0].health is Health.UNHEALTHY and rows[0].tasks_failed == 1
    healthy = [row.name for row in rows if row.health is Health.HEALTHY]
    assert healthy == sorted(healthy)


def test_row_cache_reuses_unchanged_rows_and_recomputes_changed() -> None:
    cache = RowCache()
    data = demo_cluster()
    first = {row.name: row for row in cache.rows(state_of(data))}
    data["demo-sink"]["status"]["tasks"][0]["state"] = "FAILED"
    second = {row.name: row for row in cache.rows(state_of(data))}
    assert second["demo-source"] is first["demo-source"]
    assert second["demo-sink"] is not first["demo-sink"]
    assert second["demo-sink"].health is Health.DEGRADED
    same = state_of(data)
    assert cache.rows(same) is cache.rows(same)


def test_follow_settles_after_a_transient_state_or_a_change() -> None:
    data = demo_cluster()
    before = state_of(data).connectors["demo-failing-sink"]
    follow = Follow("demo-failing-sink", "restart", 0.0, before, [connector_summary(before)])
    restarting = with_task_restarting(state_of(data), "demo-failing-sink", [0])
    assert not follow.observe(restarting.connectors["demo-failing-sink"], 0.5)
    assert follow.observe(before, 1.5)  # FAILED again after RESTARTING: settled
    assert follow.history == [
        "RUNNING [0:FAILED]", "RUNNING [0:RESTARTING]", "RUNNING [0:FAILED]",
    ]  # fmt: skip


def test_follow_without_any_change_gives_up_later() -> None:
    before = state_of(demo_cluster()).connectors["demo-sink"]
    follow = Follow("demo-sink", "pause", 0.0, before, [connector_summary(before)])
    assert not follow.observe(before, 1.0)
    assert follow.observe(before, SETTLE_AFTER + 0.1) and not follow.changed
    stuck = Follow("demo-sink", "restart", 0.0, before, [])
    unassigned = state_of(
        {"demo-sink": connector_json("demo-sink", "sink", "UNASSIGNED", [("UNASSIGNED", "")])}
    ).connectors["demo-sink"]
    assert not stuck.observe(unassigned, SETTLE_AFTER + 1)
    assert stuck.observe(unassigned, FOLLOW_SECONDS + 1)


def test_deleted_connector_settles_as_gone() -> None:
    before = state_of(demo_cluster()).connectors["demo-paused"]
    follow = Follow("demo-paused", "delete", 0.0, before, [connector_summary(before)])
    assert follow.observe(None, 1.0) and follow.history[-1] == "gone"


def test_config_summary() -> None:
    config = {
        "transforms": "b, a",
        "transforms.a.type": "A",
        "transforms.b.type": "B",
        "transforms.b.field": "x",
        "value.converter": "org.apache.kafka.connect.json.JsonConverter",
        "value.converter.schemas.enable": "false",
        "errors.tolerance": "all",
        "errors.deadletterqueue.topic.name": "dlq",
        "connection.password": "pw",
        "connection.url": "jdbc:postgresql://db/x?user=u&password=pw2",
    }
    chain = smt_chain(config)
    assert [(t.position, t.alias, t.type) for t in chain] == [(1, "b", "B"), (2, "a", "A")]
    assert chain[0].settings == (("field", "x"),)
    assert ("value.converter.schemas.enable", "false") in converters(config)
    assert ("key.converter", "worker default") in converters(config)
    sink = dict(error_handling(config, "sink"))
    assert sink["errors.tolerance"] == "all" and sink["errors.deadletterqueue.topic.name"] == "dlq"
    assert sink["errors.log.enable"] == "false (default)"
    assert "no DLQ" in dict(error_handling(config, "source"))["dead letter queue"]
    masked = shown_config(config, revealed=False)
    assert masked["connection.password"] != "pw" and "pw2" not in masked["connection.url"]
    assert shown_config(config, revealed=True)["connection.password"] == "pw"
    assert smt_chain({"transforms": "x"})[0].type == "(no type set)"


def test_exception_chain_and_highlight_styles() -> None:
    chain = parse_trace(TRACE).chain
    assert [entry.short_name for entry in chain] == ["ConnectException", "NoSuchFileException"]
    assert chain[1].message == "/nonexistent/out.txt"
    summary = chain_summary(TRACE).plain.splitlines()
    assert summary[-1] == "root cause: NoSuchFileException: /nonexistent/out.txt"
    content = highlight_trace(TRACE)
    styled = {content.plain[s.start : s.end]: s.style for s in content.spans}
    assert styled["org.apache.kafka.connect.errors.ConnectException"] == "$error bold"
    assert styled["Caused by: "] == "$warning bold"
    assert styled["org.apache.kafka.connect.file.FileStreamSinkTask.start"] == "$accent"
    assert styled["java.base/java.lang.Thread.run"] == "$text-muted"
    assert "\t" not in content.plain
    assert chain_summary("").plain == "" and highlight_trace("garbage").plain == "garbage"
    json_content = highlight_json('{"a": 1}')
    assert any(s.style == "$primary" for s in json_content.spans)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name = ", "invalid TOML"),
        ('primary = "#fff"', "key 'name'"),
        ('name = "x"', "key 'primary'"),
        ('name = "x"\nprimary = "#fff"\ndark = "yes"', "key 'dark'"),
        ('name = "x"\nprimary = "#fff"\nerror = 3', "key 'error'"),
        ('name = "x"\nprimary = "not a colour"', "bad colour"),
    ],
)
def test_bad_theme_files_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        theme_from_toml("mine.toml", text)
    assert str(info.value).startswith("mine.toml")


def test_theme_file() -> None:
    theme = theme_from_toml("t.toml", 'name = "t"\nprimary = "#336699"\ndark = false\n'
                            '[variables]\n"footer-key-foreground" = "#000000"')  # fmt: skip
    assert theme.name == "t" and not theme.dark and theme.variables["footer-key-foreground"]


def test_odd_connectors_make_rows() -> None:
    data = {"x": {"status": {"tasks": [{"id": 0, "state": "WEIRD", "worker_id": W1}]}}, "y": 5}
    rows = build_rows(state_of(data))
    assert {row.name for row in rows} == {"x", "y"}

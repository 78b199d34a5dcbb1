"""Worker logs in the layouts real deployments write: each real sample gives its task
failures, with their cause, attributed to their connector, and nothing from INFO lines."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from kctui.configfile import parse_config
from kctui.logs.feed import LogFeed
from kctui.logs.filters import LogFilter
from kctui.logs.layouts import LAYOUTS, LayoutError, detect, for_source, pattern_layout
from kctui.logs.log4j import PatternError, compile_pattern
from kctui.logs.memory import MemoryLog
from kctui.logs.scan import failures_slow, scan_file
from kctui.settings import ConfigError, LogSource
from tests import polling

REAL = Path(__file__).parent.parent / "fixtures" / "logs" / "real"

# file, detected layout, (connector, task) of each failure, the cause shown under the last one
SAMPLES = [
    (
        "strimzi-echo-sink.log",
        "strimzi",
        [("echo-sink", 0), ("echo-sink", 0)],
        "Caused by: java.lang.RuntimeException: Intentional task failure",
    ),
    (
        "debezium-hana-sink.log",
        "debezium",
        [("inventory9-hana-sink", 0), ("inventory9-hana-sink", 0)],
        "Caused by: java.lang.RuntimeException: Unsupported Avro type STRUCT",
    ),
    (
        "compose-debezium-apicurio.log",
        "debezium (docker compose)",
        [("timmyb32r-schema-registry-pg-apicurio-with-confluent-serializer", 0)],
        "Caused by: io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException",
    ),
    (
        "compose-lambda-confluent.log",
        "confluent (docker compose)",
        [("example-lambda-connector", 0)],
        "LambdaSinkTask$FunctionExecutionException: Lambda function execution failed",
    ),
    (
        "journald-kafka-backup.log",
        "kafka (journald)",
        [("chrono_prod-backup-sink", 0)],
        "org.apache.kafka.common.errors.WakeupException",
    ),
    (
        "sandbox-ecs.json",
        "ecs",
        [("demo-failing-sink", 0)],
        "Caused by: java.nio.file.NoSuchFileException",
    ),
    (
        "sandbox-jsonlayout.json",
        "log4j2-json",
        [("json-layout-failing-sink", 0)],
        "Caused by: java.nio.file.NoSuchFileException",
    ),
]


def _lines(name: str) -> list[str]:
    return (REAL / name).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize(("name", "label", "failures", "cause"), SAMPLES)
def test_real_sample_failures_with_cause_and_connector(
    name: str, label: str, failures: list[tuple[str, int]], cause: str
) -> None:
    layout = detect(_lines(name))
    assert layout.label == label
    data = (REAL / name).read_bytes()
    slow = failures_slow(data, 0, layout)
    assert [(r.line.connector, r.line.task) for r in slow] == failures
    assert all(r.line.level in ("ERROR", "FATAL") for r in slow)
    last = slow[-1]
    record = data[last.offset : last.end].decode().splitlines()
    trace = layout.continuation(record[0], record[1:])
    assert any(cause in line for line in trace), trace
    assert any(line.lstrip().startswith("at ") for line in trace)
    for chunk in (64, 333, 1 << 24):  # the fast scan finds the same records
        assert scan_file(str(REAL / name), chunk=chunk) == slow


@pytest.mark.parametrize(("name", "label", "failures", "cause"), SAMPLES)
def test_info_lines_are_never_failures(
    name: str, label: str, failures: list[tuple[str, int]], cause: str
) -> None:
    layout = detect(_lines(name))
    parsed = [layout.parse(text) for text in _lines(name)]
    headers = [line for line in parsed if line.is_header and line.level]
    assert headers, "every sample has header lines with a level"
    assert all(line.timestamp and line.timestamp[:2] == "20" for line in headers)
    assert not [line for line in headers if line.level == "INFO" and line.is_failure]


@pytest.mark.parametrize(("name", "label", "failures", "cause"), SAMPLES)
def test_the_log_view_reads_every_layout(
    name: str, label: str, failures: list[tuple[str, int]], cause: str
) -> None:
    feed = LogFeed([LogSource(worker="w", path=str(REAL / name))])
    try:
        while feed.step().scanning:
            pass
        assert feed.layout_labels() == [label]
        rows = feed.build(LogFilter(failures_only=True))
        assert [(feed.header(k).connector, feed.header(k).task) for k in rows.rows] == failures
        assert list(rows.failure_rows) == list(range(len(failures)))
        trace = feed.read_continuation(rows.rows[-1])
        assert any(cause in line for line in trace)
        assert feed.continuation_count(rows.rows[-1]) == len(trace)
        connector, task = failures[0]
        mine = feed.build(LogFilter(connector=connector, task=task)).rows
        assert len(mine) >= len(failures)
        everything = feed.build(LogFilter()).rows
        layout = detect(_lines(name))
        assert len(everything) == sum(layout.parse(t).is_header for t in _lines(name))
        assert not any(feed.read_line(k).startswith(("\tat ", "Caused by")) for k in everything)
    finally:
        feed.close()


def test_collector_prefixes_keep_continuation_lines_in_their_record() -> None:
    """kubectl --prefix and --timestamps written in front of a real Strimzi sample."""
    body = _lines("strimzi-echo-sink.log")
    prefixed = [
        f"[pod/my-connect-0/connect] 2023-01-22T23:02:52.{i:06d}Z {t}" for i, t in enumerate(body)
    ]
    layout = detect(prefixed)
    assert layout.label == "strimzi (kubectl --prefix + kubectl --timestamps)"
    data = ("\n".join(prefixed) + "\n").encode()
    slow = failures_slow(data, 0, layout)
    assert [(r.line.connector, r.line.task) for r in slow] == [("echo-sink", 0)] * 2
    record = data[slow[-1].offset : slow[-1].end].decode().splitlines()
    assert any(
        t.startswith("Caused by: java.lang.RuntimeException")
        for t in layout.continuation(record[0], record[1:])
    )


def test_json_from_a_command_is_detected_on_its_first_output() -> None:
    log = MemoryLog(100)
    log.append_lines(_lines("sandbox-ecs.json"))
    assert log.layout.name == "ecs"
    (key,) = log.failures()
    header = log.header(key)
    assert (
        header.text.startswith(header.timestamp or "?")
        and "ERROR [demo-failing-sink|task-0]" in header.text
    )
    trace = log.read_continuation(key)
    assert trace[0].startswith("org.apache.kafka.connect.errors.ConnectException")
    assert log.continuation_count(key) == len(trace)


# ----------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        (
            "%d{ISO8601} %-5p  %X{dbz.connectorType}|%X{dbz.connectorName}|%X{dbz.connectorContext}"
            "  %m   [%c]%n",
            "2023-03-26 20:28:52,372 INFO   Postgres|dbserver1|streaming  Processing messages"
            "   [io.debezium.connector.postgresql.PostgresStreamingChangeEventSource]",
            ("2023-03-26 20:28:52,372", "INFO", "Processing messages", None),
        ),
        (
            "%d{yyyy-MM-dd'T'HH:mm:ss.SSS} [%t] %-5level %logger{36} - %msg%n",
            "2026-11-30T03:35:23.120 [task-thread-a-0] WARN  o.a.k.c.r.WorkerSinkTask - "
            "Commit of offsets timed out",
            ("2026-11-30 03:35:23,120", "WARN", "Commit of offsets timed out", "task-thread-a-0"),
        ),
        (
            "%d{dd MMM yyyy HH:mm:ss,SSS} %5p %c{1}:%L - %m%n",
            "30 Nov 2026 03:35:23,120 ERROR WorkerTask:251 - boom",
            ("30 Nov 2026 03:35:23,120", "ERROR", "boom", None),
        ),
    ],
)
def test_pattern_layouts_compile_into_parsers(
    pattern: str, line: str, expected: tuple[str, str, str, str | None]
) -> None:
    parsed = pattern_layout(pattern).parse(line)
    assert (parsed.timestamp, parsed.level, parsed.message, parsed.thread) == expected


def test_an_unknown_directive_is_named() -> None:
    with pytest.raises(PatternError, match=r"unknown pattern directive %Q"):
        compile_pattern("[%d] %Q %m%n")
    with pytest.raises(LayoutError, match=r"%zz"):
        for_source(None, "%d %p %zz %m%n")
    with pytest.raises(LayoutError, match=r"unknown log layout 'strimzy' \(one of: kafka, "):
        for_source("strimzy", None)


def test_builtin_layouts_parse_lines_of_their_own_pattern() -> None:
    assert set(LAYOUTS) == {"kafka", "confluent", "strimzi", "debezium", "ecs", "log4j2-json"}
    line = LAYOUTS["confluent"].parse(
        "[2020-05-29 09:30:46,649] WARN [orders|task-3] WorkerSinkTask{id=orders-3} Commit of "
        "offsets timed out (org.apache.kafka.connect.runtime.WorkerSinkTask)"
    )
    assert (line.connector, line.task, line.is_failure) == ("orders", 3, True)
    assert LAYOUTS["strimzi"].parse("\tat x.Y.z(Y.java:1)").is_header is False


def test_config_sets_a_layout_or_pattern_per_source() -> None:
    base = "[clusters.a]\nurls = ['http://x:8083']\n[[clusters.a.logs]]\npath = '/l'\n"
    good = parse_config(Path("c.toml"), base + "layout = 'strimzi'\n")
    assert good.clusters["a"].logs[0].layout == "strimzi"
    pattern = parse_config(Path("c.toml"), base + "pattern = '%d %p %m%n'\n")
    assert pattern.clusters["a"].logs[0].pattern == "%d %p %m%n"
    with pytest.raises(ConfigError, match=r"key 'clusters\.a\.logs\[0\]\.layout': unknown log"):
        parse_config(Path("c.toml"), base + "layout = 'nope'\n")
    with pytest.raises(ConfigError, match=r"logs\[0\]\.pattern': unknown pattern directive %Q"):
        parse_config(Path("c.toml"), base + "pattern = '%d %Q %m%n'\n")
    with pytest.raises(ConfigError, match=r"layout or pattern, not both"):
        parse_config(Path("c.toml"), base + "layout = 'kafka'\npattern = '%d %p %m%n'\n")


def test_a_file_empty_when_opened_gets_its_layout_from_its_first_lines(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_bytes(b"")
    feed = LogFeed([LogSource(worker="w", path=str(log))])
    try:
        feed.step()
        assert feed.layout_labels() == ["kafka"]  # nothing to tell yet: the default
        log.write_bytes((REAL / "strimzi-echo-sink.log").read_bytes())
        polling.wait_until(lambda: bool(feed.step().appended), timeout=10, what="new lines")
        assert feed.layout_labels() == ["strimzi"]
        rows = feed.build(LogFilter(failures_only=True)).rows
        assert [feed.header(k).connector for k in rows] == ["echo-sink", "echo-sink"]
    finally:
        feed.close()


def test_every_failure_wording_holds_a_literal_key() -> None:
    """The WARN prefilter drops lines without a key: every wording must hold one."""
    import re

    from kctui.logs.fastpath import WORDING_KEYS
    from kctui.logs.patterns import FAILURE_WORDS, OFFSET_WORDS

    for wording in FAILURE_WORDS + OFFSET_WORDS:
        # the wording's text once its alternations are expanded to their first choice
        text = re.sub(r"\(\?:([^|)]*)[^)]*\)", r"\1", wording)
        assert re.search(wording, text), wording
        assert any(key.decode() in text for key in WORDING_KEYS), wording


def test_the_layout_option_lists_every_layout() -> None:
    from kctui.cli import build_parser

    subparsers = build_parser()._subparsers
    assert subparsers is not None
    action = subparsers._group_actions[0]
    assert isinstance(action, argparse._SubParsersAction)
    logs = action.choices["logs"]
    (option,) = [a for a in logs._actions if "--layout" in a.option_strings]
    assert all(name in (option.help or "") for name in LAYOUTS)


def test_a_pattern_whose_headers_begin_with_blanks(tmp_path: Path) -> None:
    """log4j's classic ``%5p [%t] (%F:%L) - %m%n``: INFO and WARN headers start with a blank."""
    layout = pattern_layout("%5p [%t] (%F:%L) - %m%n")
    body = _lines("strimzi-echo-sink.log")  # real messages and traces in the classic pattern
    lines = []
    for text in body:
        line = LAYOUTS["strimzi"].parse(text)
        if line.is_header and line.level:
            lines.append(f"{line.level:>5} [{line.thread}] (X.java:1) - {line.message}")
            lines.append(f" INFO [main] (Y.java:2) - between {len(lines)}")
        else:
            lines.append(text)
    data = ("\n".join(lines) + "\n").encode()
    log = tmp_path / "app.log"
    log.write_bytes(data)
    slow = failures_slow(data, 0, layout)
    assert [(r.line.connector, r.line.task) for r in slow] == [("echo-sink", 0)] * 2
    assert scan_file(str(log), chunk=97, layout=layout) == slow
    feed = LogFeed([LogSource(worker="w", path=str(log), pattern="%5p [%t] (%F:%L) - %m%n")])
    try:
        while feed.step().scanning:
            pass
        headers = [feed.header(k) for k in feed.build(LogFilter()).rows]
        assert [h.level for h in headers] == [
            layout.parse(t).level for t in lines if layout.parse(t).is_header
        ]
        assert sum(h.message.startswith("between") for h in headers) == 3
    finally:
        feed.close()


def test_json_layout_events_merge_by_their_instant() -> None:
    layout = LAYOUTS["log4j2-json"]
    for text in _lines("sandbox-jsonlayout.json"):
        parsed = layout.parse(text)
        assert layout.timestamp(text.encode()[:512]) == parsed.sort_key != ""


@pytest.mark.parametrize(
    ("name", "connector"),
    [
        ("sandbox-ecs.json", "demo-failing-sink"),
        ("sandbox-jsonlayout.json", "json-layout-failing-sink"),
    ],
)
def test_a_json_event_cut_short_is_still_read(name: str, connector: str) -> None:
    """A command's lines are kept to 8 KiB: a long event loses its end, not its meaning."""
    layout = detect(_lines(name))
    (failure,) = [t for t in _lines(name) if layout.parse(t).is_failure]
    cut = failure[:700]
    line = layout.parse(cut)
    whole = layout.parse(failure)
    assert (line.level, line.connector, line.task, line.timestamp) == (
        whole.level,
        connector,
        0,
        whole.timestamp,
    )
    assert line.is_failure and line.message == whole.message


def test_a_pattern_with_the_message_before_the_level(tmp_path: Path) -> None:
    layout = pattern_layout("%m {%p} %d%n")
    assert not layout.message_after_level and LAYOUTS["strimzi"].message_after_level
    lines = [
        "Task threw an uncaught and unrecoverable exception {WARN} 2026-11-30 03:35:23,120",
        "Catching up {WARN} 2026-11-30 03:35:23,121",
        "Commit of offsets timed out {WARN} 2026-11-30 03:35:23,122",
    ]
    data = ("\n".join(lines) + "\n").encode()
    log = tmp_path / "odd.log"
    log.write_bytes(data)
    slow = failures_slow(data, 0, layout)
    assert [r.line.message[:6] for r in slow] == ["Task t", "Commit"]
    assert scan_file(str(log), layout=layout) == slow


def test_sources_of_different_layouts_merge_by_time() -> None:
    names = ["sandbox-ecs.json", "sandbox-jsonlayout.json", "strimzi-echo-sink.log",
             "debezium-hana-sink.log", "journald-kafka-backup.log"]  # fmt: skip
    feed = LogFeed([LogSource(worker=n, path=str(REAL / n)) for n in names])
    try:
        while feed.step().scanning:
            pass
        assert sorted(feed.layout_labels()) == sorted(
            ["ecs", "log4j2-json", "strimzi", "debezium", "kafka (journald)"]
        )
        rows = feed.build(LogFilter()).rows
        times = [feed.header(k).sort_key for k in rows]
        assert len({feed.worker_of(k) for k in rows}) == len(names)
        assert all(times) and times == sorted(times)
        failures = feed.build(LogFilter(failures_only=True))
        assert [feed.header(k).connector for k in failures.rows] == [
            "chrono_prod-backup-sink",  # 2020
            "inventory9-hana-sink", "inventory9-hana-sink",  # 2021
            "echo-sink", "echo-sink",  # 2023
            "demo-failing-sink", "json-layout-failing-sink",  # 2026, 04:43 then 04:54
        ]  # fmt: skip
    finally:
        feed.close()

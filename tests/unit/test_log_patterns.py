"""Table-driven tests of the Connect log parser and classifier, with real sandbox lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctui.logs.filters import FilterError, LogFilter
from kctui.logs.layouts import group_records, is_continuation, parse_line
from kctui.logs.patterns import Kind, extract_ids, normalise_timestamp, split_task_id

FIXTURE = Path(__file__).parent.parent / "fixtures" / "logs" / "sandbox-connect.log"
W83 = "[Worker clientId=connect-127.0.0.1:29083, groupId=kctui-sandbox] "
T = "[2026-11-24 00:22:21,499] "

# (line, kind, level, connector, task)
CLASSIFY = [
    # real lines written by the sandbox workers (Kafka 4.3.1)
    (
        T + "ERROR [demo-failing-sink|task-0] WorkerSinkTask{id=demo-failing-sink-0} Task threw an "
        "uncaught and unrecoverable exception. Task is being killed and will not recover until "
        "manually restarted (org.apache.kafka.connect.runtime.WorkerTask:251)",
        Kind.FAILURE,
        "ERROR",
        "demo-failing-sink",
        0,
    ),
    (
        T
        + "ERROR [demo-dlq-sink|task-0] Error encountered in task demo-dlq-sink-0. Executing stage "
        "'VALUE_CONVERTER' with class 'org.apache.kafka.connect.json.JsonConverter', "
        "where consumed record is {topic='demo-orders', partition=1, offset=3}. "
        "(org.apache.kafka.connect.runtime.errors.LogReporter:66)",
        Kind.FAILURE,
        "ERROR",
        "demo-dlq-sink",
        0,
    ),
    (
        T + "INFO Kafka Connect worker initializing ... (org.apache.kafka.connect.cli."
        "AbstractConnectCli:114)",
        Kind.WORKER,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO REST server listening at http://127.0.0.1:29083/, advertising URL "
        "http://127.0.0.1:29083/ (org.apache.kafka.connect.runtime.rest.RestServer:211)",
        Kind.WORKER,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO " + W83 + "Herder started (org.apache.kafka.connect.runtime.distributed."
        "DistributedHerder:376)",
        Kind.WORKER,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO Kafka Connect started (org.apache.kafka.connect.runtime.Connect:77)",
        Kind.WORKER,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO " + W83 + "Rebalance started (org.apache.kafka.connect.runtime.distributed."
        "WorkerCoordinator:239)",
        Kind.REBALANCE,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO " + W83 + "Joined group at generation 10 with protocol version 2 and got "
        "assignment: Assignment{error=0, leader='connect-127.0.0.1:29083-7b25', "
        "connectorIds=[demo-sink], taskIds=[demo-sink-1]} with rebalance delay: 0 "
        "(org.apache.kafka.connect.runtime.distributed.DistributedHerder:2631)",
        Kind.REBALANCE,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO " + W83 + "Finished stopping tasks in preparation for rebalance (org.apache.kafka"
        ".connect.runtime.distributed.DistributedHerder:2810)",
        Kind.REBALANCE,
        "INFO",
        None,
        None,
    ),
    (
        T + "INFO [demo-source|worker] Creating connector demo-source of type org.apache.kafka."
        "connect.file.FileStreamSourceConnector (org.apache.kafka.connect.runtime.Worker:324)",
        Kind.LIFECYCLE,
        "INFO",
        "demo-source",
        None,
    ),
    (
        T + "INFO " + W83 + "Starting task demo-source-0 (org.apache.kafka.connect.runtime."
        "distributed.DistributedHerder:2003)",
        Kind.LIFECYCLE,
        "INFO",
        "demo-source",
        0,
    ),
    (
        T + "INFO [demo-dlq-sink|task-1] Creating task demo-dlq-sink-1 (org.apache.kafka.connect."
        "runtime.Worker:676)",
        Kind.LIFECYCLE,
        "INFO",
        "demo-dlq-sink",
        1,
    ),
    (
        T + "INFO [demo-source|task-0] WorkerSourceTask{id=demo-source-0} Source task finished "
        "initialization and start (org.apache.kafka.connect.runtime.AbstractWorkerSourceTask:283)",
        Kind.LIFECYCLE,
        "INFO",
        "demo-source",
        0,
    ),
    (
        T + "INFO [demo-sink|task-0] WorkerSinkTask{id=demo-sink-0} Executing sink task "
        "(org.apache.kafka.connect.runtime.WorkerSinkTask:220)",
        Kind.LIFECYCLE,
        "INFO",
        "demo-sink",
        0,
    ),
    (
        T
        + "INFO [demo-source|task-0|offsets] WorkerSourceTask{id=demo-source-0} Committing offsets "
        "for 204 acknowledged messages (org.apache.kafka.connect.runtime.WorkerSourceTask:241)",
        Kind.OTHER,
        "INFO",
        "demo-source",
        0,
    ),
    (
        T
        + "INFO [demo-paused|task-0] [Consumer clientId=connector-consumer-demo-paused-0, groupId="
        "connect-demo-paused] Cluster ID: hCdSE3zIT3y3yk4mohE37g "
        "(org.apache.kafka.clients.Metadata:365)",
        Kind.OTHER,
        "INFO",
        "demo-paused",
        0,
    ),
    # the reference's other wordings (3.x and 4.x)
    (
        T + "ERROR [s|task-2] WorkerSinkTask{id=s-2} Exiting WorkerSinkTask due to unrecoverable "
        "exception. (org.apache.kafka.connect.runtime.WorkerSinkTask:636)",
        Kind.FAILURE,
        "ERROR",
        "s",
        2,
    ),
    (
        T + "ERROR [s|task-0] Error in task s-0 while converting (x.Y:1)",
        Kind.FAILURE,
        "ERROR",
        "s",
        0,
    ),
    (
        T + "ERROR Failed to start task my.conn-3 (org.apache.kafka.connect.runtime.Worker:700)",
        Kind.FAILURE,
        "ERROR",
        "my.conn",
        3,
    ),
    (
        T + "ERROR [jdbc|worker] Failed to start connector jdbc (org.apache.kafka.connect.runtime."
        "WorkerConnector:200)",
        Kind.FAILURE,
        "ERROR",
        "jdbc",
        None,
    ),
    (
        T + "ERROR [jdbc|worker] WorkerConnector{id=jdbc} Connector has failed (x.Y:1)",
        Kind.FAILURE,
        "ERROR",
        "jdbc",
        None,
    ),
    (
        T + "ERROR [s|task-0] Tolerance exceeded in error handler (x.Y:1)",
        Kind.FAILURE,
        "ERROR",
        "s",
        0,
    ),
    (
        T + "ERROR [src|task-1|offsets] WorkerSourceTask{id=src-1} Commit of offsets timed out "
        "(org.apache.kafka.connect.runtime.WorkerSourceTask:1)",
        Kind.OFFSET,
        "ERROR",
        "src",
        1,
    ),
    (
        T + "ERROR [snk|task-0] WorkerSinkTask{id=snk-0} Offset commit failed, rewinding to last "
        "committed offsets (x.Y:1)",
        Kind.OFFSET,
        "ERROR",
        "snk",
        0,
    ),
    (
        T + "INFO Kafka Connect stopping (org.apache.kafka.connect.runtime.Connect:67)",
        Kind.WORKER,
        "INFO",
        None,
        None,
    ),
    (T + "WARN some warning without context (a.B:1)", Kind.OTHER, "WARN", None, None),
    (T + "ERROR something broke (a.B:1)", Kind.FAILURE, "ERROR", None, None),
    # timestamp variants and prefixes added by journalctl / kubectl --prefix
    (
        "[2026-11-24T00:22:21.499] INFO [x|task-7] Starting task x-7 (a.B:1)",
        Kind.LIFECYCLE,
        "INFO",
        "x",
        7,
    ),
    (
        "Nov 24 00:22:21 host connect[123]: " + T + "ERROR [x|task-0] Task threw an uncaught and "
        "unrecoverable exception (a.B:1)",
        Kind.FAILURE,
        "ERROR",
        "x",
        0,
    ),
]


@pytest.mark.parametrize(("text", "kind", "level", "connector", "task"), CLASSIFY)
def test_classify(
    text: str, kind: Kind, level: str, connector: str | None, task: int | None
) -> None:
    line = parse_line(text)
    assert line.is_header
    assert (line.kind, line.level, line.connector, line.task) == (kind, level, connector, task)
    assert line.timestamp is not None and line.timestamp.startswith("2026-11-24 00:22:21")


def test_fields_of_a_full_line() -> None:
    line = parse_line(CLASSIFY[0][0])
    assert line.timestamp == "2026-11-24 00:22:21,499"
    assert line.scope == "task" and line.subscope is None
    assert line.logger == "org.apache.kafka.connect.runtime.WorkerTask" and line.logger_line == 251
    assert line.message.startswith("WorkerSinkTask{id=demo-failing-sink-0} Task threw")
    assert line.is_failure


def test_worker_prefix_and_offsets_scope() -> None:
    worker = parse_line(CLASSIFY[4][0])
    assert (worker.worker_client, worker.group) == ("connect-127.0.0.1:29083", "kctui-sandbox")
    assert worker.message == "Herder started"
    offsets = parse_line(CLASSIFY[14][0])
    assert (offsets.scope, offsets.subscope) == ("task", "offsets")
    named = parse_line(CLASSIFY[9][0])
    assert named.scope == "worker"


@pytest.mark.parametrize(
    ("text", "continuation"),
    [
        (
            "\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSink.java:74)",
            True,
        ),
        ("Caused by: java.nio.file.NoSuchFileException: /missing/out.txt", True),
        ("\t... 10 more", True),
        ("... 3 common frames omitted", True),
        ("org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file", True),
        ("java.lang.NullPointerException", True),
        (" at [Source: REDACTED; line: 1, column: 21]", True),
        ("\tallow.auto.create.topics = true", True),
        ("", True),
        (T + "INFO hello (a.B:1)", False),
        ("plain text that is not a trace", False),
    ],
)
def test_continuation_lines(text: str, continuation: bool) -> None:
    assert is_continuation(text) is continuation
    assert parse_line(text).is_header is not continuation


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("WorkerSinkTask{id=demo-sink-1} Committing offsets", ("demo-sink", 1)),
        ("ExactlyOnceWorkerSourceTask{id=eos-src-12} started", ("eos-src", 12)),
        ("WorkerConnector{id=my-conn-2} Connector has failed", ("my-conn-2", None)),
        ("Starting connector demo-source", ("demo-source", None)),
        ("Creating task demo-dlq-sink-0", ("demo-dlq-sink", 0)),
        ("Error encountered in task demo-dlq-sink-0. Executing stage", ("demo-dlq-sink", 0)),
        ("Connector has failed", (None, None)),
        ("nothing to see", (None, None)),
    ],
)
def test_extract_ids(message: str, expected: tuple[str | None, int | None]) -> None:
    assert extract_ids(message) == expected


def test_split_task_id_and_timestamps() -> None:
    assert split_task_id("a-b-c-10.") == ("a-b-c", 10)
    assert split_task_id("nodash") == ("nodash", None)
    assert normalise_timestamp("2026-11-24T00:22:21.5") == "2026-11-24 00:22:21,500"
    assert normalise_timestamp("2026-11-24 00:22:21") == "2026-11-24 00:22:21,000"


def test_real_sandbox_records_keep_their_traces() -> None:
    records = list(group_records(FIXTURE.read_text(encoding="utf-8").splitlines(), worker="w"))
    assert all(r.line.timestamp for r in records)  # every record starts with a header
    failing = [r for r in records if r.line.connector == "demo-failing-sink" and r.line.is_failure]
    assert failing, "the fixture holds the FAILED task's line"
    trace = failing[0].continuation
    assert trace[0].startswith("org.apache.kafka.connect.errors.ConnectException")
    assert any(t.startswith("Caused by: java.nio.file.NoSuchFileException") for t in trace)
    assert trace[-1].strip() == "... 10 more"
    dlq = [r for r in records if "Error encountered in task" in r.line.text][0]
    assert dlq.line.kind is Kind.FAILURE and dlq.line.task == 0
    assert any(t.startswith(" at [Source:") for t in dlq.continuation)
    kinds = {r.line.kind for r in records}
    assert {Kind.FAILURE, Kind.REBALANCE, Kind.WORKER, Kind.LIFECYCLE} <= kinds


def test_filters() -> None:
    records = list(group_records(FIXTURE.read_text(encoding="utf-8").splitlines()))
    by_connector = [r for r in records if LogFilter(connector="demo-sink").matches(r)]
    assert by_connector and all(r.line.connector == "demo-sink" for r in by_connector)
    tasks = [r for r in records if LogFilter(connector="demo-dlq-sink", task=1).matches(r)]
    assert tasks and all(r.line.task == 1 for r in tasks)
    warn = [r for r in records if LogFilter(min_level="warn").matches(r)]
    assert warn and all(r.line.level in ("WARN", "ERROR", "FATAL") for r in warn)
    in_trace = [r for r in records if LogFilter(text="nosuchfileexception").matches(r)]
    assert [r.line.connector for r in in_trace] == ["demo-failing-sink"]
    regex = [r for r in records if LogFilter(text=r"generation \d+ with", regex=True).matches(r)]
    assert regex and all(r.line.kind is Kind.REBALANCE for r in regex)
    assert LogFilter().is_empty and not LogFilter(failures_only=True).is_empty


def test_filter_errors_are_clear() -> None:
    with pytest.raises(FilterError, match="invalid regular expression"):
        LogFilter(text="[", regex=True)
    with pytest.raises(FilterError, match="unknown level 'LOUD'"):
        LogFilter(min_level="LOUD")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_raises(text: str) -> None:
    line = parse_line(text)
    assert isinstance(line.kind, Kind)
    assert line.text == text.rstrip("\r\n")


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(["INFO", "WARN", "ERROR", "DEBUG", "BOGUS"]),
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40),
    st.text(max_size=80),
)
def test_parser_never_raises_on_connect_shaped_lines(
    level: str, context: str, message: str
) -> None:
    text = f"{T}{level} [{context}|task-{len(context)}] {message} (a.B:{len(message)})"
    line = parse_line(text)
    assert line.is_header or line.text == text
    if level != "BOGUS":
        assert line.level == level


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r")), max_size=30))
def test_grouping_keeps_every_line(lines: list[str]) -> None:
    records = list(group_records(lines))
    assert sum(1 + len(r.continuation) for r in records) == len(lines)

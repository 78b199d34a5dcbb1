"""The one Java trace model, on real traces (tests/fixtures/traces/PROVENANCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui.traces import CAUSE, CUT_TRACE, ERROR, SUPPRESSED, parse_trace, trace_spans

FIXTURES = Path(__file__).parent.parent / "fixtures" / "traces"


def load(name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if name.startswith("status-") and name.endswith(".json"):
        return str(json.loads(text)["connector"]["trace"])
    return text


JNA_MESSAGE = "%1 不是有效的 Win32 应用程序。"

# (fixture, [(kind, class, first message line, frames, more, in_suppressed)], preamble lines)
CHAINS = [
    (
        "status-sftp-classless-cause.json",
        [
            (ERROR, "org.apache.kafka.connect.errors.ConnectException",
             "Sftp directory for 'input.path' '/home/foo/upload/input1' does not exist", 14, 0,
             False),
            (CAUSE, None, "2: No such file", 5, 13, False),
        ],
        0,
    ),
    (
        "log-jdbc-sink-no-driver-password.log",
        [
            (ERROR, "org.apache.kafka.connect.errors.ConnectException",
             "java.sql.SQLException: No suitable driver found for "
             "jdbc:mysql://172.151.30.117:3306/demo?user=demo&password=demo", 6, 0, False),
        ],
        1,
    ),
    (
        "trace-jdbc-oracle-invalid-password.txt",
        [
            (ERROR, "org.apache.kafka.connect.errors.ConnectException",
             "java.sql.SQLException: ORA-01017: invalid username/password; logon denied", 8, 0,
             False),
            (CAUSE, "java.sql.SQLException", "ORA-01017: invalid username/password; logon denied",
             2, 0, False),
        ],
        0,
    ),
    (
        "trace-suppressed-jna.txt",
        [
            (ERROR, "java.lang.UnsatisfiedLinkError",
             "Unable to load library 'C:\\java\\libtest.dll':", 7, 0, False),
            (SUPPRESSED, "java.lang.UnsatisfiedLinkError", JNA_MESSAGE, 2, 6, True),
            (SUPPRESSED, "java.lang.UnsatisfiedLinkError", JNA_MESSAGE, 2, 6, True),
            (SUPPRESSED, "java.io.IOException",
             "Native library (win32-x86-64/C:\\java\\libtest.dll) not found in resource path "
             "([file:/C:/java/, file:/C:/java/jna-5.13.0.jar])", 2, 6, True),
        ],
        0,
    ),
    (
        "trace-logback-common-frames-omitted.txt",
        [
            (ERROR, "jadx.core.utils.exceptions.JadxRuntimeException",
             "Error load file: ../dex_to_jar/com.ishowedu.child.peiyin9201516-dex2jar.jar", 4, 0,
             False),
            (CAUSE, "jadx.core.utils.exceptions.DecodeException",
             "java class to dex conversion error:", 4, 3, False),
            (CAUSE, "jadx.core.utils.exceptions.JadxException",
             "dx exception: Translation has been interrupted", 2, 6, False),
            (CAUSE, "java.lang.RuntimeException", "Translation has been interrupted", 4, 7, False),
            (CAUSE, "java.lang.InterruptedException", "Too many errors", 1, 10, False),
        ],
        0,
    ),
    (
        "trace-cut-ibmdb2-sink.txt",
        [
            (ERROR, None, "", 6, 0, False),
            (CAUSE, "org.apache.kafka.connect.errors.ConnectException",
             "com.ibm.db2.jcc.am.DisconnectNonTransientConnectionException: [jcc][t4][2043][11550]"
             "[4.33.31] Exception java.net.ConnectException: Error opening socket to server "
             "ibmdb2/172.18.0.2 on port 25,010 with message: Connection refused. ERRORCODE=-4499, "
             "SQLSTATE=08001", 4, 11, False),
        ],
        0,
    ),
    (
        "status-es-exiting-sink-task.txt",
        [
            (ERROR, "org.apache.kafka.connect.errors.ConnectException",
             "Exiting WorkerSinkTask due to unrecoverable exception.", 11, 0, False),
        ],
        0,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "expected", "preamble"), CHAINS, ids=[c[0] for c in CHAINS])
def test_chain_of_real_traces(fixture: str, expected: list[tuple], preamble: int) -> None:
    trace = parse_trace(load(fixture))
    got = [
        (e.kind, e.class_name, e.first_message_line, len(e.frames), e.more, e.in_suppressed)
        for e in trace.entries
    ]
    assert got == expected
    assert len(trace.preamble) == preamble


SUMMARIES = [
    ("status-sftp-classless-cause.json",
     "error: ConnectException: Sftp directory for 'input.path' '/home/foo/upload/input1' does not "
     "exist\nroot cause: 2: No such file"),
    ("trace-logback-common-frames-omitted.txt",
     "error: JadxRuntimeException: Error load file: ../dex_to_jar/com.ishowedu.child.peiyin9201516"
     "-dex2jar.jar\ncause: DecodeException: java class to dex conversion error:\n"
     "cause: JadxException: dx exception: Translation has been interrupted\n"
     "cause: RuntimeException: Translation has been interrupted\n"
     "root cause: InterruptedException: Too many errors"),
    # A suppressed exception is not a cause: the error stays its own root cause.
    ("trace-suppressed-jna.txt",
     "error: UnsatisfiedLinkError: Unable to load library 'C:\\java\\libtest.dll':"),
    ("trace-cut-ibmdb2-sink.txt",
     f"error: {CUT_TRACE}\nroot cause: ConnectException: com.ibm.db2.jcc.am."
     "DisconnectNonTransientConnectionException: [jcc][t4][2043][11550][4.33.31] Exception "
     "java.net.ConnectException: Error opening socket to server ibmdb2/172.18.0.2 on port 25,010 "
     "with message: Connection refused. ERRORCODE=-4499, SQLSTATE=08001"),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "summary"), SUMMARIES, ids=[s[0] for s in SUMMARIES])
def test_summary_names_error_and_root_cause_even_without_class(fixture: str, summary: str) -> None:
    assert parse_trace(load(fixture)).summary_text() == summary


def test_root_cause_is_the_deepest_cause_of_the_main_chain() -> None:
    trace = parse_trace(load("status-sftp-classless-cause.json"))
    assert trace.root_cause is not None
    assert trace.root_cause.class_name is None
    assert trace.root_cause.message == "2: No such file"
    jna = parse_trace(load("trace-suppressed-jna.txt"))
    assert jna.root_cause is jna.top


def test_message_spanning_lines_keeps_every_line() -> None:
    top = parse_trace(load("trace-suppressed-jna.txt")).top
    assert top is not None
    assert top.message.splitlines() == [
        "Unable to load library 'C:\\java\\libtest.dll':",
        "%1 不是有效的 Win32 应用程序。",
        "",
        "%1 不是有效的 Win32 应用程序。",
        "Native library (win32-x86-64/C:\\java\\libtest.dll) not found in resource path "
        "([file:/C:/java/, file:/C:/java/jna-5.13.0.jar])",
    ]


def test_exception_classes_include_classes_named_at_the_start_of_messages() -> None:
    log = parse_trace(load("log-jdbc-sink-no-driver-password.log"))
    assert log.exception_classes == (
        "org.apache.kafka.connect.errors.ConnectException",
        "java.sql.SQLException",
    )
    jna = parse_trace(load("trace-suppressed-jna.txt"))
    assert jna.exception_classes == ("java.lang.UnsatisfiedLinkError", "java.io.IOException")


def test_frames_know_kafka_code_and_modules() -> None:
    trace = parse_trace(load("status-sftp-classless-cause.json"))
    frames = trace.top.frames if trace.top else ()
    assert frames[0].call.endswith("SftpDirectoryPermission.directoryExist")
    assert frames[0].location == "SftpDirectoryPermission.java:66"
    assert [f.is_kafka for f in frames].count(True) == 6
    assert frames[-1].call == "java.base/java.lang.Thread.run"
    assert not frames[-1].is_kafka


@pytest.mark.parametrize("text", [None, "", "   \n", "not a trace at all"])
def test_odd_input_never_raises(text: str | None) -> None:
    trace = parse_trace(text)
    if text and text.strip():
        assert trace.top is not None and trace.top.class_name is None
        assert trace.summary_text() == f"error: {text}"
    else:
        assert not trace and trace.summary() == ()


@pytest.mark.parametrize("fixture", [c[0] for c in CHAINS])
def test_spans_cover_the_text_exactly(fixture: str) -> None:
    text = load(fixture)
    spans = trace_spans(text)
    assert "".join(part for _, part in spans) == text


def test_spans_give_roles_to_each_part() -> None:
    text = load("status-sftp-classless-cause.json")
    spans = trace_spans(text)
    roles = {part: role for role, part in spans}
    assert roles["org.apache.kafka.connect.errors.ConnectException"] == "exception"
    assert roles["Caused by: "] == "keyword"
    assert roles["2: No such file"] == "message"
    assert roles["org.apache.kafka.connect.runtime.WorkerConnector.doStart"] == "kafka-frame"
    assert roles["com.jcraft.jsch.ChannelSftp.throwStatusError"] == "frame"
    assert roles["\t... 13 more"] == "muted"


def test_log_header_before_the_trace_is_plain() -> None:
    text = load("log-jdbc-sink-no-driver-password.log")
    first_role, first_part = trace_spans(text)[0]
    assert first_role == "plain" and first_part.startswith(" ERROR  ||  WorkerSinkTask")


def test_a_throwable_an_uncaught_exception_handler_threw_is_read() -> None:
    """The JVM prints ``Exception: <class> thrown from the UncaughtExceptionHandler in thread
    "..."`` (the tuning text jdbc-source-sqlserver-oom-handler-threads), once per thread: the
    lines share everything up to the thread's name, which is not a collector's prefix."""
    text = "\n\n".join(
        f"Exception: java.lang.OutOfMemoryError thrown from the UncaughtExceptionHandler in "
        f'thread "{name}"'
        for name in ("kafka-producer-network-thread | producer-3", "Scheduler-2117800788", "main")
    )
    trace = parse_trace(text)
    assert trace.top is not None and trace.top.class_name == "java.lang.OutOfMemoryError"
    assert trace.top.first_message_line.startswith("thrown from the UncaughtExceptionHandler")
    assert "java.lang.OutOfMemoryError" in trace.exception_classes


def test_a_structured_log_record_gives_its_error_field() -> None:
    """A JSON log record (an operator's ``"error"``, ECS's ``"error.stack_trace"``) is read
    for the failure it carries, JSON escapes decoded."""
    record = {
        "level": "ERROR",
        "msg": "apply failed",
        "error": "connect Rest API request failed: java.util.concurrent.ExecutionException: "
        "org.apache.http.ConnectionClosedException: Connection is closed\nsecond line",
    }
    trace = parse_trace(json.dumps(record))
    assert "org.apache.http.ConnectionClosedException" in trace.exception_classes
    messages = "\n".join(trace.messages)
    assert "Connection is closed\nsecond line" in messages
    assert "apply failed" not in messages and '"level"' not in messages


def test_an_elasticsearch_error_answer_reads_as_its_type_and_reason() -> None:
    """Elasticsearch answers ``{"error": {"root_cause": [...], "type", "reason", "caused_by"}}``
    (or the inner object alone, as the tuning text es-sink-total-fields-limit pastes it)."""
    inner = {
        "root_cause": [{"type": "illegal_argument_exception", "reason": "Limit exceeded"}],
        "type": "mapper_parsing_exception",
        "reason": "failed to parse",
        "caused_by": {"type": "illegal_argument_exception", "reason": "Limit exceeded"},
    }
    for answer in (inner, {"error": inner, "status": 400}):
        trace = parse_trace(json.dumps(answer))
        lines = [line.message for line in trace.summary()]
        assert lines == [
            "mapper_parsing_exception: failed to parse",
            "illegal_argument_exception: Limit exceeded",
        ]

"""The trace model reads a trace however it arrives: the clean real traces of
tests/fixtures/traces, mangled the ways real pastes are (collector prefixes, log headers,
one collapsed line, glued frames, tables, JSON answers), give the same chain, root cause
and summary as the clean text."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kctui.traces import Trace, parse_trace

FIXTURES = Path(__file__).parents[1] / "fixtures" / "traces"
CLEAN = [
    "status-sftp-classless-cause.json",
    "trace-jdbc-oracle-invalid-password.txt",
    "trace-suppressed-jna.txt",
    "trace-logback-common-frames-omitted.txt",
    "trace-cut-ibmdb2-sink.txt",
    "status-es-exiting-sink-task.txt",
]


def clean(name: str) -> str:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if name.endswith(".json"):
        return str(json.loads(text)["connector"]["trace"])
    return text.rstrip("\n")


def is_frame(line: str) -> bool:
    return line.lstrip().startswith(("at ", "..."))


# Layouts a trace's lines arrive in. ``tag`` is a random word (a service, pod or container).
def compose(text: str, tag: str) -> str:
    return "\n".join(f"{tag}-1  | {line}" for line in text.split("\n"))


def kubectl_prefix(text: str, tag: str) -> str:
    return "\n".join(f"[pod/{tag}-0/connect] {line}" for line in text.split("\n"))


def kubectl_timestamps(text: str, tag: str) -> str:
    return "\n".join(f"2024-05-01T10:00:0{i % 10}.123456789Z {line}"
                     for i, line in enumerate(text.split("\n")))  # fmt: skip


def stern(text: str, tag: str) -> str:
    return "\n".join(f"{tag}-0 connect {line}" for line in text.split("\n"))


def log_header(text: str, tag: str) -> str:
    head = (
        f"[2024-05-01 10:00:00,001] DEBUG [{tag}|task-0] Polling for records "
        "(org.apache.kafka.connect.runtime.WorkerSinkTask:338)\n"
        f"[2024-05-01 10:00:00,002] ERROR [{tag}|task-0] WorkerSinkTask{{id={tag}-0}} Task threw "
        "an uncaught and unrecoverable exception. Task is being killed and will not recover "
        "until manually restarted (org.apache.kafka.connect.runtime.WorkerTask:196)"
    )
    return f"{head}\n{text}"


def one_line(text: str, tag: str) -> str:
    return " ".join(line.strip() for line in text.split("\n") if line.strip())


def glued_frames(text: str, tag: str) -> str:
    """Frames glued to the frame before them: ``...(Avro.java:110)at org...``."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and is_frame(out[-1]) and line.lstrip().startswith("at "):
            out[-1] += line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def cause_on_frame_line(text: str, tag: str) -> str:
    out: list[str] = []
    for line in text.split("\n"):
        if out and line.startswith("Caused by:"):
            out[-1] += " " + line
        else:
            out.append(line)
    return "\n".join(out)


LAYOUTS: list[Callable[[str, str], str]] = [
    compose, kubectl_prefix, kubectl_timestamps, stern, log_header, one_line, glued_frames,
    cause_on_frame_line,
]  # fmt: skip
# Layouts that join lines: a message spanning lines becomes one line there.
JOINING = {one_line}


# Wrappers the whole trace arrives in.
def as_is(text: str, tag: str) -> str:
    return text


def status_answer(text: str, tag: str) -> str:
    return json.dumps({"name": tag, "connector": {"state": "RUNNING", "worker_id": "w:8083"},
                       "tasks": [{"id": 0, "state": "FAILED", "worker_id": "w:8083",
                                  "trace": text}], "type": "sink"}, indent=2)  # fmt: skip


def status_raw_newlines(text: str, tag: str) -> str:
    """A status answer pasted by hand: real newlines and tabs inside the ``trace`` string."""
    return status_answer(text, tag).replace("\\n", "\n").replace("\\t", "\t")


def rest_error(text: str, tag: str) -> str:
    return json.dumps({"error_code": 500, "message": text})


def playground_table(text: str, tag: str) -> str:
    first, _, rest = text.partition("\n")
    row = f"{tag:<30} ✅ RUNNING  0:🛑 FAILED                   tasks: {first}"
    head = "Name                           Status       Tasks          Stack Trace\n" + "#" * 40
    return f"{head}\n{row}\n{rest}"


def ksqldb_table(text: str, tag: str) -> str:
    first, _, rest = text.partition("\n")
    head = f"Name                 : {tag}\nState                : RUNNING\n\n"
    table = f" Task ID | State  | Error Trace\n{'-' * 40}\n 0       | FAILED | {first}"
    return f"{head}{table}\n{rest}"


def task_status_prefix(text: str, tag: str) -> str:
    return f"Task Status:FAILED, Trace:{text}"


WRAPPERS: list[Callable[[str, str], str]] = [
    as_is, status_answer, status_raw_newlines, rest_error, playground_table, ksqldb_table,
    task_status_prefix,
]  # fmt: skip


def squash(text: str | None) -> str:
    return " ".join((text or "").split())


def chain_key(trace: Trace) -> list[tuple[str | None, str]]:
    return [(e.class_name, squash(e.message)) for e in trace.chain if e.class_name or e.message]


def assert_same(mangled: Trace, reference: Trace, joined: bool) -> None:
    assert chain_key(mangled) == chain_key(reference)
    assert mangled.root_cause is not None and reference.root_cause is not None
    assert mangled.root_cause.class_name == reference.root_cause.class_name
    assert squash(mangled.root_cause.message) == squash(reference.root_cause.message)
    got = [(s.label, s.class_name, s.message) for s in mangled.summary()]
    want = [(s.label, s.class_name, s.message) for s in reference.summary()]
    if not joined:
        assert got == want
    else:  # the first message line now holds the whole (joined) message
        assert [g[:2] for g in got] == [w[:2] for w in want]
        assert all(g[2].startswith(w[2]) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize("name", CLEAN)
@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda f: f.__name__)
def test_each_layout_gives_the_clean_chain(name: str, layout: Callable[[str, str], str]) -> None:
    text = clean(name)
    assert_same(parse_trace(layout(text, "connect")), parse_trace(text), layout in JOINING)


@pytest.mark.parametrize("name", CLEAN)
@pytest.mark.parametrize("wrapper", WRAPPERS[1:], ids=lambda f: f.__name__)
def test_each_wrapper_gives_the_clean_chain(name: str, wrapper: Callable[[str, str], str]) -> None:
    text = clean(name)
    assert_same(parse_trace(wrapper(text, "connect")), parse_trace(text), False)


TAGS = st.from_regex(r"[a-z][a-z0-9]{2,12}", fullmatch=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(CLEAN),
    layout=st.sampled_from([None, *LAYOUTS]),
    wrapper=st.sampled_from(WRAPPERS),
    tag=TAGS,
)
def test_any_layout_in_any_wrapper_gives_the_clean_chain(
    name: str,
    layout: Callable[[str, str], str] | None,
    wrapper: Callable[[str, str], str],
    tag: str,
) -> None:
    """A layout inside a wrapper (a compose-prefixed trace in a status table, a collapsed
    trace in a REST answer...) still gives the clean chain."""
    text = clean(name)
    inner = layout(text, tag) if layout else text
    joined = layout in JOINING
    if wrapper in (playground_table, ksqldb_table, task_status_prefix) and layout not in (
        None, one_line, glued_frames, cause_on_frame_line, log_header,
    ):  # fmt: skip
        return  # a collector's prefix goes on the lines of the table, not inside its cells
    assert_same(parse_trace(wrapper(inner, tag)), parse_trace(text), joined)

"""Decoding of Connect's ``__connect.errors.*`` headers and safe payload rendering."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctui.dlq.records import (
    H_EXCEPTION,
    H_MESSAGE,
    H_OFFSET,
    H_PARTITION,
    H_STACKTRACE,
    H_STAGE,
    H_TOPIC,
    HEADER_PREFIX,
    NO_VALUE,
    KafkaRecord,
    decode_dead_letter,
    decode_text,
    format_timestamp,
    group_value,
    hex_dump,
    highlight,
    render_payload,
    summarize,
)

TRACE = (
    "org.apache.kafka.connect.errors.DataException: "
    "Converting byte[] to Kafka Connect data failed\n"
    "\tat org.apache.kafka.connect.json.JsonConverter.toConnectData(JsonConverter.java:333)\n"
    "Caused by: org.apache.kafka.common.errors.SerializationException: bad json\n"
    "\t... 17 more\n"
)


def connect_headers(**overrides: bytes | None) -> list[tuple[str, bytes | None]]:
    base: dict[str, bytes | None] = {
        "topic": b"demo-orders",
        "partition": b"2",
        "offset": b"41",
        "connector.name": b"demo-dlq-sink",
        "task.id": b"0",
        "stage": b"VALUE_CONVERTER",
        "class.name": b"org.apache.kafka.connect.json.JsonConverter",
        "exception.class.name": b"org.apache.kafka.connect.errors.DataException",
        "exception.message": b"Converting byte[] to Kafka Connect data failed",
        "exception.stacktrace": TRACE.encode(),
    }
    base.update(overrides)
    return [(HEADER_PREFIX + k, v) for k, v in base.items()]


def rec(headers: list[tuple[str, bytes | None]], value: bytes | None = b"not json") -> KafkaRecord:
    return KafkaRecord("demo-orders-dlq", 0, 7, 1_700_000_000_123, b"k", value, tuple(headers))


def test_full_connect_headers_decode_every_field() -> None:
    dl = decode_dead_letter(rec([("trace-id", b"abc")] + connect_headers()))
    assert (dl.original_topic, dl.original_partition, dl.original_offset) == ("demo-orders", 2, 41)
    assert dl.connector == "demo-dlq-sink" and dl.task_id == 0
    assert dl.stage == "VALUE_CONVERTER"
    assert dl.class_name == "org.apache.kafka.connect.json.JsonConverter"
    assert dl.exception_class == "org.apache.kafka.connect.errors.DataException"
    assert dl.exception_short == "DataException"
    assert dl.stacktrace == TRACE
    assert dl.message_line == "Converting byte[] to Kafka Connect data failed"
    assert dl.other_headers == (("trace-id", b"abc"),)
    assert dl.origin_text == "demo-orders/2@41"
    assert dl.root_cause == "org.apache.kafka.common.errors.SerializationException: bad json"
    assert dl.has_original and dl.has_connect_headers
    assert dl.header("stage") == "VALUE_CONVERTER"


@pytest.mark.parametrize(
    ("headers", "field", "expected"),
    [
        # the last of a repeated key wins
        ([(H_STAGE, b"TASK_PUT"), (H_STAGE, b"VALUE_CONVERTER")], "stage", "VALUE_CONVERTER"),
        # a null message stays None (shown as null), not "" nor "None"
        ([(H_MESSAGE, None)], "exception_message", None),
        # numbers that are not numbers become None, the raw header is kept
        ([(H_PARTITION, b"two")], "original_partition", None),
        ([(H_OFFSET, b" 12 ")], "original_offset", 12),
        # non-UTF-8 bytes are escaped, not dropped
        ([(H_TOPIC, b"or\xffders")], "original_topic", "or\\xffders"),
        # empty value is an empty string, not null
        ([(H_EXCEPTION, b"")], "exception_class", ""),
    ],
)
def test_header_edge_cases(headers: list, field: str, expected: object) -> None:
    assert getattr(decode_dead_letter(rec(headers)), field) == expected


def test_null_header_is_listed_as_null() -> None:
    dl = decode_dead_letter(rec([(H_MESSAGE, None)]))
    assert dl.error_headers == ((H_MESSAGE, None),)
    assert dl.has_connect_headers


def test_record_without_connect_headers() -> None:
    dl = decode_dead_letter(rec([("other", b"x")]))
    assert not dl.has_connect_headers
    assert dl.origin_text == "(unknown)"
    assert dl.exception_short == NO_VALUE
    assert dl.message_line == "(no Connect error headers)"
    assert dl.root_cause is None
    assert not dl.has_original


def test_message_falls_back_to_trace_first_line() -> None:
    dl = decode_dead_letter(rec([(H_MESSAGE, None), (H_STACKTRACE, TRACE.encode())]))
    assert dl.message_line.startswith("org.apache.kafka.connect.errors.DataException")


@pytest.mark.parametrize(
    ("data", "kind", "language", "needle"),
    [
        (None, "null", "text", "null"),
        (b"", "empty", "text", ""),
        (b'{"id":1,"items":[true,null]}', "json", "json", '  "id": 1'),
        (b"[1, 2]", "json", "json", "  1,"),
        (b"plain \xc3\xa9t\xc3\xa9 text", "text", "text", "plain été text"),
        (b"{not json", "text", "text", "{not json"),
        (b"42", "text", "text", "42"),
        (b"\x00\x00\x00\x00\x2a\x02\x06abc", "confluent", "hex", "02 06 61 62 63"),
        (b"\x00\x00\x00\x01\x00" + b'{"a":1}', "confluent", "json", '"a": 1'),
        (b"\xff\xfe\x00\x01", "binary", "hex", "ff fe 00 01"),
        # magic 0 but an impossible schema id (negative int32, or 0): plain binary
        (b"\x00\xff\xfe\x67\x10binary", "binary", "hex", "00 ff fe 67 10"),
        (b"\x00\x00\x00\x00\x00abc", "binary", "hex", "00 00 00 00 00 61"),
        (b"a\x01b", "binary", "hex", "|a.b|"),
    ],
)
def test_render_payload_kinds(data: bytes | None, kind: str, language: str, needle: str) -> None:
    rendered = render_payload(data)
    assert rendered.kind == kind
    assert rendered.language == language
    assert needle in rendered.text
    assert rendered.size == (len(data) if data else 0)


def test_confluent_schema_id_is_shown() -> None:
    rendered = render_payload(b"\x00\x00\x00\x01\x00" + b"\x10\x20")
    assert rendered.schema_id == 256
    assert "schema id 256" in rendered.description


def test_large_values_are_cut_with_full_size_kept() -> None:
    big = b"x" * 200_000
    rendered = render_payload(big, max_chars=1000)
    assert rendered.truncated and len(rendered.text) == 1000 and rendered.size == 200_000
    assert "200000 bytes" in rendered.description and "truncated" in rendered.description
    binary = bytes(range(256)) * 100
    hexed = render_payload(binary, max_hex_bytes=64)
    assert hexed.truncated and hexed.text.count("\n") == 3 and hexed.size == 25_600


def test_hex_dump_layout() -> None:
    assert hex_dump(b"AB\x00") == "00000000  41 42 00" + " " * 41 + "|AB.|"


def test_highlight_json_roles() -> None:
    spans = highlight('{\n  "a": 1,\n  "b": "x",\n  "c": null\n}', "json")
    roles = {text.strip(): role for role, text in spans if text.strip()}
    assert roles['"a"'] == "key" and roles["1"] == "number"
    assert roles['"x"'] == "string" and roles["null"] == "literal"
    assert "".join(t for _, t in spans) == '{\n  "a": 1,\n  "b": "x",\n  "c": null\n}'


def test_highlight_stacktrace_roles() -> None:
    spans = highlight(TRACE, "stacktrace")
    assert "".join(t for _, t in spans) == TRACE
    assert ("exception", "org.apache.kafka.connect.errors.DataException") in spans
    # The one trace model's roles, unrenamed (one role map styles them on every screen).
    assert ("kafka-frame", "org.apache.kafka.connect.json.JsonConverter.toConnectData") in spans
    assert ("keyword", "Caused by: ") in spans
    assert ("muted", "\t... 17 more") in spans


def test_summary_counts_and_groups() -> None:
    a = decode_dead_letter(rec(connect_headers()))
    b = decode_dead_letter(rec(connect_headers(stage=b"TASK_PUT")))
    c = decode_dead_letter(rec([]))
    summary = summarize([a, a, b, c])
    assert summary.total == 4
    assert dict(summary.by_stage) == {"VALUE_CONVERTER": 2, "TASK_PUT": 1, NO_VALUE: 1}
    assert summary.by_exception[0] == ("org.apache.kafka.connect.errors.DataException", 3)
    assert summary.headline == "4 records, 2 DataException at VALUE_CONVERTER"
    assert group_value(c, "stage") == NO_VALUE
    with pytest.raises(ValueError):
        group_value(a, "colour")


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "1970-01-01 00:00:00.000"),
        (1_700_000_000_123, "2023-11-14 22:13:20.123"),
        (None, "-"),
        (10**20, "-"),
    ],  # fmt: skip
)
def test_format_timestamp(ms: int | None, text: str) -> None:
    assert format_timestamp(ms) == text


# --------------------------------------------------------------------------- properties

header_names = st.one_of(
    st.sampled_from(
        [H_TOPIC, H_PARTITION, H_OFFSET, H_STAGE, H_EXCEPTION, H_MESSAGE, H_STACKTRACE]
    ),
    st.text(max_size=30),
)
header_values = st.one_of(st.none(), st.binary(max_size=64))
header_lists = st.lists(st.tuples(header_names, header_values), max_size=30)


@settings(max_examples=300, deadline=None)
@given(headers=header_lists, key=st.one_of(st.none(), st.binary(max_size=64)),
       value=st.one_of(st.none(), st.binary(max_size=512)))  # fmt: skip
def test_decoder_never_raises_and_last_header_wins(
    headers: list[tuple[str, bytes | None]], key: bytes | None, value: bytes | None
) -> None:
    record = KafkaRecord("t", 0, 0, None, key, value, tuple(headers))
    dl = decode_dead_letter(record)
    last: dict[str, bytes | None] = {}
    for name, raw in headers:
        if name.startswith(HEADER_PREFIX):
            last[name] = raw
    decoded = dict(dl.error_headers)
    assert set(decoded) == set(last)
    for name, raw in last.items():
        assert decoded[name] == decode_text(raw)
        if raw is None:
            assert decoded[name] is None  # null stays null
    assert len(dl.other_headers) == sum(1 for n, _ in headers if not n.startswith(HEADER_PREFIX))
    assert isinstance(dl.message_line, str) and isinstance(dl.origin_text, str)
    for data in (key, value):
        rendered = render_payload(data)
        assert rendered.size == (len(data) if data is not None else 0)
        assert isinstance(rendered.text, str)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=2048))
def test_non_utf8_bytes_decode_losslessly_escaped(data: bytes) -> None:
    text = decode_text(data)
    assert text is not None
    try:
        assert text == data.decode("utf-8")
    except UnicodeDecodeError:
        assert text.encode("utf-8", "surrogatepass") != data
        assert "\\x" in text


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400))
def test_highlight_keeps_all_text(text: str) -> None:
    for language in ("json", "stacktrace", "other"):
        assert "".join(part for _, part in highlight(text, language)) == text

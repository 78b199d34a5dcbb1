"""The tokenizer the category lexicons read: vendors' spellings become the same words."""

from __future__ import annotations

import pytest

from kctui.diagnose.tokens import codes, failure_parts, part_texts, words
from kctui.traces import parse_trace

WORDS = [
    ("InvalidAccessKeyId", "invalid access key id"),
    ("ACCESS_REFUSED", "access refused"),
    ("EntityNotFoundException", "entity not found exception"),
    ("UNKNOWN_TOPIC_OR_PARTITION", "unknown topic or partition"),
    ("index_not_found_exception", "index not found exception"),
    ("SQLServerException", "sql server exception"),
    ("AmazonS3Exception", "amazon s3 exception"),
    ("NoSuchBucket", "no such bucket"),
    ("PERMISSION_DENIED: User not authorized", "permission denied user not authorized"),
    ("max.request.size", "max request size"),
    # a class named with its package: the package says where, not what
    (
        "software.amazon.awssdk.services.s3.model.S3Exception: Access Denied",
        "s3 exception access denied",
    ),
    ("org.apache.hadoop.security.AccessControlException", "access control exception"),
    # contractions and plurals
    ("Table `items` doesn't exist", "table item does not exist"),
    ("Cannot connect", "can not connect"),
    ("can't find", "can not find"),
    ("won't start", "will not start"),
    ("insufficient privileges", "insufficient privilege"),
    ("entities", "entity"),
    ("access", "access"),
    ("status", "status"),
]


@pytest.mark.parametrize(("text", "expected"), WORDS)
def test_words_normalise_vendor_spellings(text: str, expected: str) -> None:
    assert " ".join(words(text)) == expected


CODES = [
    ("Status Code: 403; Error Code: AccessDenied", {"http:403"}),
    ("com.google.api.client.http.HttpResponseException: 403 Forbidden", {"http:403"}),
    ('{"error_code":400,"message":"..."}', {"http:400"}),
    ("Unauthorized; error code: 401", {"http:401"}),
    ("Subject not found.; error code: 40401", {"rest:40401"}),
    ("ORA-01017: invalid username/password; logon denied", {"ora:01017"}),
    ("TNS-12541: TNS:no listener", {"ora:12541"}),
    ("ERROR 1045 (28000): Access denied for user", {"mysql:1045", "sqlstate:28000", "sqlstate:28"}),
    ("Error code: 1236; SQLSTATE: HY000.", {"mysql:1236", "sqlstate:HY000", "sqlstate:HY"}),
    ("DB2 SQL Error: SQLCODE=-204, SQLSTATE=42704", {"sqlstate:42704", "sqlstate:42"}),
    # numbers that are not codes: a port, a line number, a time, a 2xx in a status
    ("Connection to localhost:5434 refused", set()),
    ("(org.apache.kafka.connect.runtime.WorkerTask:403)", set()),
    ("http://10.0.0.1:8083/connectors", set()),
    ("Query failed with error code 286", set()),
]


@pytest.mark.parametrize(("text", "expected"), CODES)
def test_codes_need_their_kind_next_to_them(text: str, expected: set[str]) -> None:
    assert codes(text) == expected


def test_parts_come_most_causal_first() -> None:
    text = (
        "[2024-05-01 10:00:00,000] ERROR WorkerSinkTask{id=s-0} Task threw an uncaught exception\n"
        "org.apache.kafka.connect.errors.ConnectException: Exiting WorkerSinkTask\n"
        "\tat "
        "org.apache.kafka.connect.runtime.WorkerSinkTask.deliverMessages(WorkerSinkTask.java:1)\n"
        "Caused by: java.sql.SQLException: ORA-01031: insufficient privileges\n"
        "\tat oracle.jdbc.driver.T4CTTIoer11.processError(T4CTTIoer11.java:1)\n"
    )
    texts = part_texts(parse_trace(text))
    assert texts[0].startswith("java.sql.SQLException: ORA-01031")
    assert texts[1].startswith("org.apache.kafka.connect.errors.ConnectException")
    assert "Task threw an uncaught exception" in texts[2]
    parts = failure_parts(parse_trace(text))
    assert [p.depth for p in parts] == [0, 1, 2]
    assert "ora:01031" in parts[0].codes
    assert {"java.sql.SQLException", "SQLException"} <= parts[0].classes


def test_text_without_a_trace_is_one_part() -> None:
    parts = failure_parts(parse_trace("Error java.io.IOException: No space left on device"))
    assert len(parts) >= 1
    assert "space left on device" in " ".join(parts[0].words)
    assert failure_parts(parse_trace("")) == ()

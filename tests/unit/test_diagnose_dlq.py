"""Diagnoses of real dead letters, one per record and one per summary group."""

from __future__ import annotations

import json
from pathlib import Path

from kctui.diagnose.dlq import diagnose_dead_letter, failure_of, group_diagnoses
from kctui.dlq.records import DeadLetter, KafkaRecord, decode_dead_letter

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"


def dead_letter(fixture: str, offset: int = 0, *, drop: tuple[str, ...] = ()) -> DeadLetter:
    """A dead letter with the error headers the sandbox really wrote (some left out)."""
    headers = json.loads((FIXTURES / fixture).read_text(encoding="utf-8"))
    encoded = tuple(
        (name, None if value is None else value.encode())
        for name, value in headers.items()
        if not any(name.endswith(d) for d in drop)
    )
    return decode_dead_letter(KafkaRecord("dlq", 0, offset, 0, None, b"x", encoded))


def test_each_real_dead_letter_is_diagnosed_with_its_stage() -> None:
    json_dl = dead_letter("sandbox-dlq-not-json.json")
    assert json_dl.stage == "VALUE_CONVERTER"
    assert diagnose_dead_letter(json_dl).rule == "converter-not-json"  # type: ignore[union-attr]
    smt = dead_letter("sandbox-smt-dlq-header.json")
    assert diagnose_dead_letter(smt).rule == "smt-needs-structured-data"  # type: ignore[union-attr]


def test_without_a_stack_trace_the_class_and_message_are_diagnosed() -> None:
    dl = dead_letter("sandbox-dlq-not-json.json", drop=("exception.stacktrace",))
    assert dl.stacktrace is None
    assert failure_of(dl) is not None and failure_of(dl).startswith(  # type: ignore[union-attr]
        "org.apache.kafka.connect.errors.DataException: Converting byte[]"
    )
    assert diagnose_dead_letter(dl).rule == "converter-not-json"  # type: ignore[union-attr]


def test_groups_get_the_diagnosis_of_their_records() -> None:
    letters = [dead_letter("sandbox-dlq-not-json.json", i) for i in range(50)]
    letters += [dead_letter("sandbox-smt-dlq-header.json", 50 + i) for i in range(3)]
    groups = group_diagnoses(letters)
    assert groups[("stage", "VALUE_CONVERTER")].rule == "converter-not-json"
    assert groups[("stage", "TRANSFORMATION")].rule == "smt-needs-structured-data"
    # both failures are DataExceptions: the group takes the diagnosis most records share
    assert groups[("exception", "org.apache.kafka.connect.errors.DataException")].rule == (
        "converter-not-json"
    )


def test_a_group_nobody_knows_gets_no_diagnosis() -> None:
    letters = [
        decode_dead_letter(
            KafkaRecord("dlq", 0, 0, 0, None, b"x", (("__connect.errors.stage", b"TASK_PUT"),))
        )
    ]
    assert group_diagnoses(letters) == {}

"""One code path: describe, triage, the DLQ summary and `watch`'s restart policy explain a
failure however it arrived, with the same extraction and rules as `kctui explain` (the
console's connector screen, DLQ summary and log view: tests/ui/test_diagnosis_ui.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctui.connect.models import ClusterState, Connector, ConnectorInfo, ConnectorStatus, TaskStatus
from kctui.diagnose import diagnose
from kctui.diagnose.dlq import diagnose_dead_letter, group_diagnoses, pair_diagnoses
from kctui.diagnose.explain import explain
from kctui.dlq.records import HEADER_PREFIX, DeadLetter, KafkaRecord, decode_dead_letter
from kctui.operate.restart_policy import restart_cannot_fix
from kctui.report import describe_json
from kctui.triage import build_report

SAMPLES = Path(__file__).parents[1] / "fixtures" / "explain" / "tuning"
# Real texts in three layouts: a log record behind a header line, a status table row with
# its trace, a trace collapsed by docker compose prefixes and a REST answer.
TEXTS = [
    "oracle-logminer-ora01031.txt",
    "sqs-source-queue-missing-table.txt",
    "hdfs-permission-denied-root.txt",
    "es-rest-security-exception.txt",
]


def failing(trace: str) -> Connector:
    task = TaskStatus(connector="c", id=0, state="FAILED", worker_id="w:8083", trace=trace)
    status = ConnectorStatus(name="c", state="RUNNING", worker_id="w:8083", type="source",
                             tasks=(task,))  # fmt: skip
    return Connector(name="c", status=status, info=ConnectorInfo(name="c", type="source"))


def dead_letter(trace: str) -> DeadLetter:
    headers = ((HEADER_PREFIX + "stage", b"TASK_POLL"),
               (HEADER_PREFIX + "exception.stacktrace", trace.encode()))  # fmt: skip
    return decode_dead_letter(KafkaRecord("dlq", 0, 1, 0, b"k", b"v", headers))


@pytest.mark.parametrize("name", TEXTS)
def test_every_surface_gives_the_diagnosis_explain_gives(name: str) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    expected = explain(text).diagnosis
    assert expected is not None
    assert diagnose(text) == expected
    task = describe_json(failing(text), cluster="prod")["tasks"][0]
    assert task["diagnosis"] == expected.to_json()
    report = build_report("prod", ClusterState({"c": failing(text)}))
    failure = report.findings[0].failed_tasks[0]
    assert failure.diagnosis == expected
    dl = dead_letter(text)
    in_dlq = diagnose(text, stage="TASK_POLL")
    assert in_dlq is not None and in_dlq.category == expected.category
    assert diagnose_dead_letter(dl) == in_dlq
    assert set(pair_diagnoses([dl]).values()) == {in_dlq}
    assert in_dlq in group_diagnoses([dl]).values()
    cannot = restart_cannot_fix(text)
    assert (cannot is not None) == (not expected.restart_helps)

"""The diagnosis on screen: above the trace, per DLQ group, beside a failure in the logs."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import OptionList

from kctui.dlq.records import HEADER_PREFIX, KafkaRecord
from kctui.ui.screens.logs import LogScreen
from kctui.ui.widgets.diagnosis_view import DiagnosisView
from kctui.ui.widgets.dlq_summary import DlqSummary
from kctui.ui.widgets.log_view import LogView
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.test_detail import open_detail
from tests.ui.test_dlq_screen import FakeReader, Host, screen_for, until
from tests.ui.test_log_screen import LogApp, cluster_for
from tests.ui.test_log_screen import until as log_until

FIXTURES = Path(__file__).parents[1] / "fixtures"


async def test_connector_screen_shows_the_diagnosis_above_the_trace() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        screen = await open_detail(pilot, "demo-failing-sink")
        view = screen.query_one(DiagnosisView)
        await wait_for(pilot, lambda: view.diagnosis is not None, what="a diagnosis")
        assert view.diagnosis is not None and view.diagnosis.rule == "file-not-found"
        assert view.display and view.region.height >= 2
        assert view.region.y < screen.query_one("#trace").region.y  # above the trace
        assert "does not exist on the worker" in str(view.render())
        await pilot.press("escape")
        await pilot.pause()
        healthy = await open_detail(pilot, "demo-sink")
        assert healthy.query_one(DiagnosisView).diagnosis is None
        assert not healthy.query_one(DiagnosisView).display


def real_dead_letters(count: int) -> list[KafkaRecord]:
    """Dead letters carrying the error headers the sandbox's DLQ sink really wrote."""
    headers = json.loads((FIXTURES / "diagnose" / "sandbox-dlq-not-json.json").read_text())
    assert all(name.startswith(HEADER_PREFIX) for name in headers)
    encoded = tuple((k, v.encode() if v is not None else None) for k, v in headers.items())
    return [
        KafkaRecord("orders-dlq", 0, offset, 1_700_000_000_000 + offset, b"k", b"{oops", encoded)
        for offset in range(count)
    ]


async def test_dlq_summary_gives_each_group_its_diagnosis_once() -> None:
    reader = FakeReader(12)
    reader.records = real_dead_letters(12)
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(80, 24)) as pilot:
        options = screen.query_one(DlqSummary).query_one(OptionList)
        # all, the groups by cause, then by exception class and by stage
        await until(pilot, lambda: options.option_count >= 4, "the groups")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        told = [i for i, label in enumerate(labels) if "converter-not-json" in label]
        assert len(told) == 1  # same rule: told once, under the first group it explains
        assert "converter-not-json: JsonConverter could not parse" in labels[told[0]]
        assert options.get_option_at_index(told[0]).id.startswith("cause")


async def test_log_view_shows_the_diagnosis_beside_a_failure(tmp_path: Path) -> None:
    log = tmp_path / "connect.log"
    log.write_text((FIXTURES / "logs" / "sandbox-connect.log").read_text(encoding="utf-8"))
    screen = LogScreen(cluster_for(log))
    async with LogApp(screen).run_test(size=(80, 24)) as pilot:
        view = screen.query_one(LogView)
        await log_until(pilot, lambda: len(view.rows) > 20)
        diagnosis = screen.query_one(DiagnosisView)
        for _ in range(10):  # back through the failures to the failing sink's
            if screen.feed.header(view.rows[view.cursor]).connector == "demo-failing-sink":
                break
            await pilot.press("N")
        await log_until(pilot, lambda: diagnosis.diagnosis is not None)
        assert diagnosis.diagnosis is not None and diagnosis.diagnosis.rule == "file-not-found"
        assert diagnosis.display
        await pilot.press("g")  # the first line: a startup line, not a failure
        await log_until(pilot, lambda: diagnosis.diagnosis is None)
        assert not diagnosis.display


async def test_dlq_summary_says_wire_format_when_a_json_converter_read_avro() -> None:
    """Cross-signal in the console: the dead letters' bytes (the sandbox's Avro payments,
    magic byte 0 and schema id 7) turn 'not JSON' into 'Schema Registry wire format'."""
    from kctui.sandbox.scenario import avro_payments

    records = real_dead_letters(6)
    payments = avro_payments(key_id=3, value_id=7)
    reader = FakeReader(6)
    reader.records = [
        KafkaRecord(r.topic, r.partition, r.offset, r.timestamp_ms, key, value, r.headers)
        for r, (key, value) in zip(records, payments, strict=False)
    ]
    screen = screen_for(reader)
    async with Host(screen).run_test(size=(100, 30)) as pilot:
        options = screen.query_one(DlqSummary).query_one(OptionList)
        await until(pilot, lambda: options.option_count >= 4, "the groups")
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        told = [label for label in labels if "converter-schema-registry-wire-format" in label]
        assert len(told) == 1, labels
        assert "schema id 7" in told[0]
        assert not any("converter-not-json" in label for label in labels)


async def test_the_console_diagnoses_with_the_rules_its_command_loaded() -> None:
    """The rules hang off the console session (no module global): the user's rule the
    command passed wins in the connector screen, as it would from their rules.toml."""
    from kctui.diagnose import builtin_rules, parse_rules

    ours = parse_rules(
        '[[rule]]\nid = "our-nfs-mount"\npriority = 90\nsummary = "The NFS mount is gone."\n'
        'action = "Remount /nonexistent."\n[rule.match]\nclasses = ["NoSuchFileException"]\n',
        "rules.toml",
        builtin_rules(),
    )
    app = make_app(rules=ours)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert app.session.rules == tuple(ours)
        screen = await open_detail(pilot, "demo-failing-sink")
        view = screen.query_one(DiagnosisView)
        await wait_for(pilot, lambda: view.diagnosis is not None, what="a diagnosis")
        assert view.diagnosis is not None and view.diagnosis.rule == "our-nfs-mount"

"""Each built-in diagnosis rule on the real failure text it was written for.

The fixtures are real traces, log records, status answers and REST errors from public
issues (tests/fixtures/diagnose/PROVENANCE.md) and from kctui's sandbox.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui.diagnose import diagnose, parse_rules
from kctui.diagnose.loading import BUILT_IN, builtin_text
from kctui.diagnose.model import evidence, matches
from kctui.traces import parse_trace

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"
TRACES = Path(__file__).parents[1] / "fixtures" / "traces"
BUILTIN = parse_rules(builtin_text(), BUILT_IN)

# fixture -> (the rule that must win, DLQ stage given with it or None)
CASES: dict[str, tuple[str, str | None]] = {
    "unknown-magic-byte.log": ("converter-unknown-magic-byte", None),
    "json-schemas-enable.log": ("converter-json-schemas-enable", None),
    "json-deserializer-schemas-enable-old.log": ("converter-json-schemas-enable", None),
    "converting-byte-array-failed.log": ("converter-not-json", None),
    "converter-class-not-found.log": ("converter-class-not-found", None),
    "schema-registry-unreachable.log": ("schema-registry-unreachable", None),
    "schema-registry-unreachable-worker.log": ("schema-registry-unreachable", None),
    "schema-registry-409.log": ("schema-incompatible", None),
    "schema-registry-409-latest.log": ("schema-incompatible", None),
    "tolerance-exceeded.log": ("tolerance-exceeded", None),
    "smt-requires-map.log": ("smt-failed", None),
    "smt-unsupported-type.log": ("smt-needs-structured-data", None),
    "plugin-not-found.json": ("connector-plugin-not-found", None),
    "plugin-not-found.log": ("connector-plugin-not-found", None),
    "missing-required-config.log": ("missing-required-config", None),
    "config-invalid-ccloud.txt": ("config-invalid", None),
    "noclassdef.txt": ("java-class-missing", None),
    "tasks-max-enforced.txt": ("tasks-max-exceeded", None),
    "file-missing-suppressed.log": ("file-not-found", None),
    "no-suitable-driver.log": ("jdbc-no-suitable-driver", None),
    "no-suitable-driver-validate.json": ("jdbc-no-suitable-driver", None),
    "jdbc-table-missing.log": ("jdbc-table-missing", None),
    "db-permission-denied-postgres.log": ("db-permission-denied", None),
    "db-access-denied-mysql.log": ("db-access-denied", None),
    "mysql-replication-privilege.log": ("mysql-replication-privilege", None),
    "db-communications-link-failure.log": ("db-communications-link-failure", None),
    "db-connection-refused.log": ("db-connection-refused", None),
    "binlog-not-available.log": ("debezium-binlog-unavailable", None),
    "binlog-not-available-gtid.log": ("debezium-binlog-unavailable", None),
    "pg-replication-slot-active.log": ("postgres-slot-in-use", None),
    "pg-replication-slot-exists.log": ("postgres-slot-exists", None),
    "pg-wal-removed.log": ("postgres-wal-removed", None),
    "sasl-auth-failed.log": ("kafka-sasl-authentication", None),
    "sasl-invalid-credentials.log": ("kafka-sasl-invalid-credentials", None),
    "sasl-mechanism-mismatch.log": ("kafka-sasl-mechanism-mismatch", None),
    "tls-handshake-pkix.log": ("tls-untrusted-certificate", None),
    "topic-authorization.log": ("topic-authorization", None),
    "group-authorization.log": ("group-authorization", None),
    "record-too-large-producer.log": ("record-too-large-request", None),
    "record-too-large-broker.log": ("record-too-large-broker", None),
    "broker-timeout-node-assignment.log": ("kafka-broker-unreachable", None),
    "broker-timeout-status.txt": ("kafka-broker-unreachable", None),
    "topic-metadata-timeout-status.json": ("kafka-broker-unreachable", None),
    "topic-not-in-metadata.log": ("topic-not-in-metadata", None),
    "offset-flush-timeout.log": ("offset-flush-timeout", None),
    "replication-factor-too-high.log": ("replication-factor-too-high", None),
    "internal-topic-create-failed.log": ("internal-topic-create-failed", None),
    "rest-ensuring-membership.txt": ("worker-not-in-group", None),
    "oom-heap.log": ("out-of-memory", None),
    "sandbox-dlq-init-failed.txt": ("dlq-init-failed", None),
    "sandbox-smt-unknown-field.txt": ("smt-unknown-field", None),
    "sandbox-smt-dlq-header.json": ("smt-needs-structured-data", "TRANSFORMATION"),
    "sandbox-regexrouter-invalid.json": ("smt-regex-invalid", None),
    "sandbox-transform-class-not-found.json": ("class-not-found", None),
    "sandbox-file-sink-missing-dir.txt": ("file-not-found", None),
    "sandbox-dlq-not-json.json": ("converter-not-json", "VALUE_CONVERTER"),
    # the trace model's fixtures (tests/fixtures/traces/PROVENANCE.md)
    "../traces/trace-jdbc-oracle-invalid-password.txt": ("db-login-failed", None),
    "../traces/status-sftp-classless-cause.json": ("file-not-found", None),
}

# Real traces that no rule should claim: failures outside Connect's usual trouble.
UNRELATED = [
    TRACES / "trace-suppressed-jna.txt",
    TRACES / "trace-logback-common-frames-omitted.txt",
]


def failure_text(path: Path) -> str:
    """The failure a fixture holds: a status trace, a REST error, a DLQ header, or the text."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".json":
        return text
    data = json.loads(text)
    if "tasks" in data:  # a status answer: the first trace
        traces = [data.get("connector", {}).get("trace")] + [t.get("trace") for t in data["tasks"]]
        return next(t for t in traces if t)
    if "__connect.errors.exception.stacktrace" in data:  # DLQ error headers
        return (
            data["__connect.errors.exception.stacktrace"]
            or data["__connect.errors.exception.message"]
        )
    return str(data["message"])  # a REST error answer


def test_every_fixture_has_provenance() -> None:
    provenance = (FIXTURES / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in FIXTURES.iterdir():
        if path.name != "PROVENANCE.md":
            assert f"`{path.name}`" in provenance, f"{path.name} has no provenance line"


@pytest.mark.parametrize(("fixture", "expected"), sorted(CASES.items()))
def test_rule_on_its_real_fixture(fixture: str, expected: tuple[str, str | None]) -> None:
    rule_id, stage = expected
    found = diagnose(failure_text(FIXTURES / fixture), stage=stage, rules=BUILTIN)
    assert found is not None, f"{fixture}: no diagnosis"
    assert found.rule == rule_id
    assert found.summary and found.action


def test_every_rule_matches_at_least_one_real_fixture() -> None:
    """A rule no real failure triggers is untested (generic rules may be outranked there)."""
    unmatched = []
    for rule in BUILTIN:
        hit = False
        for fixture, (_, stage) in CASES.items():
            found = evidence(
                parse_trace(failure_text(FIXTURES / fixture)), stage=stage, connector_class=None
            )
            if matches(rule.criteria, found):
                hit = True
                break
        if not hit:
            unmatched.append(rule.id)
    assert unmatched == []


def test_at_least_25_rules_with_links_where_documented() -> None:
    assert len(BUILTIN) >= 25
    assert len({r.id for r in BUILTIN}) == len(BUILTIN)
    assert sum(1 for r in BUILTIN if r.link) >= 25
    assert all(r.link is None or r.link.startswith("https://") for r in BUILTIN)


@pytest.mark.parametrize("path", UNRELATED, ids=lambda p: p.name)
def test_unrelated_real_trace_gets_no_diagnosis(path: Path) -> None:
    assert diagnose(path.read_text(encoding="utf-8"), rules=BUILTIN) is None


def test_specific_rule_beats_the_generic_one_it_also_matches() -> None:
    """A specific rule wins over a generic one that matches the same real failure."""
    text = failure_text(FIXTURES / "smt-unsupported-type.log")
    assert diagnose(text, rules=BUILTIN).rule == "smt-needs-structured-data"  # type: ignore[union-attr]
    pkix = failure_text(FIXTURES / "tls-handshake-pkix.log")
    generic = next(r for r in BUILTIN if r.id == "tls-handshake-failed")
    assert matches(generic.criteria, evidence(parse_trace(pkix), stage=None, connector_class=None))
    assert diagnose(pkix, rules=BUILTIN).rule == "tls-untrusted-certificate"  # type: ignore[union-attr]


def test_empty_input_gets_no_diagnosis() -> None:
    assert diagnose(None, rules=BUILTIN) is None
    assert diagnose("   \n", rules=BUILTIN) is None

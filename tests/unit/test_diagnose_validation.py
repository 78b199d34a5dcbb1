"""Validation answers are diagnosed by the errors they wrap; systems by URLs, hosts, ports."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kctui.diagnose import diagnose, system_of
from kctui.diagnose.validation import validation_errors
from kctui.traces import parse_trace

CONNECT_HEAD = "Connector configuration is invalid and contains the following {n} error(s):\n"
CONNECT_TAIL = (
    "\nYou can also find the above list of errors at the endpoint "
    "`/connector-plugins/{connectorType}/config/validate`"
)


def connect_answer(*errors: str) -> str:
    """Connect's 400 message, as AbstractHerder words it: one error per line."""
    return CONNECT_HEAD.format(n=len(errors)) + "\n".join(errors) + CONNECT_TAIL


SPLITS = [
    (connect_answer("first error", "second error"), ["first error", "second error"]),
    # pasted on one line: the one error is the rest of the line
    (
        "Connector configuration is invalid and contains the following 1 error(s) "
        "Error while validating connector config: Connection to localhost:5434 refused",
        ["Error while validating connector config: Connection to localhost:5434 refused"],
    ),
    # Confluent Cloud: "key: key: message" lines, a validation_errors tail
    (
        "Unable to validate configuration. If an update was made ... Errors:\n"
        "snowflake.user.name: snowflake.user.name: Cannot connect to Snowflake\n"
        "snowflake.private.key: snowflake.private.key: Cannot connect to Snowflake "
        "validation_errors: snowflake.user.name: ...",
        ["Cannot connect to Snowflake", "Cannot connect to Snowflake"],
    ),
    # the operator's event, wrapped by a status YAML
    (
        "    message: 'connect Rest API request failed: Connector validation failed: Invalid\n"
        "      HEC transport configuration: splunk.hec.uri is http (500)'\n"
        "    reason: CreateFailed\n",
        ["Invalid HEC transport configuration: splunk.hec.uri is http (500)"],
    ),
    # no list of errors, or not a validation answer at all
    (
        "Connector configuration is invalid (use the endpoint `/{connectorType}/config/validate`)",
        [],
    ),
    ("java.net.ConnectException: Connection refused", []),
]


@pytest.mark.parametrize(("text", "errors"), SPLITS)
def test_validation_errors_are_split_one_per_error(text: str, errors: list[str]) -> None:
    assert validation_errors(text) == errors


def test_an_answer_wrapping_a_network_failure_is_a_network_failure() -> None:
    found = diagnose(
        connect_answer(
            "Unable to connect. Error: The TCP/IP connection to the host db, port 1433 has "
            "failed. Make sure that TCP connections to the port are not blocked by a firewall."
        )
    )
    assert found is not None and found.category == "network"
    assert found.system == "SQL Server"  # the port next to the host


def test_an_answer_wrapping_a_database_setting_is_that_setting() -> None:
    found = diagnose(
        '{"error_code": 400, "message": "'
        + connect_answer('Postgres server wal_level property must be \\"logical\\" but is: replica')
        .replace("\n", "\\n")
        .replace("`", "")
        + '"}'
    )
    assert found is not None and found.category == "cdc-position"


def test_the_most_causal_wrapped_error_wins() -> None:
    found = diagnose(
        connect_answer(
            "Invalid value 5s for configuration poll.interval.ms: Not a number of type LONG",
            "Login failed for user 'connect'.",
        )
    )
    assert found is not None and found.category == "authentication"


def test_an_answer_of_configuration_mistakes_only_names_the_key() -> None:
    found = diagnose(
        connect_answer(
            "Invalid value 5s for configuration poll.interval.ms: Not a number of type LONG"
        )
    )
    assert found is not None and found.category == "invalid-config"
    assert "(key: poll.interval.ms)" in found.action


SYSTEMS = [
    # a JDBC URL, a host's port, a service's host name, a logger or connector class, a vendor code
    ("Not a valid JDBC URL: jdbc:oracle:thin:@db:1521/orcl", "Oracle"),
    ("Connection to db.internal:5432 refused", "PostgreSQL"),
    ("java.net.ConnectException: Failed to connect to influxdb/10.43.244.57:8086", "InfluxDB"),
    ("Timed out connecting to mongo-0:27017", "MongoDB"),
    ("Could not connect to port 3306 on mysql-primary", "MySQL"),
    ("GET https://acme.eu-west-1.snowflakecomputing.com:443/session failed", "Snowflake"),
    ("PUT https://bucket.s3.eu-west-1.amazonaws.com/topics/x failed: 403", "S3"),
    ("https://acct.blob.core.windows.net/c/x returned 403", "Azure Blob Storage"),
    (
        "AWS Glue - EntityNotFoundException: Entity Not Found (Service: Glue, Status Code: 400)",
        "AWS Glue",
    ),
    (
        "INFO An exception occurred (com.mongodb.kafka.connect.source.MongoSourceTask:597)",
        "MongoDB",
    ),
    ("ORA-00942: table or view does not exist", "Oracle"),
    ("Subject not found.; error code: 40401", "Schema Registry"),
]


@pytest.mark.parametrize(("text", "system"), SYSTEMS)
def test_system_from_urls_hosts_ports_and_named_classes(text: str, system: str) -> None:
    trace = parse_trace(text)
    assert system_of(trace, text).name == system


def test_line_numbers_and_times_are_not_ports() -> None:
    text = "[2024-05-01 15:54:32,003] ERROR failure (org.example.Task:1433) at 12:10:23"
    assert system_of(parse_trace(text), text).name == "Kafka Connect"


def test_a_validate_answer_is_diagnosed_by_its_errors() -> None:
    """``PUT /connector-plugins/{type}/config/validate`` answers ``{name, error_count, groups,
    configs: [{definition, value: {name, value, errors}}]}``: its errors are the ones a 400
    answer would list."""
    answer: dict[str, Any] = {
        "name": "io.debezium.connector.postgresql.PostgresConnector",
        "error_count": 1,
        "groups": ["Database"],
        "configs": [
            {"definition": {"name": "topics"}, "value": {"name": "topics", "errors": []}},
            {
                "definition": {"name": "connection.url"},
                "value": {
                    "name": "connection.url",
                    "value": "jdbc:postgresql://db:5432/shop",
                    "errors": ['FATAL: password authentication failed for user "connect"'],
                },
            },
        ],
    }
    found = diagnose(json.dumps(answer))
    assert found is not None and found.category == "authentication"
    assert found.system == "PostgreSQL"  # from the plugin's class
    clean = dict(answer, error_count=0, configs=[answer["configs"][0]])
    assert diagnose(json.dumps(clean)) is None

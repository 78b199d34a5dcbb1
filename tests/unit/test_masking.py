"""Secret masking of connector configs, table-driven."""

from __future__ import annotations

import pytest

from kctui.masking import MASK, is_secret_key, mask_config, mask_urls, mask_value, masked_keys

SECRET_KEYS = [
    "connection.password",
    "database.password",
    "ssl.keystore.password",
    "ssl.key.password",
    "ssl.truststore.password",
    "sasl.jaas.config",
    "consumer.override.sasl.jaas.config",
    "aws.secret.access.key",
    "aws.access.key",
    "client.secret",
    "oauth.token",
    "github.access.token",
    "apikey",
    "datadog.api.key",
    "splunk.hec.token",
    "gcp.credentials.json",
    "azure.credentials",
    "private.key",
    "snowflake.private.key.passphrase",
    "value.converter.basic.auth.user.info",
    "schema.registry.basic.auth.user.info",
    "API_KEY",
    "Password",
]

PLAIN_KEYS = [
    "connector.class",
    "key.converter",
    "key.converter.schemas.enable",
    "value.converter",
    "topics",
    "file",
    "tasks.max",
    "transforms",
    "primary.key",
    "pk.mode",
    "basic.auth.credentials.source",
    "value.converter.basic.auth.credentials.source",
    "ssl.keystore.location",
    "ssl.keystore.type",
    "sasl.login.callback.handler.class",
    "sasl.oauthbearer.token.endpoint.url",
    "errors.deadletterqueue.topic.name",
    "key.ignore",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)
    assert mask_value(key, "hunter2") == MASK


@pytest.mark.parametrize("key", PLAIN_KEYS)
def test_plain_keys(key: str) -> None:
    assert not is_secret_key(key)
    assert mask_value(key, "some-value") == "some-value"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pass@host:8081", f"https://user:{MASK}@host:8081"),
        ("http://a:b@h1,http://c:d@h2/x", f"http://a:{MASK}@h1,http://c:{MASK}@h2/x"),
        ("mongodb://admin:s3cr%40t@db:27017/app", f"mongodb://admin:{MASK}@db:27017/app"),
        ("https://user@host", "https://user@host"),
        ("https://host:8443/path", "https://host:8443/path"),
        (
            "jdbc:postgresql://db/app?user=x&password=y&ssl=true",
            f"jdbc:postgresql://db/app?user=x&password={MASK}&ssl=true",
        ),
        ("jdbc:sqlserver://db;user=x;password=y", f"jdbc:sqlserver://db;user=x;password={MASK}"),
        ("https://h/api?token=abc", f"https://h/api?token={MASK}"),
        ("plain text, no url", "plain text, no url"),
    ],
)
def test_credentials_in_urls(text: str, expected: str) -> None:
    assert mask_urls(text) == expected
    assert mask_value("connection.url", text) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        (
            "connection.password",
            "${file:/etc/secrets.properties:pw}",
            "${file:/etc/secrets.properties:pw}",
        ),
        ("connection.password", "${env:DB_PASSWORD}", "${env:DB_PASSWORD}"),
        ("connection.password", "prefix-${env:X}", MASK),
        ("connection.password", "", ""),
        ("connection.password", None, None),
        ("tasks.max", 3, 3),
        ("ssl.key.password", 1234, MASK),
    ],
)
def test_edge_values(key: str, value: object, expected: object) -> None:
    assert mask_value(key, value) == expected


def test_mask_config_keeps_order_and_does_not_change_the_input() -> None:
    config = {
        "connector.class": "io.x.JdbcSinkConnector",
        "connection.url": "jdbc:mysql://db/app?user=u&password=p",
        "connection.password": "p",
        "topics": "orders",
    }
    original = dict(config)
    masked = mask_config(config)
    assert list(masked) == list(config)
    assert config == original
    assert masked["connection.password"] == MASK
    assert masked["connection.url"].endswith(f"password={MASK}")
    assert masked["topics"] == "orders"
    assert masked_keys(config) == ("connection.url", "connection.password")

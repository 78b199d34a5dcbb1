"""``mask_text``: credentials in free text (traces, log lines, error headers), on real samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui.masking import MASK, mask_text

FIXTURES = Path(__file__).parent.parent / "fixtures" / "traces"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# (real sample, secrets that must be gone, text that must stay)
REAL = [
    (fixture("log-jdbc-sink-no-driver-password.log"), ["password=demo"],
     ["jdbc:mysql://172.151.30.117:3306/demo?user=demo&password=" + MASK,
      "No suitable driver found"]),
    (json.loads(fixture("validate-jdbc-password-ampersand.txt"))["message"],
     ["!Pn@QK", "he24", ")OQ^o2", "OQ^o2"],
     ["(using password: YES)", "db?user=username&password=" + MASK + "\n"]),
    (json.loads(fixture("validate-jdbc-no-driver-password.json"))["message"], ["password=pw"],
     ["demo?user=rmoff&password=" + MASK + " for configuration"]),
    (fixture("log-mondrian-jdbc-password.txt"), ["db_password"],
     ["JdbcUser=db_user; JdbcPassword=" + MASK, "jdbc:postgresql://localhost:5432/foodmart"]),
    (fixture("log-camel-aws-secret.log"), ["wJalrXUtnFEMI", "EXAMPLEKEY"],
     ["secretKey=" + MASK + " (org.apache.camel", "accessKey=AKIAIOSFODNN7EXAMPLE"]),
    (fixture("snippets-credentials.txt"),
     ["VnVhQ2", "123token456", 'password="admin"', "password=PASSWORD"],
     ["Authorization: ApiKey " + MASK + '"', "Authorization=Bearer " + MASK,
      'username="admin" password="' + MASK + '";', "password=" + MASK + ";"]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "gone", "kept"), REAL, ids=[str(i) for i in range(len(REAL))])
def test_real_samples_lose_their_credentials(text: str, gone: list[str], kept: list[str]) -> None:
    masked = mask_text(text)
    for secret in gone:
        assert secret in text, "the sample holds the secret before masking"
        assert secret not in masked
    for part in kept:
        assert part in masked
    assert mask_text(masked) == masked  # idempotent


# Forms the issue names, one per line, with their masked form.
FORMS = [
    ("http://user:pw@host:8083/x", f"http://user:{MASK}@host:8083/x"),
    ("jdbc:mysql://host/db?user=user&password=password", f"jdbc:mysql://host/db?user=user&password={MASK}"),
    ("jdbc:sqlserver://h;user=u;password=p;databaseName=x", f"jdbc:sqlserver://h;user=u;password={MASK};databaseName=x"),
    ("jdbc:oracle:thin:scott/tiger@//db:1521/svc", f"jdbc:oracle:thin:scott/{MASK}@//db:1521/svc"),
    ("jdbc:oracle:thin:scott/tiger@db:1521:ORCL", f"jdbc:oracle:thin:scott/{MASK}@db:1521:ORCL"),
    ("https://api/x?token=abc&pwd=p2&apikey=k", f"https://api/x?token={MASK}&pwd={MASK}&apikey={MASK}"),
    ("client failed: secret=s3 token: t0k", f"client failed: secret={MASK} token: {MASK}"),
    ('password="two words"', f'password="{MASK}"'),
    ("Authorization: Basic dXNlcjpwYXNz", f"Authorization: Basic {MASK}"),
    ("Authorization: Bearer eyJ.x.y", f"Authorization: Bearer {MASK}"),
    ("aws_secret_access_key = wJalr", f"aws_secret_access_key = {MASK}"),
    ("AWS_SECRET_ACCESS_KEY=wJalr", f"AWS_SECRET_ACCESS_KEY={MASK}"),
    ('{"api_key": "k1"}', f'{{"api_key": "{MASK}"}}'),
]  # fmt: skip


@pytest.mark.parametrize(("text", "masked"), FORMS, ids=[f[0][:30] for f in FORMS])
def test_each_form_is_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


NOT_SECRETS = [
    "Access denied for user 'u'@'h' (using password: NO)",
    "ORA-01017: invalid username/password; logon denied",
    "Unexpected token (START_OBJECT), expected VALUE_STRING",
    "Unrecognized token 'abc': was expecting ('true', 'false' or 'null')",
    "http://user@host:8083/connectors",
    "password=" + MASK,
    "",
]


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_text_without_credentials_is_unchanged(text: str) -> None:
    assert mask_text(text) == text


def test_connect_config_dumps_stay_as_logged() -> None:
    """Connect prints ``[hidden]`` or ``null`` for secrets in its config dumps: kept."""
    lines = fixture("log-config-dump-hidden.log").splitlines()
    assert len(lines) == 11
    assert [mask_text(line) for line in lines] == lines


@pytest.mark.parametrize(
    "text",
    [
        "sasl.oauthbearer.token.endpoint.url = https://idp/token",
        "ssl.keystore.location = /etc/kafka/ks.jks",
        "connection.password = ${file:/opt/secrets.properties:db-password}",
    ],
)
def test_keys_that_name_no_secret_keep_their_values(text: str) -> None:
    assert mask_text(text) == text

"""What a user meets when one piece of the secured set-up is wrong: one line on stderr, exit
2, no traceback, never a password, and the cause in words (a 401 naming the cluster, a
certificate from another CA, plain HTTP to the HTTPS port, a refused SCRAM login)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kctui.sandbox import scenario
from kctui.sandbox.pki import CertificateAuthority
from kctui.sandbox.secure import SecureSandbox
from tests.integration.cli import run_kctui
from tests.secure.conftest import Variant

pytestmark = pytest.mark.integration


def one_error_line(done: subprocess.CompletedProcess[str], secrets: list[str]) -> str:
    """The single line kctui printed on stderr, after checking exit 2 and nothing leaked."""
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not [s for s in secrets if s in done.stdout + done.stderr], "a password was printed"
    return lines[0]


@pytest.fixture(scope="module")
def other_ca(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return CertificateAuthority(tmp_path_factory.mktemp("other-ca"), name="not the sandbox CA").cert


def test_a_wrong_rest_password_names_the_cluster_and_the_401(
    secure_sandbox: SecureSandbox, variant: Variant, every_secret: list[str]
) -> None:
    config = variant(password_file=str(secure_sandbox.secret_file("operator-wrong")))
    for command in (["status"], ["describe", scenario.SINK], ["watch", "--once", "--read-only"]):
        line = one_error_line(run_kctui(*command, config=config), every_secret)
        assert line.startswith("kctui: cluster 'sandbox-secure': "), line
        assert "HTTP 401" in line and "user 'operator'" in line, line
        assert "operator-wrong.password" in line  # where the password came from, not what


def test_a_ca_that_does_not_match_is_the_tls_error_in_words(
    variant: Variant, other_ca: Path, every_secret: list[str]
) -> None:
    config = variant(ca_file=str(other_ca), kafka={"ssl_cafile": str(other_ca)}, timeout=3)
    line = one_error_line(run_kctui("status", config=config), every_secret)
    assert "TLS failed" in line and f"not signed by the CA in ca_file {other_ca}" in line, line
    kafka = one_error_line(run_kctui("dlq", scenario.DLQ_TOPIC, config=config), every_secret)
    assert "cluster 'sandbox-secure'" in kafka and "TLS failed" in kafka, kafka
    assert f"not signed by the CA in ssl_cafile {other_ca}" in kafka, kafka


def test_plain_http_to_the_https_port_is_named(
    secure_sandbox: SecureSandbox, variant: Variant, every_secret: list[str]
) -> None:
    plain = [url.replace("https://", "http://") for url in secure_sandbox.rest_urls]
    line = one_error_line(run_kctui("status", config=variant(urls=plain)), every_secret)
    assert "speaks HTTPS" in line and "use https://" in line, line


def test_a_wrong_kafka_password_is_a_refused_login(
    secure_sandbox: SecureSandbox, variant: Variant, every_secret: list[str]
) -> None:
    wrong = str(secure_sandbox.secret_file("operator-wrong"))
    config = variant(kafka={"sasl_password_file": wrong}, timeout=3)
    line = one_error_line(run_kctui("dlq", scenario.DLQ_TOPIC, config=config), every_secret)
    assert line.startswith("kctui: cluster 'sandbox-secure': Kafka login failed"), line
    assert "SCRAM-SHA-512 login of user 'kctui'" in line and wrong in line, line

"""JMX with authentication, against a small JVM of our own (password and access files)."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctui.metrics.jmx import fetch_worker
from kctui.settings import JmxEndpoint
from tests import polling

pytestmark = pytest.mark.integration

IDLE_JAVA = (
    "public class Idle { public static void main(String[] a) throws Exception "
    "{ Thread.sleep(600_000); } }\n"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def secured_jvm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JVM whose JMX needs user ``kctui`` with password ``s3cret``; yields its URL."""
    home = tmp_path_factory.mktemp("jmx-auth")
    (home / "Idle.java").write_text(IDLE_JAVA)
    password, access = home / "jmx.password", home / "jmx.access"
    password.write_text("kctui s3cret\n")
    access.write_text("kctui readonly\n")
    password.chmod(0o600)
    access.chmod(0o600)
    port = free_port()
    process = subprocess.Popen(
        [
            "java", "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            f"-Dcom.sun.management.jmxremote.port={port}",
            f"-Dcom.sun.management.jmxremote.rmi.port={port}",
            "-Dcom.sun.management.jmxremote.authenticate=true",
            f"-Dcom.sun.management.jmxremote.password.file={password}",
            f"-Dcom.sun.management.jmxremote.access.file={access}",
            "-Dcom.sun.management.jmxremote.ssl=false",
            "-Dcom.sun.management.jmxremote.host=127.0.0.1",
            "-Djava.rmi.server.hostname=127.0.0.1",
            str(home / "Idle.java"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:

        def listening() -> bool:
            if process.poll() is not None:
                raise AssertionError("the secured JVM exited before opening its JMX port")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                return False
            return True

        polling.wait_until(listening, timeout=60, what="the secured JVM's JMX port")
        yield f"service:jmx:rmi:///jndi/rmi://127.0.0.1:{port}/jmxrmi"
    finally:
        process.kill()
        process.wait(timeout=10)


def test_password_from_file_is_accepted(secured_jvm: str, tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    endpoint = JmxEndpoint("w", secured_jvm, username="kctui", password_file=str(secret))
    snapshot = fetch_worker(endpoint, timeout=20)
    assert snapshot.ok, snapshot.error
    assert any("no Kafka Connect MBeans" in note for note in snapshot.notes)


def test_wrong_password_is_a_clear_message(
    secured_jvm: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KCTUI_TEST_JMX_PASSWORD", "wrong")
    endpoint = JmxEndpoint(
        "w", secured_jvm, username="kctui", password_env="KCTUI_TEST_JMX_PASSWORD"
    )
    snapshot = fetch_worker(endpoint, timeout=20)
    assert snapshot.error == "authentication failed: check the JMX username and password"


def test_missing_credentials_are_a_clear_message(secured_jvm: str) -> None:
    snapshot = fetch_worker(JmxEndpoint("w", secured_jvm), timeout=20)
    assert snapshot.error == "authentication failed: check the JMX username and password"

"""Missing Java or Maven, or a failing Maven, give one clear line (no JVM needed)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kctui.sandbox import jars
from kctui.sandbox.cluster import Sandbox, java_major
from kctui.sandbox.jars import SandboxError, ensure_jars


def _script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def test_missing_maven_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jars.shutil, "which", lambda _name: None)
    with pytest.raises(SandboxError, match=r"Maven \(mvn\) is not installed"):
        ensure_jars("4.3.1", tmp_path)


def test_cached_jars_need_no_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lib = tmp_path / "4.3.1" / "lib"
    lib.mkdir(parents=True)
    (lib / ".complete").write_text("4.3.1")
    monkeypatch.setattr(jars.shutil, "which", lambda _name: None)
    assert ensure_jars("4.3.1", tmp_path) == (lib, 0.0)


def test_unreachable_maven_central_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _script(
        tmp_path / "mvn",
        'echo "[ERROR] Failed to execute goal: Could not transfer artifact '
        'org.apache.kafka:kafka_2.13:pom:4.3.1: java.net.UnknownHostException"\nexit 1\n',
    )
    monkeypatch.setattr(jars.shutil, "which", lambda _name: str(fake))
    with pytest.raises(SandboxError) as info:
        ensure_jars("4.3.1", tmp_path / "cache")
    assert str(info.value).startswith("cannot reach Maven Central while resolving Kafka 4.3.1")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "cache" / "4.3.1" / "lib" / ".complete").exists()


def test_old_java_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    _script(home / "bin" / "java", 'echo \'openjdk version "11.0.2" 2019-01-15\' >&2\n')
    assert java_major(str(home / "bin" / "java")) == 11
    monkeypatch.setenv("JAVA_HOME", str(home))
    box = Sandbox(tmp_path / "h", tmp_path / "c", config_file=tmp_path / "k.toml")
    with pytest.raises(SandboxError, match="needs Java 17 or newer"):
        box._java()


def test_missing_java_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-jdk"))
    box = Sandbox(tmp_path / "h", tmp_path / "c", config_file=tmp_path / "k.toml")
    with pytest.raises(SandboxError, match="Java is not installed"):
        box._java()


def test_old_style_java_version_string() -> None:
    assert java_major("/nonexistent/java") is None


def test_a_jvm_dying_at_start_shows_its_log_tail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    _script(
        home / "bin" / "java",
        'case "$*" in\n'
        '  *-version*) echo \'openjdk version "17.0.15"\' >&2 ;;\n'
        "  *StorageTool*) exit 0 ;;\n"
        '  *) echo "ERROR Exiting Kafka due to fatal exception: bad listener"; exit 1 ;;\n'
        "esac\n",
    )
    monkeypatch.setenv("JAVA_HOME", str(home))
    cache = tmp_path / "cache"
    (cache / "4.3.1" / "lib").mkdir(parents=True)
    (cache / "4.3.1" / "lib" / ".complete").write_text("4.3.1")
    box = Sandbox(
        tmp_path / "box",
        cache,
        version_spec="4.3.1",
        port_base=31900,
        config_file=tmp_path / "k.toml",
        log=lambda _m: None,
    )
    with pytest.raises(SandboxError) as info:
        box.up()
    message = str(info.value)
    assert message.startswith("the broker JVM died during start-up")
    assert "bad listener" in message
    assert box.stray_pids() == []

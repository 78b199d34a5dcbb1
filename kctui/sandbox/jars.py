"""Apache Kafka jars for the sandbox, resolved from Maven Central with the shipped pom.xml.

Jars are cached under ``$XDG_CACHE_HOME/kctui/kafka/<version>/lib`` (Maven's own local
repository for them lives beside it), so a second ``sandbox up`` downloads nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from kctui.errors import KctuiError

DEFAULT_VERSION_SPEC = "4.x"
# Used when Maven Central's metadata cannot be read and nothing is cached: the newest 4.x
# release for which Maven Central served connect-runtime, connect-file and kafka_2.13 on
# 2026-11-24 (kafka_2.13 4.4.0 was published without its Connect artifacts).
FALLBACK_VERSION = "4.3.1"
ARTIFACTS = ("kafka_2.13", "connect-runtime", "connect-file")
MAVEN_REPO = "https://repo.maven.apache.org/maven2"
_RELEASE = re.compile(r"^\d+\.\d+\.\d+$")


class SandboxError(KctuiError):
    """The sandbox cannot be set up; the message says what to do."""


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def matches_spec(version: str, spec: str) -> bool:
    """``4.x`` matches 4.*.*, ``3.9.x`` matches 3.9.*, ``3.9.2`` only itself."""
    if not _RELEASE.match(version):
        return False
    spec_parts = spec.split(".")
    version_parts = version.split(".")
    for want, have in zip(spec_parts, version_parts, strict=False):
        if want in ("x", "*"):
            return True
        if want != have:
            return False
    return len(spec_parts) == len(version_parts)


def is_exact(spec: str) -> bool:
    return bool(_RELEASE.match(spec))


def newest_matching(versions: set[str], spec: str) -> str | None:
    candidates = [v for v in versions if matches_spec(v, spec)]
    return max(candidates, key=version_key) if candidates else None


def newest_published(spec: str, timeout: float = 15.0) -> str | None:
    """The newest release matching ``spec`` for which Maven Central serves every artifact.

    The artifacts' ``maven-metadata.xml`` can lag behind what is published (connect-file's
    omitted 3.9.2 in November 2026), so candidates are checked by asking for their POMs.
    """
    import httpx

    repo = os.environ.get("KCTUI_MAVEN_REPO", MAVEN_REPO).rstrip("/")
    with httpx.Client(timeout=timeout, follow_redirects=True) as http:
        listed: set[str] = set()
        for artifact in ARTIFACTS:
            url = f"{repo}/org/apache/kafka/{artifact}/maven-metadata.xml"
            response = http.get(url)
            response.raise_for_status()
            root = ET.fromstring(response.content)
            listed |= {v.text for v in root.iter("version") if v.text and _RELEASE.match(v.text)}
        for version in sorted(
            (v for v in listed if matches_spec(v, spec)), key=version_key, reverse=True
        ):
            if all(
                http.head(
                    f"{repo}/org/apache/kafka/{artifact}/{version}/{artifact}-{version}.pom"
                ).status_code
                == 200
                for artifact in ARTIFACTS
            ):
                return version
    return None


def cached_versions(cache_root: Path) -> set[str]:
    if not cache_root.is_dir():
        return set()
    return {p.name for p in cache_root.iterdir() if (p / "lib" / ".complete").exists()}


def resolve_version(spec: str, cache_root: Path) -> str:
    """Turn ``4.x``, ``3.9.x`` or ``3.9.2`` into a release version, as Maven Central serves it."""
    if is_exact(spec):
        return spec
    if not re.match(r"^\d+(\.\d+)*\.(x|\*)$", spec):
        raise SandboxError(f"--kafka-version: expected e.g. 4.x, 3.9.x or 3.9.2, got {spec!r}")
    try:
        version = newest_published(spec)
    except Exception:  # noqa: BLE001 - offline: fall back to the cache
        version = newest_matching(cached_versions(cache_root), spec)
        if version is None and matches_spec(FALLBACK_VERSION, spec):
            version = FALLBACK_VERSION
        if version is None:
            raise SandboxError(
                f"cannot read Kafka versions from Maven Central and no {spec} jars are cached"
            ) from None
    if version is None:
        raise SandboxError(f"Maven Central has no Kafka release matching {spec}")
    return version


def ensure_jars(
    version: str, cache_root: Path, *, log: Callable[[str], object] = print
) -> tuple[Path, float]:
    """The lib directory with every jar of ``version``; downloads with Maven when not cached.

    Returns the directory and the seconds spent downloading (0 when cached).
    """
    lib = cache_root / version / "lib"
    if (lib / ".complete").exists():
        return lib, 0.0
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SandboxError(
            "Maven (mvn) is not installed: install it (e.g. 'apt-get install maven') "
            "to download the Kafka jars"
        )
    if lib.exists():
        shutil.rmtree(lib)
    lib.parent.mkdir(parents=True, exist_ok=True)
    pom = resources.files("kctui.sandbox").joinpath("pom.xml")
    pom_path = cache_root / version / "pom.xml"
    pom_path.write_bytes(pom.read_bytes())
    repo_local = cache_root / "m2"
    cmd = [
        mvn,
        "-B",
        "-f",
        str(pom_path),
        f"-Dmaven.repo.local={repo_local}",
        f"-Dkafka.version={version}",
        "dependency:copy-dependencies",
        f"-DoutputDirectory={lib}",
        "-DincludeScope=runtime",
    ]
    if version.startswith(("2.", "3.")):
        cmd.insert(2, "-Dkafka3=true")
    log(f"downloading Apache Kafka {version} jars from Maven Central (once) ...")
    started = time.monotonic()
    log_file = cache_root / version / "maven.log"
    with open(log_file, "w", encoding="utf-8") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    elapsed = time.monotonic() - started
    if proc.returncode != 0:
        text = log_file.read_text(encoding="utf-8", errors="replace")
        raise SandboxError(_maven_failure(version, text, log_file))
    (lib / ".complete").write_text(version, encoding="utf-8")
    return lib, elapsed


JSON_LAYOUT = "log4j-layout-template-json"


def ensure_json_layout_jar(
    lib: Path, cache_root: Path, *, log: Callable[[str], object] = print
) -> bool:
    """Add log4j2's JsonTemplateLayout jar to a cached lib made before the pom listed it.

    Only copies that one jar in (the running sandboxes' jars are untouched). Returns False
    when it cannot be had (no log4j-core in ``lib``, no Maven, offline): JSON logs are skipped.
    """
    if any(lib.glob(f"{JSON_LAYOUT}-*.jar")):
        return True
    cores = sorted(lib.glob("log4j-core-*.jar"))
    mvn = shutil.which("mvn")
    if not cores or mvn is None:
        return False
    log4j_version = cores[-1].name[len("log4j-core-") : -len(".jar")]
    log(f"downloading {JSON_LAYOUT} {log4j_version} from Maven Central (once) ...")
    cmd = [
        mvn, "-B", "-q", f"-Dmaven.repo.local={cache_root / 'm2'}",
        "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
        f"-Dartifact=org.apache.logging.log4j:{JSON_LAYOUT}:{log4j_version}",
        f"-DoutputDirectory={lib}",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return proc.returncode == 0 and any(lib.glob(f"{JSON_LAYOUT}-*.jar"))


def _maven_failure(version: str, text: str, log_file: Path) -> str:
    errors = [line[len("[ERROR] ") :] for line in text.splitlines() if line.startswith("[ERROR]")]
    first = next((e for e in errors if e.strip()), "see the log")
    if any(
        word in text
        for word in (
            "UnknownHostException",
            "Connection refused",
            "Could not transfer",
            "timed out",
        )
    ):
        reason = "cannot reach Maven Central"
    elif "Could not find artifact" in text or "was not found" in text:
        reason = f"Maven Central has no Kafka {version}"
    else:
        reason = "Maven failed"
    return f"{reason} while resolving Kafka {version} jars: {first[:200]} (log: {log_file})"

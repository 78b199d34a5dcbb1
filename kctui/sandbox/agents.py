"""The metrics agents every sandbox worker runs beside remote JMX: the Prometheus JMX
exporter javaagent (with Strimzi-style rules) and the Jolokia JVM agent.

Both jars come from Maven Central (``mvn dependency:copy``) into the shared Kafka cache,
once. The exporter's rules file (``prometheus-rules.yaml``, kctui's own) produces the metric
names of Strimzi's example ``kafka-connect-metrics.yaml``, so kctui is tested against
the names Strimzi users see.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from kctui.sandbox.jars import SandboxError

# Maven Central, November 2026: jmx_prometheus_javaagent's newest release is 1.0.1;
# jolokia-agent-jvm 2.6.0 (classifier javaagent) is the newest 2.x agent.
PROMETHEUS_AGENT = ("io.prometheus.jmx", "jmx_prometheus_javaagent", "1.0.1", None)
JOLOKIA_AGENT = ("org.jolokia", "jolokia-agent-jvm", "2.6.0", "javaagent")


@dataclass(frozen=True)
class AgentJars:
    prometheus: Path
    jolokia: Path


def _file_name(coordinates: tuple[str, str, str, str | None]) -> str:
    _, artifact, version, classifier = coordinates
    return f"{artifact}-{version}" + (f"-{classifier}" if classifier else "") + ".jar"


def ensure_agents(cache_root: Path, *, log: Callable[[str], object] = print) -> AgentJars:
    """The two agent jars, downloaded with Maven into ``<cache>/agents`` when missing."""
    directory = cache_root / "agents"
    jars = AgentJars(
        prometheus=directory / _file_name(PROMETHEUS_AGENT),
        jolokia=directory / _file_name(JOLOKIA_AGENT),
    )
    missing = [
        coords
        for coords, path in ((PROMETHEUS_AGENT, jars.prometheus), (JOLOKIA_AGENT, jars.jolokia))
        if not path.exists()
    ]
    if not missing:
        return jars
    mvn = shutil.which("mvn")
    if mvn is None:
        raise SandboxError("Maven (mvn) is not installed: it downloads the metrics agents")
    directory.mkdir(parents=True, exist_ok=True)
    for group, artifact, version, classifier in missing:
        spec = f"{group}:{artifact}:{version}:jar" + (f":{classifier}" if classifier else "")
        log(f"downloading {spec} from Maven Central (once) ...")
        proc = subprocess.run(
            [mvn, "-B", "-q", f"-Dmaven.repo.local={cache_root / 'm2'}",
             "org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy",
             f"-Dartifact={spec}", f"-DoutputDirectory={directory}"],
            capture_output=True, text=True, check=False, cwd=directory,
        )  # fmt: skip
        if proc.returncode != 0:
            tail = (proc.stdout + proc.stderr).strip().splitlines()[-3:]
            raise SandboxError(f"cannot download {spec}: {' '.join(tail)[:300]}")
    return jars


def prometheus_rules() -> str:
    """The exporter's rules (shipped as data): Strimzi's Connect metric names."""
    return resources.files("kctui.sandbox").joinpath("prometheus-rules.yaml").read_text("utf-8")


def agent_flags(
    jars: AgentJars, directory: Path, prometheus_port: int, jolokia_port: int
) -> list[str]:
    """JVM options loading both agents on loopback; writes the exporter's rules file."""
    rules = directory / "prometheus-rules.yaml"
    rules.write_text(prometheus_rules(), encoding="utf-8")
    return [
        f"-javaagent:{jars.prometheus}=127.0.0.1:{prometheus_port}:{rules}",
        f"-javaagent:{jars.jolokia}=host=127.0.0.1,port={jolokia_port},discoveryEnabled=false",
    ]


def prometheus_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/metrics"


def jolokia_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/jolokia/"

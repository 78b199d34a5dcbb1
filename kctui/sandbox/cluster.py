"""A real local Kafka Connect cluster: one KRaft broker and two distributed Connect workers.

Every JVM runs on loopback with ``-Dkctui.sandbox.home=<state dir>`` on its command line, so
``down`` can recognise (and stop) exactly the processes the sandbox started and nothing else.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

import httpx

from kctui.configfile import load_config, write_cluster
from kctui.sandbox import agents, layout
from kctui.sandbox.jars import (
    DEFAULT_VERSION_SPEC,
    SandboxError,
    ensure_jars,
    ensure_json_layout_jar,
    resolve_version,
)
from kctui.sandbox.process_group import Component, ProcessGroup, State
from kctui.sandbox.procs import (
    find_java,
    java_major,
    port_is_free,
    wait_for,
    write_private,
)
from kctui.settings import ClusterConfig, config_path, xdg_dir

__all__ = ["Sandbox", "SandboxError", "java_major", "port_is_free", "wait_for"]

CLUSTER_NAME = "sandbox"
LAYOUTS_CLUSTER = "sandbox-layouts"  # the same cluster, its logs read in three layouts
JVM_OPTS = ["-Xmx512m", "-Xms128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k"]
START_TIMEOUT = float(os.environ.get("KCTUI_SANDBOX_TIMEOUT", "240"))


@dataclass(frozen=True)
class UpResult:
    started: bool  # False when a running sandbox was reused
    seconds: float
    download_seconds: float
    version: str


class Sandbox(ProcessGroup):
    """Start, stop and describe the local cluster kept in ``home`` (the XDG state dir).

    The secure sandbox (:mod:`kctui.sandbox.secure`) subclasses it: the methods marked
    "hook" are where it adds TLS, SASL and basic auth."""

    cluster_name = CLUSTER_NAME
    rest_scheme = "http"
    home_env, port_base_env, home_name = "KCTUI_SANDBOX_HOME", "KCTUI_SANDBOX_PORT_BASE", "sandbox"
    default_port_base = layout.DEFAULT_PORT_BASE

    def __init__(
        self,
        home: Path,
        cache: Path,
        *,
        version_spec: str = DEFAULT_VERSION_SPEC,
        port_base: int | None = None,
        config_file: Path | None = None,
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(home, log or (lambda message: print(message, file=sys.stderr, flush=True)))
        self.cache = cache
        self.version_spec = version_spec
        self.ports = layout.plan_ports(port_base or self.default_port_base)
        self.config_file = config_file or config_path()
        self.other_layouts = False  # set by up() when the JSON layout jar is at hand
        self._agents: agents.AgentJars | None = None

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """The default sandbox; env ``KCTUI_SANDBOX_HOME``, ``KCTUI_SANDBOX_PORT_BASE``,
        ``KCTUI_KAFKA_VERSION`` move it (the secure one has its own two variables)."""
        home = Path(os.environ.get(cls.home_env) or xdg_dir("state") / "kctui" / cls.home_name)
        cache = xdg_dir("cache") / "kctui" / "kafka"
        base = os.environ.get(cls.port_base_env)
        kwargs.setdefault("port_base", int(base) if base else cls.default_port_base)
        kwargs.setdefault(
            "version_spec", os.environ.get("KCTUI_KAFKA_VERSION", DEFAULT_VERSION_SPEC)
        )
        return cls(home, cache, **kwargs)

    # ------------------------------------------------------------------ paths
    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    def worker_dir(self, index: int) -> Path:
        return self.home / f"worker-{index + 1}"

    def worker_log(self, index: int) -> Path:
        return self.worker_dir(index) / "connect.log"

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports.broker}"

    @property
    def rest_urls(self) -> tuple[str, ...]:
        return tuple(f"{self.rest_scheme}://127.0.0.1:{p}" for p in self.ports.worker_rest)

    def prometheus_url(self, index: int) -> str:
        return agents.prometheus_url(self.ports.worker_prometheus[index])

    def jolokia_url(self, index: int) -> str:
        return agents.jolokia_url(self.ports.worker_jolokia[index])

    # ------------------------------------------------------------------ hooks
    def kafka_client_kwargs(self) -> dict[str, Any]:
        """kafka-python settings with which the sandbox itself (seeding, tests) reaches the
        broker (hook)."""
        return {"bootstrap_servers": self.bootstrap}

    def http_options(self) -> dict[str, Any]:
        """httpx settings (auth, verify) with which the sandbox itself calls the REST API
        (hook)."""
        return {}

    def _prepare_security(self, version: str) -> None:
        """Certificates, passwords and their files, before any JVM starts (hook)."""

    def _broker_properties(self, data: Path) -> str:
        return layout.broker_properties(self.ports, data)

    def _format_args(self) -> list[str]:
        """Extra ``StorageTool format`` arguments (hook)."""
        return []

    def _worker_properties(self, index: int) -> str:
        return layout.worker_properties(self.ports, index)

    def _jmx_flags(self, port: int) -> list[str]:
        return layout.jmx_flags(port)

    def _worker_flags(self, index: int, directory: Path) -> list[str]:
        """JVM options of worker ``index`` besides heap, JMX and logging: the metrics agents."""
        jars = self._agents or agents.ensure_agents(self.cache, log=self.log)
        return agents.agent_flags(
            jars, directory,
            self.ports.worker_prometheus[index], self.ports.worker_jolokia[index],
        )  # fmt: skip

    def _worker_classpath(self, lib: Path, version: str) -> str:
        return f"{lib}/*"

    # ------------------------------------------------------------------ state
    def is_up(self) -> bool:
        state = self.state()
        if not state or not state.components:
            return False
        return all(self.alive(c) for c in state.components) and all(
            self._rest_ready(url) for url in self.rest_urls
        )

    # ------------------------------------------------------------------ up
    def up(self, *, seed: bool = True) -> UpResult:
        started = time.monotonic()
        state = self.state()
        if state and self.is_up() and state.port_base == self.ports.base:
            self.log(f"sandbox already up (Kafka {state.version}); reusing it")
            if not any(c.name == "registry" for c in state.components):  # an older sandbox
                state.components.append(self._start_registry())
                state.save(self.state_file)
            if seed:
                self._seed()
            self.write_config(state.version)
            return UpResult(False, time.monotonic() - started, 0.0, state.version)
        if self.running_components() or self.stray_pids():
            self.log("a previous sandbox is half up; stopping it first")
            self.down(quiet=True)
        java = self._java()
        self._check_ports()
        version = resolve_version(self.version_spec, self.cache)
        lib, download_seconds = ensure_jars(version, self.cache, log=self.log)
        self.other_layouts = not version.startswith(("2.", "3.")) and ensure_json_layout_jar(
            lib, self.cache, log=self.log
        )
        self.home.mkdir(parents=True, exist_ok=True)
        state = self._prepare(version)
        self._prepare_security(version)
        classpath = f"{lib}/*"
        state.started_at = time.time()
        self.log(f"starting Kafka {version} broker on {self.bootstrap} ...")
        state.components.append(self._start_broker(java, classpath, version, state.cluster_id))
        state.save(self.state_file)
        self._wait_broker(state)
        self._agents = agents.ensure_agents(self.cache, log=self.log)
        for index in range(len(self.ports.worker_rest)):
            worker_classpath = self._worker_classpath(lib, version)
            state.components.append(self._start_worker(java, worker_classpath, version, index))
        state.components.append(self._start_feeder())
        state.components.append(self._start_registry())
        state.save(self.state_file)
        self.log("waiting for both Connect workers ...")
        for url in self.rest_urls:
            wait_for(
                functools.partial(self._rest_ready, url),
                timeout=START_TIMEOUT,
                what=f"Connect worker {url}",
                check=lambda: self._check_alive(state),
            )
        if seed:
            self._seed()
        self.write_config(version)
        elapsed = time.monotonic() - started
        self.log(
            f"sandbox up in {elapsed:.1f} s (downloads {download_seconds:.1f} s): Kafka {version}, "
            f"broker {self.bootstrap}, workers {', '.join(self.rest_urls)}"
        )
        return UpResult(True, elapsed, download_seconds, version)

    def _java(self) -> str:
        return find_java()

    def _check_ports(self) -> None:
        for name, port in self.ports.named().items():
            if not port_is_free(port):
                raise SandboxError(
                    f"port {port} ({name}) is already in use on 127.0.0.1: stop what uses it "
                    "or move the sandbox with --port-base"
                )

    def _prepare(self, version: str) -> State:
        old = self.state()
        if old and (old.version != version or old.port_base != self.ports.base):
            self.log(f"Kafka {old.version} -> {version}: starting with empty data")
            shutil.rmtree(self.home / "broker", ignore_errors=True)
            old = None
        cluster_id = old.cluster_id if old else layout.new_cluster_id()
        state = State(version=version, port_base=self.ports.base, cluster_id=cluster_id)
        self.files_dir.mkdir(parents=True, exist_ok=True)
        return state

    def _logging_flags(self, version: str, directory: Path, file_name: str) -> list[str]:
        if version.startswith(("2.", "3.")):
            cfg = directory / "log4j.properties"
            cfg.write_text(layout.log4j1_properties(directory, file_name), encoding="utf-8")
            return [f"-Dlog4j.configuration=file:{cfg}"]
        cfg = directory / "log4j2.xml"
        # the workers also write their log in the Strimzi layout and as log4j2 JSON (each
        # worker: which one runs a failing task is the cluster's choice)
        other = self.other_layouts and file_name == "connect.log"
        text = layout.log4j2_xml(directory, file_name, other_layouts=other)
        cfg.write_text(text, encoding="utf-8")
        return [f"-Dlog4j2.configurationFile={cfg}"]

    def _start_broker(self, java: str, classpath: str, version: str, cluster_id: str) -> Component:
        directory = self.home / "broker"
        data = directory / "data"
        directory.mkdir(parents=True, exist_ok=True)
        props = directory / "server.properties"
        write_private(props, self._broker_properties(data))
        logging = self._logging_flags(version, directory, "server.log")
        if not (data / "meta.properties").exists():
            fmt = subprocess.run(
                [java, *logging, "-cp", classpath, "kafka.tools.StorageTool", "format",
                 "-t", cluster_id, "-c", str(props), "--ignore-formatted",
                 *self._format_args()],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            if fmt.returncode != 0:
                raise SandboxError(
                    f"formatting the broker's storage failed: {fmt.stderr.strip()[-300:]}"
                )
        argv = [java, self.marker, *JVM_OPTS, *self._jmx_flags(self.ports.broker_jmx), *logging,
                "-cp", classpath, "kafka.Kafka", str(props)]  # fmt: skip
        return self._spawn("broker", argv, directory)

    def _start_worker(self, java: str, classpath: str, version: str, index: int) -> Component:
        directory = self.worker_dir(index)
        directory.mkdir(parents=True, exist_ok=True)
        props = directory / "worker.properties"
        write_private(props, self._worker_properties(index))
        logging = self._logging_flags(version, directory, "connect.log")
        argv = [java, self.marker, *JVM_OPTS, *self._jmx_flags(self.ports.worker_jmx[index]),
                *self._worker_flags(index, directory), *logging, "-cp", classpath,
                "org.apache.kafka.connect.cli.ConnectDistributed",
                str(props)]  # fmt: skip
        return self._spawn(f"worker-{index + 1}", argv, directory)

    def _start_feeder(self) -> Component:
        from kctui.sandbox import scenario

        argv = [sys.executable, "-m", "kctui.sandbox.feeder", "--sandbox-home", str(self.home),
                str(scenario.source_file(self.files_dir))]  # fmt: skip
        return self._spawn("feeder", argv, self.files_dir)

    @property
    def registry_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.registry}"

    def _start_registry(self) -> Component:
        """The stand-in Schema Registry (see kctui.sandbox.registry) for Avro dead letters."""
        argv = [sys.executable, "-m", "kctui.sandbox.registry", "--sandbox-home", str(self.home),
                "--port", str(self.ports.registry), "--store",
                str(self.files_dir / "registry.json")]  # fmt: skip
        return self._spawn("registry", argv, self.files_dir)

    def registry_ready(self) -> bool:
        try:
            return httpx.get(self.registry_url + "/subjects", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _wait_broker(self, state: State) -> None:
        def ready() -> bool:
            try:
                with socket.create_connection(("127.0.0.1", self.ports.broker), timeout=1):
                    pass
            except OSError:
                return False
            return (self.home / "broker" / "server.log").exists() and "Kafka Server started" in (
                self.home / "broker" / "server.log"
            ).read_text(encoding="utf-8", errors="replace")

        wait_for(ready, timeout=START_TIMEOUT, what="the Kafka broker",
                 check=lambda: self._check_alive(state))  # fmt: skip

    def _rest_ready(self, url: str) -> bool:
        try:
            response = httpx.get(f"{url}/connectors", timeout=2.0, **self.http_options())
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def _seed(self) -> None:
        from kctui.sandbox import scenario

        seconds = scenario.seed(self)
        self.log(f"demo scenario ready in {seconds:.1f} s")

    # ------------------------------------------------------------------ config
    def cluster_table(
        self, version: str | None = None, *, other_layouts: bool = False
    ) -> dict[str, object]:
        """The ``[clusters.sandbox]`` table written into kctui's config; with
        ``other_layouts`` the ``sandbox-layouts`` one, whose log sources are also the
        workers' Strimzi-layout and JSON files (the same events a third time each, so the
        demo's cluster lists only the default files)."""
        workers = [f"127.0.0.1:{p}" for p in self.ports.worker_rest]
        return {
            "urls": list(self.rest_urls),
            "refresh_seconds": 5,
            "kafka": {"bootstrap_servers": [self.bootstrap]},
            "schema_registry": {"url": self.registry_url},
            "jmx": [
                {"worker": w, "url": layout.jmx_url(p)}
                for w, p in zip(workers, self.ports.worker_jmx, strict=True)
            ],
            "metrics": [
                *(
                    {"worker": w, "source": "prometheus", "url": self.prometheus_url(i)}
                    for i, w in enumerate(workers)
                ),
                *(
                    {"worker": w, "source": "jolokia", "url": self.jolokia_url(i)}
                    for i, w in enumerate(workers)
                ),
            ],
            "logs": [{"worker": w, "path": f"{self.worker_log(i)}*"} for i, w in enumerate(workers)]
            + (self._other_layout_sources(workers, version) if other_layouts else []),
        }

    def _other_layout_sources(
        self, workers: list[str], version: str | None
    ) -> list[dict[str, str]]:
        """Each worker's Strimzi-layout and log4j2 JSON files (Kafka 4.x writes them)."""
        if version is not None and version.startswith(("2.", "3.")):
            return []
        sources: list[dict[str, str]] = []
        for kind, name in (("strimzi", layout.STRIMZI_LOG), ("json", layout.JSON_LOG)):
            for index, worker in enumerate(workers):
                directory = self.worker_dir(index)
                try:  # written by up() when the JSON layout jar was at hand (or before)
                    written = layout.STRIMZI_LOG in (directory / "log4j2.xml").read_text("utf-8")
                except OSError:
                    written = False
                if self.other_layouts or written:
                    sources.append({"worker": f"{worker} {kind}", "path": str(directory / name)})
        return sources

    def write_config(self, version: str | None = None) -> None:
        write_cluster(
            self.config_file, CLUSTER_NAME, self.cluster_table(version), make_current=False
        )
        layouts = self.cluster_table(version, other_layouts=True)
        if layouts["logs"] != self.cluster_table(version)["logs"]:
            write_cluster(self.config_file, LAYOUTS_CLUSTER, layouts, make_current=False)

    def cluster_config(self, name: str | None = None) -> ClusterConfig:
        name = name or self.cluster_name
        config = load_config(self.config_file, import_kcctl=False)
        if name not in config.clusters:
            self.write_config()
            config = load_config(self.config_file, import_kcctl=False)
        return config.clusters[name]

    # ------------------------------------------------------------------ status
    def status_lines(self) -> list[str]:
        state = self.state()
        if not state or not state.components:
            return [f"sandbox is down (home {self.home})"]
        lines = [f"Kafka {state.version}, home {self.home}"]
        ports = self.ports
        where = {
            "broker": f"{self.bootstrap} (JMX {ports.broker_jmx})",
            "feeder": f"appends to {self.files_dir}",
            "registry": f"{self.registry_url} (Schema Registry stand-in)",
        }
        for i, (rest, jmx) in enumerate(zip(self.rest_urls, ports.worker_jmx, strict=True)):
            where[f"worker-{i + 1}"] = (
                f"{rest} (JMX {jmx}, Prometheus {self.prometheus_url(i)}, "
                f"Jolokia {self.jolokia_url(i)}, log {self.worker_log(i)})"
            )
        for component in state.components:
            alive = self.alive(component)
            ready = ""
            if alive and component.name.startswith("worker"):
                index = int(component.name.split("-")[1]) - 1
                ready = "" if self._rest_ready(self.rest_urls[index]) else " (REST not answering)"
            status = "running" if alive else "DEAD"
            place = where.get(component.name, "")
            lines.append(f"  {component.name:<9} pid {component.pid:<7} {status}{ready}  {place}")
        return lines

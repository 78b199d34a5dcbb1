"""Where the sandbox lives (ports, directories) and the property files it writes (pure)."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT_BASE = 29000
WORKER_COUNT = 2
GROUP_ID = "kctui-sandbox"
LOG_PATTERN = "[%d] %p %X{connector.context}%m (%c:%L)%n"


@dataclass(frozen=True)
class PortPlan:
    """Loopback ports of one sandbox, all derived from one base (default 29000).

    The defaults stay clear of a real Kafka on the same host (9092/9093, Connect 8083,
    JMX 9999): broker base+92, controller base+93, broker JMX base+99, worker i REST
    base+83+i, worker i JMX base+73+i, worker i Prometheus exporter base+40+i, worker i
    Jolokia base+50+i, the stand-in Schema Registry base+81. Every port lies below
    base+100, so sandboxes whose bases are 100 apart (one per helper or CI job) never collide.
    """

    base: int
    broker: int
    controller: int
    broker_jmx: int
    worker_rest: tuple[int, ...]
    worker_jmx: tuple[int, ...]
    registry: int
    worker_prometheus: tuple[int, ...] = ()
    worker_jolokia: tuple[int, ...] = ()

    def named(self) -> dict[str, int]:
        ports = {
            "broker": self.broker,
            "controller": self.controller,
            "broker JMX": self.broker_jmx,
            "schema registry": self.registry,
        }
        for i, (rest, jmx) in enumerate(zip(self.worker_rest, self.worker_jmx, strict=True), 1):
            ports[f"worker-{i} REST"] = rest
            ports[f"worker-{i} JMX"] = jmx
        for i, port in enumerate(self.worker_prometheus, 1):
            ports[f"worker-{i} Prometheus"] = port
        for i, port in enumerate(self.worker_jolokia, 1):
            ports[f"worker-{i} Jolokia"] = port
        return ports


def plan_ports(base: int = DEFAULT_PORT_BASE, workers: int = WORKER_COUNT) -> PortPlan:
    if not 1 <= workers <= 9:
        raise ValueError(f"the sandbox runs 1 to 9 workers, not {workers}")
    if not 1024 <= base <= 65535 - 200:
        raise ValueError(f"--port-base must be between 1024 and 65335, got {base}")
    plan = PortPlan(
        base=base,
        broker=base + 92,
        controller=base + 93,
        broker_jmx=base + 99,
        worker_rest=tuple(base + 83 + i for i in range(workers)),
        worker_jmx=tuple(base + 73 + i for i in range(workers)),
        registry=base + 81,
        worker_prometheus=tuple(base + 40 + i for i in range(workers)),
        worker_jolokia=tuple(base + 50 + i for i in range(workers)),
    )
    values = list(plan.named().values())
    assert len(values) == len(set(values)), "port plan collides"
    return plan


def new_cluster_id(random_bytes: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (22 chars).

    Never one that starts with "-" (as Kafka's own Uuid.randomUuid): StorageTool would read
    ``-t -qPc...`` as an option and fail with its usage text (1 sandbox in 64)."""
    while True:
        cluster_id = base64.urlsafe_b64encode(random_bytes()).decode("ascii").rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


def jmx_url(port: int) -> str:
    return f"service:jmx:rmi:///jndi/rmi://127.0.0.1:{port}/jmxrmi"


def jmx_flags(port: int, auth: tuple[Path, Path] | None = None) -> list[str]:
    """Remote JMX on loopback; ``auth`` (password file, access file) turns on passwords."""
    authenticate = [
        "-Dcom.sun.management.jmxremote.authenticate=true",
        f"-Dcom.sun.management.jmxremote.password.file={auth[0]}",
        f"-Dcom.sun.management.jmxremote.access.file={auth[1]}",
    ] if auth else ["-Dcom.sun.management.jmxremote.authenticate=false"]  # fmt: skip
    return [
        "-Dcom.sun.management.jmxremote",
        f"-Dcom.sun.management.jmxremote.port={port}",
        f"-Dcom.sun.management.jmxremote.rmi.port={port}",
        *authenticate,
        "-Dcom.sun.management.jmxremote.ssl=false",
        "-Dcom.sun.management.jmxremote.host=127.0.0.1",
        "-Djava.rmi.server.hostname=127.0.0.1",
    ]


def properties(values: dict[str, object]) -> str:
    return "".join(f"{k}={v}\n" for k, v in values.items())


def broker_properties(ports: PortPlan, data_dir: Path) -> str:
    return properties(broker_values(ports, data_dir))


def broker_values(ports: PortPlan, data_dir: Path) -> dict[str, object]:
    """The broker's settings (PLAINTEXT clients); the secure sandbox replaces some."""
    return {
        "process.roles": "broker,controller",
        "node.id": 1,
        "controller.quorum.voters": f"1@127.0.0.1:{ports.controller}",
        "listeners": f"PLAINTEXT://127.0.0.1:{ports.broker},"
        f"CONTROLLER://127.0.0.1:{ports.controller}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{ports.broker}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs": data_dir,
        "num.partitions": 1,
        "offsets.topic.replication.factor": 1,
        "offsets.topic.num.partitions": 3,
        "transaction.state.log.replication.factor": 1,
        "transaction.state.log.min.isr": 1,
        "share.coordinator.state.topic.replication.factor": 1,
        "share.coordinator.state.topic.min.isr": 1,
        "group.initial.rebalance.delay.ms": 0,
        "auto.create.topics.enable": "true",
        "log.segment.bytes": 64 * 1024 * 1024,
    }


def worker_properties(ports: PortPlan, index: int) -> str:
    return properties(worker_values(ports, index))


def worker_values(ports: PortPlan, index: int) -> dict[str, object]:
    """Worker ``index``'s settings (HTTP REST, PLAINTEXT Kafka); the secure sandbox adds some."""
    rest = ports.worker_rest[index]
    return {
        "bootstrap.servers": f"127.0.0.1:{ports.broker}",
        "group.id": GROUP_ID,
        "key.converter": "org.apache.kafka.connect.storage.StringConverter",
        "value.converter": "org.apache.kafka.connect.storage.StringConverter",
        "config.storage.topic": f"{GROUP_ID}-configs",
        "offset.storage.topic": f"{GROUP_ID}-offsets",
        "status.storage.topic": f"{GROUP_ID}-status",
        "config.storage.replication.factor": 1,
        "offset.storage.replication.factor": 1,
        "offset.storage.partitions": 5,
        "status.storage.replication.factor": 1,
        "status.storage.partitions": 3,
        "offset.flush.interval.ms": 2000,
        "listeners": f"http://127.0.0.1:{rest}",
        "rest.advertised.host.name": "127.0.0.1",
        "rest.advertised.port": rest,
        # A dead worker's tasks move after 10 s instead of Connect's default 5 minutes.
        "scheduled.rebalance.max.delay.ms": 10000,
        "task.shutdown.graceful.timeout.ms": 3000,
        "plugin.discovery": "only_scan",
    }


STRIMZI_LOG = "connect-strimzi.log"
JSON_LOG = "connect.json"
STRIMZI_PATTERN = "%d{yyyy-MM-dd HH:mm:ss,SSS} %p %X{connector.context}%m (%c) [%t]%n"


def log4j2_xml(log_dir: Path, file_name: str, *, other_layouts: bool = False) -> str:
    """log4j2 configuration (Kafka 4.x): Connect's layout, hourly rolled file.

    ``other_layouts``: the same events also go to a Strimzi-layout file and to a log4j2
    JSON file (ECS template), so kctui reads those layouts from a live worker.
    """
    path = log_dir / file_name
    extra = refs = ""
    if other_layouts:
        strimzi, json_log = log_dir / STRIMZI_LOG, log_dir / JSON_LOG
        extra = f"""
    <File name="STRIMZI" fileName="{strimzi}"><PatternLayout pattern="{STRIMZI_PATTERN}"/></File>
    <File name="JSON" fileName="{json_log}">
      <JsonTemplateLayout eventTemplateUri="classpath:EcsLayout.json"/>
    </File>"""
        refs = '<AppenderRef ref="STRIMZI"/><AppenderRef ref="JSON"/>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="FILE" fileName="{path}" filePattern="{path}.%d{{yyyy-MM-dd-HH}}">
      <PatternLayout pattern="{LOG_PATTERN}"/>
      <Policies><TimeBasedTriggeringPolicy/></Policies>
    </RollingFile>{extra}
  </Appenders>
  <Loggers>
    <Root level="INFO"><AppenderRef ref="FILE"/>{refs}</Root>
    <Logger name="org.apache.kafka.clients.consumer.internals" level="WARN"/>
    <Logger name="org.apache.kafka.clients.producer.ProducerConfig" level="WARN"/>
    <Logger name="org.apache.kafka.clients.consumer.ConsumerConfig" level="WARN"/>
    <Logger name="org.apache.kafka.clients.admin.AdminClientConfig" level="WARN"/>
    <Logger name="org.apache.kafka.common.config.AbstractConfig" level="WARN"/>
    <Logger name="org.reflections" level="ERROR"/>
  </Loggers>
</Configuration>
"""


def log4j1_properties(log_dir: Path, file_name: str) -> str:
    """reload4j configuration (Kafka 3.x): Connect's layout, hourly rolled file."""
    path = log_dir / file_name
    return properties(
        {
            "log4j.rootLogger": "INFO, file",
            "log4j.appender.file": "org.apache.log4j.DailyRollingFileAppender",
            "log4j.appender.file.DatePattern": "'.'yyyy-MM-dd-HH",
            "log4j.appender.file.File": path,
            "log4j.appender.file.layout": "org.apache.log4j.PatternLayout",
            "log4j.appender.file.layout.ConversionPattern": LOG_PATTERN,
            "log4j.logger.org.apache.kafka.clients.consumer.internals": "WARN",
            "log4j.logger.org.apache.kafka.common.config.AbstractConfig": "WARN",
            "log4j.logger.org.reflections": "ERROR",
        }
    )

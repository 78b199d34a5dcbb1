"""Integration fixtures: one real sandbox cluster (Kafka broker + 2 Connect workers) per session.

The sandbox is brought up once (or a running one is reused) and torn down at the end
only if this session started it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from kctui.sandbox.cluster import Sandbox
from kctui.settings import ClusterConfig


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox.from_env()
    result = box.up(seed=True)
    try:
        yield box
    finally:
        if result.started and not os.environ.get("KCTUI_KEEP_SANDBOX"):
            box.down()


@pytest.fixture(scope="session")
def sandbox_cluster(sandbox: Sandbox) -> ClusterConfig:
    """The ``sandbox`` cluster entry: REST URLs of both workers, Kafka, JMX and log sources."""
    return sandbox.cluster_config()


@pytest.fixture(scope="session")
def fresh_dead_letters(sandbox: Sandbox) -> int:
    """Make demo-dlq-sink write dead letters in this session (its workers' DLQ counters
    start at 0 when a reused sandbox's workers restarted): produce a few non-JSON records to
    demo-orders, one per partition, with headers like the demo's, and wait until the DLQ
    holds them. Returns how many."""
    from kafka import KafkaProducer

    from kctui.sandbox import scenario
    from kctui.sandbox.scenario import _topic_size
    from tests import polling

    before = _topic_size(sandbox.bootstrap, scenario.DLQ_TOPIC)
    producer = KafkaProducer(bootstrap_servers=sandbox.bootstrap, acks="all")
    try:
        for partition in range(3):
            producer.send(scenario.ORDERS_TOPIC, key=b"test-order", partition=partition,
                          value=b"not json: written by the integration tests",
                          headers=[("origin", b"kctui-tests"),
                                   ("trace-id", f"t-test-{partition}".encode())])  # fmt: skip
        producer.flush(timeout=30)
    finally:
        producer.close()
    polling.wait_until(
        lambda: _topic_size(sandbox.bootstrap, scenario.DLQ_TOPIC) >= before + 3,
        timeout=90, interval=0.5, what="demo-dlq-sink to write 3 new dead letters",
    )  # fmt: skip
    return 3


@pytest.fixture(scope="session")
def sandbox_layouts_cluster(sandbox: Sandbox) -> ClusterConfig:
    """The ``sandbox-layouts`` entry: the sandbox with its workers' logs also read in the
    Strimzi layout and as log4j2 ECS JSON (each event three times)."""
    from kctui.sandbox.cluster import LAYOUTS_CLUSTER

    return sandbox.cluster_config(LAYOUTS_CLUSTER)


@pytest.fixture(scope="session")
def sandbox_config_file(sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config file of its own whose current cluster is the sandbox."""
    from kctui.configfile import write_cluster

    path = tmp_path_factory.mktemp("sandbox-config") / "config.toml"
    write_cluster(path, "sandbox", sandbox.cluster_table(), make_current=True)
    return path

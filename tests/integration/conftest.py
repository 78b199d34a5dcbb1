"""Integration fixtures: one real sandbox cluster (Kafka broker + 2 Connect workers) per session.

The sandbox is brought up once (or a running one is reused) and torn down at the end
only if this session started it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from kctui.config import ClusterConfig
from kctui.sandbox.cluster import Sandbox


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

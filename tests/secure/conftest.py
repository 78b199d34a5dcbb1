"""Fixtures of the secured suite: one secure sandbox per session (HTTPS and basic auth on
Connect, SASL_SSL with SCRAM-SHA-512 on Kafka, HTTPS metrics agents).

``make test`` runs this folder as its own pytest session after the plain suite, whose
sandbox is down by then, so the two clusters never share the CI machine's two cores.
A running secure sandbox is reused and left up; one this session started is stopped.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kctui.configfile import dump_toml, write_cluster
from kctui.sandbox.secure import SECURE_CLUSTER, SecureSandbox
from kctui.settings import ClusterConfig

Variant = Callable[..., Path]


@pytest.fixture(scope="session")
def secure_sandbox() -> Iterator[SecureSandbox]:
    box = SecureSandbox.from_env()
    result = box.up(seed=True)
    try:
        yield box
    finally:
        if result.started and not os.environ.get("KCTUI_KEEP_SANDBOX"):
            box.down()


@pytest.fixture(scope="session")
def secure_cluster(secure_sandbox: SecureSandbox) -> ClusterConfig:
    """The ``sandbox-secure`` entry as ``kctui sandbox up --secure`` wrote it."""
    return secure_sandbox.cluster_config()


@pytest.fixture(scope="session")
def secure_config_file(
    secure_sandbox: SecureSandbox, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A config file of its own whose current cluster is the secure sandbox."""
    path = tmp_path_factory.mktemp("secure-config") / "config.toml"
    write_cluster(path, SECURE_CLUSTER, secure_sandbox.cluster_table(), make_current=True)
    return path


@pytest.fixture
def variant(secure_sandbox: SecureSandbox, tmp_path: Path) -> Variant:
    """A config file whose secure cluster differs by ``changes`` (top-level keys) and
    ``kafka`` (keys of its [kafka] table): a wrong password file, another CA, http://..."""

    def make(kafka: dict[str, Any] | None = None, **changes: Any) -> Path:
        table = secure_sandbox.cluster_table()
        table.update(changes)
        assert isinstance(table["kafka"], dict)
        table["kafka"] = {**table["kafka"], **(kafka or {})}
        path = tmp_path / "variant.toml"
        path.write_text(
            dump_toml({"current": SECURE_CLUSTER, "clusters": {SECURE_CLUSTER: table}}),
            encoding="utf-8",
        )
        return path

    return make


@pytest.fixture(scope="session")
def every_secret(secure_sandbox: SecureSandbox) -> list[str]:
    """Every password of the sandbox (and the wrong one): none may appear in any output."""
    from kctui.sandbox.secure_layout import SECRET_NAMES

    return [
        secure_sandbox.secret_file(name).read_text(encoding="utf-8").strip()
        for name in SECRET_NAMES
    ]

"""Errors of the DLQ reader: each one a message a user can act on (they subclass KctuiError)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kctui.errors import KctuiError

if TYPE_CHECKING:
    from kctui.settings import KafkaSettings

__all__ = [
    "BrokerUnreachable", "DlqError", "NoKafkaSettings", "NotAuthorized", "ReadCancelled",
    "ReadTimeout", "TopicNotFound", "broker_failure",
]  # fmt: skip


class DlqError(KctuiError):
    """Reading a dead-letter topic failed; the message says what to check."""


class NoKafkaSettings(DlqError):
    """The cluster has no ``[clusters.<name>.kafka]`` section."""


class TopicNotFound(DlqError):
    """The topic does not exist (or is invisible to this principal)."""


class NotAuthorized(DlqError):
    """The broker refused: authentication failed or no READ/DESCRIBE permission."""


class BrokerUnreachable(DlqError):
    """No broker of the bootstrap list answered."""


class ReadTimeout(DlqError):
    """The broker stopped answering in the middle of a read."""


class ReadCancelled(DlqError):
    """The caller cancelled a read (``esc`` in the browser)."""


def broker_failure(
    kwargs: Mapping[str, Any],
    settings: KafkaSettings | Mapping[str, Any] | None,
    cluster: str | None,
    fallback: str,
    *,
    timeout: float = 5.0,
    probe: bool = True,
) -> DlqError:
    """The error for brokers kafka-python could not use: the failing step (TCP, TLS, SASL
    handshake, login) found by :func:`kctui.probe.explain`, else ``fallback``. ``probe``
    is False for stand-in clients (tests), whose failures no real broker explains."""
    from kctui.probe import explain
    from kctui.settings import KafkaSettings

    finding = explain(kwargs, timeout=min(timeout, 5.0)) if probe else None
    prefix = f"cluster '{cluster}': " if cluster else ""
    if finding is None:
        return BrokerUnreachable(prefix + fallback)
    if finding.kind == "unreachable":
        return BrokerUnreachable(f"{prefix}{fallback} ({finding.text})")
    if finding.kind != "login":
        return BrokerUnreachable(f"{prefix}cannot use Kafka: {finding.text}")
    source = ""
    if isinstance(settings, KafkaSettings):
        if settings.sasl_password_file:
            source = f" (sasl_password_file {settings.sasl_password_file})"
        elif settings.sasl_password_env:
            source = f" (environment variable {settings.sasl_password_env})"
    return NotAuthorized(f"{prefix}Kafka login failed: {finding.text}{source}")

"""Errors of the DLQ reader: each one a message a user can act on (they subclass KctuiError)."""

from __future__ import annotations

from kctui.errors import KctuiError

__all__ = [
    "BrokerUnreachable", "DlqError", "NoKafkaSettings", "NotAuthorized", "ReadCancelled",
    "ReadTimeout", "TopicNotFound",
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

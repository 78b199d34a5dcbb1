"""What a connector config means, in a few lines: SMT chain, converters, error handling.

Pure functions (no Textual); values go through :mod:`kctui.masking` unless revealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kctui.masking import mask_config

CONVERTER_KEYS = ("key.converter", "value.converter", "header.converter")
ERROR_DEFAULTS = (
    ("errors.tolerance", "none"),
    ("errors.retry.timeout", "0"),
    ("errors.retry.delay.max.ms", "60000"),
    ("errors.log.enable", "false"),
    ("errors.log.include.messages", "false"),
)
DLQ_KEYS = (
    "errors.deadletterqueue.topic.name",
    "errors.deadletterqueue.topic.replication.factor",
    "errors.deadletterqueue.context.headers.enable",
)


@dataclass(frozen=True)
class Transform:
    """One step of the SMT chain, in the order Connect applies them."""

    position: int
    alias: str
    type: str
    settings: tuple[tuple[str, str], ...]


def shown_config(config: Mapping[str, str], *, revealed: bool) -> dict[str, str]:
    """The config as displayed: masked unless the user asked to reveal it (never saved)."""
    return dict(config) if revealed else {k: str(v) for k, v in mask_config(config).items()}


def smt_chain(config: Mapping[str, str]) -> list[Transform]:
    """The ``transforms`` chain with each alias's type and its other settings."""
    aliases = [a.strip() for a in config.get("transforms", "").split(",") if a.strip()]
    chain = []
    for position, alias in enumerate(aliases, start=1):
        prefix = f"transforms.{alias}."
        settings = tuple(
            (key[len(prefix) :], value)
            for key, value in config.items()
            if key.startswith(prefix) and key != prefix + "type"
        )
        chain.append(
            Transform(position, alias, config.get(prefix + "type", "(no type set)"), settings)
        )
    return chain


def converters(config: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each converter and its settings; ``worker default`` when the connector sets none."""
    lines = []
    for key in CONVERTER_KEYS:
        lines.append((key, config.get(key, "worker default")))
        for sub_key, value in config.items():
            if sub_key.startswith(key + "."):
                lines.append((sub_key, value))
    return lines


def error_handling(config: Mapping[str, str], connector_type: str) -> list[tuple[str, str]]:
    """``errors.*`` settings (defaults shown as such) and the DLQ of a sink connector."""
    lines = [(key, config.get(key, f"{default} (default)")) for key, default in ERROR_DEFAULTS]
    if connector_type == "source":
        lines.append(("dead letter queue", "none (source connectors have no DLQ)"))
        return lines
    topic = config.get("errors.deadletterqueue.topic.name", "").strip()
    if not topic:
        lines.append(("dead letter queue", "none"))
        return lines
    for key in DLQ_KEYS:
        lines.append((key, config.get(key, "(default)")))
    return lines

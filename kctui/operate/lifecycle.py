"""Offsets need a STOPPED connector: check, optionally stop and wait, then alter or reset."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from kctui.connect.errors import BadRequest
from kctui.connect.models import STOPPED, ConnectorStatus
from kctui.connect.protocol import ConnectApi
from kctui.errors import KctuiError


class NotStopped(KctuiError):
    """Offsets of a connector that is not STOPPED cannot be changed."""


async def wait_for_state(
    client: ConnectApi,
    name: str,
    states: Collection[str],
    *,
    timeout: float = 30.0,
    interval: float = 0.5,
) -> ConnectorStatus:
    """Poll the status until the state is one of ``states``; KctuiError after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        status = await client.connector_status(name)
        if status.state in states:
            return status
        if time.monotonic() > deadline:
            wanted = " or ".join(states)
            raise KctuiError(
                f"{name} is still {status.state} after {timeout:g} s (waited for {wanted})"
            )
        await asyncio.sleep(interval)


def not_stopped_message(name: str, state: str) -> str:
    return (
        f"{name} is {state}: offsets can only be changed while the connector is STOPPED. "
        f"Stop it first (kctui offsets ... --stop, or s in the console), then resume it (r)."
    )


async def ensure_stopped(
    client: ConnectApi, name: str, *, stop_first: bool, timeout: float = 30.0
) -> bool:
    """True when kctui stopped the connector; NotStopped when it runs and may not be stopped."""
    status = await client.connector_status(name)
    if status.state == STOPPED:
        return False
    if not stop_first:
        raise NotStopped(not_stopped_message(name, status.state))
    await client.stop(name)
    await wait_for_state(client, name, (STOPPED,), timeout=timeout)
    return True


async def change_offsets(
    client: ConnectApi,
    name: str,
    entries: Sequence[Mapping[str, Any]] | None,
    *,
    stop_first: bool = False,
) -> str:
    """Alter (``entries``) or reset all (None) offsets of a STOPPED connector; a result text."""
    stopped = await ensure_stopped(client, name, stop_first=stop_first)
    prefix = f"stopped {name}; " if stopped else ""
    try:
        if entries is None:
            message = await client.reset_offsets(name)
        else:
            message = await client.alter_offsets(name, entries)
    except BadRequest as exc:
        raise KctuiError(
            f"Connect refused to change the offsets of {name}: {exc.detail or exc}"
        ) from exc
    return prefix + (message or "offsets changed")

"""What changed in a connector between two status reads (pure).

One answer for everything that watches connectors change: the console following a
connector after an action (has it moved yet?) and ``kctui watch`` (which failed, recovered
or moved). A connector is looked at as its *units*: the connector itself and each task,
each with its state, its worker and its trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from kctui.connect.models import Connector

Unit = int | None  # a task id, or None for the connector itself


@dataclass(frozen=True, slots=True)
class UnitState:
    """The connector or one task as one status read shows it."""

    state: str
    worker: str
    trace: str | None


def units(connector: Connector) -> dict[Unit, UnitState]:
    """The connector (key None) and each task (key: its id), in that order."""
    status = connector.status
    found: dict[Unit, UnitState] = {None: UnitState(status.state, status.worker_id, status.trace)}
    for task in connector.tasks:
        found[task.id] = UnitState(task.state, task.worker_id, task.trace)
    return found


def changed_units(
    before: Connector | None, after: Connector
) -> Iterator[tuple[Unit, UnitState | None, UnitState]]:
    """Each unit of ``after`` whose state, worker or trace differs from ``before``: the
    unit, how it was (None when it is new) and how it is."""
    if before is not None and before.status == after.status:
        return  # the common case on a quiet cluster: nothing to look at
    was = units(before) if before is not None else {}
    for unit, now in units(after).items():
        previous = was.get(unit)
        if previous != now:
            yield unit, previous, now


def has_changed(before: Connector | None, after: Connector | None) -> bool:
    """True when a unit appeared, went, or changed its state, worker or trace."""
    if before is None or after is None:
        return before is not after
    if before.status == after.status:
        return False
    return units(before) != units(after)

"""One change detection for the console's follow and for ``kctui watch``: which units (the
connector and its tasks) changed state, worker or trace between two status reads."""

from __future__ import annotations

from typing import Any

import pytest

from kctui.connect.changes import UnitState, changed_units, has_changed
from kctui.connect.models import ClusterState, Connector


def connector(state: str = "RUNNING", worker: str = "w1", **tasks: Any) -> Connector:
    """A connector ``x``; tasks as ``t0=("RUNNING", "w1")`` or ``("FAILED", "w1", trace)``."""
    entries = [
        {"id": int(key[1:]), "state": t[0], "worker_id": t[1], **({"trace": t[2]} if t[2:] else {})}
        for key, t in tasks.items()
    ]
    status = {"name": "x", "connector": {"state": state, "worker_id": worker}, "tasks": entries}
    return ClusterState.from_json({"x": {"status": status, "info": {}}}).connectors["x"]


BASE = connector(t0=("RUNNING", "w1"), t1=("RUNNING", "w2"))
T1 = ("RUNNING", "w2")

# what happened, the connector after, the units that changed, whether the follow sees a change
CASES = [
    ("nothing", connector(t0=("RUNNING", "w1"), t1=T1), [], False),
    ("a task failed", connector(t0=("FAILED", "w1", "boom"), t1=T1), [0], True),
    ("a task moved", connector(t0=("RUNNING", "w1"), t1=("RUNNING", "w3")), [1], True),
    ("the connector moved", connector(worker="w2", t0=("RUNNING", "w1"), t1=T1), [None], True),
    ("the connector paused", connector("PAUSED", t0=("RUNNING", "w1"), t1=T1), [None], True),
    ("a task came", connector(t0=("RUNNING", "w1"), t1=T1, t2=("RUNNING", "w1")), [2], True),
    ("a task went", connector(t0=("RUNNING", "w1")), [], True),  # no unit of "after" changed
]


@pytest.mark.parametrize(("what", "after", "units", "changed"), CASES, ids=[c[0] for c in CASES])
def test_changed_units_and_has_changed(
    what: str, after: Connector, units: list[int | None], changed: bool
) -> None:
    assert [unit for unit, _, _ in changed_units(BASE, after)] == units
    assert has_changed(BASE, after) is changed


def test_how_a_unit_was_and_is() -> None:
    after = connector(t0=("FAILED", "w1", "org.x.BoomException: boom"), t1=("RUNNING", "w2"))
    ((unit, was, now),) = changed_units(BASE, after)
    assert unit == 0 and was == UnitState("RUNNING", "w1", None)
    assert now == UnitState("FAILED", "w1", "org.x.BoomException: boom")


def test_a_connector_seen_first_or_gone() -> None:
    assert [(u, was) for u, was, _ in changed_units(None, BASE)] == [
        (None, None),
        (0, None),
        (1, None),
    ]
    assert has_changed(None, BASE) and has_changed(BASE, None) and not has_changed(None, None)
    assert not has_changed(BASE, BASE)

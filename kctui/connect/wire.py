"""Fast decoding of the big ``GET /connectors?expand=status&expand=info`` answer.

The bytes are decoded by msgspec straight into the typed wire shapes below (C code, no
intermediate dicts), then turned into the frozen models of ``kctui.connect.models``.
The result is exactly what ``ClusterState.from_json(json.loads(raw))`` gives:

* the answer is split into one raw JSON value per connector first, then each connector
  is decoded on its own. A connector whose fields have types the wire shapes do not
  accept (a numeric-string task id, a ``null`` config value, a task that is not an
  object...) is parsed by the lenient ``from_json`` path instead, so one odd connector
  never loses the others and gets the same neutral defaults as before;
* an answer that is not an object (a plain name list, ``null``, a string) goes through
  ``ClusterState.from_json`` whole;
* broken JSON raises json's own ``ValueError``, so the error message does not change.

Decoding connector by connector also gives the interpreter a switch point between two
connectors: a worker thread decoding a big cluster does not hold the GIL for the whole
answer, so the console's UI loop keeps drawing. And ``ConnectorsDecoder`` (one per
client) hands back last refresh's models for a connector whose bytes did not change.
"""

from __future__ import annotations

import json
from operator import attrgetter

import msgspec

from kctui.connect.models import (
    UNASSIGNED,
    ClusterState,
    Connector,
    ConnectorInfo,
    ConnectorStatus,
    TaskStatus,
)

__all__ = ["ConnectorsDecoder", "decode_connectors"]


class _Task(msgspec.Struct):
    id: int = -1
    state: str | None = None
    worker_id: str | None = None
    trace: str | None = None
    version: str | None = None


class _Unit(msgspec.Struct):
    """The ``connector`` part of a status: the connector's own state."""

    state: str | None = None
    worker_id: str | None = None
    trace: str | None = None
    version: str | None = None


class _Status(msgspec.Struct):
    name: str | None = None
    connector: _Unit | None = None
    tasks: list[_Task] | None = None
    type: str | None = None


class _TaskRef(msgspec.Struct):
    task: int = -1


class _Info(msgspec.Struct):
    name: str | None = None
    config: dict[str, str] | None = None
    tasks: list[_TaskRef] | None = None
    type: str | None = None


class _Entry(msgspec.Struct):
    status: _Status | None = None
    info: _Info | None = None


_SPLIT = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ENTRY = msgspec.json.Decoder(_Entry | None)
_NO_STATUS = _Status()
_NO_UNIT = _Unit()
_NO_INFO = _Info()
_BY_ID = attrgetter("id")


def decode_connectors(raw: bytes) -> dict[str, Connector]:
    """The connectors of an expand=status&expand=info answer; ValueError when not JSON."""
    return ConnectorsDecoder()(raw)


class ConnectorsDecoder:
    """``decode_connectors`` that remembers the last answer it decoded.

    A connector whose JSON is byte for byte what it was last time gets last time's frozen
    ``Connector`` back without being decoded again (the models are immutable, and the
    same bytes under the same name always give the same models). Most connectors of a
    big cluster do not change between two refreshes, so a refresh costs the split of the
    answer plus the connectors that changed; handing out the same objects also makes the
    console's comparison of two snapshots cheap. One decoder per client (per cluster).
    """

    def __init__(self) -> None:
        self._last: dict[str, tuple[msgspec.Raw, Connector]] = {}

    def __call__(self, raw: bytes) -> dict[str, Connector]:
        try:
            parts = _SPLIT.decode(raw)
        except msgspec.ValidationError:  # valid JSON, but not an object of connectors
            self._last = {}
            return dict(ClusterState.from_json(json.loads(raw)).connectors)
        except msgspec.DecodeError:
            json.loads(raw)  # raises json's ValueError with its usual message (line, column)
            # json reads what msgspec does not (UTF-16/32 bodies): parse the lenient way.
            self._last = {}
            return dict(ClusterState.from_json(json.loads(raw)).connectors)
        last = self._last
        memo: dict[str, tuple[msgspec.Raw, Connector]] = {}
        connectors: dict[str, Connector] = {}
        for name, part in parts.items():
            seen = last.get(name)
            if seen is not None and seen[0] == part:
                connector = seen[1]
            else:
                connector = _decode_one(name, part)
            connectors[name] = connector
            memo[name] = (part, connector)
        self._last = memo  # one assignment: a decode in another thread sees old or new
        return connectors


def _decode_one(name: str, part: msgspec.Raw) -> Connector:
    try:
        entry = _ENTRY.decode(part)
    except msgspec.DecodeError:  # odd types somewhere in this connector only
        return _lenient(name, part)
    return _connector(name, entry)


def _lenient(name: str, part: msgspec.Raw) -> Connector:
    return ClusterState.from_json({name: json.loads(bytes(part))}).connectors[name]


def _connector(name: str, entry: _Entry | None) -> Connector:
    status = (entry.status if entry is not None else None) or _NO_STATUS
    info = (entry.info if entry is not None else None) or _NO_INFO
    return Connector(name=name, status=_status(name, status), info=_info(name, info))


def _status(key: str, status: _Status) -> ConnectorStatus:
    name = status.name or key
    unit = status.connector or _NO_UNIT
    tasks = [
        TaskStatus(
            name,
            task.id,
            (task.state or "").upper() or UNASSIGNED,
            task.worker_id or "",
            task.trace or None,
            task.version or None,
        )
        for task in status.tasks or ()
    ]
    tasks.sort(key=_BY_ID)
    return ConnectorStatus(
        name,
        (unit.state or "").upper() or UNASSIGNED,
        unit.worker_id or "",
        unit.trace or None,
        status.type or "unknown",
        tuple(tasks),
        unit.version or None,
    )


def _info(key: str, info: _Info) -> ConnectorInfo:
    return ConnectorInfo(
        info.name or key,
        info.config if info.config is not None else {},
        tuple(ref.task for ref in info.tasks or ()),
        info.type or "unknown",
    )

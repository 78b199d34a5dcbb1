"""KIP-875 bodies for sinks and sources, rows, lag, and the STOPPED-only rule."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

from kctui.commands.offsets import entries_from_args, render_offsets
from kctui.connect.models import ConnectorOffset, ConnectorStatus
from kctui.errors import KctuiError
from kctui.operate.lifecycle import NotStopped, change_offsets
from kctui.operate.offsets import (
    OffsetInputError,
    offsets_body,
    offsets_json,
    sink_entry,
    sink_rows,
    source_entry,
    source_rows,
)
from tests.unit.partial_client import PartialClient

SINK_OFFSETS = [
    ConnectorOffset.from_json({"partition": {"kafka_topic": "t", "kafka_partition": 1},
                               "offset": {"kafka_offset": 7}}),
    ConnectorOffset.from_json({"partition": {"kafka_topic": "t", "kafka_partition": 0},
                               "offset": {"kafka_offset": 3}}),
]  # fmt: skip


def test_sink_body() -> None:
    body = offsets_body([sink_entry("t", "2", "100"), sink_entry("t", 3, None)])
    assert body == {
        "offsets": [
            {"partition": {"kafka_topic": "t", "kafka_partition": 2},
             "offset": {"kafka_offset": 100}},
            {"partition": {"kafka_topic": "t", "kafka_partition": 3}, "offset": None},
        ]
    }  # fmt: skip


def test_source_body_from_json_text_and_maps() -> None:
    entry = source_entry('{"filename": "/x"}', '{"position": 12}')
    assert entry == {"partition": {"filename": "/x"}, "offset": {"position": 12}}
    assert source_entry({"filename": "/x"}, None)["offset"] is None
    assert source_entry({"filename": "/x"}, "null")["offset"] is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sink_entry("t", "x", 1), "partition must be a whole number, got 'x'"),
        (lambda: sink_entry("t", 0, "-4"), "offset must be 0 or more, got -4"),
        (lambda: sink_entry(" ", 0, 1), "a topic is needed"),
        (lambda: source_entry('{"a": 1', "{}"), "partition: malformed JSON at line 1, column 8"),
        (lambda: source_entry("[1]", "{}"), "partition must be a JSON object, got list"),
        (lambda: source_entry("{}", "{}"), "the partition map is empty"),
    ],
)
def test_bad_input_is_explained(call: Any, message: str) -> None:
    with pytest.raises(OffsetInputError) as caught:
        call()
    assert message in str(caught.value)


def test_rows_sorted_with_lag() -> None:
    rows = sink_rows(SINK_OFFSETS, {("t", 0): 10, ("t", 1): 5})
    assert [(r.partition, r.offset, r.end_offset, r.lag) for r in rows] == [
        (0, 3, 10, 7),
        (1, 7, 5, 0),
    ]
    assert sink_rows(SINK_OFFSETS)[0].lag is None
    source = [ConnectorOffset.from_json({"partition": {"f": "/a"}, "offset": {"p": 1}})]
    assert source_rows(source) == [('{"f": "/a"}', '{"p": 1}')]
    assert offsets_json(source) == {"offsets": [{"partition": {"f": "/a"}, "offset": {"p": 1}}]}
    assert render_offsets("c", SINK_OFFSETS)[2].split() == ["t", "0", "3"]


def args(**values: Any) -> argparse.Namespace:
    base = {"topic": None, "partition": None, "offset": None, "partition_json": None,
            "offset_json": None}  # fmt: skip
    return argparse.Namespace(**{**base, **values})


def test_cli_arguments_to_entries() -> None:
    assert entries_from_args(args(), reset=True) is None
    assert entries_from_args(args(topic="t", partition="1"), reset=True) == [
        {"partition": {"kafka_topic": "t", "kafka_partition": 1}, "offset": None}
    ]
    entries = entries_from_args(
        args(partition_json='{"f": 1}', offset_json='{"p": 2}'), reset=False
    )
    assert entries == [{"partition": {"f": 1}, "offset": {"p": 2}}]
    with pytest.raises(KctuiError, match="--offset is needed"):
        entries_from_args(args(topic="t", partition="1"), reset=False)
    with pytest.raises(KctuiError, match="either --topic/--partition"):
        entries_from_args(args(topic="t", partition_json="{}"), reset=False)
    with pytest.raises(KctuiError, match="say which offset"):
        entries_from_args(args(), reset=False)


class StatusClient(PartialClient):
    """Just the calls change_offsets makes."""

    def __init__(self, state: str) -> None:
        self.state = state
        self.calls: list[str] = []

    async def connector_status(self, name: str) -> ConnectorStatus:
        return ConnectorStatus(name=name, state=self.state)

    async def stop(self, name: str) -> None:
        self.calls.append("stop")
        self.state = "STOPPED"

    async def alter_offsets(
        self, name: str, offsets: Iterable[ConnectorOffset | Mapping[str, Any]]
    ) -> str:
        self.calls.append("alter")
        return "altered"

    async def reset_offsets(self, name: str) -> str:
        self.calls.append("reset")
        return "reset"


async def test_running_connector_is_refused_unless_stop_first() -> None:
    client = StatusClient("RUNNING")
    with pytest.raises(NotStopped) as caught:
        await change_offsets(client, "c", None)
    assert "c is RUNNING: offsets can only be changed while the connector is STOPPED" in str(
        caught.value
    )
    assert client.calls == []
    assert await change_offsets(client, "c", [sink_entry("t", 0, 1)], stop_first=True) == (
        "stopped c; altered"
    )
    assert client.calls == ["stop", "alter"]
    assert await change_offsets(client, "c", None) == "reset"

"""The msgspec decode of the cluster answer gives what the lenient json.loads path gives."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kctui.connect.models import ClusterState
from kctui.connect.wire import ConnectorsDecoder, decode_connectors
from tests.bench.bench_refresh import payload
from tests.unit.test_models import FULL

FIXTURES = Path(__file__).parent.parent / "fixtures"
# Real status answers (see PROVENANCE.md beside each), put in the expand=status shape.
REAL_STATUS = (
    FIXTURES / "traces" / "status-sftp-classless-cause.json",
    FIXTURES / "diagnose" / "topic-metadata-timeout-status.json",
)


def lenient(data: Any) -> dict[str, Any]:
    """What the console parsed before msgspec: json.loads, then ClusterState.from_json."""
    return dict(ClusterState.from_json(json.loads(json.dumps(data))).connectors)


def decoded(data: Any) -> dict[str, Any]:
    return decode_connectors(json.dumps(data).encode())


def test_a_big_cluster_decodes_as_before() -> None:
    data = payload(50, 4, failed_every=7)
    assert decoded(data) == lenient(data)
    assert len(decoded(data)) == 50


def test_the_models_sample_decodes_as_before() -> None:
    """FULL has an int and a null config value: that connector takes the lenient path."""
    assert decoded(FULL) == lenient(FULL)
    assert decoded(FULL)["demo"].config == {"connector.class": "org.a.FileSink",
                                            "tasks.max": "2", "x": ""}


@pytest.mark.parametrize("path", REAL_STATUS, ids=lambda p: p.name)
def test_real_status_answers(path: Path) -> None:
    status = json.loads(path.read_text(encoding="utf-8"))
    data = {status["name"]: {"status": status}}
    connectors = decoded(data)
    assert connectors == lenient(data)
    connector = connectors[status["name"]]
    assert connector.state == status["connector"]["state"]
    assert [t.state for t in connector.tasks] == [t["state"] for t in status["tasks"]]


@pytest.mark.parametrize(
    "data",
    [
        None,
        {},
        [],
        ["a", "b"],
        "garbage",
        3,
        {"x": None},
        {"x": {}},
        {"x": {"status": None, "info": None}},
        {"x": {"status": {"connector": "nope", "tasks": "nope"}, "info": {"config": []}}},
        {"x": {"status": {"tasks": [None, 3, {"id": "7", "state": 5}]}}},
        {"x": {"status": {"tasks": [{"id": True}, {"id": 1.0}, {"id": 2**70}]}}},
        {"x": {"status": {"name": "", "type": "", "connector": {"state": "", "trace": ""}}}},
        {"x": {"status": {"name": None, "type": None, "connector": None, "tasks": None}}},
        {"x": {"status": {"connector": {"state": "hibernating", "version": "4.1.0"}}}},
        {"x": {"info": {"config": {"a": 1, "b": None, "c": True}, "tasks": [{"task": "2"}]}}},
        {"x": {"info": {"tasks": ["bad", {"task": None}, {}], "name": 5}}},
    ],
)
def test_odd_answers_decode_as_before(data: Any) -> None:
    assert decoded(data) == lenient(data)


def test_wrong_types_in_one_connector_do_not_lose_the_others() -> None:
    data = payload(5, 2)
    data["orders-sink-00002"]["status"]["tasks"][1]["id"] = "1"  # a numeric string
    data["orders-sink-00003"]["info"]["config"]["tasks.max"] = 2  # an int
    data["orders-sink-00004"]["status"]["connector"] = ["not", "an", "object"]
    connectors = decoded(data)
    assert sorted(connectors) == sorted(data)
    assert connectors == lenient(data)
    assert [t.id for t in connectors["orders-sink-00002"].tasks] == [0, 1]
    assert connectors["orders-sink-00003"].config["tasks.max"] == "2"
    assert connectors["orders-sink-00004"].state == "UNASSIGNED"


def test_broken_json_raises_json_s_own_error() -> None:
    raw = b'{"a": {"status": '
    with pytest.raises(ValueError) as expected:
        json.loads(raw)
    with pytest.raises(ValueError) as got:
        decode_connectors(raw)
    assert str(got.value) == str(expected.value)
    with pytest.raises(ValueError, match="Extra data"):
        decode_connectors(b'{"a": {}} trailing')


def test_a_utf16_body_still_decodes() -> None:
    """json.loads reads UTF-16 bytes; msgspec reads UTF-8 only: the lenient path takes it."""
    data = {"ä": {"status": {"connector": {"state": "RUNNING"}}}}
    connectors = decode_connectors(json.dumps(data).encode("utf-16"))
    assert connectors == lenient(data) and connectors["ä"].state == "RUNNING"


_SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=False)
_TEXT = st.sampled_from(["", "RUNNING", "failed", "w:8083", "4.1.0", "E: x\n\tat y"])
_ANY = _SCALARS | _TEXT | st.lists(_TEXT, max_size=2)


def _maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The right kind of value most of the time, sometimes anything at all."""
    return st.one_of(value, value, value, _ANY)


_TASK = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "id": _maybe(st.integers(0, 9)),
            "state": _maybe(_TEXT),
            "worker_id": _maybe(_TEXT),
            "trace": _maybe(_TEXT),
            "version": _maybe(_TEXT),
        },
    )
)
_UNIT = st.fixed_dictionaries(
    {}, optional={k: _maybe(_TEXT) for k in ("state", "worker_id", "trace", "version")}
)
_STATUS = st.fixed_dictionaries(
    {},
    optional={
        "name": _maybe(_TEXT),
        "connector": _maybe(_UNIT),
        "tasks": _maybe(st.lists(_TASK, max_size=4)),
        "type": _maybe(st.sampled_from(["sink", "source", ""])),
        "extra": _ANY,
    },
)
_INFO = st.fixed_dictionaries(
    {},
    optional={
        "name": _maybe(_TEXT),
        "config": _maybe(st.dictionaries(_TEXT, _maybe(_TEXT), max_size=3)),
        "tasks": _maybe(st.lists(_maybe(st.fixed_dictionaries({"task": _maybe(st.integers())})))),
        "type": _maybe(_TEXT),
    },
)
_ENTRY = _maybe(st.fixed_dictionaries({}, optional={"status": _STATUS, "info": _INFO}))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=5), _ENTRY, max_size=4))
def test_any_answer_decodes_as_before(data: dict[str, Any]) -> None:
    assert decoded(data) == lenient(data)


def test_unchanged_connectors_come_back_as_the_same_objects() -> None:
    data = payload(6, 3)
    decoder = ConnectorsDecoder()
    first = decoder(json.dumps(data).encode())
    again = decoder(json.dumps(data).encode())  # new bytes, same content
    assert again == lenient(data)
    assert all(again[name] is first[name] for name in data)
    changed = json.loads(json.dumps(data))
    changed["orders-sink-00001"]["status"]["tasks"][2]["state"] = "FAILED"
    del changed["orders-sink-00004"]
    changed["new-one"] = {"status": {"connector": {"state": "PAUSED"}}}
    after = decoder(json.dumps(changed).encode())
    assert after == lenient(changed)
    assert after["orders-sink-00001"].tasks[2].state == "FAILED"
    assert after["orders-sink-00001"] is not first["orders-sink-00001"]
    assert after["orders-sink-00002"] is first["orders-sink-00002"]
    assert list(after) == list(changed)


def test_a_name_list_between_two_answers_forgets_the_last_one() -> None:
    data = payload(2, 1)
    decoder = ConnectorsDecoder()
    first = decoder(json.dumps(data).encode())
    names = decoder(json.dumps(list(data)).encode())
    assert names == lenient(list(data)) and names[next(iter(data))].state == "UNASSIGNED"
    third = decoder(json.dumps(data).encode())
    assert third == first and all(third[n] is not first[n] for n in data)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]), _ENTRY, max_size=3), max_size=4)
)
def test_a_decoder_that_remembers_gives_what_a_fresh_one_gives(
    answers: list[dict[str, Any]],
) -> None:
    decoder = ConnectorsDecoder()
    for data in answers:
        assert decoder(json.dumps(data).encode()) == lenient(data)

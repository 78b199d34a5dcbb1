"""Connector files: both shapes, arrays, folders, and every problem with file/line/column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kctui.operate.files import ConnectorFileError, load_connector_files, parse_connector_text
from tests.jsonerrors import file_json_error

SINK = "org.apache.kafka.connect.file.FileStreamSinkConnector"


def write(path: Path, data: object | str) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "document",
    [
        {"name": "a", "config": {"connector.class": SINK, "tasks.max": "1"}},
        {"name": "a", "config": {"connector.class": SINK, "tasks.max": 1, "name": "a"}},
        {"name": "a", "connector.class": SINK, "tasks.max": "1"},
        {"config": {"name": "a", "connector.class": SINK, "tasks.max": 1}},
    ],
)
def test_both_shapes_give_the_same_spec(document: dict) -> None:
    specs, problems = parse_connector_text(json.dumps(document), "f.json")
    assert problems == []
    assert [(s.name, dict(s.config)) for s in specs] == [
        ("a", {"connector.class": SINK, "tasks.max": "1", "name": "a"})
    ]


def test_values_become_strings_and_nested_values_are_refused() -> None:
    text = json.dumps({"name": "a", "connector.class": SINK, "x": True, "y": 1.5, "z": {"k": 1}})
    specs, problems = parse_connector_text(text, "f.json")
    assert specs == []
    assert problems == [
        "f.json: key 'z' has a dict value; connector configs hold strings, numbers or booleans "
        "(remove the key to unset it)"
    ]
    specs, problems = parse_connector_text(text.replace(', "z": {"k": 1}', ""), "f.json")
    assert specs[0].config["x"] == "true" and specs[0].config["y"] == "1.5"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"name": "a",\n  "connector.class": }',
            file_json_error("f.json", '{"name": "a",\n  "connector.class": }'),
        ),
        ('{"name": "a"', file_json_error("f.json", '{"name": "a"')),
        ("", file_json_error("f.json", "")),
        ('{"connector.class": "X"}', 'f.json: no connector name (set "name")'),
        ('{"name": "a"}', 'f.json: no "connector.class"'),
        ("[1]", "f.json[0]: expected a JSON object, got int"),
        ("[]", "f.json: empty array, no connector"),
        (
            '{"name": "a", "config": {"name": "b", "connector.class": "X"}}',
            "f.json: name 'a' differs from config name 'b'",
        ),
        (
            '{"name": "a", "tasks.max": "1", "config": {"connector.class": "X"}}',
            "f.json: unexpected top-level keys tasks.max next to 'config' "
            "(put connector settings inside 'config')",
        ),
    ],
)
def test_problems_name_the_file_line_and_column(text: str, expected: str) -> None:
    specs, problems = parse_connector_text(text, "f.json")
    assert specs == []
    assert problems == [expected]


def test_folder_array_and_several_files(tmp_path: Path) -> None:
    folder = tmp_path / "conf"
    folder.mkdir()
    write(folder / "b.json", [{"name": "b1", "connector.class": SINK},
                              {"name": "b2", "connector.class": SINK}])  # fmt: skip
    write(folder / "a.json", {"name": "a", "config": {"connector.class": SINK}})
    write(folder / "notes.txt", "not json")
    single = write(tmp_path / "c.json", {"name": "c", "connector.class": SINK})
    specs = load_connector_files([folder, single])
    assert [s.name for s in specs] == ["a", "b1", "b2", "c"]
    assert specs[1].source == f"{folder / 'b.json'}[0]"


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", {"name": "a", "connector.class": SINK})
    bad = write(tmp_path / "bad.json", '{\n "name": "x",\n "connector.class": "Y",,\n}')
    dup = write(tmp_path / "dup.json", {"name": "a", "connector.class": SINK})
    with pytest.raises(ConnectorFileError) as caught:
        load_connector_files([good, bad, dup, tmp_path / "missing.json", tmp_path / "empty"])
    problems = caught.value.problems
    assert file_json_error(str(bad), bad.read_text()) in problems
    assert f"{dup}: connector 'a' is also defined in {good}" in problems
    assert f"{tmp_path / 'missing.json'}: no such file or folder" in problems
    assert caught.value.exit_code == 2


def test_empty_folder_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConnectorFileError, match="folder without any .json file"):
        load_connector_files([tmp_path / "empty"])

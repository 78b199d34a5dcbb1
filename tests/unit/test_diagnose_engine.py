"""The diagnosis engine: criteria, ranking, the user's own rules and bad rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kctui.diagnose import RuleFileError, diagnose, load_rules, parse_rules
from kctui.diagnose.loading import BUILT_IN, builtin_text, user_rule_paths
from kctui.errors import KctuiError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "diagnose"
BUILTIN = parse_rules(builtin_text(), BUILT_IN)
MAGIC = (FIXTURES / "unknown-magic-byte.log").read_text(encoding="utf-8")
JSON_ENVELOPE = (FIXTURES / "json-schemas-enable.log").read_text(encoding="utf-8")


SA = 'summary = "s"\naction = "a"\n'


def rule_toml(rule_id: str, body: str = SA, match: str | None = None) -> str:
    """One [[rule]] table: its keys (``body``) and, when given, its [rule.match] lines."""
    text = f'[[rule]]\nid = "{rule_id}"\n{body}'
    return text if match is None else f"{text}[rule.match]\n{match}\n"


def env_for(tmp_path: Path) -> dict[str, str]:
    return {
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
        "HOME": str(tmp_path),
        "KCTUI_CONFIG": str(tmp_path / "cfg" / "config.toml"),
    }


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_user_rule_overrides_a_shipped_rule_by_id(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    write(
        tmp_path / "xdg" / "kctui" / "rules.toml",
        '[[rule]]\nid = "converter-unknown-magic-byte"\n'
        'action = "Ask the payments team: their producer writes raw JSON to this topic."\n',
    )
    found = diagnose(MAGIC, rules=load_rules(env))
    assert found is not None and found.rule == "converter-unknown-magic-byte"
    assert found.action.startswith("Ask the payments team")
    shipped = next(r for r in BUILTIN if r.id == found.rule)
    assert found.summary == shipped.summary and found.link == shipped.link  # not given: kept


def test_user_rule_beside_the_config_file_adds_a_rule(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    write(
        tmp_path / "cfg" / "rules.toml",
        '[[rule]]\nid = "our-legacy-topic"\npriority = 90\n'
        'summary = "The legacy billing topic still carries raw JSON."\naction = "Page billing."\n'
        'link = "https://wiki.example.com/billing"\n'
        '[rule.match]\nmessages = ["Unknown magic byte"]\n',
    )
    rules = load_rules(env)
    assert len(rules) == len(BUILTIN) + 1
    found = diagnose(MAGIC, rules=rules)
    assert found is not None
    assert found.to_json() == {
        "rule": "our-legacy-topic",
        "summary": "The legacy billing topic still carries raw JSON.",
        "action": "Page billing.",
        "link": "https://wiki.example.com/billing",
    }


def test_user_rule_can_turn_a_shipped_rule_off(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    write(
        tmp_path / "xdg" / "kctui" / "rules.toml",
        '[[rule]]\nid = "converter-unknown-magic-byte"\nenabled = false\n',
    )
    found = diagnose(MAGIC, rules=load_rules(env))
    # the rule is gone; the failure is still classified by its category (generic diagnosis)
    assert found is not None and found.rule == "generic:serialization"


def test_both_user_files_are_read_xdg_first(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    assert user_rule_paths(env) == [
        tmp_path / "xdg" / "kctui" / "rules.toml",
        tmp_path / "cfg" / "rules.toml",
    ]
    write(
        tmp_path / "xdg" / "kctui" / "rules.toml",
        '[[rule]]\nid = "converter-json-schemas-enable"\naction = "first"\n',
    )
    write(
        tmp_path / "cfg" / "rules.toml",
        '[[rule]]\nid = "converter-json-schemas-enable"\naction = "second"\n',
    )
    found = diagnose(JSON_ENVELOPE, rules=load_rules(env))
    assert found is not None and found.action == "second"


def test_no_user_file_gives_the_shipped_rules(tmp_path: Path) -> None:
    assert [r.id for r in load_rules(env_for(tmp_path))] == [r.id for r in BUILTIN]


BAD_FILES = [
    (
        rule_toml("mine", match='messages = ["(unclosed"]'),
        "rule 'mine': 'messages' regex '(unclosed'",
    ),
    (rule_toml("mine"), "rule 'mine': 'match' is missing"),
    (rule_toml("mine", match=""), "rule 'mine': 'match' gives no criterion"),
    (rule_toml("mine", 'action = "a"\n', 'classes = ["X"]'), "rule 'mine': 'summary' is missing"),
    (rule_toml("mine", match='stage = ["X"]'), "rule 'mine': unknown match key(s) stage"),
    (rule_toml("mine", match='stages = ["CONVERTER"]'), "rule 'mine': unknown stage(s) CONVERTER"),
    (rule_toml("mine", SA + 'link = "docs/x"\n', 'classes = "X"'), "rule 'mine': 'link' must be"),
    ('[[rule]]\nsummary = "s"\n', "rule #1: 'id' must be"),
    (rule_toml("a", "enabled = false\n") * 2, "rule 'a': the id is used twice"),
    (rule_toml("mine", 'priority = "high"\n'), "rule 'mine': 'priority' must be an integer"),
    ("[rules]\nid = 1\n", "unknown top-level key(s) rules"),
    ('[[rule]\nid = "x"\n', "not valid TOML"),
]


@pytest.mark.parametrize(("body", "expected"), BAD_FILES)
def test_bad_user_rule_file_names_file_and_rule(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path / "xdg" / "kctui" / "rules.toml", body)
    with pytest.raises(RuleFileError) as raised:
        load_rules(env_for(tmp_path))
    message = str(raised.value)
    assert message.startswith(f"rules file {path}")
    assert expected in message
    assert isinstance(raised.value, KctuiError)  # the CLI prints it as one line and exits 2


def test_stage_and_connector_class_criteria(tmp_path: Path) -> None:
    match = 'stages = ["value_converter"]\nconnector_class = "JdbcSink"\nmessages = ["magic byte"]'
    rules = parse_rules(rule_toml("jdbc-sink-converter", match=match), "test")
    sink = "io.confluent.connect.jdbc.JdbcSinkConnector"

    def rule_of(**context: str) -> str | None:
        found = diagnose(MAGIC, rules=rules, **context)
        return found.rule if found else None

    generic = "generic:serialization"  # no rule matches: the category's generic diagnosis
    assert rule_of() == generic  # no stage, no class: those criteria fail
    assert rule_of(stage="VALUE_CONVERTER") == generic
    assert rule_of(stage="KEY_CONVERTER", connector_class=sink) == generic
    found = diagnose(MAGIC, stage="value_converter", connector_class=sink, rules=rules)
    assert found is not None and found.rule == "jdbc-sink-converter"


def test_priority_then_specificity_then_order() -> None:
    rules = parse_rules(
        rule_toml("by-class", match='classes = ["SerializationException"]')
        + rule_toml("by-message", match='messages = ["magic byte"]')
        + rule_toml("by-message-too", match='messages = ["Unknown magic"]'),
        "test",
    )
    assert diagnose(MAGIC, rules=rules).rule == "by-message"  # type: ignore[union-attr]
    raised = parse_rules('[[rule]]\nid = "by-class"\npriority = 80\n', "user", rules)
    assert diagnose(MAGIC, rules=raised).rule == "by-class"  # type: ignore[union-attr]


def test_class_criterion_takes_simple_or_full_names() -> None:
    for name in ("SerializationException", "org.apache.kafka.common.errors.SerializationException"):
        rules = parse_rules(rule_toml("c", match=f'classes = ["{name}"]'), "t")
        assert diagnose(MAGIC, rules=rules).rule == "c"  # type: ignore[union-attr]
    rules = parse_rules(rule_toml("c", match='classes = ["Serialization"]'), "t")
    assert diagnose(MAGIC, rules=rules).rule == "generic:serialization"  # type: ignore[union-attr]


def test_rules_beside_the_config_file_named_by_config_option(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    elsewhere = tmp_path / "elsewhere" / "prod.toml"
    assert user_rule_paths(env, elsewhere)[-1] == tmp_path / "elsewhere" / "rules.toml"
    write(elsewhere.parent / "rules.toml", '[[rule]]\nid = "out-of-memory"\nenabled = false\n')
    assert "out-of-memory" not in [r.id for r in load_rules(env, config_file=elsewhere)]
    assert user_rule_paths(env)[-1] == tmp_path / "cfg" / "rules.toml"


def test_rules_are_what_each_caller_loaded_not_process_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No module remembers loaded rules: two commands with two config files, one after the
    other in one process, each get the rules beside their own file."""
    import argparse

    from kctui.commands import command_context

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    ours, theirs = tmp_path / "ours" / "config.toml", tmp_path / "theirs" / "config.toml"
    for path in (ours, theirs):
        write(path, "[clusters.c]\nurls = ['http://127.0.0.1:1']\n")
    write(ours.parent / "rules.toml", '[[rule]]\nid = "out-of-memory"\nenabled = false\n')
    first = command_context(argparse.Namespace(config=str(ours)))
    second = command_context(argparse.Namespace(config=str(theirs)))
    assert "out-of-memory" not in [r.id for r in first.rules]
    assert "out-of-memory" in [r.id for r in second.rules]
    assert "out-of-memory" not in [r.id for r in first.rules]  # kept by its own context
    found = diagnose(MAGIC)  # no rules given: the shipped ones, whatever a command loaded
    assert found is not None and found.rule == "converter-unknown-magic-byte"

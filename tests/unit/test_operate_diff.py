"""Config diff and mask round trips: a masked value is never written back as the mask."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kctui.masking import MASK, mask_config
from kctui.operate.diff import diff_configs, patch_body, render_diff, summary
from kctui.operate.editor import check_edited
from kctui.operate.masks import masked_for_edit, unmask

STORED = {
    "name": "jdbc",
    "connector.class": "io.example.JdbcSink",
    "connection.url": "jdbc:postgresql://app:s3cret@db:5432/x",
    "connection.password": "hunter2",
    "topics": "orders",
    "batch.size": "100",
}


def test_diff_added_removed_changed_by_key() -> None:
    new = {**STORED, "topics": "orders,refunds", "auto.create": "true"}
    del new["batch.size"]
    changes = diff_configs(STORED, new)
    assert [(c.key, c.kind) for c in changes] == [
        ("auto.create", "added"),
        ("batch.size", "removed"),
        ("topics", "changed"),
    ]
    assert render_diff(changes) == [
        "+ auto.create = true",
        "- batch.size = 100",
        "~ topics: orders -> orders,refunds",
    ]
    assert patch_body(changes) == {
        "auto.create": "true",
        "batch.size": None,
        "topics": "orders,refunds",
    }
    assert summary(changes) == "1 changed, 1 added, 1 removed"


def test_diff_masks_secrets_unless_revealed() -> None:
    new = {**STORED, "connection.password": "n3w", "connection.url": "jdbc:postgresql://app:x@db/x"}
    lines = render_diff(diff_configs(STORED, new))
    assert "hunter2" not in "\n".join(lines) and "n3w" not in "\n".join(lines)
    assert "s3cret" not in "\n".join(lines)
    assert f"~ connection.password: {MASK} (secret changed)" in lines
    revealed = render_diff(diff_configs(STORED, new), reveal=True)
    assert "~ connection.password: hunter2 -> n3w" in revealed


def test_untouched_masks_restore_the_stored_values() -> None:
    shown = masked_for_edit(STORED, revealed=False)
    assert shown["connection.password"] == MASK
    assert "s3cret" not in shown["connection.url"]
    edited = {**shown, "topics": "orders,refunds"}
    restored, problems = unmask(edited, STORED)
    assert problems == []
    assert restored == {**STORED, "topics": "orders,refunds"}
    assert patch_body(diff_configs(STORED, restored)) == {"topics": "orders,refunds"}


def test_a_mask_that_matches_nothing_stored_is_a_problem() -> None:
    edited = {**masked_for_edit(STORED, revealed=False), "new.password": MASK}
    restored, problems = unmask(edited, STORED)
    assert len(problems) == 1 and problems[0].startswith("new.password: still holds the mask")
    url = {"connection.url": "jdbc:postgresql://other:********@db/x"}
    assert unmask(url, STORED)[1][0].startswith("connection.url: still holds the mask")


def test_revealed_values_round_trip_unchanged() -> None:
    shown = masked_for_edit(STORED, revealed=True)
    assert shown == STORED
    assert unmask(shown, STORED) == (STORED, [])


def test_check_edited_keeps_name_and_refuses_rename() -> None:
    shown = masked_for_edit(STORED, revealed=False)
    without_name = {k: v for k, v in shown.items() if k != "name"}
    config, problems = check_edited("jdbc", without_name, STORED)
    assert problems == [] and config["name"] == "jdbc"
    _, problems = check_edited("jdbc", {**shown, "name": "other"}, STORED)
    assert problems == ["name: cannot rename 'jdbc' to 'other'; create a new connector instead"]
    _, problems = check_edited(None, {"connector.class": "X"}, {})
    assert problems == ['name: set "name" to the new connector\'s name']


secret_keys = st.sampled_from(["password", "db.password", "api.key", "sasl.jaas.config", "token"])
values = st.text(min_size=1, max_size=20).filter(lambda v: MASK not in v and not v.startswith("${"))


@given(st.dictionaries(secret_keys, values, min_size=1), st.dictionaries(
    st.sampled_from(["topics", "tasks.max", "file"]), values))  # fmt: skip
def test_property_a_masked_value_is_never_written_back(
    secrets: dict[str, str], plain: dict[str, str]
) -> None:
    stored = {**plain, **secrets}
    restored, problems = unmask(mask_config(stored), stored)
    assert problems == []
    assert restored == stored
    assert all(MASK not in v for v in restored.values())
    assert diff_configs(stored, restored) == []


@pytest.mark.parametrize("revealed", [True, False])
def test_masked_for_edit_is_a_copy(revealed: bool) -> None:
    shown = masked_for_edit(STORED, revealed=revealed)
    shown["topics"] = "changed"
    assert STORED["topics"] == "orders"

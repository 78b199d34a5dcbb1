"""One edit or create in ``$EDITOR``: document -> saved text -> checks -> validation -> write.

The console drives it: show ``document()`` in the editor, pass the saved text to
``submit()``; on ``RETRY`` the problems are in the next document, on ``READY`` ask the
user to confirm ``changes`` and call ``write()``. No Textual here, so it is unit-tested.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from kctui.connect.errors import Conflict
from kctui.connect.protocol import ConnectApi
from kctui.errors import KctuiError
from kctui.operate.apply import format_errors, validate_config
from kctui.operate.diff import ConfigChange, diff_configs, patch_body
from kctui.operate.editor import (
    EditedTextError,
    check_edited,
    config_json,
    edit_document,
    parse_edited,
    split_document,
)
from kctui.operate.masks import masked_for_edit

CANCEL = "cancel"
RETRY = "retry"
READY = "ready"
FAILED = "failed"
EDIT_NOTES = (
    "Save and quit to validate and review the changes; quit without changes to cancel.",
    "Secrets are masked as ********: leave a masked value as it is to keep the stored one.",
)


@dataclass(frozen=True)
class Outcome:
    kind: str
    message: str = ""


class EditSession:
    """Edit the config of ``name`` (or create a connector when ``name`` is None)."""

    def __init__(
        self,
        client: ConnectApi,
        *,
        name: str | None,
        stored: Mapping[str, str],
        revealed: bool = False,
        notes: Sequence[str] = EDIT_NOTES,
        existing_names: Collection[str] = (),
    ) -> None:
        self.client = client
        self.name = name
        self.stored = dict(stored) if name is not None else {}
        self.notes = tuple(notes)
        self.existing_names = frozenset(existing_names)
        self.revealed = revealed
        self.body = config_json(masked_for_edit(stored, revealed=revealed))
        self.problems: list[str] = []
        self.config: dict[str, str] = {}
        self.changes: tuple[ConfigChange, ...] = ()

    @property
    def creating(self) -> bool:
        return self.name is None

    @property
    def target(self) -> str:
        return self.name or self.config.get("name", "") or "new connector"

    def document(self) -> str:
        return edit_document(self.body, self.notes, self.problems)

    def _retry(self, problems: Sequence[str]) -> Outcome:
        self.problems = list(problems)
        return Outcome(RETRY, "; ".join(self.problems))

    async def submit(self, saved_text: str) -> Outcome:
        """Check the saved text; validate it against the plugin when it parses."""
        body = split_document(saved_text)
        if body.strip() == self.body.strip():
            return Outcome(CANCEL, "no change: nothing applied")
        self.body = body
        # Where the JSON starts in the next document: after the notes, the ERRORS header
        # and one problem line (a JSON error is one problem).
        first_line = len(edit_document("{}", self.notes, ["error"]).splitlines())
        try:
            edited = parse_edited(body, first_line=first_line)
        except EditedTextError as exc:
            return self._retry(exc.problems)
        config, problems = check_edited(self.name, edited, self.stored)
        if self.creating and config.get("name", "").strip() in self.existing_names:
            problems.append(f"name: a connector named '{config['name']}' already exists")
        if problems:
            return self._retry(problems)
        self.config = config
        self.changes = tuple(diff_configs(self.stored, config))
        if not self.creating and not self.changes:
            return Outcome(CANCEL, "no change: nothing applied")
        validation = await validate_config(self.client, config)
        if not validation.valid:
            return self._retry(format_errors(validation.errors))
        self.problems = []
        return Outcome(READY)

    async def write(self, *, use_patch: bool) -> Outcome:
        """Create, or update (PATCH of the changed keys, or PUT of the whole config)."""
        try:
            if self.creating:
                await self.client.create(self.config["name"], self.config)
                return Outcome(READY, f"created {self.config['name']}")
            assert self.name is not None
            if use_patch:
                await self.client.patch_config(self.name, patch_body(self.changes))
                return Outcome(READY, f"updated {self.name} (PATCH of {len(self.changes)} keys)")
            await self.client.put_config(self.name, self.config)
            return Outcome(READY, f"updated {self.name} (PUT of the whole config)")
        except Conflict as exc:
            if self.creating:
                return self._retry(
                    [f"name: a connector named '{self.config['name']}' already exists"]
                )
            return self._retry([f"Connect refused the update: {exc.detail or exc}"])
        except KctuiError as exc:
            return Outcome(FAILED, f"not applied: {exc}")

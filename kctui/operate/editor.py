"""Editing a config in ``$VISUAL``/``$EDITOR`` (default ``vi``) through a private temp file.

The document is the config as pretty JSON preceded by ``//`` comment lines (kctui's notes
and any errors); comment lines are blanked before parsing so line numbers stay true.
The temp file is created 0600 and removed afterwards, whatever happens.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from kctui.errors import KctuiError
from kctui.operate.files import config_from_mapping, strip_comment_lines


class EditorError(KctuiError):
    """The editor could not be run, or exited with an error."""


class EditedTextError(KctuiError):
    """The saved text is not a usable config; ``problems`` go back into the document."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(self.problems), exit_code=1)


def editor_command(env: Mapping[str, str] | None = None) -> list[str]:
    """``$VISUAL``, else ``$EDITOR``, else ``vi``, split like a shell would."""
    env = os.environ if env is None else env
    raw = (env.get("VISUAL") or env.get("EDITOR") or "vi").strip() or "vi"
    try:
        return shlex.split(raw)
    except ValueError as exc:
        raise EditorError(f"cannot parse the editor command {raw!r}: {exc}") from exc


def run_editor(text: str, command: Sequence[str] | None = None, *, suffix: str = ".json") -> str:
    """Write ``text`` to a 0600 temp file, run the editor on it, return what was saved."""
    argv = list(command) if command else editor_command()
    handle, name = tempfile.mkstemp(prefix="kctui-", suffix=suffix)
    path = Path(name)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        try:
            completed = subprocess.run([*argv, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"cannot run the editor {argv[0]!r}: {exc.strerror or exc}") from exc
        if completed.returncode != 0:
            raise EditorError(
                f"the editor {argv[0]!r} exited with code {completed.returncode}; nothing applied"
            )
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


def split_document(text: str) -> str:
    """The saved text without kctui's leading ``//`` lines (the JSON the user edited)."""
    lines = text.split("\n")
    index = 0
    while index < len(lines) and (
        not lines[index].strip() or lines[index].lstrip().startswith("//")
    ):
        index += 1
    return "\n".join(lines[index:])


def _wrapped(note: str, width: int = 96) -> list[str]:
    """A long note (say, a list of 200 optional keys) as several comment lines."""
    return textwrap.wrap(note, width, break_on_hyphens=False, break_long_words=False) or [""]


def edit_document(body: str, notes: Sequence[str] = (), problems: Sequence[str] = ()) -> str:
    """The text put in the editor: notes and problems as ``//`` lines, then ``body``."""
    lines = [f"// {line}" for note in notes for line in _wrapped(note)]
    if problems:
        lines.append("// ERRORS (fix them, then save and quit; quit without saving to cancel):")
        lines += [f"//   {problem}" for problem in problems]
    return "\n".join([*lines, body.rstrip("\n")]) + "\n"


def config_json(config: Mapping[str, str]) -> str:
    return json.dumps(dict(config), indent=2, ensure_ascii=False)


def parse_edited(body: str, *, first_line: int = 1) -> dict[str, str]:
    """The config map from the edited JSON; EditedTextError with line/column when malformed.

    ``first_line`` is where ``body`` starts in the document shown next, so the line number
    in the error is the one the user sees in the editor.
    """
    cleaned = strip_comment_lines(body)
    if not cleaned.strip():
        raise EditedTextError(["the config is empty"])
    try:
        data = json.loads(cleaned)
    except json.JSONDecodeError as exc:
        line = exc.lineno + first_line - 1
        raise EditedTextError(
            [f"malformed JSON at line {line}, column {exc.colno}: {exc.msg}"]
        ) from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = {**data["config"], **({"name": data["name"]} if "name" in data else {})}
    if not isinstance(data, dict):
        raise EditedTextError(["expected a JSON object of config keys"])
    problems: list[str] = []
    config = config_from_mapping(data, "config", problems)
    if problems:
        raise EditedTextError(problems)
    return config


def check_edited(
    name: str | None, edited: Mapping[str, str], stored: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The config to validate (masked values restored) and the problems to show the user.

    ``name`` is the connector being edited (None when creating: the name comes from the
    document). A rename is refused: Connect has no rename, it would be a new connector.
    """
    from kctui.operate.masks import unmask

    config, problems = unmask(edited, stored)
    given = config.get("name", "").strip()
    if name is None:
        if not given:
            problems.append('name: set "name" to the new connector\'s name')
    elif given and given != name:
        problems.append(
            f"name: cannot rename '{name}' to '{given}'; create a new connector instead"
        )
    else:
        config["name"] = name
    if not config.get("connector.class", "").strip():
        problems.append('connector.class: missing "connector.class"')
    return config, problems

"""The one TOML validator: TOML text into typed settings structs (msgspec), with errors that
name the file line and the key (``config.toml:7: key 'clusters.prod.timeout': expected a
positive number, got 'x'``).

The structs say what they accept as data: field types, constraints and the extras of
:mod:`kctui.settings.fields`. After converting, each struct's own ``check()`` (if it has one)
raises :class:`Invalid` for what types cannot say (one of two keys, a URL scheme); the error
is placed at that table. The config file, the restart policy, the diagnosis rules and the
themes all read through here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import msgspec
import msgspec.inspect as mi

from kctui.settings.fields import (
    bare,
    dotted,
    extra_of,
    fields_of,
    file_keys,
    holds_plain_items,
    python_type,
    struct_of,
    transform,
    type_info,
    words,
)
from kctui.settings.keylines import KeyLines, Path

T = TypeVar("T")
_CONTAINERS = (msgspec.Struct, tuple, list, dict)  # what the checks walk into
_WHOLE = object()  # read()'s data when none is given: the whole text


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a settings text, placed at a table or key."""

    origin: str
    line: int | None
    path: Path
    kind: Literal["toml", "value", "unknown", "invalid"]
    detail: str  # "expected true or false, got 'yes'", a check's words, the TOML error
    expected: str | None = None
    unknown: tuple[str, ...] = ()
    known: tuple[str, ...] = ()
    keyed: bool = True  # False: ``detail`` names its keys itself

    @property
    def where(self) -> str:
        return self.origin if self.line is None else f"{self.origin}:{self.line}"

    def message(self) -> str:
        """The config file's wording: ``file:line: key 'a.b': expected X, got Y``."""
        if self.kind == "toml":
            return f"{self.where}: invalid TOML: {self.detail}"
        if self.kind == "unknown":
            return (
                f"{self.where}: unknown key '{dotted((*self.path, self.unknown[0]))}' "
                f"(expected one of: {', '.join(self.known)})"
            )
        if not self.keyed or not self.path:
            return f"{self.where}: {self.detail}"
        return f"{self.where}: key '{dotted(self.path)}': {self.detail}"


class Invalid(ValueError):
    """What a struct's ``check()`` raises: ``detail`` about its ``key`` (None: the table)."""

    def __init__(self, detail: str, key: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.key = detail, key


def expected(what: str, got: object, key: str | None = None) -> Invalid:
    return Invalid(f"expected {what}, got {got!r}", key)


class _Failed(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


def _toml_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    lineno = getattr(exc, "lineno", None)  # Python 3.14 names it; before, only the text does
    if isinstance(lineno, int):
        return lineno
    found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    if found:
        return int(found.group(1))
    return text.count("\n") + 1 if "end of document" in str(exc) else None


class TomlSource:
    """One settings text (a file's content) and the structs read from it.

    ``error`` makes the exception the caller's users see (ConfigError, RuleFileError...);
    a subclass may word its messages otherwise (:meth:`phrase`).
    """

    def __init__(self, text: str | None, origin: str, *, error: Callable[[str], Exception]) -> None:
        self.text, self.origin, self.error = text, origin, error
        self._lines: KeyLines | None = None
        self.data: dict[str, Any] = {}
        if text is not None:
            try:
                self.data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                problem = Problem(origin, _toml_line(exc, text), (), "toml", str(exc))
                raise self._raise(problem) from None

    def line_of(self, path: Path) -> int | None:
        if self.text is None:
            return None
        if self._lines is None:
            self._lines = KeyLines(self.text)
        return self._lines.line_of(path)

    def problem(self, path: Path, detail: str, **more: Any) -> Problem:
        kind = more.pop("kind", "invalid")
        unknown = more.get("unknown", ())
        line = self.line_of((*path, unknown[0]) if unknown else path)
        return Problem(self.origin, line, path, kind, detail, **more)

    def fail(self, path: Path, detail: str, *, keyed: bool = True) -> Exception:
        """The caller's own error at ``path`` (for checks that need more than the struct)."""
        return self._raise(self.problem(path, detail, keyed=keyed))

    def phrase(self, problem: Problem) -> str:
        """The message of ``problem`` (default: the config file's wording)."""
        return problem.message()

    def _raise(self, problem: Problem) -> Exception:
        return self.error(self.phrase(problem))

    def read(self, kind: type[T], *, at: Path = (), data: object = _WHOLE) -> T:
        """``data`` (default: the whole text's tables) as a ``kind`` struct, checked."""
        try:
            return _Reader(self).read(self.data if data is _WHOLE else data, kind, at)
        except _Failed as failed:
            raise self._raise(failed.problem) from None


def read_table(
    data: object, kind: type[T], origin: str, *, at: Path = (), error: Callable[[str], Exception]
) -> T:
    """A table already parsed (no text to find lines in) as a ``kind`` struct."""
    return TomlSource(None, origin, error=error).read(kind, at=at, data=data)


# --------------------------------------------------------------------------- reading


class _Reader:
    """One read: shape the data as the structs' extras say, convert it, run the checks."""

    def __init__(self, source: TomlSource) -> None:
        self.source = source

    def read(self, data: object, kind: type[T], at: Path) -> T:
        info = type_info(kind)
        shaped = self._shape(data, info, at)
        try:
            result: T = msgspec.convert(shaped, kind, strict=True)
        except msgspec.ValidationError as exc:
            raise _Failed(self._problem(exc, shaped, info, at)) from None
        self._check(result, at)
        return result

    def _fail(self, path: Path, detail: str, **more: Any) -> _Failed:
        return _Failed(self.source.problem(path, detail, **more))

    # -- before converting

    def _shape(
        self,
        value: object,
        kind: mi.Type,
        path: Path,
        *,
        index: int | None = None,
        key: str | None = None,
        parent: Mapping[str, Any] | None = None,
    ) -> object:
        if not isinstance(value, str | list | dict):
            return value  # a number or a flag: nothing to shape
        value = transform(value, extra_of(kind))
        plain = bare(kind)
        if isinstance(plain, mi.StructType) and isinstance(value, dict):
            return self._shape_table(value, plain, path, index=index, key=key, parent=parent)
        if isinstance(plain, mi.ListType | mi.VarTupleType) and isinstance(value, list):
            item = plain.item_type
            if struct_of(item) is None and not extra_of(item):
                return value  # strings, numbers: msgspec checks them as they are
            return [
                self._shape(v, item, (*path, i), index=i, parent=parent)
                for i, v in enumerate(value)
            ]
        if isinstance(plain, mi.DictType) and isinstance(value, dict):
            item = plain.value_type
            return {k: self._shape(v, item, (*path, k), key=k) for k, v in value.items()}
        return value

    def _shape_table(
        self,
        table: dict[str, Any],
        struct: mi.StructType,
        path: Path,
        *,
        index: int | None,
        key: str | None,
        parent: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        out = dict(table)
        for field, extra in fields_of(struct):
            name = field.encode_name
            if extra.get("internal") or extra.get("table_key"):
                if name in out:
                    known = file_keys(struct)
                    raise self._fail(path, "", kind="unknown", unknown=(name,), known=known)
                if extra.get("table_key") and key is not None:
                    out[name] = key
                continue
            for alias in extra.get("aliases", ()):
                if alias in out:
                    aliased = out.pop(alias)
                    out.setdefault(name, aliased)
            if name not in out and extra.get("inherit") and parent is not None:
                if isinstance(parent.get(name), bool):
                    out[name] = parent[name]
            if extra.get("numbered") and not out.get(name) and index is not None:
                out[name] = extra["numbered"].format(index + 1)
            if name not in out:
                if extra.get("required"):
                    raise self._missing(path, name, field.type)
                continue
            if extra.get("whole_part") and isinstance(out[name], float):
                out[name] = int(out[name])
            child = (*path, name)
            if "schema" in extra:
                out[name] = self.read(out[name], extra["schema"], child).build()
            else:
                out[name] = self._shape(out[name], field.type, child, parent=out)
        return out

    def _missing(self, table: Path, name: str, kind: mi.Type) -> _Failed:
        said = extra_of(kind).get("missing")
        if isinstance(said, str):
            return self._fail(table, said.format(table=dotted(table)), keyed=False)
        what = words(kind, (*table, name))
        return self._fail((*table, name), f"expected {what}", kind="value", expected=what)

    # -- after converting

    def _check(self, value: object, path: Path) -> None:
        if isinstance(value, msgspec.Struct):
            check = getattr(value, "check", None)
            if callable(check):
                try:
                    check()
                except Invalid as exc:
                    at = path if exc.key is None else (*path, exc.key)
                    raise self._fail(at, exc.detail) from None
            for name in value.__struct_fields__:
                field = getattr(value, name)
                if isinstance(field, _CONTAINERS):
                    self._check(field, (*path, name))
        elif isinstance(value, tuple | list):
            for index, item in enumerate(value):
                if isinstance(item, _CONTAINERS):
                    self._check(item, (*path, index))
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, _CONTAINERS):
                    self._check(item, (*path, key))

    # -- what msgspec said, in our words

    def _problem(
        self, exc: msgspec.ValidationError, data: object, kind: mi.Type, at: Path
    ) -> Problem:
        text = str(exc)
        found = re.match(r"(?s)(.*?)(?: - at `\$(.*)`)?$", text)
        said, where = (found.group(1), found.group(2) or "") if found else (text, "")
        path, kind, value, steps = self._walk(where, data, kind, at)
        struct = struct_of(kind)
        if said.startswith("Object contains unknown field") and struct is not None:
            table = value if isinstance(value, dict) else {}
            unknown = tuple(sorted(set(table) - set(file_keys(struct))))
            if unknown:
                known = file_keys(struct)
                return self.source.problem(path, "", kind="unknown", unknown=unknown, known=known)
        missing = re.match(r"Object missing required field `([^`]+)`", said)
        if missing and struct is not None:
            field = next((f for f in struct.fields if f.encode_name == missing.group(1)), None)
            if field is not None:
                return self._missing(path, field.encode_name, field.type).problem
        # An item of a list of strings (or a map of them) is named by its list.
        while steps and holds_plain_items(steps[-1][1]):
            path, kind, value = steps.pop()
        what = words(kind, path)
        detail = f"expected {what}, got {value!r}"
        return self.source.problem(path, detail, kind="value", expected=what)

    def _walk(
        self, where: str, data: object, kind: mi.Type, at: Path
    ) -> tuple[Path, mi.Type, object, list[tuple[Path, mi.Type, object]]]:
        """Follow msgspec's ``.a[0].b[...]`` to the path, type and value it names; ``steps``
        keeps each container passed through (for naming a list by its item)."""
        path, steps = at, []
        for name, index, mapped in re.findall(r"\.([^.\[]+)|\[(\d+)\]|\[(\.\.\.)\]", where):
            steps.append((path, kind, data))
            plain = bare(kind)
            if name and isinstance(plain, mi.StructType):
                field = next((f for f in plain.fields if f.encode_name == name), None)
                kind = field.type if field is not None else mi.AnyType()
                data, path = (data.get(name) if isinstance(data, dict) else None), (*path, name)
            elif index and isinstance(plain, mi.ListType | mi.VarTupleType):
                kind, position = plain.item_type, int(index)
                data = data[position] if isinstance(data, list) else None
                path = (*path, position)
            elif mapped and isinstance(plain, mi.DictType) and isinstance(data, dict):
                kind = plain.value_type
                key = self._failing_key(data, kind)
                data, path = data.get(key), (*path, key)
            else:
                break
        return path, kind, data, steps

    @staticmethod
    def _failing_key(table: dict[str, Any], kind: mi.Type) -> str:
        """msgspec names a map's entry ``[...]``: the first entry that does not convert."""
        target = python_type(kind)
        for key, value in table.items():
            try:
                msgspec.convert(value, target, strict=True)
            except msgspec.ValidationError:
                return str(key)
        return str(next(iter(table), "?"))

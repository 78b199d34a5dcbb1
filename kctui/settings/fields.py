"""What the settings structs' field types say: the words errors use for them, the keys a file
may give, and the few words in a field's ``Meta(extra={...})`` that
:mod:`kctui.settings.validate` reads before converting:

- ``expected``: how errors name what the key takes (else worded from its type);
- ``missing``: the error when the key is absent (``{table}``: the table's dotted path);
- ``text``: a string given for a list: ``"comma"`` splits it on commas, ``"whole"`` is one item;
- ``case``: ``"upper"`` or ``"lower"``: a string is compared and kept in that case;
- ``rstrip``: characters stripped from the end of each string of a list;
- ``aliases``: other keys the file may use for this one;
- ``inherit``: when absent, the value of the same key in the enclosing table;
- ``numbered``: when absent or empty, this text with the table's position (from 1) in ``{}``;
- ``required``: the file must give it even though the struct has a default;
- ``internal``: never read from a file (set by the program);
- ``table_key``: the name of the table in its parent map (``clusters.<name>``);
- ``flatten``: nested tables are joined into one map with ``.`` (dotted keys);
- ``whole_part``: a number with a fraction is cut to its whole part (for a whole number);
- ``schema``: a struct the file's table is read with; its ``build()`` gives the value.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import msgspec.inspect as mi

from kctui.settings.keylines import Path

_type_info = functools.cache(mi.type_info)


def type_info(kind: type) -> mi.Type:
    """msgspec's description of a settings type (worked out once per type)."""
    return _type_info(kind)


def fields_of(struct: mi.StructType) -> tuple[tuple[mi.Field, dict[str, Any]], ...]:
    """A struct's fields with their extras (worked out once per struct class)."""
    return _fields_of_class(struct.cls)


@functools.cache
def _fields_of_class(cls: type) -> tuple[tuple[mi.Field, dict[str, Any]], ...]:
    info = type_info(cls)
    if not isinstance(info, mi.StructType):
        raise TypeError(f"{cls.__name__} is not a settings struct")
    return tuple((field, extra_of(field.type)) for field in info.fields)


def dotted(path: Path) -> str:
    """``("clusters", "a", "jmx", 0, "url")`` as ``clusters.a.jmx[0].url``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def extra_of(kind: mi.Type) -> dict[str, Any]:
    """The Meta(extra=...) of a field's type, looking inside ``X | None`` too."""
    if isinstance(kind, mi.Metadata):
        return {**extra_of(kind.type), **(kind.extra or {})}
    if isinstance(kind, mi.UnionType):
        found: dict[str, Any] = {}
        for member in kind.types:
            found.update(extra_of(member))
        return found
    return {}


def bare(kind: mi.Type) -> mi.Type:
    """The type without metadata and without ``| None``."""
    while True:
        if isinstance(kind, mi.Metadata):
            kind = kind.type
        elif isinstance(kind, mi.UnionType):
            members = [m for m in kind.types if not isinstance(m, mi.NoneType)]
            if len(members) != 1:
                return kind
            kind = members[0]
        else:
            return kind


def _number_words(kind: mi.IntType | mi.FloatType, noun: str) -> str:
    if kind.gt == 0 or (isinstance(kind, mi.IntType) and kind.ge == 1):
        return f"a positive {noun}"
    if kind.ge == 0:
        return f"a {noun} >= 0"
    return f"a {noun}"


def words(kind: mi.Type, path: Path = ()) -> str:
    """What a value of ``kind`` is, in the words of the error messages."""
    said = extra_of(kind).get("expected")
    if isinstance(said, str):
        return said
    kind = bare(kind)
    if isinstance(kind, mi.BoolType):
        return "true or false"
    if isinstance(kind, mi.StrType):
        return "a non-empty string" if kind.min_length else "a string"
    if isinstance(kind, mi.IntType):
        return _number_words(kind, "whole number")
    if isinstance(kind, mi.FloatType):
        return _number_words(kind, "number")
    if isinstance(kind, mi.LiteralType):
        return "one of " + ", ".join(str(v) for v in kind.values)
    if isinstance(kind, mi.ListType | mi.VarTupleType):
        item = bare(kind.item_type)
        if isinstance(item, mi.StructType):
            return f"an array of tables ([[{dotted(path)}]])"
        return "a list of strings" if isinstance(item, mi.StrType) else "a list"
    if isinstance(kind, mi.StructType | mi.DictType):
        return "a table"
    if isinstance(kind, mi.UnionType):
        return " or ".join(words(m) for m in kind.types if not isinstance(m, mi.NoneType))
    return str(kind)


def struct_of(kind: mi.Type) -> mi.StructType | None:
    plain = bare(kind)
    return plain if isinstance(plain, mi.StructType) else None


def file_keys(struct: mi.StructType) -> tuple[str, ...]:
    """The keys a file may give for ``struct`` (not the internal ones), aliases included."""
    keys: list[str] = []
    for field, extra in fields_of(struct):
        if not (extra.get("internal") or extra.get("table_key")):
            keys += [field.encode_name, *extra.get("aliases", ())]
    return tuple(sorted(keys))


def transform(value: object, extra: Mapping[str, Any]) -> object:
    """A field's value as its ``text``, ``case``, ``rstrip`` and ``flatten`` words say."""
    if isinstance(value, str):
        if extra.get("text") == "comma":
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif extra.get("text") == "whole":
            value = [value]
        elif extra.get("case") == "upper":
            value = value.upper()
        elif extra.get("case") == "lower":
            value = value.lower()
    if isinstance(value, list) and "rstrip" in extra:
        value = [v.rstrip(extra["rstrip"]) if isinstance(v, str) else v for v in value]
    if extra.get("flatten") and isinstance(value, dict):
        value = _flatten(value)
    return value


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def holds_plain_items(kind: mi.Type) -> bool:
    """A list or map whose items are not tables (a bad item is reported as its list)."""
    plain = bare(kind)
    if isinstance(plain, mi.ListType | mi.VarTupleType):
        return struct_of(plain.item_type) is None
    return isinstance(plain, mi.DictType) and struct_of(plain.value_type) is None


_PLAIN: dict[type[mi.Type], type] = {
    mi.StrType: str, mi.IntType: int, mi.FloatType: float, mi.BoolType: bool,
}  # fmt: skip


def python_type(kind: mi.Type) -> Any:
    """A Python type to convert one map entry with (enough to find the entry at fault)."""
    plain = bare(kind)
    if isinstance(plain, mi.StructType):
        return plain.cls
    return _PLAIN.get(type(plain), Any)

"""The base of every settings struct, and the error a wrong setting raises."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from kctui.errors import KctuiError


class ConfigError(KctuiError):
    """The config file (or an option) is wrong; the message names the file and key."""


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Settings read from a file: frozen, typed, unknown keys refused. Fields named in
    ``secret_fields`` (a password kcctl's file holds) never appear in ``repr``."""

    secret_fields: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in self.__struct_fields__
            if name not in self.secret_fields
        )
        return f"{type(self).__name__}({shown})"

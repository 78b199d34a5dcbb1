"""The base error of kctui: an error a user can act on, printed as one clear line."""

from __future__ import annotations


class KctuiError(Exception):
    """An expected failure with a message fit for the user; the CLI prints it and exits."""

    exit_code = 2

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self)

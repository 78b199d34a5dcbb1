"""Fixtures for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _fresh_diagnosis_rules() -> Iterator[None]:
    """The rule loader remembers the commands' --config path and the rules last loaded
    (process-wide, as the CLI wants): a test that runs a command must not leave them to
    the next test."""
    yield
    from kctui.diagnose import loading

    loading.use_config_file(None)
    loading._loaded = None

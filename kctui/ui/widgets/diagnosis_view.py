"""What a failure usually means: a diagnosis (kctui.diagnose) shown above or beside it."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from kctui.diagnose import Diagnosis


def diagnosis_content(found: Diagnosis) -> Content:
    """``Diagnosis`` summary, then what to do, then the documentation link (muted)."""
    parts: list[str | tuple[str, str]] = [
        ("Diagnosis ", "bold $warning"),
        found.summary,
        ("\nAction ", "bold"),
        found.action,
    ]
    if found.link:
        parts += [("\nDocs ", "bold"), (found.link, "$text-muted")]
    return Content.assemble(*parts)


class DiagnosisView(Static):
    """Hidden when there is no diagnosis; the diagnosed rule id is kept for tests and tools."""

    DEFAULT_CSS = """
    DiagnosisView {
        height: auto;
        max-height: 7;
        padding: 0 1;
        border-left: thick $warning;
        background: $boost;
        display: none;
    }
    DiagnosisView.-shown { display: block; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, markup=False)
        self.diagnosis: Diagnosis | None = None

    def show(self, found: Diagnosis | None) -> None:
        if found == self.diagnosis:
            return
        self.diagnosis = found
        self.set_class(found is not None, "-shown")
        self.update(diagnosis_content(found) if found else "")

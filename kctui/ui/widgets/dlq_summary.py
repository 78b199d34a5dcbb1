"""Summary bar (counts by exception class and stage; choosing a group filters) and status line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from kctui.diagnose import Diagnosis
from kctui.dlq.groups import CauseGroup
from kctui.dlq.records import Summary, format_timestamp

ALL = "all"
MAX_CAUSE = 72  # characters of a cause in its option; the whole text is in --summary


def group_id(kind: str, value: str) -> str:
    return f"{kind}\x1f{value}"


class DlqSummary(Vertical):
    """``340 records, 338 DataException at VALUE_CONVERTER`` and one option per group."""

    DEFAULT_CSS = """
    DlqSummary { height: auto; max-height: 10; }
    DlqSummary #dlq-headline { text-style: bold; padding: 0 1; }
    DlqSummary OptionList { height: auto; max-height: 8; border: none; padding: 0 1; }
    """

    class GroupSelected(Message):
        """A group was chosen: ``kind`` is cause, exception or stage; None means show all."""

        def __init__(self, kind: str | None, value: str | None) -> None:
            super().__init__()
            self.kind = kind
            self.value = value

    def compose(self) -> ComposeResult:
        yield Static("", id="dlq-headline", markup=False)
        yield OptionList(id="dlq-groups")

    def show(
        self,
        summary: Summary,
        active: tuple[str, str] | None,
        causes: Sequence[CauseGroup] = (),
        diagnoses: Mapping[tuple[str, str], Diagnosis] | None = None,
    ) -> None:
        """Refresh counts; ``active`` is the group currently filtering the table. Groups by
        cause come first (largest first), then by exception class and by stage;
        ``diagnoses`` (keyed by kind and value) adds what a group's failure usually means,
        under the first group it explains."""
        self.query_one("#dlq-headline", Static).update(summary.headline)
        options = self.query_one("#dlq-groups", OptionList)
        highlighted = options.highlighted
        prefix = "  "
        shown = [Option(f"{'▶ ' if active is None else prefix}all ({summary.total})", id=ALL)]
        told: set[str] = set()

        def explained(label: str, kind: str, value: str) -> str | Content:
            found = (diagnoses or {}).get((kind, value))
            if found is None or found.rule in told:  # each diagnosis once
                return label
            told.add(found.rule)
            return Content.assemble(
                label, ("\n    ", ""), (f"{found.rule}: ", "bold $warning"), found.summary
            )

        for group in causes:
            mark = "▶ " if active == ("cause", group.key) else prefix
            seen = format_timestamp(group.last_ms)[5:16] if group.last_ms is not None else "-"
            spread = len(group.partitions)
            cause = group.cause or "(no message)"
            cause = cause if len(cause) <= MAX_CAUSE else cause[: MAX_CAUSE - 1] + "…"
            label = (
                f"{mark}{group.count:>5}  {group.exception_class.rsplit('.', 1)[-1]} at "
                f"{group.stage}: {cause}  "
                f"(last {seen}, {spread} partition{'s' if spread != 1 else ''})"
            )
            shown.append(
                Option(explained(label, "cause", group.key), id=group_id("cause", group.key))
            )
        for kind, groups in (("exception", summary.by_exception), ("stage", summary.by_stage)):
            for value, count in groups:
                mark = "▶ " if active == (kind, value) else prefix
                text = f"{mark}{kind}: {value} ({count})"
                shown.append(Option(explained(text, kind, value), id=group_id(kind, value)))
        options.set_options(shown)  # one refresh of the list, not one per option
        if highlighted is not None and highlighted < options.option_count:
            options.highlighted = highlighted

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ALL
        if option_id == ALL:
            self.post_message(self.GroupSelected(None, None))
            return
        kind, value = option_id.split("\x1f", 1)
        self.post_message(self.GroupSelected(kind, value))


class DlqStatus(Horizontal):
    """One line: what is shown (or the error), and a progress bar while a read runs."""

    DEFAULT_CSS = """
    DlqStatus { height: 1; padding: 0 1; background: $panel; }
    DlqStatus #dlq-status-text { width: 1fr; }
    DlqStatus.-error #dlq-status-text { color: $error; text-style: bold; }
    DlqStatus ProgressBar { width: 40; display: none; }
    DlqStatus.-reading ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="dlq-status-text", markup=False)
        yield ProgressBar(total=None, show_eta=False, id="dlq-progress")

    @property
    def text(self) -> str:
        return str(self.query_one("#dlq-status-text", Static).content)

    def reading(self, text: str) -> None:
        self.set_class(False, "-error")
        self.set_class(True, "-reading")
        self.query_one("#dlq-status-text", Static).update(text)
        self.query_one(ProgressBar).update(total=None, progress=0)

    def progress(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=max(total, 1), progress=done)

    def idle(self, text: str) -> None:
        self.set_class(False, "-error", "-reading")
        self.query_one("#dlq-status-text", Static).update(text)

    def error(self, text: str) -> None:
        self.set_class(False, "-reading")
        self.set_class(True, "-error")
        self.query_one("#dlq-status-text", Static).update(text)

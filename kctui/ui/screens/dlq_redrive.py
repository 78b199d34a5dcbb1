"""Redrive from the DLQ browser: choose the target, preview every record, then watch each
result. Mixed into ``DlqScreen``; the plan and the sends run in its thread worker."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Footer, RichLog, Static
from textual.worker import get_current_worker

from kctui.dlq import redrive
from kctui.errors import KctuiError
from kctui.ui.screens.base import KctuiModalScreen
from kctui.ui.screens.dlq_modals import DlqPrompt
from kctui.ui.screens.dlq_read import DlqRedrivePlanned, Job
from kctui.ui.widgets.dlq_table import DlqTable

if TYPE_CHECKING:
    from textual.app import App

    from kctui.dlq.records import DeadLetter
    from kctui.settings import ClusterConfig

MAX_PREVIEW_LINES = 2000


class RedriveScreen(KctuiModalScreen[bool]):
    """The preview of a redrive (enter sends, escape cancels), then each result as it comes.
    The sends run in this screen's thread worker, through the one producer door."""

    BINDINGS = [
        Binding("enter", "send", "Send", id="redrive.send"),
        Binding("escape", "close", "Cancel/close", id="dialog.close"),
    ]

    class Sent(Message):
        def __init__(self, outcome: redrive.Outcome) -> None:
            super().__init__()
            self.outcome = outcome

    class Finished(Message):
        def __init__(self, text: str, failed: bool) -> None:
            super().__init__()
            self.text, self.failed = text, failed

    def __init__(self, cluster: ClusterConfig, plan: redrive.Plan, warnings: list[str]) -> None:
        super().__init__()
        self.cluster = cluster
        self.plan = plan
        self.warnings = warnings
        self.started = False
        self.running = False
        self.failures: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("", id="redrive-title", markup=False)
            yield Static("", id="redrive-warnings", markup=False)
            yield RichLog(id="redrive-lines", wrap=False, markup=False, max_lines=10_000)
        yield Footer()

    def on_mount(self) -> None:
        plan = self.plan
        targets = ", ".join(f"{topic} ({n})" for topic, n in plan.targets.items()) or "nothing"
        self.title_text(
            f"Redrive {len(plan.sends)} dead letters of {plan.dlq_topic} to {targets}; "
            f"{len(plan.skips)} skipped. Enter sends (idempotent producer, acks=all); "
            "the DLQ is not changed."
        )
        warnings = list(self.warnings)
        if self.cluster.read_only:
            warnings.insert(0, "read-only cluster: nothing can be sent")
        self.query_one("#redrive-warnings", Static).update("\n".join(warnings))
        self.query_one("#redrive-warnings", Static).display = bool(warnings)
        lines = self.query_one(RichLog)
        for send in plan.sends[:MAX_PREVIEW_LINES]:
            lines.write(f"send {plan.dlq_topic} {send.dlq_partition}@{send.dlq_offset} -> "
                        f"{redrive.target_text(send)}, {len(send.headers)} headers")  # fmt: skip
        for skip in plan.skips[:MAX_PREVIEW_LINES]:
            lines.write(f"skip {plan.dlq_topic} {skip.dlq_partition}@{skip.dlq_offset}: "
                        f"{skip.reason}")  # fmt: skip

    def title_text(self, text: str) -> None:
        self.query_one("#redrive-title", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "send":
            return not (self.started or self.cluster.read_only or not self.plan.sends)
        return True

    def action_send(self) -> None:
        if not self.check_action("send", ()):
            return
        self.started = self.running = True
        self.query_one(RichLog).clear()
        self.title_text(f"Sending {len(self.plan.sends)} dead letters of {self.plan.dlq_topic}… "
                        "(escape stops after the current record)")  # fmt: skip
        self.refresh_bindings()
        self._run()

    @work(thread=True, exclusive=True, group="dlq-redrive", exit_on_error=False, name="redrive")
    def _run(self) -> None:
        worker = get_current_worker()
        plan = self.plan
        log = redrive.RedriveLog(redrive.report_path(self.cluster.name, plan.dlq_topic))
        try:
            producer = redrive.RecordProducer(self.cluster)
        except KctuiError as exc:
            self.post_message(self.Finished(f"nothing sent: {exc}", True))
            return
        try:
            outcomes = redrive.execute(
                plan, producer, log,
                on_each=lambda outcome: self.post_message(self.Sent(outcome)),
                cancelled=lambda: worker.is_cancelled,
            )  # fmt: skip
        finally:
            producer.close()
        failed = sum(1 for o in outcomes if o.landed is None)
        stopped = " (stopped)" if len(outcomes) < len(plan.sends) else ""
        self.post_message(self.Finished(
            f"sent {len(outcomes) - failed}, failed {failed}, skipped {len(plan.skips)}{stopped}; "
            f"report: {log.path}", bool(failed)))  # fmt: skip

    def on_redrive_screen_sent(self, message: Sent) -> None:
        line = message.outcome.line(self.plan.dlq_topic)
        self.query_one(RichLog).write(line)
        if message.outcome.landed is None:
            self.failures.append(line)

    def on_redrive_screen_finished(self, message: Finished) -> None:
        self.running = False
        self.title_text(message.text)
        log = self.query_one(RichLog)
        if self.failures:  # failures stay on screen, last and together
            log.write("failures:")
            for line in self.failures:
                log.write(line)
        self.query_one("#redrive-title", Static).set_class(message.failed, "-failed")

    def action_close(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "dlq-redrive")
            return
        self.dismiss(self.started)


class DlqRedriveActions:
    """``R``: redrive the marked dead letters, else every one shown (the current group)."""

    topic: str | None
    cluster: ClusterConfig
    dlq_topics: dict[str, str]
    app: App[Any]
    query_one: Callable[..., Any]
    notify: Callable[..., None]
    _start: Callable[[str, Job], None]

    def action_redrive(self) -> None:
        table = self.query_one(DlqTable)
        chosen: list[DeadLetter] = table.marked_dead_letters or table.dead_letters
        topic = self.topic
        if not chosen or topic is None:
            self.notify("nothing to redrive", severity="warning")
            return
        what = "marked" if table.marked_dead_letters else "shown"
        originals = {dl.original_topic for dl in chosen if dl.original_topic}
        default = originals.pop() if len(originals) == 1 else ""

        def answered(value: str | None) -> None:
            if value is None:
                return
            target = None if value == default else value
            self._start(
                f"planning the redrive of {len(chosen)} dead letters",
                lambda _c, _p: DlqRedrivePlanned(*self._plan(topic, chosen, target)),
            )

        self.app.push_screen(
            DlqPrompt(
                f"Redrive {len(chosen)} {what} dead letters to topic",
                value=default,
                placeholder="target topic",
                help="Their original topic is filled in when they share one; a preview follows.",
            ),
            answered,
        )

    def _plan(
        self, topic: str, chosen: list[DeadLetter], target: str | None
    ) -> tuple[redrive.Plan, list[str]]:
        """In the read thread: the plan (the report says what went before) and warnings."""
        dlq_topics, state, warnings = redrive.checks(self.cluster, topic)
        log = redrive.RedriveLog(redrive.report_path(self.cluster.name, topic))
        plan = redrive.plan(topic, chosen, to_topic=target,
                            dlq_topics=dlq_topics | set(self.dlq_topics),
                            already=log.already())  # fmt: skip
        if state is not None:
            warnings += redrive.sink_warnings(plan.targets, state)
        return plan, warnings

    def show_redrive_plan(self, plan: redrive.Plan, warnings: list[str]) -> None:
        self.app.push_screen(RedriveScreen(self.cluster, plan, warnings))

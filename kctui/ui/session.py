"""One console session: what the console knows about its cluster, in one typed object.

The pollers WRITE it (``ClusterPoller`` the state and server info, ``WorkerHealthPoller``
the worker health, ``MetricsPoller`` the metrics service), actions write outcomes and DEBUG
loggers; screens READ it through ``session_of(node)`` (or ``KctuiScreen.session``) and are
told of changes by messages (``ClusterStateChanged``, ``MetricsChanged``...) whose payloads
they use. Rows and verdicts come from the state and the metrics together, so the health of
a connector is the same on every screen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kctui.connect.models import ClusterState, Connector, ServerInfo
from kctui.connect.protocol import ConnectApi
from kctui.connect.worker_health import WorkerHealth
from kctui.diagnose.loading import builtin_rules
from kctui.diagnose.model import Rule
from kctui.health import HealthVerdict
from kctui.masking import mask_text
from kctui.rows import ConnectorRow
from kctui.settings import ClusterConfig
from kctui.ui.metrics_service import MetricsService
from kctui.ui.view import RowCache

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from kctui.ui.app import KctuiApp

OUTCOME_KINDS = ("pending", "ok", "failed")


@dataclass(frozen=True)
class DebugEntry:
    """A logger kctui set to DEBUG for a connector, and what to restore."""

    logger: str
    previous: str
    connector: str
    scope: str | None
    screen_key: int


@dataclass
class ConsoleSession:
    """The cluster the console shows and what the operator did to it in this session."""

    cluster: ClusterConfig
    client: ConnectApi | None = None
    state: ClusterState | None = None  # the latest refresh (or an action's overlay)
    server_info: ServerInfo | None = None  # GET / of the cluster, once known
    worker_health: tuple[WorkerHealth, ...] | None = None  # GET /health of every worker
    outcomes: dict[str, str] = field(default_factory=dict)  # connector -> last action text
    outcome_kinds: dict[str, str] = field(default_factory=dict)  # pending, ok or failed
    debug_loggers: dict[str, DebugEntry] = field(default_factory=dict)  # set by ``x``
    row_cache: RowCache = field(default_factory=RowCache)
    # the diagnosis rules the command loaded (the shipped ones with the user's)
    rules: tuple[Rule, ...] = field(default_factory=builtin_rules)
    metrics: MetricsService = field(init=False)  # one source, one history for the console

    def __post_init__(self) -> None:
        self.metrics = MetricsService(self.cluster)

    @property
    def api(self) -> ConnectApi:
        """The Connect client (the app creates it on mount when none was given)."""
        if self.client is None:
            raise RuntimeError("the console has no Connect client yet")
        return self.client

    @property
    def read_only(self) -> bool:
        return bool(self.cluster.read_only or (self.client is not None and self.client.read_only))

    def rows(self, state: ClusterState | None = None) -> list[ConnectorRow]:
        """Connector rows (health from the state and the metrics, unhealthy first) of
        ``state`` or the latest one."""
        return self.row_cache.rows(state if state is not None else self.state, self.metrics)

    def verdict(self, connector: Connector) -> HealthVerdict:
        """The health of ``connector`` as every screen shows it (rows, reason, header)."""
        return self.metrics.verdict(connector)

    def record_outcome(
        self, names: Iterable[str], text: str, kind: str
    ) -> tuple[tuple[str, ...], str]:
        """Keep how the last action on ``names`` goes; the connectors and the masked text."""
        if kind not in OUTCOME_KINDS:
            raise ValueError(f"outcome kind must be one of {', '.join(OUTCOME_KINDS)}: {kind}")
        connectors, text = tuple(names), mask_text(text)
        for name in connectors:
            self.outcomes[name], self.outcome_kinds[name] = text, kind
        return connectors, text

    def dlq_topics(self) -> dict[str, str]:
        """DLQ topic -> sink connector name, for every sink with a DLQ."""
        if self.state is None:
            return {}
        return {
            c.dlq_topic: c.name
            for c in self.state.connectors.values()
            if c.dlq_topic and c.type != "source"
        }


def rules_of(node: DOMNode) -> tuple[Rule, ...]:
    """The diagnosis rules a screen uses: the console session's (the command loaded them:
    the shipped rules with the user's), or the shipped ones in an app without a session."""
    session = getattr(node.app, "session", None)
    return session.rules if isinstance(session, ConsoleSession) else builtin_rules()


def session_of(node: DOMNode) -> ConsoleSession:
    """The one typed accessor screens and widgets read the session through.

    The console app holds it as ``session``; a test app hosting one screen may too.
    """
    session = getattr(node.app, "session", None)
    if not isinstance(session, ConsoleSession):
        raise TypeError(f"{type(node).__name__} runs in an app without a console session")
    return session


def console_of(node: DOMNode) -> KctuiApp:
    """The console app of ``node`` (a screen, a widget or the app itself), typed."""
    from kctui.ui.app import KctuiApp

    app = node.app
    if not isinstance(app, KctuiApp):
        raise TypeError(f"{type(node).__name__} runs outside the kctui console")
    return app

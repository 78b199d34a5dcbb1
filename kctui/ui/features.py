"""The console's feature screens, each built by a typed factory from the cluster settings.

A screen's module is imported when the screen first opens (the DLQ browser brings the Kafka
reader, the log view its parsers), so ``kctui`` starts fast; a module that fails to import
or lacks its class raises, as any bug does (the app names a missing one).
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.screen import Screen

from kctui.settings import ClusterConfig


def dlq_screen(
    cluster: ClusterConfig, dlq_topics: Mapping[str, str], topic: str | None = None
) -> Screen[None]:
    """The DLQ browser: every DLQ topic of the cluster, or ``topic`` opened at once."""
    from kctui.ui.screens import dlq

    return dlq.DlqScreen(cluster, dlq_topics=dlq_topics, topic=topic)


def log_screen(
    cluster: ClusterConfig,
    connector: str | None = None,
    task: int | None = None,
    *,
    around_failure: bool = False,
) -> Screen[None]:
    """The worker logs, filtered to a connector (and task), opened at its failure if asked."""
    from kctui.ui.screens import logs

    return logs.LogScreen(cluster, connector=connector, task=task, around_failure=around_failure)


def metrics_screen(cluster: ClusterConfig, connector: str | None = None) -> Screen[None]:
    """Worker and task metrics, of one connector or of all."""
    from kctui.ui.screens import metrics

    return metrics.MetricsScreen(cluster, connector=connector)


def plugins_screen(cluster: ClusterConfig) -> Screen[None]:
    """The installed plugins and their versions."""
    from kctui.ui.screens import plugins

    return plugins.PluginsScreen(cluster)


def loggers_screen(cluster: ClusterConfig) -> Screen[None]:
    """The workers' log levels."""
    from kctui.ui.screens import loggers

    return loggers.LoggersScreen(cluster)

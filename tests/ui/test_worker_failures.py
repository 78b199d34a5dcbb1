"""No worker's failure is lost: every screen forwards it to the app's one reporter."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.screen import Screen

import kctui.ui.screens
from kctui.errors import KctuiError
from kctui.metrics.model import MetricsSnapshot
from kctui.ui.metrics_service import MetricsService
from kctui.ui.screens.base import WorkerFailures
from kctui.ui.screens.metrics import MetricsScreen
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.test_metrics_screen import CLUSTER, FakeSource


class BrokenSource(FakeSource):
    """A metrics source whose fetch fails (an exporter page kctui cannot read)."""

    def fetch(self, configs: object = None, connector: str | None = None) -> MetricsSnapshot:
        self.calls += 1
        raise KctuiError("http://w1:9404/metrics: not a Prometheus page")


def screen_classes() -> list[type[Screen[object]]]:
    found: list[type[Screen[object]]] = []
    for module in pkgutil.iter_modules(kctui.ui.screens.__path__):
        loaded = importlib.import_module(f"kctui.ui.screens.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == loaded.__name__:
                found.append(cls)
    return found


def test_every_screen_forwards_its_worker_failures() -> None:
    classes = screen_classes()
    assert len(classes) >= 15  # every screen and dialog of the console
    lost = [cls.__qualname__ for cls in classes if not issubclass(cls, WorkerFailures)]
    assert lost == []


async def test_a_failed_metrics_fetch_becomes_a_notice() -> None:
    app = make_app()
    source = BrokenSource()
    app.session.metrics = MetricsService(app.cluster, source)  # the console's one source
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await app.push_screen(MetricsScreen(CLUSTER, None))
        await wait_for(pilot, lambda: source.calls >= 1, what="the fetch")
        await wait_for(
            pilot,
            lambda: any("not a Prometheus page" in str(n.message) for n in app._notifications),
            what="the failure notice",
        )
        notice = next(n for n in app._notifications if "Prometheus" in str(n.message))
        assert notice.severity == "error" and notice.title.endswith("failed")

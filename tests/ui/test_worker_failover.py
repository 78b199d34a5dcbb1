"""A killed worker as the real sandbox shows it (tests/integration/test_worker_failure.py):
its tasks keep RUNNING on the dead worker id until the rebalance moves them, never
UNASSIGNED; the console says so when the worker it asked stops answering, and again when
the dead worker runs nothing any more."""

from __future__ import annotations

from dataclasses import replace

from kctui.connect.models import ClusterState
from kctui.ui.app import KctuiApp
from tests.ui.conftest import make_app, ready, wait_for
from tests.ui.fakes import W1, W2, FakeClient

URL1, URL2 = "http://127.0.0.1:29083", "http://127.0.0.1:29084"


class FailoverClient(FakeClient):
    """A fake that says which worker URL answered, like ``ConnectClient`` does."""

    worker_url = URL2

    async def cluster_state(self) -> ClusterState:
        return replace(await super().cluster_state(), worker_url=self.worker_url)


def messages(app: KctuiApp, title: str) -> list[str]:
    return [n.message for n in app._notifications if n.title == title]


async def test_failover_is_reported_then_the_worker_gone_once_its_tasks_moved() -> None:
    client = FailoverClient()
    app = make_app(client)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        assert not messages(app, "worker not answering")

        client.worker_url = URL1  # worker-2 was killed: the client asked worker-1 instead
        app.poller.refresh_now()
        await wait_for(pilot, lambda: bool(messages(app, "worker not answering")))
        (notice,) = messages(app, "worker not answering")
        assert notice.startswith(f"{URL2} does not answer; asking {URL1}")
        assert "RUNNING" in notice
        assert app.state is not None and W2 in app.state.workers  # stale statuses
        assert not messages(app, "worker gone")

        for entry in client.connectors.values():  # the rebalance moved worker-2's tasks
            for task in entry["status"]["tasks"]:
                if task["worker_id"] == W2:
                    task["worker_id"] = W1
        app.poller.refresh_now()
        await wait_for(pilot, lambda: bool(messages(app, "worker gone")))
        assert W2 in messages(app, "worker gone")[0]
        assert len(messages(app, "worker not answering")) == 1  # said once, not every refresh

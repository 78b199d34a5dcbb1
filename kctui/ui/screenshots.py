"""Export the SVG screenshots of ``docs/screenshots`` from the console on a real cluster.

Developer tool: ``python -m kctui.ui.screenshots --url http://127.0.0.1:29083 --out
docs/screenshots`` (the sandbox). Secrets stay masked (the config screenshot never
reveals them) and nothing else is written.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import Any

from kctui.settings import ClusterConfig
from kctui.ui.app import KctuiApp


async def _until(pilot: Any, condition: Any, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the console")
        await pilot.pause(0.05)


async def shoot(cluster: ClusterConfig, out: Path, only: str | None) -> list[Path]:
    from kctui.ui.screens.connector import ConnectorScreen
    from kctui.ui.widgets.connector_table import ConnectorTable

    written: list[Path] = []
    for width, height in ((80, 24), (160, 48)):
        app = KctuiApp(cluster)
        async with app.run_test(size=(width, height)) as pilot:
            await _until(
                pilot, lambda a=app: a.state is not None and a.screen.query(ConnectorTable)
            )
            table = app.screen.query_one(ConnectorTable)
            await _until(pilot, lambda t=table: t.row_count > 0)
            if only:
                await pilot.press("slash", *only, "enter")
            await pilot.pause(0.3)
            written.append(Path(app.save_screenshot(f"overview-{width}x{height}.svg", str(out))))
            if (width, height) != (80, 24):
                if cluster.kafka is not None:
                    written.append(await _dlq_shot(app, pilot, table, out))
                continue
            table.select("demo-failing-sink")
            await pilot.press("enter")
            await _until(pilot, lambda a=app: isinstance(a.screen, ConnectorScreen))
            await pilot.pause(0.3)
            written.append(Path(app.save_screenshot("detail-trace.svg", str(out))))
            app.pop_screen()
            table.select("demo-smt-source")
            await pilot.press("enter", "2")
            await pilot.pause(0.3)
            written.append(Path(app.save_screenshot("detail-config.svg", str(out))))
            app.pop_screen()
            await pilot.press("question_mark")
            await pilot.pause(0.3)
            written.append(Path(app.save_screenshot("help.svg", str(out))))
    return written


async def _dlq_shot(app: KctuiApp, pilot: Any, table: Any, out: Path) -> Path:
    """The DLQ of demo-avro-sink: groups by cause and an Avro value decoded."""
    from kctui.ui.screens.dlq import DlqScreen
    from kctui.ui.widgets.dlq_table import DlqTable

    table.select("demo-avro-sink")
    table.focus()
    await pilot.press("D")
    await _until(pilot, lambda: isinstance(app.screen, DlqScreen))
    await _until(pilot, lambda: app.screen.query_one(DlqTable).row_count > 0)
    await pilot.pause(0.5)
    return Path(app.save_screenshot("dlq-avro.svg", str(out)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:29083,http://127.0.0.1:29084")
    parser.add_argument(
        "--cluster", default=None, help="a cluster of the config file instead of --url "
        "(the sandbox's has Kafka and the registry, for the DLQ shot)",
    )  # fmt: skip
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--filter", default=None, help="filter typed before the overview shot")
    args = parser.parse_args()
    if args.cluster:
        from msgspec.structs import replace

        from kctui.configfile import load_config

        cluster = replace(load_config().clusters[args.cluster], refresh_seconds=30, jmx=())
    else:
        urls = tuple(u.strip() for u in args.url.split(",") if u.strip())
        cluster = ClusterConfig(name="sandbox", urls=urls, refresh_seconds=30)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(cluster, Path(args.out), args.filter)):
        print(path)


if __name__ == "__main__":
    main()

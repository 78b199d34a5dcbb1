"""Alerts of ``kctui watch``: run a command (event JSON on stdin) or POST to a webhook.

Only failed and gave-up events are sent, at most one per connector, task and event kind
every ``alert_min_interval_seconds``. A failing alert is reported, never fatal. The
command runs without a shell (an argv list); the webhook gets the event's JSON body.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import httpx

from kctui.masking import mask_urls
from kctui.operate.watch import ALERT_EVENTS, WatchEvent
from kctui.settings import AlertSettings

COMMAND_TIMEOUT = 30.0
WEBHOOK_TIMEOUT = 10.0


class AlertSender:
    """Sends alerts for one cluster, rate limited per (connector, task, event)."""

    def __init__(
        self,
        settings: AlertSettings,
        *,
        clock: Callable[[], float],
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.last_sent: dict[tuple[str, int | None, str], float] = {}
        self.sent = 0
        self.suppressed = 0

    def due(self, event: WatchEvent) -> bool:
        """True when ``event`` is an alert and its rate limit lets it through (and notes it)."""
        if not self.settings.configured or event.event not in ALERT_EVENTS:
            return False
        key = (event.connector, event.task, event.event)
        now = self.clock()
        last = self.last_sent.get(key)
        if last is not None and now - last < self.settings.min_interval_seconds:
            self.suppressed += 1
            return False
        self.last_sent[key] = now
        return True

    async def send(self, event: WatchEvent) -> list[str]:
        """Send ``event`` when due; the problems met (empty when all went well)."""
        if not self.due(event):
            return []
        body = json.dumps(event.to_json()).encode()
        problems = []
        if self.settings.command:
            problem = await self._run_command(body)
            if problem:
                problems.append(problem)
        if self.settings.webhook:
            problem = await self._post(body)
            if problem:
                problems.append(problem)
        self.sent += 1
        return problems

    async def _run_command(self, body: bytes) -> str | None:
        argv = self.settings.command
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            return f"alert_command {argv[0]!r} could not start: {exc.strerror or exc}"
        try:
            _, stderr = await asyncio.wait_for(process.communicate(body), COMMAND_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            return f"alert_command {argv[0]!r} did not finish within {COMMAND_TIMEOUT:g} s"
        if process.returncode:
            tail = stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
            return f"alert_command {argv[0]!r} exited {process.returncode}: {tail[0]}".rstrip(": ")
        return None

    async def _post(self, body: bytes) -> str | None:
        url = self.settings.webhook or ""
        shown = mask_urls(url)
        try:
            async with httpx.AsyncClient(
                transport=self.transport, timeout=WEBHOOK_TIMEOUT
            ) as client:
                answer = await client.post(
                    url, content=body, headers={"content-type": "application/json"}
                )
        except httpx.HTTPError as exc:
            return f"alert_webhook {shown}: {type(exc).__name__}: {exc}"
        if answer.status_code >= 300:
            return f"alert_webhook {shown} answered HTTP {answer.status_code}"
        return None

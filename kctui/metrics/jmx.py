"""Read the Connect MBeans of every worker: ONE jmxquery call per worker per refresh.

jmxquery 0.6.0 runs ``java -jar JMXQuery-0.1.8.jar -url URL -json [-u U -p P] -q "q1;q2;"``
and parses its stdout. Its Python wrapper has failure modes that would hide the cause
(``AttributeError`` from its timeout handler, ``CalledProcessError`` on connection
refused, ``JSONDecodeError`` when a string attribute holds a quote or a newline, which
the jar does not escape). So kctui builds the same command itself, runs it with its own
deadline (the JVM is killed when it passes), reads the jar's error answers, and parses
the output leniently. Everything here is blocking: the UI calls it from a thread worker.
A worker that does not answer becomes a :class:`WorkerSnapshot` with ``error`` set;
nothing in this module raises for a bad endpoint.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from kctui.errors import KctuiError
from kctui.metrics import catalog
from kctui.metrics.model import MetricsSnapshot, WorkerSnapshot
from kctui.metrics.parse import JmxError, build_worker_snapshot, jar_error, parse_output
from kctui.settings import ClusterConfig, ConfigError, JmxEndpoint, MetricsEndpoint

# Options for the short-lived query JVM: it runs for a fraction of a second, so the
# C2 compiler and a parallel GC only cost CPU.
JAVA_OPTIONS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m")
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class JmxRequest:
    """Everything one jmxquery call needs."""

    url: str
    queries: tuple[str, ...]
    timeout: float = DEFAULT_TIMEOUT
    username: str | None = None
    password: str | None = field(default=None, repr=False)


Runner = Callable[[JmxRequest], str]


def jar_path() -> str:
    """The jar shipped inside the jmxquery package (imported lazily)."""
    import jmxquery

    return str(jmxquery.JAR_PATH)


def java_executable(env: Mapping[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    if env.get("KCTUI_JAVA"):
        return env["KCTUI_JAVA"]
    if env.get("JAVA_HOME"):
        candidate = os.path.join(env["JAVA_HOME"], "bin", "java")
        if os.path.exists(candidate):
            return candidate
    found = shutil.which("java")
    if found is None:
        raise JmxError(
            "java not found: reading JMX needs a Java runtime (set JAVA_HOME or KCTUI_JAVA)"
        )
    return found


def build_command(request: JmxRequest, java: str = "java", jar: str | None = None) -> list[str]:
    """The command jmxquery itself would run, plus cheap JVM options."""
    command = [java, *JAVA_OPTIONS, "-jar", jar or jar_path(), "-url", request.url, "-json"]
    if request.username:
        command += ["-u", request.username, "-p", request.password or ""]
    command += ["-q", "".join(q + ";" for q in request.queries)]
    return command


class JarRunner:
    """Runs the jmxquery jar with a hard deadline; ``cancel()`` kills queries under way.

    One per metrics source, so closing a screen (or quitting) does not wait for a
    query against a silent port to reach its deadline.
    """

    def __init__(self) -> None:
        self._live: set[subprocess.Popen[bytes]] = set()
        self._lock = threading.Lock()
        self.cancelled = False

    def __call__(self, request: JmxRequest) -> str:
        command = build_command(request, java=java_executable())
        with self._lock:
            if self.cancelled:
                raise JmxError("query cancelled")
            try:
                process = subprocess.Popen(
                    command,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    stdin=subprocess.DEVNULL,
                )
            except OSError as exc:
                raise JmxError(f"cannot start java: {exc.strerror or exc}") from exc
            self._live.add(process)
        try:
            stdout, stderr = process.communicate(timeout=request.timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            raise JmxError(f"no answer within {request.timeout:g} s") from None
        finally:
            with self._lock:
                self._live.discard(process)
        if self.cancelled:
            raise JmxError("query cancelled")
        text = stdout.decode("utf-8", errors="replace")
        if process.returncode != 0:
            raise JmxError(jar_error(text or stderr.decode("utf-8", errors="replace")))
        return text

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            for process in self._live:
                process.kill()


def run_jar(request: JmxRequest) -> str:
    """Run the jmxquery jar once with a hard deadline; the JVM is killed when it passes."""
    return JarRunner()(request)


def describe_failure(exc: BaseException, timeout: float) -> str:
    """A clear sentence for anything a runner (ours or jmxquery's own wrapper) raises."""
    if isinstance(exc, KctuiError):
        return str(exc)
    if isinstance(exc, subprocess.CalledProcessError):
        output = exc.output or exc.stdout or b""
        if isinstance(output, bytes):
            output = output.decode("utf-8", errors="replace")
        return jar_error(str(output)) if output else f"jmxquery exited with {exc.returncode}"
    if isinstance(exc, subprocess.TimeoutExpired | TimeoutError):
        return f"no answer within {timeout:g} s"
    if isinstance(exc, AttributeError):
        # jmxquery 0.6.0 logs ``err.output.decode()`` on timeout, and output is None.
        return f"no answer within {timeout:g} s (jmxquery timed out)"
    if isinstance(exc, ValueError):
        return f"unreadable answer from jmxquery: {exc}"
    if isinstance(exc, FileNotFoundError):
        return "java not found: reading JMX needs a Java runtime (set JAVA_HOME or KCTUI_JAVA)"
    if isinstance(exc, OSError):
        return f"cannot run jmxquery: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- fetching


def fetch_worker(
    endpoint: JmxEndpoint | MetricsEndpoint,
    *,
    runner: Runner = run_jar,
    timeout: float = DEFAULT_TIMEOUT,
    groups: tuple[str, ...] = catalog.GROUPS,
    connector: str | None = None,
    env: Mapping[str, str] | None = None,
    clock: Callable[[], float] = time.time,
) -> WorkerSnapshot:
    """One worker's metrics from one jmxquery call; failures become ``error`` text.

    With ``connector``, only that connector's MBeans are asked for (plus the worker's).
    """
    started = time.monotonic()
    fetched_at = clock()
    try:
        password = endpoint.password(env) if endpoint.username else None
        request = JmxRequest(
            url=endpoint.url,
            queries=catalog.query_patterns(groups, connector),
            timeout=timeout,
            username=endpoint.username,
            password=password,
        )
        parsed = parse_output(runner(request))
    except ConfigError as exc:
        return WorkerSnapshot(endpoint.worker, endpoint.url, fetched_at, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - every failure becomes the worker's message
        return WorkerSnapshot(
            endpoint.worker,
            endpoint.url,
            fetched_at,
            elapsed=time.monotonic() - started,
            error=describe_failure(exc, timeout),
        )
    notes = parsed.notes
    if not parsed.records:
        notes += ("no Kafka Connect MBeans on this JVM (is it a Connect worker?)",)
    snapshot = build_worker_snapshot(
        endpoint.worker,
        endpoint.url,
        parsed.records,
        fetched_at=fetched_at,
        elapsed=time.monotonic() - started,
        notes=notes,
    )
    missing = [
        group
        for group, present in (
            (catalog.WORKER, snapshot.worker_metrics is not None),
            (catalog.REBALANCE, snapshot.rebalance is not None),
        )
        if group in groups and not present
    ]
    if parsed.records and missing:
        note = f"MBeans missing: {', '.join(missing)} (older Kafka?)"
        snapshot = replace(snapshot, notes=(*snapshot.notes, note))
    return snapshot


def fetch_cluster(
    cluster: ClusterConfig,
    *,
    runner: Runner = run_jar,
    timeout: float | None = None,
    connector: str | None = None,
    clock: Callable[[], float] = time.time,
) -> MetricsSnapshot:
    """All workers of the cluster in parallel (one call each); never raises for a worker."""
    deadline = timeout if timeout is not None else min(max(cluster.timeout, 3.0), 30.0)
    endpoints = cluster.jmx
    fetched_at = clock()
    if not endpoints:
        return MetricsSnapshot(workers=(), fetched_at=fetched_at)
    with ThreadPoolExecutor(max_workers=min(8, len(endpoints))) as pool:
        workers = list(
            pool.map(
                lambda e: fetch_worker(
                    e, runner=runner, timeout=deadline, connector=connector, clock=clock
                ),
                endpoints,
            )
        )
    return MetricsSnapshot(workers=tuple(workers), fetched_at=fetched_at)


def sink_groups(
    snapshot: MetricsSnapshot, configs: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, str]:
    """Sink connector -> consumer group, from the JMX connector type (and REST configs)."""
    from kctui.metrics.lag import sink_group

    configs = configs or {}
    groups = {}
    for name in snapshot.connector_names:
        connector = snapshot.connector(name)
        tasks = snapshot.tasks_of(name)
        is_sink = (connector is not None and connector.type == "sink") or any(
            t.sink is not None for t in tasks
        )
        config = configs.get(name, {})
        if is_sink or "topics" in config or "topics.regex" in config:
            groups[name] = sink_group(name, config)
    return groups

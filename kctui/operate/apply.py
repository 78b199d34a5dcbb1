"""validate -> (dry run | create or update): the flow behind ``kctui apply`` and the console.

Every config is validated against its plugin first. Nothing is written unless every
config given is valid, so a bad file never leaves the cluster half-applied. Updates
replace the whole config (PUT); masked values equal to the stored ones are restored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kctui.connect.errors import Conflict, ConnectError, NotFound, RebalanceInProgress
from kctui.connect.models import ValidationResult
from kctui.connect.protocol import ConnectApi
from kctui.errors import KctuiError
from kctui.operate.diff import ConfigChange, diff_configs
from kctui.operate.files import ConnectorSpec
from kctui.operate.masks import unmask

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
WOULD_CREATE = "would create"
WOULD_UPDATE = "would update"
INVALID = "invalid"
FAILED = "failed"
SKIPPED = "skipped"
UNKNOWN_CLASS_MARKERS = ("failed to find any class", "no plugin", "unknown plugin")


@dataclass(frozen=True)
class ApplyResult:
    """What happened to one connector."""

    name: str
    action: str
    source: str = ""
    errors: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    message: str = ""
    changes: tuple[ConfigChange, ...] = ()

    @property
    def ok(self) -> bool:
        return self.action not in (INVALID, FAILED, SKIPPED)


@dataclass(frozen=True)
class Plan:
    """One connector after reading the cluster and validating: what apply would do."""

    spec: ConnectorSpec
    config: Mapping[str, str]
    existing: Mapping[str, str] | None
    validation: ValidationResult

    @property
    def changes(self) -> tuple[ConfigChange, ...]:
        return tuple(diff_configs(self.existing or {}, self.config))


def unknown_class_result(plugin_class: str, installed: Sequence[str]) -> ValidationResult:
    names = ", ".join(installed) if installed else "none listed"
    message = f"unknown connector class '{plugin_class}'; installed connector plugins: {names}"
    return ValidationResult(
        name=plugin_class, error_count=1, errors={"connector.class": (message,)}
    )


def _is_unknown_class(exc: ConnectError) -> bool:
    text = f"{exc.detail or ''} {exc}".lower()
    return exc.status == 404 or any(marker in text for marker in UNKNOWN_CLASS_MARKERS)


async def validate_config(client: ConnectApi, config: Mapping[str, str]) -> ValidationResult:
    """Validate against the plugin of ``connector.class``; an unknown class is an error by key."""
    plugin_class = config.get("connector.class", "").strip()
    if not plugin_class:
        return ValidationResult("", 1, {"connector.class": ("missing connector.class",)})
    try:
        return await client.validate(plugin_class, config)
    except (RebalanceInProgress, Conflict):
        raise
    except ConnectError as exc:
        if not _is_unknown_class(exc):
            raise
    try:
        plugins = await client.plugins(connectors_only=True)
        installed = sorted(p.class_name for p in plugins)
    except ConnectError:
        installed = []
    return unknown_class_result(plugin_class, installed)


async def existing_config(client: ConnectApi, name: str) -> dict[str, str] | None:
    try:
        return dict(await client.connector_config(name))
    except NotFound:
        return None


async def plan_spec(client: ConnectApi, spec: ConnectorSpec) -> Plan | ApplyResult:
    """Read the stored config, restore masked values, validate; a result when it cannot go on."""
    existing = await existing_config(client, spec.name)
    config, problems = unmask(spec.config, existing or {})
    if problems:
        errors: dict[str, tuple[str, ...]] = {}
        for problem in problems:
            key, _, text = problem.partition(": ")
            errors[key] = (*errors.get(key, ()), text)
        return ApplyResult(spec.name, INVALID, spec.source, errors, "masked values")
    validation = await validate_config(client, config)
    return Plan(spec, config, existing, validation)


async def apply_specs(
    client: ConnectApi,
    specs: Sequence[ConnectorSpec],
    *,
    dry_run: bool = False,
    initial_state: str | None = None,
) -> list[ApplyResult]:
    """Validate every spec, then (unless one is invalid or ``dry_run``) create or update each."""
    plans: list[Plan | ApplyResult] = []
    for spec in specs:
        try:
            plans.append(await plan_spec(client, spec))
        except KctuiError as exc:
            plans.append(ApplyResult(spec.name, FAILED, spec.source, message=str(exc)))
    results: list[ApplyResult] = []
    blocked = any(isinstance(p, ApplyResult) or not p.validation.valid for p in plans)
    if initial_state and not dry_run and not blocked:
        creating = [p for p in plans if isinstance(p, Plan) and p.existing is None]
        server = await client.server_info()
        if creating and not server.supports_initial_state:
            raise KctuiError(
                f"--initial-state needs Kafka Connect 3.7 or newer; the cluster runs "
                f"{server.version}. Nothing was applied."
            )
    for item in plans:
        if isinstance(item, ApplyResult):
            results.append(item)
        elif not item.validation.valid:
            results.append(
                ApplyResult(
                    item.spec.name, INVALID, item.spec.source, item.validation.errors,
                    f"{item.validation.error_count} validation error(s)",
                )
            )  # fmt: skip
        elif blocked:
            results.append(
                ApplyResult(
                    item.spec.name, SKIPPED, item.spec.source,
                    message="valid, not applied because another connector has errors",
                    changes=item.changes,
                )
            )  # fmt: skip
        elif dry_run:
            action = WOULD_CREATE if item.existing is None else WOULD_UPDATE
            if item.existing is not None and not item.changes:
                action = UNCHANGED
            results.append(
                ApplyResult(item.spec.name, action, item.spec.source, changes=item.changes)
            )
        else:
            results.append(await write_plan(client, item, initial_state))
    return results


async def write_plan(client: ConnectApi, plan: Plan, initial_state: str | None) -> ApplyResult:
    """Create (POST) or replace (PUT) one validated connector; errors become a result."""
    name, source = plan.spec.name, plan.spec.source
    if plan.existing is not None and not plan.changes:
        return ApplyResult(name, UNCHANGED, source, message="config already as given")
    try:
        if plan.existing is None:
            await client.create(name, plan.config, initial_state=initial_state)
            state = f" in state {initial_state.upper()}" if initial_state else ""
            return ApplyResult(name, CREATED, source, message=f"created{state}",
                               changes=plan.changes)  # fmt: skip
        await client.put_config(name, plan.config)
        return ApplyResult(name, UPDATED, source, changes=plan.changes)
    except Conflict as exc:
        message = (
            f"a connector named '{name}' already exists (created meanwhile?): {exc.detail or exc}"
            if plan.existing is None
            else str(exc)
        )
        return ApplyResult(name, FAILED, source, message=message)
    except KctuiError as exc:
        return ApplyResult(name, FAILED, source, message=str(exc))


def exit_code(results: Sequence[ApplyResult]) -> int:
    """0 when all went well, 1 when a config is invalid, 2 for any other failure."""
    if any(r.action == FAILED for r in results):
        return 2
    if any(r.action in (INVALID, SKIPPED) for r in results):
        return 1
    return 0


def format_errors(errors: Mapping[str, Sequence[str]]) -> list[str]:
    """``key: message`` lines, one per error, by key."""
    return [f"{key or '(config)'}: {message}" for key in sorted(errors) for message in errors[key]]

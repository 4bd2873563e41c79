"""inventory -> resolve -> verify -> record. The library behind ``chainwatch scan``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from scanner.audit.setup import AuditSettings
from scanner.baseline import ChangeCause
from scanner.checks.codes import Code, finding
from scanner.checks.identity import identity_checks
from scanner.checks.risk import DEFAULT_MIN_RELEASE_AGE, local_script_unpinned, release_age_finding
from scanner.checks.status import component_findings, unidentified
from scanner.checks.typosquat import typosquat_finding
from scanner.clock import Clock as Clock
from scanner.clock import Sleep, real_sleep
from scanner.clock import utc_now as utc_now
from scanner.inventory.build import inventory_findings
from scanner.limits import COMPONENT_DEADLINE as COMPONENT_DEADLINE
from scanner.limits import REQUEST_DEADLINE as REQUEST_DEADLINE
from scanner.models import Component, Finding, Inventory
from scanner.record import run_inventory as run_inventory
from scanner.registry.config import RegistryConfig
from scanner.registry.select import RegistrySelector
from scanner.registry.uses import RegistryUse
from scanner.results import ScanResult as ScanResult
from scanner.store import Store, StoredIdentity, VerificationRecord
from scanner.verdict import Verdict
from scanner.verify.stage import Named, verify_stage
from scanner.verify.stage import default_cache_dir as default_cache_dir
from scanner.verify.stage import default_cache_key as default_cache_key

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """How to reach registries and verify."""

    offline: bool = False
    download: bool = False
    cache_dir: Path | None = None  # HTTP and verification caches; None: the user cache folder
    # The key that authenticates cached verification results, kept outside the cache folder.
    # None: the user data folder's when cache_dir is the default, else a key for this run only.
    cache_key: Path | None = None
    registry_config: RegistryConfig | None = None  # one config for all (tests, the demo)
    registry_selector: RegistrySelector | None = None  # None: each installer's own settings
    trust_root: Path | None = None
    timeout: float = 20.0  # seconds per network operation (connect, one read, ...)
    request_deadline: float = REQUEST_DEADLINE  # seconds per whole request, however slow its bytes
    component_deadline: float = COMPONENT_DEADLINE  # seconds per component, retries included
    max_connections: int = 16  # measured: more adds pool overhead and no speed (bench_scan)
    # The scan's clock: when it started, and the moment the trust root is judged at. Tests and
    # the demo pass a fixed one so nothing depends on today's date.
    clock: Clock = field(default=utc_now)
    retries: int = 3  # per registry request, on 429/5xx/timeouts/connection errors
    backoff: float = 0.5  # seconds; doubled per attempt, with jitter
    sleep: Sleep = field(default=real_sleep)  # how to wait between attempts (tests: no wait)
    audit: AuditSettings | None = None  # vulnerabilities and malware; None: not audited
    # A release younger than this is CW216 (a policy's maximum release age may set it; 0: off).
    min_release_age: timedelta = DEFAULT_MIN_RELEASE_AGE


def run_scan(
    inventory: Inventory,
    store: Store | None,
    options: ScanOptions,
    *,
    inputs: dict[str, Any] | None = None,
    progress: Progress | None = None,
    kind: str = "scan",
) -> ScanResult:
    """Verify every component of the inventory and record the scan (when a store is given).

    A recorded scan (``kind`` "scan" or "rescan") also records what changed per agent since the
    previous scan that covered it, as change events.
    """
    started = options.clock().isoformat(timespec="seconds")
    components = unique_components(inventory)
    verdicts, registries, squats = verify_stage(components, options, progress)
    return finish_scan(
        inventory,
        store,
        options,
        verdicts,
        registries,
        squats,
        started=started,
        inputs=inputs,
        kind=kind,
    )


def finish_scan(
    inventory: Inventory,
    store: Store | None,
    options: ScanOptions,
    verdicts: dict[str, Verdict],
    registries: tuple[RegistryUse, ...] = (),
    squats: dict[Named, Finding | None] | None = None,
    *,
    started: str,
    inputs: dict[str, Any] | None = None,
    kind: str = "scan",
) -> ScanResult:
    """Judge verified components (identities, findings, audit) and record the scan.

    Apart from ``run_scan`` so that components verified elsewhere (the rescan workers) end in
    the same checks and the same record.
    """
    verdicts = dict(verdicts)
    squats = squats or {}
    unnamed = unidentified(inventory)
    verdicts.update((v.component.purl, v) for _, v in unnamed)
    stored: dict[str, StoredIdentity] = {}
    if store is not None:
        for v in verdicts.values():
            key = v.component.key
            if key not in stored and (s := store.publisher_identity(key)) is not None:
                stored[key] = s
    identity_findings, updates = identity_checks(verdicts.values(), stored)
    findings = _agent_findings(inventory, verdicts, identity_findings)
    now, min_age = options.clock(), options.min_release_age
    findings.extend(_risk_findings(inventory, verdicts, now, min_age, squats))
    findings.extend((agent_id, f) for agent_id, v in unnamed for f in component_findings(v))
    if options.audit is not None:
        from scanner.audit.run import audit_stage  # the advisory sources load only to audit

        findings.extend(audit_stage(_audit_pairs(inventory, verdicts), options.audit))
    result = ScanResult(inventory, verdicts, findings, registries=registries)
    if store is None:
        return result
    finished = options.clock().isoformat(timespec="seconds")
    # Imported here: the diff is needed only when a scan is recorded.
    from scanner.diff.compare import scan_changes

    scan_id = store.record_scan(
        kind=kind,
        started_at=started,
        finished_at=finished,
        # "audited" tells the score whether no advisory finding means "audited clean".
        inputs={**(inputs or {}), "audited": options.audit is not None},
        inventory=inventory,
        findings=findings,
        verifications=[
            VerificationRecord(v.component.purl, v.status.value, v.reason, v.identity)
            for v in verdicts.values()
        ],
        identities=updates,
        summary=result.status_counts(),
        # In the scan's transaction: a scan is never stored without its change events.
        changes=lambda new_id: scan_changes(store, new_id, ChangeCause(kind), finished),
    )
    return ScanResult(inventory, verdicts, findings, scan_id, registries)


def _audit_pairs(
    inventory: Inventory, verdicts: dict[str, Verdict]
) -> list[tuple[str | None, Component]]:
    # Every component of every agent, dependency trees included, at the version it resolved to.
    pairs: list[tuple[str | None, Component]] = []
    for agent in inventory.agents:
        for c in agent.components():
            verdict = verdicts.get(c.purl)
            pairs.append((agent.agent.id, verdict.component if verdict else c))
    return pairs


def unique_components(inventory: Inventory) -> list[Component]:
    """Each component of the inventory once (by purl), in inventory order."""
    seen: dict[str, Component] = {}
    for agent in inventory.agents:
        for c in agent.components():
            seen.setdefault(c.purl, c)
    return list(seen.values())


def _agent_findings(
    inventory: Inventory,
    verdicts: dict[str, Verdict],
    identity_findings: dict[str, tuple[Finding, ...]],
) -> list[tuple[str | None, Finding]]:
    out: list[tuple[str | None, Finding]] = list(inventory_findings(inventory))
    for agent in inventory.agents:
        pins = dict(agent.agent.pins)
        for c in agent.components():
            verdict = verdicts.get(c.purl)
            if verdict is None:
                continue
            extra = identity_findings.get(verdict.component.purl, ())
            found = _component_findings(c, verdict, extra, pins)
            out.extend((agent.agent.id, f) for f in found)
    return out


def _component_findings(
    c: Component, verdict: Verdict, identity: tuple[Finding, ...], pins: dict[str, str]
) -> list[Finding]:
    out = [*component_findings(verdict), *identity]
    version = verdict.component.version
    pinned = pins.get(c.key) or pins.get(c.name)
    if pinned is not None and version != pinned:
        message = f"{c.name} runs {version or 'an unknown version'} but the manifest pins {pinned}"
        out.append(finding(Code.PIN_VIOLATION, c.purl, message, pinned=pinned, actual=version))
    return out


def _risk_findings(
    inventory: Inventory,
    verdicts: dict[str, Verdict],
    now: datetime,
    min_age: timedelta,
    squats: dict[Named, Finding | None],
) -> list[tuple[str | None, Finding]]:
    # Risk signals that need the scan's clock, the agent's pins or the name list: release age
    # (CW216), unpinned local scripts (CW110), likely typosquats (CW109; kept with a warm
    # verdict, which saves indexing the name list).
    out: list[tuple[str | None, Finding]] = []
    for agent in inventory.agents:
        pins = dict(agent.agent.pins)
        for c in agent.components():
            verdict = verdicts.get(c.purl)
            release = verdict.release if verdict is not None else None
            found = (
                release_age_finding(verdict.component, release, now, min_age)
                if verdict is not None and release is not None
                else None,
                local_script_unpinned(c, pins),
                _squat(c, squats),
            )
            out.extend((agent.agent.id, f) for f in found if f is not None)
    return out


def _squat(c: Component, squats: dict[Named, Finding | None]) -> Finding | None:
    key = (c.ecosystem, c.name, c.purl)
    return squats[key] if key in squats else typosquat_finding(c)

"""inventory -> resolve -> verify -> record. The library behind ``chainwatch scan``."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs

from attestations.cache import VerificationCache, load_key
from attestations.result import Status
from attestations.trustroot import default_root_path, load_trusted_root, make_verifier
from scanner.audit.run import audit_stage
from scanner.audit.setup import AuditSettings
from scanner.baseline import ChangeCause
from scanner.checks.codes import Code, finding
from scanner.checks.confusion import confusion_findings
from scanner.checks.identity import identity_checks
from scanner.checks.risk import DEFAULT_MIN_RELEASE_AGE, local_script_unpinned, release_age_finding
from scanner.checks.status import component_findings, unidentified
from scanner.checks.typosquat import typosquat_finding
from scanner.clock import Clock as Clock
from scanner.clock import utc_now as utc_now
from scanner.errors import ConfigError
from scanner.inventory.build import inventory_findings
from scanner.limits import COMPONENT_DEADLINE as COMPONENT_DEADLINE
from scanner.limits import REQUEST_DEADLINE as REQUEST_DEADLINE
from scanner.models import Component, Finding, Inventory
from scanner.record import run_inventory as run_inventory
from scanner.registry import (
    MultiIndexRegistry,
    RegistryAuth,
    RegistryConfig,
    RegistryKind,
    RegistrySelector,
    make_client,
    make_registry,
)
from scanner.registry.http import Sleep
from scanner.registry.interface import Registry
from scanner.registry.uses import RegistryUse, merge_uses, registry_uses
from scanner.results import ScanResult as ScanResult
from scanner.store import Store, StoredIdentity, VerificationRecord
from scanner.store.files import private_dir, private_file
from scanner.verdict import Verdict
from scanner.verify import ComponentVerifier

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
    sleep: Sleep = field(default=asyncio.sleep)  # how to wait between attempts (tests: no wait)
    audit: AuditSettings | None = None  # vulnerabilities and malware; None: not audited
    # A release younger than this is CW216 (a policy's maximum release age may set it; 0: off).
    min_release_age: timedelta = DEFAULT_MIN_RELEASE_AGE


def default_cache_dir() -> Path:
    """The user cache folder for HTTP answers and verification results."""
    return Path(platformdirs.user_cache_dir("chainwatch", appauthor=False))


def default_cache_key() -> Path:
    """The key that authenticates cached verification results: in the user data folder."""
    return Path(platformdirs.user_data_dir("chainwatch", appauthor=False)) / "cache.key"


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
    verdicts, registries = verify_components(components, options, progress)
    return finish_scan(
        inventory, store, options, verdicts, registries, started=started, inputs=inputs, kind=kind
    )


def verify_components(
    components: list[Component], options: ScanOptions, progress: Progress | None = None
) -> tuple[dict[str, Verdict], tuple[RegistryUse, ...]]:
    """Verify components concurrently: a verdict per inventoried purl, and the registries used."""
    return asyncio.run(_verify_all(components, options, progress))


def finish_scan(
    inventory: Inventory,
    store: Store | None,
    options: ScanOptions,
    verdicts: dict[str, Verdict],
    registries: tuple[RegistryUse, ...] = (),
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
    findings.extend(_risk_findings(inventory, verdicts, options.clock(), options.min_release_age))
    findings.extend((agent_id, f) for agent_id, v in unnamed for f in component_findings(v))
    if options.audit is not None:
        findings.extend(audit_stage(_audit_pairs(inventory, verdicts), options.audit))
    result = ScanResult(inventory, verdicts, findings, registries=registries)
    if store is None:
        return result
    finished = options.clock().isoformat(timespec="seconds")
    scan_id = store.record_scan(
        kind=kind,
        started_at=started,
        finished_at=finished,
        inputs=inputs or {},
        inventory=inventory,
        findings=findings,
        verifications=[
            VerificationRecord(v.component.purl, v.status.value, v.reason, v.identity)
            for v in verdicts.values()
        ],
        identities=updates,
        summary=result.status_counts(),
    )
    # Imported here: the diff is needed only when a scan is recorded.
    from scanner.diff.compare import record_scan_changes

    record_scan_changes(store, scan_id, ChangeCause(kind), finished)
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


async def _verify_all(
    components: list[Component], options: ScanOptions, progress: Progress | None
) -> tuple[dict[str, Verdict], tuple[RegistryUse, ...]]:
    cache_dir = options.cache_dir or default_cache_dir()
    selector = options.registry_selector or RegistrySelector()
    root_path = options.trust_root
    trusted_root = load_trusted_root(root_path, now=options.clock())
    verifier = make_verifier(trusted_root)
    root_digest = _root_digest(root_path)
    private_dir(cache_dir)
    key_path = options.cache_key or (default_cache_key() if options.cache_dir is None else None)
    key = load_key(key_path) if key_path is not None else None
    cache = VerificationCache(private_file(cache_dir / "verifications.sqlite"), key=key)
    client = make_client(
        cache_dir=cache_dir / "http",
        offline=options.offline,
        timeout=options.timeout,
        deadline=options.request_deadline,
        max_connections=options.max_connections,
    )
    # Artifacts go through a client without the metadata cache: a downloaded wheel or tarball is
    # hashed and dropped, never kept next to (or evicting) registry answers.
    downloads = (
        make_client(cache_dir=None, offline=options.offline, timeout=options.timeout)
        if options.download
        else None
    )
    auth = RegistryAuth()
    client.auth = auth  # npm tokens, each only to its own registry
    if downloads is not None:
        downloads.auth = auth
    checkers: dict[RegistryConfig, tuple[ComponentVerifier, dict[str, Registry]]] = {}
    uses: list[RegistryUse] = []

    def checker_for(config: RegistryConfig) -> tuple[ComponentVerifier, dict[str, Registry]]:
        if config not in checkers:
            auth.add(config.npm_tokens)
            registries = {
                kind.value: make_registry(
                    kind,
                    client,
                    config,
                    retries=options.retries,
                    backoff=options.backoff,
                    sleep=options.sleep,
                    downloads=downloads,
                )
                for kind in RegistryKind
            }
            checkers[config] = (
                ComponentVerifier(
                    registries,
                    verifier,
                    trust_root_digest=root_digest,
                    cache=cache,
                    download=options.download,
                    deadline=options.component_deadline,
                ),
                registries,
            )
        return checkers[config]

    try:
        done = 0
        total = len(components)
        # A component's deadline starts when it starts, so only so many of an ecosystem run at
        # once; the rest wait here rather than on their registry's limiter, where their clocks
        # would run. Per ecosystem, so that one ecosystem's queue never idles another's registry.
        running: dict[str, asyncio.Semaphore] = {}

        async def one(c: Component) -> tuple[str, Verdict]:
            nonlocal done
            slot = running.setdefault(c.ecosystem, asyncio.Semaphore(2 * options.max_connections))
            async with slot:
                try:
                    config = options.registry_config or selector.config_for(c)
                except ConfigError as exc:
                    verdict = Verdict(c, Status.FETCH_FAILED, f"registry settings: {exc.message}")
                else:
                    checker, registries = checker_for(config)
                    uses.extend(registry_uses(config, c))
                    verdict = await checker.verify(c)
                    multi = registries.get(c.ecosystem)
                    if isinstance(multi, MultiIndexRegistry):
                        serving, unasked = await multi.serving(c.name)
                        found = confusion_findings(c.purl, c.name, serving, unasked)
                        verdict = replace(verdict, findings=verdict.findings + found)
            done += 1
            if progress is not None:
                progress(done, total)
            return c.purl, verdict

        pairs = await asyncio.gather(*(one(c) for c in components))
    finally:
        await client.aclose()
        if downloads is not None:
            await downloads.aclose()
        cache.close()
    return dict(pairs), merge_uses(uses)


def _root_digest(path: Path | None) -> str:
    return hashlib.sha256((path or default_root_path()).read_bytes()).hexdigest()


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
    inventory: Inventory, verdicts: dict[str, Verdict], now: datetime, min_age: timedelta
) -> list[tuple[str | None, Finding]]:
    # Risk signals that need the scan's clock, the agent's pins or the name list: release age
    # (CW216), unpinned local scripts (CW110), likely typosquats (CW109).
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
                typosquat_finding(c),
            )
            out.extend((agent.agent.id, f) for f in found if f is not None)
    return out

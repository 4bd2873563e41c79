"""Verifying many components at once: the registries, the trust root, the caches, concurrency.

This is the full path (sigstore, httpx, registry parsing); ``scanner.scan`` imports it only for
the components no warm verdict answered. Each verdict built here is kept for later runs when
everything it rests on came from the HTTP cache (``scanner.verify.warm``).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from attestations.cache import VerificationCache
from attestations.result import Status
from attestations.trustroot import default_root_path, load_trusted_root, make_verifier
from scanner.checks.confusion import confusion_findings
from scanner.checks.typosquat import typosquat_finding
from scanner.clock import Clock
from scanner.errors import ConfigError
from scanner.models import Component
from scanner.registry import (
    MultiIndexRegistry,
    RegistryAuth,
    RegistryConfig,
    RegistryKind,
    RegistrySelector,
    make_client,
    make_registry,
)
from scanner.registry.answers import recording
from scanner.registry.http import Sleep
from scanner.registry.interface import Registry
from scanner.registry.uses import RegistryUse, registry_uses
from scanner.store.files import private_file
from scanner.verdict import Verdict
from scanner.verify.component import ComponentVerifier
from scanner.verify.warm import WarmVerdicts

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class FleetSettings:
    """What the full path needs of ``ScanOptions`` (kept apart so this module needs no scan)."""

    cache_dir: Path
    key: bytes | None
    selector: RegistrySelector
    registry_config: RegistryConfig | None
    offline: bool
    download: bool
    trust_root: Path | None
    clock: Clock
    timeout: float
    request_deadline: float
    component_deadline: float
    max_connections: int
    retries: int
    backoff: float
    sleep: Sleep


async def verify_fleet(
    components: list[Component],
    settings: FleetSettings,
    progress: Progress | None,
    warm: WarmVerdicts | None,
    warm_root: str | None,
) -> tuple[dict[str, Verdict], list[RegistryUse]]:
    """Verify every component in full; keep each reusable verdict in ``warm``.

    ``warm_root``: the trust root sha256 ``warm`` is keyed by; a different root here (the file
    changed since) keeps nothing.
    """
    s = settings
    trusted_root = load_trusted_root(s.trust_root, now=s.clock())
    verifier = make_verifier(trusted_root)
    root_digest = _root_digest(s.trust_root)
    if root_digest != warm_root:
        warm = None
    cache = VerificationCache(private_file(s.cache_dir / "verifications.sqlite"), key=s.key)
    client = make_client(
        cache_dir=s.cache_dir / "http",
        offline=s.offline,
        timeout=s.timeout,
        deadline=s.request_deadline,
        max_connections=s.max_connections,
    )
    # Artifacts go through a client without the metadata cache: a downloaded wheel or tarball is
    # hashed and dropped, never kept next to (or evicting) registry answers.
    downloads = (
        make_client(cache_dir=None, offline=s.offline, timeout=s.timeout) if s.download else None
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
                    retries=s.retries,
                    backoff=s.backoff,
                    sleep=s.sleep,
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
                    download=s.download,
                    deadline=s.component_deadline,
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
            slot = running.setdefault(c.ecosystem, asyncio.Semaphore(2 * s.max_connections))
            async with slot:
                try:
                    config = s.registry_config or s.selector.config_for(c)
                except ConfigError as exc:
                    verdict = Verdict(c, Status.FETCH_FAILED, f"registry settings: {exc.message}")
                else:
                    checker, registries = checker_for(config)
                    uses.extend(registry_uses(config, c))
                    with recording() as used:
                        verdict = await checker.verify(c)
                        multi = registries.get(c.ecosystem)
                        if isinstance(multi, MultiIndexRegistry):
                            serving, unasked = await multi.serving(c.name)
                            found = confusion_findings(c.purl, c.name, serving, unasked)
                            verdict = replace(verdict, findings=verdict.findings + found)
                    if warm is not None and used.complete and verdict.status in _KEPT:
                        squat = typosquat_finding(c)
                        warm.keep(c, config, verdict, used.answers.values(), squat)
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
    return dict(pairs), uses


# Fetch-failed depends on the network and the deadline, never only on cached answers.
_KEPT = frozenset(Status) - {Status.FETCH_FAILED}


def _root_digest(path: Path | None) -> str:
    return hashlib.sha256((path or default_root_path()).read_bytes()).hexdigest()


__all__ = ["FleetSettings", "verify_fleet"]

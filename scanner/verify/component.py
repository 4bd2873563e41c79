"""resolve -> verify for one component: registry facts, digests, attestations, publisher identity.

Every component ends in exactly one :class:`attestations.result.Status`; only VERIFIED is a pass.
The verifier states the status, its reason and (where more precise than the status) its finding
code; ``scanner.checks.status`` turns that into the one finding.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import replace

from sigstore.verify import Verifier as SigstoreVerifier

from attestations.cache import VerificationCache
from attestations.errors import AttestationError
from attestations.result import Status
from scanner.checks.integrity import compare_digests
from scanner.checks.risk import release_risks
from scanner.models import Component
from scanner.registry.binding import release_problem
from scanner.registry.http import HTTPError
from scanner.registry.interface import FetchError, NotFound, Registry, RegistryKind
from scanner.registry.resolve import resolve
from scanner.verdict import Verdict
from scanner.verify.cached import CachedChecks
from scanner.verify.download import download_mismatch
from scanner.verify.interface import Verifier, VerifyContext
from scanner.verify.npm import NpmVerifier
from scanner.verify.outcome import files_to_verify, not_verifiable
from scanner.verify.pypi import PypiVerifier

# One verifier per ecosystem; a registry kind without one is never verified.
VERIFIERS: dict[RegistryKind, type[Verifier]] = {
    RegistryKind.PYPI: PypiVerifier,
    RegistryKind.NPM: NpmVerifier,
}


class ComponentVerifier:
    """Verifies components against registries and sigstore, offline-capable and cached."""

    def __init__(
        self,
        registries: Mapping[str, Registry],
        verifier: SigstoreVerifier,
        *,
        trust_root_digest: str,
        cache: VerificationCache | None = None,
        download: bool = False,
        deadline: float | None = None,
    ) -> None:
        self._registries = registries
        context = VerifyContext(verifier, CachedChecks(cache, trust_root_digest))
        self._verifiers = {kind: cls(context) for kind, cls in VERIFIERS.items()}
        self._download = download
        self._deadline = deadline

    async def verify(self, component: Component) -> Verdict:
        """Resolve, check digests, verify attestations, all within the component deadline.

        Never raises for what a registry serves: each component ends in its own status.
        """
        try:
            async with asyncio.timeout(self._deadline):
                return await self._verify(component)
        except TimeoutError:
            reason = f"did not finish within {self._deadline:.1f} s (the component deadline)"
            return Verdict(component, Status.FETCH_FAILED, reason)
        except RecursionError:
            # A registry document nested deeply enough to exhaust the stack in a verifier.
            return Verdict(component, Status.FETCH_FAILED, "a registry answer is nested too deeply")
        except HTTPError as exc:
            # The registry layer turns these into FetchError; this is the last line for any path
            # that does not (so one answer can still never abort the scan).
            reason = f"registry answer unusable: {type(exc).__name__}: {exc}"
            return Verdict(component, Status.FETCH_FAILED, reason)

    async def _verify(self, component: Component) -> Verdict:
        registry = self._registries.get(component.ecosystem)
        if registry is None:
            return Verdict(component, Status.UNRESOLVED, not_verifiable(component))
        try:
            component = await resolve(registry, component)
            if component.version is None:
                return Verdict(component, Status.UNRESOLVED, "no release to check")
            release = await registry.release(component.name, component.version)
        except NotFound as exc:
            return Verdict(component, Status.UNRESOLVED, f"not on the registry: {exc.message}")
        except FetchError as exc:
            return Verdict(component, Status.FETCH_FAILED, exc.message)
        unbound = release_problem(component.ecosystem, component.name, component.version, release)
        if unbound is not None:
            return Verdict(component, Status.ATTESTATION_INVALID, unbound, None, (), release)
        risks = release_risks(component, release)
        compared = compare_digests(component, release)
        if compared.mismatches:
            reason = "; ".join(compared.mismatches)
            return Verdict(component, Status.DIGEST_MISMATCH, reason, None, risks, release)
        verifier = self._verifier_for(release.ecosystem)
        if verifier is None:  # a registry kind without a verifier: never verified
            return Verdict(component, Status.UNRESOLVED, not_verifiable(component))
        try:
            if self._download:
                files = files_to_verify(component, release)
                mismatch = await download_mismatch(registry, files)
                if mismatch is not None:
                    return Verdict(
                        component, Status.DIGEST_MISMATCH, mismatch, None, risks, release
                    )
            verdict = await verifier.verify(registry, component, release)
        except FetchError as exc:
            return Verdict(component, Status.FETCH_FAILED, exc.message, None, risks, release)
        except AttestationError as exc:
            # Verification could not run on what the registry served (e.g. a malformed digest):
            # never a pass, and not "no attestation" either.
            reason = f"verification error: {exc.message}"
            return Verdict(component, Status.ATTESTATION_INVALID, reason, None, risks, release)
        return replace(verdict, findings=verdict.findings + risks, release=release)

    def _verifier_for(self, ecosystem: str) -> Verifier | None:
        try:
            return self._verifiers.get(RegistryKind(ecosystem))
        except ValueError:
            return None

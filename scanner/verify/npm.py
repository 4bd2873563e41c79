"""npm: registry signatures and provenance (sigstore) of a release's tarball."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import replace

from attestations.npm import verify_npm_attestations
from attestations.registry_keys import RegistryKey, verify_registry_signatures
from attestations.result import Status
from scanner.checks.codes import Code
from scanner.models import Component
from scanner.registry.answers import Recorded, recording
from scanner.registry.interface import FetchError, NotFound, Registry, ReleaseFacts
from scanner.verdict import Verdict
from scanner.verify.interface import Verifier, VerifyContext
from scanner.verify.outcome import conclude


class NpmVerifier(Verifier):
    """Verifies registry signatures and the attestations document of an npm release."""

    def __init__(self, context: VerifyContext) -> None:
        super().__init__(context)
        self._keys: asyncio.Task[Recorded[tuple[RegistryKey, ...]]] | None = None

    async def verify(
        self, registry: Registry, component: Component, release: ReleaseFacts
    ) -> Verdict:
        """The verdict on the release's signatures and provenance."""
        integrity = next((f.integrity for f in release.files if f.integrity), None)
        if integrity is None:
            return Verdict(component, Status.NO_ATTESTATION, "registry gives no integrity")
        # What was asked for, never what the answer says it is: signatures and attestation
        # subjects must name the component itself.
        name, version = component.name, component.version or release.version
        sigs = [{"keyid": s.keyid, "sig": s.sig} for s in release.signatures]
        # The keys are fetched only when something needs them; a failed fetch raises FetchError,
        # so the component is fetch-failed (never "unknown key").
        keys = await self._signing_keys(registry) if sigs or release.attestations_url else ()
        signed = (
            verify_registry_signatures(
                name, version, integrity, sigs, keys, published_at=release.published
            )
            if sigs
            else None
        )
        if signed is not None and not signed.ok:
            return Verdict(
                component,
                Status.ATTESTATION_INVALID,
                signed.reason,
                code=Code.REGISTRY_SIGNATURE_INVALID,
            )
        sig_note = "registry signature valid" if signed else "no registry signature"
        if not release.attestations_url:
            return Verdict(component, Status.NO_ATTESTATION, f"no provenance ({sig_note})")
        doc = await registry.attestations(release)
        if doc is None:
            return Verdict(
                component, Status.NO_ATTESTATION, f"attestations URL answered 404 ({sig_note})"
            )
        check = self._ctx.cached.check(
            doc,
            integrity,
            f"npm|keys={_keys_digest(keys)}",  # a new registry key set can change the outcome
            lambda: verify_npm_attestations(
                doc,
                name,
                version,
                integrity,
                verifier=self._ctx.sigstore,
                registry_keys=keys,
            ),
        )
        if check.ok and check.identity is None:
            # Only npm's publish attestation: the registry vouches for the upload, nobody for the
            # build. Not a failure, and not provenance either.
            reason = f"registry-signed without provenance: {check.reason}; {sig_note}"
            return Verdict(component, Status.REGISTRY_SIGNED, reason)
        verdict = conclude(component, [(release.files[0], check)], (), 1)
        if verdict.status is Status.VERIFIED:
            verdict = replace(verdict, reason=f"{verdict.reason}; {sig_note}")
        return verdict

    async def _signing_keys(self, registry: Registry) -> tuple[RegistryKey, ...]:
        if self._keys is None:
            self._keys = asyncio.ensure_future(_fetch_keys(registry))
        # Shielded: one component cut off by its deadline must not cancel the others' keys.
        # Each component that uses the keys records the answer they came from.
        return (await asyncio.shield(self._keys)).replay()


async def _fetch_keys(registry: Registry) -> Recorded[tuple[RegistryKey, ...]]:
    """The registry's signing keys; any failure to get them is a FetchError (fetch-failed)."""
    with recording(detached=True) as used:
        try:
            keys = await registry.signing_keys()
        except NotFound as exc:
            raise FetchError(
                "npm signing keys", f"the registry serves none: {exc.message}"
            ) from exc
    return used.keep(keys)


def _keys_digest(keys: tuple[RegistryKey, ...]) -> str:
    """A digest of the registry key set, for verification cache keys."""
    text = json.dumps(sorted(f"{k.keyid}|{k.scheme}|{k.key.hex()}|{k.expires}" for k in keys))
    return hashlib.sha256(text.encode()).hexdigest()[:32]

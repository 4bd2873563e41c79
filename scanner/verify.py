"""resolve -> verify for one component: registry facts, digests, attestations, publisher identity.

Every component ends in exactly one :class:`attestations.result.Status`; only VERIFIED is a pass.
The verifier states the status, its reason and (where more precise than the status) its finding
code; ``scanner.checks.status`` turns that into the one finding.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sigstore.verify import Verifier

from attestations.cache import VerificationCache, digest_of, policy_key
from attestations.errors import AttestationError
from attestations.identity import matches_pin
from attestations.npm import verify_npm_attestations
from attestations.pep740 import verify_pypi_provenance
from attestations.registry_keys import RegistryKey, verify_registry_signatures
from attestations.result import AttestationCheck, Status
from scanner.checks.codes import Code
from scanner.checks.integrity import compare_digests
from scanner.checks.risk import release_risks
from scanner.models import Component
from scanner.registry.binding import release_problem
from scanner.registry.download import hash_artifact
from scanner.registry.http import HTTPError
from scanner.registry.interface import FetchError, FileFacts, NotFound, Registry, ReleaseFacts
from scanner.registry.resolve import resolve
from scanner.verdict import Verdict

if TYPE_CHECKING:
    import httpx

MAX_FILES_VERIFIED = 4  # per PyPI release: the locked files, else a representative few


KeysLoader = Callable[[], Any]


class ComponentVerifier:
    """Verifies components against registries and sigstore, offline-capable and cached."""

    def __init__(
        self,
        registries: Mapping[str, Registry],
        verifier: Verifier,
        *,
        trust_root_digest: str,
        npm_keys: KeysLoader | None = None,
        cache: VerificationCache | None = None,
        client: httpx.AsyncClient | None = None,
        download: bool = False,
        deadline: float | None = None,
    ) -> None:
        self._registries = registries
        self._verifier = verifier
        self._root = trust_root_digest
        self._npm_keys_loader = npm_keys
        self._npm_keys: asyncio.Task[tuple[RegistryKey, ...]] | None = None
        self._cache = cache
        self._client = client
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
            return Verdict(component, Status.UNRESOLVED, _not_verifiable(component))
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
        if self._download:
            try:
                mismatch = await self._download_check(_files_to_verify(component, release))
            except FetchError as exc:
                return Verdict(component, Status.FETCH_FAILED, exc.message, None, risks, release)
            if mismatch is not None:
                return Verdict(component, Status.DIGEST_MISMATCH, mismatch, None, risks, release)
        try:
            if release.ecosystem == "pypi":
                verdict = await self._verify_pypi(registry, component, release)
            else:
                verdict = await self._verify_npm(registry, component, release)
        except FetchError as exc:
            return Verdict(component, Status.FETCH_FAILED, exc.message, None, risks, release)
        except AttestationError as exc:
            # Verification could not run on what the registry served (e.g. a malformed digest):
            # never a pass, and not "no attestation" either.
            reason = f"verification error: {exc.message}"
            return Verdict(component, Status.ATTESTATION_INVALID, reason, None, risks, release)
        return replace(verdict, findings=verdict.findings + risks, release=release)

    async def _verify_pypi(
        self, registry: Registry, component: Component, release: ReleaseFacts
    ) -> Verdict:
        files = _files_to_verify(component, release)
        attested = [f for f in files if f.provenance_url]
        if not attested:
            return Verdict(
                component,
                Status.NO_ATTESTATION,
                f"none of {len(files)} file(s) has PEP 740 provenance",
            )
        pins = component.attestation_identities
        checks: list[tuple[FileFacts, AttestationCheck]] = []
        for file in attested[:MAX_FILES_VERIFIED]:
            doc = await registry.attestations(release, file)
            if doc is None:
                checks.append((file, AttestationCheck(False, "provenance URL answered 404")))
                continue
            if file.sha256 is None:
                checks.append((file, AttestationCheck(False, "registry gives no sha256")))
                continue
            checks.append((file, self._verify_pypi_file(doc, file, file.sha256)))
        return _conclude(component, checks, pins, len(files))

    def _verify_pypi_file(self, doc: Any, file: FileFacts, sha256: str) -> AttestationCheck:
        def run() -> AttestationCheck:
            return verify_pypi_provenance(doc, file.filename, sha256, verifier=self._verifier)

        return self._cached(doc, sha256, "pep740", run)

    async def _verify_npm(
        self, registry: Registry, component: Component, release: ReleaseFacts
    ) -> Verdict:
        integrity = next((f.integrity for f in release.files if f.integrity), None)
        if integrity is None:
            return Verdict(component, Status.NO_ATTESTATION, "registry gives no integrity")
        # What was asked for, never what the answer says it is: signatures and attestation
        # subjects must name the component itself.
        name, version = component.name, component.version or release.version
        sigs = [{"keyid": s.keyid, "sig": s.sig} for s in release.signatures]
        # The keys are fetched only when something needs them; a failed fetch raises FetchError,
        # so the component is fetch-failed (never "unknown key").
        keys = await self._keys() if sigs or release.attestations_url else ()
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
        check = self._cached(
            doc,
            integrity,
            f"npm|keys={_keys_digest(keys)}",  # a new registry key set can change the outcome
            lambda: verify_npm_attestations(
                doc,
                name,
                version,
                integrity,
                verifier=self._verifier,
                registry_keys=keys,
            ),
        )
        if check.ok and check.identity is None:
            # Only npm's publish attestation: the registry vouches for the upload, nobody for the
            # build. Not a failure, and not provenance either.
            reason = f"registry-signed without provenance: {check.reason}; {sig_note}"
            return Verdict(component, Status.REGISTRY_SIGNED, reason)
        verdict = _conclude(component, [(release.files[0], check)], (), 1)
        if verdict.status is Status.VERIFIED:
            verdict = replace(verdict, reason=f"{verdict.reason}; {sig_note}")
        return verdict

    async def _keys(self) -> tuple[RegistryKey, ...]:
        if self._npm_keys_loader is None:
            raise FetchError("npm signing keys", "no way to fetch the registry's signing keys")
        if self._npm_keys is None:
            self._npm_keys = asyncio.ensure_future(self._npm_keys_loader())
        # Shielded: one component cut off by its deadline must not cancel the others' keys.
        return await asyncio.shield(self._npm_keys)

    def _cached(
        self, doc: Any, artifact: str, kind: str, run: Callable[[], AttestationCheck]
    ) -> AttestationCheck:
        if self._cache is None:
            return run()
        bundle = digest_of(_canonical(doc))
        policy = policy_key(trust_root=self._root, extra=kind)
        hit = self._cache.get(bundle, artifact, policy)
        if hit is not None:
            return hit
        check = run()
        self._cache.put(bundle, artifact, policy, check)
        return check

    async def _download_check(self, files: list[FileFacts]) -> str | None:
        if self._client is None:
            raise FetchError("download", "no HTTP client to download artifacts with")
        for file in files[:MAX_FILES_VERIFIED]:
            got = await hash_artifact(self._client, file.url)
            for algo, want in (("sha256", file.sha256), ("sha512", file.sha512)):
                if want and got[algo] != want.lower():
                    return (
                        f"{file.filename}: downloaded {algo} {got[algo][:16]}... differs "
                        f"from the registry's {want[:16]}..."
                    )
        return None


def _conclude(
    component: Component,
    checks: list[tuple[FileFacts, AttestationCheck]],
    pins: tuple[dict[str, str], ...],
    total_files: int,
) -> Verdict:
    failed = [(f, c) for f, c in checks if not c.ok]
    if failed:
        reason = "; ".join(f"{f.filename}: {c.reason}" for f, c in failed)
        return Verdict(component, Status.ATTESTATION_INVALID, reason, failed[0][1].identity)
    identities = {c.identity for _, c in checks if c.identity is not None}
    if not identities:
        reason = "attestations verified but name no publisher identity"
        return Verdict(component, Status.ATTESTATION_INVALID, reason)
    if len(identities) > 1:
        reason = f"files are signed by {len(identities)} different identities"
        return Verdict(component, Status.ATTESTATION_INVALID, reason, code=Code.PUBLISHER_CHANGED)
    identity = identities.pop()
    if pins and not any(matches_pin(identity, pin) for pin in pins):
        reason = (
            f"publisher {identity.describe()} matches none of the lockfile's attestation-identities"
        )
        return Verdict(
            component, Status.ATTESTATION_INVALID, reason, identity, code=Code.IDENTITY_PIN_MISMATCH
        )
    reason = f"{len(checks)}/{total_files} file(s) attested by {identity.describe()}"
    return Verdict(component, Status.VERIFIED, reason, identity)


def _files_to_verify(component: Component, release: ReleaseFacts) -> list[FileFacts]:
    """The files this component installs: named or hashed by its lockfile, else a sample."""
    named = {a.filename for a in component.artifacts if a.filename}
    hashed = {d.hex.lower() for a in component.artifacts for d in a.digests}
    chosen = [
        f
        for f in release.files
        if f.filename in named
        or (f.sha256 or "").lower() in hashed
        or (f.sha512 or "").lower() in hashed
    ]
    if chosen:
        return chosen
    wheels = [f for f in release.files if f.filename.endswith(".whl")]
    sdists = [f for f in release.files if not f.filename.endswith(".whl")]
    return (wheels[:1] + sdists[:1]) or list(release.files)


def _not_verifiable(component: Component) -> str:
    if component.ecosystem == "local":
        sha = "sha256 recorded" if "checksum=" in component.purl else "file not found"
        return f"local script {component.path or component.name}: no registry to verify ({sha})"
    if component.ecosystem == "remote":
        return f"remote server {component.url or component.name}: code runs elsewhere"
    if component.ecosystem == "oci":
        return "container images are not verified yet (no registry client for OCI)"
    return f"no registry client for {component.ecosystem}"


def _keys_digest(keys: tuple[RegistryKey, ...]) -> str:
    """A digest of the registry key set, for verification cache keys."""
    text = json.dumps(sorted(f"{k.keyid}|{k.scheme}|{k.key.hex()}|{k.expires}" for k in keys))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _canonical(doc: Any) -> bytes:
    if isinstance(doc, bytes):
        return doc
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()

"""PyPI: PEP 740 provenance of the files a component installs."""

from __future__ import annotations

from typing import Any

from attestations.pep740 import verify_pypi_provenance
from attestations.result import AttestationCheck, Status
from scanner.models import Component
from scanner.registry.interface import FileFacts, Registry, ReleaseFacts
from scanner.verdict import Verdict
from scanner.verify.interface import Verifier
from scanner.verify.outcome import MAX_FILES_VERIFIED, conclude, files_to_verify


class PypiVerifier(Verifier):
    """Verifies the PEP 740 provenance of up to MAX_FILES_VERIFIED files of a release."""

    async def verify(
        self, registry: Registry, component: Component, release: ReleaseFacts
    ) -> Verdict:
        """The verdict on the release's attested files (none attested: no attestation)."""
        files = files_to_verify(component, release)
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
            checks.append((file, self._file(doc, file, file.sha256)))
        return conclude(component, checks, pins, len(files))

    def _file(self, doc: Any, file: FileFacts, sha256: str) -> AttestationCheck:
        def run() -> AttestationCheck:
            return verify_pypi_provenance(doc, file.filename, sha256, verifier=self._ctx.sigstore)

        return self._ctx.cached.check(doc, sha256, "pep740", run)

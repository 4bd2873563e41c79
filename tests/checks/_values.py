"""Small typed values for the pure checks' tests."""

from __future__ import annotations

from attestations.result import PublisherIdentity, Status
from scanner.models import Component, EvidenceKind, VersionEvidence
from scanner.verdict import Verdict

SIGSTORE_JS = PublisherIdentity(
    "github",
    issuer="https://token.actions.githubusercontent.com",
    repository="https://github.com/sigstore/sigstore-js",
    workflow=".github/workflows/release.yml",
)
ELSEWHERE = PublisherIdentity(
    "github",
    issuer="https://token.actions.githubusercontent.com",
    repository="https://github.com/someone-else/sigstore-js",
    workflow=".github/workflows/release.yml",
)


def component(name: str, version: str | None, ecosystem: str = "npm", **kw: object) -> Component:
    """A component with a package URL built from its parts."""
    if ecosystem in {"npm", "pypi"}:
        purl = f"pkg:{ecosystem}/{name}" + (f"@{version}" if version else "")
    else:
        purl = f"pkg:generic/{name}"
    return Component(
        purl,
        ecosystem,
        name,
        version,
        VersionEvidence(EvidenceKind.COMMAND_PIN),
        **kw,  # type: ignore[arg-type]
    )


def verdict(
    name: str,
    version: str | None,
    status: Status,
    identity: PublisherIdentity | None = None,
    ecosystem: str = "npm",
    **kw: object,
) -> Verdict:
    """A verdict for a fresh component."""
    return Verdict(component(name, version, ecosystem, **kw), status, "reason", identity)

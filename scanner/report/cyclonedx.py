"""CycloneDX 1.6 SBOM through cyclonedx-python-lib: components, vulnerabilities, attestations.

One component per checked component (bom-ref: its purl as inventoried), with chainwatch's verdict
as properties (``chainwatch:status``, ``chainwatch:attestation``, ``chainwatch:publisher``,
``chainwatch:used-by``). Vulnerability and malware findings (CW400, CW401) become the BOM's
vulnerabilities, one per advisory, affecting every component it matched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from scanner.checks.codes import Code
from scanner.models import Severity
from scanner.report._results import Place, evidence, places
from scanner.report._uses import chainwatch_version
from scanner.report.interface import Report, ResultReport

if TYPE_CHECKING:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component as CdxComponent

    from scanner.scan import ScanResult

_VULN_CODES = frozenset({Code.VULNERABILITY.value, Code.MALWARE.value})


def _component(purl: str, place: Place) -> CdxComponent:
    from cyclonedx.model import Property
    from cyclonedx.model.component import Component, ComponentType
    from packageurl import PackageURL

    v = place.verdict
    c = v.component
    parsed = PackageURL.from_string(c.purl) if c.purl.startswith("pkg:") else None
    props = [
        Property(name="chainwatch:status", value=v.status.value),
        Property(name="chainwatch:attestation", value=_attestation(v.status.value)),
        Property(name="chainwatch:evidence", value=c.evidence.kind.value),
    ]
    if v.identity is not None:
        props.append(Property(name="chainwatch:publisher", value=v.identity.describe()))
        if v.identity.repository:
            props.append(Property(name="chainwatch:source-repository", value=v.identity.repository))
    props += [
        Property(name="chainwatch:used-by", value=f"{u.agent}/{u.server or '(lockfile)'}")
        for u in place.users
    ]
    kind = ComponentType.LIBRARY if parsed is not None else ComponentType.APPLICATION
    return Component(
        name=c.name or c.url or purl,
        version=c.version,
        type=kind,
        bom_ref=purl,
        purl=parsed,
        properties=props,
    )


def _attestation(status: str) -> str:
    # What the SBOM consumer needs: was the provenance verified, absent, or broken.
    return {
        "verified": "verified",
        "registry-signed": "registry-signature-only",
        "no-attestation": "none",
        "attestation-invalid": "invalid",
    }.get(status, "not-checked")


def build_bom(result: ScanResult) -> Bom:
    """The SBOM of a scan or check."""
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.tool import Tool
    from cyclonedx.model.vulnerability import (
        BomTarget,
        Vulnerability,
        VulnerabilityRating,
        VulnerabilitySeverity,
        VulnerabilitySource,
    )

    bom = Bom()
    bom.metadata.tools.tools.add(
        Tool(vendor="chainwatch", name="chainwatch", version=chainwatch_version())
    )
    if result.check is not None:
        bom.metadata.timestamp = result.check.at
    table = places(result)
    for purl in result.verdicts:
        bom.components.add(_component(purl, table[purl]))
    inventoried = {
        p.verdict.component.purl: key for key, p in table.items() if key in result.verdicts
    }
    by_id: dict[str, tuple[str, Severity, set[str], bool]] = {}
    for _, f in result.findings:
        if f.code not in _VULN_CODES:
            continue
        ref = f.subject if f.subject in result.verdicts else inventoried.get(f.subject)
        if ref is None:
            continue
        advisory = evidence(f, "advisory") or f.code
        _, severity, refs, malware = by_id.setdefault(
            advisory, (f.message, f.severity, set(), f.code == Code.MALWARE.value)
        )
        refs.add(ref)
    for advisory, (message, severity, refs, malware) in sorted(by_id.items()):
        bom.vulnerabilities.add(
            Vulnerability(
                bom_ref=f"advisory:{advisory}",
                id=advisory,
                source=VulnerabilitySource(name="OSV"),
                description=message,
                ratings=[VulnerabilityRating(severity=VulnerabilitySeverity(severity.value))],
                affects=[BomTarget(ref=r) for r in sorted(refs)],
                recommendation="remove it: a malicious release has no fix" if malware else None,
            )
        )
    return bom


def cyclonedx_json(result: ScanResult) -> str:
    """The SBOM as CycloneDX 1.6 JSON."""
    from cyclonedx.output.json import JsonV1Dot6

    return JsonV1Dot6(build_bom(result)).output_as_string(indent=2)


class CycloneDxReport(ResultReport, Report):
    """A CycloneDX 1.6 SBOM (JSON)."""

    name = "CycloneDX"

    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Write the SBOM."""
        out.write(cyclonedx_json(result) + "\n")

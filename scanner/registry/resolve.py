"""The resolve stage: a floating component (no version) becomes the registry's latest release."""

from __future__ import annotations

from dataclasses import replace

from packageurl import PackageURL

from scanner.models import Component, EvidenceKind, VersionEvidence
from scanner.registry.interface import Registry


async def resolve(registry: Registry, component: Component) -> Component:
    """``component`` with a version: unchanged when pinned, else the latest release now.

    A floating component keeps no version when the registry names no latest release. Raises
    NotFound or FetchError as the registry does.
    """
    if component.version is not None:
        return component
    project = await registry.project(component.name)
    if project.latest is None:
        return component
    purl = PackageURL.from_string(component.purl)
    resolved = PackageURL(
        purl.type, purl.namespace, purl.name, project.latest, purl.qualifiers, purl.subpath
    ).to_string()
    evidence = VersionEvidence(
        EvidenceKind.REGISTRY_LATEST,
        source=f"{component.ecosystem} registry",
        detail=f"floating {component.evidence.detail or 'spec'}: latest now, may differ later",
    )
    return replace(component, purl=resolved, version=project.latest, evidence=evidence)


__all__ = ["resolve"]

"""Components in, one audit result per (ecosystem, name, version) out, each from its source."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scanner.audit.interface import AdvisorySource, AuditResult, Ecosystem, Package
from scanner.models import Component

_ECOSYSTEMS = {"pypi": Ecosystem.PYPI, "npm": Ecosystem.NPM}


def package_of(component: Component) -> Package | None:
    """The package to audit for a PyPI or npm component; None for other kinds."""
    eco = _ECOSYSTEMS.get(component.ecosystem)
    if eco is None:
        return None
    return Package(eco, component.name, component.version or "")


def audit_packages(
    packages: Iterable[Package], sources: Mapping[Ecosystem, AdvisorySource]
) -> list[AuditResult]:
    """Audit each distinct package once, by the source configured for its ecosystem.

    A package without an exact version, or an ecosystem without a source, is incomplete: there
    is nothing to be clean from."""
    unique = list(dict.fromkeys(packages))
    # Results by position, not in a dict keyed by package: hashing a package runs Python code.
    results: list[AuditResult | None] = [None] * len(unique)
    by_source: dict[int, tuple[AdvisorySource, list[int]]] = {}
    for i, p in enumerate(unique):
        source = sources.get(p.ecosystem)
        if not p.version:
            results[i] = AuditResult(p, "audit", complete=False, reason="no exact version known")
        elif source is None:
            results[i] = AuditResult(
                p, "audit", complete=False, reason=f"no advisory source for {p.ecosystem}"
            )
        else:
            by_source.setdefault(id(source), (source, []))[1].append(i)
    for source, batch in by_source.values():
        answered = source.audit([unique[i] for i in batch])
        for i, result in zip(batch, answered, strict=True):
            results[i] = result
    return [r for r in results if r is not None]


def audit_components(
    components: Iterable[Component], sources: Mapping[Ecosystem, AdvisorySource]
) -> list[AuditResult]:
    """Audit every PyPI and npm component, direct or from a dependency tree."""
    return audit_packages((p for c in components if (p := package_of(c))), sources)

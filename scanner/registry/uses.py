"""Which registry a scan asked for each component, and where that setting came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from scanner.models import Component
from scanner.registry.config import RegistryConfig, redact


@dataclass(frozen=True, slots=True)
class RegistryUse:
    """One registry (credentials redacted), the setting that chose it and what it was asked for."""

    ecosystem: str
    registry: str
    source: str
    role: str  # "default", "extra index", "@scope"
    purls: tuple[str, ...] = ()


def registry_uses(config: RegistryConfig, component: Component) -> list[RegistryUse]:
    """The registries ``component`` is checked at under ``config`` (one purl each)."""
    sources = dict(config.sources)
    purls = (component.purl,)
    if component.ecosystem == "pypi":
        out = [RegistryUse("pypi", redact(config.pypi_simple), sources["pypi"], "default", purls)]
        for url in config.pypi_extra:
            label = f"pypi extra {redact(url)}"
            out.append(RegistryUse("pypi", redact(url), sources.get(label, "?"), "extra", purls))
        return out
    if component.ecosystem == "npm":
        scope = _scope(component.name)
        if scope and scope in config.npm_scopes:
            url, source = config.npm_scopes[scope], sources.get(f"npm {scope}", "?")
            return [RegistryUse("npm", redact(url), source, scope, purls)]
        return [RegistryUse("npm", redact(config.npm), sources["npm"], "default", purls)]
    return []


def registry_uses_many(pairs: Iterable[tuple[Component, RegistryConfig]]) -> list[RegistryUse]:
    """``registry_uses`` of many components, a row per registry and setting with their purls."""
    # Besides its purl, a component's uses depend only on its config, ecosystem and npm scope:
    # worked out once per group (a fleet's thousand lockfile lines share a handful).
    groups: dict[tuple[int, str, str], tuple[RegistryConfig, Component, list[str]]] = {}
    for c, config in pairs:
        key = (id(config), c.ecosystem, _scope(c.name) if c.ecosystem == "npm" else "")
        group = groups.get(key)
        if group is None:
            groups[key] = (config, c, [c.purl])
        else:
            group[2].append(c.purl)
    return [
        replace(use, purls=tuple(purls))
        for config, c, purls in groups.values()
        for use in registry_uses(config, c)
    ]


def _scope(name: str) -> str:
    return name.split("/", 1)[0].lower() if name.startswith("@") else ""


def merge_uses(uses: Iterable[RegistryUse]) -> tuple[RegistryUse, ...]:
    """One row per (ecosystem, registry, source, role), with every purl it served, sorted."""
    merged: dict[tuple[str, str, str, str], list[str]] = {}
    for u in uses:
        merged.setdefault((u.ecosystem, u.registry, u.source, u.role), []).extend(u.purls)
    return tuple(
        RegistryUse(*key, tuple(sorted(set(purls)))) for key, purls in sorted(merged.items())
    )

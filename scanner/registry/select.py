"""Per-component registry choice: the installer that fetches it, from the folder it runs in."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner.models import Component, EvidenceKind, Installer, RegistryHint
from scanner.registry.config import RegistryConfig, load_config

# Lockfiles name their installer: their components follow that installer's settings.
_LOCK_INSTALLERS = {"uv.lock": Installer.UV, "package-lock.json": Installer.NPM}


@dataclass(frozen=True, slots=True)
class SettingsPlaces:
    """Where registry settings are read: inject these so tests never read the real home."""

    env: Mapping[str, str]
    home: Path
    system_root: Path = Path("/")
    global_npmrc: Path | None = None
    prefix: Path | None = None  # the environment pip runs in (its pip.conf)

    @classmethod
    def from_os(cls) -> SettingsPlaces:
        """This process's environment and the user's home."""
        env = dict(os.environ)
        return cls(env=env, home=Path(env.get("HOME") or Path.home()))


def hint_for(component: Component) -> RegistryHint:
    """The component's own hint; else one from its lockfile (installer and folder) or ecosystem."""
    if component.registry is not None:
        return component.registry
    installer = Installer.NPM if component.ecosystem == "npm" else Installer.PIP
    source = component.evidence.source
    if component.evidence.kind is EvidenceKind.LOCKFILE and source:
        path = Path(source)
        return RegistryHint(_LOCK_INSTALLERS.get(path.name, installer), str(path.parent))
    return RegistryHint(installer)


class RegistrySelector:
    """Resolves (and remembers) the RegistryConfig for each distinct hint."""

    def __init__(self, places: SettingsPlaces | None = None) -> None:
        self.places = places or SettingsPlaces.from_os()
        self._configs: dict[RegistryHint, RegistryConfig] = {}
        # hint_for reads only these fields; a fleet's thousand lockfile lines share a handful.
        self._seen: dict[tuple[object, ...], RegistryConfig] = {}

    def config_for(self, component: Component) -> RegistryConfig:
        """The registries ``component``'s installer would use. Raises ConfigError on bad files."""
        c = component
        seen = (c.registry, c.ecosystem, c.evidence.kind, c.evidence.source)
        config = self._seen.get(seen)
        if config is not None:
            return config
        hint = hint_for(component)
        if hint not in self._configs:
            p = self.places
            self._configs[hint] = load_config(
                env=p.env,
                home=p.home,
                system_root=p.system_root,
                global_npmrc=p.global_npmrc,
                prefix=p.prefix,
                hint=hint,
            )
        config = self._seen[seen] = self._configs[hint]
        return config

"""Registries: typed facts about projects and releases, fetched through one injected client.

The package is light to import: each public name loads its module (and httpx) on first use
(PEP 562), so ``import scanner.registry.<module>`` costs only that module.
"""

from __future__ import annotations

import importlib
import typing

if typing.TYPE_CHECKING:
    from attestations.registry_keys import RegistryKey
    from scanner.registry.auth import RegistryAuth
    from scanner.registry.config import RegistryConfig, load_config, redact
    from scanner.registry.factory import REGISTRIES, make_registry
    from scanner.registry.http import fetch_json, make_client
    from scanner.registry.interface import (
        FetchError,
        FileFacts,
        NotFound,
        OfflineMiss,
        ProjectFacts,
        Registry,
        RegistryKind,
        RegistrySignature,
        ReleaseFacts,
    )
    from scanner.registry.multi import MultiIndexRegistry
    from scanner.registry.npm import NpmRegistry
    from scanner.registry.pypi import PyPIRegistry
    from scanner.registry.select import RegistrySelector, SettingsPlaces, hint_for

# Public name -> the module that defines it.
_EXPORTS = {
    "FetchError": "scanner.registry.interface",
    "FileFacts": "scanner.registry.interface",
    "MultiIndexRegistry": "scanner.registry.multi",
    "NotFound": "scanner.registry.interface",
    "NpmRegistry": "scanner.registry.npm",
    "OfflineMiss": "scanner.registry.interface",
    "ProjectFacts": "scanner.registry.interface",
    "PyPIRegistry": "scanner.registry.pypi",
    "REGISTRIES": "scanner.registry.factory",
    "Registry": "scanner.registry.interface",
    "RegistryAuth": "scanner.registry.auth",
    "RegistryConfig": "scanner.registry.config",
    "RegistryKey": "attestations.registry_keys",
    "RegistryKind": "scanner.registry.interface",
    "RegistrySelector": "scanner.registry.select",
    "RegistrySignature": "scanner.registry.interface",
    "ReleaseFacts": "scanner.registry.interface",
    "SettingsPlaces": "scanner.registry.select",
    "fetch_json": "scanner.registry.http",
    "hint_for": "scanner.registry.select",
    "load_config": "scanner.registry.config",
    "make_client": "scanner.registry.http",
    "make_registry": "scanner.registry.factory",
    "redact": "scanner.registry.config",
}


def __getattr__(name: str) -> object:
    """Load a public name's module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FetchError",
    "FileFacts",
    "MultiIndexRegistry",
    "NotFound",
    "NpmRegistry",
    "OfflineMiss",
    "ProjectFacts",
    "PyPIRegistry",
    "REGISTRIES",
    "Registry",
    "RegistryAuth",
    "RegistryConfig",
    "RegistryKey",
    "RegistryKind",
    "RegistrySelector",
    "RegistrySignature",
    "ReleaseFacts",
    "SettingsPlaces",
    "fetch_json",
    "hint_for",
    "load_config",
    "make_client",
    "make_registry",
    "redact",
]

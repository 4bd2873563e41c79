"""Registries: typed facts about projects and releases, fetched through one injected client."""

from __future__ import annotations

import asyncio
import typing
from enum import StrEnum

import httpx

from attestations.registry_keys import RegistryKey
from scanner.registry.auth import RegistryAuth
from scanner.registry.config import RegistryConfig, load_config, redact
from scanner.registry.http import fetch_json, make_client
from scanner.registry.interface import (
    FetchError,
    FileFacts,
    NotFound,
    OfflineMiss,
    ProjectFacts,
    Registry,
    RegistrySignature,
    ReleaseFacts,
)
from scanner.registry.multi import MultiIndexRegistry
from scanner.registry.npm import NpmRegistry
from scanner.registry.pypi import PyPIRegistry
from scanner.registry.select import RegistrySelector, SettingsPlaces, hint_for

if typing.TYPE_CHECKING:
    from scanner.registry.http import Sleep


class RegistryKind(StrEnum):
    """The registries chainwatch knows, by ecosystem name."""

    PYPI = "pypi"
    NPM = "npm"


REGISTRIES: dict[RegistryKind, type[Registry]] = {
    RegistryKind.PYPI: PyPIRegistry,
    RegistryKind.NPM: NpmRegistry,
}


def make_registry(
    kind: RegistryKind | str,
    client: httpx.AsyncClient,
    config: RegistryConfig,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    sleep: Sleep = asyncio.sleep,
) -> Registry:
    """The registry of ``kind`` at the URL ``config`` names (retry policy as ``fetch_json``)."""
    kind = RegistryKind(kind)
    if kind is RegistryKind.PYPI:
        if not config.pypi_extra:
            return PyPIRegistry(
                client, config.pypi_simple, retries=retries, backoff=backoff, sleep=sleep
            )
        return MultiIndexRegistry(
            [
                (u, PyPIRegistry(client, u, retries=retries, backoff=backoff, sleep=sleep))
                for u in config.pypi_indexes()
            ]
        )
    return NpmRegistry(
        client, config.npm, config.npm_scopes, retries=retries, backoff=backoff, sleep=sleep
    )


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

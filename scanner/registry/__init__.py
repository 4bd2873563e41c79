"""Registries: typed facts about projects and releases, fetched through one injected client."""

from __future__ import annotations

import asyncio
import typing
from enum import StrEnum

import httpx

from attestations.registry_keys import RegistryKey
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
from scanner.registry.npm import NpmRegistry
from scanner.registry.pypi import PyPIRegistry

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
        return PyPIRegistry(
            client, config.pypi_simple, retries=retries, backoff=backoff, sleep=sleep
        )
    return NpmRegistry(
        client, config.npm, config.npm_scopes, retries=retries, backoff=backoff, sleep=sleep
    )


__all__ = [
    "FetchError",
    "FileFacts",
    "NotFound",
    "NpmRegistry",
    "OfflineMiss",
    "ProjectFacts",
    "PyPIRegistry",
    "REGISTRIES",
    "Registry",
    "RegistryConfig",
    "RegistryKey",
    "RegistryKind",
    "RegistrySignature",
    "ReleaseFacts",
    "fetch_json",
    "load_config",
    "make_client",
    "make_registry",
    "redact",
]

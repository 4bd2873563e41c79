"""Registries by kind: the one place that builds a registry client from settings."""

from __future__ import annotations

import asyncio

import httpx

from scanner.registry.config import RegistryConfig
from scanner.registry.http import Sleep
from scanner.registry.interface import Registry, RegistryKind
from scanner.registry.multi import MultiIndexRegistry
from scanner.registry.npm import NpmRegistry
from scanner.registry.pypi import PyPIRegistry

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
    downloads: httpx.AsyncClient | None = None,
) -> Registry:
    """The registry of ``kind`` at the URL ``config`` names (retry policy as ``fetch_json``).

    ``downloads`` is the client artifacts are downloaded through (none: no downloads).
    """
    kind = RegistryKind(kind)
    if kind is RegistryKind.NPM:
        return NpmRegistry(
            client,
            config.npm,
            config.npm_scopes,
            retries=retries,
            backoff=backoff,
            sleep=sleep,
            downloads=downloads,
        )

    def index(url: str) -> PyPIRegistry:
        return PyPIRegistry(
            client, url, retries=retries, backoff=backoff, sleep=sleep, downloads=downloads
        )

    if not config.pypi_extra:
        return index(config.pypi_simple)
    return MultiIndexRegistry([(u, index(u)) for u in config.pypi_indexes()])

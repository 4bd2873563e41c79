"""Several Python indexes as one registry: the first that serves a name is used (uv's rule).

pip merges all indexes and installs the best version from any of them; we still read the first
that serves the name, and ``serving`` lets the dependency-confusion check see every index that
does, which is the case that matters for both installers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scanner.registry.config import redact
from scanner.registry.interface import (
    FetchError,
    FileFacts,
    NotFound,
    ProjectFacts,
    Registry,
    ReleaseFacts,
)
from scanner.registry.pypi import PyPIRegistry


class MultiIndexRegistry(Registry):
    """Python indexes in the order the installer consults them."""

    ecosystem = "pypi"

    def __init__(self, indexes: list[tuple[str, PyPIRegistry]]) -> None:
        if not indexes:
            raise ValueError("at least one index is needed")
        self.indexes = indexes  # (base URL, registry)
        self._chosen: dict[str, PyPIRegistry] = {}

    async def project(self, name: str) -> ProjectFacts:
        """The project page of the first index that serves ``name``."""
        return await (await self._pick(name)).project(name)

    async def release(self, name: str, version: str) -> ReleaseFacts:
        """One release, from the index that serves ``name``."""
        return await (await self._pick(name)).release(name, version)

    async def attestations(self, release: ReleaseFacts, file: FileFacts | None = None) -> Any:
        """Provenance through the index that served the release."""
        return await (await self._pick(release.name)).attestations(release, file)

    async def download(self, file: FileFacts) -> dict[str, str]:
        """The file hashed as downloaded (every index shares the one artifact client)."""
        return await self.indexes[0][1].download(file)

    async def serving(self, name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(indexes that serve ``name``, indexes that could not be asked), URLs redacted."""
        results = await asyncio.gather(
            *(reg.project(name) for _, reg in self.indexes), return_exceptions=True
        )
        found: list[str] = []
        failed: list[str] = []
        for (url, _), result in zip(self.indexes, results, strict=True):
            if isinstance(result, NotFound):
                continue
            if isinstance(result, FetchError):
                failed.append(f"{redact(url)} ({result.problem})")
            elif isinstance(result, BaseException):
                raise result
            elif result.versions:
                found.append(redact(url))
        return tuple(found), tuple(failed)

    async def _pick(self, name: str) -> PyPIRegistry:
        if name in self._chosen:
            return self._chosen[name]
        for i, (_, reg) in enumerate(self.indexes):
            try:
                await reg.project(name)
            except NotFound:
                if i == len(self.indexes) - 1:
                    raise
                continue  # uv goes on to the next index on 404 only
            self._chosen[name] = reg
            return reg
        raise NotFound(f"{name}: not on any configured index")

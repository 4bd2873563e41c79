"""The registry interface: typed facts about projects and releases, fetched through one client."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from scanner.errors import RegistryError

if TYPE_CHECKING:
    from attestations.registry_keys import RegistryKey


class RegistryKind(StrEnum):
    """The registries chainwatch knows, by ecosystem name."""

    PYPI = "pypi"
    NPM = "npm"


class FetchError(RegistryError):
    """A registry answer could not be fetched or used (after retries). Never a pass."""

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem


class NotFound(RegistryError):
    """The registry says the project, release or document does not exist (404)."""


class OfflineMiss(FetchError):
    """--offline was given and the answer is not in the cache."""


@dataclass(frozen=True, slots=True)
class FileFacts:
    """One file of a release as the registry describes it."""

    filename: str
    url: str
    sha256: str | None = None  # hex
    sha512: str | None = None  # hex (npm integrity decoded)
    integrity: str | None = None  # npm SRI exactly as served
    yanked: bool = False
    yanked_reason: str | None = None
    upload_time: datetime | None = None
    provenance_url: str | None = None  # PyPI (PEP 740) per-file provenance
    sha1: str | None = None  # hex (npm dist.shasum); weak, kept for lockfiles that record only it


@dataclass(frozen=True, slots=True)
class RegistrySignature:
    """npm ``dist.signatures`` entry: ECDSA over ``name@version:integrity``."""

    keyid: str
    sig: str


@dataclass(frozen=True, slots=True)
class ReleaseFacts:
    """What a registry says about one version of a package."""

    ecosystem: str  # "pypi" | "npm"
    name: str
    version: str
    files: tuple[FileFacts, ...] = ()
    yanked: bool = False
    deprecated: str | None = None
    published: datetime | None = None
    install_scripts: tuple[str, ...] = ()  # npm preinstall/install/postinstall present
    publisher: str | None = None  # npm _npmUser name
    maintainers: tuple[str, ...] = ()
    signatures: tuple[RegistrySignature, ...] = ()
    attestations_url: str | None = None  # npm dist.attestations.url
    project_status: str | None = None  # PEP 792: active, archived, quarantined, deprecated


@dataclass(frozen=True, slots=True)
class ProjectFacts:
    """What a registry says about a project as a whole."""

    ecosystem: str
    name: str
    versions: tuple[str, ...]
    latest: str | None
    releases: dict[str, ReleaseFacts] = field(default_factory=dict, hash=False)
    status: str | None = None


class Registry(ABC):
    """A package registry. Implementations take an injected ``httpx.AsyncClient``."""

    ecosystem: str

    @abstractmethod
    async def project(self, name: str) -> ProjectFacts:
        """All releases of a project. Raises NotFound or FetchError."""

    @abstractmethod
    async def release(self, name: str, version: str) -> ReleaseFacts:
        """One release. Raises NotFound or FetchError."""

    @abstractmethod
    async def attestations(self, release: ReleaseFacts, file: FileFacts | None = None) -> Any:
        """The raw attestation document (PyPI provenance of ``file`` / npm attestations).

        Returns None when the registry has none (404). Raises FetchError on failure.
        """

    async def signing_keys(self) -> tuple[RegistryKey, ...]:
        """The keys the registry signs its own releases with; () where it signs none.

        Raises NotFound or FetchError where the registry should serve keys and does not.
        """
        return ()

    async def download(self, file: FileFacts) -> dict[str, str]:
        """The sha256 and sha512 hex digests of ``file`` as downloaded. Raises FetchError."""
        raise FetchError("download", "no HTTP client to download artifacts with")

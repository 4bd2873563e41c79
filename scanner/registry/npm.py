"""The npm registry: full packuments, attestation documents and the registry's signing keys."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

import httpx

from attestations.digests import DigestError, parse_sri
from attestations.errors import AttestationError
from attestations.registry_keys import RegistryKey, parse_registry_keys
from scanner.registry._parse import Doc
from scanner.registry.answers import Recorded, recording
from scanner.registry.download import download_digests
from scanner.registry.http import Sleep, fetch_json
from scanner.registry.interface import (
    FetchError,
    FileFacts,
    NotFound,
    ProjectFacts,
    Registry,
    RegistrySignature,
    ReleaseFacts,
)

# The full document: the abbreviated one ("application/vnd.npm.install-v1+json") lacks `time`
# per version, `_npmUser`, `maintainers` and `scripts`, all of which we report.
PACKUMENT_JSON = "application/json"
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")
# Size caps from measured real answers: the largest full packument measured, next's, is 21.0 MB
# (typescript 10.5 MB, @types/node 9.4 MB); an attestations document is tens of kB.
MAX_PACKUMENT_BYTES = 64_000_000
MAX_ATTESTATIONS_BYTES = 2_000_000
MAX_KEYS_BYTES = 1_000_000


class NpmRegistry(Registry):
    """An npm registry; ``scopes`` maps ``@scope`` to its own registry URL."""

    ecosystem = "npm"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        scopes: dict[str, str] | None = None,
        *,
        max_concurrency: int = 8,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        downloads: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client
        self._downloads = downloads  # artifacts: a client without the metadata cache
        self._base = _slash(base_url)
        self._scopes = {k.lower(): _slash(v) for k, v in (scopes or {}).items()}
        self._limiter = asyncio.Semaphore(max_concurrency)
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        # Parsed once per run; each later caller replays the answer the packument came from.
        self._projects: dict[str, Recorded[ProjectFacts]] = {}

    def packument_url(self, name: str) -> str:
        """The packument URL; a scoped name is sent as ``@scope%2fname``."""
        base = self._base
        if name.startswith("@") and "/" in name:
            base = self._scopes.get(name.split("/", 1)[0].lower(), self._base)
        return base + quote(name, safe="@")

    async def project(self, name: str) -> ProjectFacts:
        """Every version in the packument, with ``dist-tags.latest``."""
        if name not in self._projects:
            url = self.packument_url(name)
            with recording() as used:
                data = await self._get(url, PACKUMENT_JSON, MAX_PACKUMENT_BYTES)
                facts = parse_packument(url, data, name=name)
            self._projects[name] = used.keep(facts)
            return facts
        return self._projects[name].replay()

    async def release(self, name: str, version: str) -> ReleaseFacts:
        """One version; NotFound when the packument does not list it."""
        facts = await self.project(name)
        if version not in facts.releases:
            raise NotFound(f"{self.packument_url(name)}: no version {version}")
        return facts.releases[version]

    async def attestations(self, release: ReleaseFacts, file: FileFacts | None = None) -> Any:
        """The ``{attestations: [{predicateType, bundle}]}`` document, or None without one."""
        if release.attestations_url is None:
            return None
        try:
            data = await self._get(
                release.attestations_url, "application/json", MAX_ATTESTATIONS_BYTES
            )
        except NotFound:
            return None
        doc = Doc(release.attestations_url, data)
        doc.shallow(data, "attestations document")
        doc.need(
            doc.need(data, dict, "attestations document").get("attestations"), list, "attestations"
        )
        return data

    async def signing_keys(self) -> tuple[RegistryKey, ...]:
        """The registry's current and past signing keys (``/-/npm/v1/keys``)."""
        url = self._base + "-/npm/v1/keys"
        data = await self._get(url, "application/json", MAX_KEYS_BYTES)
        try:
            return parse_registry_keys(data)
        except AttestationError as exc:
            raise FetchError(url, exc.message) from exc

    async def download(self, file: FileFacts) -> dict[str, str]:
        """The sha256 and sha512 hex digests of ``file`` as downloaded. Raises FetchError."""
        return await download_digests(self._downloads, file)

    async def _get(self, url: str, accept: str, max_bytes: int) -> Any:
        return await fetch_json(
            self._client,
            url,
            accept=accept,
            max_bytes=max_bytes,
            limiter=self._limiter,
            retries=self._retries,
            backoff=self._backoff,
            sleep=self._sleep,
        )


def parse_packument(url: str, data: Any, *, name: str) -> ProjectFacts:
    """Parse the full packument of package ``name`` into ProjectFacts. Never fetches.

    The packument, and each version entry that states a name and version, must name ``name`` and
    its own version key, else FetchError: a registry that answers with another package's data is
    never believed. (Tarball file names are not compared: registries such as GitHub's name their
    tarballs by digest, and nothing trusts the tarball name; integrity is what is signed.)
    """
    doc = Doc(url, data)
    page = doc.need(data, dict, "packument")
    answered = doc.need(page.get("name"), str, "name")
    if answered != name:
        raise doc.fail(f"the packument is package {answered!r}, not the {name!r} asked for")
    times = doc.need(page.get("time", {}), dict, "time")
    tags = doc.need(page.get("dist-tags", {}), dict, "dist-tags")
    latest = doc.opt(tags.get("latest"), str, "dist-tags.latest")
    versions = doc.need(page.get("versions", {}), dict, "versions")
    releases = {
        v: _release(doc, name, v, doc.need(body, dict, f"versions[{v!r}]"), times)
        for v, body in versions.items()
    }
    status = "unpublished" if not releases and "unpublished" in times else None
    return ProjectFacts(
        ecosystem="npm",
        name=name,
        versions=tuple(releases),
        latest=latest if latest in releases else None,
        releases=releases,
        status=status,
    )


def _release(
    doc: Doc, name: str, version: str, body: dict[str, Any], times: dict[str, Any]
) -> ReleaseFacts:
    where = f"versions[{version!r}]"
    stated_name = doc.opt(body.get("name"), str, f"{where}.name")
    if stated_name is not None and stated_name != name:
        raise doc.fail(f"{where} is package {stated_name!r}, not {name!r}")
    stated_version = doc.opt(body.get("version"), str, f"{where}.version")
    if stated_version is not None and stated_version != version:
        raise doc.fail(f"{where} states version {stated_version!r}")
    dist = doc.need(body.get("dist"), dict, f"{where}.dist")
    tarball = doc.need(dist.get("tarball"), str, f"{where}.dist.tarball")
    integrity = doc.opt(dist.get("integrity"), str, f"{where}.dist.integrity")
    sha512 = None
    if integrity:
        try:
            sha512 = next((d.hex for d in parse_sri(integrity) if d.algorithm == "sha512"), None)
        except DigestError as exc:
            raise doc.fail(f"{where}.dist.integrity: {exc}") from exc
    signatures = tuple(
        RegistrySignature(
            keyid=doc.need(s.get("keyid"), str, f"{where}.dist.signatures[].keyid"),
            sig=doc.need(s.get("sig"), str, f"{where}.dist.signatures[].sig"),
        )
        for s in (
            doc.need(raw, dict, f"{where}.dist.signatures[]")
            for raw in doc.need(dist.get("signatures", []), list, f"{where}.dist.signatures")
        )
    )
    attest = doc.opt(dist.get("attestations"), dict, f"{where}.dist.attestations")
    attest_url = None
    if attest is not None:
        attest_url = doc.opt(attest.get("url"), str, f"{where}.dist.attestations.url")
    scripts = doc.need(body.get("scripts", {}), dict, f"{where}.scripts")
    deprecated = body.get("deprecated")
    if deprecated is not None and not isinstance(deprecated, str | bool):
        raise doc.fail(f"{where}.deprecated is {type(deprecated).__name__}, expected str")
    npm_user = doc.opt(body.get("_npmUser"), dict, f"{where}._npmUser")
    return ReleaseFacts(
        ecosystem="npm",
        name=name,
        version=version,
        files=(
            FileFacts(
                filename=tarball.rsplit("/", 1)[-1],
                url=tarball,
                sha512=sha512,
                integrity=integrity,
                sha1=doc.opt(dist.get("shasum"), str, f"{where}.dist.shasum"),
                upload_time=doc.time(times.get(version), f"time[{version!r}]"),
            ),
        ),
        deprecated=(deprecated or None) if isinstance(deprecated, str) else None,
        published=doc.time(times.get(version), f"time[{version!r}]"),
        install_scripts=tuple(s for s in INSTALL_SCRIPTS if s in scripts),
        publisher=(
            doc.opt(npm_user.get("name"), str, f"{where}._npmUser.name") if npm_user else None
        ),
        maintainers=_people(doc, body.get("maintainers", []), f"{where}.maintainers"),
        signatures=signatures,
        attestations_url=attest_url,
    )


def _people(doc: Doc, raw: Any, where: str) -> tuple[str, ...]:
    """Maintainer names; old packuments use ``"name <email>"`` strings instead of objects."""
    out = []
    for i, person in enumerate(doc.need(raw, list, where)):
        if isinstance(person, str):
            out.append(person.split("<", 1)[0].strip())
        else:
            out.append(
                doc.need(
                    doc.need(person, dict, f"{where}[{i}]").get("name"), str, f"{where}[{i}].name"
                )
            )
    return tuple(out)


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"

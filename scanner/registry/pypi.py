"""PyPI (and any PEP 691 index) through the Simple API JSON, plus PEP 740 provenance.

An index that serves only the PEP 503 HTML form is read through ``simple_html``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urljoin

import httpx
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from scanner.registry._parse import Doc
from scanner.registry.answers import Recorded, recording
from scanner.registry.binding import dist_name_version, same_name
from scanner.registry.download import download_digests
from scanner.registry.http import Sleep, fetch_json
from scanner.registry.interface import (
    FetchError,
    FileFacts,
    NotFound,
    ProjectFacts,
    Registry,
    ReleaseFacts,
)
from scanner.registry.simple_html import fetch_html_page, wants_html

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json"
# Size caps from measured real answers: the largest project page measured, pydantic-core's, is
# 6.9 MB (grpcio-tools 5.1 MB, grpcio 4.9 MB); a provenance document is a few kB.
MAX_PAGE_BYTES = 32_000_000
MAX_PROVENANCE_BYTES = 2_000_000


class PyPIRegistry(Registry):
    """A PEP 691 JSON index. ``base_url`` is the Simple API root (ending in ``/simple/``)."""

    ecosystem = "pypi"

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        max_concurrency: int = 8,
        retries: int = 3,
        backoff: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        downloads: httpx.AsyncClient | None = None,
    ) -> None:
        self._client = client
        self._downloads = downloads  # artifacts: a client without the metadata cache
        self._base = base_url if base_url.endswith("/") else base_url + "/"
        self._limiter = asyncio.Semaphore(max_concurrency)
        self._retries = retries
        self._backoff = backoff
        self._sleep = sleep
        # Parsed once per run; each later caller replays the answer the page came from.
        self._projects: dict[str, Recorded[ProjectFacts]] = {}

    def project_url(self, name: str) -> str:
        """The Simple API URL of a project."""
        return f"{self._base}{canonicalize_name(name)}/"

    async def project(self, name: str) -> ProjectFacts:
        """All files of a project, grouped by version."""
        key = canonicalize_name(name)
        if key not in self._projects:
            with recording() as used:
                facts = await self._fetch_project(key, name)
            self._projects[key] = used.keep(facts)
            return facts
        return self._projects[key].replay()

    async def _fetch_project(self, key: str, name: str) -> ProjectFacts:
        url = self.project_url(name)
        try:
            data = await self._get(url, SIMPLE_JSON, MAX_PAGE_BYTES)
        except FetchError as exc:
            if not wants_html(exc):
                raise
            page = await fetch_html_page(
                self._client,
                url,
                key,
                limiter=self._limiter,
                retries=self._retries,
                max_bytes=MAX_PAGE_BYTES,
            )
            return parse_simple(url, page, name=key)
        return parse_simple(url, data, name=name)

    async def release(self, name: str, version: str) -> ReleaseFacts:
        """One version's files; NotFound when the index has none for it."""
        facts = await self.project(name)
        found = facts.releases.get(version)
        if found is None:
            wanted = _version(version)
            found = next(
                (r for v, r in facts.releases.items() if wanted and _version(v) == wanted), None
            )
        if found is None:
            raise NotFound(f"{self.project_url(name)}: no files for version {version}")
        return found

    async def attestations(self, release: ReleaseFacts, file: FileFacts | None = None) -> Any:
        """The PEP 740 provenance of ``file`` (default: the first file that has one), or None."""
        target = file or next((f for f in release.files if f.provenance_url), None)
        if target is None or target.provenance_url is None:
            return None
        try:
            data = await self._get(target.provenance_url, INTEGRITY_JSON, MAX_PROVENANCE_BYTES)
        except NotFound:
            return None
        doc = Doc(target.provenance_url, data)
        doc.shallow(data, "provenance")
        body = doc.need(data, dict, "provenance")
        doc.need(body.get("attestation_bundles"), list, "attestation_bundles")
        return body

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


def parse_simple(url: str, data: Any, *, name: str) -> ProjectFacts:
    """Parse the PEP 691 page (API 1.0-1.4) of project ``name`` into ProjectFacts. Never fetches.

    The page and every file on it must name project ``name`` (PEP 503 normalised), else
    FetchError: an index that answers with another project's files is never believed.
    """
    doc = Doc(url, data)
    page = doc.need(data, dict, "project page")
    answered = doc.need(page.get("name"), str, "name")
    if not same_name("pypi", name, answered):
        raise doc.fail(f"the page is project {answered!r}, not the {name!r} asked for")
    status_block = page.get("project-status")
    status = None
    if status_block is not None:
        status = doc.need(
            doc.need(status_block, dict, "project-status").get("status"),
            str,
            "project-status.status",
        )
    by_version: dict[str, list[FileFacts]] = {}
    for i, raw in enumerate(doc.need(page.get("files"), list, "files")):
        entry = doc.need(raw, dict, f"files[{i}]")
        filename = doc.need(entry.get("filename"), str, f"files[{i}].filename")
        stated = dist_name_version(filename)
        if stated is None:
            continue  # legacy formats (.egg, .exe, bdist_dumb) that installers ignore
        if not same_name("pypi", name, stated[0]):
            raise doc.fail(
                f"files[{i}] {filename!r} belongs to project {stated[0]!r}, not {name!r}"
            )
        version = stated[1]
        by_version.setdefault(version, []).append(_file(doc, entry, filename, f"files[{i}]"))
    listed = page.get("versions")
    if listed is None:
        versions = list(by_version)
    else:
        versions = [doc.need(v, str, "versions[]") for v in doc.need(listed, list, "versions")]
    versions = sorted(set(versions) | set(by_version), key=_sort_key)
    releases = {
        v: ReleaseFacts(
            ecosystem="pypi",
            name=answered,
            version=v,
            files=tuple(files),
            yanked=all(f.yanked for f in files),
            published=min((f.upload_time for f in files if f.upload_time), default=None),
            project_status=status,
        )
        for v, files in by_version.items()
    }
    return ProjectFacts(
        ecosystem="pypi",
        name=answered,
        versions=tuple(versions),
        latest=pick_latest(releases),
        releases=releases,
        status=status,
    )


def pick_latest(releases: dict[str, ReleaseFacts]) -> str | None:
    """The highest non-yanked final release; a pre-release only when there is no final one."""
    candidates = [(v, _version(v)) for v, r in releases.items() if not r.yanked]
    valid = [(s, v) for s, v in candidates if v is not None]
    finals = [(s, v) for s, v in valid if not v.is_prerelease]
    pool = finals or valid
    return max(pool, key=lambda pair: pair[1])[0] if pool else None


def _file(doc: Doc, entry: dict[str, Any], filename: str, where: str) -> FileFacts:
    hashes = doc.need(entry.get("hashes", {}), dict, f"{where}.hashes")
    yanked_raw = entry.get("yanked", False)
    if not isinstance(yanked_raw, bool | str):
        raise doc.fail(f"{where}.yanked is {type(yanked_raw).__name__}, expected bool or str")
    reason = yanked_raw if isinstance(yanked_raw, str) and yanked_raw else None
    provenance = doc.opt(entry.get("provenance"), str, f"{where}.provenance")
    return FileFacts(
        filename=filename,
        url=str(_absolute(doc.url, doc.need(entry.get("url"), str, f"{where}.url"))),
        sha256=doc.opt(hashes.get("sha256"), str, f"{where}.hashes.sha256"),
        sha512=doc.opt(hashes.get("sha512"), str, f"{where}.hashes.sha512"),
        yanked=yanked_raw is not False,
        yanked_reason=reason,
        upload_time=doc.time(entry.get("upload-time"), f"{where}.upload-time"),
        provenance_url=_absolute(doc.url, provenance),
    )


def _absolute(page_url: str, url: str | None) -> str | None:
    # urllib's join: httpx.URL.join validates every character and was the hot spot of a scan.
    if url is None or url.startswith(("https://", "http://")):
        return url
    return urljoin(page_url, url)


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _sort_key(text: str) -> tuple[int, Version | str]:
    parsed = _version(text)
    return (1, parsed) if parsed is not None else (0, text)


__all__ = [
    "INTEGRITY_JSON",
    "MAX_PAGE_BYTES",
    "MAX_PROVENANCE_BYTES",
    "SIMPLE_JSON",
    "PyPIRegistry",
    "parse_simple",
    "pick_latest",
]

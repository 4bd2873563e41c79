"""Unit-level fault injection on ComponentVerifier (httpx.MockTransport registry answers)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from attestations.result import Status
from attestations.trustroot import load_trusted_root, make_verifier
from scanner.models import Component, EvidenceKind, VersionEvidence
from scanner.registry import PyPIRegistry, make_client
from scanner.registry.interface import FileFacts, ProjectFacts, Registry, ReleaseFacts
from scanner.verify import ComponentVerifier

from .conftest import RECORDED

PAGE = {
    "meta": {"api-version": "1.3"},
    "name": "demo",
    "versions": ["1.0"],
    "files": [
        {
            "filename": "demo-1.0.tar.gz",
            "url": "https://files.example.invalid/demo-1.0.tar.gz",
            "hashes": {"sha256": "not-a-hex-digest"},
            "provenance": "https://pypi.example.invalid/integrity/demo/1.0/demo-1.0.tar.gz/provenance",
        }
    ],
}


def _verdict(handler: object) -> object:
    async def go() -> object:
        transport = httpx.MockTransport(handler)  # type: ignore[arg-type]
        async with make_client(cache_dir=None, transport=transport) as client:
            registry = PyPIRegistry(client, "https://pypi.example.invalid/simple/", retries=0)
            checker = ComponentVerifier(
                {"pypi": registry},
                make_verifier(load_trusted_root(now=RECORDED)),
                trust_root_digest="x",
            )
            component = Component(
                "pkg:pypi/demo@1.0",
                "pypi",
                "demo",
                "1.0",
                VersionEvidence(EvidenceKind.COMMAND_PIN),
            )
            return await checker.verify(component)

    return asyncio.run(go())


def test_malformed_registry_digest_is_a_verification_error_not_a_crash() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/provenance"):
            return httpx.Response(
                200,
                json={"version": 1, "attestation_bundles": []},
                headers={"content-type": "application/vnd.pypi.integrity.v1+json"},
            )
        return httpx.Response(
            200, json=PAGE, headers={"content-type": "application/vnd.pypi.simple.v1+json"}
        )

    verdict = _verdict(handler)
    assert verdict.status is Status.ATTESTATION_INVALID  # type: ignore[attr-defined]
    assert verdict.reason.startswith("verification error")  # type: ignore[attr-defined]


def test_provenance_url_that_fails_is_fetch_failed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/provenance"):
            return httpx.Response(503)
        page = {**PAGE, "files": [{**PAGE["files"][0], "hashes": {"sha256": "a" * 64}}]}
        return httpx.Response(
            200, json=page, headers={"content-type": "application/vnd.pypi.simple.v1+json"}
        )

    verdict = _verdict(handler)
    assert verdict.status is Status.FETCH_FAILED  # type: ignore[attr-defined]
    assert "503" in verdict.reason  # type: ignore[attr-defined]


class _Liar(Registry):
    """A registry whose facts name another package than the one asked for (bypassing parsers)."""

    def __init__(self, ecosystem: str, release: ReleaseFacts) -> None:
        self.ecosystem = ecosystem
        self._release = release

    async def project(self, name: str) -> ProjectFacts:
        return ProjectFacts(self.ecosystem, self._release.name, (self._release.version,), None)

    async def release(self, name: str, version: str) -> ReleaseFacts:
        return self._release

    async def attestations(self, release: ReleaseFacts, file: FileFacts | None = None) -> Any:
        raise AssertionError("an unbound release must not get this far")


def _checked(ecosystem: str, name: str, release: ReleaseFacts, version: str = "") -> Any:
    checker = ComponentVerifier(
        {ecosystem: _Liar(ecosystem, release)},
        make_verifier(load_trusted_root(now=RECORDED)),
        trust_root_digest="x",
    )
    version = version or release.version
    component = Component(
        f"pkg:{ecosystem}/{name}@{version}",
        ecosystem,
        name,
        version,
        VersionEvidence(EvidenceKind.COMMAND_PIN),
    )
    return asyncio.run(checker.verify(component))


def test_verifier_refuses_a_release_of_another_npm_package() -> None:
    integrity = "sha512-" + "A" * 86 + "=="
    files = (FileFacts("sigstore-1.0.0.tgz", "https://x.invalid/t.tgz", integrity=integrity),)
    lie = ReleaseFacts("npm", "sigstore", "1.0.0", files, attestations_url="https://x.invalid/a")
    verdict = _checked("npm", "tuf-js", lie)
    assert verdict.status is Status.ATTESTATION_INVALID
    assert "'sigstore', not 'tuf-js'" in verdict.reason


def test_verifier_refuses_a_pypi_file_of_another_project() -> None:
    files = (
        FileFacts(
            "pypi_attestations-0.0.19.tar.gz",
            "https://x.invalid/f.tar.gz",
            sha256="ab" * 32,
            provenance_url="https://x.invalid/p",
        ),
    )
    verdict = _checked("pypi", "rfc8785", ReleaseFacts("pypi", "rfc8785", "0.0.19", files))
    assert verdict.status is Status.ATTESTATION_INVALID
    assert "belongs to project 'pypi-attestations', not 'rfc8785'" in verdict.reason


def test_verifier_refuses_another_version() -> None:
    files = (FileFacts("demo-2.0.tar.gz", "https://x.invalid/f", sha256="ab" * 32),)
    verdict = _checked("pypi", "demo", ReleaseFacts("pypi", "demo", "2.0", files), "1.0")
    assert verdict.status is Status.ATTESTATION_INVALID
    assert "version 2.0, not 1.0" in verdict.reason

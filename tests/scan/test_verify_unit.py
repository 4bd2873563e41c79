"""Unit-level fault injection on ComponentVerifier (httpx.MockTransport registry answers)."""

from __future__ import annotations

import asyncio

import httpx

from attestations.result import Status
from attestations.trustroot import load_trusted_root, make_verifier
from scanner.models import Component, EvidenceKind, VersionEvidence
from scanner.registry import PyPIRegistry, make_client
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

"""Fields the recorded mirror does not serve (PEP 740 provenance, PEP 792 status, npm signatures,
attestations, _npmUser, keys), and malformed answers. The documents here are written by hand in
the shapes the specifications give; values are illustrative, not real."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from scanner.registry import NpmRegistry, PyPIRegistry, make_client
from scanner.registry.interface import FetchError
from scanner.registry.npm import parse_packument
from scanner.registry.pypi import SIMPLE_JSON, parse_simple
from tests.conftest import FIXTURES

from .conftest import run

INDEX = "https://index.invalid/simple/"
NPM = "https://npm.invalid/"
SHA = "ab" * 32

PAGE = {
    "meta": {"api-version": "1.4"},
    "name": "demo",
    "versions": ["1.0.0", "1.1.0", "2.0.0rc1"],
    "project-status": {"status": "quarantined", "reason": "under review"},
    "files": [
        {"filename": "demo-1.0.0.tar.gz", "url": "../../files/demo-1.0.0.tar.gz",
         "hashes": {"sha256": SHA}, "yanked": False, "upload-time": "2025-01-01T00:00:00Z",
         "provenance": None},
        {"filename": "demo-1.1.0-py3-none-any.whl", "url": "https://files.invalid/demo.whl",
         "hashes": {"sha256": SHA}, "yanked": "broken", "upload-time": "2025-02-01T00:00:00Z",
         "provenance": "https://index.invalid/integrity/demo/1.1.0/demo.whl/provenance"},
        {"filename": "demo-2.0.0rc1.tar.gz", "url": "https://files.invalid/rc.tar.gz",
         "hashes": {"sha256": SHA}, "provenance": "/integrity/demo/2.0.0rc1/rc/provenance"},
    ],
}  # fmt: skip
PROVENANCE = {
    "version": 1,
    "attestation_bundles": [{"publisher": {"kind": "GitHub"}, "attestations": []}],
}

PACKUMENT = {
    "name": "@acme/tool",
    "dist-tags": {"latest": "1.0.0"},
    "time": {"1.0.0": "2025-03-01T10:00:00.000Z", "0.9.0": "2025-02-01T10:00:00.000Z"},
    "versions": {
        "1.0.0": {
            "name": "@acme/tool", "version": "1.0.0",
            "dist": {"integrity": "sha512-" + "A" * 86 + "==", "shasum": "aa" * 20,
                     "tarball": "https://npm.invalid/@acme/tool/-/tool-1.0.0.tgz",
                     "signatures": [{"keyid": "SHA256:k", "sig": "MEUC"}],
                     "attestations": {"url": "https://npm.invalid/-/npm/v1/attestations/@acme%2ftool@1.0.0",
                                      "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}},
            "scripts": {"postinstall": "node x.js", "test": "jest"},
            "_npmUser": {"name": "alice", "email": "a@example.invalid"},
            "maintainers": [{"name": "alice"}, "bob <b@example.invalid>"],
        },
        "0.9.0": {
            "name": "@acme/tool", "version": "0.9.0", "deprecated": "use 1.x",
            "dist": {"integrity": "sha512-" + "B" * 86 + "==",
                     "tarball": "https://npm.invalid/@acme/tool/-/tool-0.9.0.tgz"},
        },
    },
}  # fmt: skip


def test_pep691_api_1_4_page() -> None:
    facts = parse_simple(INDEX + "demo/", PAGE, name="demo")
    assert facts.status == "quarantined"
    old, new, rc = (facts.releases[v] for v in ("1.0.0", "1.1.0", "2.0.0rc1"))
    assert old.files[0].url == "https://index.invalid/files/demo-1.0.0.tar.gz"
    assert old.files[0].provenance_url is None
    assert new.yanked and new.files[0].yanked_reason == "broken"
    assert new.files[0].provenance_url.endswith("/demo.whl/provenance")  # type: ignore[union-attr]
    assert (
        rc.files[0].provenance_url == "https://index.invalid/integrity/demo/2.0.0rc1/rc/provenance"
    )
    assert facts.latest == "1.0.0"  # 1.1.0 yanked, 2.0.0rc1 a pre-release
    assert old.project_status == "quarantined"


def test_versions_from_filenames_when_no_versions_key() -> None:
    page = {k: v for k, v in PAGE.items() if k != "versions"}
    assert parse_simple(INDEX, page, name="demo").versions == ("1.0.0", "1.1.0", "2.0.0rc1")


def test_pypi_attestations_fetch_and_404() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/simple/demo/"):
            return httpx.Response(200, json=PAGE, headers={"content-type": SIMPLE_JSON})
        if "2.0.0rc1" in request.url.path:
            return httpx.Response(404)
        assert request.headers["accept"] == "application/vnd.pypi.integrity.v1+json"
        return httpx.Response(200, json=PROVENANCE)

    async def go() -> tuple[Any, Any, Any]:
        async with make_client(cache_dir=None, transport=httpx.MockTransport(handler)) as c:
            pypi = PyPIRegistry(c, INDEX)
            attested = await pypi.release("demo", "1.1.0")
            none_404 = await pypi.release("demo", "2.0.0rc1")
            unattested = await pypi.release("demo", "1.0")  # normalised version match
            return (
                await pypi.attestations(attested),
                await pypi.attestations(none_404),
                await pypi.attestations(unattested),
            )

    assert run(go()) == (PROVENANCE, None, None)


def test_npm_signatures_attestations_scripts_publisher() -> None:
    facts = parse_packument(NPM + "@acme%2ftool", PACKUMENT, name="@acme/tool")
    new, old = facts.releases["1.0.0"], facts.releases["0.9.0"]
    assert new.signatures[0].keyid == "SHA256:k"
    assert new.attestations_url and new.attestations_url.endswith("@acme%2ftool@1.0.0")
    assert new.install_scripts == ("postinstall",)
    assert new.publisher == "alice" and new.maintainers == ("alice", "bob")
    assert new.files[0].sha512 == "00" * 64 and new.files[0].sha1 == "aa" * 20
    assert old.deprecated == "use 1.x" and old.signatures == () and old.attestations_url is None
    assert facts.latest == "1.0.0"


def test_npm_attestations_keys_and_scopes() -> None:
    real = json.loads((FIXTURES / "attestations/npm/npm-cli_audit_registry-keys.json").read_text())
    keys = {"keys": real["keys"]}
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/-/npm/v1/keys":
            return httpx.Response(200, json=keys)
        if "attestations" in request.url.path:
            return httpx.Response(
                200, json={"attestations": [{"predicateType": "x", "bundle": {}}]}
            )
        return httpx.Response(200, json=PACKUMENT)

    async def go() -> tuple[Any, Any]:
        async with make_client(cache_dir=None, transport=httpx.MockTransport(handler)) as c:
            npm = NpmRegistry(c, NPM, {"@acme": "https://acme.invalid/npm"})
            release = await npm.release("@acme/tool", "1.0.0")
            return await npm.attestations(release), await npm.signing_keys()

    doc, got = run(go())
    assert doc["attestations"][0]["predicateType"] == "x"
    assert got[0].keyid == "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA"
    assert got[0].expires is None
    assert seen[0] == "https://acme.invalid/npm/@acme%2Ftool"


@pytest.mark.parametrize(
    ("page", "problem"),
    [
        ([], "project page is list"),
        ({"name": "x", "files": {}}, "files is dict"),
        ({"name": "x", "files": [{"filename": "x-1.tar.gz"}]}, "files[0].url is NoneType"),
        ({"name": "x", "files": [{"filename": "x-1.tar.gz", "url": "u", "yanked": 1}]}, "yanked"),
        ({"name": "x", "files": [{"filename": "x-1.tar.gz", "url": "u", "upload-time": "no"}]},
         "not an ISO 8601 time"),
    ],
)  # fmt: skip
def test_malformed_simple_pages(page: Any, problem: str) -> None:
    with pytest.raises(FetchError) as info:
        parse_simple(INDEX + "x/", page, name="x")
    assert info.value.url == INDEX + "x/" and problem in info.value.problem


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"name": "x", "versions": []}, "versions is list"),
        ({"name": "x", "versions": {"1": {"dist": {}}}}, "dist.tarball is NoneType"),
        ({"name": "x", "versions": {"1": {"dist": {"tarball": "t", "integrity": "md4-zz"}}}},
         "dist.integrity"),
        ({"name": "x", "versions": {"1": {"dist": {"tarball": "t", "signatures": [1]}}}},
         "signatures[] is int"),
    ],
)  # fmt: skip
def test_malformed_packuments(doc: Any, problem: str) -> None:
    with pytest.raises(FetchError) as info:
        parse_packument(NPM + "x", doc, name="x")
    assert problem in info.value.problem


def test_registry_bounds_its_concurrency() -> None:
    import asyncio

    state = {"now": 0, "peak": 0}

    async def handler(request: httpx.Request) -> httpx.Response:
        state["now"] += 1
        state["peak"] = max(state["peak"], state["now"])
        await asyncio.sleep(0.01)
        state["now"] -= 1
        page = {**PAGE, "name": request.url.path.strip("/").rsplit("/", 1)[-1], "files": []}
        return httpx.Response(200, json=page, headers={"content-type": SIMPLE_JSON})

    async def go() -> None:
        async with make_client(cache_dir=None, transport=httpx.MockTransport(handler)) as c:
            pypi = PyPIRegistry(c, INDEX, max_concurrency=2)
            await asyncio.gather(*(pypi.project(f"p{i}") for i in range(8)))

    run(go())
    assert state["peak"] == 2

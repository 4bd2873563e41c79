"""Property tests: whatever bytes a registry or the cache holds, the registry layer returns facts
or raises FetchError / NotFound, and a component's verification ends in a status, never an
exception. Registry answers are injected with httpx.MockTransport (unit-level fault injection)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attestations.result import Status
from attestations.trustroot import load_trusted_root, make_verifier
from scanner._testing.hostile import deep_json
from scanner.demo import recorded_at
from scanner.models import Component, EvidenceKind, VersionEvidence
from scanner.registry import NpmRegistry, PyPIRegistry, make_client
from scanner.registry.http import fetch_json
from scanner.registry.interface import FetchError, NotFound
from scanner.registry.npm import parse_packument
from scanner.registry.pypi import SIMPLE_JSON, parse_simple
from scanner.verify import ComponentVerifier

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INDEX = "https://index.example.invalid/simple/"
NPM = "https://npm.example.invalid/"
# The fixtures' own moment, never today: the shipped root has a one-year limit.
VERIFIER = make_verifier(load_trusted_root(now=recorded_at()))

_keys = st.sampled_from(
    ["name", "files", "versions", "filename", "url", "hashes", "sha256", "provenance", "yanked",
     "upload-time", "dist", "tarball", "integrity", "signatures", "attestations", "dist-tags",
     "latest", "time", "version", "keyid", "sig", "scripts", "_npmUser", "maintainers",
     "meta", "project-status", "status", "demo", "1.0", "predicateType", "bundle"]
) | st.text(max_size=6)  # fmt: skip
_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.sampled_from(["demo", "1.0", "demo-1.0.tar.gz", "sha512-AAAA", "2025-01-01T00:00:00Z"])
    | st.text(max_size=12)
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
    max_leaves=30,
)
_bodies = (
    st.binary(max_size=300)
    | _json.map(lambda v: json.dumps(v).encode())
    | st.integers(min_value=1, max_value=20_000).map(deep_json)
)


def _serve(body: bytes, encoding: str | None = None) -> httpx.MockTransport:
    headers = {"content-type": "application/json"}
    if encoding is not None:
        headers["content-encoding"] = encoding

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers=headers)

    return httpx.MockTransport(handler)


@FAST
@given(data=_json)
def test_parsers_raise_only_fetch_error(data: Any) -> None:
    for parse, name in ((parse_simple, "demo"), (parse_packument, "demo")):
        try:
            parse("https://x.example.invalid/", data, name=name)
        except FetchError:
            pass


@FAST
@given(
    body=_bodies,
    ecosystem=st.sampled_from(["pypi", "npm"]),
    encoding=st.sampled_from([None, "gzip", "deflate"]),
)
def test_any_answer_gives_facts_or_a_registry_error(
    body: bytes, ecosystem: str, encoding: str | None
) -> None:
    async def go() -> None:
        async with make_client(cache_dir=None, transport=_serve(body, encoding)) as client:
            if ecosystem == "pypi":
                registry: PyPIRegistry | NpmRegistry = PyPIRegistry(client, INDEX, retries=0)
            else:
                registry = NpmRegistry(client, NPM, retries=0)
            release = await registry.release("demo", "1.0")
            await registry.attestations(release, release.files[0] if release.files else None)

    try:
        asyncio.run(go())
    except (FetchError, NotFound):
        pass


@FAST
@given(body=st.binary(max_size=300), meta=_json)
def test_any_cached_entry_gives_an_answer_or_a_registry_error(
    tmp_path_factory: Any, body: bytes, meta: Any
) -> None:
    """Someone wrote the cache: a body with a header file of its own (well formed or not)."""
    cache = tmp_path_factory.mktemp("cache")
    url = INDEX + "demo/"
    key = hashlib.sha256(f"GET {url}\n{SIMPLE_JSON}".encode()).hexdigest()
    base = Path(cache) / key[:2] / key
    base.parent.mkdir(parents=True)
    base.with_suffix(".body").write_bytes(body)
    honest = {
        "status": 200,
        "url": url,
        "accept": SIMPLE_JSON,
        "headers": [["content-type", SIMPLE_JSON]],
        "stored_at": 0,
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
    }
    base.with_suffix(".json").write_text(json.dumps(honest if meta is None else meta))

    async def go() -> None:
        async with make_client(cache_dir=Path(cache), offline=True) as client:
            await fetch_json(client, url, accept=SIMPLE_JSON)

    try:
        asyncio.run(go())
    except (FetchError, NotFound):
        pass


PAGE = {
    "meta": {"api-version": "1.3"},
    "name": "demo",
    "files": [
        {
            "filename": "demo-1.0.tar.gz",
            "url": "https://files.example.invalid/demo-1.0.tar.gz",
            "hashes": {"sha256": "ab" * 32},
            "provenance": INDEX + "../integrity/demo/1.0/demo-1.0.tar.gz/provenance",
        }
    ],
}
PACKUMENT = {
    "name": "demo",
    "dist-tags": {"latest": "1.0"},
    "versions": {
        "1.0": {
            "name": "demo",
            "version": "1.0",
            "dist": {
                "tarball": NPM + "demo/-/demo-1.0.tgz",
                "integrity": "sha512-" + "A" * 86 + "==",
                "attestations": {"url": NPM + "-/npm/v1/attestations/demo@1.0"},
            },
        }
    },
}


@FAST
@given(doc=_bodies, ecosystem=st.sampled_from(["pypi", "npm"]))
def test_any_attestation_document_ends_in_a_status(doc: bytes, ecosystem: str) -> None:
    """A real page or packument, then anything at all as the attestation document."""

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if "provenance" in path or "attestations" in path:
            return httpx.Response(200, content=doc, headers={"content-type": "application/json"})
        if path.endswith("/keys"):
            return httpx.Response(200, json={"keys": []})
        return httpx.Response(200, json=PAGE if ecosystem == "pypi" else PACKUMENT)

    async def go() -> Any:
        async with make_client(cache_dir=None, transport=httpx.MockTransport(handler)) as client:
            registries = {
                "pypi": PyPIRegistry(client, INDEX, retries=0),
                "npm": NpmRegistry(client, NPM, retries=0),
            }
            checker = ComponentVerifier(registries, VERIFIER, trust_root_digest="x", deadline=10)
            component = Component(
                f"pkg:{ecosystem}/demo@1.0",
                ecosystem,
                "demo",
                "1.0",
                VersionEvidence(EvidenceKind.COMMAND_PIN),
            )
            return await checker.verify(component)

    verdict = asyncio.run(go())
    assert verdict.status in set(Status) - {Status.VERIFIED}

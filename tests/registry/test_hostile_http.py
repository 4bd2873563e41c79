"""The registry layer against a hostile loopback registry: every misbehaviour is a FetchError
with its reason (never another exception), nothing waits past its deadline, and answers are
bound to the question."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from scanner._testing.hostile import Answer, HostileRegistry, deep_json, redirect
from scanner.registry import NpmRegistry, PyPIRegistry, make_client
from scanner.registry.http import fetch_json
from scanner.registry.interface import FetchError, ProjectFacts
from scanner.registry.pypi import MAX_PAGE_BYTES, SIMPLE_JSON

from .conftest import run

PATH = "/pypi/simple/mcp/"


@pytest.fixture
def hostile() -> Iterator[HostileRegistry]:
    """A hostile registry on 127.0.0.1."""
    with HostileRegistry() as server:
        yield server


def _get(reg: HostileRegistry, path: str = PATH, **kw: Any) -> Any:
    async def go() -> Any:
        async with make_client(cache_dir=None, deadline=kw.pop("deadline", 5.0)) as client:
            return await fetch_json(client, reg.base_url + path, accept=SIMPLE_JSON, **kw)

    return run(go())


def _problem(reg: HostileRegistry, path: str = PATH, **kw: Any) -> str:
    with pytest.raises(FetchError) as info:
        _get(reg, path, **kw)
    return info.value.problem


def test_deep_json_is_a_fetch_error(hostile: HostileRegistry) -> None:
    hostile.script(PATH, Answer(body=deep_json(10_000)))
    assert "nested too deeply" in _problem(hostile)


def test_corrupt_gzip_is_a_fetch_error(hostile: HostileRegistry) -> None:
    hostile.script(PATH, Answer(serve=PATH, encoding="corrupt-gzip"))
    assert "could not decode" in _problem(hostile)


def test_real_gzip_is_read(hostile: HostileRegistry) -> None:
    hostile.script(PATH, Answer(serve=PATH, encoding="gzip"))
    assert _get(hostile)["name"] == "mcp"


def test_redirect_loop_is_a_fetch_error(hostile: HostileRegistry) -> None:
    hostile.script(PATH, redirect(PATH))
    assert "redirects" in _problem(hostile)
    assert len(hostile.requests) == 6  # the first request and five redirects, then no more


def test_redirect_to_another_origin_is_refused(hostile: HostileRegistry) -> None:
    with HostileRegistry() as elsewhere:
        hostile.script(PATH, redirect(elsewhere.base_url + PATH))
        problem = _problem(hostile)
        assert elsewhere.requests == []
        assert "another origin" in problem and elsewhere.base_url in problem


def test_redirect_within_the_origin_is_followed(hostile: HostileRegistry) -> None:
    hostile.script(PATH, redirect("/pypi/simple/MCP/", status=301))
    hostile.script("/pypi/simple/MCP/", Answer(serve=PATH))
    assert _get(hostile)["name"] == "mcp"


def test_dripping_body_is_cut_off_at_the_deadline(hostile: HostileRegistry) -> None:
    hostile.script(PATH, Answer(body=b'{"name": "mcp", "files": []}' * 4, drip=0.2))
    problem = _problem(hostile, deadline=0.5)
    assert "0.5 s request deadline" in problem and "bytes received" in problem


def test_a_page_the_size_of_pydantic_cores_is_within_the_cap(hostile: HostileRegistry) -> None:
    """pydantic-core's real PyPI page measured 6.9 MB; the old 5 MB cap failed it."""
    files = [
        {"filename": f"mcp-1.{i}.0.tar.gz", "url": f"/f/{i}", "hashes": {"sha256": "ab" * 32}}
        for i in range(48_000)
    ]
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "mcp", "files": files}).encode()
    assert 6_900_000 < len(body) < MAX_PAGE_BYTES
    hostile.script(PATH, Answer(body=body, content_type=SIMPLE_JSON))

    async def go() -> ProjectFacts:
        async with make_client(cache_dir=None) as client:
            return await PyPIRegistry(client, hostile.url("pypi", "simple/")).project("mcp")

    assert len(run(go()).versions) == 48_000


@pytest.mark.parametrize("send_length", [True, False])
def test_a_page_over_the_cap_names_its_size(hostile: HostileRegistry, send_length: bool) -> None:
    hostile.script(PATH, Answer(body=b" " * 300_000 + b"{}", send_length=send_length))
    problem = _problem(hostile, max_bytes=100_000)
    assert "100000-byte limit" in problem
    assert "300002 bytes" in problem if send_length else "at least " in problem


def test_pypi_page_of_another_project(hostile: HostileRegistry) -> None:
    hostile.script("/pypi/simple/rfc8785/", Answer(serve="/pypi/simple/pypi-attestations/"))

    async def go() -> None:
        async with make_client(cache_dir=None) as client:
            await PyPIRegistry(client, hostile.url("pypi", "simple/")).project("rfc8785")

    with pytest.raises(FetchError) as info:
        run(go())
    assert "'pypi-attestations', not the 'rfc8785' asked for" in info.value.problem


def test_npm_packument_of_another_package(hostile: HostileRegistry) -> None:
    hostile.script("/npm/tuf-js", Answer(serve="/npm/sigstore"))

    async def go() -> None:
        async with make_client(cache_dir=None) as client:
            await NpmRegistry(client, hostile.url("npm")).release("tuf-js", "1.0.0")

    with pytest.raises(FetchError) as info:
        run(go())
    assert "'sigstore', not the 'tuf-js' asked for" in info.value.problem

"""The HTTP layer against the loopback fixture registry: retries, limits, cache, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from scanner._testing.fixture_server import Fault, FixtureRegistry
from scanner.registry.http import fetch_json, make_client, parse_retry_after
from scanner.registry.interface import FetchError, NotFound, OfflineMiss
from scanner.registry.pypi import SIMPLE_JSON

from .conftest import run

PATH = "/pypi/simple/mcp/"


class Sleeps:
    """Records requested waits and sleeps a tiny bit instead."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _fetch(
    reg: FixtureRegistry,
    *,
    cache_dir: Path | None = None,
    offline: bool = False,
    timeout: float = 5.0,
    sleep: Sleeps | None = None,
    path: str = PATH,
    **kw: Any,
) -> tuple[Any, str]:
    async def go() -> tuple[Any, str]:
        async with make_client(cache_dir=cache_dir, offline=offline, timeout=timeout) as client:
            url = reg.base_url + path
            data = await fetch_json(
                client, url, accept=SIMPLE_JSON, sleep=sleep or Sleeps(), backoff=0.01, **kw
            )
            return data, url

    return run(go())


def test_plain_fetch(fixture_registry: FixtureRegistry) -> None:
    data, _ = _fetch(fixture_registry)
    assert data["name"] == "mcp"
    assert fixture_registry.requests[0].headers["accept"] == SIMPLE_JSON


def test_retries_500_then_succeeds(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(status=500, times=2))
    sleeps = Sleeps()
    data, _ = _fetch(fixture_registry, sleep=sleeps)
    assert data["name"] == "mcp"
    assert [r.status for r in fixture_registry.requests] == [500, 500, 200]
    assert len(sleeps.waits) == 2
    assert sleeps.waits[1] > sleeps.waits[0] * 0.5  # backoff grows (jitter is 0.5x-1.5x)


def test_persistent_503_gives_fetch_error(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(status=503))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry, retries=2)
    assert "HTTP 503" in info.value.problem and "3 attempts" in info.value.problem
    assert len(fixture_registry.requests) == 3


def test_429_retry_after_is_honoured(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(status=429, headers=(("Retry-After", "1"),), times=1))
    sleeps = Sleeps()
    data, _ = _fetch(fixture_registry, sleep=sleeps)
    assert data["name"] == "mcp"
    assert sleeps.waits == [1.0]


def test_429_retry_after_is_capped(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(
        PATH, Fault(status=429, headers=(("Retry-After", "86400"),), times=1)
    )
    sleeps = Sleeps()
    _fetch(fixture_registry, sleep=sleeps, max_wait=2.5)
    assert sleeps.waits == [2.5]


def test_real_sleep_with_tiny_retry_after(fixture_registry: FixtureRegistry) -> None:
    """The default sleep really waits: a fractional Retry-After keeps the test fast."""
    fixture_registry.add_fault(PATH, Fault(status=429, headers=(("Retry-After", "0.05"),), times=1))

    async def go() -> Any:
        async with make_client(cache_dir=None) as client:
            return await fetch_json(client, fixture_registry.base_url + PATH, accept=SIMPLE_JSON)

    assert run(go())["name"] == "mcp"
    assert [r.status for r in fixture_registry.requests] == [429, 200]


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after("nan") is None
    assert parse_retry_after(None) is None


def test_timeout_becomes_fetch_error(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(delay=1.0))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry, timeout=0.1, retries=1)
    assert "timed out" in info.value.problem


def test_truncated_json_is_fetch_error(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(truncate=True))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry)
    assert "not valid JSON" in info.value.problem


def test_wrong_content_type_is_fetch_error(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(content_type="text/html"))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry)
    assert "text/html" in info.value.problem and "PEP 691" in info.value.problem


@pytest.mark.parametrize("send_length", [True, False])
def test_ten_megabyte_body_is_refused(fixture_registry: FixtureRegistry, send_length: bool) -> None:
    fixture_registry.add_fault(PATH, Fault(big_body=True, send_length=send_length))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry)
    assert "5000000-byte limit" in info.value.problem


def test_connection_reset_is_retried_then_fetch_error(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(reset=True))
    with pytest.raises(FetchError) as info:
        _fetch(fixture_registry, retries=1)
    assert "connection failed" in info.value.problem


def test_reset_once_then_success(fixture_registry: FixtureRegistry) -> None:
    fixture_registry.add_fault(PATH, Fault(reset=True, times=1))
    assert _fetch(fixture_registry)[0]["name"] == "mcp"


def test_404_is_not_found(fixture_registry: FixtureRegistry) -> None:
    with pytest.raises(NotFound):
        _fetch(fixture_registry, path="/pypi/simple/nothing-here/")


def test_304_revalidation_is_served_from_the_cache(
    fixture_registry: FixtureRegistry, tmp_path: Path
) -> None:
    async def go() -> list[str]:
        how = []
        async with make_client(cache_dir=tmp_path) as client:
            for _ in range(2):
                async with client.stream("GET", fixture_registry.base_url + PATH) as response:
                    await response.aread()
                    how.append(response.extensions["chainwatch_cache"])
            data = await fetch_json(client, fixture_registry.base_url + PATH, accept="*/*")
            assert data["name"] == "mcp"
        return how

    assert run(go()) == ["miss", "revalidated"]
    first, second, third = fixture_registry.requests
    assert "if-none-match" not in first.headers
    assert second.headers["if-none-match"].startswith('"') and second.status == 304
    assert third.status == 304


def test_fresh_entry_answers_without_a_request(tmp_path: Path) -> None:
    with FixtureRegistry(cache_control="max-age=600") as reg:
        _fetch(reg, cache_dir=tmp_path)
        _fetch(reg, cache_dir=tmp_path)
        assert len(reg.requests) == 1


def test_partial_body_is_not_cached(fixture_registry: FixtureRegistry, tmp_path: Path) -> None:
    fixture_registry.add_fault(PATH, Fault(big_body=True, send_length=False, times=1))
    with pytest.raises(FetchError):
        _fetch(fixture_registry, cache_dir=tmp_path)
    assert not list(tmp_path.rglob("*.body")) and not list(tmp_path.rglob("*.part"))
    assert _fetch(fixture_registry, cache_dir=tmp_path)[0]["name"] == "mcp"


def test_offline_with_warm_cache(fixture_registry: FixtureRegistry, tmp_path: Path) -> None:
    online, url = _fetch(fixture_registry, cache_dir=tmp_path)
    seen = len(fixture_registry.requests)
    offline, _ = _fetch(fixture_registry, cache_dir=tmp_path, offline=True)
    assert offline == online
    assert len(fixture_registry.requests) == seen  # offline made no request


def test_offline_with_cold_cache_raises(fixture_registry: FixtureRegistry, tmp_path: Path) -> None:
    with pytest.raises(OfflineMiss) as info:
        _fetch(fixture_registry, cache_dir=tmp_path, offline=True)
    assert "--offline" in info.value.problem
    assert fixture_registry.requests == []


def test_global_latency(tmp_path: Path) -> None:
    with FixtureRegistry(latency=0.01) as reg:
        assert _fetch(reg)[0]["name"] == "mcp"


# --- unit level: httpx.MockTransport ------------------------------------------------------------


def _mock(handler: Any, **kw: Any) -> Any:
    async def go() -> Any:
        async with make_client(cache_dir=None, transport=httpx.MockTransport(handler)) as client:
            return await fetch_json(
                client,
                "https://user:pw@index.invalid/simple/x/",
                accept=SIMPLE_JSON,
                sleep=Sleeps(),
                **kw,
            )

    return run(go())


def test_mock_credentials_never_in_errors() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Basic ")
        return httpx.Response(403)

    with pytest.raises(FetchError) as info:
        _mock(handler)
    assert "pw" not in str(info.value) and "***@index.invalid" in info.value.url
    assert "credentials" in info.value.problem


def test_mock_connect_error_then_success() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"name": "x"}, headers={"content-type": SIMPLE_JSON})

    assert _mock(handler) == {"name": "x"}
    assert len(calls) == 2


def test_mock_unexpected_status() -> None:
    with pytest.raises(FetchError) as info:
        _mock(lambda request: httpx.Response(418, json={}))
    assert "unexpected HTTP 418" in info.value.problem


def test_mock_invalid_utf8_is_fetch_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"\xff\xfe{", headers={"content-type": SIMPLE_JSON})

    with pytest.raises(FetchError):
        _mock(handler)


def test_mock_json_body_roundtrip() -> None:
    body = {"name": "x", "files": []}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )

    assert _mock(handler) == body

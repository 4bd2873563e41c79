"""Fault injection against the loopback registry: the scan completes and marks exactly the
affected components fetch-failed; nothing is marked verified that was not."""

from __future__ import annotations

from pathlib import Path

from attestations.result import Status
from scanner._testing.fixture_server import Fault, FixtureRegistry

from .conftest import fleet, scan

SERVERS = {
    "fetch": ["uvx", "mcp-server-fetch==2026.10.24"],  # untouched
    "git": ["uvx", "mcp-server-git==2026.10.19"],  # 500 on every attempt
    "time": ["uvx", "mcp-server-time==2026.10.19"],  # 429 + Retry-After once, then fine
    "zod": ["npx", "-y", "zod@4.6.7"],  # truncated JSON
    "express": ["npx", "-y", "express@5.2.1"],  # wrong content type
    "remote": ["npx", "-y", "mcp-remote@0.15.1", "https://x.example.invalid/mcp"],  # 10 MB body
    "playwright": ["npx", "-y", "@playwright/mcp@0.0.83"],  # never answers in time
}


def test_faults_mark_exactly_the_affected_components(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    registry.add_fault("/pypi/simple/mcp-server-git/", Fault(status=500))
    registry.add_fault(
        "/pypi/simple/mcp-server-time/", Fault(status=429, headers=(("Retry-After", "0"),), times=1)
    )
    registry.add_fault("/npm/zod", Fault(truncate=True))
    registry.add_fault("/npm/express", Fault(content_type="text/html"))
    registry.add_fault("/npm/mcp-remote", Fault(big_body=True))
    registry.add_fault("/npm/@playwright*", Fault(delay=1.0))
    inventory = fleet(tmp_path, SERVERS)
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)  # the backoff asked for, without waiting for it

    result = scan(registry, inventory, tmp_path, timeout=0.1, sleep=record)

    status = {v.component.name: v.status for v in result.verdicts.values()}
    failed = {name for name, s in status.items() if s is Status.FETCH_FAILED}
    assert failed == {"mcp-server-git", "zod", "express", "mcp-remote", "@playwright/mcp"}
    # The 429 was retried after Retry-After and then answered: checked like the untouched one.
    assert status["mcp-server-time"] is Status.NO_ATTESTATION
    assert status["mcp-server-fetch"] is Status.NO_ATTESTATION
    assert not any(s is Status.VERIFIED for s in status.values())
    reasons = {v.component.name: v.reason for v in result.verdicts.values()}
    assert "500" in reasons["mcp-server-git"]
    assert "content type" in reasons["express"]
    assert "timed out" in reasons["@playwright/mcp"]
    # Each fetch failure is also a finding, so a gate sees it.
    codes = {(f.subject.split("@")[0], f.code) for _, f in result.findings}
    assert ("pkg:npm/zod", "CW207") in codes
    time_requests = [r for r in registry.requests if r.path == "/pypi/simple/mcp-server-time/"]
    assert [r.status for r in time_requests][:2] == [429, 200]
    # Retries backed off: the 500s and timeouts asked for growing waits, the 429 for Retry-After 0.
    assert 0.0 in waits and max(waits) >= 1.0


def test_offline_with_cold_cache_checks_nothing(registry: FixtureRegistry, tmp_path: Path) -> None:
    inventory = fleet(tmp_path, {"fetch": ["uvx", "mcp-server-fetch==2026.10.24"]})
    result = scan(registry, inventory, tmp_path, offline=True)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.FETCH_FAILED
    assert "offline" in verdict.reason
    assert registry.requests == []  # offline really means no request


def test_offline_with_warm_cache_answers_from_it(registry: FixtureRegistry, tmp_path: Path) -> None:
    inventory = fleet(tmp_path, {"fetch": ["uvx", "mcp-server-fetch==2026.10.24"]})
    online = scan(registry, inventory, tmp_path)
    seen = len(registry.requests)
    offline = scan(registry, inventory, tmp_path, offline=True)
    assert [v.status for v in offline.verdicts.values()] == [
        v.status for v in online.verdicts.values()
    ]
    assert len(registry.requests) == seen

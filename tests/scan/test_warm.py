"""Warm verdicts (scanner/verify/warm.py) are reused only while everything they rest on holds.

Each test scans twice over one cache folder and one cache key: a cold run that verifies in full,
then a warm run. The warm run must give exactly what a full run gives: for the same inputs the
same verdicts and findings, and for changed inputs (a lockfile digest, a cached registry page, the
trust root, a forged row) never the old verdict.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import scanner.verify.fleet
from attestations.errors import TrustRootError
from attestations.result import Status
from attestations.trustroot import shipped_root_path
from scanner._testing.fixture_server import FixtureRegistry, default_fixture_dir
from scanner.checks.typosquat import shipped_list
from scanner.demo import demo_data
from scanner.inventory.build import InventoryOptions, build_inventory
from scanner.models import Inventory
from scanner.report._jsonable import dumps
from scanner.report.json import scan_document
from scanner.scan import ScanResult
from tests.conftest import FIXTURES

from .conftest import fleet, scan
from .test_integrity import SDIST, _requirements, _sha

PAGE = "/pypi/simple/pypi-attestations/"


class FullPath:
    """Counts the components that took the full verification path (not a warm verdict)."""

    def __init__(self) -> None:
        self.verified: list[str] = []


@pytest.fixture
def full_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[FullPath]:
    seen = FullPath()
    inner = scanner.verify.fleet.verify_fleet

    async def counting(components, *args, **kwargs):  # type: ignore[no-untyped-def]
        seen.verified.extend(c.purl for c in components)
        return await inner(components, *args, **kwargs)

    monkeypatch.setattr(scanner.verify.fleet, "verify_fleet", counting)
    yield seen


def _scan(
    registry: FixtureRegistry, inv: Inventory, tmp_path: Path, **options: object
) -> ScanResult:
    """A scan whose cache key lives outside the cache folder and persists between runs."""
    return scan(registry, inv, tmp_path, cache_key=tmp_path / "data" / "cache.key", **options)


def _document(result: ScanResult) -> str:
    return dumps(scan_document(result))


def test_a_warm_run_gives_the_cold_run_s_verdicts_and_findings(
    tmp_path: Path, full_path: FullPath
) -> None:
    data = demo_data()
    inv = build_inventory([data.fleet], InventoryOptions(home=tmp_path / "home", env={}))
    with FixtureRegistry(data.registry) as registry:
        cold = _scan(registry, inv, tmp_path)
        verified_cold = len(full_path.verified)
        served = len(registry.requests)
        warm = _scan(registry, inv, tmp_path, offline=True)
        assert len(registry.requests) == served  # offline: nothing asked
    assert verified_cold == len(cold.verdicts)  # every component verified in full once
    # Every answer the demo's verdicts rest on is in the cache: none is verified again.
    assert full_path.verified[verified_cold:] == []
    assert {Status.VERIFIED, Status.DIGEST_MISMATCH} <= {v.status for v in cold.verdicts.values()}
    assert warm.verdicts == cold.verdicts
    assert warm.findings == cold.findings
    assert warm.registries == cold.registries
    assert _document(warm) == _document(cold)


def test_a_changed_lockfile_digest_is_still_a_critical_mismatch(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    folder = tmp_path / "fleet"
    inv = fleet(folder, {}, {"requirements.txt": _requirements(_sha(SDIST))})
    (cold,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert cold.status is Status.VERIFIED
    # Same name, same version, another digest: the warm verdict must not answer for it.
    changed = fleet(folder, {}, {"requirements.txt": _requirements("f" * 64)})
    result = _scan(registry, changed, tmp_path, offline=True)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.DIGEST_MISMATCH
    assert [f.severity.value for _, f in result.findings if f.code == "CW200"] == ["critical"]
    assert full_path.verified[-1] == verdict.component.purl  # verified in full, not reused


def _entry(tmp_path: Path, path: str) -> Path:
    """The HTTP cache entry (without suffix) of the registry answer at ``path``."""
    metas = (tmp_path / "cache" / "http").rglob("*.json")
    return next(m.with_suffix("") for m in metas if json.loads(m.read_text())["url"].endswith(path))


def _tampered_page(body: bytes) -> bytes:
    page = json.loads(body)
    for file in page["files"]:
        if file["filename"] == SDIST:
            file["hashes"]["sha256"] = "e" * 64
    return json.dumps(page).encode()


@pytest.mark.parametrize("header_too", [True, False], ids=["consistent-entry", "body-only"])
def test_a_changed_cached_page_is_never_answered_by_the_old_verdict(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath, header_too: bool
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    (cold,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert cold.status is Status.VERIFIED
    entry = _entry(tmp_path, PAGE)
    body = _tampered_page(entry.with_suffix(".body").read_bytes())
    entry.with_suffix(".body").write_bytes(body)
    if header_too:  # as a revalidation (or someone able to write the cache) would leave it
        meta = json.loads(entry.with_suffix(".json").read_text())
        meta |= {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}
        entry.with_suffix(".json").write_text(json.dumps(meta))
    (verdict,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    # The page the full path reads now: its sdist digest differs from the lockfile's. A body
    # that no longer matches its header file is no answer at all (fetch-failed offline).
    want = Status.DIGEST_MISMATCH if header_too else Status.FETCH_FAILED
    assert verdict.status is want, verdict.reason
    assert full_path.verified[-1] == verdict.component.purl


def test_a_trust_root_past_its_limit_is_refused_on_the_warm_path(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _scan(registry, inv, tmp_path)
    late = datetime(2027, 11, 27, tzinfo=UTC)  # after the pinned root's one-year limit
    with pytest.raises(TrustRootError, match="not usable"):
        _scan(registry, inv, tmp_path, offline=True, clock=lambda: late)


def test_another_trust_root_verifies_in_full(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    cold = _scan(registry, inv, tmp_path)
    # The same keys in other bytes: another file, so another root as far as any cache knows.
    other = tmp_path / "root" / "trusted_root.json"
    other.parent.mkdir()
    other.write_text(json.dumps(json.loads(shipped_root_path().read_text()), indent=1))
    shutil.copy(shipped_root_path().with_name("trusted_root.meta.json"), other.parent)
    before = len(full_path.verified)
    again = _scan(registry, inv, tmp_path, offline=True, trust_root=other)
    assert len(full_path.verified) == before + 1
    assert again.verdicts == cold.verdicts


def _rows(tmp_path: Path) -> sqlite3.Connection:
    return sqlite3.connect(tmp_path / "cache" / "verdicts.sqlite")


def test_a_forged_warm_row_is_not_believed(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements("f" * 64)})
    (cold,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert cold.status is Status.DIGEST_MISMATCH
    db = _rows(tmp_path)
    with db:
        (text,) = db.execute("SELECT verdict FROM warm_verdict").fetchone()
        forged = json.loads(text)
        forged[0], forged[1] = Status.VERIFIED.value, "verified (forged)"
        changed = db.execute("UPDATE warm_verdict SET verdict = ?", (json.dumps(forged),)).rowcount
    db.close()
    assert changed == 1
    (verdict,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert verdict.status is Status.DIGEST_MISMATCH
    assert full_path.verified[-1] == verdict.component.purl


def test_rows_of_another_key_are_not_believed(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _scan(registry, inv, tmp_path)
    (tmp_path / "data" / "cache.key").unlink()  # a new key: every row was made under another
    before = len(full_path.verified)
    (verdict,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert verdict.status is Status.VERIFIED
    assert len(full_path.verified) == before + 1


def test_a_failed_fetch_is_never_kept(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    (first,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()  # empty cache
    assert first.status is Status.FETCH_FAILED
    db = _rows(tmp_path)
    assert db.execute("SELECT count(*) FROM warm_verdict").fetchone() == (0,)
    db.close()
    (second,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert second.status is Status.VERIFIED
    assert len(full_path.verified) == 2


def test_without_a_persistent_key_nothing_is_reused(
    registry: FixtureRegistry, tmp_path: Path, full_path: FullPath
) -> None:
    # An explicit cache folder and no key: results of other runs are never believed.
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    scan(registry, inv, tmp_path)
    scan(registry, inv, tmp_path, offline=True)
    assert len(full_path.verified) == 2
    assert not (tmp_path / "cache" / "verdicts.sqlite").exists()


def test_the_code_stamp_follows_the_verifying_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.verify import warm

    monkeypatch.setattr(warm, "_CODE", (str(tmp_path / "code"),))
    monkeypatch.setattr(warm, "_CODE_FILES", ())
    (tmp_path / "code").mkdir()
    (tmp_path / "code" / "a.py").write_text("x = 1\n")
    first = warm.code_stamp()
    assert warm.code_stamp() == first
    (tmp_path / "code" / "a.py").write_text("x = 22\n")  # another size: another stamp
    assert warm.code_stamp() != first
    assert warm.run_context("r1") != warm.run_context("r2")
    # Code that cannot be listed never shares a stamp, so nothing is reused.
    monkeypatch.setattr(warm, "_CODE", (str(tmp_path / "missing"),))
    assert warm.code_stamp() != warm.code_stamp()


def _registry_with_squat(tmp_path: Path) -> Path:
    """The fixture registry plus mcp-server-fetch's real page under a typosquat's name."""
    folder = tmp_path / "registry"
    shutil.copytree(default_fixture_dir(), folder)
    page = (folder / "pypi/simple/mcp-server-fetch.json").read_text()
    squat = page.replace("mcp-server-fetch", "mcp-server-fecth")
    (folder / "pypi/simple/mcp-server-fecth.json").write_text(
        squat.replace("mcp_server_fetch", "mcp_server_fecth")
    )
    manifest = json.loads((folder / "responses.json").read_text())
    manifest.append(
        {
            "path": "/pypi/simple/mcp-server-fecth/",
            "file": "pypi/simple/mcp-server-fecth.json",
            "content_type": "application/vnd.pypi.simple.v1+json",
        }
    )
    (folder / "responses.json").write_text(json.dumps(manifest))
    return folder


def test_a_typosquat_finding_comes_back_with_its_warm_verdict(
    tmp_path: Path, full_path: FullPath
) -> None:
    page = json.loads((FIXTURES / "registry/pypi/simple/mcp-server-fetch.json").read_text())
    sha = page["files"][0]["hashes"]["sha256"]
    lock = {"requirements.txt": f"mcp-server-fecth==2026.10.24 --hash=sha256:{sha}\n"}
    inv = fleet(tmp_path / "fleet", {}, lock)
    with FixtureRegistry(_registry_with_squat(tmp_path)) as registry:
        cold = _scan(registry, inv, tmp_path)
        shipped_list.cache_clear()
        warm = _scan(registry, inv, tmp_path, offline=True)
    squats = [f for _, f in cold.findings if f.code == "CW109"]
    assert [f.evidence for f in squats] == [
        (("imitates", "mcp-server-fetch"), ("technique", "edit-distance"), ("distance", "1"))
    ]
    assert warm.findings == cold.findings
    assert len(full_path.verified) == 1  # the warm run verified nothing in full ...
    assert shipped_list.cache_info().currsize == 0  # ... and indexed no name list

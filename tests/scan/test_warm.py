"""Warm verdicts (scanner/verify/warm.py) are reused only while everything they rest on holds.

Each test scans twice over one cache folder and one cache key: a cold run that verifies in full,
then a warm run. The warm run must give exactly what a full run gives: for the same inputs the
same verdicts and findings, and for changed inputs (a lockfile digest, a cached registry page, the
trust root, a forged row) never the old verdict.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import marshal
import os
import shutil
import sqlite3
import time
import typing
from collections.abc import Iterator
from datetime import UTC, datetime
from enum import Enum
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
from scanner.models import (
    Artifact,
    Component,
    Digest,
    EvidenceKind,
    Installer,
    Inventory,
    RegistryHint,
    SourceLocation,
    VersionEvidence,
)
from scanner.report._jsonable import dumps
from scanner.report.json import scan_document
from scanner.scan import ScanResult
from scanner.verify import warm, warm_files
from scanner.verify.codec import component_key
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
        (data,) = db.execute("SELECT verdict FROM warm_verdict").fetchone()
        forged = list(marshal.loads(data))
        forged[0], forged[1] = Status.VERIFIED.value, "verified (forged)"
        changed = db.execute(
            "UPDATE warm_verdict SET verdict = ?", (marshal.dumps(tuple(forged)),)
        ).rowcount
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


# The stat tier (warm_files.py's docstring): an answer whose entry files still have the stamp
# kept in its row is believed without reading them; a stamp is kept only once they are settled.


class FullReads:
    """Counts the cache entries the warm lookup read and hashed in full (not trusted by stamp)."""

    def __init__(self) -> None:
        self.entries: list[str] = []


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> FullReads:
    seen = FullReads()
    inner = warm_files.read_stamped

    def counting(base, url, accept):  # type: ignore[no-untyped-def]
        seen.entries.append(url)
        return inner(base, url, accept)

    monkeypatch.setattr(warm_files, "read_stamped", counting)
    return seen


def _settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on the cache's files look older than the racy window (the clock runs ahead)."""
    later = time.time_ns() + 60 * 10**9
    monkeypatch.setattr(warm_files, "wall_time_ns", lambda: later)


def _stamps(tmp_path: Path) -> list[object]:
    """The stamp of every answer in every row."""
    db = _rows(tmp_path)
    rows = db.execute("SELECT answers FROM warm_verdict").fetchall()
    db.close()
    return [answer[5] for (answers,) in rows for answer in marshal.loads(answers)]


def _edit_in_place(entry: Path, what: str) -> None:
    """Tamper in place with the page's body, its header's content type, or both consistently.

    Sizes, inodes and mtimes stay as they were (the old mtimes put back).
    """
    body, meta = entry.with_suffix(".body"), entry.with_suffix(".json")
    before = {f: f.stat() for f in (body, meta)}
    header = json.loads(meta.read_text())
    if what in ("body", "both"):
        tampered = _tampered_page(body.read_bytes())
        padded = tampered + b" " * (before[body].st_size - len(tampered))  # JSON allows spaces
        with body.open("r+b") as fh:
            fh.write(padded)
        header["sha256"] = hashlib.sha256(padded).hexdigest()  # same length: same header size
    if what == "header":
        (i, (name, value)) = next(
            (i, h) for i, h in enumerate(header["headers"]) if h[0].lower() == "content-type"
        )
        header["headers"][i] = [name, value[:-1] + ("y" if value.endswith("x") else "x")]
    if what != "body":
        with meta.open("r+b") as fh:
            fh.write(json.dumps(header).encode())
    changed = {"body": [body], "header": [meta], "both": [body, meta]}[what]
    for f in changed:
        os.utime(f, ns=(before[f].st_atime_ns, before[f].st_mtime_ns))
    for f, st in before.items():
        after = f.stat()
        # What a size-and-mtime check sees is unchanged; only ctime (set by the kernel) moved.
        assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
            st.st_size,
            st.st_mtime_ns,
            st.st_ino,
        )
        assert (after.st_ctime_ns != st.st_ctime_ns) == (f in changed)


def _racy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """From now on the clock reads 1 s after the cache's newest file time: inside the window."""

    def now() -> int:
        files = [f.stat() for f in (tmp_path / "cache" / "http").rglob("*") if f.is_file()]
        return max((max(st.st_mtime_ns, st.st_ctime_ns) for st in files), default=0) + 10**9

    monkeypatch.setattr(warm_files, "wall_time_ns", now)


def test_a_run_over_settled_entries_stamps_its_rows_and_the_next_reads_none(
    registry: FixtureRegistry,
    tmp_path: Path,
    full_path: FullPath,
    full_reads: FullReads,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _settled(monkeypatch)
    cold = _scan(registry, inv, tmp_path)
    assert _stamps(tmp_path)
    assert None not in _stamps(tmp_path)
    reads = len(full_reads.entries)
    warm_run = _scan(registry, inv, tmp_path, offline=True)
    assert len(full_reads.entries) == reads  # nothing read and hashed: every stamp matched
    assert len(full_path.verified) == 1  # only the cold run verified in full
    assert warm_run.verdicts == cold.verdicts
    assert _document(warm_run) == _document(cold)


def test_racy_entries_are_read_in_full_until_a_later_run_stamps_them(
    registry: FixtureRegistry,
    tmp_path: Path,
    full_path: FullPath,
    full_reads: FullReads,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _racy(monkeypatch, tmp_path)
    cold = _scan(registry, inv, tmp_path)
    assert _stamps(tmp_path)
    assert set(_stamps(tmp_path)) == {None}  # written in the window: no stamp kept
    first = _scan(registry, inv, tmp_path, offline=True)
    assert full_reads.entries  # so read and hashed in full ...
    assert set(_stamps(tmp_path)) == {None}  # ... and still not stamped
    _settled(monkeypatch)
    second = _scan(registry, inv, tmp_path, offline=True)  # reads in full, keeps the stamps
    assert None not in _stamps(tmp_path)
    reads = len(full_reads.entries)
    third = _scan(registry, inv, tmp_path, offline=True)
    assert len(full_reads.entries) == reads
    assert len(full_path.verified) == 1
    assert cold.verdicts == first.verdicts == second.verdicts == third.verdicts


@pytest.mark.parametrize(
    ("what", "want"),
    [
        ("body", Status.FETCH_FAILED),  # no longer the body its header names: no answer
        ("header", None),  # another content type: whatever the full path makes of it
        ("both", Status.DIGEST_MISMATCH),  # a consistent entry whose sdist digest differs
    ],
)
def test_an_entry_edited_in_place_with_its_mtime_put_back_is_still_a_miss(
    registry: FixtureRegistry,
    tmp_path: Path,
    full_path: FullPath,
    full_reads: FullReads,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
    want: Status | None,
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _settled(monkeypatch)
    (cold,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert cold.status is Status.VERIFIED
    reads = len(full_reads.entries)
    (trusted,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert trusted == cold
    assert len(full_reads.entries) == reads  # the stat tier answered
    _edit_in_place(_entry(tmp_path, PAGE), what)  # same sizes, inodes and mtimes: ctime moved
    (verdict,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert len(full_path.verified) == 2  # verified in full, not reused
    assert verdict.status is (want or verdict.status), verdict.reason
    assert len(full_reads.entries) > reads


def test_within_the_racy_window_an_unchanged_stat_is_not_trusted(
    registry: FixtureRegistry,
    tmp_path: Path,
    full_path: FullPath,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A change in the same timestamp tick as the read leaves stat unchanged (git's racy-clean
    # case). Simulated here: stat keeps answering what it said before the edit.
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _racy(monkeypatch, tmp_path)
    (cold,) = _scan(registry, inv, tmp_path).verdicts.values()
    assert cold.status is Status.VERIFIED
    (again,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert again == cold
    entry = str(_entry(tmp_path, PAGE))
    before = {entry: warm_files.entry_stamp(entry)}
    _edit_in_place(_entry(tmp_path, PAGE), "both")
    inner = warm_files.entry_stamp
    monkeypatch.setattr(warm_files, "entry_stamp", lambda base: before.get(base) or inner(base))
    assert warm_files.entry_stamp(entry) == before[entry]
    (verdict,) = _scan(registry, inv, tmp_path, offline=True).verdicts.values()
    assert verdict.status is Status.DIGEST_MISMATCH, verdict.reason
    assert full_path.verified[-1] == verdict.component.purl


def test_a_stamped_answer_past_its_max_age_is_not_reused_online(
    tmp_path: Path,
    full_path: FullPath,
    full_reads: FullReads,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inv = fleet(tmp_path / "fleet", {}, {"requirements.txt": _requirements(_sha(SDIST))})
    _settled(monkeypatch)
    with FixtureRegistry(cache_control="max-age=600") as registry:
        cold = _scan(registry, inv, tmp_path)
        asked = len(registry.requests)
        reads = len(full_reads.entries)
        fresh = _scan(registry, inv, tmp_path)  # online, within max-age: reused by stamp
        assert (len(registry.requests), len(full_reads.entries)) == (asked, reads)
        assert len(full_path.verified) == 1
        late = time.time() + 601
        monkeypatch.setattr(warm_files, "wall_time", lambda: late)
        stale = _scan(registry, inv, tmp_path)  # the stamp matches but the answer is stale
    assert len(full_path.verified) == 2
    assert cold.verdicts == fresh.verdicts == stale.verdicts


def _full_component() -> Component:
    """A component with every field set (no None, no empty tuple), built from fresh strings."""

    def s(text: str) -> str:
        return "".join(list(text))  # a new, uninterned string each time

    return Component(
        purl=s("pkg:pypi/a@1"),
        ecosystem=s("pypi"),
        name=s("a"),
        version=s("1"),
        evidence=VersionEvidence(EvidenceKind.LOCKFILE, s("requirements.txt"), s("pinned")),
        requirement=s("a==1"),
        artifacts=(
            Artifact(
                s("a-1.whl"),
                s("https://registry.example.invalid/a-1.whl"),
                (Digest(s("sha256"), s("ab"), s("sha256:ab")),),
            ),
        ),
        source=SourceLocation(s("requirements.txt"), 3),
        path=s("script.py"),
        url=s("https://mcp.example.invalid/"),
        direct=True,
        dev=False,
        attestation_identities=({s("repository"): s("o/r")},),
        registry=RegistryHint(Installer.UV, s("proj"), s("idx"), (s("extra"),), False, s("cfg")),
    )


def _changed(value: object) -> Iterator[object]:
    """Copies of ``value`` with one thing changed, at any depth."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = typing.get_type_hints(type(value))
        for f in dataclasses.fields(value):
            inner = getattr(value, f.name)
            assert inner is not None and inner != (), f"set {type(value).__name__}.{f.name}"
            optional = type(None) in typing.get_args(hints[f.name])
            for other in (*_changed(inner), *([None] if optional else [])):
                yield dataclasses.replace(value, **{f.name: other})
    elif isinstance(value, tuple):
        for i, item in enumerate(value):
            for other in _changed(item):
                yield (*value[:i], other, *value[i + 1 :])
        yield (*value, value[0])
        yield ()
    elif isinstance(value, dict):
        yield {**value, "another": "value"}
    elif isinstance(value, Enum):
        yield next(m for m in type(value) if m is not value)
    elif isinstance(value, bool):
        yield not value
    elif isinstance(value, int):
        yield value + 1
    elif isinstance(value, str):
        yield value + "x"
        yield value[:-1]


def test_the_component_key_counts_every_field_of_the_component() -> None:
    # A warm verdict's id is made of component_key: a field it left out would let a verdict
    # answer for another component (a new field in models.py fails here until it is added).
    full = _full_component()
    key = component_key(full)
    assert key.startswith(b"m")  # marshal's form, not the repr fallback
    assert component_key(_full_component()) == key  # equal values, other objects: same key
    keys = [component_key(other) for other in _changed(full)]  # type: ignore[arg-type]
    assert len(keys) > 60
    assert key not in keys
    assert len(set(keys)) == len(keys)
    # A value marshal refuses (a str subclass) falls back to repr, still every field.
    odd = dataclasses.replace(full, ecosystem=Installer.PIP)
    assert component_key(odd).startswith(b"r")
    assert component_key(odd) != component_key(dataclasses.replace(full, ecosystem="pip"))

"""Trusted root: shipped copy, staleness rules, refresh."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sigstore.verify import Verifier

from attestations.errors import TrustRootError
from attestations.trustroot import (
    META_NAME,
    check_trusted_root,
    default_root_path,
    load_trusted_root,
    make_verifier,
    refresh_trusted_root,
    shipped_root_path,
    shipped_tuf_root_path,
)

from .conftest import FROZEN_NOW, SIGSTORE


def test_shipped_root_is_the_pinned_fixture_byte_for_byte() -> None:
    pinned = SIGSTORE / "trusted_root.production.sigstore-python-4.5.1.json"
    assert shipped_root_path().read_bytes() == pinned.read_bytes()
    tuf = SIGSTORE / "tuf_root.production.sigstore-python-4.5.1.json"
    assert shipped_tuf_root_path().read_bytes() == tuf.read_bytes()


def test_shipped_root_is_current_and_loads(tmp_path: Path) -> None:
    status = check_trusted_root(shipped_root_path(), now=FROZEN_NOW)
    assert status.usable and not status.warnings
    assert status.newest_key_start == datetime(2025, 9, 23, tzinfo=UTC)
    assert default_root_path(tmp_path) == shipped_root_path()
    root = load_trusted_root(cache_dir=tmp_path, now=FROZEN_NOW)
    assert isinstance(make_verifier(root), Verifier)


def test_old_root_warns_then_fails() -> None:
    warn = check_trusted_root(shipped_root_path(), now=FROZEN_NOW + timedelta(days=200))
    assert warn.usable and "refresh soon" in warn.warnings[0]
    with pytest.raises(TrustRootError) as info:
        load_trusted_root(shipped_root_path(), now=FROZEN_NOW + timedelta(days=400))
    assert "days since it was fetched" in info.value.diagnostics()
    assert "refresh" in info.value.diagnostics()


def test_root_whose_every_rekor_key_ended_is_stale(tmp_path: Path) -> None:
    doc = json.loads(shipped_root_path().read_text())
    for tlog in doc["tlogs"]:
        tlog["publicKey"]["validFor"]["end"] = "2026-01-01T00:00:00Z"
    path = tmp_path / "trusted_root.json"
    path.write_text(json.dumps(doc))
    status = check_trusted_root(path, now=FROZEN_NOW, max_age=None)
    assert status.problems == (
        "every Rekor (transparency log) key window has ended (latest end 2026-01-01)",
    )
    # Before the end date the same file is fine: the rule is about *now*, frozen here.
    assert check_trusted_root(path, now=datetime(2025, 12, 1, tzinfo=UTC), max_age=None).usable


@pytest.mark.parametrize("content", [None, b"", b"{not json", b'{"mediaType": "nope"}'])
def test_missing_or_unreadable_root_raises(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "trusted_root.json"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(TrustRootError) as info:
        load_trusted_root(path, now=FROZEN_NOW)
    assert str(path) in info.value.diagnostics()


def test_newer_refreshed_copy_wins(tmp_path: Path) -> None:
    cached = tmp_path / "trusted_root.json"
    shutil.copyfile(shipped_root_path(), cached)
    (tmp_path / META_NAME).write_text(json.dumps({"fetched_at": "2026-11-27T00:00:00+00:00"}))
    assert default_root_path(tmp_path) == cached
    status = check_trusted_root(cached, now=FROZEN_NOW + timedelta(days=1))
    assert status.fetched_at == datetime(2026, 11, 27, tzinfo=UTC)
    load_trusted_root(cache_dir=tmp_path, now=FROZEN_NOW + timedelta(days=1))
    # A corrupt refreshed copy is an error, not a silent fallback.
    cached.write_text("{}")
    with pytest.raises(TrustRootError):
        load_trusted_root(cache_dir=tmp_path, now=FROZEN_NOW + timedelta(days=1))


@pytest.mark.online
def test_refresh_through_tuf(tmp_path: Path) -> None:
    path = refresh_trusted_root(tmp_path)
    assert check_trusted_root(path).usable
    load_trusted_root(cache_dir=tmp_path)

"""Scans against a hostile loopback registry: answers bound to the question, each component
isolated and bounded in time, and the baseline untouched by what a hostile registry serves."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pytest

from attestations.result import Status
from scanner._testing.hostile import Answer, HostileRegistry, deep_json, redirect
from scanner.store import Store, open_store

from .conftest import fleet, scan

SIGSTORE_JS = "https://github.com/sigstore/sigstore-js"
TUF_JS = "https://github.com/theupdateframework/tuf-js"
PYPI_ATTESTATIONS = "https://github.com/trailofbits/pypi-attestations"


@pytest.fixture
def hostile() -> Iterator[HostileRegistry]:
    """A hostile registry on 127.0.0.1 (recorded answers unless a test scripts otherwise)."""
    with HostileRegistry() as server:
        yield server


def _identity(store: Store, key: str) -> dict[str, object] | None:
    stored = store.publisher_identity(key)
    if stored is None:
        return None  # never remembered
    return asdict(stored.identity) if stored.identity is not None else {}


# --- item 1: answers are bound to the question -----------------------------------------------


def test_npm_packument_of_another_package_never_verifies(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """tuf-js asked for, sigstore's packument (and so sigstore's attestations) answered."""
    hostile.script("/npm/tuf-js", Answer(serve="/npm/sigstore"))
    with open_store(tmp_path / "cw.db") as store:
        result = scan(
            hostile, fleet(tmp_path, {"t": ["npx", "-y", "tuf-js@1.0.0"]}), tmp_path, store
        )
        (verdict,) = result.verdicts.values()
        assert verdict.status is Status.FETCH_FAILED
        assert "'sigstore'" in verdict.reason and "tuf-js" in verdict.reason
        assert verdict.identity is None
        # Nothing was learnt about either package from the swapped answer.
        assert _identity(store, "pkg:npm/tuf-js") is None
        assert _identity(store, "pkg:npm/sigstore") is None


def test_npm_swap_leaves_an_existing_baseline_untouched(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    inventory = fleet(tmp_path, {"t": ["npx", "-y", "tuf-js@1.0.0"]})
    with open_store(tmp_path / "cw.db") as store:
        first = scan(hostile, inventory, tmp_path, store)
        assert [v.status for v in first.verdicts.values()] == [Status.VERIFIED]
        before = _identity(store, "pkg:npm/tuf-js")
        assert before is not None and before["repository"] == TUF_JS
        hostile.script("/npm/tuf-js", Answer(serve="/npm/sigstore"))
        second = scan(hostile, inventory, tmp_path / "again", store)
        (verdict,) = second.verdicts.values()
        assert verdict.status is Status.FETCH_FAILED
        assert _identity(store, "pkg:npm/tuf-js") == before


def test_npm_packument_renamed_but_attestations_of_another_release(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """The packument says tuf-js, but its 1.0.0 is sigstore's (integrity, attestations URL).

    Without registry signatures the attestations decide: their subject names sigstore@1.0.0.
    """
    packument = json.loads(hostile.body_of("/npm/sigstore"))
    packument["name"] = packument["_id"] = "tuf-js"
    for body in packument["versions"].values():
        body["name"] = "tuf-js"
        body["dist"].pop("signatures", None)
    hostile.script("/npm/tuf-js", Answer(body=json.dumps(packument).encode()))
    with open_store(tmp_path / "cw.db") as store:
        inventory = fleet(tmp_path, {"t": ["npx", "-y", "tuf-js@1.0.0"]})
        result = scan(hostile, inventory, tmp_path, store)
        (verdict,) = result.verdicts.values()
        assert verdict.status is Status.ATTESTATION_INVALID, verdict.reason
        assert "pkg:npm/tuf-js@1.0.0" in verdict.reason
        assert _identity(store, "pkg:npm/tuf-js") is None


def test_npm_version_entry_naming_another_release_is_fetch_failed(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    packument = json.loads(hostile.body_of("/npm/tuf-js"))
    packument["versions"]["1.0.0"]["version"] = "9.9.9"
    hostile.script("/npm/tuf-js", Answer(body=json.dumps(packument).encode()))
    result = scan(hostile, fleet(tmp_path, {"t": ["npx", "-y", "tuf-js@1.0.0"]}), tmp_path)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.FETCH_FAILED
    assert "9.9.9" in verdict.reason


def test_pypi_page_of_another_project_never_verifies(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """rfc8785 0.0.19 asked for, pypi-attestations' page (with real provenance) answered."""
    hostile.script("/pypi/simple/rfc8785/", Answer(serve="/pypi/simple/pypi-attestations/"))
    inventory = fleet(tmp_path, {"r": ["uvx", "rfc8785==0.0.19"]})
    with open_store(tmp_path / "cw.db") as store:
        result = scan(hostile, inventory, tmp_path, store)
        (verdict,) = result.verdicts.values()
        assert verdict.status is Status.FETCH_FAILED
        assert "pypi-attestations" in verdict.reason and "rfc8785" in verdict.reason
        assert _identity(store, "pkg:pypi/rfc8785") is None


def test_pypi_page_renamed_but_files_of_another_project(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """The page says rfc8785; its 0.0.19 files are pypi-attestations' (subject = file name)."""
    page = json.loads(hostile.body_of("/pypi/simple/pypi-attestations/"))
    page["name"] = "rfc8785"
    hostile.script("/pypi/simple/rfc8785/", Answer(body=json.dumps(page).encode()))
    inventory = fleet(tmp_path, {"r": ["uvx", "rfc8785==0.0.19"]})
    with open_store(tmp_path / "cw.db") as store:
        result = scan(hostile, inventory, tmp_path, store)
        (verdict,) = result.verdicts.values()
        assert verdict.status is Status.FETCH_FAILED, verdict.reason
        assert "pypi_attestations-0.0.19" in verdict.reason
        assert _identity(store, "pkg:pypi/rfc8785") is None


def test_the_genuine_answers_still_verify(hostile: HostileRegistry, tmp_path: Path) -> None:
    """The controls: unswapped, the same packages verify under their own publishers."""
    servers = {
        "t": ["npx", "-y", "tuf-js@1.0.0"],
        "s": ["npx", "-y", "sigstore@1.0.0"],
        "p": ["uvx", "pypi-attestations==0.0.19"],
    }
    result = scan(hostile, fleet(tmp_path, servers), tmp_path)
    repos = {
        v.component.name: v.identity.repository for v in result.verdicts.values() if v.identity
    }
    assert repos == {
        "tuf-js": TUF_JS,
        "sigstore": SIGSTORE_JS,
        "pypi-attestations": PYPI_ATTESTATIONS,
    }
    assert all(v.status is Status.VERIFIED for v in result.verdicts.values())


# --- item 4: one bad answer never aborts a scan, nothing waits forever -----------------------

PATH_GIT = "/pypi/simple/mcp-server-git/"
SERVERS = {
    "fetch": ["uvx", "mcp-server-fetch==2026.10.24"],  # deep JSON
    "git": ["uvx", "mcp-server-git==2026.10.19"],  # corrupt gzip
    "time": ["uvx", "mcp-server-time==2026.10.19"],  # redirect loop
    "zod": ["npx", "-y", "zod@4.6.7"],  # redirect to another origin
    "express": ["npx", "-y", "express@5.2.1"],  # a same-origin redirect: followed
    "sigstore": ["npx", "-y", "sigstore@1.0.0"],  # untouched
}


def test_hostile_answers_fail_only_their_component(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    with HostileRegistry() as elsewhere:
        hostile.script("/pypi/simple/mcp-server-fetch/", Answer(body=deep_json(10_000)))
        hostile.script(
            "/pypi/simple/mcp-server-git/", Answer(serve=PATH_GIT, encoding="corrupt-gzip")
        )
        hostile.script("/pypi/simple/mcp-server-time/", redirect("/pypi/simple/mcp-server-time/"))
        hostile.script("/npm/zod", redirect(elsewhere.base_url + "/npm/zod"))
        hostile.script("/npm/express", redirect("/moved/express"))
        hostile.script("/moved/express", Answer(serve="/npm/express"))
        result = scan(hostile, fleet(tmp_path, SERVERS), tmp_path)
        assert elsewhere.requests == []  # the other origin was never asked
    status = {v.component.name: v.status for v in result.verdicts.values()}
    reasons = {v.component.name: v.reason for v in result.verdicts.values()}
    assert status == {
        "mcp-server-fetch": Status.FETCH_FAILED,
        "mcp-server-git": Status.FETCH_FAILED,
        "mcp-server-time": Status.FETCH_FAILED,
        "zod": Status.FETCH_FAILED,
        "express": Status.NO_ATTESTATION,
        "sigstore": Status.VERIFIED,
    }
    assert "nested too deeply" in reasons["mcp-server-fetch"]
    assert "could not decode" in reasons["mcp-server-git"]
    assert "redirect" in reasons["mcp-server-time"]
    assert "another origin" in reasons["zod"]


def test_a_dripping_registry_is_cut_off_by_the_request_deadline(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    body = hostile.body_of("/npm/zod")[:120]  # one byte every 0.5 s: a minute without deadline
    hostile.script("/npm/zod", Answer(body=body, drip=0.5))
    servers = {"zod": SERVERS["zod"], "sigstore": SERVERS["sigstore"]}
    result = scan(hostile, fleet(tmp_path, servers), tmp_path, request_deadline=1.0)
    status = {v.component.name: (v.status, v.reason) for v in result.verdicts.values()}
    assert status["sigstore"][0] is Status.VERIFIED
    assert status["zod"][0] is Status.FETCH_FAILED
    assert "1.0 s" in status["zod"][1] and "deadline" in status["zod"][1]


def test_a_component_deadline_bounds_every_request_together(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    body = hostile.body_of("/npm/zod")[:120]
    hostile.script("/npm/zod", Answer(body=body, drip=0.5))
    inventory = fleet(tmp_path, {"zod": SERVERS["zod"]})
    result = scan(hostile, inventory, tmp_path, request_deadline=30.0, component_deadline=1.0)
    (verdict,) = result.verdicts.values()
    assert verdict.status is Status.FETCH_FAILED
    assert "did not finish within 1.0 s" in verdict.reason


def test_a_swapped_identity_is_not_recorded_even_with_a_deadline_miss(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    """A slow attestations document: fetch-failed, and the remembered identity stays as it was."""
    inventory = fleet(tmp_path, {"s": SERVERS["sigstore"]})
    with open_store(tmp_path / "cw.db") as store:
        scan(hostile, inventory, tmp_path, store)
        before = _identity(store, "pkg:npm/sigstore")
        assert before is not None
        hostile.script(
            "/npm/-/npm/v1/attestations/sigstore@1.0.0", Answer(body=b"{" * 50, drip=0.2)
        )
        later = scan(hostile, inventory, tmp_path / "b", store, request_deadline=1.0)
        assert [v.status for v in later.verdicts.values()] == [Status.FETCH_FAILED]
        assert _identity(store, "pkg:npm/sigstore") == before


# --- item 5: a cached result cannot be forged --------------------------------------------------


def test_a_forged_cached_pass_is_verified_again(hostile: HostileRegistry, tmp_path: Path) -> None:
    """sigstore@1.4.0's attestation names another release; a cache row edited to say otherwise
    is not believed on the next scan."""
    inventory = fleet(tmp_path, {"s": ["npx", "-y", "sigstore@1.4.0"]})
    key = tmp_path / "data" / "cache.key"
    first = scan(hostile, inventory, tmp_path, cache_key=key)
    assert [v.status for v in first.verdicts.values()] == [Status.ATTESTATION_INVALID]
    db = sqlite3.connect(tmp_path / "cache" / "verifications.sqlite")
    with db:
        rows = db.execute("UPDATE verification_cache SET result = ?", (FORGED,)).rowcount
    db.close()
    assert rows == 1
    again = scan(hostile, inventory, tmp_path, cache_key=key)
    (verdict,) = again.verdicts.values()
    assert verdict.status is Status.ATTESTATION_INVALID
    assert verdict.identity is None or verdict.identity.repository != "https://github.com/evil/x"


FORGED = json.dumps(
    {
        "ok": True,
        "reason": "verified",
        "identity": {"kind": "github", "repository": "https://github.com/evil/x"},
        "predicate_types": [],
    }
)

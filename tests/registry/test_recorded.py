"""The registries parse real recorded answers, served by the loopback fixture registry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scanner._testing.fixture_server import FixtureRegistry
from scanner.registry import NpmRegistry, PyPIRegistry, RegistryKind, make_client, make_registry
from scanner.registry.interface import NotFound, ProjectFacts, ReleaseFacts

from .conftest import run


def _pypi_project(reg: FixtureRegistry, name: str) -> ProjectFacts:
    async def go() -> ProjectFacts:
        async with make_client(cache_dir=None) as client:
            return await PyPIRegistry(client, reg.config().pypi_simple).project(name)

    return run(go())


def _npm_release(
    reg: FixtureRegistry, name: str, version: str
) -> tuple[ProjectFacts, ReleaseFacts]:
    async def go() -> tuple[ProjectFacts, ReleaseFacts]:
        async with make_client(cache_dir=None) as client:
            registry = make_registry(RegistryKind.NPM, client, reg.config())
            return await registry.project(name), await registry.release(name, version)

    return run(go())


def test_every_recording_is_served(fixture_registry: FixtureRegistry) -> None:
    paths = fixture_registry.paths()
    assert sum(p.startswith("/pypi/simple/") for p in paths) >= 11
    assert sum(p.startswith("/npm/") for p in paths) >= 8


def test_pypi_files_hashes_and_times(fixture_registry: FixtureRegistry) -> None:
    facts = _pypi_project(fixture_registry, "MCP_Server.Fetch")  # normalised in the URL
    assert facts.name == "mcp-server-fetch"
    pinned = facts.releases["2025.4.7"]
    by_name = {f.filename: f for f in pinned.files}
    wheel = by_name["mcp_server_fetch-2025.4.7-py3-none-any.whl"]
    assert wheel.sha256 == "349b79754d9d5caeb7c3f427ef07af2a994d4c998dab33c060eb9fbeb9da8d6b"
    assert by_name["mcp_server_fetch-2025.4.7.tar.gz"].sha256 == (
        "56279e3c55cb1e506b958ca9bb23ed4413944a6f230bca21e044aee51734fe47"
    )
    assert wheel.upload_time == datetime(2025, 4, 7, 9, 11, 5, 96297, tzinfo=UTC)
    assert wheel.url.startswith(fixture_registry.url("files", "packages/"))
    assert not pinned.yanked
    # The recorded index speaks API 1.1: no provenance field, so no provenance URL.
    assert all(f.provenance_url is None for r in facts.releases.values() for f in r.files)
    assert facts.latest == "2026.10.24"
    assert "2025.4.7" in facts.versions and "2026.10.24" in facts.versions


def test_pypi_yanked_with_reason(fixture_registry: FixtureRegistry) -> None:
    facts = _pypi_project(fixture_registry, "requests")
    yanked = facts.releases["2.32.1"]
    assert yanked.yanked
    assert all(f.yanked for f in yanked.files)
    assert "CVE-2024-35195" in (yanked.files[0].yanked_reason or "")
    assert not facts.releases["2.31.0"].yanked
    assert facts.latest == "2.34.2"
    sig = _pypi_project(fixture_registry, "sigstore")
    assert sig.releases["0.4.2"].yanked and sig.latest == "4.5.1"


def test_pypi_release_and_not_found(fixture_registry: FixtureRegistry) -> None:
    async def go() -> None:
        async with make_client(cache_dir=None) as client:
            pypi = PyPIRegistry(client, fixture_registry.config().pypi_simple)
            release = await pypi.release("httpx", "0.28.1")
            assert {f.filename for f in release.files} == {
                "httpx-0.28.1-py3-none-any.whl",
                "httpx-0.28.1.tar.gz",
            }
            assert await pypi.attestations(release) is None  # nothing attested in the recording
            with pytest.raises(NotFound):
                await pypi.release("httpx", "0.0.0")
            with pytest.raises(NotFound):
                await pypi.project("no-such-project-recorded")

    run(go())


def test_npm_scoped_integrity_and_latest(fixture_registry: FixtureRegistry) -> None:
    name = "@modelcontextprotocol/server-filesystem"
    project, release = _npm_release(fixture_registry, name, "2025.7.1")
    assert project.latest == "2026.8.31"
    assert set(project.versions) == {"2025.7.1", "2026.7.4", "2026.7.10", "2026.8.31"}
    (tarball,) = release.files
    assert tarball.integrity == (
        "sha512-mGXxYX8l4EWQPgh/1pLZI2baKifPy4+WUx1jJ572TsCbe/Bs7S8f7z0Dp9aRlpcLEMr/Qp+Rp1m3NXNsgdKUmg=="
    )
    assert tarball.sha512 is not None and tarball.sha512.startswith("9865f1617f25e045")
    assert tarball.sha1 == "83e54560fead3850803443a9d646aabe95b38aa8"
    assert tarball.filename == "server-filesystem-2025.7.1.tgz"
    assert tarball.url.startswith(fixture_registry.url("npm", "@modelcontextprotocol/"))
    assert release.published == datetime(2026, 3, 21, 0, 17, 52, 282000, tzinfo=UTC)
    # The recorded registry serves neither signatures nor attestations nor _npmUser.
    assert release.signatures == () and release.attestations_url is None
    assert release.install_scripts == () and release.publisher is None


def test_npm_packument_url_encodes_scope(fixture_registry: FixtureRegistry) -> None:
    async def go() -> None:
        async with make_client(cache_dir=None) as client:
            npm = NpmRegistry(client, fixture_registry.config().npm)
            assert npm.packument_url("@playwright/mcp").endswith("/npm/@playwright%2Fmcp")
            release = await npm.release("@playwright/mcp", "0.0.83")
            assert release.files[0].integrity == (
                "sha512-oNcl+Ae2/IAjhfPeP46BfIkSakfmprY+aOtkv5MjrQ4lPav4/yNtPhL0iq8SlIM90oApWgBDUxaNKvktazUKOg=="
            )
            assert await npm.attestations(release) is None
            with pytest.raises(NotFound):
                await npm.release("@playwright/mcp", "9.9.9")
            # The recorded registry did not serve keys; the attestation overlay serves npm/cli's.
            assert len(await npm.signing_keys()) == 1

    run(go())
    assert any("%2F" in r.path or "@playwright/mcp" in r.path for r in fixture_registry.requests)

"""npm manifests and lockfiles -> components (offline, real fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from packageurl import PackageURL

from scanner.errors import LockfileError
from scanner.inventory.lockfiles._purls import npm_purl
from scanner.inventory.lockfiles.npm_locks import BERRY_ALGORITHM
from scanner.inventory.lockfiles.read import LockfileResult, read_lockfile
from scanner.models import EvidenceKind

from ._lock_helpers import ln

LOCKS = Path(__file__).resolve().parents[2] / "fixtures" / "lockfiles"
OURS = LOCKS / "ours"
OSV = LOCKS / "fixtures_osv_scanner"

MS_213 = (
    "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/"
    "tXtF3WRTlA=="
)


def nv(result: LockfileResult) -> list[tuple[str, str | None]]:
    return [(c.name, c.version) for c in result.components]


def test_package_lock_v2_scalibr() -> None:
    r = read_lockfile(
        LOCKS
        / "fixtures_osv_scalibr"
        / "javascript_packagelockjson__package-lock-only_package-lock.json"
    )
    assert r.kind == "package-lock v2"
    assert nv(r) == [("wrappy", "1.0.2"), ("supports-color", "5.5.0")]
    wrappy = r.components[0]
    assert wrappy.artifacts[0].digests[0].algorithm == "sha1"
    assert wrappy.artifacts[0].digests[0].raw == "sha1-tSQ9jz7BqjXxNkYFvA0QNuMKtp8="
    assert wrappy.artifacts[0].filename == "wrappy-1.0.2.tgz"
    assert wrappy.direct and ln(wrappy) == 13


def test_package_lock_v1_osv() -> None:
    r = read_lockfile(OSV / "deprecated-npm.package-lock.v1.json")
    assert nv(r) == [("left-pad", "1.3.0")]
    assert r.components[0].artifacts[0].digests[0].algorithm == "sha512"
    insecure = read_lockfile(OSV / "locks-insecure.package-lock.v1.json")
    assert nv(insecure) == [("ansi-html", "0.0.1")]
    assert [f.code for f in insecure.findings] == ["CW106"]


@pytest.mark.parametrize("name", ["package-lock.v3.json", "package-lock.v2.json"])
def test_package_lock_v3_nested_alias_link_git(name: str) -> None:
    r = read_lockfile(OURS / name)
    assert nv(r) == [
        ("@types/node", "20.11.5"),
        ("debug", "4.3.4"),
        ("ms", "2.1.2"),
        ("ms", "2.1.3"),
        ("ms", "2.0.0"),
        ("undici-types", "5.26.5"),
        ("left-pad", "1.3.0"),
    ]
    by = {c.purl: c for c in r.components}
    types = by["pkg:npm/%40types/node@20.11.5"]
    assert types.dev and types.direct
    nested = by["pkg:npm/ms@2.1.2"]
    assert not nested.direct and nested.evidence.kind is EvidenceKind.LOCKFILE
    assert by["pkg:npm/ms@2.1.3"].artifacts[0].digests[0].raw == MS_213
    assert by["pkg:npm/ms@2.0.0"].direct  # alias my-ms -> ms
    assert not by["pkg:npm/undici-types@5.26.5"].direct
    git = next(c for c in r.components if c.ecosystem == "git")
    assert git.purl == "pkg:github/left-pad/left-pad@2fca6157a46da5b1d6a25cfac1b6ff4e7b2cd12a"
    assert [f.code for f in r.findings] == ["CW107"]
    lines = (OURS / name).read_text().splitlines()
    assert '"node_modules/debug/node_modules/ms"' in lines[ln(nested) - 1]
    skipped = {s.subject: s.reason for s in r.skipped}
    assert "the project itself" in skipped.pop("mcp-agent@1.0.0")
    assert "workspace folder 'packages/tool'" in skipped.pop("tool@0.1.0")
    assert "link to the workspace folder" in skipped.pop("node_modules/tool")
    if name.endswith("v3.json"):
        assert skipped == {"node_modules/broken": "entry is not an object"}
    else:
        assert skipped == {}


def test_package_lock_errors(tmp_path: Path) -> None:
    p = tmp_path / "package-lock.json"
    p.write_text('{"lockfileVersion": 3,\n "packages": [}')
    with pytest.raises(LockfileError) as exc:
        read_lockfile(p)
    assert exc.value.path == str(p) and exc.value.line == 2
    p.write_text('{"name": "x"}')
    with pytest.raises(LockfileError, match="lockfileVersion"):
        read_lockfile(p)


def test_package_json(tmp_path: Path) -> None:
    p = tmp_path / "package.json"
    p.write_text(
        json.dumps(
            {
                "name": "agent",
                "dependencies": {
                    "@modelcontextprotocol/server-filesystem": "2025.7.1",
                    "ms": "^2.1.3",
                    "my-ms": "npm:ms@2.0.0",
                    "tool": "file:../tool",
                    "gh": "github:left-pad/left-pad#2fca6157a46da5b1d6a25cfac1b6ff4e7b2cd12a",
                },
                "devDependencies": {"typescript": "5.4.5"},
                "peerDependencies": {"react": ">=18"},
            },
            indent=2,
        )
    )
    r = read_lockfile(p)
    by = {c.name: c for c in r.components}
    fs = by["@modelcontextprotocol/server-filesystem"]
    assert fs.purl == "pkg:npm/%40modelcontextprotocol/server-filesystem@2025.7.1"
    assert fs.evidence.kind is EvidenceKind.LOCKFILE and ln(fs) == 4
    ranged, alias = (c for c in r.components if c.name == "ms")
    assert ranged.version is None and ranged.evidence.kind is EvidenceKind.UNRESOLVED
    assert alias.version == "2.0.0" and alias.requirement == "npm:ms@2.0.0"
    assert by["typescript"].dev
    assert sorted(f.code for f in r.findings) == ["CW105", "CW105", "CW107"]
    assert r.skipped[0].subject == "tool@file:../tool"


@pytest.mark.parametrize("name", ["pnpm-lock.v6.yaml", "pnpm-lock.v9.yaml"])
def test_pnpm(name: str) -> None:
    r = read_lockfile(OURS / name)
    assert nv(r) == [
        ("@types/node", "20.11.5"),
        ("ms", "2.1.3"),
        ("react-dom", "18.2.0"),
        ("undici-types", "5.26.5"),
    ]
    by = {c.name: c for c in r.components}
    assert by["react-dom"].purl == "pkg:npm/react-dom@18.2.0"  # peer suffix stripped
    assert by["react-dom"].direct and not by["react-dom"].dev
    assert by["@types/node"].dev and by["@types/node"].direct
    assert not by["undici-types"].direct
    assert by["ms"].artifacts[0].digests[0].raw == MS_213
    lines = (OURS / name).read_text().splitlines()
    assert "ms@2.1.3" in lines[ln(by["ms"]) - 1]
    assert r.findings == ()


def test_pnpm_v5_keys(tmp_path: Path) -> None:
    p = tmp_path / "pnpm-lock.yaml"
    p.write_text(
        "lockfileVersion: 5.4\n\nspecifiers:\n  ms: 2.1.3\n\ndependencies:\n  ms: 2.1.3\n\n"
        "packages:\n\n  /ms/2.1.3:\n    resolution: {integrity: " + MS_213 + "}\n    dev: false\n\n"
        "  /@types/node/20.11.5_peer@1.0.0:\n    resolution: {integrity: " + MS_213 + "}\n"
        "    dev: true\n"
    )
    r = read_lockfile(p)
    assert nv(r) == [("ms", "2.1.3"), ("@types/node", "20.11.5")]
    assert r.components[0].direct and r.components[1].dev


def test_yarn_classic() -> None:
    r = read_lockfile(OURS / "yarn.classic.lock")
    assert r.kind == "yarn.lock v1"
    assert nv(r) == [
        ("@types/node", "20.11.5"),
        ("debug", "4.3.4"),
        ("ms", "2.1.2"),
        ("ms", "2.0.0"),
        ("undici-types", "5.26.5"),
    ]
    debug = r.components[1]
    assert [d.algorithm for d in debug.artifacts[0].digests] == ["sha512", "sha1"]
    assert ln(debug) == 12
    alias = r.components[3]
    assert [d.algorithm for d in alias.artifacts[0].digests] == ["sha1"]
    assert r.findings == ()


def test_yarn_berry_checksum_is_not_npm_integrity() -> None:
    r = read_lockfile(OURS / "yarn.berry.lock")
    assert r.kind == "yarn.lock berry"
    assert nv(r) == [
        ("@types/node", "20.11.5"),
        ("debug", "4.3.4"),
        ("left-pad", "1.3.0"),
        ("ms", "2.1.2"),
    ]
    debug = r.components[1]
    (d,) = debug.artifacts[0].digests
    assert d.algorithm == BERRY_ALGORITHM and d.raw.startswith("10c0/") and len(d.hex) == 128
    assert ln(debug) == 17
    assert sorted(f.code for f in r.findings) == ["CW106", "CW107"]  # ms has no checksum


def test_yarn_classic_error_names_line(tmp_path: Path) -> None:
    p = tmp_path / "yarn.lock"
    p.write_text('# yarn lockfile v1\n\nms@2.1.2\n  version "2.1.2"\n')
    with pytest.raises(LockfileError) as exc:
        read_lockfile(p)
    assert exc.value.line == 3


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("@types/node", "20.11.5"),
        ("left-pad", "1.3.0"),
        ("x", "1.0.0-beta+build.1"),
        ("@scope/pkg", None),
    ],
)
def test_npm_purl_matches_packageurl(name: str, version: str | None) -> None:
    ns, _, base = name.rpartition("/")
    expected = PackageURL(type="npm", namespace=ns or None, name=base, version=version)
    assert npm_purl(name, version) == expected.to_string()


def test_unnamed_entries_never_crash(tmp_path: Path) -> None:
    from scanner.inventory.lockfiles.read import read_lockfile

    manifest = tmp_path / "package.json"
    manifest.write_text('{"dependencies": {"": "1.0.0", "ok": "1.0.0"}}')
    result = read_lockfile(manifest)
    assert [c.name for c in result.components] == ["ok"]
    assert any("no package name" in k.reason for k in result.skipped)
    lock = tmp_path / "package-lock.json"
    entry = '{"node_modules/@x/": {"version": "1.0.0"}}'
    lock.write_text(f'{{"lockfileVersion": 3, "packages": {entry}}}')
    try:
        got = read_lockfile(lock)
    except LockfileError as exc:
        assert str(lock) in exc.diagnostics()
    else:
        assert all(c.name for c in got.components)

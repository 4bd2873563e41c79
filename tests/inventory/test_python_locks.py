"""Python manifests and lockfiles -> components (offline, real fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packageurl import PackageURL

from scanner.errors import LockfileError
from scanner.inventory.lockfiles._purls import pypi_purl
from scanner.inventory.lockfiles.read import (
    LOCKFILE_NAMES,
    LockfileResult,
    is_lockfile,
    kind_of,
    read_installed_env,
    read_lockfile,
    read_lockfiles,
)
from scanner.inventory.lockfiles.uvlock import read_uv_lock
from scanner.models import EvidenceKind

from ._lock_helpers import ln, src, url

LOCKS = Path(__file__).resolve().parents[2] / "fixtures" / "lockfiles"
SCALIBR = LOCKS / "fixtures_osv_scalibr"
PIP_AUDIT = LOCKS / "fixtures_pip_audit"
OURS = LOCKS / "ours"


def versions(result: LockfileResult) -> list[tuple[str, str | None]]:
    return [(c.name, c.version) for c in result.components]


def codes(result: LockfileResult) -> list[str]:
    return [f.code for f in result.findings]


def test_uv_two_packages() -> None:
    r = read_lockfile(SCALIBR / "python_uvlock__two-packages.lock")
    assert r.kind == "uv.lock"
    assert versions(r) == [("emoji", "2.14.0"), ("protobuf", "4.25.5")]  # root project dropped
    emoji, protobuf = r.components
    assert emoji.purl == "pkg:pypi/emoji@2.14.0"
    assert emoji.evidence.kind is EvidenceKind.LOCKFILE
    assert [a.filename for a in emoji.artifacts] == [
        "emoji-2.14.0.tar.gz",
        "emoji-2.14.0-py3-none-any.whl",
    ]
    assert emoji.artifacts[0].digests[0].raw == (
        "sha256:f68ac28915a2221667cddb3e6c589303c3c6954c6c5af6fefaec7f9bdf72fdca"
    )
    assert url(emoji).startswith("https://files.registry.invalid/")
    assert len(protobuf.artifacts) == 7
    assert ln(emoji) == 4 and emoji.direct
    assert r.findings == ()
    (root,) = r.skipped  # the project itself is reported with its reason, never dropped
    assert root.subject == "uv-lockfiles 0.1.0" and "the project itself" in root.reason


def test_uv_git_source() -> None:
    r = read_lockfile(SCALIBR / "python_uvlock__source-git.lock")
    (ruff,) = r.components
    assert ruff.ecosystem == "git"
    assert ruff.purl == "pkg:github/astral-sh/ruff@84748be16341b76e073d117329f7f5f4ee2941ad"
    assert ruff.version == "0.8.1"
    assert codes(r) == ["CW107"]


def test_uv_ours_roots_dev_and_local() -> None:
    r = read_lockfile(OURS / "uv.lock")
    assert versions(r) == [("emoji", "2.14.0"), ("ruff", "0.8.1"), ("six", "1.17.0")]
    by = {c.name: c for c in r.components}
    assert by["emoji"].direct and not by["emoji"].dev
    assert by["six"].dev and by["six"].direct
    assert "?" not in url(by["ruff"])  # ?rev= query dropped
    lines = (OURS / "uv.lock").read_text().splitlines()
    for c in r.components:  # every component points at its own [[package]] line
        assert lines[ln(c) - 1] == "[[package]]"
        assert lines[ln(c)] == f'name = "{c.name}"'
    root, skipped = r.skipped
    assert "the project itself" in root.reason
    assert lines[ln(root)] == f'name = "{root.subject.split()[0]}"'
    assert "tool-helper" in skipped.subject and ln(skipped) == 55


def test_uv_fast_path_equals_full_toml_parse(tmp_path: Path) -> None:
    """The per-block reader must agree with tomli on every fixture."""
    for lock in [OURS / "uv.lock", *SCALIBR.glob("python_uvlock__*.lock")]:
        fast = read_uv_lock(lock)
        slow_path = tmp_path / "uv.lock"
        # a multi-line string anywhere forces the whole-file TOML parse
        slow_path.write_text(lock.read_text() + '\n[tool]\nx = """\n"""\n')
        slow = read_uv_lock(slow_path)
        assert [(c.purl, c.artifacts, c.direct, c.dev) for c in fast.components] == [
            (c.purl, c.artifacts, c.direct, c.dev) for c in slow.components
        ]


def test_uv_broken_block_names_line(tmp_path: Path) -> None:
    text = (OURS / "uv.lock").read_text().replace("size = 34031 }", "size = 34031 ", 1)
    p = tmp_path / "uv.lock"
    p.write_text(text)
    with pytest.raises(LockfileError) as exc:
        read_lockfile(p)
    assert exc.value.path == str(p) and exc.value.line == 51  # where tomli itself reports it


def test_poetry_v2() -> None:
    r = read_lockfile(SCALIBR / "python_poetrylock__multiple-packages.v2.lock")
    assert len(r.components) == 11
    assert ("proto-plus", "1.22.0") in versions(r) and ("proto-plus", "1.23.0") in versions(r)
    by = {(c.name, c.version): c for c in r.components}
    assert by[("factory-boy", "3.3.1")].dev
    assert not by[("six", "1.17.0")].dev
    assert len(by[("protobuf", "4.25.5")].artifacts) == 11
    assert by[("six", "1.17.0")].artifacts[0].filename == "six-1.17.0-py2.py3-none-any.whl"
    assert r.findings == ()


def test_poetry_v1_metadata_files_and_git() -> None:
    r = read_lockfile(OURS / "poetry.v1.lock")
    assert versions(r) == [("six", "1.17.0"), ("urllib3", "2.3.0")]
    six, urllib3 = r.components
    assert [d.hex[:8] for a in six.artifacts for d in a.digests] == ["4721f391", "ff70335d"]
    assert urllib3.dev
    assert codes(r) == ["CW106"]  # urllib3 = [] : no digest where poetry records one
    assert r.skipped[0].subject.startswith("localpkg")
    git = read_lockfile(SCALIBR / "python_poetrylock__source-git.lock")
    assert git.components[0].purl.startswith("pkg:github/dzshn/ike@cd66602c")


def test_pylock_basic_keeps_identities() -> None:
    r = read_lockfile(PIP_AUDIT / "pylock.basic.toml")
    assert versions(r) == [("attrs", "25.1.0"), ("cattrs", "24.1.2"), ("numpy", "2.2.3")]
    attrs = r.components[0]
    assert attrs.attestation_identities == (
        {
            "environment": "release-pypi",
            "kind": "GitHub",
            "repository": "python-attrs/attrs",
            "workflow": "pypi-package.yml",
        },
    )
    assert attrs.artifacts[0].digests[0].hex.startswith("c75a69e2")
    assert len(r.components[2].artifacts) == 2


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("python_pylock__example.toml", 3),
        ("python_pylock__pdm-full.toml", 10),
        ("python_pylock__pip-full.toml", 5),
    ],
)
def test_pylock_scalibr(name: str, count: int) -> None:
    r = read_lockfile(SCALIBR / name)
    assert len(r.components) == count
    assert all(c.evidence.kind is EvidenceKind.LOCKFILE for c in r.components)
    assert all(a.digests for c in r.components for a in c.artifacts)
    assert r.findings == ()


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("pylock.invalid.toml", "invalid TOML"),
        ("pylock.invalid-version.toml", "unsupported lock-version '666'"),
        ("pylock.missing-version.toml", "no 'lock-version'"),
        ("pylock.missing-packages.toml", "no [[packages]]"),
    ],
)
def test_pylock_invalid(name: str, problem: str) -> None:
    with pytest.raises(LockfileError) as exc:
        read_lockfile(PIP_AUDIT / name)
    assert str(PIP_AUDIT / name) in exc.value.diagnostics()
    assert problem in exc.value.problem


@pytest.mark.parametrize("name", ["pylock.package-missing-name.toml", "pylock.skipped.toml"])
def test_pylock_bad_entry_is_skipped(name: str) -> None:
    r = read_lockfile(PIP_AUDIT / name)
    assert r.components == ()
    (s,) = r.skipped
    assert src(s) == str(PIP_AUDIT / name) and ln(s) == 6


def test_pipfile_lock() -> None:
    r = read_lockfile(SCALIBR / "python_pipfilelock__two-packages.json")
    assert versions(r) == [("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")]
    its, ms = r.components
    assert len(its.artifacts[0].digests) == 2 and len(ms.artifacts[0].digests) == 40
    assert ms.dev and not its.dev


def test_requirements_osv_fixture_one_file_level_finding() -> None:
    r = read_lockfile(LOCKS / "fixtures_osv_scanner" / "python-fixture.requirements.txt")
    assert len(r.components) == 16
    assert r.components[0].purl == "pkg:pypi/flask@0.12.2"
    assert ln(r.components[0]) == 1
    assert codes(r) == ["CW106"]  # one per file, not one per line
    assert r.findings[0].subject.endswith("python-fixture.requirements.txt")


def test_requirements_per_req_options() -> None:
    r = read_lockfile(SCALIBR / "python_requirements__per_req_options.txt")
    names = [c.name for c in r.components]
    assert "foo7" not in names and "foo10" not in names and "foo15" not in names
    assert "foo17--hash" in names and "foo5" in names
    skipped = {s.subject.split()[0] for s in r.skipped}
    assert {"foo7==1.0", "foo10==", "foo15==", "foo1", "foo4"} <= skipped  # bad digests too
    assert all(not c.artifacts for c in r.components)  # every hash there is malformed


def test_requirements_includes_constraints_markers_credentials() -> None:
    r = read_lockfile(OURS / "reqs" / "requirements.txt")
    assert versions(r) == [
        ("emoji", "2.14.0"),
        ("six", "1.17.0"),
        ("protobuf", "4.25.5"),
        ("itsdangerous", "2.1.2"),
        ("redis", None),
        ("ike", "cd66602cd29f61a2d2e7fb995fef1e61708c034d"),
    ]
    by = {c.name: c for c in r.components}
    assert src(by["emoji"]).endswith("base.txt")  # followed -r (and its cycle back)
    assert len(by["six"].artifacts[0].digests) == 2 and ln(by["six"]) == 6
    assert by["protobuf"].requirement == 'protobuf==4.25.5 ; python_version >= "3.8"'
    assert by["itsdangerous"].evidence.detail.startswith("pinned by constraint")
    assert by["itsdangerous"].artifacts  # hash from the constraints file
    assert by["redis"].evidence.kind is EvidenceKind.UNRESOLVED
    assert sorted(codes(r)) == ["CW105", "CW107"]  # every pinned line has a hash
    assert r.skipped[0].subject == "./vendor/localpkg"
    dump = repr(r)
    assert "s3cr3t" not in dump and "deploy" not in dump and "urllib3" not in dump


def test_pyproject_groups_and_poetry() -> None:
    r = read_lockfile(OURS / "pyproject.toml")
    got = {(c.name, c.version, c.dev) for c in r.components}
    assert {
        ("mcp", "1.2.0", False),
        ("httpx", None, False),
        ("pydantic", "2.9.2", False),
        ("click", "8.1.8", False),
        ("pytest", "8.3.4", True),
        ("hypothesis", None, True),
        ("ruff", "0.8.1", True),
        ("mypy", None, True),
        ("requests", "2.32.3", False),
        ("rich", None, False),
        ("mkdocs", "1.6.1", True),
    } <= got
    assert len(r.components) == 12  # "test" and "lint" listed once although "dev" includes them
    pyd = next(c for c in r.components if c.name == "pydantic")
    assert pyd.requirement == "pydantic[email]==2.9.2; python_version >= '3.10'"
    assert pyd.evidence.kind is EvidenceKind.LOCKFILE and ln(pyd) == 8
    assert sorted(codes(r)).count("CW105") == 4


def test_installed_env(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"
    info = site / "Example_Pkg-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: Example_Pkg\nVersion: 1.2.3\n")
    (info / "RECORD").write_text(
        "example_pkg/__init__.py,sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU,0\n"
    )
    (info / "REQUESTED").write_text("")
    other = site / "dep-0.1.dist-info"
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: dep\nVersion: 0.1\n")
    r = read_installed_env(site)
    assert versions(r) == [("Example_Pkg", "1.2.3"), ("dep", "0.1")]
    pkg = r.components[0]
    assert pkg.purl == "pkg:pypi/example-pkg@1.2.3"
    assert pkg.path == str(info) and pkg.evidence.source == str(info)
    assert pkg.direct and not r.components[1].direct


def test_installed_env_own_venv() -> None:
    import packaging

    site = Path(packaging.__file__).resolve().parents[1]
    r = read_installed_env(site)
    assert any(c.name == "packaging" for c in r.components)


def test_installed_env_missing(tmp_path: Path) -> None:
    with pytest.raises(LockfileError):
        read_installed_env(tmp_path / "nope")


@pytest.mark.parametrize(
    ("name", "version"),
    [("Foo_Bar", "1.0"), ("a.b", "1.0+local"), ("x", "2!1.0rc1"), ("Zope.Interface", "5.0")],
)
def test_pypi_purl_matches_packageurl(name: str, version: str | None) -> None:
    expected = PackageURL(
        type="pypi", name=name.lower().replace("_", "-").replace(".", "-"), version=version
    ).to_string()
    assert pypi_purl(name, version) == expected


def test_dispatch_and_folder_with_a_broken_file(tmp_path: Path) -> None:
    assert "uv.lock" in LOCKFILE_NAMES and "package-lock.json" in LOCKFILE_NAMES
    (tmp_path / "uv.lock").write_bytes((SCALIBR / "python_uvlock__two-packages.lock").read_bytes())
    (tmp_path / "poetry.lock").write_text("[[package]\nbroken")
    (tmp_path / "requirements.txt").write_text("six==1.17.0\n")
    (tmp_path / "notes.md").write_text("hello")
    paths = sorted(p for p in tmp_path.iterdir() if is_lockfile(p))
    assert [p.name for p in paths] == ["poetry.lock", "requirements.txt", "uv.lock"]
    results, errors = read_lockfiles(paths)
    assert [r.kind for r in results] == ["requirements", "uv.lock"]
    (err,) = errors
    assert err.path == str(tmp_path / "poetry.lock") and err.line == 1
    assert kind_of(tmp_path / "notes.md") is None
    with pytest.raises(LockfileError):
        read_lockfile(tmp_path / "notes.md")

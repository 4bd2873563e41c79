"""Root, workspace and link entries of lockfiles are reported; 'direct' follows each workspace.

``npm-workspaces.package-lock.json`` was written by a real ``npm install --package-lock-only``
on a two-workspace monorepo (fixtures/lockfiles/SOURCES.md): the root declares ``ms`` 2.1.3,
``web`` declares ``core-js`` 3.37.1 and ``debug`` 4.3.4, ``api`` declares ``debug`` 2.6.9.
"""

from __future__ import annotations

from pathlib import Path

from scanner.checks.codes import Code
from scanner.inventory.lockfiles.read import read_lockfile

OURS = Path(__file__).resolve().parents[2] / "fixtures" / "lockfiles" / "ours"
MONOREPO = OURS / "npm-workspaces.package-lock.json"


def test_npm_monorepo_direct_follows_each_workspace() -> None:
    r = read_lockfile(MONOREPO)
    direct = {(c.name, c.version): c.direct for c in r.components}
    assert direct == {
        ("core-js", "3.37.1"): True,  # declared by workspace web, hoisted to the top
        ("debug", "2.6.9"): True,  # declared by workspace api, hoisted
        ("ms", "2.0.0"): False,  # debug 2.6.9's own dependency
        ("ms", "2.1.3"): True,  # the root's devDependency
        ("debug", "4.3.4"): True,  # declared by web, nested under packages/web
        ("ms", "2.1.2"): False,  # debug 4.3.4's dependency, nested under packages/web
    }


def test_npm_root_workspaces_and_links_are_reported_not_dropped() -> None:
    skipped = {s.subject: s.reason for s in read_lockfile(MONOREPO).skipped}
    local = "local source, not a registry package"
    assert skipped == {
        "mono-root@1.0.0": f"the project itself: {local}",
        "packages/api@0.2.0": f"workspace folder 'packages/api': {local}",
        "packages/web@0.1.0": f"workspace folder 'packages/web': {local}",
        "node_modules/api": "link to the workspace folder 'packages/api', not a registry package",
        "node_modules/web": "link to the workspace folder 'packages/web', not a registry package",
    }


def test_has_install_script_is_a_finding_at_inventory_time() -> None:
    r = read_lockfile(MONOREPO)
    scripts = [f for f in r.findings if f.code == Code.INSTALL_SCRIPTS.value]
    assert [f.subject for f in scripts] == ["pkg:npm/core-js@3.37.1"]
    assert "hasInstallScript" in scripts[0].message


def test_pnpm_workspace_importers_declare_direct_dependencies(tmp_path: Path) -> None:
    text = (OURS / "pnpm-lock.v9.yaml").read_text(encoding="utf-8")
    workspace = (
        "\n  packages/tools:\n    dependencies:\n      undici-types:\n"
        "        specifier: 5.26.5\n        version: 5.26.5\n"
    )
    lock = tmp_path / "pnpm-lock.yaml"
    lock.write_text(text.replace("\npackages:\n", workspace + "\npackages:\n", 1), "utf-8")
    before = {c.name: c.direct for c in read_lockfile(OURS / "pnpm-lock.v9.yaml").components}
    after = read_lockfile(lock)
    assert before["undici-types"] is False
    assert {c.name: c.direct for c in after.components}["undici-types"] is True
    reasons = {s.subject: s.reason for s in after.skipped}
    assert reasons["."].startswith("the project itself")
    assert reasons["packages/tools"].startswith("workspace folder 'packages/tools'")


def test_pnpm_requires_build_is_a_finding(tmp_path: Path) -> None:
    text = (OURS / "pnpm-lock.v9.yaml").read_text(encoding="utf-8")
    lock = tmp_path / "pnpm-lock.yaml"
    marker = "  ms@2.1.3:\n    resolution: {integrity: "
    assert marker in text
    lock.write_text(
        text.replace(marker, "  ms@2.1.3:\n    requiresBuild: true\n    resolution: {integrity: "),
        "utf-8",
    )
    scripts = [f for f in read_lockfile(lock).findings if f.code == Code.INSTALL_SCRIPTS.value]
    assert [f.subject for f in scripts] == ["pkg:npm/ms@2.1.3"]


def test_yarn_berry_workspace_entries_are_reported() -> None:
    r = read_lockfile(OURS / "yarn.berry.lock")
    workspace = [s for s in r.skipped if "@workspace:" in s.subject]
    assert [(s.subject, s.reason) for s in workspace] == [
        ("mcp-agent@workspace:.", "the project itself: local source, not a registry package")
    ]
    assert workspace[0].source is not None and workspace[0].source.line == 35

"""Launched servers' whole dependency trees, read from real npx / uv cache layouts.

The layouts under ``fixtures/toolcache/`` were written by real ``uvx``, ``uv tool install`` and
``npx`` runs (``scripts/record_tool_caches.py``, trimmed to the files chainwatch reads). Each test
copies them under ``tmp_path`` (symlinks kept, as uv writes them); nothing reads the real home.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, ToolCaches, resolve_launch
from scanner.inventory.launch.cachetree import venv_roots, venv_tree
from scanner.models import EvidenceKind, ServerEntry, Transport

TOOLCACHE = Path(__file__).resolve().parents[2] / "fixtures" / "toolcache"
FS_KEY = "0cf317c41bb7e3f3"  # npx -y @modelcontextprotocol/server-filesystem@2025.8.21
MEMORY_KEY = "15b07286cbcc3329"  # npx -y @modelcontextprotocol/server-memory


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    root = tmp_path / "caches"
    shutil.copytree(TOOLCACHE, root, symlinks=True)
    return root


def caches(root: Path, *, tools: bool = False) -> ToolCaches:
    return ToolCaches(
        npx_cache=root / "npm" / "_npx",
        uv_tools=root / "uv" / "tools" if tools else None,
        uv_cache=root / "uv" / "cache",
        home=root,
    )


def run(c: ToolCaches, command: str, *args: str) -> LaunchResult:
    server = ServerEntry(
        client="claude-code",
        config_path="/nonexistent/.mcp.json",
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
    )
    return resolve_launch(server, caches=c)


def locked(entry: Path) -> set[tuple[str, str]]:
    """(name, version) pairs from the hidden lockfile, read independently of chainwatch.

    An alias (``node_modules/string-width-cjs`` holding ``string-width``) counts as its package.
    """
    data = json.loads((entry / "node_modules" / ".package-lock.json").read_text())
    return {
        (value.get("name", key.rpartition("node_modules/")[2]), value["version"])
        for key, value in data["packages"].items()
        if key
    }


def installed(env: Path) -> dict[str, str]:
    """normalised name -> version from the dist-info folder names."""
    out = {}
    for info in env.glob("lib/python*/site-packages/*.dist-info"):
        name, _, version = info.name.removesuffix(".dist-info").rpartition("-")
        out[name.replace("_", "-").lower()] = version
    return out


def test_uvx_floating_launch_reads_the_current_environments_v2_layout(layout: Path) -> None:
    result = run(caches(layout), "uvx", "mcp-server-fetch")
    top = result.components[0]
    assert top.name == "mcp-server-fetch"
    assert top.evidence.kind is EvidenceKind.TOOL_CACHE
    env = Path(top.evidence.source or "")
    assert env.parent.parent.name == "environments-v2" and env.is_symlink()
    expected = installed(env.resolve())
    assert top.version == expected["mcp-server-fetch"]
    deps = {c.name: c for c in result.components[1:]}
    assert {n: c.version for n, c in deps.items()} == {
        n: v for n, v in expected.items() if n != "mcp-server-fetch"
    }
    assert all(c.evidence.kind is EvidenceKind.TOOL_CACHE and not c.direct for c in deps.values())
    assert deps["mcp"].purl == f"pkg:pypi/mcp@{expected['mcp']}"
    # the floating launch is still a finding: the cache says what ran last, not what runs next
    assert [f.code for f in result.findings] == [Code.FLOATING_LAUNCH.value]


def test_uvx_pinned_launch_gets_the_tree_of_the_environment_holding_that_version(
    layout: Path,
) -> None:
    result = run(caches(layout), "uvx", "--from", "mcp-server-time==2025.9.25", "mcp-server-time")
    top, deps = result.components[0], result.components[1:]
    assert (top.version, top.evidence.kind) == ("2025.9.25", EvidenceKind.COMMAND_PIN)
    assert len(deps) == 30  # uv reported "Installed 31 packages" for this run
    assert {"mcp", "pydantic", "tzlocal"} <= {c.name for c in deps}
    assert all("mcp-server-time" in (c.evidence.detail or "") for c in deps)


def test_uvx_pinned_to_a_version_the_cache_lacks_adds_no_tree(layout: Path) -> None:
    result = run(caches(layout), "uvx", "mcp-server-time==2024.1.1")
    assert [c.name for c in result.components] == ["mcp-server-time"]


def test_uv_tool_install_receipt_and_its_environment(layout: Path) -> None:
    result = run(caches(layout, tools=True), "uvx", "mcp-server-time")
    top = result.components[0]
    assert top.evidence.kind is EvidenceKind.TOOL_CACHE
    assert Path(top.evidence.source or "").name == "mcp-server-time"
    assert Path(top.evidence.source or "").parent.name == "tools"
    tool_env = installed(layout / "uv" / "tools" / "mcp-server-time")
    assert {c.name: c.version for c in result.components} == tool_env


def test_a_nameless_environment_belongs_to_its_roots_only(layout: Path) -> None:
    env = next((layout / "uv" / "cache" / "environments-v2").glob("*/*"))
    tree = venv_tree(env)
    roots = venv_roots(tree)
    assert len(roots) == 1 and len(tree) > 30
    # a dependency inside that environment is not what `uvx <dependency>` would run
    assert run(caches(layout), "uvx", "pydantic").components[0].evidence.kind is (
        EvidenceKind.UNRESOLVED
    )


def test_npx_pinned_launch_reads_the_whole_installed_tree(layout: Path) -> None:
    result = run(caches(layout), "npx", "-y", "@modelcontextprotocol/server-filesystem@2025.8.21")
    top, deps = result.components[0], result.components[1:]
    assert (top.version, top.evidence.kind) == ("2025.8.21", EvidenceKind.COMMAND_PIN)
    expected = locked(layout / "npm" / "_npx" / FS_KEY)
    assert {(c.name, c.version) for c in deps} == {
        (n, v) for n, v in expected if n != "@modelcontextprotocol/server-filesystem"
    }
    assert len(deps) == len(expected) - 1  # each (name, version) once
    sdk = next(c for c in deps if c.name == "@modelcontextprotocol/sdk")
    assert (sdk.name, sdk.version) in expected
    assert sdk.purl == f"pkg:npm/%40modelcontextprotocol/sdk@{sdk.version}"
    assert sdk.artifacts[0].digests[0].algorithm == "sha512"
    assert Path(sdk.evidence.source or "").name == ".package-lock.json"
    assert not any(c.direct for c in deps)


def test_npx_floating_launch_takes_version_and_tree_from_the_cache(layout: Path) -> None:
    result = run(caches(layout), "npx", "-y", "@modelcontextprotocol/server-memory")
    top = result.components[0]
    expected = locked(layout / "npm" / "_npx" / MEMORY_KEY)
    assert top.evidence.kind is EvidenceKind.TOOL_CACHE
    assert ("@modelcontextprotocol/server-memory", top.version) in expected
    assert {(c.name, c.version) for c in result.components} == expected


def test_install_scripts_in_the_npx_tree_are_a_finding(layout: Path) -> None:
    lock_path = layout / "npm" / "_npx" / MEMORY_KEY / "node_modules" / ".package-lock.json"
    lock = json.loads(lock_path.read_text())
    lock["packages"]["node_modules/zod"]["hasInstallScript"] = True
    lock_path.write_text(json.dumps(lock))
    result = run(caches(layout), "npx", "-y", "@modelcontextprotocol/server-memory")
    scripts = [f for f in result.findings if f.code == Code.INSTALL_SCRIPTS.value]
    assert len(scripts) == 1 and scripts[0].subject.startswith("pkg:npm/zod@")


class Fifos:
    """FIFOs planted in a cache, and a watchdog that frees a reader stuck on one after 10 s."""

    def __init__(self) -> None:
        self.planted: list[Path] = []
        self.stuck = False
        self.done = threading.Event()
        self._timer = threading.Timer(10, self._release)

    def plant(self, path: Path) -> None:
        path.unlink()
        os.mkfifo(path)
        self.planted.append(path)

    def _release(self) -> None:
        self.stuck = True
        while not self.done.wait(0.05):  # each read after the first would wait too
            for path in self.planted:
                try:  # a writer that opens and closes: the stuck reader sees end of file
                    os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:
                    pass  # no reader waits on this one


@pytest.fixture
def fifos() -> Iterator[Fifos]:
    planted = Fifos()
    planted._timer.start()
    try:
        yield planted
    finally:
        planted._timer.cancel()
        planted.done.set()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_fifos_planted_in_the_npx_cache_are_refused_not_waited_on(
    layout: Path, fifos: Fifos
) -> None:
    entry = layout / "npm" / "_npx" / MEMORY_KEY
    fifos.plant(entry / "node_modules" / ".package-lock.json")
    fifos.plant(entry / "package-lock.json")
    fifos.plant(entry / "node_modules" / "@modelcontextprotocol" / "server-memory" / "package.json")
    result = run(caches(layout), "npx", "-y", "@modelcontextprotocol/server-memory")
    assert not fifos.stuck  # no read waited on a FIFO
    # Without a readable lock or package.json the cache says nothing: unresolved, no tree.
    assert [c.name for c in result.components] == ["@modelcontextprotocol/server-memory"]
    assert result.components[0].evidence.kind is EvidenceKind.UNRESOLVED


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs (POSIX)")
def test_fifos_planted_in_a_uv_tool_are_refused_not_waited_on(layout: Path, fifos: Fifos) -> None:
    tool = layout / "uv" / "tools" / "mcp-server-time"
    fifos.plant(tool / "uv-receipt.toml")
    for metadata in tool.glob("lib/python*/site-packages/*.dist-info/METADATA"):
        fifos.plant(metadata)
    result = run(caches(layout, tools=True), "uvx", "mcp-server-time")
    assert not fifos.stuck  # no read waited on a FIFO
    # The tool's receipt is unreadable, so the installed tool is not taken as what uvx runs.
    assert result.components and all(
        Path(c.evidence.source or "").parent.name != "tools" for c in result.components
    )

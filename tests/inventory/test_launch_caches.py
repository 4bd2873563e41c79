"""Floating launches resolved from local npx / uv / pipx caches laid out as the tools write them."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, ToolCaches, resolve_launch
from scanner.inventory.launch.caches import npx_key
from scanner.models import EvidenceKind, ServerEntry, Transport

FS = "@modelcontextprotocol/server-filesystem"


def run(caches: ToolCaches, command: str, *args: str) -> LaunchResult:
    server = ServerEntry(
        client="test",
        config_path="/nonexistent/cfg/mcp.json",
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
    )
    return resolve_launch(server, caches=caches)


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def npx_entry(npx: Path, key: str, name: str, version: str, *, specs: list[str] | None) -> Path:
    entry = npx / key
    manifest: dict[str, object] = {"dependencies": {name: f"^{version}"}}
    if specs is not None:
        manifest["_npx"] = {"packages": specs}
    write_json(entry / "package.json", manifest)
    write_json(
        entry / "package-lock.json",
        {"name": key, "lockfileVersion": 3, "requires": True, "packages": {}},
    )
    installed = {"name": name, "version": version, "bin": {"mcp-server": "dist/index.js"}}
    write_json(entry.joinpath("node_modules", *name.split("/"), "package.json"), installed)
    return entry


def site_packages(venv: Path, *, windows: bool = False) -> Path:
    site = (
        venv / "Lib" / "site-packages" if windows else venv / "lib" / "python3.12" / "site-packages"
    )
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion_info = 3.12.7\n", encoding="utf-8")
    return site


def dist_info(site: Path, dist: str, version: str) -> None:
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.4\nName: {dist.replace('_', '-')}\nVersion: {version}\n"
        "Summary: test\n\nLong description. Version: 0.0.0 must not be read\n",
        encoding="utf-8",
    )
    (info / "RECORD").write_text("", encoding="utf-8")


def test_npx_key_is_the_npm_hash() -> None:
    # libnpmexec: sha512 of the requested specs, sorted and joined by newlines, first 16 hex
    assert npx_key(["cowsay"]) == hashlib.sha512(b"cowsay").hexdigest()[:16]
    assert npx_key(["b@1", "a"]) == hashlib.sha512(b"a\nb@1").hexdigest()[:16]


def test_npx_unversioned_resolved_by_exact_key(tmp_path: Path) -> None:
    npx = tmp_path / ".npm" / "_npx"
    entry = npx_entry(npx, npx_key([FS]), FS, "2025.7.1", specs=[FS])
    r = run(ToolCaches(npx_cache=npx), "npx", "-y", FS, "/tmp")
    (c,) = r.components
    assert c.purl == "pkg:npm/%40modelcontextprotocol/server-filesystem@2025.7.1"
    assert c.version == "2025.7.1"
    assert (c.evidence.kind, c.evidence.source, c.evidence.detail) == (
        EvidenceKind.TOOL_CACHE,
        str(entry),
        "unversioned",
    )
    assert [f.code for f in r.findings] == [Code.FLOATING_LAUNCH]  # still floating at launch


def test_npx_latest_resolved_through_recorded_specs(tmp_path: Path) -> None:
    npx = tmp_path / "_npx"
    # an entry under an unexpected key still matches when it recorded the same spec
    entry = npx_entry(npx, "0123456789abcdef", "mcp-remote", "0.1.18", specs=["mcp-remote@latest"])
    npx_entry(npx, "fedcba9876543210", "mcp-remote", "0.0.9", specs=["mcp-remote@0.0.9"])
    r = run(
        ToolCaches(npx_cache=npx), "npx", "mcp-remote@latest", "https://mcp.example.invalid/sse"
    )
    npm = r.components[0]
    assert (npm.purl, npm.evidence.kind, npm.evidence.source, npm.evidence.detail) == (
        "pkg:npm/mcp-remote@0.1.18",
        EvidenceKind.TOOL_CACHE,
        str(entry),
        "@latest",
    )
    assert sorted(f.code for f in r.findings) == [Code.LATEST_TAG]


def test_npx_older_layout_without_recorded_specs_prefers_newest(tmp_path: Path) -> None:
    npx = tmp_path / "_npx"
    old = npx_entry(npx, "1111111111111111", "pkg", "1.0.0", specs=None)
    new = npx_entry(npx, "2222222222222222", "pkg", "1.4.0", specs=None)
    os.utime(old / "node_modules", (1_000_000, 1_000_000))
    os.utime(new / "node_modules", (2_000_000, 2_000_000))
    r = run(ToolCaches(npx_cache=npx), "npx", "-y", "pkg@^1")
    assert r.components[0].version == "1.4.0"
    assert r.components[0].evidence.source == str(new)


def test_npx_exact_pin_ignores_the_cache(tmp_path: Path) -> None:
    npx = tmp_path / "_npx"
    npx_entry(npx, npx_key(["pkg@1.0.0"]), "pkg", "9.9.9", specs=["pkg@1.0.0"])
    r = run(ToolCaches(npx_cache=npx), "npx", "-y", "pkg@1.0.0")
    assert r.components[0].evidence.kind is EvidenceKind.COMMAND_PIN
    assert r.components[0].version == "1.0.0"


def test_npx_cache_miss_and_other_runners_stay_unresolved(tmp_path: Path) -> None:
    npx = tmp_path / "_npx"
    npx_entry(npx, npx_key(["pkg"]), "pkg", "1.0.0", specs=["pkg"])
    caches = ToolCaches(npx_cache=npx)
    assert run(caches, "npx", "-y", "other").components[0].evidence.kind is EvidenceKind.UNRESOLVED
    # bunx and pnpm dlx keep their own caches; the npx cache says nothing about them
    assert run(caches, "bunx", "pkg").components[0].evidence.kind is EvidenceKind.UNRESOLVED


def test_npx_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    npx = tmp_path / "_npx"
    (npx / "aaaaaaaaaaaaaaaa").mkdir(parents=True)
    (npx / "aaaaaaaaaaaaaaaa" / "package.json").write_text("{not json", encoding="utf-8")
    write_json(npx / "bbbbbbbbbbbbbbbb" / "package.json", ["not", "a", "dict"])
    r = run(ToolCaches(npx_cache=npx), "npx", "-y", "pkg")
    assert r.components[0].evidence.kind is EvidenceKind.UNRESOLVED


def uv_tool(tools: Path, name: str, dist: str, version: str, *, windows: bool = False) -> Path:
    tool = tools / name
    site = site_packages(tool, windows=windows)
    dist_info(site, dist, version)
    (tool / "uv-receipt.toml").write_text(
        f'[tool]\nrequirements = [{{ name = "{name}" }}]\nentrypoints = [\n'
        f'    {{ name = "{name}", install-path = "/home/u/.local/bin/{name}", '
        f'from = "{name}" }},\n]\n'
        '\n[tool.options]\nexclude-newer = "2025-01-01T00:00:00Z"\n',
        encoding="utf-8",
    )
    return tool


def test_uvx_resolved_from_installed_uv_tool(tmp_path: Path) -> None:
    tools = tmp_path / "uv" / "tools"
    tool = uv_tool(tools, "mcp-server-fetch", "mcp_server_fetch", "2025.4.7")
    r = run(ToolCaches(uv_tools=tools), "uvx", "mcp-server-fetch")
    (c,) = r.components
    assert (c.purl, c.version) == ("pkg:pypi/mcp-server-fetch@2025.4.7", "2025.4.7")
    assert (c.evidence.kind, c.evidence.source, c.evidence.detail) == (
        EvidenceKind.TOOL_CACHE,
        str(tool),
        "unversioned",
    )
    assert [f.code for f in r.findings] == [Code.FLOATING_LAUNCH]


def test_uvx_resolved_from_windows_tool_layout(tmp_path: Path) -> None:
    tools = tmp_path / "AppData" / "Roaming" / "uv" / "data" / "tools"
    uv_tool(tools, "mcp-server-time", "mcp_server_time", "0.6.2", windows=True)
    r = run(ToolCaches(uv_tools=tools), "uvx.exe", "mcp-server-time@latest")
    assert r.components[0].purl == "pkg:pypi/mcp-server-time@0.6.2"
    assert [f.code for f in r.findings] == [Code.LATEST_TAG]


def test_uvx_resolved_from_cached_environment(tmp_path: Path) -> None:
    cache = tmp_path / ".cache" / "uv"
    old = cache / "environments-v2" / "mcp-server-git-0123456789abcdef"
    new = cache / "environments-v2" / "mcp-server-git-fedcba9876543210"
    dist_info(site_packages(old), "mcp_server_git", "0.5.0")
    dist_info(site_packages(new), "mcp_server_git", "0.6.2")
    os.utime(old, (1_000_000, 1_000_000))
    os.utime(new, (2_000_000, 2_000_000))
    r = run(ToolCaches(uv_cache=cache), "uvx", "mcp-server-git")
    assert r.components[0].purl == "pkg:pypi/mcp-server-git@0.6.2"
    assert r.components[0].evidence.source == str(new)


def test_uv_receipt_for_another_package_does_not_count(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tool = uv_tool(tools, "pkg", "pkg", "1.0")
    (tool / "uv-receipt.toml").write_text('[tool]\nrequirements = [{ name = "other" }]\n', "utf-8")
    r = run(ToolCaches(uv_tools=tools), "uvx", "pkg")
    assert r.components[0].evidence.kind is EvidenceKind.UNRESOLVED


def test_pipx_run_resolved_from_pipx_caches(tmp_path: Path) -> None:
    home = tmp_path / "pipx"
    venv = home / "venvs" / "mcp-server-fetch"
    write_json(venv / "pipx_metadata.json", {
        "main_package": {"package": "mcp-server-fetch", "package_or_url": "mcp-server-fetch",
                         "package_version": "2025.4.7", "apps": ["mcp-server-fetch"]},
        "pipx_metadata_version": "0.5", "python_version": "Python 3.12.7"})  # fmt: skip
    caches = ToolCaches(pipx_homes=(tmp_path / "missing", home))
    r = run(caches, "pipx", "run", "mcp-server-fetch")
    assert r.components[0].purl == "pkg:pypi/mcp-server-fetch@2025.4.7"
    assert r.components[0].evidence.source == str(venv)
    run_venv = home / ".cache" / "6b2e4d3f1a0c9e87"
    dist_info(site_packages(run_venv), "mcp_server_fetch", "2025.5.0")
    fresh = ToolCaches(pipx_homes=(home,))  # listings are memoised per instance
    r = run(fresh, "pipx", "run", "mcp-server-fetch")
    assert r.components[0].purl == "pkg:pypi/mcp-server-fetch@2025.5.0"
    assert r.components[0].evidence.source == str(run_venv)


def test_default_locations_per_platform() -> None:
    home = Path("/home/u")
    linux = ToolCaches.default(home, "linux", {})
    assert linux.npx_cache == home / ".npm" / "_npx"
    assert linux.uv_tools == home / ".local" / "share" / "uv" / "tools"
    assert linux.uv_cache == home / ".cache" / "uv"
    assert linux.pipx_homes == (home / ".local" / "share" / "pipx", home / ".local" / "pipx")
    assert linux.home == home

    xdg = ToolCaches.default(home, "linux", {"XDG_DATA_HOME": "/d", "XDG_CACHE_HOME": "/c"})
    assert (xdg.uv_tools, xdg.uv_cache) == (Path("/d/uv/tools"), Path("/c/uv"))
    assert xdg.pipx_homes[0] == Path("/d/pipx")

    mac = ToolCaches.default(Path("/Users/u"), "darwin", {})
    assert mac.uv_tools == Path("/Users/u/.local/share/uv/tools")
    assert mac.pipx_homes[0] == Path("/Users/u/.local/pipx")

    win_home = Path("/c/Users/u")
    win = ToolCaches.default(win_home, "win32", {"LOCALAPPDATA": "/c/L", "APPDATA": "/c/R"})
    assert win.npx_cache == Path("/c/L/npm-cache/_npx")
    assert win.uv_tools == Path("/c/R/uv/data/tools")
    assert win.uv_cache == Path("/c/L/uv/cache")
    assert win.pipx_homes[0] == win_home / "pipx"

    env = {"npm_config_cache": "/n", "UV_TOOL_DIR": "/t", "UV_CACHE_DIR": "/uc", "PIPX_HOME": "/p"}
    custom = ToolCaches.default(home, "linux", env)
    assert (custom.npx_cache, custom.uv_tools, custom.uv_cache, custom.pipx_homes) == (
        Path("/n/_npx"),
        Path("/t"),
        Path("/uc"),
        (Path("/p"),),
    )
    assert ToolCaches.default(home, "linux", {"NPM_CONFIG_CACHE": "/N"}).npx_cache == Path(
        "/N/_npx"
    )


def test_missing_cache_directories_resolve_nothing(tmp_path: Path) -> None:
    caches = ToolCaches.default(tmp_path, "linux", {})
    for command, spec in (("npx", "pkg"), ("uvx", "pkg"), ("pipx", "run")):
        args = (spec,) if command != "pipx" else ("run", "pkg")
        r = run(caches, command, *args)
        assert r.components[0].evidence.kind is EvidenceKind.UNRESOLVED

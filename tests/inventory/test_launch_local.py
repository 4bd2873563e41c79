"""Local scripts and binaries (hashed, never run) and remote servers."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, ToolCaches, resolve_launch
from scanner.models import EvidenceKind, ServerEntry, Transport

SCRIPT = b"print('hello from an MCP server')\n"
HEX = hashlib.sha256(SCRIPT).hexdigest()


def run(
    command: str | None,
    *args: str,
    config: Path | str = "/nonexistent/cfg/mcp.json",
    cwd: str | None = None,
    url: str | None = None,
    transport: Transport = Transport.STDIO,
    caches: ToolCaches | None = None,
) -> LaunchResult:
    server = ServerEntry(
        client="test",
        config_path=str(config),
        name="srv",
        transport=transport,
        command=command,
        args=args,
        cwd=cwd,
        url=url,
    )
    return resolve_launch(server, caches=caches)


def codes(result: LaunchResult) -> list[str]:
    return sorted(f.code for f in result.findings)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "cfg").mkdir()
    (tmp_path / "cfg" / "server.py").write_bytes(SCRIPT)
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "index.js").write_bytes(SCRIPT)
    return tmp_path


def assert_hashed(result: LaunchResult, path: Path) -> None:
    assert result.skipped == () and result.findings == ()
    (c,) = result.components
    assert c.purl == f"pkg:generic/{path.name}?checksum=sha256:{HEX}"
    assert (c.ecosystem, c.path, c.version) == ("local", str(path), f"sha256:{HEX}")
    assert c.evidence.kind is EvidenceKind.COMMAND_PIN
    assert c.evidence.source == str(path)


def test_python_script_relative_to_config_dir(project: Path) -> None:
    r = run("python", "-u", "server.py", "--flag", config=project / "cfg" / "mcp.json")
    assert_hashed(r, project / "cfg" / "server.py")


def test_node_script_relative_to_cwd(project: Path) -> None:
    r = run("node", "--env-file", ".env", "index.js", cwd=str(project / "work"),
            config=project / "cfg" / "mcp.json")  # fmt: skip
    assert_hashed(r, project / "work" / "index.js")


def test_absolute_script_and_interpreter_shims(project: Path) -> None:
    script = project / "cfg" / "server.py"
    for command in ("python3", "python3.12", "/usr/bin/python3", "py", "C:\\Python312\\python.exe"):
        assert_hashed(run(command, str(script)), script)


def test_home_relative_script(project: Path) -> None:
    caches = ToolCaches(home=project)
    assert_hashed(run("node", "~/work/index.js", caches=caches), project / "work" / "index.js")


def test_uv_run_directory_sets_the_base(project: Path) -> None:
    r = run("uv", "--directory", str(project / "cfg"), "run", "server.py")
    assert_hashed(r, project / "cfg" / "server.py")
    r = run("uv", "run", "--directory", str(project / "cfg"), "python", "server.py")
    assert_hashed(r, project / "cfg" / "server.py")


@pytest.mark.parametrize(
    "command, args",
    [
        ("deno", ("run", "--allow-net", "-c", "deno.json", "server.py")),
        ("deno", ("server.py",)),
        ("bun", ("server.py",)),
        ("bun", ("run", "server.py")),
        ("tsx", ("server.py",)),
    ],
)
def test_other_script_runners(project: Path, command: str, args: tuple[str, ...]) -> None:
    assert_hashed(
        run(command, *args, config=project / "cfg" / "mcp.json"), project / "cfg" / "server.py"
    )


def test_missing_script_is_unresolved_with_finding(tmp_path: Path) -> None:
    r = run("node", "build/index.js", config=tmp_path / "mcp.json")
    (c,) = r.components
    missing = tmp_path / "build" / "index.js"
    assert c.purl == f"pkg:generic/index.js?download_url=file://{missing.as_posix()}"
    assert (c.version, c.evidence.kind, c.evidence.detail) == (
        None,
        EvidenceKind.UNRESOLVED,
        "file not found",
    )
    assert c.path == str(missing)
    assert codes(r) == [Code.LOCAL_SCRIPT_MISSING]


def test_workspace_variable_is_expanded_or_reported(tmp_path: Path) -> None:
    vscode = tmp_path / ".vscode"
    vscode.mkdir()
    (tmp_path / "server.py").write_bytes(SCRIPT)
    r = run("python", "${workspaceFolder}/server.py", config=vscode / "mcp.json")
    assert_hashed(r, tmp_path / "server.py")
    r = run("python", "${env:SERVER}/server.py", config=vscode / "mcp.json")
    assert r.components[0].evidence.kind is EvidenceKind.UNRESOLVED
    assert codes(r) == [Code.LOCAL_SCRIPT_MISSING]


def test_inline_code_and_interpreters_without_script_are_skipped() -> None:
    cases: list[tuple[str, tuple[str, ...]]] = [
        ("node", ("-e", "x")),
        ("node", ()),
        ("python", ("-c", "x")),
        ("python", ()),
        ("deno", ("eval", "x")),
        ("bun", ("start",)),
    ]
    for command, args in cases:
        r = run(command, *args)
        assert r.components == () and len(r.skipped) == 1, (command, args)


def test_deno_npm_specifier_and_remote_script() -> None:
    r = run("deno", "run", "-A", "npm:@scope/srv@1.2.3/cli")
    assert [c.purl for c in r.components] == ["pkg:npm/%40scope/srv@1.2.3"]
    r = run("deno", "run", "-A", "https://code.example.invalid/srv.ts")
    assert [c.ecosystem for c in r.components] == ["remote"]


def test_existing_unknown_binary_is_hashed(tmp_path: Path) -> None:
    binary = tmp_path / "bin" / "some-mcp"
    binary.parent.mkdir()
    binary.write_bytes(SCRIPT)
    r = run(str(binary), "serve")
    assert r.components[0].purl == f"pkg:generic/some-mcp?checksum=sha256:{HEX}"
    assert r.findings == () and r.skipped == ()


def test_spaced_home_binary_is_hashed(tmp_path: Path) -> None:
    binary = (
        tmp_path / "Library" / "Application Support" / "snyk" / "vscode-cli" / "snyk-macos-arm64"
    )
    binary.parent.mkdir(parents=True)
    binary.write_bytes(SCRIPT)
    caches = ToolCaches(home=tmp_path)
    r = run("~/Library/Application Support/snyk/vscode-cli/snyk-macos-arm64", "mcp", "-t", "stdio",
            caches=caches)  # fmt: skip
    assert r.components[0].path == str(binary)
    assert r.components[0].purl == f"pkg:generic/snyk-macos-arm64?checksum=sha256:{HEX}"


@pytest.mark.parametrize("command", ["/usr/local/bin/definitely-missing-mcp", "some-mcp"])
def test_missing_or_path_looked_up_binaries_are_skipped(command: str) -> None:
    r = run(command, "--stdio")
    assert r.components == () and r.findings == ()
    (skipped,) = r.skipped
    assert skipped.subject == "srv"
    assert skipped.source is not None and skipped.source.path == "/nonexistent/cfg/mcp.json"
    assert "unknown launcher" in skipped.reason


def test_directory_is_not_hashed(tmp_path: Path) -> None:
    (tmp_path / "dir.py").mkdir()
    r = run("python", "dir.py", config=tmp_path / "mcp.json")
    assert codes(r) == [Code.LOCAL_SCRIPT_MISSING]


# ---------------------------------------------------------------- remote servers


@pytest.mark.parametrize("transport", [Transport.SSE, Transport.HTTP])
def test_remote_https(transport: Transport) -> None:
    r = run(None, url="https://mcp.example.invalid/sse", transport=transport)
    (c,) = r.components
    assert c.purl == "pkg:generic/mcp.example.invalid?download_url=https://mcp.example.invalid/sse"
    assert (c.ecosystem, c.url, c.name, c.version) == (
        "remote",
        "https://mcp.example.invalid/sse",
        "mcp.example.invalid",
        None,
    )
    assert c.evidence.kind is EvidenceKind.UNRESOLVED
    assert r.findings == () and r.skipped == ()


def test_remote_url_drops_credentials_query_and_fragment() -> None:
    r = run(None, url="https://user:secret@mcp.example.invalid:8443/mcp?token=abc#x")
    assert r.components[0].url == "https://mcp.example.invalid:8443/mcp"
    assert "secret" not in r.components[0].purl and "abc" not in r.components[0].purl


def test_plain_http_remote_to_other_host_is_flagged() -> None:
    r = run(None, url="http://mcp.example.invalid/mcp", transport=Transport.HTTP)
    assert codes(r) == [Code.PLAIN_HTTP_REMOTE]
    assert r.findings[0].subject == r.components[0].purl


@pytest.mark.parametrize(
    "url", ["http://localhost:8124/mcp", "http://127.0.0.1:8000/sse", "http://[::1]:9000/mcp",
            "http://app.localhost/mcp", "http://0.0.0.0:3000/mcp"],
)  # fmt: skip
def test_plain_http_to_loopback_is_not_flagged(url: str) -> None:
    r = run(None, url=url, transport=Transport.HTTP)
    assert len(r.components) == 1 and r.findings == ()


@pytest.mark.parametrize("url", ["ftp://x.example.invalid/", "not a url", "http://", "http://[::1"])
def test_bad_remote_urls_are_skipped(url: str) -> None:
    r = run(None, url=url, transport=Transport.HTTP)
    assert r.components == () and len(r.skipped) == 1


def test_entry_without_command_or_url_is_skipped() -> None:
    r = run(None)
    assert r.components == () and "neither a command nor a URL" in r.skipped[0].reason

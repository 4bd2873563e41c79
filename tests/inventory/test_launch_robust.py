"""Real config files from other scanners, malformed input, and arbitrary input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.checks.codes import Code
from scanner.errors import LaunchError
from scanner.inventory.launch import LaunchResult, ToolCaches, resolve_launch
from scanner.models import EvidenceKind, ServerEntry, Transport


def entries(path: Path) -> list[ServerEntry]:
    """Read a fixture the way a client reader would, without depending on one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    servers = data.get("mcpServers") or (data.get("mcp") or {}).get("servers") or {}
    out = []
    for name, raw in servers.items():
        url = raw.get("url")
        transport = (
            Transport(raw["type"]) if raw.get("type") in {"sse", "http"} else Transport.STDIO
        )
        out.append(
            ServerEntry(
                client="fixture",
                config_path=str(path),
                name=name,
                transport=transport,
                command=raw.get("command"),
                args=tuple(raw.get("args", ())),
                url=url,
            )
        )
    return out


def test_uv_run_python_configs(fixtures_dir: Path) -> None:
    path = fixtures_dir / "mcp" / "configs" / "snyk-agent-scan__test-client_mcp.json"
    results = {s.name: resolve_launch(s) for s in entries(path)}
    assert set(results) == {"Weather", "Math", "Invalid", "Snyk"}

    weather = results["Weather"]
    (c,) = weather.components
    expected = path.parent / "tests" / "mcp_servers" / "weather_server.py"
    assert (c.ecosystem, c.path, c.evidence.kind) == (
        "local",
        str(expected),
        EvidenceKind.UNRESOLVED,
    )
    assert c.purl.startswith("pkg:generic/weather_server.py?download_url=file:")
    assert [f.code for f in weather.findings] == [Code.LOCAL_SCRIPT_MISSING]

    invalid = results["Invalid"]
    assert invalid.components == () and "inline code" in invalid.skipped[0].reason

    snyk = results["Snyk"]
    assert snyk.components == ()
    assert snyk.skipped[0].reason.startswith(
        "unknown launcher '~/Library/Application Support/snyk/vscode-cli/snyk-macos-arm64'"
    )


def test_all_config_fixture(fixtures_dir: Path) -> None:
    path = fixtures_dir / "mcp" / "configs" / "snyk-agent-scan__all_config.json"
    results = [resolve_launch(s) for s in entries(path)]
    assert [r.components[0].name for r in results] == ["weather_server.py", "math_server.py"]


def test_loopback_remote_fixture(fixtures_dir: Path) -> None:
    path = (
        fixtures_dir
        / "mcp"
        / "configs"
        / "snyk-agent-scan__multiple_transport.vscode-settings.json"
    )
    results = {s.name: resolve_launch(s) for s in entries(path)}
    assert {n: r.components[0].url for n, r in results.items()} == {
        "http_server": "http://localhost:8124/mcp",
        "sse_server": "http://localhost:8123/sse",
    }
    assert all(r.findings == () for r in results.values())


def server(command: Any = None, args: Any = (), url: Any = None, **kw: Any) -> ServerEntry:
    return ServerEntry(
        client="t",
        config_path=kw.pop("config_path", "/nonexistent/mcp.json"),
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
        url=url,
        **kw,
    )


@pytest.mark.parametrize(
    "command, args, reason",
    [
        ("", (), "empty command"),
        ("   ", (), "empty command"),
        (42, (), "command is not a string"),
        ("npx", ("-y", 3), "argument 1 is not a string"),
        ("npx", "-y pkg", "args is not a list"),
        ("npx -y 'unbalanced", (), "No closing quotation"),
        ('"C:\\Program Files\\nodejs\\npx.cmd -y pkg', (), "unbalanced quote"),
        ("npx", ("-p",), "has no value"),
        ("uvx", ("--from",), "has no value"),
        ("cmd", ("/q",), "without /c"),
        ("sh", ("-c",), "without a command"),
        ("env", ("A=1",), "env without a command"),
    ],
)
def test_malformed_input_becomes_skipped(command: Any, args: Any, reason: str) -> None:
    r = resolve_launch(server(command, args))
    assert r.components == ()
    (skipped,) = r.skipped
    assert reason in skipped.reason
    assert skipped.subject == "srv"


def test_wrappers_nesting_without_end_is_bounded() -> None:
    r = resolve_launch(server("sh", ("-c", 'sh -c \'sh -c "sh -c \\"sh -c x\\""\'')))
    assert r.components == ()


def test_non_string_url_is_skipped() -> None:
    r = resolve_launch(server(url=["http://x.example.invalid"]))
    assert "url is not a string" in r.skipped[0].reason


_WORDS = st.sampled_from(
    ["npx", "-y", "-p", "--package", "--package=", "-c", "uvx", "uv", "run", "tool", "--from",
     "--with", "pipx", "--spec", "docker", "run", "-e", "--", "cmd", "/c", "sh", "-c", "env",
     "python", "-m", "node", "deno", "bun", "x", "dlx", "pnpm", "yarn", "npm", "exec",
     "pkg@1.0.0", "@s/p@latest", "pkg==1", "git+https://github.com/o/r@v1", "img:tag",
     "~/x", "${workspaceFolder}/a.py", "C:\\Program Files\\x", "'", '"', "a b", "\x00",
     "http://h.example.invalid", "mcp-remote"]
)  # fmt: skip
_TEXT = st.one_of(_WORDS, st.text(max_size=20))
_ANY = st.one_of(_TEXT, st.none(), st.integers(), st.lists(_TEXT, max_size=2))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    command=_ANY,
    args=st.one_of(st.lists(_ANY, max_size=6).map(tuple), _ANY),
    url=st.one_of(st.none(), _TEXT, st.integers()),
    cwd=st.one_of(st.none(), _TEXT),
    config_path=st.one_of(st.just("/nonexistent/mcp.json"), st.text(max_size=10)),
)
def test_arbitrary_input_raises_nothing_but_launch_error(
    command: Any, args: Any, url: Any, cwd: Any, config_path: str
) -> None:
    entry = server(command, args, url, cwd=cwd, config_path=config_path)
    try:
        result = resolve_launch(entry, caches=ToolCaches(home=Path("/nonexistent-home")))
    except LaunchError:
        return
    assert isinstance(result, LaunchResult)
    for c in result.components:
        assert c.purl.startswith("pkg:")
        assert c.evidence.kind in EvidenceKind

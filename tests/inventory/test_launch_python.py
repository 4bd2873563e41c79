"""Python launchers: uvx / uv tool run, uv run --with, pipx run, python -m / -c."""

from __future__ import annotations

import pytest

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, resolve_launch
from scanner.models import EvidenceKind, ServerEntry, Transport

FETCH = "pkg:pypi/mcp-server-fetch@2025.4.7"


def run(command: str | None, *args: str) -> LaunchResult:
    server = ServerEntry(
        client="test",
        config_path="/nonexistent/cfg/mcp.json",
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
    )
    return resolve_launch(server)


def purls(result: LaunchResult) -> list[str]:
    return [c.purl for c in result.components]


def codes(result: LaunchResult) -> list[str]:
    return sorted(f.code for f in result.findings)


@pytest.mark.parametrize(
    "args, purl, version, detail",
    [
        (("mcp-server-fetch==2025.4.7",), FETCH, "2025.4.7", "==2025.4.7"),
        (("mcp-server-fetch@2025.4.7",), FETCH, "2025.4.7", "@2025.4.7"),
        (("Mcp_Server.Fetch==2025.04.07",), FETCH, "2025.4.7", "==2025.04.07"),
        (("mcp-server-git[cli]==1",), "pkg:pypi/mcp-server-git@1", "1", "==1"),
        (("--python", "3.12", "pkg==1.2"), "pkg:pypi/pkg@1.2", "1.2", "==1.2"),
        (("-p", "3.12", "--index-url", "https://i.example.invalid/simple", "pkg==1.2"),
         "pkg:pypi/pkg@1.2", "1.2", "==1.2"),
        (("--python=3.12", "--isolated", "pkg==1.2", "--pkg-arg", "x"),
         "pkg:pypi/pkg@1.2", "1.2", "==1.2"),
        (("--from", "pkg==1.2", "pkg-cli", "serve"), "pkg:pypi/pkg@1.2", "1.2", "==1.2"),
        (("--from=pkg==1.2", "pkg-cli"), "pkg:pypi/pkg@1.2", "1.2", "==1.2"),
    ],
)  # fmt: skip
def test_uvx_exact(args: tuple[str, ...], purl: str, version: str, detail: str) -> None:
    r = run("uvx", *args)
    assert purls(r) == [purl]
    c = r.components[0]
    assert (c.version, c.evidence.kind, c.evidence.detail) == (
        version,
        EvidenceKind.COMMAND_PIN,
        detail,
    )
    assert c.ecosystem == "pypi"
    assert r.findings == () and r.skipped == ()


@pytest.mark.parametrize(
    "spec, detail, code",
    [
        ("mcp-server-time", "unversioned", Code.FLOATING_LAUNCH),
        ("mcp-server-time@latest", "@latest", Code.LATEST_TAG),
        ("mcp-server-time>=1.0", ">=1.0", Code.FLOATING_LAUNCH),
        ("mcp-server-time==1.*", "==1.*", Code.FLOATING_LAUNCH),
    ],
)
def test_uvx_floating(spec: str, detail: str, code: Code) -> None:
    r = run("uvx", spec)
    assert purls(r) == ["pkg:pypi/mcp-server-time"]
    c = r.components[0]
    assert (c.version, c.evidence.kind, c.evidence.detail) == (
        None,
        EvidenceKind.UNRESOLVED,
        detail,
    )
    assert codes(r) == [code]


def test_uv_tool_run_is_uvx() -> None:
    r = run("uv", "tool", "run", "--from", "pkg==1.0", "pkg-cli")
    assert purls(r) == ["pkg:pypi/pkg@1.0"]
    r = run("uv", "--directory", "/x", "tool", "run", "pkg@2")
    assert purls(r) == ["pkg:pypi/pkg@2"]


def test_uvx_with_adds_extra_components() -> None:
    r = run("uvx", "--with", "extra==1.0", "--with", "other==2.0,third==3", "main==4")
    assert purls(r) == [
        "pkg:pypi/extra@1.0",
        "pkg:pypi/other@2.0",
        "pkg:pypi/third@3",
        "pkg:pypi/main@4",
    ]
    assert r.findings == ()


def test_uvx_with_unpinned_extra_is_floating() -> None:
    r = run("uvx", "--with", "extra", "main==4")
    assert purls(r) == ["pkg:pypi/extra", "pkg:pypi/main@4"]
    assert codes(r) == [Code.FLOATING_LAUNCH]
    assert r.findings[0].subject == "pkg:pypi/extra"


def test_uvx_from_git_source() -> None:
    r = run("uvx", "--from", "git+https://github.com/owner/mcp-thing@v0.3.0", "mcp-thing")
    assert purls(r) == ["pkg:github/owner/mcp-thing@v0.3.0"]
    c = r.components[0]
    assert (c.ecosystem, c.version, c.evidence.kind) == ("git", "v0.3.0", EvidenceKind.UNRESOLVED)
    assert codes(r) == [Code.FLOATING_LAUNCH, Code.GIT_SOURCE]


def test_uvx_from_git_commit_on_other_host() -> None:
    sha = "89abcdef0123456789abcdef0123456789abcdef"
    r = run("uvx", "--from", f"git+https://git.example.invalid/team/tool.git@{sha}", "tool")
    assert purls(r) == [
        f"pkg:generic/tool@{sha}?vcs_url=git%2Bhttps://git.example.invalid/team/tool.git%40{sha}"
    ]
    assert r.components[0].evidence.kind is EvidenceKind.COMMAND_PIN
    assert codes(r) == [Code.GIT_SOURCE]


def test_uvx_without_package_and_with_local_path() -> None:
    assert "without a package" in run("uvx", "--python", "3.12").skipped[0].reason
    r = run("uvx", "--from", "./local/project", "cmd")
    assert r.components == () and "not a PyPI requirement" in r.skipped[0].reason


@pytest.mark.parametrize(
    "args, purl",
    [
        (("run", "mcp-server-fetch==2025.4.7"), "pkg:pypi/mcp-server-fetch@2025.4.7"),
        (("run", "--spec", "mcp-server-fetch==2025.4.7", "mcp-server-fetch"),
         "pkg:pypi/mcp-server-fetch@2025.4.7"),
        (("run", "--python", "python3.12", "--spec=pkg==1", "pkg"), "pkg:pypi/pkg@1"),
    ],
)  # fmt: skip
def test_pipx_run(args: tuple[str, ...], purl: str) -> None:
    r = run("pipx", *args)
    assert purls(r) == [purl]
    assert r.components[0].evidence.kind is EvidenceKind.COMMAND_PIN


def test_pipx_run_unpinned_and_other_subcommands() -> None:
    r = run("pipx", "run", "pkg")
    assert purls(r) == ["pkg:pypi/pkg"] and codes(r) == [Code.FLOATING_LAUNCH]
    assert run("pipx", "list").skipped


def test_uv_run_with_packages() -> None:
    r = run("uv", "run", "--with", "mcp==1.2.0", "--with", "httpx==0.28.1", "mcp", "run", "s.py")
    assert purls(r) == ["pkg:pypi/mcp@1.2.0", "pkg:pypi/httpx@0.28.1"]
    assert r.skipped == ()


def test_uv_run_project_command_is_skipped() -> None:
    r = run("uv", "--directory", "/srv/project", "run", "my-mcp-server")
    assert r.components == ()
    assert "project environment" in r.skipped[0].reason


def test_uv_run_python_module_and_inline_code() -> None:
    assert "not mapped to a distribution" in run("uv", "run", "-m", "mymod").skipped[0].reason
    r = run("uv", "run", "python", "-m", "mcp_server_time")
    assert r.components == ()
    assert r.skipped[0].reason == "python -m mcp_server_time: module not mapped to a distribution"
    assert "inline code" in run("uv run python", "-c", "print(1)").skipped[0].reason


def test_python_m_uv_is_resolved_as_uv() -> None:
    r = run("python3", "-m", "uv", "tool", "run", "pkg==1.0")
    assert purls(r) == ["pkg:pypi/pkg@1.0"]


def test_uvx_shim_paths() -> None:
    for command in (
        "~/.asdf/shims/uvx",
        "/Users/x/.local/bin/uvx",
        "C:\\Users\\x\\.local\\bin\\uvx.exe",
    ):
        assert purls(run(command, "pkg==1")) == ["pkg:pypi/pkg@1"], command

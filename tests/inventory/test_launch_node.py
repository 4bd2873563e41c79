"""npm-family launchers (npx, npm exec, bunx, pnpm dlx, pnpx, yarn dlx) and their wrappers."""

from __future__ import annotations

import pytest

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, resolve_launch
from scanner.models import EvidenceKind, ServerEntry, Transport


def run(command: str | None, *args: str, url: str | None = None) -> LaunchResult:
    server = ServerEntry(
        client="test",
        config_path="/nonexistent/cfg/mcp.json",
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
        url=url,
    )
    return resolve_launch(server)


def codes(result: LaunchResult) -> list[str]:
    return sorted(f.code for f in result.findings)


def only(result: LaunchResult) -> tuple[str, str | None, EvidenceKind, str]:
    assert not result.skipped, result.skipped
    assert len(result.components) == 1, result.components
    c = result.components[0]
    return c.purl, c.version, c.evidence.kind, c.evidence.detail


def test_npx_scoped_exact_is_command_pin() -> None:
    r = run("npx", "-y", "@modelcontextprotocol/server-filesystem@2025.1.14", "/Users/me/Desktop")
    purl, version, kind, _ = only(r)
    assert purl == "pkg:npm/%40modelcontextprotocol/server-filesystem@2025.1.14"
    assert version == "2025.1.14"
    assert kind is EvidenceKind.COMMAND_PIN
    assert r.findings == ()
    assert r.components[0].name == "@modelcontextprotocol/server-filesystem"
    assert r.components[0].ecosystem == "npm"
    assert r.components[0].requirement == "@modelcontextprotocol/server-filesystem@2025.1.14"


def test_npx_yes_long_form_and_unscoped_exact() -> None:
    assert only(run("npx", "--yes", "mcp-server-kubernetes@1.2.3")) == (
        "pkg:npm/mcp-server-kubernetes@1.2.3",
        "1.2.3",
        EvidenceKind.COMMAND_PIN,
        "mcp-server-kubernetes@1.2.3",
    )


def test_npx_prerelease_is_exact() -> None:
    purl, version, kind, _ = only(run("npx", "-y", "pkg@1.0.0-beta.2"))
    assert (purl, version, kind) == (
        "pkg:npm/pkg@1.0.0-beta.2",
        "1.0.0-beta.2",
        EvidenceKind.COMMAND_PIN,
    )


def test_npx_latest_is_unresolved_with_latest_finding() -> None:
    r = run("npx", "-y", "@scope/name@latest")
    assert only(r) == ("pkg:npm/%40scope/name", None, EvidenceKind.UNRESOLVED, "@latest")
    assert codes(r) == [Code.LATEST_TAG]
    assert r.findings[0].subject == "pkg:npm/%40scope/name"
    assert dict(r.findings[0].evidence)["server"] == "srv"


@pytest.mark.parametrize("spec, detail", [("pkg@^1.2", "@^1.2"), ("pkg@~1.2.3", "@~1.2.3"),
                                          ("pkg@1.2", "@1.2"), ("pkg@next", "@next"),
                                          ("pkg", "unversioned")])  # fmt: skip
def test_npx_ranges_and_tags_are_floating(spec: str, detail: str) -> None:
    r = run("npx", "-y", spec)
    assert only(r) == ("pkg:npm/pkg", None, EvidenceKind.UNRESOLVED, detail)
    assert codes(r) == [Code.FLOATING_LAUNCH]


def test_npx_several_packages_options() -> None:
    r = run("npx", "-p", "a@1.0.0", "--package", "@s/b@2.0.0", "--package=c@3.0.0", "a-cli", "--x")
    assert [c.purl for c in r.components] == [
        "pkg:npm/a@1.0.0",
        "pkg:npm/%40s/b@2.0.0",
        "pkg:npm/c@3.0.0",
    ]
    assert r.skipped == ()
    assert r.findings == ()


def test_npx_call_takes_packages_from_package_option() -> None:
    r = run("npx", "-p", "cowsay@1.5.0", "-c", "cowsay hi")
    assert only(r)[:2] == ("pkg:npm/cowsay@1.5.0", "1.5.0")


def test_npx_call_without_package_is_skipped() -> None:
    r = run("npx", "-c", "echo hi")
    assert r.components == ()
    assert "--call without --package" in r.skipped[0].reason


def test_npx_double_dash_separator() -> None:
    assert only(run("npx", "--yes", "--", "pkg@1.0.0", "--flag"))[0] == "pkg:npm/pkg@1.0.0"


def test_arguments_after_the_package_are_not_packages() -> None:
    r = run("npx", "-y", "srv@1.0.0", "/tmp/dir", "https://x.example.invalid/", "--port", "3000",
            "other@2.0.0")  # fmt: skip
    assert [c.purl for c in r.components] == ["pkg:npm/srv@1.0.0"]


def test_npm_value_options_before_the_package_are_skipped() -> None:
    r = run("npx", "--registry", "https://npm.example.invalid/", "-y", "pkg@1.0.0")
    assert only(r)[0] == "pkg:npm/pkg@1.0.0"


@pytest.mark.parametrize(
    "command, args",
    [
        ("npm", ("exec", "--yes", "--", "pkg@1.0.0")),
        ("npm", ("exec", "-y", "pkg@1.0.0", "arg")),
        ("npm", ("x", "pkg@1.0.0")),
        ("npm", ("--yes", "exec", "pkg@1.0.0")),
        ("bunx", ("pkg@1.0.0",)),
        ("bunx", ("--bun", "pkg@1.0.0")),
        ("bun", ("x", "pkg@1.0.0")),
        ("pnpm", ("dlx", "pkg@1.0.0")),
        ("pnpm", ("dlx", "--package=pkg@1.0.0", "pkg-cli")),
        ("pnpx", ("pkg@1.0.0",)),
        ("yarn", ("dlx", "pkg@1.0.0")),
        ("yarn", ("dlx", "-p", "pkg@1.0.0", "pkg-cli")),
    ],
)
def test_other_npm_family_runners(command: str, args: tuple[str, ...]) -> None:
    assert only(run(command, *args))[:3] == ("pkg:npm/pkg@1.0.0", "1.0.0", EvidenceKind.COMMAND_PIN)


def test_npm_without_exec_is_skipped() -> None:
    r = run("npm", "start")
    assert r.components == ()
    assert "not a launch command" in r.skipped[0].reason


@pytest.mark.parametrize(
    "command, args",
    [
        ("npx -y @scope/pkg@1.0.0", ()),
        ("cmd", ("/c", "npx", "-y", "@scope/pkg@1.0.0")),
        ("cmd.exe", ("/C", "npx", "-y", "@scope/pkg@1.0.0")),
        ("cmd", ("/s", "/c", "npx -y @scope/pkg@1.0.0")),
        ("npx.cmd", ("-y", "@scope/pkg@1.0.0")),
        ("/Users/x/.nvm/versions/node/v20.11.0/bin/npx", ("-y", "@scope/pkg@1.0.0")),
        ("/opt/homebrew/bin/npx", ("-y", "@scope/pkg@1.0.0")),
        ("C:\\Program Files\\nodejs\\npx.cmd", ("-y", "@scope/pkg@1.0.0")),
        ("C:\\Program Files\\nodejs\\npx.cmd -y @scope/pkg@1.0.0", ()),
        ('"C:\\Program Files\\nodejs\\npx.cmd" -y @scope/pkg@1.0.0', ()),
        ("/opt/my tools/bin/npx -y @scope/pkg@1.0.0", ()),
        ("sh", ("-c", "npx -y @scope/pkg@1.0.0")),
        ("bash", ("-lc", "exec npx -y @scope/pkg@1.0.0")),
        ("env", ("NODE_ENV=production", "npx", "-y", "@scope/pkg@1.0.0")),
        ("/usr/bin/env", ("-u", "DEBUG", "npx", "-y", "@scope/pkg@1.0.0")),
    ],
)
def test_wrappers_shims_and_single_string_commands(command: str, args: tuple[str, ...]) -> None:
    r = run(command, *args)
    assert only(r)[:3] == ("pkg:npm/%40scope/pkg@1.0.0", "1.0.0", EvidenceKind.COMMAND_PIN)


def test_mcp_remote_gives_package_and_remote_components() -> None:
    r = run("npx", "-y", "mcp-remote@0.1.2", "https://mcp.example.invalid/sse", "--header", "A:b")
    assert [(c.ecosystem, c.purl) for c in r.components] == [
        ("npm", "pkg:npm/mcp-remote@0.1.2"),
        ("remote", "pkg:generic/mcp.example.invalid?download_url=https://mcp.example.invalid/sse"),
    ]
    remote = r.components[1]
    assert remote.url == "https://mcp.example.invalid/sse"
    assert remote.evidence.kind is EvidenceKind.UNRESOLVED
    assert r.findings == ()


def test_unversioned_mcp_remote_over_plain_http() -> None:
    r = run("npx", "mcp-remote", "http://mcp.example.invalid/mcp")
    assert [c.ecosystem for c in r.components] == ["npm", "remote"]
    assert codes(r) == [Code.FLOATING_LAUNCH, Code.PLAIN_HTTP_REMOTE]


def test_github_shorthand_and_git_urls_are_git_sources() -> None:
    r = run("npx", "-y", "github:owner/repo#v1.0")
    assert only(r)[:3] == ("pkg:github/owner/repo@v1.0", "v1.0", EvidenceKind.UNRESOLVED)
    assert codes(r) == [Code.FLOATING_LAUNCH, Code.GIT_SOURCE]
    sha = "0123456789abcdef0123456789abcdef01234567"
    r = run("npx", "-y", f"git+https://github.com/owner/repo.git#{sha}")
    assert only(r)[:3] == (f"pkg:github/owner/repo@{sha}", sha, EvidenceKind.COMMAND_PIN)
    assert codes(r) == [Code.GIT_SOURCE]


@pytest.mark.parametrize("spec", ["./local-dir", "/abs/pkg", "file:../x", "https://x.example.invalid/p.tgz",
                                  "Not A Package", "@scope"])  # fmt: skip
def test_non_registry_specs_are_skipped(spec: str) -> None:
    r = run("npx", "-y", spec)
    assert r.components == ()
    assert len(r.skipped) == 1


def test_npx_without_package_is_skipped() -> None:
    r = run("npx", "-y")
    assert r.components == () and "without a package" in r.skipped[0].reason

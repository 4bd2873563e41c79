"""read_config on the real snyk agent-scan fixtures and on one config per client format."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scanner.errors import ConfigError
from scanner.inventory.configs.read import read_config, read_config_detailed
from scanner.models import Scope, ServerEntry, Transport

STDIO, SSE, HTTP = Transport.STDIO, Transport.SSE, Transport.HTTP


def _configs(fixtures_dir: Path) -> Path:
    return fixtures_dir / "mcp" / "configs"


def _clients(fixtures_dir: Path) -> Path:
    return fixtures_dir / "mcp" / "clients"


def _summary(entry: ServerEntry) -> tuple[object, ...]:
    return (entry.name, entry.transport, entry.command, entry.args, entry.url, entry.env_names)


def _no_values(entries: tuple[ServerEntry, ...], text: str, *secrets: str) -> None:
    """Env values appear nowhere in what we keep."""
    kept = repr(entries)
    for secret in secrets:
        assert secret in text  # the fixture really holds it
        assert secret not in kept


# ------------------------------------------------------------- real fixtures (snyk agent-scan)

WEATHER = ("Weather", STDIO, "uv run python", ("tests/mcp_servers/weather_server.py",), None, ())
MATH = ("Math", STDIO, "uv run python", ("tests/mcp_servers/math_server.py",), None, ())


def test_all_config(fixtures_dir: Path) -> None:
    entries = read_config(_configs(fixtures_dir) / "snyk-agent-scan__all_config.json")
    assert [_summary(e) for e in entries] == [WEATHER, MATH]
    assert [e.line for e in entries] == [3, 7]
    assert all(e.scope is Scope.EXPLICIT and e.enabled for e in entries)


def test_test_client_mcp(fixtures_dir: Path) -> None:
    path = _configs(fixtures_dir) / "snyk-agent-scan__test-client_mcp.json"
    result = read_config_detailed(path, "cursor", scope=Scope.USER)
    assert result.problems == ()
    assert [_summary(e) for e in result.entries] == [
        WEATHER,
        MATH,
        (
            "Invalid",
            STDIO,
            "uv run python",
            ("-c", "'raise Exception(\"Invalid Server\")'"),
            None,
            (),
        ),
        (
            "Snyk",
            STDIO,
            "~/Library/Application Support/snyk/vscode-cli/snyk-macos-arm64",
            ("mcp", "-t", "stdio"),
            None,
            ("SNYK_API", "TRUSTED_FOLDERS", "IDE_CONFIG_PATH"),
        ),
    ]
    assert {e.client for e in result.entries} == {"cursor"}
    assert {e.scope for e in result.entries} == {Scope.USER}
    _no_values(result.entries, path.read_text(), "https://api.snyk.io", 'Cursor"')


def test_multiple_transport_vscode_settings(fixtures_dir: Path) -> None:
    path = _configs(fixtures_dir) / "snyk-agent-scan__multiple_transport.vscode-settings.json"
    for client in (None, "vscode"):
        entries = read_config(path, client)
        assert [_summary(e) for e in entries] == [
            ("http_server", HTTP, None, (), "http://localhost:8124/mcp", ()),
            ("sse_server", SSE, None, (), "http://localhost:8123/sse", ()),
        ]
        assert [e.line for e in entries] == [4, 8]


@pytest.mark.parametrize(
    "name",
    [
        "snyk-agent-scan__vs_code_settings_empty_mcp.json",
        "snyk-agent-scan__vs_code_settings_without_mcp.json",
    ],
)
@pytest.mark.parametrize("client", [None, "vscode"])
def test_settings_without_servers(fixtures_dir: Path, name: str, client: str | None) -> None:
    path = _configs(fixtures_dir) / name
    assert read_config_detailed(path, "vscode").entries == ()  # the client says: none yet
    assert read_config_detailed(path, client, scope=Scope.USER).entries == ()  # discovered


def test_a_named_file_without_servers_of_any_client_is_an_error(fixtures_dir: Path) -> None:
    path = _configs(fixtures_dir) / "snyk-agent-scan__vs_code_settings_without_mcp.json"
    with pytest.raises(ConfigError) as info:
        read_config_detailed(path)
    assert info.value.path == str(path)
    assert "holds no MCP servers of any known client" in info.value.diagnostics()


def test_invalid_mcp_names_the_file(fixtures_dir: Path) -> None:
    path = _configs(fixtures_dir) / "snyk-agent-scan__invalid_mcp.json"
    with pytest.raises(ConfigError) as info:
        read_config(path)
    assert info.value.path == str(path)
    assert info.value.line == 2
    assert "'mcp' must be a mapping" in info.value.problem
    assert str(path) in info.value.diagnostics()


# ------------------------------------------------------------------ our per-client fixtures

# fixture file, client, expected (name, transport, command, args, url, env names), disabled names
CASES: list[tuple[str, str, list[tuple[object, ...]], set[str]]] = [
    (
        "claude-desktop__claude_desktop_config.json",
        "claude-desktop",
        [
            (
                "filesystem",
                STDIO,
                "npx",
                (
                    "-y",
                    "@modelcontextprotocol/server-filesystem",
                    "/Users/dev/Desktop",
                    "/Users/dev/Downloads",
                ),
                None,
                (),
            ),
            (
                "github",
                STDIO,
                "docker",
                (
                    "run",
                    "-i",
                    "--rm",
                    "-e",
                    "GITHUB_PERSONAL_ACCESS_TOKEN",
                    "ghcr.io/github/github-mcp-server",
                ),
                None,
                ("GITHUB_PERSONAL_ACCESS_TOKEN",),
            ),
        ],
        set(),
    ),
    (
        "claude-code__project.mcp.json",
        "claude-code",
        [
            ("playwright", STDIO, "npx", ("@playwright/mcp@0.0.41",), None, ()),
            ("linear", SSE, None, (), "https://mcp.linear.example.invalid/sse", ()),
        ],
        set(),
    ),
    (
        "claude-code__managed-mcp.json",
        "claude-code",
        [
            ("company-internal", HTTP, None, (), "https://mcp.corp.example.invalid/mcp", ()),
        ],
        set(),
    ),
    (
        "cursor__mcp.json",
        "cursor",
        [
            ("context7", HTTP, None, (), "https://mcp.context7.example.invalid/mcp", ()),
            (
                "sqlite",
                STDIO,
                "uvx",
                ("mcp-server-sqlite", "--db-path", "/home/dev/test.db"),
                None,
                (),
            ),
        ],
        {"sqlite"},
    ),
    (
        "vscode__mcp.json",
        "vscode",
        [
            (
                "perplexity",
                STDIO,
                "npx",
                ("-y", "server-perplexity-ask"),
                None,
                ("PERPLEXITY_API_KEY",),
            ),
            ("fetch-remote", HTTP, None, (), "http://localhost:3000/mcp", ()),
        ],
        set(),
    ),
    (
        "vscode__settings.json",
        "vscode",
        [
            ("time", STDIO, "uvx", ("mcp-server-time", "--local-timezone=Europe/Berlin"), None, ()),
        ],
        set(),
    ),
    (
        "windsurf__mcp_config.json",
        "windsurf",
        [
            (
                "brave-search",
                STDIO,
                "npx",
                ("-y", "@modelcontextprotocol/server-brave-search"),
                None,
                ("BRAVE_API_KEY",),
            ),
            ("remote-docs", SSE, None, (), "https://docs.example.invalid/sse", ()),
        ],
        set(),
    ),
    (
        "windsurf-jetbrains__mcp_config.json",
        "windsurf-jetbrains",
        [
            ("jetbrains", STDIO, "npx", ("-y", "@jetbrains/mcp-proxy"), None, ()),
        ],
        set(),
    ),
    (
        "cline__cline_mcp_settings.json",
        "cline",
        [
            (
                "github.com/modelcontextprotocol/servers/tree/main/src/git",
                STDIO,
                "uvx",
                ("mcp-server-git", "--repository", "/home/dev/src/webapp"),
                None,
                (),
            ),
            ("weather", HTTP, None, (), "https://weather.example.invalid/mcp", ()),
        ],
        {"weather"},
    ),
    (
        "roo-code__mcp_settings.json",
        "roo-code",
        [
            (
                "memory",
                STDIO,
                "npx",
                ("-y", "@modelcontextprotocol/server-memory"),
                None,
                ("MEMORY_FILE_PATH",),
            ),
            ("remote", HTTP, None, (), "https://roo.example.invalid/mcp", ()),
        ],
        set(),
    ),
    (
        "continue__config.yaml",
        "continue",
        [
            ("SQLite", STDIO, "npx", ("-y", "mcp-sqlite", "/home/dev/data.db"), None, ()),
            ("Browser", HTTP, None, (), "https://browser.example.invalid/mcp", ()),
            (
                "Everything",
                STDIO,
                "uvx",
                ("mcp-server-everything", "--port", "3001"),
                None,
                ("EVERYTHING_TOKEN",),
            ),
        ],
        set(),
    ),
    (
        "continue__playwright-mcp.yaml",
        "continue",
        [
            ("Browser search", STDIO, "npx", ("@playwright/mcp@latest",), None, ()),
        ],
        set(),
    ),
    (
        "zed__settings.json",
        "zed",
        [
            (
                "mcp-server-github",
                STDIO,
                "/usr/local/bin/github-mcp-server",
                ("stdio",),
                None,
                ("GITHUB_PERSONAL_ACCESS_TOKEN",),
            ),
            ("local-uv", STDIO, "uv", ("run", "/home/dev/mcp/main.py"), None, ()),
            ("remote-notes", HTTP, None, (), "https://notes.example.invalid/mcp", ()),
        ],
        {"remote-notes"},
    ),
    (
        "gemini-cli__settings.json",
        "gemini-cli",
        [
            ("git", STDIO, "uvx", ("mcp-server-git",), None, ()),
            ("github", HTTP, None, (), "https://api.github.example.invalid/mcp/", ()),
            ("events", SSE, None, (), "https://events.example.invalid/stream", ()),
        ],
        set(),
    ),
    (
        "codex__config.toml",
        "codex",
        [
            (
                "context7",
                STDIO,
                "npx",
                ("-y", "@upstash/context7-mcp"),
                None,
                ("CONTEXT7_API_KEY",),
            ),
            (
                "figma",
                HTTP,
                None,
                (),
                "https://mcp.figma.example.invalid/mcp",
                ("FIGMA_OAUTH_TOKEN",),
            ),
            ("docs server", STDIO, "uvx", ("mcp-docs==1.2.0",), None, ("DOCS_ROOT",)),
        ],
        {"docs server"},
    ),
    (
        "opencode__opencode.jsonc",
        "opencode",
        [
            (
                "everything",
                STDIO,
                "npx",
                ("-y", "@modelcontextprotocol/server-everything"),
                None,
                ("MY_ENV_VAR",),
            ),
            ("jira", HTTP, None, (), "https://jira.example.invalid/mcp", ()),
        ],
        {"jira"},
    ),
    (
        "amazon-q__mcp.json",
        "amazon-q",
        [
            (
                "aws-docs",
                STDIO,
                "uvx",
                ("awslabs.aws-documentation-mcp-server@1.1.0",),
                None,
                ("FASTMCP_LOG_LEVEL",),
            ),
        ],
        set(),
    ),
    (
        "kiro__mcp.json",
        "kiro",
        [
            ("fetch", STDIO, "uvx", ("mcp-server-fetch",), None, ()),
            ("power-stripe", HTTP, None, (), "https://stripe.example.invalid/mcp", ()),
        ],
        set(),
    ),
    (
        "goose__config.yaml",
        "goose",
        [
            (
                "github",
                STDIO,
                "npx",
                ("-y", "@modelcontextprotocol/server-github"),
                None,
                ("GITHUB_PERSONAL_ACCESS_TOKEN", "GITHUB_HOST"),
            ),
            ("remote-sse", SSE, None, (), "https://sse.example.invalid/sse", ()),
            ("tasks", HTTP, None, (), "https://tasks.example.invalid/mcp", ()),
        ],
        {"remote-sse"},
    ),
    (
        "lm-studio__mcp.json",
        "lm-studio",
        [
            ("hf-mcp-server", HTTP, None, (), "https://hf.example.invalid/mcp", ()),
            ("local-files", STDIO, "node", ("/home/dev/mcp/files/index.js",), None, ()),
        ],
        set(),
    ),
    (
        "amp__settings.json",
        "amp",
        [
            ("playwright", STDIO, "npx", ("-y", "@playwright/mcp@0.0.41", "--headless"), None, ()),
            ("linear", SSE, None, (), "https://mcp.linear.example.invalid/sse", ()),
        ],
        set(),
    ),
    (
        "copilot-cli__mcp-config.json",
        "copilot-cli",
        [
            ("github-remote", HTTP, None, (), "https://copilot.example.invalid/mcp/readonly", ()),
            ("markitdown", STDIO, "uvx", ("markitdown-mcp",), None, ("MARKITDOWN_CACHE",)),
        ],
        set(),
    ),
    (
        "factory__mcp.json",
        "factory",
        [
            (
                "linear",
                STDIO,
                "npx",
                ("-y", "mcp-remote", "https://mcp.linear.example.invalid/sse"),
                None,
                (),
            ),
        ],
        set(),
    ),
    (
        "mistral-vibe__config.toml",
        "mistral-vibe",
        [
            ("fetch_server", STDIO, "uvx", ("mcp-server-fetch",), None, ()),
            ("my_http_server", HTTP, None, (), "http://localhost:8000", ("MY_API_KEY_ENV_VAR",)),
            ("streaming", HTTP, None, (), "https://stream.example.invalid/mcp", ()),
        ],
        set(),
    ),
    (
        "trae__mcp.json",
        "trae",
        [
            (
                "sequential-thinking",
                STDIO,
                "npx",
                ("-y", "@modelcontextprotocol/server-sequential-thinking"),
                None,
                (),
            ),
        ],
        set(),
    ),
    (
        "kimi__mcp.json",
        "kimi",
        [
            ("context7", HTTP, None, (), "https://mcp.context7.example.invalid/mcp", ()),
            ("chrome-devtools", STDIO, "npx", ("chrome-devtools-mcp@latest",), None, ()),
        ],
        set(),
    ),
    (
        "qoder__mcp.json",
        "qoder",
        [
            ("git", STDIO, "uvx", ("mcp-server-git==2025.1.14",), None, ()),
        ],
        set(),
    ),
    (
        "antigravity__mcp_config.json",
        "antigravity",
        [
            (
                "firebase",
                STDIO,
                "npx",
                ("-y", "firebase-tools@latest", "mcp"),
                None,
                ("FIREBASE_TOKEN",),
            ),
            ("remote", HTTP, None, (), "https://antigravity.example.invalid/mcp", ()),
        ],
        set(),
    ),
]

# Gemini reads a bare "url" as SSE; without the client named, only its path says it is Gemini.
WHERE_IT_LIVES = {"gemini-cli": ".gemini/settings.json"}

SECRETS = [
    "placeholder",
    "ghp_",
    "my_env_var_value",
    "/home/dev/.roo/memory.json",
    'ERROR"',
    "/tmp/markitdown",
]


@pytest.mark.parametrize(
    ("fixture", "client", "expected", "disabled"), CASES, ids=[c[0] for c in CASES]
)
@pytest.mark.parametrize("explicit_client", [True, False], ids=["client", "detected"])
def test_client_fixture(
    fixtures_dir: Path,
    fixture: str,
    client: str,
    expected: list[tuple[object, ...]],
    disabled: set[str],
    explicit_client: bool,
    tmp_path: Path,
) -> None:
    path = _clients(fixtures_dir) / fixture
    if not explicit_client and client in WHERE_IT_LIVES:  # the path tells how a bare url reads
        placed = tmp_path / WHERE_IT_LIVES[client]
        placed.parent.mkdir(parents=True)
        placed.write_bytes(path.read_bytes())
        path = placed
    result = read_config_detailed(path, client if explicit_client else None, scope=Scope.USER)
    assert [_summary(e) for e in result.entries] == expected
    assert {e.name for e in result.entries if not e.enabled} == disabled
    assert all(e.line is not None for e in result.entries), list(result.entries)
    assert all(e.scope is Scope.USER and e.config_path == str(path) for e in result.entries)
    if explicit_client:
        assert {e.client for e in result.entries} == {client}
    text = path.read_text()
    _no_values(result.entries, text, *[s for s in SECRETS if s in text])
    if client != "zed":
        assert result.problems == ()


def test_lines_point_at_the_server_key(fixtures_dir: Path) -> None:
    for fixture, client, _, _ in CASES:
        path = _clients(fixtures_dir) / fixture
        lines = path.read_text().splitlines()
        for entry in read_config(path, client):
            assert entry.line is not None
            assert entry.name in lines[entry.line - 1], (fixture, entry.name, entry.line)


def test_claude_code_projects(fixtures_dir: Path) -> None:
    path = _clients(fixtures_dir) / "claude-code__.claude.json"
    entries = read_config(path, "claude-code", scope=Scope.USER)
    assert [(e.name, e.scope, e.project, e.line) for e in entries] == [
        ("sentry", Scope.USER, None, 6),
        ("fetch", Scope.USER, None, 10),
        ("postgres", Scope.PROJECT, "/home/dev/src/webapp", 21),
    ]
    postgres = entries[2]
    assert postgres.args == (
        "-y",
        "@modelcontextprotocol/server-postgres@0.6.2",
        "postgresql://localhost/webapp",
    )
    assert postgres.env_names == ("PGPASSWORD",)
    assert "placeholder-secret-value" not in repr(entries)
    assert (
        entries[0].transport is HTTP and entries[0].url == "https://mcp.sentry.example.invalid/mcp"
    )
    detected = read_config(path)  # shape detected from content: same servers and projects
    assert detected == tuple(  # and the shape (projects.<dir>.mcpServers) names the client
        replace(e, scope=Scope.EXPLICIT if e.project is None else e.scope) for e in entries
    )


def test_zed_extension_server_is_a_problem_not_an_entry(fixtures_dir: Path) -> None:
    path = _clients(fixtures_dir) / "zed__settings.json"
    result = read_config_detailed(path, "zed")
    assert len(result.problems) == 1
    assert "postgres-context-server" in result.problems[0]
    assert str(path) in result.problems[0]


def test_project_argument_is_kept(fixtures_dir: Path) -> None:
    path = _clients(fixtures_dir) / "cursor__mcp.json"
    entries = read_config(path, "cursor", scope=Scope.PROJECT, project="/home/dev/src/webapp")
    assert {(e.scope, e.project) for e in entries} == {(Scope.PROJECT, "/home/dev/src/webapp")}


def test_goose_builtin_is_not_a_server(fixtures_dir: Path) -> None:
    entries = read_config(_clients(fixtures_dir) / "goose__config.yaml", "goose")
    assert "developer" not in {e.name for e in entries}


def test_unknown_client_is_a_config_error(fixtures_dir: Path) -> None:
    with pytest.raises(ConfigError, match="unknown MCP client 'nope'"):
        read_config(_clients(fixtures_dir) / "cursor__mcp.json", "nope")

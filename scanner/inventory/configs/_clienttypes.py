"""Value types of the client table: client ids, server-section shapes, config locations."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from scanner.inventory.configs.formats import Format
from scanner.models import Scope, Transport

PLATFORMS = frozenset({"linux", "darwin", "win32"})
UNIX = frozenset({"linux", "darwin"})
LINUX = frozenset({"linux"})
DARWIN = frozenset({"darwin"})
WIN32 = frozenset({"win32"})


class ClientId(StrEnum):
    """Every MCP client chainwatch knows how to find and read."""

    CLAUDE_DESKTOP = "claude-desktop"
    CLAUDE_CODE = "claude-code"
    CURSOR = "cursor"
    VSCODE = "vscode"
    VSCODE_INSIDERS = "vscode-insiders"
    VSCODE_SERVER = "vscode-server"
    WINDSURF = "windsurf"
    WINDSURF_JETBRAINS = "windsurf-jetbrains"
    CLINE = "cline"
    ROO_CODE = "roo-code"
    CONTINUE = "continue"
    ZED = "zed"
    GEMINI_CLI = "gemini-cli"
    CODEX = "codex"
    OPENCODE = "opencode"
    AMAZON_Q = "amazon-q"
    KIRO = "kiro"
    GOOSE = "goose"
    LM_STUDIO = "lm-studio"
    AMP = "amp"
    COPILOT_CLI = "copilot-cli"
    FACTORY = "factory"
    MISTRAL_VIBE = "mistral-vibe"
    TRAE = "trae"
    KIMI = "kimi"
    QODER = "qoder"
    ANTIGRAVITY = "antigravity"


class Shape(StrEnum):
    """Where the servers sit inside a config file, and how each one is written."""

    MCP_SERVERS = "mcpServers"  # {"mcpServers": {name: server}}
    MCP_JSON = "mcpServers|flat"  # .mcp.json: {"mcpServers": {...}} or a flat {name: server}
    CLAUDE_JSON = "mcpServers+projects"  # ~/.claude.json: top level + projects.<dir>.mcpServers
    KIRO = "mcpServers+powers"  # Kiro: mcpServers and powers.mcpServers
    SERVERS = "servers"  # VS Code mcp.json
    VSCODE_SETTINGS = "mcp.servers"  # VS Code settings.json (legacy "mcp": {"servers": ...})
    AMP = "amp.mcpServers"  # one dotted key in Amp's settings.json
    CONTEXT_SERVERS = "context_servers"  # Zed
    CODEX = "mcp_servers"  # TOML [mcp_servers.<name>] tables
    VIBE = "[[mcp_servers]]"  # TOML array of tables, each with a name
    CONTINUE = "mcpServers[]"  # YAML list of {name, command, args, env}
    GOOSE = "extensions"  # YAML {name: {type, cmd, args, envs, enabled, uri}}
    OPENCODE = "mcp"  # {name: {type: local, command: [argv]} | {type: remote, url}}


@dataclass(frozen=True, slots=True)
class ConfigPath:
    """One place a client keeps MCP servers."""

    template: str
    scope: Scope
    fmt: Format
    shape: Shape
    platforms: frozenset[str] = PLATFORMS


@dataclass(frozen=True, slots=True)
class ClientSpec:
    """A client: its id, display name, config locations, and how it reads a bare ``url``."""

    id: ClientId
    name: str
    paths: tuple[ConfigPath, ...]
    bare_url: Transport | None = None  # transport of a typeless "url"; None: guess from path

    @property
    def shapes(self) -> tuple[Shape, ...]:
        """The shapes this client's files can have, in table order, without repeats."""
        return tuple(dict.fromkeys(p.shape for p in self.paths))

    @property
    def formats(self) -> tuple[Format, ...]:
        """The formats this client's files can have, in table order, without repeats."""
        return tuple(dict.fromkeys(p.fmt for p in self.paths))

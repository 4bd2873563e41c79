"""The table of MCP clients: where each keeps its config per OS and scope, and its shape.

Paths are templates. Tokens, resolved by :mod:`scanner.inventory.configs.discover`:

- ``{home}``: the user's home directory.
- ``{appconfig}``: per-OS application config dir: ``$XDG_CONFIG_HOME`` or ``~/.config`` (linux),
  ``~/Library/Application Support`` (darwin), ``%APPDATA%`` or ``~/AppData/Roaming`` (win32).
- ``{xdg}``: ``$XDG_CONFIG_HOME`` or ``~/.config`` on every OS (tools built on XDG libraries).
- ``{appdata}``: ``%APPDATA%`` or ``~/AppData/Roaming``.
- ``{codex_home}``: ``$CODEX_HOME`` or ``~/.codex``.
- ``{claude_config_dir}``: ``$CLAUDE_CONFIG_DIR`` or the home directory.
- ``{system}``: the system root (``/``; ``C:/`` on Windows); ``{programdata}``: ``%ProgramData%``
  or ``{system}/ProgramData``.
- ``{project}``: a project directory (project scope only).

A ``*`` in a template is a glob. Where a row came from is noted beside it: "derived" means the
shared table ``fixtures/mcp/clients/client_config_locations.derived.json`` (toolhive
``pkg/client/config.go`` and snyk agent-scan), "docs" names the client's own documentation.
"""

from __future__ import annotations

from scanner.inventory.configs._clienttypes import (
    DARWIN,
    LINUX,
    PLATFORMS,
    UNIX,
    WIN32,
    ClientId,
    ClientSpec,
    ConfigPath,
    Shape,
)
from scanner.inventory.configs.formats import Format
from scanner.models import Scope, Transport

__all__ = [
    "CLIENTS",
    "DARWIN",
    "LINUX",
    "PLATFORMS",
    "UNIX",
    "WIN32",
    "ClientId",
    "ClientSpec",
    "ConfigPath",
    "Shape",
    "client_for_shape",
    "client_spec",
    "guess_client",
]

U, P, M = Scope.USER, Scope.PROJECT, Scope.MANAGED
J, T, Y = Format.JSONC, Format.TOML, Format.YAML
S = Shape


def _at(
    template: str,
    scope: Scope = U,
    fmt: Format = J,
    shape: Shape = S.MCP_SERVERS,
    platforms: frozenset[str] = PLATFORMS,
) -> ConfigPath:
    return ConfigPath(template, scope, fmt, shape, platforms)


def _spec(
    cid: ClientId, name: str, *paths: ConfigPath, bare_url: Transport | None = None
) -> ClientSpec:
    return ClientSpec(cid, name, paths, bare_url)


_VSCODE_PROFILE_MCP = "User/profiles/*/mcp.json"

CLIENTS: dict[ClientId, ClientSpec] = {
    spec.id: spec
    for spec in (
        # docs: modelcontextprotocol.io quickstart (macOS, Windows); linux is unofficial
        # (derived, agent-bom only) but is where community builds write it.
        _spec(
            ClientId.CLAUDE_DESKTOP,
            "Claude Desktop",
            _at("{appconfig}/Claude/claude_desktop_config.json"),
        ),
        # docs: code.claude.com/docs/en/mcp (scopes, .mcp.json) and /managed-mcp (managed file
        # paths); derived (snyk agent_scan/agents/claude_code.py) for $CLAUDE_CONFIG_DIR.
        _spec(
            ClientId.CLAUDE_CODE,
            "Claude Code",
            _at("{claude_config_dir}/.claude.json", shape=S.CLAUDE_JSON),
            _at("{project}/.mcp.json", P, shape=S.MCP_JSON),
            _at("{system}/etc/claude-code/managed-mcp.json", M, shape=S.MCP_JSON, platforms=LINUX),
            _at(
                "{system}/Library/Application Support/ClaudeCode/managed-mcp.json",
                M,
                shape=S.MCP_JSON,
                platforms=DARWIN,
            ),
            _at(
                "{system}/Program Files/ClaudeCode/managed-mcp.json",
                M,
                shape=S.MCP_JSON,
                platforms=WIN32,
            ),
        ),
        # docs: cursor.com/docs/context/mcp (global ~/.cursor/mcp.json, project .cursor/mcp.json)
        _spec(
            ClientId.CURSOR,
            "Cursor",
            _at("{home}/.cursor/mcp.json"),
            _at("{project}/.cursor/mcp.json", P),
        ),
        # docs: code.visualstudio.com/docs/copilot/reference/mcp-configuration (user-profile and
        # .vscode/mcp.json with "servers"); settings.json "mcp.servers" is the legacy form
        # (snyk multiple_transport fixture); profiles/<id>/mcp.json per VS Code profiles.
        _spec(
            ClientId.VSCODE,
            "Visual Studio Code",
            _at("{appconfig}/Code/User/mcp.json", shape=S.SERVERS),
            _at("{appconfig}/Code/" + _VSCODE_PROFILE_MCP, shape=S.SERVERS),
            _at("{appconfig}/Code/User/settings.json", shape=S.VSCODE_SETTINGS),
            _at("{project}/.vscode/mcp.json", P, shape=S.SERVERS),
        ),
        _spec(
            ClientId.VSCODE_INSIDERS,
            "Visual Studio Code - Insiders",  # derived (toolhive VSCodeInsider)
            _at("{appconfig}/Code - Insiders/User/mcp.json", shape=S.SERVERS),
            _at("{appconfig}/Code - Insiders/" + _VSCODE_PROFILE_MCP, shape=S.SERVERS),
            _at("{appconfig}/Code - Insiders/User/settings.json", shape=S.VSCODE_SETTINGS),
        ),
        _spec(
            ClientId.VSCODE_SERVER,
            "VS Code Server (remote host)",  # derived (toolhive VSCodeServer)
            _at("{home}/.vscode-server/data/User/mcp.json", shape=S.SERVERS),
            _at("{home}/.vscode-server/data/User/settings.json", shape=S.VSCODE_SETTINGS),
        ),
        # docs: docs.windsurf.com (cascade/mcp: ~/.codeium/windsurf/mcp_config.json, serverUrl)
        _spec(ClientId.WINDSURF, "Windsurf", _at("{home}/.codeium/windsurf/mcp_config.json")),
        _spec(  # derived (toolhive WindsurfJetBrains)
            ClientId.WINDSURF_JETBRAINS,
            "Windsurf for JetBrains",
            _at("{home}/.codeium/mcp_config.json"),
        ),
        # derived (toolhive Cline/RooCode); the "*" also finds them inside Cursor, Windsurf,
        # VSCodium and Insiders, which host the same extensions.
        _spec(
            ClientId.CLINE,
            "Cline",
            _at(
                "{appconfig}/*/User/globalStorage/saoudrizwan.claude-dev/settings/cline_mcp_settings.json"
            ),
        ),
        _spec(
            ClientId.ROO_CODE,
            "Roo Code",
            _at(
                "{appconfig}/*/User/globalStorage/rooveterinaryinc.roo-cline/settings/mcp_settings.json"
            ),
            _at("{project}/.roo/mcp.json", P),  # docs: docs.roocode.com (project .roo/mcp.json)
        ),
        # docs: docs.continue.dev customize/deep-dives/mcp (config.yaml list; block files in
        # .continue/mcpServers/, YAML or claude-style JSON).
        _spec(
            ClientId.CONTINUE,
            "Continue",
            _at("{home}/.continue/config.yaml", fmt=Y, shape=S.CONTINUE),
            _at("{home}/.continue/mcpServers/*.yaml", fmt=Y, shape=S.CONTINUE),
            _at("{home}/.continue/mcpServers/*.yml", fmt=Y, shape=S.CONTINUE),
            _at("{home}/.continue/mcpServers/*.json", shape=S.MCP_JSON),
            _at("{project}/.continue/mcpServers/*.yaml", P, fmt=Y, shape=S.CONTINUE),
            _at("{project}/.continue/mcpServers/*.yml", P, fmt=Y, shape=S.CONTINUE),
            _at("{project}/.continue/mcpServers/*.json", P, shape=S.MCP_JSON),
        ),
        # docs: zed.dev/docs (~/.config/zed/settings.json on macOS and Linux, context_servers);
        # Windows path: derived (toolhive Zed).
        _spec(
            ClientId.ZED,
            "Zed",
            _at("{xdg}/zed/settings.json", shape=S.CONTEXT_SERVERS, platforms=UNIX),
            _at("{appdata}/Zed/settings.json", shape=S.CONTEXT_SERVERS, platforms=WIN32),
            _at("{project}/.zed/settings.json", P, shape=S.CONTEXT_SERVERS),
        ),
        # docs: github.com/google-gemini/gemini-cli docs/tools/mcp-server.md ("url" is SSE,
        # "httpUrl" is streamable HTTP) and docs/cli/configuration.md (system settings file).
        _spec(
            ClientId.GEMINI_CLI,
            "Gemini CLI",
            _at("{home}/.gemini/settings.json"),
            _at("{project}/.gemini/settings.json", P),
            _at("{system}/etc/gemini-cli/settings.json", M, platforms=LINUX),
            _at(
                "{system}/Library/Application Support/GeminiCli/settings.json",
                M,
                platforms=DARWIN,
            ),
            _at("{programdata}/gemini-cli/settings.json", M, platforms=WIN32),
            bare_url=Transport.SSE,
        ),
        # docs: developers.openai.com/codex/mcp ([mcp_servers.<name>] in ~/.codex/config.toml or
        # $CODEX_HOME, project .codex/config.toml for trusted projects; streamable HTTP only);
        # derived (snyk agents/codex.py) for profile overlays and /etc/codex.
        _spec(
            ClientId.CODEX,
            "OpenAI Codex",
            _at("{codex_home}/config.toml", fmt=T, shape=S.CODEX),
            _at("{codex_home}/*.config.toml", fmt=T, shape=S.CODEX),
            _at("{project}/.codex/config.toml", P, fmt=T, shape=S.CODEX),
            _at("{system}/etc/codex/config.toml", M, fmt=T, shape=S.CODEX, platforms=UNIX),
            _at("{programdata}/OpenAI/Codex/config.toml", M, fmt=T, shape=S.CODEX, platforms=WIN32),
            bare_url=Transport.HTTP,
        ),
        # docs: opencode.ai/docs/mcp-servers and /config (global ~/.config/opencode, project
        # opencode.json(c) and .opencode/); managed dirs derived (snyk agents/opencode.py).
        _spec(
            ClientId.OPENCODE,
            "OpenCode",
            _at("{xdg}/opencode/opencode.json", shape=S.OPENCODE),
            _at("{xdg}/opencode/opencode.jsonc", shape=S.OPENCODE),
            _at("{project}/opencode.json", P, shape=S.OPENCODE),
            _at("{project}/opencode.jsonc", P, shape=S.OPENCODE),
            _at("{project}/.opencode/opencode.json", P, shape=S.OPENCODE),
            _at("{project}/.opencode/opencode.jsonc", P, shape=S.OPENCODE),
            _at("{system}/etc/opencode/opencode.json", M, shape=S.OPENCODE, platforms=LINUX),
            _at(
                "{system}/Library/Application Support/opencode/opencode.json",
                M,
                shape=S.OPENCODE,
                platforms=DARWIN,
            ),
            _at("{programdata}/opencode/opencode.json", M, shape=S.OPENCODE, platforms=WIN32),
            bare_url=Transport.HTTP,
        ),
        # derived (snyk well_known_clients.py): ~/.aws/amazonq/mcp.json and agents/*.json,
        # workspace .amazonq/mcp.json (Amazon Q Developer docs, "MCP configuration").
        _spec(
            ClientId.AMAZON_Q,
            "Amazon Q Developer",
            _at("{home}/.aws/amazonq/mcp.json"),
            _at("{home}/.aws/amazonq/agents/*.json"),
            _at("{project}/.amazonq/mcp.json", P),
        ),
        # docs: kiro.dev/docs/mcp/configuration (user and workspace .kiro/settings/mcp.json);
        # powers.mcpServers: derived (snyk agents/vscode/kiro.py).
        _spec(
            ClientId.KIRO,
            "Kiro",
            _at("{home}/.kiro/settings/mcp.json", shape=S.KIRO),
            _at("{project}/.kiro/settings/mcp.json", P, shape=S.KIRO),
        ),
        # docs: block.github.io/goose/docs/guides/config-files (macOS/Linux ~/.config/goose,
        # Windows %APPDATA%\Block\goose\config); the second Windows path: derived (toolhive).
        _spec(
            ClientId.GOOSE,
            "Goose",
            _at("{xdg}/goose/config.yaml", fmt=Y, shape=S.GOOSE, platforms=UNIX),
            _at("{appdata}/Block/goose/config/config.yaml", fmt=Y, shape=S.GOOSE, platforms=WIN32),
            _at("{home}/AppData/Block/goose/config.yaml", fmt=Y, shape=S.GOOSE, platforms=WIN32),
        ),
        _spec(ClientId.LM_STUDIO, "LM Studio", _at("{home}/.lmstudio/mcp.json")),  # derived
        # derived (toolhive AmpCli: "amp.mcpServers" in settings.json); Amp manual: workspace
        # settings in .amp/settings.json.
        _spec(
            ClientId.AMP,
            "Amp",
            _at("{xdg}/amp/settings.json", shape=S.AMP, platforms=UNIX),
            _at("{appdata}/amp/settings.json", shape=S.AMP, platforms=WIN32),
            _at("{project}/.amp/settings.json", P, shape=S.AMP),
        ),
        # docs: GitHub Copilot CLI docs (~/.copilot/mcp-config.json, mcpServers)
        _spec(ClientId.COPILOT_CLI, "GitHub Copilot CLI", _at("{home}/.copilot/mcp-config.json")),
        # docs: docs.factory.ai/factory-cli/configuration/mcp; project file: derived
        _spec(
            ClientId.FACTORY,
            "Factory (droid)",
            _at("{home}/.factory/mcp.json"),
            _at("{project}/.factory/mcp.json", P),
        ),
        # docs: docs.mistral.ai/mistral-vibe/terminal/configuration (./.vibe/config.toml then
        # ~/.vibe/config.toml) and /vibe/code/cli/mcp-servers ([[mcp_servers]], transport).
        _spec(
            ClientId.MISTRAL_VIBE,
            "Mistral Vibe",
            _at("{home}/.vibe/config.toml", fmt=T, shape=S.VIBE),
            _at("{project}/.vibe/config.toml", P, fmt=T, shape=S.VIBE),
        ),
        _spec(ClientId.TRAE, "Trae", _at("{appconfig}/Trae/User/mcp.json")),  # derived
        _spec(ClientId.KIMI, "Kimi CLI", _at("{home}/.kimi/mcp.json")),  # derived
        _spec(  # derived (toolhive Qoder)
            ClientId.QODER,
            "Qoder",
            _at("{home}/.qoder/mcp.json", platforms=UNIX),
            _at("{appdata}/Qoder/SharedClientCache/mcp.json", platforms=WIN32),
        ),
        _spec(  # derived (toolhive Antigravity)
            ClientId.ANTIGRAVITY,
            "Google Antigravity",
            _at("{home}/.gemini/antigravity/mcp_config.json"),
        ),
    )
}


def client_spec(client: str) -> ClientSpec | None:
    """The spec for a client id string, or None when it is not in the table."""
    try:
        return CLIENTS[ClientId(client)]
    except ValueError:
        return None


def guess_client(path: str) -> ClientId | None:
    """Best-effort client for a file, from the fixed tail of the table's path templates."""
    norm = path.replace("\\", "/")
    best: tuple[int, ClientId] | None = None
    for spec in CLIENTS.values():
        for where in spec.paths:
            tail = where.template.rsplit("}", 1)[-1]
            if "*" in tail or not tail.startswith("/"):
                continue
            if norm.endswith(tail) and (best is None or len(tail) > best[0]):
                best = (len(tail), spec.id)
    return best[1] if best else None


# Shapes any client may write (``mcpServers``) tell nothing about which client a file is for.
_GENERIC_SHAPES = frozenset({Shape.MCP_SERVERS, Shape.MCP_JSON})


def client_for_shape(shape: Shape) -> ClientId | None:
    """The client whose files have this shape, for shapes only one client family writes.

    VS Code, Insiders and the VS Code Server share ``servers``: the first (VS Code) stands for
    them all.
    """
    if shape in _GENERIC_SHAPES:
        return None
    return next((spec.id for spec in CLIENTS.values() if shape in spec.shapes), None)

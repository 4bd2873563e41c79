"""A fake machine: a HOME with a config for every supported MCP client, a project, a system root.

Stable helper for tests (also reused by the CLI test of ``chainwatch inventory --discover``)::

    paths = build_home(tmp_path, "darwin")
    found = discover(
        paths["home"],
        platform="darwin",
        project_dirs=[paths["project"]],
        env={},  # no overrides: defaults under HOME (APPDATA = HOME/AppData/Roaming, ...)
        system_root=paths["system_root"],
    )

``build_home(root, platform="linux") -> dict[str, Path]`` returns:

- ``<client id>`` (every :class:`scanner.inventory.configs.clients.ClientId` value): that client's
  user-scope config file;
- ``<client id>@project``: the project-scope config of clients that have one;
- ``<client id>@managed``: the managed (system) config of clients that have one;
- ``<client id>@<extra>``: further user files (``vscode@settings``, ``continue@block``);
- ``home``, ``project``, ``system_root``: the three directories.

Paths are written out literally per OS here (not derived from the client table), so the
discovery test checks the table against an independent statement of where files live.
Every file is a copy of a fixture under ``fixtures/mcp/clients/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

CLIENT_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mcp" / "clients"
PLATFORMS = ("linux", "darwin", "win32")

_APPCONFIG = {
    "linux": ".config",
    "darwin": "Library/Application Support",
    "win32": "AppData/Roaming",
}
_XDG = ".config"

# key -> (fixture file, {platform: path relative to HOME}); "*" means every platform.
_USER: dict[str, tuple[str, dict[str, str]]] = {
    "claude-desktop": (
        "claude-desktop__claude_desktop_config.json",
        {p: f"{_APPCONFIG[p]}/Claude/claude_desktop_config.json" for p in PLATFORMS},
    ),
    "claude-code": ("claude-code__.claude.json", {"*": ".claude.json"}),
    "cursor": ("cursor__mcp.json", {"*": ".cursor/mcp.json"}),
    "vscode": ("vscode__mcp.json", {p: f"{_APPCONFIG[p]}/Code/User/mcp.json" for p in PLATFORMS}),
    "vscode@settings": (
        "vscode__settings.json",
        {p: f"{_APPCONFIG[p]}/Code/User/settings.json" for p in PLATFORMS},
    ),
    "vscode-insiders": (
        "vscode__mcp.json",
        {p: f"{_APPCONFIG[p]}/Code - Insiders/User/mcp.json" for p in PLATFORMS},
    ),
    "vscode-server": ("vscode__mcp.json", {"*": ".vscode-server/data/User/mcp.json"}),
    "windsurf": ("windsurf__mcp_config.json", {"*": ".codeium/windsurf/mcp_config.json"}),
    "windsurf-jetbrains": (
        "windsurf-jetbrains__mcp_config.json",
        {"*": ".codeium/mcp_config.json"},
    ),
    "cline": (
        "cline__cline_mcp_settings.json",
        {
            p: f"{_APPCONFIG[p]}/Code/User/globalStorage/saoudrizwan.claude-dev/settings/"
            "cline_mcp_settings.json"
            for p in PLATFORMS
        },
    ),
    "roo-code": (  # Roo Code installed in Cursor, to exercise the editor glob
        "roo-code__mcp_settings.json",
        {
            p: f"{_APPCONFIG[p]}/Cursor/User/globalStorage/rooveterinaryinc.roo-cline/settings/"
            "mcp_settings.json"
            for p in PLATFORMS
        },
    ),
    "continue": ("continue__config.yaml", {"*": ".continue/config.yaml"}),
    "continue@block": (
        "continue__playwright-mcp.yaml",
        {"*": ".continue/mcpServers/playwright-mcp.yaml"},
    ),
    "zed": (
        "zed__settings.json",
        {
            "linux": f"{_XDG}/zed/settings.json",
            "darwin": f"{_XDG}/zed/settings.json",
            "win32": "AppData/Roaming/Zed/settings.json",
        },
    ),
    "gemini-cli": ("gemini-cli__settings.json", {"*": ".gemini/settings.json"}),
    "codex": ("codex__config.toml", {"*": ".codex/config.toml"}),
    "opencode": ("opencode__opencode.jsonc", {"*": f"{_XDG}/opencode/opencode.jsonc"}),
    "amazon-q": ("amazon-q__mcp.json", {"*": ".aws/amazonq/mcp.json"}),
    "kiro": ("kiro__mcp.json", {"*": ".kiro/settings/mcp.json"}),
    "goose": (
        "goose__config.yaml",
        {
            "linux": f"{_XDG}/goose/config.yaml",
            "darwin": f"{_XDG}/goose/config.yaml",
            "win32": "AppData/Roaming/Block/goose/config/config.yaml",
        },
    ),
    "lm-studio": ("lm-studio__mcp.json", {"*": ".lmstudio/mcp.json"}),
    "amp": (
        "amp__settings.json",
        {
            "linux": f"{_XDG}/amp/settings.json",
            "darwin": f"{_XDG}/amp/settings.json",
            "win32": "AppData/Roaming/amp/settings.json",
        },
    ),
    "copilot-cli": ("copilot-cli__mcp-config.json", {"*": ".copilot/mcp-config.json"}),
    "factory": ("factory__mcp.json", {"*": ".factory/mcp.json"}),
    "mistral-vibe": ("mistral-vibe__config.toml", {"*": ".vibe/config.toml"}),
    "trae": ("trae__mcp.json", {p: f"{_APPCONFIG[p]}/Trae/User/mcp.json" for p in PLATFORMS}),
    "kimi": ("kimi__mcp.json", {"*": ".kimi/mcp.json"}),
    "qoder": (
        "qoder__mcp.json",
        {
            "linux": ".qoder/mcp.json",
            "darwin": ".qoder/mcp.json",
            "win32": "AppData/Roaming/Qoder/SharedClientCache/mcp.json",
        },
    ),
    "antigravity": ("antigravity__mcp_config.json", {"*": ".gemini/antigravity/mcp_config.json"}),
}

# client -> (fixture, path relative to the project directory)
_PROJECT: dict[str, tuple[str, str]] = {
    "claude-code": ("claude-code__project.mcp.json", ".mcp.json"),
    "cursor": ("cursor__mcp.json", ".cursor/mcp.json"),
    "vscode": ("vscode__mcp.json", ".vscode/mcp.json"),
    "roo-code": ("roo-code__mcp_settings.json", ".roo/mcp.json"),
    "continue": ("continue__playwright-mcp.yaml", ".continue/mcpServers/playwright-mcp.yaml"),
    "zed": ("zed__settings.json", ".zed/settings.json"),
    "gemini-cli": ("gemini-cli__settings.json", ".gemini/settings.json"),
    "codex": ("codex__config.toml", ".codex/config.toml"),
    "opencode": ("opencode__opencode.jsonc", "opencode.jsonc"),
    "amazon-q": ("amazon-q__mcp.json", ".amazonq/mcp.json"),
    "kiro": ("kiro__mcp.json", ".kiro/settings/mcp.json"),
    "amp": ("amp__settings.json", ".amp/settings.json"),
    "factory": ("factory__mcp.json", ".factory/mcp.json"),
    "mistral-vibe": ("mistral-vibe__config.toml", ".vibe/config.toml"),
}

# client -> (fixture, {platform: path relative to the system root})
_MANAGED: dict[str, tuple[str, dict[str, str]]] = {
    "claude-code": (
        "claude-code__managed-mcp.json",
        {
            "linux": "etc/claude-code/managed-mcp.json",
            "darwin": "Library/Application Support/ClaudeCode/managed-mcp.json",
            "win32": "Program Files/ClaudeCode/managed-mcp.json",
        },
    ),
    "codex": (
        "codex__config.toml",
        {
            "linux": "etc/codex/config.toml",
            "darwin": "etc/codex/config.toml",
            "win32": "ProgramData/OpenAI/Codex/config.toml",
        },
    ),
    "gemini-cli": (
        "gemini-cli__settings.json",
        {
            "linux": "etc/gemini-cli/settings.json",
            "darwin": "Library/Application Support/GeminiCli/settings.json",
            "win32": "ProgramData/gemini-cli/settings.json",
        },
    ),
    "opencode": (
        "opencode__opencode.jsonc",
        {
            "linux": "etc/opencode/opencode.json",
            "darwin": "Library/Application Support/opencode/opencode.json",
            "win32": "ProgramData/opencode/opencode.json",
        },
    ),
}


def _place(fixture: str, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CLIENT_FIXTURES / fixture, target)
    return target


def build_home(root: Path, platform: str = "linux") -> dict[str, Path]:
    """Lay out ``root`` like a real machine for ``platform``; see the module docstring."""
    if platform not in PLATFORMS:
        raise ValueError(f"platform must be one of {PLATFORMS}, not {platform!r}")
    home, project, system_root = root / "home" / "dev", root / "work" / "webapp", root / "system"
    for directory in (home, project, system_root):
        directory.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {"home": home, "project": project, "system_root": system_root}
    for key, (fixture, where) in _USER.items():
        paths[key] = _place(fixture, home / where.get(platform, where.get("*", "")))
    for client, (fixture, rel) in _PROJECT.items():
        paths[f"{client}@project"] = _place(fixture, project / rel)
    for client, (fixture, where) in _MANAGED.items():
        paths[f"{client}@managed"] = _place(fixture, system_root / where[platform])
    return paths

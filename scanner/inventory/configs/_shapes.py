"""Find the server section of a parsed config (by shape) and list its raw server objects.

A section of the wrong type (``"mcp": []``, ``mcpServers: "x"``) is a whole-file problem and
raises ``ConfigError``; a missing section means "no servers here" and yields nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from scanner.errors import ConfigError
from scanner.inventory.configs._keylines import KeyIndex
from scanner.inventory.configs.clients import Shape
from scanner.inventory.configs.formats import Format
from scanner.models import Scope

_SERVER_KEYS = frozenset({"command", "cmd", "url", "serverUrl", "httpUrl", "uri", "type"})
_GEMINI_MCP_KEYS = frozenset({"allowed", "excluded", "serverCommand"})  # Gemini's "mcp" block


@dataclass(frozen=True, slots=True)
class RawServer:
    """A server object as written, before normalisation."""

    name: str
    value: object
    line: int | None
    project: str | None = None
    scope: Scope | None = None


@dataclass(frozen=True, slots=True)
class Locator:
    """Line look-ups in one file's text."""

    path: str
    text: str
    fmt: Format
    index: KeyIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # one index per file: look-ups stay linear in the file however many servers it holds
        object.__setattr__(self, "index", KeyIndex(self.text, self.fmt))

    def line(self, key: str, start: int | None = 1, *, by_name: bool = False) -> int | None:
        """The line of ``key`` at or after ``start`` (None start: unknown section, search all)."""
        return self.index.line(key, start or 1, by_name=by_name)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _looks_like_server(value: object) -> bool:
    return isinstance(value, Mapping) and any(k in value for k in _SERVER_KEYS)


def _is_flat(data: Mapping[object, object]) -> bool:
    return bool(data) and all(_looks_like_server(v) for v in data.values())


def _map(
    data: Mapping[object, object],
    key: str,
    loc: Locator,
    start: int | None = 1,
    *,
    shown: str | None = None,
    skip: frozenset[str] = frozenset(),
    project: str | None = None,
    scope: Scope | None = None,
) -> Iterator[RawServer]:
    """Servers of a ``{name: server}`` section stored under ``data[key]``."""
    section = data.get(key)
    if section is None:
        return
    section_line = loc.line(key, start)
    if not isinstance(section, Mapping):
        raise ConfigError(
            loc.path,
            f"{shown or key!r} must be a mapping of server names to servers, "
            f"not {_type_name(section)}",
            line=section_line,
        )
    yield from _entries(
        section, loc, section_line or start, skip=skip, project=project, scope=scope
    )


def _entries(
    section: Mapping[object, object],
    loc: Locator,
    start: int | None,
    *,
    skip: frozenset[str] = frozenset(),
    project: str | None = None,
    scope: Scope | None = None,
) -> Iterator[RawServer]:
    for raw_name, value in section.items():
        name = str(raw_name)
        if name in skip:
            continue
        yield RawServer(name, value, loc.line(name, start), project, scope)


def _list(data: Mapping[object, object], key: str, loc: Locator) -> Iterator[RawServer]:
    """Servers of a list of ``{name, ...}`` objects (Continue YAML, Mistral Vibe TOML)."""
    section = data.get(key)
    if section is None:
        return
    if not isinstance(section, list):
        raise ConfigError(
            loc.path,
            f"{key!r} must be a list of servers, not {_type_name(section)}",
            line=loc.line(key),
        )
    cursor = loc.line(key) or 1
    for index, value in enumerate(section):
        raw_name = value.get("name") if isinstance(value, Mapping) else None
        name = str(raw_name) if raw_name is not None else f"{key}[{index}]"
        line = loc.line(name, cursor, by_name=True) if raw_name is not None else None
        if line is not None:
            cursor = line + 1
        yield RawServer(name, value, line)


def _mcp_servers(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    yield from _map(data, "mcpServers", loc)


def _mcp_json(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    if "mcpServers" in data:
        yield from _map(data, "mcpServers", loc)
    elif _is_flat(data):
        yield from _entries(data, loc, 1)


def _claude_json(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    """~/.claude.json: top-level servers, then each project's (scope PROJECT, project=dir)."""
    yield from _map(data, "mcpServers", loc)
    projects = data.get("projects")
    if not isinstance(projects, Mapping):
        return
    projects_line = loc.line("projects")
    for raw_dir, settings in projects.items():
        if not isinstance(settings, Mapping):
            continue
        directory = str(raw_dir)
        project_line = loc.line(directory, projects_line)
        yield from _map(
            settings,
            "mcpServers",
            loc,
            project_line,
            shown=f"projects.{directory}.mcpServers",
            project=directory,
            scope=Scope.PROJECT,
        )


def _kiro(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    yield from _map(data, "mcpServers", loc)
    powers = data.get("powers")
    if isinstance(powers, Mapping):
        yield from _map(powers, "mcpServers", loc, loc.line("powers"), shown="powers.mcpServers")


def _vscode_settings(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    if "mcp.servers" in data:
        yield from _map(data, "mcp.servers", loc)
    mcp = data.get("mcp")
    if mcp is None:
        return
    if not isinstance(mcp, Mapping):
        raise ConfigError(
            loc.path, f"'mcp' must be a mapping, not {_type_name(mcp)}", line=loc.line("mcp")
        )
    yield from _map(mcp, "servers", loc, loc.line("mcp"), shown="mcp.servers")


def _amp(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    yield from _map(data, "amp.mcpServers", loc)
    amp = data.get("amp")
    if isinstance(amp, Mapping):
        yield from _map(amp, "mcpServers", loc, loc.line("amp"), shown="amp.mcpServers")


def _opencode(data: Mapping[object, object], loc: Locator) -> Iterator[RawServer]:
    mcp = data.get("mcp")
    nested = mcp.get("servers") if isinstance(mcp, Mapping) else None
    if isinstance(mcp, Mapping) and isinstance(nested, Mapping) and not _looks_like_server(nested):
        yield from _map(mcp, "servers", loc, loc.line("mcp"), shown="mcp.servers")
    else:
        yield from _map(data, "mcp", loc, skip=_GEMINI_MCP_KEYS)


def _keyed(key: str) -> Callable[[Mapping[object, object], Locator], Iterator[RawServer]]:
    return lambda data, loc: _map(data, key, loc)


def _listed(key: str) -> Callable[[Mapping[object, object], Locator], Iterator[RawServer]]:
    return lambda data, loc: _list(data, key, loc)


EXTRACT: dict[Shape, Callable[[Mapping[object, object], Locator], Iterator[RawServer]]] = {
    Shape.MCP_SERVERS: _mcp_servers,
    Shape.MCP_JSON: _mcp_json,
    Shape.CLAUDE_JSON: _claude_json,
    Shape.KIRO: _kiro,
    Shape.SERVERS: _keyed("servers"),
    Shape.VSCODE_SETTINGS: _vscode_settings,
    Shape.AMP: _amp,
    Shape.CONTEXT_SERVERS: _keyed("context_servers"),
    Shape.CODEX: _keyed("mcp_servers"),
    Shape.VIBE: _listed("mcp_servers"),
    Shape.CONTINUE: _listed("mcpServers"),
    Shape.GOOSE: _keyed("extensions"),
    Shape.OPENCODE: _opencode,
}


def _powers_in(data: Mapping[object, object]) -> bool:
    powers = data.get("powers")
    return isinstance(powers, Mapping) and "mcpServers" in powers


def _mcp_in(data: Mapping[object, object]) -> bool:
    mcp = data.get("mcp")
    return isinstance(mcp, Mapping) and "servers" in mcp


# Content-based detection, most specific first. Each test is cheap and never raises.
_PRESENT: tuple[tuple[Shape, Callable[[Mapping[object, object]], bool]], ...] = (
    (Shape.CLAUDE_JSON, lambda d: isinstance(d.get("projects"), Mapping)),
    (Shape.KIRO, lambda d: _powers_in(d)),
    (Shape.CONTINUE, lambda d: isinstance(d.get("mcpServers"), list)),
    (Shape.MCP_SERVERS, lambda d: "mcpServers" in d),
    (Shape.SERVERS, lambda d: "servers" in d),
    (Shape.VSCODE_SETTINGS, lambda d: "mcp.servers" in d or _mcp_in(d)),
    (Shape.AMP, lambda d: "amp.mcpServers" in d),
    (Shape.CONTEXT_SERVERS, lambda d: "context_servers" in d),
    (Shape.VIBE, lambda d: isinstance(d.get("mcp_servers"), list)),
    (Shape.CODEX, lambda d: "mcp_servers" in d),
    (Shape.GOOSE, lambda d: isinstance(d.get("extensions"), Mapping)),
    (Shape.OPENCODE, lambda d: "mcp" in d),
    (Shape.MCP_JSON, lambda d: "mcpServers" in d or _is_flat(d)),
)


def detect_shape(
    data: Mapping[object, object], candidates: tuple[Shape, ...] | None = None
) -> Shape | None:
    """The first shape (among ``candidates``, default all) whose section is present."""
    for shape, present in _PRESENT:
        if (candidates is None or shape in candidates) and present(data):
            return shape
    return None

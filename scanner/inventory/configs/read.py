"""Read one MCP client config file into ``ServerEntry`` values. No network, nothing executed.

Errors are split in two:

1. Whole-file problems raise :class:`scanner.errors.ConfigError` naming the file and line:
   unreadable, too large, not UTF-8, malformed JSON/JSONC/TOML/YAML, a top level that is not
   a mapping, or a server section of the wrong type (``"mcp": []``).
2. Per-server problems (``args`` not a list, no command or url, an unknown ``type``) skip
   that server only and are collected as text naming the file and the server, so one bad
   entry never hides the others. :func:`read_config_detailed` returns them;
   :func:`read_config` returns only the entries.

A discovered file with no server section (a ``settings.json`` without ``mcp``) or an empty one
yields no entries and no error: the client keeps other settings there. A file named directly
(scope ``explicit``) that holds no server section of any known client is a ``ConfigError``:
reporting it as an agent with no servers would hide a wrong path or an unknown format.

Without a client given, the label comes from the file's path (:func:`guess_client`), else from
its shape where only one client family writes it (``servers`` is VS Code, ``context_servers``
is Zed, ...); a plain ``mcpServers`` file stays ``unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from scanner.errors import ConfigError
from scanner.inventory.configs._servers import Context, to_entry
from scanner.inventory.configs._shapes import EXTRACT, Locator, detect_shape
from scanner.inventory.configs.clients import (
    CLIENTS,
    ClientSpec,
    Shape,
    client_for_shape,
    client_spec,
    guess_client,
)
from scanner.inventory.configs.formats import Format, format_for, parse, read_text
from scanner.models import Scope, ServerEntry

UNKNOWN_CLIENT = "unknown"


@dataclass(frozen=True, slots=True)
class ConfigResult:
    """The servers read from one file, and the entries skipped with the reason."""

    entries: tuple[ServerEntry, ...]
    problems: tuple[str, ...] = ()


def _spec_for(path: Path, client: str | None) -> ClientSpec | None:
    if client is None:
        return None
    spec = client_spec(client)
    if spec is None:
        known = ", ".join(sorted(CLIENTS))
        raise ConfigError(str(path), f"unknown MCP client {client!r}", hint=f"known: {known}")
    return spec


def _sniff(text: str, path: str) -> Format:
    """Format of a file whose name says nothing: JSON if it looks like it, else TOML or YAML."""
    head = text.lstrip()
    if head.startswith(("{", "[", "//", "/*")):
        return Format.JSONC
    try:
        parse(text, Format.TOML, path)
    except ConfigError:
        return Format.YAML
    return Format.TOML


def _format(path: Path, text: str, spec: ClientSpec | None) -> Format:
    found = format_for(path)
    if found is not None:
        return found
    if spec is not None and len(spec.formats) == 1:
        return spec.formats[0]
    return _sniff(text, str(path))


def _shape(data: Mapping[object, object], path: Path, spec: ClientSpec | None) -> Shape | None:
    if spec is None:
        return detect_shape(data)
    found = detect_shape(data, spec.shapes)
    if found is not None:
        return found
    for where in spec.paths:  # nothing present: the row whose file name matches, else the first
        if fnmatch(path.name, where.template.rsplit("/", 1)[-1]):
            return where.shape
    return spec.shapes[0]


def read_config_detailed(
    path: Path,
    client: str | None = None,
    *,
    scope: Scope = Scope.EXPLICIT,
    project: str | None = None,
) -> ConfigResult:
    """Read a config file: entries plus per-server problems. Raises only ``ConfigError``."""
    try:
        return _read(path, _spec_for(path, client), scope, project)
    except RecursionError as exc:  # a value nested deeper than the stack allows
        raise ConfigError(str(path), "nested too deeply to read") from exc


def _read(path: Path, spec: ClientSpec | None, scope: Scope, project: str | None) -> ConfigResult:
    where = str(path)
    text = read_text(path)
    fmt = _format(path, text, spec)
    data = parse(text, fmt, where)
    if data is None or (isinstance(data, str) and not data.strip()):
        if scope is Scope.EXPLICIT and spec is None:
            raise ConfigError(where, "the file is empty: it holds no MCP servers")
        return ConfigResult(())  # an empty file (or empty YAML document) configures nothing
    if not isinstance(data, Mapping):
        raise ConfigError(
            where, f"not an MCP client config: the top level is a {type(data).__name__}"
        )
    shape = _shape(data, path, spec)
    if shape is None:
        if scope is Scope.EXPLICIT:
            raise ConfigError(
                where,
                "holds no MCP servers of any known client",
                hint="name an MCP client config (mcpServers, servers, mcp_servers, ...), or "
                "say which client reads it with --client",
            )
        return ConfigResult(())
    if spec is None:  # the label (and how a bare url is read) from the path or the shape
        guessed = guess_client(where) or client_for_shape(shape)
        label = guessed.value if guessed else UNKNOWN_CLIENT
        bare_url = CLIENTS[guessed].bare_url if guessed else None
    else:
        label, bare_url = spec.id.value, spec.bare_url
    ctx = Context(label, where, scope, project, bare_url)
    loc = Locator(where, text, fmt)
    entries: list[ServerEntry] = []
    problems: list[str] = []
    for raw in EXTRACT[shape](data, loc):
        entry, notes = to_entry(
            ctx, raw.name, raw.value, raw.line, project=raw.project, scope=raw.scope
        )
        if entry is not None:
            entries.append(entry)
        problems.extend(notes)
    return ConfigResult(tuple(entries), tuple(problems))


def read_config(
    path: Path,
    client: str | None = None,
    *,
    scope: Scope = Scope.EXPLICIT,
    project: str | None = None,
) -> tuple[ServerEntry, ...]:
    """Read the MCP servers a config file declares (see :func:`read_config_detailed`)."""
    return read_config_detailed(path, client, scope=scope, project=project).entries

"""Which servers of a parsed client config to wrap, and the new command and args of each.

Works on the parsed value only (any format): the servers are found the way the inventory finds
them (``scanner.inventory.configs``: the client's shape, then its server section), and each is
located in the document by identity, as a path of keys and list indexes. The text is edited
elsewhere (``_edit.py``), one format at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from scanner.inventory.configs._shapes import EXTRACT, Locator, detect_shape
from scanner.inventory.configs.formats import Format

Path = tuple[str | int, ...]
_REMOTE_KEYS = ("url", "serverUrl", "httpUrl", "uri")
_STDIO_TYPES = frozenset({"stdio", "local"})  # "local": OpenCode's name for a stdio server


@dataclass(frozen=True, slots=True)
class InstallPlan:
    """How to wrap: the proxy's own command line and the options it gets."""

    agent: str
    proxy_command: tuple[str, ...] = ("chainwatch",)
    options: tuple[str, ...] = ()  # e.g. ("--enforce", "--manifest", "/path/chainwatch.toml")


@dataclass(frozen=True, slots=True)
class Wrap:
    """One edit: in the mapping at ``where``, ``key`` becomes ``command`` and args ``args``.

    ``args`` None: the args stay as written (OpenCode's argv list carries the whole command).
    ``has_args``: the mapping already has an "args" key (replaced), else one is added.
    """

    name: str
    where: Path
    key: str
    command: str | list[str]
    args: list[str] | None
    has_args: bool


@dataclass(frozen=True, slots=True)
class Found:
    """A server of the config: its name, path and parsed value."""

    name: str
    where: Path
    value: object


def servers(data: Mapping[object, object], text: str, fmt: Format, where: str) -> list[Found]:
    """The server objects of a parsed config, in file order (none: not an MCP client config)."""
    shape = detect_shape(data)
    if shape is None:
        return []
    paths = {id(v): p for p, v in _walk(data, ())}
    found = []
    for raw in EXTRACT[shape](data, Locator(where, text, fmt)):
        path = paths.get(id(raw.value))
        if path is not None:
            found.append(Found(raw.name, path, raw.value))
    return found


def _walk(value: object, path: Path) -> Iterator[tuple[Path, object]]:
    stack: list[tuple[Path, object]] = [(path, value)]
    while stack:
        at, node = stack.pop()
        yield at, node
        if isinstance(node, Mapping):
            stack.extend(((*at, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*at, i), v) for i, v in enumerate(node))


def argv_of(entry: Mapping[object, object]) -> list[str] | None:
    """The server's whole command line as written, or None when it has no plain one."""
    raw = entry.get("command", entry.get("cmd"))
    args = entry.get("args", [])
    if isinstance(raw, Mapping):  # Zed's legacy {"path", "args"}
        args, raw = raw.get("args", []), raw.get("path")
    if not isinstance(args, list) or not all(isinstance(a, str) for a in args):
        return None
    if isinstance(raw, list) and raw and all(isinstance(a, str) for a in raw):
        return [*raw, *args]
    if isinstance(raw, str) and raw:
        return [raw, *args]
    return None


def is_wrapped(argv: list[str]) -> bool:
    """True when the command line already starts the chainwatch proxy."""
    return "proxy" in argv and "--agent" in argv and "--" in argv


def wrap(found: Found, plan: InstallPlan) -> Wrap | str:
    """The edit that puts one server behind the proxy, or why it is left alone."""
    entry = found.value
    if not isinstance(entry, Mapping):
        return "not a mapping of settings"
    kind = entry.get("type", entry.get("transport"))
    raw = entry.get("command", entry.get("cmd"))
    if raw is None:
        remote = any(k in entry for k in _REMOTE_KEYS)
        return (
            "no stdio command (a remote server: the proxy is for stdio)"
            if remote
            else ("no command in this file")
        )
    if kind is not None and kind not in _STDIO_TYPES:
        return f"transport {str(kind)[:40]!r} is not stdio"
    argv = argv_of(entry)
    if argv is None:
        return '"command"/"args" are not a command line of strings'
    if is_wrapped(argv):
        return "already runs behind the proxy"
    head, *rest = plan.proxy_command
    proxy = [*rest, "proxy", "--agent", plan.agent, *plan.options, "--"]
    key = "command" if "command" in entry else "cmd"
    if isinstance(raw, Mapping):  # Zed legacy: the edit is inside the command object
        return Wrap(found.name, (*found.where, key), "path", head, [*proxy, *argv], "args" in raw)
    if isinstance(raw, list):  # OpenCode: one argv list; its args (if any) stay after it
        return Wrap(found.name, found.where, key, [head, *proxy, *raw], None, "args" in entry)
    return Wrap(found.name, found.where, key, head, [*proxy, *argv], "args" in entry)


def plan_of(found: list[Found]) -> InstallPlan | None:
    """The plan install used, read back from the first wrapped server (None: none wrapped)."""
    for server in found:
        argv = argv_of(server.value) if isinstance(server.value, Mapping) else None
        if argv is None or not is_wrapped(argv):
            continue
        at = argv.index("proxy")
        if argv[at + 1 : at + 2] != ["--agent"] or len(argv) < at + 3:
            continue
        options = tuple(argv[at + 3 : argv.index("--", at)])
        return InstallPlan(argv[at + 2], tuple(argv[:at]), options)
    return None

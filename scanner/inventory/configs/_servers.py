"""Turn one server object, in any client's dialect, into a ``ServerEntry``.

One tolerant normaliser covers every dialect in the client table:

- command: ``command`` as a string, as an argv list (OpenCode: ``command=argv[0]``,
  ``args=argv[1:]``) or as ``{path, args, env}`` (Zed); ``cmd`` (Goose).
- env names (values are never kept): keys of ``env`` / ``envs`` (Goose) / ``environment``
  (OpenCode), plus variables named by ``env_vars`` / ``bearer_token_env_var`` (Codex),
  ``env_keys`` (Goose) and ``api_key_env`` (Mistral Vibe).
- url: ``url``, ``serverUrl`` (Windsurf), ``httpUrl`` (Gemini: streamable HTTP), ``uri`` (Goose).
- transport: ``type`` or ``transport``; without one, a command means stdio and a URL means
  the client's ``bare_url`` transport, else SSE when the path ends in ``/sse``, else HTTP.
- enabled: false for ``disabled: true`` or ``enabled: false``.

Problems that change what would run (command, args, url, type) skip the entry; problems in
the rest (env, cwd, enabled) are reported and the field is left at its default. Goose
``builtin``/``platform``/``frontend`` extensions run inside Goose and are not servers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.models import Scope, ServerEntry, Transport
from scanner.redact import redact_argv, redact_text

_TRANSPORTS = {
    "stdio": Transport.STDIO,
    "local": Transport.STDIO,  # OpenCode, Copilot CLI
    "sse": Transport.SSE,
    "http": Transport.HTTP,
    "streamablehttp": Transport.HTTP,  # streamable-http, streamable_http, streamableHttp
    "remote": Transport.HTTP,  # OpenCode: streamable HTTP first, SSE as fallback
}
_IN_PROCESS = frozenset({"builtin", "platform", "frontend"})  # Goose extensions, not servers
_URL_KEYS = ("url", "serverUrl", "httpUrl", "uri")
_ENV_MAPS = ("env", "envs", "environment")
_ENV_NAME_LISTS = ("env_vars", "env_keys")
_ENV_NAME_FIELDS = ("bearer_token_env_var", "api_key_env")


class EntryProblem(Exception):
    """A server entry that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Context:
    """What every entry of one file shares."""

    client: str
    config_path: str
    scope: Scope
    project: str | None
    bare_url: Transport | None = None


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _string(value: object, what: str) -> str:
    if isinstance(value, str):
        return value
    raise EntryProblem(f"{what} must be a string, not {_type_name(value)}")


def _argv(value: object, what: str) -> tuple[str, ...]:
    """A list of arguments; numbers written unquoted (YAML, TOML) are taken as text."""
    if not isinstance(value, list):
        raise EntryProblem(f"{what} must be a list, not {_type_name(value)}")
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append(str(item))
        else:
            raise EntryProblem(f"{what}[{i}] must be a string, not {_type_name(item)}")
    return tuple(out)


def _command(server: Mapping[str, object]) -> tuple[str | None, tuple[str, ...], object]:
    """(command, leading args, env map found inside the command) from a server object."""
    raw = server.get("command", server.get("cmd"))
    if raw is None:
        return None, (), None
    if isinstance(raw, list):
        argv = _argv(raw, "command")
        if not argv:
            raise EntryProblem("command is an empty list")
        return argv[0], argv[1:], None
    if isinstance(raw, Mapping):  # Zed legacy {"command": {"path", "args", "env"}}
        path = _string(raw.get("path"), "command.path")
        inner = raw.get("args")
        return path, (() if inner is None else _argv(inner, "command.args")), raw.get("env")
    return _string(raw, "command"), (), None


def _url(server: Mapping[str, object]) -> tuple[str | None, str | None]:
    for key in _URL_KEYS:
        value = server.get(key)
        if value is not None:
            return _string(value, key), key
    return None, None


def _transport(
    server: Mapping[str, object],
    command: str | None,
    url: str | None,
    url_key: str | None,
    bare_url: Transport | None,
) -> Transport | None:
    """The transport, or None for an in-process extension that is not a server."""
    declared = server.get("type", server.get("transport"))
    if isinstance(declared, Mapping):  # {"transport": {"type": ...}} (Continue legacy)
        declared = declared.get("type")
    if declared is not None:
        name = _string(declared, "type").lower().replace("-", "").replace("_", "")
        if name in _IN_PROCESS:
            return None
        if name not in _TRANSPORTS:
            raise EntryProblem(f"unknown transport type {declared!r}")
        return _TRANSPORTS[name]  # an explicit type wins over the client's bare-url default
    if command is not None:
        return Transport.STDIO
    if url is None:
        raise EntryProblem("has neither a command nor a url")
    if url_key == "httpUrl":
        return Transport.HTTP
    if bare_url is not None and url_key == "url":
        return bare_url
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    return Transport.SSE if path.rstrip("/").endswith("/sse") else Transport.HTTP


def _env_names(server: Mapping[str, object], extra: object, notes: list[str]) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for key, value in [(k, server.get(k)) for k in _ENV_MAPS] + [("command.env", extra)]:
        if value is None:
            continue
        if isinstance(value, Mapping):
            names.update((str(name), None) for name in value)
        else:
            notes.append(f"{key} must be a mapping, not {_type_name(value)}; ignored")
    for key in _ENV_NAME_LISTS:
        value = server.get(key)
        if value is None:
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            names.update((str(v), None) for v in value)
        else:
            notes.append(f"{key} must be a list of names; ignored")
    for key in _ENV_NAME_FIELDS:
        value = server.get(key)
        if isinstance(value, str) and value:
            names[value] = None
    return tuple(names)


def _enabled(server: Mapping[str, object], notes: list[str]) -> bool:
    enabled = True
    for key, off_when in (("disabled", True), ("enabled", False)):
        value = server.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            enabled = enabled and value is not off_when
        else:
            notes.append(f"{key} must be true or false, not {_type_name(value)}; ignored")
    return enabled


def to_entry(
    ctx: Context,
    name: str,
    server: object,
    line: int | None,
    *,
    project: str | None = None,
    scope: Scope | None = None,
) -> tuple[ServerEntry | None, list[str]]:
    """One server object -> (entry or None, problems). Never raises for bad data."""
    where = f"{ctx.config_path}: server {name!r}" + (f" (line {line})" if line else "")
    if not isinstance(server, Mapping):
        return None, [f"{where}: must be a mapping, not {_type_name(server)}; skipped"]
    notes: list[str] = []
    try:
        command, lead, inner_env = _command(server)
        raw_args = server.get("args")
        args = lead + (() if raw_args is None else _argv(raw_args, "args"))
        url, url_key = _url(server)
        transport = _transport(server, command, url, url_key, ctx.bare_url)
        if transport is None:
            return None, []
        if transport is Transport.STDIO and not command:
            raise EntryProblem("stdio server has no command")
        if transport is not Transport.STDIO and not url:
            raise EntryProblem(f"{transport} server has no url")
    except EntryProblem as exc:
        return None, [f"{where}: {exc}; skipped"]
    cwd = server.get("cwd")
    if cwd is not None and not isinstance(cwd, str):
        notes.append(f"cwd must be a string, not {_type_name(cwd)}; ignored")
        cwd = None
    # Secrets in the command, args and URL are replaced here, before anything stores, prints or
    # resolves them; redaction keeps one word one word, so the launch still resolves.
    if command is not None:
        command, *rest = redact_argv((command, *args))
        args = tuple(rest)
    entry = ServerEntry(
        client=ctx.client,
        config_path=ctx.config_path,
        name=name,
        transport=transport,
        scope=scope or ctx.scope,
        line=line,
        command=command,
        args=args,
        env_names=_env_names(server, inner_env, notes),
        url=redact_text(url) if url else url,
        project=project if project is not None else ctx.project,
        cwd=cwd,
        enabled=_enabled(server, notes),
    )
    return entry, [f"{where}: {note}" for note in notes]

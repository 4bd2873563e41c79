"""MCP Python SDK integration: ``instrument(session, hook)`` reports what a ClientSession sees.

Reported: the server's identity (``initialize`` / ``server/discover`` results, and the
``_meta["io.modelcontextprotocol/serverInfo"]`` stamp newer servers put on results), every
``tools/list`` result, ``notifications/tools/list_changed`` and every ``tools/call`` with its
outcome and duration. Argument values are never recorded: only names and JSON types.

How: the session's ``send_request`` and its message handler are wrapped on the instance. The
module is duck-typed and imports nothing from ``mcp`` (``scanner.runtime`` is standard library
only), which also lets one code path serve the SDK's 1.x line (camelCase models, ``RootModel``
request unions) and its 2.x line (snake_case models, plain requests). Install the SDK with the
``chainwatch[mcp]`` extra.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from .hook import Hook, new_session_id
from .hook_event import json_type

S = TypeVar("S")
SERVER_INFO_META = "io.modelcontextprotocol/serverInfo"
_PROVENANCE: ContextVar[str | None] = ContextVar("chainwatch_input_provenance", default=None)


@contextmanager
def input_provenance(label: str) -> Iterator[None]:
    """Label the tool calls made inside this block with where their input came from."""
    token = _PROVENANCE.set(label)
    try:
        yield
    finally:
        _PROVENANCE.reset(token)


def _field(obj: object, *names: str) -> Any:
    """The first of ``names`` that ``obj`` has (2.x snake_case first, then 1.x camelCase)."""
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def action_class(annotations: object) -> str:
    """The action class a tool's annotations claim (a stdlib fallback for the tools classifier).

    1. No annotations, or none of the three hints set: ``unknown`` (the spec's defaults describe
       the worst case, not what the tool does).
    2. ``readOnlyHint`` true: ``network`` when ``openWorldHint`` is explicitly true, else ``read``.
    3. Otherwise the tool writes: ``write`` when ``destructiveHint`` is explicitly false, else
       ``write_destructive`` (the spec's default for destructiveHint is true).
    ``exec`` is never derived: no annotation says so. Annotations are the server's own claims.
    These are the annotation rules of ``scanner.tools.actions`` (a test keeps them equal); that
    classifier also weighs the tool's name and takes the riskier class, which the hook does not.
    """
    if annotations is None:
        return "unknown"
    hints = [
        _field(annotations, "read_only_hint", "readOnlyHint"),
        _field(annotations, "destructive_hint", "destructiveHint"),
        _field(annotations, "open_world_hint", "openWorldHint"),
    ]
    read_only, destructive, open_world = (h if isinstance(h, bool) else None for h in hints)
    if read_only is None and destructive is None and open_world is None:
        return "unknown"
    if read_only:
        return "network" if open_world is True else "read"
    return "write" if destructive is False else "write_destructive"


class _Observer:
    """What one instrumented session knows about its server, and how it reports."""

    def __init__(self, hook: Hook, component: str | None) -> None:
        self.hook = hook
        self.component = component
        self.session = new_session_id()
        self.server: str | None = None
        self.version: str | None = None
        self.classes: dict[str, str] = {}

    def identified(self, info: object, protocol: object) -> None:
        name, version = _field(info, "name"), _field(info, "version")
        if not isinstance(name, str):
            return
        self.server, self.version = name, version if isinstance(version, str) else None
        self.hook.record(
            "server_info",
            session=self.session,
            server=self.server,
            server_version=self.version,
            component=self.component,
            protocol_version=protocol if isinstance(protocol, str) else None,
        )

    def result(self, method: object, result: object) -> None:
        if method == "initialize":
            info = _field(result, "server_info", "serverInfo")
            self.identified(info, _field(result, "protocol_version", "protocolVersion"))
        meta = _field(result, "meta", "_meta")
        stamp = meta.get(SERVER_INFO_META) if isinstance(meta, Mapping) else None
        if stamp is not None and (_field(stamp, "name"), _field(stamp, "version")) != (
            self.server,
            self.version,
        ):
            self.identified(stamp, None)  # newer servers stamp results: a change shows here
        if method == "tools/list":
            listed = []
            for tool in _field(result, "tools") or ():
                name = _field(tool, "name")
                if isinstance(name, str):
                    cls = action_class(_field(tool, "annotations"))
                    self.classes[name] = cls
                    listed.append((name, cls))
            self._record("tools_list", tools=listed)

    def notification(self, message: object) -> None:
        root = getattr(message, "root", message)  # 1.x wraps notifications in a RootModel
        if getattr(root, "method", None) == "notifications/tools/list_changed":
            self._record("tools_changed")

    def call(self, tool: str, arguments: object, outcome: str, started: float) -> None:
        shape = (
            {str(k): json_type(v) for k, v in arguments.items()}
            if isinstance(arguments, Mapping)
            else None
        )
        self._record(
            "tool_call",
            tool=tool,
            action_class=self.classes.get(tool, "unknown"),
            outcome=outcome,
            duration_ms=(time.perf_counter() - started) * 1000.0,
            provenance=_PROVENANCE.get(),
            argument_shape=shape,
        )

    def _record(self, kind: str, **fields: Any) -> None:
        self.hook.record(
            kind,
            session=self.session,
            server=self.server,
            server_version=self.version,
            component=self.component,
            **fields,
        )


def instrument(session: S, hook: Hook, *, component: str | None = None) -> S:
    """Report this ClientSession's server info, tool lists, list changes and tool calls."""
    target: Any = session
    if getattr(target, "_chainwatch_observer", None) is not None:
        return session  # instrumenting twice would report everything twice
    observer = _Observer(hook, component)
    send: Callable[..., Awaitable[Any]] = target.send_request
    handler: Callable[[Any], Awaitable[None]] = target._message_handler

    async def send_request(request: Any, result_type: Any, *args: Any, **kwargs: Any) -> Any:
        root = getattr(request, "root", request)  # 1.x: ClientRequest is a RootModel
        method = getattr(root, "method", None)
        if method != "tools/call":
            result = await send(request, result_type, *args, **kwargs)
            observer.result(method, result)
            return result
        params = getattr(root, "params", None)
        tool, arguments = str(_field(params, "name")), _field(params, "arguments")
        started = time.perf_counter()
        try:
            result = await send(request, result_type, *args, **kwargs)
        except Exception:
            observer.call(tool, arguments, "failed", started)
            raise
        except BaseException:
            observer.call(tool, arguments, "cancelled", started)
            raise
        failed = _field(result, "is_error", "isError") is True
        observer.call(tool, arguments, "error" if failed else "ok", started)
        observer.result(method, result)
        return result

    async def message_handler(message: Any) -> None:
        observer.notification(message)
        await handler(message)

    target.send_request = send_request
    target._message_handler = message_handler
    adopt = getattr(target, "adopt", None)
    if adopt is not None:  # 2.x: server/discover results bypass send_request and land here

        def adopt_and_report(result: Any) -> None:
            adopt(result)
            if type(result).__name__ == "DiscoverResult":
                observer.identified(target.server_info, target.protocol_version)

        target.adopt = adopt_and_report
    target._chainwatch_observer = observer
    return session

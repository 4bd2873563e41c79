"""What the proxy learns from a copy of the traffic: server info, tool lists, calls, verdicts.

Runs on the parser thread, off the forwarding path. Requests and responses are matched by id
(the JSON text of the id, so ``1`` and ``"1"`` stay apart). A ``tools/list`` result is pinned and
checked like ``chainwatch tools scan`` (scanner/tools/), keyed by component and version, never by
the server's name in a client config; its findings are recorded in the store at once.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from packageurl import PackageURL

from scanner.models import Finding
from scanner.runtime.hook_event import MAX_ARGS, MAX_DURATION_MS, MAX_TEXT, MAX_TOOLS, SCHEMA_ID
from scanner.tools.model import ActionClass, ChangeKind, SurfaceKey, ToolScanResult
from scanner.tools.parse import ToolListError, parse_tool_list
from scanner.tools.pinning import scan_tools, surface_key
from scanner.tools.run import ToolPins

REFUSED = -32001  # JSON-RPC implementation-defined server error: the proxy refused the call


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """The server's own claim from its ``initialize`` result."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One ``tools/call`` seen: the tool, its action class, and the refusal reason if refused."""

    tool: str
    action: str
    refused: str = ""


@dataclass(slots=True)
class Session:
    """Everything one proxy session saw, for the summary record."""

    server: ServerInfo | None = None
    scans: list[ToolScanResult] = field(default_factory=list)
    calls: list[CallRecord] = field(default_factory=list)
    messages: int = 0
    refused: int = 0
    unparsed: int = 0
    list_changes: int = 0  # notifications/tools/list_changed from the server
    identity: str = ""  # how the component was found, or why it fell back to pkg:generic


Recorder = Callable[[str, tuple[Finding, ...]], None]
Emitter = Callable[[dict[str, Any]], None]  # one event in the hook's format (event.schema.json)
_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array"}


@dataclass(frozen=True, slots=True)
class Pending:
    """A request waiting for its response."""

    method: str
    tool: str = ""
    arguments: tuple[tuple[str, str], ...] = ()  # names and JSON types, never values
    started: float = 0.0
    paged: bool = False  # a tools/list request with a cursor: a later page of the same list


def _text(value: Any) -> str:
    return value[:MAX_TEXT] if isinstance(value, str) else ""


def _shape(arguments: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(arguments, dict):
        return ()
    shape = []
    for name, value in list(arguments.items())[:MAX_ARGS]:
        kind = "null" if value is None else _JSON_TYPES.get(type(value), "object")
        shape.append((_text(name) or "?", kind))
    return tuple(shape)


class Observer:
    """Parse copies of messages in both directions; keep what enforcement needs to decide."""

    def __init__(
        self,
        *,
        agent: str,
        component: str | None,
        pins: ToolPins | None,
        record: Recorder,
        pact: frozenset[str] | None,
        clock: Callable[[], str],
        emit: Emitter = lambda event: None,
        monotonic: Callable[[], float] = time.monotonic,
        identity: str = "",
    ) -> None:
        self._agent = agent
        self._component = component
        self._pins = pins
        self._record = record
        self._pact = pact
        self._clock = clock
        self._emit = emit
        self._monotonic = monotonic
        self._batch = f"proxy-{uuid.uuid4().hex[:16]}"
        self._seq = 0
        self._pending: dict[str, Pending] = {}  # request id (JSON text) -> what was asked
        self._pages: list[Any] = []  # tools of a paginated tools/list so far
        self.session = Session(identity=identity)
        self.actions: dict[str, ActionClass] = {}  # tool -> class, from the latest tools/list
        self.rug_pulled: dict[str, str] = {}  # tool -> what changed without a version change
        self.unlisted_change = False  # list_changed seen, no complete tools/list since

    def feed_line(self, from_client: bool, line: bytes) -> None:
        """Take one newline-delimited message copy (a batch array counts each member)."""
        self.session.messages += 1
        try:
            doc = json.loads(line)
        except ValueError:  # not JSON (e.g. a log line on the wrong stream): forwarded, not parsed
            self.session.unparsed += 1
            return
        for msg in doc if isinstance(doc, list) else [doc]:
            if isinstance(msg, dict):
                self._message(from_client, msg)

    def _message(self, from_client: bool, msg: dict[str, Any]) -> None:
        # Each side numbers its own requests: a request is answered from the other side, so
        # the client's id 1 and the server's id 1 (e.g. a sampling request) stay apart.
        key = ("c" if from_client else "s") + json.dumps(msg.get("id"))
        method = msg.get("method")
        if isinstance(method, str):
            if from_client and method == "tools/call":
                self._call(key, msg)
            elif not from_client and method == "notifications/tools/list_changed":
                self._list_changed()
            elif "id" in msg:
                params = msg.get("params")
                paged = isinstance(params, dict) and params.get("cursor") is not None
                self._pending[key] = Pending(method, paged=paged)
            return
        asked = self._pending.pop(("s" if from_client else "c") + key[1:], None)
        if from_client or asked is None:
            return
        result = msg.get("result")
        if asked.method == "tools/call":
            self._called(asked, result)
        elif not isinstance(result, dict):
            return
        elif asked.method == "initialize":
            self._initialized(result)
        elif asked.method == "tools/list":
            self._page(result, continued=asked.paged)

    def _initialized(self, result: dict[str, Any]) -> None:
        info = result.get("serverInfo")
        if not isinstance(info, dict):
            return
        self.session.server = ServerInfo(_text(info.get("name")), _text(info.get("version")))
        event: dict[str, Any] = {"kind": "server_info", "server": self._server()}
        if _text(result.get("protocolVersion")):
            event["protocol_version"] = _text(result.get("protocolVersion"))
        self._event(event)

    def _list_changed(self) -> None:
        """The server says its tools changed: recorded; the next tools/list is checked as ever."""
        self.session.list_changes += 1
        self.unlisted_change = True
        changed = {"kind": "tools_changed", "server": self._server()}
        self._event(changed | {"component": _text(self._subject())})

    def _call(self, key: str, msg: dict[str, Any]) -> None:
        params = msg.get("params")
        name = params.get("name") if isinstance(params, dict) else None
        tool = name if isinstance(name, str) else ""
        action = self.actions.get(tool, ActionClass.UNKNOWN).value
        self.session.calls.append(CallRecord(tool, action, self.refusal(tool) or ""))
        arguments = _shape(params.get("arguments")) if isinstance(params, dict) else ()
        if "id" in msg:
            self._pending[key] = Pending("tools/call", tool, arguments, self._monotonic())

    def _called(self, asked: Pending, result: Any) -> None:
        if not isinstance(result, dict):
            outcome = "failed"  # a JSON-RPC error, the proxy's refusal included
        else:
            outcome = "error" if result.get("isError") is True else "ok"
        elapsed = max(0.0, (self._monotonic() - asked.started) * 1000)
        self._event(
            {
                "kind": "tool_call",
                "tool": _text(asked.tool) or "?",
                "action_class": self.actions.get(asked.tool, ActionClass.UNKNOWN).value,
                "outcome": outcome,
                "duration_ms": round(min(elapsed, MAX_DURATION_MS), 3),
                "argument_shape": dict(asked.arguments),
            }
        )

    def _server(self) -> dict[str, str]:
        server = self.session.server or ServerInfo("", "")
        out = {"name": server.name or "?"}
        if server.version:
            out["version"] = server.version
        return out

    def _event(self, fields: dict[str, Any]) -> None:
        if self._seq >= 1_000_000:  # the schema's cap on seq: start a new batch
            self._batch, self._seq = f"proxy-{uuid.uuid4().hex[:16]}", 0
        event = {"schema": SCHEMA_ID, "batch_id": self._batch, "seq": self._seq}
        event |= {"time": self._clock(), "agent": self._agent, "session": self._batch}
        if self.session.server is not None and "server" not in fields:
            event["server"] = self._server()
        if self._component is not None and "component" not in fields:
            event["component"] = _text(self._subject())
        self._seq += 1
        self._emit(event | fields)

    def key(self) -> SurfaceKey:
        """Whose tools these are: --component, else the server's claimed name and version."""
        server = self.session.server or ServerInfo("", "")
        if self._component is not None:
            key = surface_key(self._component)
            return key if key.version else SurfaceKey(key.component, server.version)
        bare = PackageURL("generic", None, server.name or "unnamed-mcp-server").to_string()
        return SurfaceKey(bare, server.version)

    def _subject(self) -> str:
        """The component and version the tools are pinned under, as one package URL."""
        key = self.key()
        return key.component + (f"@{key.version}" if key.version else "")

    def _page(self, result: dict[str, Any], *, continued: bool) -> None:
        """Collect a paginated tools/list; the whole list is pinned once its last page is in."""
        tools = result.get("tools")
        if not isinstance(tools, list):
            return
        self._pages = [*self._pages, *tools] if continued else list(tools)
        if isinstance(result.get("nextCursor"), str):
            return  # more to come: a part of the list is not a changed list
        self._tools({"tools": self._pages})
        self._pages = []

    def _tools(self, result: dict[str, Any]) -> None:
        try:
            tools = parse_tool_list(json.dumps(result), "tools/list from the server")
        except ToolListError:
            return  # not a tool list this layer can read; nothing is pinned from it
        key = self.key()
        pinned = self._pins.tool_surface(key) if self._pins is not None else None
        previous = None
        if self._pins is not None and pinned is None:
            previous = self._pins.latest_tool_surface(key.component, other_than=key.version)
        result_ = scan_tools(tools, key, pinned=pinned, previous=previous, at=self._clock())
        if self._pins is not None and result_.pinned:
            self._pins.save_tool_surface(result_.surface)
        self.session.scans.append(result_)
        self.unlisted_change = False
        self.actions = {p.name: p.action for p in result_.surface.pins}
        self.rug_pulled = {
            c.tool: ", ".join(c.fields) or "definition"
            for c in result_.changes
            if c.kind is ChangeKind.RUG_PULL
        }
        subject = key.component + (f"@{key.version}" if key.version else "")
        self._record(subject, result_.findings)
        listed = [
            {"name": _text(p.name), "action_class": p.action.value} for p in result_.surface.pins
        ]
        self._event(
            {"kind": "tools_list", "component": _text(subject), "tools": listed[:MAX_TOOLS]}
        )

    def refusal(self, tool: str) -> str | None:
        """Why --enforce refuses a call to ``tool`` (None: allowed). Unknown tools are refused."""
        if tool in self.rug_pulled:
            return f"its definition ({self.rug_pulled[tool]}) changed without a version change"
        if self.unlisted_change:
            # Fail closed: the server said its tools changed and nobody has seen them since.
            return "the server announced changed tools (list_changed) not listed again since"
        action = self.actions.get(tool)
        if action is None:
            return "the server has not listed this tool"
        if self._pact is not None and action.value not in self._pact:
            return f"action class {action.value} is not in the agent's pact"
        return None


def refusal_response(request_id: Any, tool: str, reason: str) -> bytes:
    """The JSON-RPC error a client shows for a refused call (one line, ASCII)."""
    message = f"chainwatch proxy refused tools/call {tool!r}: {reason}"
    body = {"jsonrpc": "2.0", "id": request_id, "error": {"code": REFUSED, "message": message}}
    return json.dumps(body).encode("ascii") + b"\n"

"""The stdio proxy: sits between an MCP client and a server it starts, relays every byte at once,
pins and checks the tool lists it sees, and with --enforce refuses calls the pact does not allow
or to tools whose definition changed without a version change. Runs the server (its job); never
part of a static scan."""

from scanner.proxy.observe import REFUSED, CallRecord, Observer, ServerInfo, Session
from scanner.proxy.relay import Relay
from scanner.proxy.run import ProxyOptions, run_proxy

__all__ = [
    "REFUSED",
    "CallRecord",
    "Observer",
    "ProxyOptions",
    "Relay",
    "ServerInfo",
    "Session",
    "run_proxy",
]

"""Remote MCP servers: a URL in the config, or a local bridge (mcp-remote) pointed at one.

Identity choice: ``pkg:generic/<host>?download_url=<url>`` with ``url`` set on the component and
ecosystem ``remote``. The URL keeps scheme, host, port and path; user info, query and fragment are
dropped because they often carry tokens and do not name a different server. A remote server's
version cannot be known statically, so its evidence is always ``unresolved``; that is not a
floating-launch finding (there is nothing the config could pin), but plain HTTP to a host other
than this machine is CW104.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from scanner.checks.codes import Code
from scanner.inventory.launch._context import Ctx, make_purl
from scanner.models import Component, EvidenceKind, VersionEvidence

# Local stdio bridges whose first http(s) argument is the remote server they talk to.
BRIDGES = frozenset({"mcp-remote", "mcp-proxy", "supergateway"})
_SCHEMES = frozenset({"http", "https", "ws", "wss"})
_PLAIN = frozenset({"http", "ws"})


def add_bridge_urls(ctx: Ctx, package: str, args: list[str]) -> None:
    """For a known bridge package, add the remote server its arguments point at."""
    if package.lower() not in BRIDGES:
        return
    for arg in args:
        if arg.lower().startswith(("http://", "https://", "ws://", "wss://")):
            add_remote(ctx, arg, via=package)
            return


def add_remote(ctx: Ctx, raw: str, *, via: str | None = None) -> None:
    """Add a remote server component for ``raw``; a URL we cannot read becomes a Skipped."""
    try:
        parts = urlsplit(raw.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        ctx.skip(f"remote URL {raw!r} cannot be parsed")
        return
    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES or not host:
        ctx.skip(f"remote URL {raw!r} is not an http(s) or ws(s) URL with a host")
        return
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    url = urlunsplit((scheme, netloc, parts.path, "", ""))
    purl = make_purl("generic", host, qualifiers={"download_url": url})
    detail = "remote server: version not knowable statically"
    if via:
        detail += f" (through local bridge {via})"
    ctx.add(
        Component(
            purl=purl,
            ecosystem="remote",
            name=host,
            version=None,
            evidence=VersionEvidence(EvidenceKind.UNRESOLVED, detail=detail),
            source=ctx.location,
            url=url,
        )
    )
    if scheme in _PLAIN and not is_local_host(host):
        ctx.flag(
            Code.PLAIN_HTTP_REMOTE,
            purl,
            f"remote server {host} is reached over unencrypted {scheme}://",
            url=url,
        )


def is_local_host(host: str) -> bool:
    """True for loopback names and addresses (and 0.0.0.0 / ::, which connect to this host)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified

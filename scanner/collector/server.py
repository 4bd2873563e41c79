"""Run the collector under uvicorn (``chainwatch serve``)."""

from __future__ import annotations

import uvicorn

from scanner.collector.app import CollectorSettings, create_app


def server(settings: CollectorSettings, *, host: str, port: int) -> uvicorn.Server:
    """A uvicorn server for the collector (port 0 picks a free port; see ``bound_port``)."""
    # No proxy headers: a client address from X-Forwarded-For would be the client's own claim.
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, proxy_headers=False, log_level="info"
    )
    return uvicorn.Server(config)


def bound_port(srv: uvicorn.Server) -> int:
    """The port a started server listens on."""
    return int(srv.servers[0].sockets[0].getsockname()[1])


def serve(settings: CollectorSettings, *, host: str, port: int) -> None:
    """Serve until interrupted."""
    server(settings, host=host, port=port).run()

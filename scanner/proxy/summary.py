"""A proxy session in a few lines of text (server text escaped: it is untrusted)."""

from __future__ import annotations

from collections.abc import Iterator

from scanner.proxy.observe import Session
from scanner.report.text import reveal


def summary_lines(session: Session, *, verbose: bool = False) -> Iterator[str]:
    """Server, counts, findings; with ``verbose`` every call and every finding's message."""
    server = session.server
    name = f"{reveal(server.name)} {reveal(server.version)}" if server else "(no initialize seen)"
    yield f"server:    {name}"
    if session.identity:
        yield f"identity:  {reveal(session.identity)}"
    yield f"messages:  {session.messages} ({session.unparsed} not JSON)"
    changed = (
        f" ({session.list_changes} list_changed from the server)" if session.list_changes else ""
    )
    yield f"tool lists: {len(session.scans)}{changed}"
    yield f"calls:     {len(session.calls)} ({session.refused} refused)"
    findings = [f for scan in session.scans for f in scan.findings]
    yield f"findings:  {len(findings)}"
    for f in findings:
        yield f"  {f.code} {f.severity.value} {reveal(f.message)}"
    if verbose:
        for call in session.calls:
            verdict = f" (refusable: {call.refused})" if call.refused else ""
            yield f"  call {reveal(call.tool)} [{call.action}]{verdict}"

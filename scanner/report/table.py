"""Human tables (rich): agents -> servers -> components, skipped items with reasons."""

from __future__ import annotations

from typing import TYPE_CHECKING

from packageurl import PackageURL
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from scanner.models import Component, Finding, Inventory, Severity

if TYPE_CHECKING:
    # Only a type: importing the scan pipeline here would load sigstore for `inventory`.
    from scanner.scan import ScanResult

_SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def component_label(c: Component) -> str:
    """One line for a component: identity, version and its evidence."""
    version = c.version or "?"
    where = f" [dim]({c.evidence.kind.value}"
    where += f": {c.evidence.detail}" if c.evidence.detail else ""
    where += ")[/dim]"
    ident = c.url if c.ecosystem == "remote" and c.url else c.name
    return f"[bold]{c.ecosystem}[/bold] {ident} [green]{version}[/green]{where}"


def short_subject(subject: str) -> str:
    """``name@version`` for a package URL (remote servers: their URL); other subjects as given."""
    if not subject.startswith("pkg:"):
        return subject
    try:
        purl = PackageURL.from_string(subject)
    except ValueError:
        return subject
    if purl.type == "generic" and purl.qualifiers:
        quals = purl.qualifiers if isinstance(purl.qualifiers, dict) else {}
        if "download_url" in quals:
            return str(quals["download_url"])
    name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
    return f"{name}@{purl.version}" if purl.version else name


def finding_label(f: Finding) -> str:
    """One line for a finding."""
    style = _SEVERITY_STYLE[f.severity]
    return f"[{style}]{f.severity.value.upper()} {f.code}[/{style}] {f.message}"


def render_inventory(inventory: Inventory, console: Console) -> None:
    """Print the inventory as a tree per agent, then a summary table."""
    for ai in inventory.agents:
        a = ai.agent
        tree = Tree(f"[bold magenta]{a.name}[/bold magenta] [dim]{a.id} ({a.origin})[/dim]")
        for si in ai.servers:
            s = si.server
            node = tree.add(
                f"[bold]{s.name}[/bold] [dim]{s.client} {s.transport.value} {s.location}[/dim]"
            )
            for c in si.components:
                node.add(component_label(c))
            for k in si.skipped:
                node.add(f"[yellow]skipped[/yellow] {k.subject}: {k.reason}")
            for f in si.findings:
                node.add(finding_label(f))
        if ai.packages:
            locked = tree.add(f"[bold]locked packages[/bold] ({len(ai.packages)})")
            for c in ai.packages[:20]:
                locked.add(component_label(c))
            if len(ai.packages) > 20:
                locked.add(f"[dim]... {len(ai.packages) - 20} more (use --format json)[/dim]")
        for k in ai.skipped:
            tree.add(f"[yellow]skipped[/yellow] {k.subject}: {k.reason}")
        for e in ai.errors:
            tree.add(f"[red]error[/red] {e}")
        console.print(tree)
    for e in inventory.errors:
        console.print(f"[red]error[/red] {e}")
    console.print(summary_table(inventory))


def summary_table(inventory: Inventory) -> Table:
    """Counts per agent."""
    table = Table(title="inventory", show_lines=False)
    for col in ("agent", "servers", "components", "locked", "skipped", "errors"):
        table.add_column(col, justify="left" if col == "agent" else "right")
    for ai in inventory.agents:
        skipped = len(ai.skipped) + sum(len(s.skipped) for s in ai.servers)
        table.add_row(
            ai.agent.id,
            str(len(ai.servers)),
            str(sum(len(s.components) for s in ai.servers)),
            str(len(ai.packages)),
            str(skipped),
            str(len(ai.errors)),
        )
    return table


_STATUS_STYLE = {
    "digest-mismatch": "bold red",
    "attestation-invalid": "bold red",
    "fetch-failed": "magenta",
    "no-attestation": "yellow",
    "unresolved": "dim",
    "verified": "green",
}


# Worst first: what needs a person's attention leads the table.
_STATUS_ORDER = {s: i for i, s in enumerate(_STATUS_STYLE)}


def _short(text: str, width: int = 20) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def registries_table(result: ScanResult) -> Table:
    """The registry used per ecosystem, the setting that chose it and how many it was asked for."""
    table = Table(title="registries", show_lines=False)
    for col in ("ecosystem", "registry", "role", "setting from", "components"):
        table.add_column(col, overflow="fold", justify="right" if col == "components" else "left")
    for u in result.registries:
        table.add_row(
            u.ecosystem, escape(u.registry), escape(u.role), escape(u.source), str(len(u.purls))
        )
    return table


def render_scan(result: ScanResult, console: Console) -> None:
    """Components with their final status, findings by severity, then counts."""
    table = Table(title="components", show_lines=False)
    for col in ("component", "version", "evidence", "status", "detail"):
        table.add_column(col, overflow="fold")
    for _, v in sorted(
        result.verdicts.items(), key=lambda kv: (_STATUS_ORDER[kv[1].status.value], kv[0])
    ):
        c = v.component
        style = _STATUS_STYLE.get(v.status.value, "")
        detail = v.identity.describe() if v.identity is not None else v.reason
        table.add_row(
            f"{c.ecosystem} {c.url if c.ecosystem == 'remote' and c.url else c.name}",
            _short(c.version or "?"),
            c.evidence.kind.value,
            f"[{style}]{v.status.value}[/{style}]",
            detail,
        )
    console.print(table)
    if result.registries:
        console.print(registries_table(result))
    ordered = sorted(result.findings, key=lambda af: -af[1].severity.rank)
    if ordered:
        findings = Table(title="findings")
        for col in ("severity", "code", "agent", "subject", "message"):
            findings.add_column(col, overflow="fold")
        for agent_id, f in ordered:
            style = _SEVERITY_STYLE[f.severity]
            findings.add_row(
                f"[{style}]{f.severity.value}[/{style}]",
                f.code,
                agent_id or "-",
                short_subject(f.subject),
                f.message,
            )
        console.print(findings)
    for ai in result.inventory.agents:
        for k in ai.skipped:
            console.print(f"[yellow]skipped[/yellow] {ai.agent.id}: {k.subject}: {k.reason}")
        for s in ai.servers:
            for k in s.skipped:
                console.print(
                    f"[yellow]skipped[/yellow] {ai.agent.id}/{s.server.name}: "
                    f"{k.subject}: {k.reason}"
                )
        for e in ai.errors:
            console.print(f"[red]error[/red] {ai.agent.id}: {e}")
    for e in result.inventory.errors:
        console.print(f"[red]error[/red] {e}")
    counts = result.status_counts()
    console.print(
        "status: "
        + ", ".join(f"{k}={n}" for k, n in counts.items())
        + (f"  (scan #{result.scan_id} recorded)" if result.scan_id else "")
    )

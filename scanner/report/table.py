"""The text report: one entry per line group, word-wrapped to the width, linear in the rows.

Written for a CI log as much as for a terminal: no markup language (a name like ``[bold]x[/]``
is plain text), untrusted text cleaned and redacted (report.text), no word or identifier cut
(a long detail goes on its own, indented lines), colour only when asked for. It does not use a
measuring table widget: measuring every cell made a 200,000-row scan take minutes to print
(bench/bench_report.py).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from packageurl import PackageURL

from scanner.models import Component, Finding, Inventory, Skipped
from scanner.report._style import (
    _SEVERITY_WIDTH,
    _SGR,
    _STATUS_ORDER,
    _STATUS_WIDTH,
    SEVERITY_STYLE,
    STATUS_STYLE,
)
from scanner.report.interface import Report, ReportOptions
from scanner.report.text import clean, safe, wrap

if TYPE_CHECKING:
    from rich.console import Console

    from attestations.record import RecordReport
    from scanner.scan import ScanResult
    from scanner.tools.model import ToolScanResult

_DETAIL_LINES = 3  # without -v, a detail longer than this is shortened (json has the full text)
_LOCKED_SHOWN = 20


def short_subject(subject: str) -> str:
    """``name@version`` for a package URL (remote servers: their URL); other subjects as given."""
    if not subject.startswith("pkg:"):
        return subject
    try:
        purl = PackageURL.from_string(subject)
    except ValueError:
        return subject
    if purl.type == "generic" and isinstance(purl.qualifiers, dict):
        if "download_url" in purl.qualifiers:
            return str(purl.qualifiers["download_url"])
    name = f"{purl.namespace}/{purl.name}" if purl.namespace else purl.name
    return f"{name}@{purl.version}" if purl.version else name


def component_words(c: Component) -> list[str]:
    """A component as words: ecosystem, identity, version, (evidence: detail)."""
    ident = c.url if c.ecosystem == "remote" and c.url else c.name
    evidence = c.evidence.kind.value + (f": {c.evidence.detail}" if c.evidence.detail else "")
    return [clean(c.ecosystem), *clean(ident).split(), clean(c.version or "?")] + (
        f"({safe(evidence)})".split()
    )


class TableReport(Report):
    """Human-readable text: lists and short summaries, word-wrapped, optionally coloured."""

    def _paint(self, text: str, style: str) -> str:
        return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if self.options.color and style else text

    def _entry(self, head: str, style: str, words: Sequence[str], detail: str) -> Iterator[str]:
        """``head`` (padded, coloured) + words; the detail joins the line or goes below it."""
        width = self.options.width
        first = list(wrap(list(words), width, first=head, indent=len(head)))
        detail_words = safe(detail).split() if detail else []
        tail = " ".join(detail_words)
        if detail_words and len(first) == 1 and len(first[0]) + 3 + len(tail) <= width:
            first[0] += " - " + tail
            detail_words = []
        first[0] = self._paint(head.rstrip(), style) + first[0][len(head.rstrip()) :]
        yield from first
        lines = list(wrap(detail_words, width, first=" " * len(head), indent=len(head)))
        if not self.options.verbose and len(lines) > _DETAIL_LINES:
            lines = [*lines[:_DETAIL_LINES], " " * len(head) + "… (full text: --format json)"]
        yield from (line for line in lines if line.strip())

    # ------------------------------------------------------------------ scan

    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Components by status (worst first), findings by severity, skipped items, counts."""
        _write(out, self._scan_lines(result))

    def _scan_lines(self, result: ScanResult) -> Iterator[str]:
        if not self.options.quiet and result.verdicts:
            yield f"components ({len(result.verdicts)})"
            for _, v in sorted(
                result.verdicts.items(),
                key=lambda kv: (_STATUS_ORDER.get(kv[1].status.value, 99), kv[0]),
            ):
                status = v.status.value
                detail = v.identity.describe() if v.identity is not None else v.reason
                yield from self._entry(
                    status.ljust(_STATUS_WIDTH),
                    STATUS_STYLE.get(status, ""),
                    component_words(v.component),
                    detail,
                )
        if not self.options.quiet and result.registries:
            yield f"registries ({len(result.registries)})"
            for u in result.registries:
                words = [clean(u.registry), f"({clean(u.role)};", "setting", "from"]
                words += [*clean(u.source).split(), "->", str(len(u.purls)), "components)"]
                head = f"  {clean(u.ecosystem):<6} "
                yield from wrap(words, self.options.width, first=head, indent=len(head))
        ordered = sorted(result.findings, key=lambda af: -af[1].severity.rank)
        if ordered:
            yield f"findings ({len(ordered)})"
            for agent_id, f in ordered:
                yield from self._finding(f, agent_id)
        if not self.options.quiet:
            for ai in result.inventory.agents:
                yield from self._skipped(ai.skipped, clean(ai.agent.id))
                for s in ai.servers:
                    yield from self._skipped(
                        s.skipped, f"{clean(ai.agent.id)}/{clean(s.server.name)}"
                    )
        counts = [f"{k}={n}," for k, n in result.status_counts().items()]
        counts[-1] = counts[-1].rstrip(",")
        recorded = f"(scan #{result.scan_id} recorded)".split() if result.scan_id else []
        yield from wrap([*counts, *recorded], self.options.width, first="status: ", indent=8)

    def _finding(self, f: Finding, agent_id: str | None, indent: str = "") -> Iterator[str]:
        head = indent + f.severity.value.upper().ljust(_SEVERITY_WIDTH)
        words = [clean(f.code), *([f"{clean(agent_id)}:"] if agent_id else [])]
        words += clean(short_subject(f.subject)).split()
        yield from self._entry(head, SEVERITY_STYLE[f.severity], words, f.message)

    def _skipped(self, items: Iterable[Skipped], where: str, indent: str = "") -> Iterator[str]:
        head = indent + "skipped".ljust(_STATUS_WIDTH if not indent else 9)
        for k in items:
            words = [*(f"{where}:" if where else "").split(), *(clean(k.subject) + ":").split()]
            yield from self._entry(head, "yellow", words, k.reason)

    # ------------------------------------------------------------- inventory

    def inventory(self, inventory: Inventory, out: TextIO, *, scan_id: int | None = None) -> None:
        """Agents -> servers -> components, then one summary row per agent."""
        _write(out, self._inventory_lines(inventory, scan_id))

    def _inventory_lines(self, inventory: Inventory, scan_id: int | None) -> Iterator[str]:
        width = self.options.width
        for ai in [] if self.options.quiet else inventory.agents:
            a = ai.agent
            head = self._paint(f"agent {clean(a.id)}", "bold magenta")
            yield from wrap(
                [*clean(a.name).split(), f"({clean(a.origin)})"], width, first=head + " "
            )
            for si in ai.servers:
                s = si.server
                project = ["project", clean(s.project)] if s.project else []
                where = [clean(s.client), *project, s.transport.value, clean(str(s.location))]
                yield from wrap(
                    where, width, first=f"  server {self._paint(clean(s.name), 'bold')} "
                )
                for c in si.components:
                    yield from wrap(component_words(c), width, first="    ", indent=6)
                yield from self._skipped(si.skipped, "", indent="    ")
                for f in si.findings:
                    yield from self._finding(f, None, indent="    ")
            if ai.packages:
                yield f"  locked packages ({len(ai.packages)})"
                shown = ai.packages if self.options.verbose else ai.packages[:_LOCKED_SHOWN]
                for c in shown:
                    yield from wrap(component_words(c), width, first="    ", indent=6)
                if len(shown) < len(ai.packages):
                    more = len(ai.packages) - len(shown)
                    yield f"    ... {more} more (-v or --format json lists them)"
            yield from self._skipped(ai.skipped, "", indent="  ")
            for f in ai.findings if self.options.verbose else ():
                yield from self._finding(f, None, indent="  ")
        yield from summary_lines(inventory)
        if scan_id is not None:
            yield f"(scan #{scan_id} recorded)"

    # ------------------------------------------------------------ tools scan

    def tool_scan(self, result: ToolScanResult, out: TextIO) -> None:
        """Baseline, changes and poisoning findings (quotes escaped), tools, counts."""
        from scanner.report.tools import tool_scan_lines

        _write(out, tool_scan_lines(self, result))

    # ------------------------------------------------------------ verify-env

    def verify_env(self, site: Path, reports: Sequence[RecordReport], out: TextIO) -> None:
        """Every problem of every distribution, then counts."""
        lines: list[str] = []
        for r in reports:
            for p in r.problems:
                words = [f"{clean(r.name)}:", clean(p.path)]
                lines.extend(self._entry(clean(p.kind).ljust(15), "red", words, p.detail))
        checked = sum(r.checked for r in reports)
        bad = sum(1 for r in reports if not r.ok)
        lines.append(f"{len(reports)} distributions, {checked} files checked, {bad} with problems")
        _write(out, lines)


def render_scan(result: ScanResult, console: Console) -> None:
    """The text scan report through a rich console (kept for callers that hold one)."""
    _to_console(console, lambda out: TableReport(_console_options(console)).scan(result, out))


def render_inventory(inventory: Inventory, console: Console) -> None:
    """The text inventory report through a rich console (kept for callers that hold one)."""
    report = TableReport(_console_options(console))
    _to_console(console, lambda out: report.inventory(inventory, out))


def _console_options(console: Console) -> ReportOptions:
    return ReportOptions(width=console.width)


def _to_console(console: Console, write: Callable[[TextIO], None]) -> None:
    buffer = io.StringIO()
    write(buffer)
    # No markup, no highlighting, no re-wrapping: the text is already safe and laid out.
    console.print(buffer.getvalue(), markup=False, highlight=False, soft_wrap=True, end="")


def summary_lines(inventory: Inventory) -> Iterator[str]:
    """Counts per agent, as aligned columns; an agent id is never cut (the column widens)."""
    if not inventory.agents:
        return  # nothing was read: the errors on stderr say why, not an empty table
    rows = [("agent", "servers", "components", "locked", "skipped", "errors")]
    for ai in inventory.agents:
        skipped = len(ai.skipped) + sum(len(s.skipped) for s in ai.servers)
        components = sum(len(s.components) for s in ai.servers)
        rows.append(
            (
                clean(ai.agent.id),
                str(len(ai.servers)),
                str(components),
                str(len(ai.packages)),
                str(skipped),
                str(len(ai.errors)),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        yield "  ".join(cells).rstrip()


def _write(out: TextIO, lines: Iterable[str]) -> None:
    # One join and one write: per-line writes to a pipe dominate large reports otherwise.
    text = "\n".join(lines)
    if text:
        out.write(text + "\n")

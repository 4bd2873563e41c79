"""Tool scans in the text and JSON reports (``chainwatch tools scan``).

Tool names, descriptions and quoted spans are untrusted: the text report shows every hidden
character as an escape (report.text.reveal) and then cleans and redacts like any other text;
the JSON document is written with ``ensure_ascii``, so every non-ASCII character, hidden or
not, is a ``\\uXXXX`` escape and the values stay exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scanner.models import Finding
from scanner.report._style import _SEVERITY_WIDTH, SEVERITY_STYLE
from scanner.report.text import clean, reveal, wrap

if TYPE_CHECKING:
    from scanner.report.table import TableReport
    from scanner.tools.model import ToolScanResult


def _finding_doc(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "subject": f.subject,
        "message": f.message,
        "evidence": dict(f.evidence),
    }


def tool_scan_document(result: ToolScanResult) -> dict[str, Any]:
    """The tool scan as a JSON document (schema chainwatch.tools-scan/1)."""
    return {
        "schema": "chainwatch.tools-scan/1",
        "source": result.source,
        "component": result.key.component,
        "version": result.key.version or None,
        "baseline": None
        if result.baseline is None
        else {"component": result.baseline.component, "version": result.baseline.version},
        "pinned": result.pinned,
        "tools": [
            {
                "name": p.name,
                "action": p.action.value,
                "sha256": p.sha256,
                "fields": {
                    "description": p.description,
                    "inputSchema": p.input_schema,
                    "annotations": p.annotations,
                    "other": p.other,
                },
                "hints": {
                    "readOnlyHint": p.hints.read_only,
                    "destructiveHint": p.hints.destructive,
                    "idempotentHint": p.hints.idempotent,
                    "openWorldHint": p.hints.open_world,
                },
            }
            for p in result.surface.pins
        ],
        "changes": [
            {
                "kind": c.kind.value,
                "tool": c.tool,
                "old_version": c.old_version or None,
                "new_version": c.new_version or None,
                "fields": list(c.fields),
                "detail": c.detail,
            }
            for c in result.changes
        ],
        "findings": [_finding_doc(f) for f in result.findings],
        "skipped": [{"subject": s.subject, "reason": s.reason} for s in result.skipped],
    }


def tool_scan_json(result: ToolScanResult) -> str:
    """The JSON text of a tool scan, every non-ASCII character escaped."""
    return json.dumps(tool_scan_document(result), indent=2, ensure_ascii=True)


def tool_scan_lines(report: TableReport, result: ToolScanResult) -> Iterator[str]:
    """The text report of a tool scan: baseline, changes, findings, tools, skipped, counts."""
    width = report.options.width
    subject = result.key.component + (f"@{result.key.version}" if result.key.version else "")
    head = [*clean(subject).split(), f"({len(result.surface.pins)} tools from"]
    head += [*clean(result.source + ")").split()]
    yield from wrap(head, width, first="tools ", indent=6)
    if result.baseline is None:
        state = "first sight: pinned"
    else:
        seen = result.baseline.version or "?"
        state = f"compared with the pin of version {clean(seen)}"
        state += "; pinned" if result.pinned else "; pin kept (--accept replaces it)"
    yield from wrap(state.split(), width, first="  ", indent=4)
    findings = sorted(result.findings, key=lambda f: -f.severity.rank)
    if findings:
        yield f"findings ({len(findings)})"
        for f in findings:
            yield from _tool_finding(report, f)
    if not report.options.quiet and result.surface.pins:
        yield f"tools ({len(result.surface.pins)})"
        for p in result.surface.pins:
            words = [reveal(p.name), p.action.value, f"sha256:{p.sha256[:16]}"]
            yield from wrap([clean(w) for w in words], width, first="  ", indent=4)
    for s in result.skipped:
        words = [*clean(reveal(s.subject) + ":").split()]
        yield from report._entry("skipped  ", "yellow", words, reveal(s.reason))
    yield (
        f"changes={len(result.changes)}, findings={len(result.findings)},"
        f" skipped={len(result.skipped)}"
    )


def _tool_finding(report: TableReport, f: Finding) -> Iterator[str]:
    evidence = dict(f.evidence)
    tool = evidence.get("tool", "")
    detail = f.message.removeprefix(f"tool {tool}: ")
    if "quote" in evidence:
        detail += f' - quote: "{evidence["quote"]}"'
    head = f.severity.value.upper().ljust(_SEVERITY_WIDTH)
    words = [clean(f.code), *([clean(reveal(tool)) + ":"] if tool else [])]
    yield from report._entry(head, SEVERITY_STYLE[f.severity], words, detail)

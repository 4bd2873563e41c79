"""Markdown for a pull-request comment: the verdict first, then what to fix, then the details.

Every value from configs, lockfiles or registries is cleaned of control characters and escaped
for Markdown (``|``, backticks, ``<``, brackets...), so a package name cannot forge table cells,
links, mentions or HTML in the comment.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from scanner.models import Severity
from scanner.report.interface import Report, ResultReport
from scanner.report.text import safe

if TYPE_CHECKING:
    from scanner.scan import ScanResult

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~@])")
_SHOWN = 50  # findings listed in full before "and N more"
_ICON = {0: "PASS", 1: "FAIL", 2: "INPUT ERROR", 3: "INCOMPLETE"}


def md(text: str) -> str:
    """Untrusted text as inert Markdown: cleaned, then every special character escaped."""
    return _SPECIAL.sub(r"\\\1", safe(text))


def markdown_document(result: ScanResult) -> str:
    """The comment's Markdown text."""
    check = result.check
    code = check.exit_code if check is not None else (result.gate.exit_code if result.gate else 0)
    what = "check" if check is not None else "scan"
    lines = [f"## chainwatch {what}: {_ICON.get(code, 'FAIL')} (exit {code})", ""]
    counts = ", ".join(f"{n} {s}" for s, n in result.status_counts().items() if n)
    lines.append(f"{len(result.verdicts)} components: {counts or 'none'}.")
    if check is not None and not check.audit_complete:
        lines.append("")
        lines.append(
            "**The vulnerability audit is incomplete**: an advisory source did not answer."
        )
    by_severity = Counter(f.severity for _, f in result.findings)
    if result.findings:
        summary = ", ".join(
            f"{by_severity[s]} {s.value}" for s in reversed(Severity) if by_severity[s]
        )
        lines += ["", f"### Findings ({summary})", ""]
        lines += ["| severity | code | subject | agent | message |", "|---|---|---|---|---|"]
        ordered = sorted(result.findings, key=lambda af: -af[1].severity.rank)
        for agent, f in ordered[:_SHOWN]:
            cells = (f.severity.value, f.code, md(f.subject), md(agent or "-"), md(f.message))
            lines.append("| " + " | ".join(cells) + " |")
        if len(ordered) > _SHOWN:
            lines.append(f"\nand {len(ordered) - _SHOWN} more (see the JSON or SARIF report)")
    if check is not None:
        if check.outcome.ignored:
            lines += ["", "### Ignored by the policy", ""]
            lines += [
                f"- {f.code} on `{md(f.subject)}` until {i.expires.isoformat()}: {md(i.reason)}"
                for f, i in check.outcome.ignored
            ]
        if check.outcome.expired:
            lines += ["", "### Expired ignores (they ignore no more)", ""]
            lines += [
                f"- {md(i.describe())}: expired {i.expires.isoformat()}"
                for i in check.outcome.expired
            ]
        lines += ["", "<details><summary>gate</summary>", "", "```text"]
        lines += [safe(line).replace("```", "'''") for line in check.lines()]
        lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


class MarkdownReport(ResultReport, Report):
    """A pull-request comment."""

    name = "Markdown"

    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Write the comment."""
        out.write(markdown_document(result))

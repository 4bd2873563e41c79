"""Styles and column widths shared by the text reports (table, tool scans)."""

from __future__ import annotations

from scanner.models import Severity

_SGR = {"bold red": "1;31", "red": "31", "yellow": "33", "cyan": "36", "dim": "2", "green": "32"}
_SGR |= {"magenta": "35", "bold": "1", "bold magenta": "1;35"}
SEVERITY_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
STATUS_STYLE = {
    "digest-mismatch": "bold red",
    "attestation-invalid": "bold red",
    "fetch-failed": "magenta",
    "no-attestation": "yellow",
    "registry-signed": "yellow",
    "unresolved": "dim",
    "verified": "green",
}
# Worst first: what needs a person's attention leads the list.
_STATUS_ORDER = {s: i for i, s in enumerate(STATUS_STYLE)}
_STATUS_WIDTH = max(map(len, STATUS_STYLE)) + 2
_SEVERITY_WIDTH = max(len(s.value) for s in Severity) + 2

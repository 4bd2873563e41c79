"""Report formats by name: the one place that maps a ``ReportFormat`` to its class.

Implementations load on demand (CycloneDX pulls in its library), so picking the table format
loads none of the others.
"""

from __future__ import annotations

import importlib

from scanner.report.interface import Report, ReportError, ReportFormat, ReportOptions

# Format -> (module, class): only the chosen one is imported.
_FORMATS: dict[ReportFormat, tuple[str, str]] = {
    ReportFormat.TABLE: ("scanner.report.table", "TableReport"),
    ReportFormat.JSON: ("scanner.report.json", "JsonReport"),
    ReportFormat.SARIF: ("scanner.report.sarif", "SarifReport"),
    ReportFormat.MARKDOWN: ("scanner.report.markdown", "MarkdownReport"),
    ReportFormat.CYCLONEDX: ("scanner.report.cyclonedx", "CycloneDxReport"),
}


def report_for(fmt: ReportFormat | str, options: ReportOptions | None = None) -> Report:
    """The report object for a format name."""
    try:
        module, name = _FORMATS[ReportFormat(fmt)]
    except ValueError:
        raise ReportError(
            f"unknown report format {fmt!r}",
            hint=f"choose one of: {', '.join(f.value for f in ReportFormat)}",
        ) from None
    cls: type[Report] = getattr(importlib.import_module(module), name)
    return cls(options)

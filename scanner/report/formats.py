"""Report formats by name: the one place that maps a ``ReportFormat`` to its class.

Implementations load on demand (CycloneDX pulls in its library), so picking the table format
loads none of the others.
"""

from __future__ import annotations

from scanner.report.interface import Report, ReportError, ReportFormat, ReportOptions


def report_for(fmt: ReportFormat | str, options: ReportOptions | None = None) -> Report:
    """The report object for a format name."""
    from scanner.report.cyclonedx import CycloneDxReport
    from scanner.report.json import JsonReport
    from scanner.report.markdown import MarkdownReport
    from scanner.report.sarif import SarifReport
    from scanner.report.table import TableReport

    formats: dict[ReportFormat, type[Report]] = {
        ReportFormat.TABLE: TableReport,
        ReportFormat.JSON: JsonReport,
        ReportFormat.SARIF: SarifReport,
        ReportFormat.MARKDOWN: MarkdownReport,
        ReportFormat.CYCLONEDX: CycloneDxReport,
    }
    try:
        return formats[ReportFormat(fmt)](options)
    except ValueError:
        raise ReportError(
            f"unknown report format {fmt!r}",
            hint=f"choose one of: {', '.join(f.value for f in ReportFormat)}",
        ) from None

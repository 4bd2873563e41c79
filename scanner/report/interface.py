"""One interface for every report format; formats are registered explicitly by name.

A later format (SARIF, Markdown, CycloneDX) is a subclass of ``Report`` plus one line in
``_FORMATS``. Reports write to a text stream they are given; the CLI picks the stream (stdout or
``-o FILE``), and errors go to stderr from the CLI, never into a report's stream.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from scanner.errors import ChainwatchError

if TYPE_CHECKING:
    from attestations.record import RecordReport
    from scanner.models import Inventory
    from scanner.scan import ScanResult
    from scanner.tools.model import ToolScanResult


class ReportFormat(StrEnum):
    """The output formats chainwatch can write."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"  # scan and check results only
    MARKDOWN = "markdown"  # scan and check results only: a pull-request comment
    CYCLONEDX = "cyclonedx"  # scan and check results only: a CycloneDX 1.6 SBOM


RESULT_ONLY = frozenset({ReportFormat.SARIF, ReportFormat.MARKDOWN, ReportFormat.CYCLONEDX})


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """How a report is laid out: line width, colour, and how much it says."""

    width: int = 80
    color: bool = False
    quiet: bool = False  # only the summary (and, in text, the findings)
    verbose: bool = False  # every row and the full text of every detail


class ReportError(ChainwatchError):
    """A report format cannot be written."""


class ResultReport:
    """Mixin of the formats that describe scan and check results only (SARIF, Markdown, SBOM)."""

    name = "this format"

    def inventory(self, inventory: Inventory, out: TextIO, *, scan_id: int | None = None) -> None:
        """Not written: the format describes results."""
        raise ReportError(f"{self.name} describes scan results", hint="use --format table or json")

    def verify_env(self, site: Path, reports: Sequence[RecordReport], out: TextIO) -> None:
        """Not written: the format describes results."""
        raise ReportError(f"{self.name} describes scan results", hint="use --format table or json")


class Report(ABC):
    """A report format: renders inventories, scans and environment checks to a text stream."""

    def __init__(self, options: ReportOptions | None = None) -> None:
        self.options = options or ReportOptions()

    @abstractmethod
    def inventory(self, inventory: Inventory, out: TextIO, *, scan_id: int | None = None) -> None:
        """Write an inventory."""

    @abstractmethod
    def scan(self, result: ScanResult, out: TextIO) -> None:
        """Write a scan's verdicts, findings and what was skipped."""

    @abstractmethod
    def verify_env(self, site: Path, reports: Sequence[RecordReport], out: TextIO) -> None:
        """Write the result of checking an installed environment against its RECORD files."""

    def tool_scan(self, result: ToolScanResult, out: TextIO) -> None:
        """Write a tool list's pins, changes and poisoning findings (not every format can)."""
        raise ReportError(f"{type(self).__name__} cannot write tool scans", hint="--format json")

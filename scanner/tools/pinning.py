"""Pin and check a captured tool list against what was pinned for the same component.

Pins are keyed by component identity (package URL without version) and version, never by the
server's name in a client config: renaming a server does not reset its pins.

1. A pin for this component at this version exists: compare; a difference is a rug pull. The pin
   is kept (so the alarm repeats) unless the caller accepts the new surface.
2. None at this version, but at another: compare with the most recent one (changes to review)
   and pin this version.
3. Never seen: pin; nothing to compare (first sight is reported as such).
"""

from __future__ import annotations

from packageurl import PackageURL

from scanner.checks.codes import Code, finding
from scanner.errors import InputError
from scanner.models import Finding, Severity, Skipped, SourceLocation
from scanner.report.text import reveal
from scanner.tools.canonical import ToolPinError, pin_tool
from scanner.tools.diff import compare
from scanner.tools.model import (
    ChangeKind,
    SurfaceKey,
    ToolChange,
    ToolList,
    ToolScanResult,
    ToolSurface,
)
from scanner.tools.poison import check_tool


class ComponentError(InputError):
    """The component named for a tool list is not a package URL."""


def surface_key(purl: str) -> SurfaceKey:
    """(purl without version, version) for a package URL; the version may be empty."""
    try:
        p = PackageURL.from_string(purl)
    except ValueError as exc:
        raise ComponentError(
            "--component", f"not a package URL: {exc}", hint="e.g. pkg:npm/%40scope/server@1.2.3"
        ) from None
    bare = PackageURL(p.type, p.namespace, p.name, None, p.qualifiers, p.subpath).to_string()
    return SurfaceKey(bare, p.version or "")


def pin_surface(
    tools: ToolList, key: SurfaceKey, at: str = ""
) -> tuple[ToolSurface, list[Skipped]]:
    """Pin every tool; a tool without a canonical form is skipped with the reason."""
    pins = []
    skipped = list(tools.skipped)
    for tool in tools.tools:
        try:
            pins.append(pin_tool(tool, tools.source))
        except ToolPinError as exc:
            skipped.append(Skipped(tool.name, exc.problem, SourceLocation(tools.source)))
    return ToolSurface(key, tuple(pins), at), skipped


_SEVERITY: dict[ChangeKind, tuple[Code, Severity, Severity]] = {
    # kind: (code, severity at the same version, severity when the version changed)
    ChangeKind.ADDED: (Code.TOOL_ADDED, Severity.MEDIUM, Severity.LOW),
    ChangeKind.REMOVED: (Code.TOOL_REMOVED, Severity.LOW, Severity.INFO),
    ChangeKind.RUG_PULL: (Code.TOOL_RUG_PULL, Severity.HIGH, Severity.HIGH),
    ChangeKind.CHANGED: (Code.TOOL_CHANGED, Severity.MEDIUM, Severity.MEDIUM),
    ChangeKind.ANNOTATION_RISK: (Code.TOOL_ANNOTATION_RISK, Severity.HIGH, Severity.MEDIUM),
    ChangeKind.NORMALIZATION: (Code.TOOL_NORMALIZATION, Severity.LOW, Severity.INFO),
}
_WORDS = {
    ChangeKind.ADDED: "tool added",
    ChangeKind.REMOVED: "tool removed",
    ChangeKind.RUG_PULL: "definition changed without a version change (rug pull)",
    ChangeKind.CHANGED: "definition changed with the version: review",
    ChangeKind.ANNOTATION_RISK: "annotation flipped toward more risk",
    ChangeKind.NORMALIZATION: "Unicode normalisation differs",
}


def change_finding(change: ToolChange, subject: str) -> Finding:
    """The finding for one change event."""
    code, same, moved = _SEVERITY[change.kind]
    versions = f"{change.old_version or '?'} -> {change.new_version or '?'}"
    tool = reveal(change.tool)
    message = f"tool {tool}: {_WORDS[change.kind]}"
    if change.fields:
        message += f" ({', '.join(change.fields)})"
    if change.detail:
        message += f"; {change.detail}"
    return finding(
        code,
        subject,
        message,
        severity=same if change.old_version == change.new_version else moved,
        tool=tool,
        kind=change.kind.value,
        versions=versions,
        fields=",".join(change.fields) or None,
        detail=change.detail or None,
    )


def scan_tools(
    tools: ToolList,
    key: SurfaceKey,
    *,
    pinned: ToolSurface | None,
    previous: ToolSurface | None = None,
    accept: bool = False,
    other_tools: frozenset[str] = frozenset(),
    at: str = "",
) -> ToolScanResult:
    """Pin ``tools``, compare with ``pinned`` (same version) or ``previous`` (another), check."""
    surface, skipped = pin_surface(tools, key, at)
    subject = key.component + (f"@{key.version}" if key.version else "")
    baseline = pinned if pinned is not None else previous
    changes = compare(baseline, surface) if baseline is not None else ()
    findings = [change_finding(c, subject) for c in changes]
    own = frozenset(t.name for t in tools.tools)
    for tool in tools.tools:
        findings.extend(check_tool(tool, subject, own_tools=own, other_tools=other_tools - own))
    return ToolScanResult(
        source=tools.source,
        key=key,
        surface=surface,
        baseline=baseline.key if baseline is not None else None,
        changes=changes,
        findings=tuple(findings),
        skipped=tuple(skipped),
        pinned=pinned is None or accept,
    )

"""Frozen values of the tool-surface layer: tool definitions, pins, surfaces, change events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scanner.models import Finding, Skipped


class ActionClass(StrEnum):
    """What calling a tool does, from its annotations and name (riskiest last but unknown)."""

    READ = "read"
    NETWORK = "network"  # open world: reaches outside the local system
    WRITE = "write"
    WRITE_DESTRUCTIVE = "write_destructive"
    EXEC = "exec"
    UNKNOWN = "unknown"


class ChangeKind(StrEnum):
    """A change of a component's tool surface against its pin."""

    ADDED = "added"
    REMOVED = "removed"
    RUG_PULL = "rug_pull"  # definition changed, version unchanged
    CHANGED = "changed"  # definition changed together with the version: review
    ANNOTATION_RISK = "annotation_risk"  # a hint flipped toward more risk
    NORMALIZATION = "normalization"  # only a Unicode NFC difference


@dataclass(frozen=True, slots=True)
class ToolDef:
    """One tool object exactly as a server listed it (``raw`` is the parsed JSON object)."""

    name: str
    raw: dict[str, Any]
    index: int  # position in the list, for messages


@dataclass(frozen=True, slots=True)
class ToolList:
    """The tools read from one captured ``tools/list`` result, and what could not be read."""

    source: str
    tools: tuple[ToolDef, ...]
    skipped: tuple[Skipped, ...] = ()


@dataclass(frozen=True, slots=True)
class Hints:
    """Annotation hints as a risk reading: a non-boolean value counts as the spec default."""

    read_only: bool
    destructive: bool
    idempotent: bool
    open_world: bool

    def as_text(self) -> str:
        """Compact form for storage, e.g. ``ro=0,de=1,id=0,ow=1``."""
        bits = (self.read_only, self.destructive, self.idempotent, self.open_world)
        return ",".join(
            f"{k}={int(v)}" for k, v in zip(("ro", "de", "id", "ow"), bits, strict=True)
        )

    @classmethod
    def from_text(cls, text: str) -> Hints:
        """Read :meth:`as_text` back."""
        values = dict(part.split("=", 1) for part in text.split(","))
        return cls(*(values[k] == "1" for k in ("ro", "de", "id", "ow")))


@dataclass(frozen=True, slots=True)
class ToolPin:
    """One tool pinned: SHA-256 of its RFC 8785 canonical JSON, per-field hashes, hints, class."""

    name: str
    sha256: str  # the whole tool, annotation defaults filled in
    nfc_sha256: str  # the same canonical text after Unicode NFC (tells a normalisation-only change)
    description: str  # per-field hashes
    input_schema: str
    annotations: str
    other: str  # every other field (title, outputSchema, _meta, ...)
    hints: Hints
    action: ActionClass
    canonical: str  # the canonical JSON text that was hashed (kept to show what changed)


@dataclass(frozen=True, slots=True)
class SurfaceKey:
    """Whose tools these are: a package URL without version, and the version (``""``: unknown)."""

    component: str
    version: str


@dataclass(frozen=True, slots=True)
class ToolSurface:
    """Every tool a component version exposes, pinned."""

    key: SurfaceKey
    pins: tuple[ToolPin, ...]
    pinned_at: str = ""

    def by_name(self) -> dict[str, ToolPin]:
        """The pins by tool name."""
        return {p.name: p for p in self.pins}


@dataclass(frozen=True, slots=True)
class ToolChange:
    """One change event: its kind, the tool, the versions compared and the fields that changed."""

    kind: ChangeKind
    tool: str
    old_version: str
    new_version: str
    fields: tuple[str, ...] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ToolScanResult:
    """A tool list pinned and checked: the surface, changes, findings and skipped tools."""

    source: str
    key: SurfaceKey
    surface: ToolSurface
    baseline: SurfaceKey | None  # the pinned surface compared against (None: first sight)
    changes: tuple[ToolChange, ...]
    findings: tuple[Finding, ...]
    skipped: tuple[Skipped, ...]
    pinned: bool  # whether this run wrote (or would write) the surface as the pin

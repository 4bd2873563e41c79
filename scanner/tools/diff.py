"""Compare a component's tool surface with its pin and name every change.

1. Same component, same version, different definition: a rug pull (the package did not change,
   what the model is told did).
2. Same component, new version: the changes are to review, not alarms.
3. A hint flipped toward more risk (read-only -> not, non-destructive -> destructive,
   idempotent -> not, closed -> open world) is an event of its own besides the change.
4. A difference that disappears under Unicode NFC is reported as ``normalization`` only.
"""

from __future__ import annotations

from scanner.tools.model import ChangeKind, Hints, ToolChange, ToolPin, ToolSurface

_FLIPS = (
    ("readOnlyHint", "read_only", False),  # (hint, field, the risky value)
    ("destructiveHint", "destructive", True),
    ("idempotentHint", "idempotent", False),
    ("openWorldHint", "open_world", True),
)


def changed_fields(old: ToolPin, new: ToolPin) -> tuple[str, ...]:
    """Which of description, inputSchema, annotations and other fields differ."""
    pairs = (
        ("description", old.description, new.description),
        ("inputSchema", old.input_schema, new.input_schema),
        ("annotations", old.annotations, new.annotations),
        ("other", old.other, new.other),
    )
    return tuple(name for name, a, b in pairs if a != b)


def risk_flips(old: Hints, new: Hints) -> tuple[str, ...]:
    """Hints that moved to their risky value, e.g. ``readOnlyHint true->false``."""
    flips = []
    for hint, attr, risky in _FLIPS:
        before, after = getattr(old, attr), getattr(new, attr)
        if before != after and after is risky:
            flips.append(f"{hint} {str(before).lower()}->{str(after).lower()}")
    return tuple(flips)


def compare(baseline: ToolSurface, current: ToolSurface) -> tuple[ToolChange, ...]:
    """Every change from ``baseline`` to ``current``, tools in name order."""
    old_v, new_v = baseline.key.version, current.key.version
    same = old_v == new_v
    old, new = baseline.by_name(), current.by_name()
    changes: list[ToolChange] = []
    for name in sorted(old.keys() | new.keys()):
        a, b = old.get(name), new.get(name)
        if a is None:
            changes.append(ToolChange(ChangeKind.ADDED, name, old_v, new_v))
        elif b is None:
            changes.append(ToolChange(ChangeKind.REMOVED, name, old_v, new_v))
        elif a.sha256 != b.sha256:
            changes.extend(_changed(a, b, old_v, new_v, same=same))
    return tuple(changes)


def _changed(a: ToolPin, b: ToolPin, old_v: str, new_v: str, *, same: bool) -> list[ToolChange]:
    fields = changed_fields(a, b)
    if a.nfc_sha256 == b.nfc_sha256:
        detail = "the same text after Unicode NFC normalisation; code points differ"
        return [ToolChange(ChangeKind.NORMALIZATION, a.name, old_v, new_v, fields, detail)]
    kind = ChangeKind.RUG_PULL if same else ChangeKind.CHANGED
    out = [ToolChange(kind, a.name, old_v, new_v, fields)]
    flips = risk_flips(a.hints, b.hints)
    if flips:
        out.append(
            ToolChange(
                ChangeKind.ANNOTATION_RISK, a.name, old_v, new_v, ("annotations",), "; ".join(flips)
            )
        )
    if a.action != b.action:
        note = f"action class {a.action.value} -> {b.action.value}"
        out[0] = ToolChange(kind, a.name, old_v, new_v, fields, note)
    return out

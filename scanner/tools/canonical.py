"""Pin a tool: SHA-256 of its RFC 8785 canonical JSON plus per-field hashes.

Choices, and why:
1. Annotations are hashed with the spec defaults filled in (readOnlyHint=false,
   destructiveHint=true, idempotentHint=false, openWorldHint=true), in the whole-tool hash too:
   writing a default out explicitly means the same thing and is not a change.
2. Canonical JSON removes what carries no meaning (key order, whitespace between tokens, number
   spelling); every string stays byte-exact. Unicode is NOT normalised in the pin: the model
   reads code points, tokenisers do not normalise, and a decomposed (NFD) or homoglyph spelling
   can slip text past filters. A second hash over the NFC form of the same canonical text tells
   a normalisation-only difference (reported as its own low-severity kind) from a real one; a
   homoglyph swap (Cyrillic for Latin) survives NFC and is a real change.
"""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any

import rfc8785

from scanner.errors import InputError
from scanner.tools.actions import action_class
from scanner.tools.model import Hints, ToolDef, ToolPin

ANNOTATION_DEFAULTS: dict[str, bool] = {
    "readOnlyHint": False,
    "destructiveHint": True,
    "idempotentHint": False,
    "openWorldHint": True,
}
_FIELDS = ("description", "inputSchema", "annotations")


class ToolPinError(InputError):
    """A tool cannot be put in canonical form (e.g. an integer beyond what JSON numbers keep)."""


def filled_annotations(tool: dict[str, Any]) -> dict[str, Any]:
    """The tool's annotations with the spec defaults for every hint not given."""
    given = tool.get("annotations")
    return {**ANNOTATION_DEFAULTS, **(given if isinstance(given, dict) else {})}


def hints_of(annotations: dict[str, Any]) -> Hints:
    """Hints read toward risk: only a real boolean overrides a default."""
    return Hints(
        read_only=annotations.get("readOnlyHint") is True,
        destructive=annotations.get("destructiveHint") is not False,
        idempotent=annotations.get("idempotentHint") is True,
        open_world=annotations.get("openWorldHint") is not False,
    )


def canonical(value: Any) -> bytes:
    """RFC 8785 canonical JSON bytes of ``value``."""
    return rfc8785.dumps(value)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def pin_tool(tool: ToolDef, source: str = "") -> ToolPin:
    """Pin one tool; raises ToolPinError when it has no canonical form."""
    annotations = filled_annotations(tool.raw)
    whole = {**tool.raw, "annotations": annotations}
    other = {k: v for k, v in tool.raw.items() if k not in _FIELDS}
    try:
        text = canonical(whole)
        fields = [canonical(tool.raw.get("description")), canonical(tool.raw.get("inputSchema"))]
        fields += [canonical(annotations), canonical(other)]
    except rfc8785.CanonicalizationError as exc:
        raise ToolPinError(source, f"tool {tool.name!r} has no canonical JSON: {exc}") from None
    decoded = text.decode("utf-8")
    nfc = unicodedata.normalize("NFC", decoded)
    return ToolPin(
        name=tool.name,
        sha256=_sha(text),
        nfc_sha256=_sha(nfc.encode("utf-8")) if nfc != decoded else _sha(text),
        description=_sha(fields[0]),
        input_schema=_sha(fields[1]),
        annotations=_sha(fields[2]),
        other=_sha(fields[3]),
        hints=hints_of(annotations),
        action=action_class(tool.name, tool.raw.get("annotations")),
        canonical=decoded,
    )

"""Untrusted text and numbers made safe for the HTML report.

Every string from the store (agent and package names, evidence, messages, codes, times) goes
through :func:`t`: redacted, control, bidi and invisible characters shown as visible escapes (as in
the text reports), then HTML-escaped with quotes, so it is safe in element text and in quoted
attributes alike. Nothing untrusted becomes an element id: ids are positional (``agent-3``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from scanner.report.text import safe


def t(text: str) -> str:
    """Untrusted text for HTML element text or a quoted attribute."""
    return escape(safe(text), quote=True)


def parse_time(at: str) -> datetime | None:
    """An RFC 3339 time as an aware UTC datetime, or None when it does not parse."""
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        return None
    if parsed.tzinfo is None:  # the store writes UTC; a naive time is read as UTC
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def when(at: str) -> str:
    """A time for a table cell: ``2026-11-03 14:05 UTC`` (the raw text if it does not parse)."""
    parsed = parse_time(at)
    if parsed is None:
        return t(at)
    return parsed.strftime("%Y-%m-%d %H:%M UTC")


def band_class(value: float | None) -> str:
    """The CSS class of a score's band (kept in step with plots.band)."""
    if value is None:
        return "none"
    return "red" if value < 50 else "amber" if value < 80 else "green"


def badge(value: int | None) -> str:
    """A score as a coloured badge; ``no score`` when there is none (never a made-up number)."""
    if value is None:
        return '<span class="score none">no score</span>'
    return f'<span class="score {band_class(value)}">{value}</span>'


def num(value: float | None, digits: int = 1) -> str:
    """A number for a table cell (an en dash for none)."""
    return "\u2013" if value is None else f"{value:.{digits}f}"


def pct(value: float) -> str:
    """A share as a percentage with enough digits for small rates."""
    return f"{value * 100:.2f}%" if value < 0.1 else f"{value * 100:.1f}%"


def p_value(value: float | None) -> str:
    """A p- or q-value: scientific below 0.001."""
    if value is None:
        return "\u2013"
    return f"{value:.1e}" if value < 1e-3 else f"{value:.3f}"

"""Dependency confusion: one package name served by more than one configured index."""

from __future__ import annotations

from scanner.checks.codes import Code, finding
from scanner.models import Finding


def confusion_findings(
    purl: str, name: str, serving: tuple[str, ...], unasked: tuple[str, ...]
) -> tuple[Finding, ...]:
    """CW213 when two or more indexes serve ``name``; CW207 for indexes that could not be asked.

    An index that could not be asked may serve the name too: the check is then incomplete, which
    is reported rather than passed (fail closed).
    """
    out: list[Finding] = []
    if len(serving) > 1:
        message = (
            f"{name} is served by {len(serving)} configured indexes ({', '.join(serving)}): "
            "whichever the installer prefers may not be the one you meant"
        )
        out.append(finding(Code.DEPENDENCY_CONFUSION, purl, message, indexes=" ".join(serving)))
    for index in unasked:
        message = f"dependency-confusion check for {name}: could not ask {index}"
        out.append(finding(Code.FETCH_FAILED, purl, message))
    return tuple(out)

"""Publisher identities compared and matched against pins: pure rules, light to import.

Comparison rules (``compare_identities``), decided for trust-on-first-use baselines:

* ``kind``, ``issuer``, ``repository``, ``workflow``, ``environment`` and ``subject`` are compared
  even when one side lacks them: a value that appears or disappears is a change (a dropped
  deployment environment removes its protection rules; a workflow that can no longer be read is not
  "the same workflow").
* ``repository_id``, ``owner_id`` and ``runner_environment`` are compared only when both sides
  carry them: Fulcio added those extensions in 2023, so older certificates lack them, and a
  certificate cannot omit them by the signer's choice. When both are present a difference *is* a
  change, also when the repository name is unchanged (a deleted and re-created repository, the
  classic resurrection attack).
* Repository URIs are compared case-insensitively for GitHub and GitLab (their names are
  case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields, replace

from attestations.result import PublisherIdentity

_STRICT = ("kind", "issuer", "repository", "workflow", "environment", "subject")
_LENIENT = ("repository_id", "owner_id", "runner_environment")


def compare_identities(
    stored: PublisherIdentity | None, current: PublisherIdentity | None
) -> tuple[str, ...]:
    """Names of the identity fields that changed; ``("attestation",)`` when attested -> unattested.

    Gaining an attestation (``stored`` is None) is not a change of identity: the caller records a
    new baseline.
    """
    if stored is None or current is None:
        return ("attestation",) if stored is not None else ()
    changed = []
    for name in (f.name for f in fields(PublisherIdentity)):
        old, new = _norm(stored, name), _norm(current, name)
        if name in _LENIENT and (old is None or new is None):
            continue
        if old != new:
            changed.append(name)
    return tuple(changed)


def identity_mismatches(expected: PublisherIdentity, actual: PublisherIdentity) -> tuple[str, ...]:
    """Human-readable mismatches of ``actual`` against every field ``expected`` sets."""
    out = []
    for name in (f.name for f in fields(PublisherIdentity)):
        want = _norm(expected, name)
        if want is None:
            continue
        got = _norm(actual, name)
        if got != want:
            out.append(
                f"{name}: expected {getattr(expected, name)!r}, got {getattr(actual, name)!r}"
            )
    return tuple(out)


def matches_pin(identity: PublisherIdentity | None, pin: Mapping[str, str]) -> bool:
    """True when ``identity`` satisfies a PEP 751 ``attestation-identities`` entry.

    Pins use PyPI publisher keys (``kind`` plus e.g. ``repository``, ``workflow``,
    ``environment``); a key this function does not understand makes the pin unmatched (fail
    closed), and so does a pin without ``kind``.
    """
    kind = str(pin.get("kind", "")).lower()
    if identity is None or not kind or kind != identity.kind:
        return False
    for key, raw in pin.items():
        value = str(raw)
        if key == "kind":
            continue
        if key == "repository":
            ok = _slug(identity.repository) == _slug(value)
        elif key in {"workflow", "workflow_filepath"}:
            ok = identity.workflow is not None and (
                identity.workflow == value
                or ("/" not in value and identity.workflow.rsplit("/", 1)[-1] == value)
            )
        elif key == "email":
            ok = identity.subject == value
        elif key in {"environment", "issuer", "repository_id", "owner_id"}:
            ok = getattr(identity, key) == value
        else:
            return False
        if not ok:
            return False
    return True


def describe_identity(identity: PublisherIdentity) -> str:
    """One line for reports; names the subject where there is no repository."""
    if identity.repository is None and identity.subject is not None:
        return f"{identity.kind} {identity.subject}"
    return identity.describe()


def with_environment(identity: PublisherIdentity, environment: str | None) -> PublisherIdentity:
    """The identity with the deployment environment a publisher object declares."""
    return replace(identity, environment=environment or None)


def _slug(repository: str | None) -> str | None:
    if repository is None:
        return None
    text = repository.strip().rstrip("/").lower().removesuffix(".git")
    for prefix in ("https://github.com/", "https://gitlab.com/"):
        text = text.removeprefix(prefix)
    return text


def _norm(identity: PublisherIdentity, name: str) -> str | None:
    value: str | None = getattr(identity, name)
    if value is None or value == "":
        return None
    if name == "repository" and identity.kind in {"github", "gitlab"}:
        return value.strip().rstrip("/").lower().removesuffix(".git")
    if name == "kind":
        return value.lower()
    return value


__all__ = [
    "compare_identities",
    "describe_identity",
    "identity_mismatches",
    "matches_pin",
    "with_environment",
]

"""The pinned Sigstore trusted root judged without loading sigstore: which file, and is it usable.

Staleness, as chainwatch judges it (``check_trusted_root``):

1. The file must exist, parse as a Sigstore ``TrustedRoot`` and carry at least one Rekor key, one
   Fulcio CA and one CT log key. Otherwise it is unusable.
2. For each of those three kinds, at least one entry's validity window must contain *now*. A root
   in which every Rekor key (or every Fulcio CA, or every CT key) has ended cannot verify anything
   signed today: Sigstore has rotated and only a newer root knows the new keys. That is an error.
3. Age: the last time the root was known to match Sigstore's TUF repository (``fetched_at`` in the
   side file: the date it was pinned into chainwatch for the shipped copy, the refresh time for a
   refreshed copy). Older than ``max_age`` is an error: a stale root may lack a new key (fail
   closed: signatures do not verify) or still trust a key Sigstore has since ended (the dangerous
   case). Older than half of ``max_age`` is a warning in the status.

The trusted root file carries no issue date, so age is only as honest as the side file. The shipped
root's newest key window starts on the date shown by ``TrustRootStatus.newest_key_start`` (a lower
bound on its content).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

DEFAULT_MAX_AGE = timedelta(days=365)
ROOT_NAME = "trusted_root.json"
META_NAME = "trusted_root.meta.json"


@dataclass(frozen=True, slots=True)
class TrustRootStatus:
    """What ``check_trusted_root`` found: problems make the root unusable, warnings do not."""

    path: str
    sha256: str
    fetched_at: datetime | None
    newest_key_start: datetime | None
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def usable(self) -> bool:
        """True when nothing makes the root unusable."""
        return not self.problems


def default_cache_dir() -> Path:
    """Where refreshed trusted roots live (per user)."""
    return Path(platformdirs.user_cache_dir("chainwatch")) / "sigstore"


def shipped_root_path() -> Path:
    """The trusted root shipped as package data."""
    # The package's own folder, as importlib.resources.files gives it for an installed package,
    # without loading importlib.resources' readers and zipfile on every scan (~1 ms).
    return Path(__file__).parent / "_data" / ROOT_NAME


def shipped_tuf_root_path() -> Path:
    """The TUF root (root.json) shipped as package data; it bootstraps ``refresh_trusted_root``."""
    return Path(str(resources.files("attestations") / "_data" / "tuf_root.json"))


def check_trusted_root(
    path: Path,
    *,
    now: datetime | None = None,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
    parse: bool = True,
) -> TrustRootStatus:
    """Judge a trusted root file (rules in the module docstring); never raises for bad files.

    ``parse=False`` skips sigstore's parse of rule 1 (and its import): only for a caller that
    knows sigstore accepted a file with this very ``sha256`` before. The other rules still apply.
    """
    moment = now or datetime.now(UTC)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return TrustRootStatus(str(path), "", None, None, (f"cannot read: {exc.strerror or exc}",))
    digest = hashlib.sha256(raw).hexdigest()
    fetched_at = _read_fetched_at(path)
    try:
        doc = json.loads(raw)
        if parse:
            from sigstore.models import TrustedRoot

            TrustedRoot.from_file(str(path))
    except Exception as exc:  # noqa: BLE001 - sigstore raises pydantic, ValueError and its own Error
        return TrustRootStatus(str(path), digest, fetched_at, None, (f"not a trusted root: {exc}",))

    problems: list[str] = []
    warnings: list[str] = []
    starts: list[datetime] = []
    for label, entries in (
        ("Rekor (transparency log) key", [t.get("publicKey", {}) for t in doc.get("tlogs", [])]),
        ("Fulcio CA", doc.get("certificateAuthorities", [])),
        ("CT log key", [t.get("publicKey", {}) for t in doc.get("ctlogs", [])]),
    ):
        windows = [_window(e.get("validFor", {})) for e in entries]
        starts.extend(start for start, _ in windows if start is not None)
        if not windows:
            problems.append(f"no {label} in the root")
        elif not any(_contains(w, moment) for w in windows):
            ends = [end for _, end in windows if end is not None]
            last = max(ends).date().isoformat() if ends else "?"
            problems.append(f"every {label} window has ended (latest end {last})")
    if max_age is not None:
        if fetched_at is None:
            warnings.append("age unknown: no fetched_at side file next to the root")
        else:
            age = moment - fetched_at
            if age > max_age:
                problems.append(f"{age.days} days since it was fetched (limit {max_age.days})")
            elif age > max_age / 2:
                warnings.append(f"{age.days} days since it was fetched; refresh soon")
    newest = max(starts) if starts else None
    return TrustRootStatus(str(path), digest, fetched_at, newest, tuple(problems), tuple(warnings))


def _pick_default(cache_dir: Path) -> Path:
    shipped = shipped_root_path()
    cached = cache_dir / ROOT_NAME
    if not cached.exists():
        return shipped
    shipped_at = _read_fetched_at(shipped) or datetime.min.replace(tzinfo=UTC)
    cached_at = _read_fetched_at(cached) or datetime.min.replace(tzinfo=UTC)
    return cached if cached_at > shipped_at else shipped


def _read_fetched_at(root_path: Path) -> datetime | None:
    meta = root_path.with_name(META_NAME)
    try:
        value: Any = json.loads(meta.read_text(encoding="utf-8")).get("fetched_at")
        return _parse_time(value) if isinstance(value, str) else None
    except (OSError, ValueError, AttributeError):
        return None


def _window(valid_for: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    start, end = valid_for.get("start"), valid_for.get("end")
    return (
        _parse_time(start) if isinstance(start, str) else None,
        _parse_time(end) if isinstance(end, str) else None,
    )


def _contains(window: tuple[datetime | None, datetime | None], moment: datetime) -> bool:
    start, end = window
    return (start is None or start <= moment) and (end is None or moment < end)


def _parse_time(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def default_root_path(cache_dir: Path | None = None) -> Path:
    """The trusted root scans use by default: the newer of the shipped and refreshed copies."""
    return _pick_default(cache_dir or default_cache_dir())


__all__ = [
    "DEFAULT_MAX_AGE",
    "META_NAME",
    "ROOT_NAME",
    "TrustRootStatus",
    "check_trusted_root",
    "default_cache_dir",
    "default_root_path",
    "shipped_root_path",
    "shipped_tuf_root_path",
]

"""The pinned Sigstore trusted root: load it offline, judge its staleness, refresh it through TUF.

Choosing and judging the file (``check_trusted_root``) lives in ``rootcheck``, which loads no
sigstore; it is re-exported here.

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

import json
import os
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sigstore.models import TrustedRoot
from sigstore.verify import Verifier

from attestations.errors import TrustRootError
from attestations.rootcheck import (
    DEFAULT_MAX_AGE,
    META_NAME,
    ROOT_NAME,
    TrustRootStatus,
    _pick_default,
    check_trusted_root,
    default_cache_dir,
    default_root_path,
    shipped_root_path,
    shipped_tuf_root_path,
)

TUF_URL = "https://tuf-repo-cdn.sigstore.dev"  # sigstore._internal.tuf.DEFAULT_TUF_URL
_REFRESH_HINT = (
    "run the trust-root refresh command online, or pass an explicit, current trusted root file"
)


def load_trusted_root(
    path: Path | None = None,
    *,
    cache_dir: Path | None = None,
    now: datetime | None = None,
    max_age: timedelta | None = DEFAULT_MAX_AGE,
) -> TrustedRoot:
    """Load a trusted root (default: newer of shipped and refreshed copy); raise if unusable."""
    chosen = path if path is not None else _pick_default(cache_dir or default_cache_dir())
    status = check_trusted_root(chosen, now=now or datetime.now(UTC), max_age=max_age)
    if status.problems:
        raise TrustRootError(
            f"trusted root {chosen} is not usable: " + "; ".join(status.problems),
            hint=_REFRESH_HINT,
        )
    return TrustedRoot.from_file(str(chosen))


def make_verifier(trusted_root: TrustedRoot) -> Verifier:
    """A sigstore ``Verifier`` over the given root; it never fetches anything."""
    return Verifier(trusted_root=trusted_root)


def refresh_trusted_root(cache_dir: Path) -> Path:
    """Fetch the current trusted root through Sigstore's TUF repository (online)."""
    from tuf.ngclient import Updater  # type: ignore[attr-defined]  # sigstore uses the same

    metadata_dir = cache_dir / "tuf" / "metadata"
    targets_dir = cache_dir / "tuf" / "targets"
    metadata_dir.mkdir(parents=True, exist_ok=True)
    targets_dir.mkdir(parents=True, exist_ok=True)
    try:
        updater = Updater(
            metadata_dir=str(metadata_dir),
            metadata_base_url=TUF_URL,
            target_base_url=f"{TUF_URL}/targets/",
            target_dir=str(targets_dir),
            bootstrap=shipped_tuf_root_path().read_bytes(),
        )
        updater.refresh()
        info = updater.get_targetinfo(ROOT_NAME)
        if info is None:
            raise TrustRootError(f"the TUF repository at {TUF_URL} lists no {ROOT_NAME}")
        fetched = updater.find_cached_target(info) or updater.download_target(info)
    except TrustRootError:
        raise
    except Exception as exc:  # noqa: BLE001 - tuf raises many unrelated types; all mean "refresh failed"
        raise TrustRootError(
            f"refreshing the trusted root from {TUF_URL} failed: {exc}",
            hint="check network access to the Sigstore TUF repository and retry",
        ) from exc
    data = Path(fetched).read_bytes()
    target = cache_dir / ROOT_NAME
    _atomic_write(target, data)
    meta = {"fetched_at": datetime.now(UTC).isoformat(), "source": TUF_URL}
    _atomic_write(cache_dir / META_NAME, json.dumps(meta, indent=2).encode())
    status = check_trusted_root(target, max_age=None)
    if status.problems:
        raise TrustRootError(f"refreshed trusted root is not usable: {'; '.join(status.problems)}")
    return target


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = [
    "DEFAULT_MAX_AGE",
    "TUF_URL",
    "TrustRootError",
    "TrustRootStatus",
    "check_trusted_root",
    "default_cache_dir",
    "default_root_path",
    "load_trusted_root",
    "make_verifier",
    "refresh_trusted_root",
    "shipped_root_path",
    "shipped_tuf_root_path",
]

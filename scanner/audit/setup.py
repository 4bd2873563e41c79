"""Which advisory sources a run uses.

Offline: the imported OSV database for every ecosystem. Online: pip-audit (as a library) for
PyPI, the OSV API's querybatch for npm; both at the same OSV base URL.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from scanner.audit.interface import AdvisorySource, Ecosystem
from scanner.audit.osv_db import OfflineOsvSource, default_osv_db_path

# scanner.audit.osv_api.DEFAULT_TIMEOUT; not imported, so an offline audit never loads httpx
# (tests/audit/test_auditor.py checks the two agree).
DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """How to audit: offline against the imported database, or online against the OSV API."""

    offline: bool = False
    osv_db: Path | None = None  # None: $CHAINWATCH_OSV_DB or the user data folder's osv.db
    osv_url: str | None = None  # None: $CHAINWATCH_OSV_URL or pip-audit's public default
    timeout: float = DEFAULT_TIMEOUT
    cache_dir: Path | None = None  # pip-audit's HTTP cache; None: the user cache folder


@contextmanager
def advisory_sources(settings: AuditSettings) -> Iterator[Mapping[Ecosystem, AdvisorySource]]:
    """The source per ecosystem for the run, with its HTTP client closed afterwards."""
    if settings.offline:
        db: AdvisorySource = OfflineOsvSource(settings.osv_db or default_osv_db_path())
        yield {Ecosystem.PYPI: db, Ecosystem.NPM: db}
        return
    # httpx, pip-audit and the OSV API client load only when online.
    import httpx

    from scanner.audit.osv_api import OsvApiSource, osv_base_url
    from scanner.audit.pip_audit_compat import PipAuditSource

    base = osv_base_url(settings.osv_url)
    cache = settings.cache_dir or Path(platformdirs.user_cache_dir("chainwatch", appauthor=False))
    python = PipAuditSource(
        cache_dir=cache / "pip-audit", timeout=max(1, round(settings.timeout)), osv_base=base
    )
    with httpx.Client(follow_redirects=False) as client:
        api = OsvApiSource(client, base, timeout=settings.timeout)
        yield {Ecosystem.PYPI: python, Ecosystem.NPM: api}

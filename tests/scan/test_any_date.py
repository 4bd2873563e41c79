"""Nothing depends on today's date: the demo and a scan give the same result after the pinned
trust root's one-year limit (2027-11-26), with "today" moved to 2028 for the whole process."""

from __future__ import annotations

import datetime as dt

import pytest

import attestations.trustroot
import scanner.scan
from attestations.result import Status
from scanner.demo import run_demo


class _In2028(dt.datetime):
    """``datetime`` whose ``now()`` is in 2028."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _In2028:  # type: ignore[override]
        return cls(2028, 6, 1, 12, 0, tzinfo=tz or dt.UTC)


@pytest.fixture
def in_2028(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attestations.trustroot, "datetime", _In2028)
    monkeypatch.setattr(scanner.clock, "datetime", _In2028)
    assert scanner.scan.utc_now().year == 2028  # the real-clock default now says 2028


def test_the_demo_runs_after_the_root_limit(in_2028: None) -> None:
    result = run_demo(None)
    counts = result.status_counts()
    assert counts[Status.VERIFIED.value] == 3
    assert counts[Status.DIGEST_MISMATCH.value] == 1
    assert counts[Status.UNRESOLVED.value] == 5


def test_the_default_clock_would_refuse_the_root(in_2028: None) -> None:
    # The same moment through the real-clock default: the pinned root is too old, and says so.
    with pytest.raises(attestations.trustroot.TrustRootError, match="days since it was fetched"):
        attestations.trustroot.load_trusted_root()

"""The pure diff: each change kind from two typed snapshots, and what is not a change."""

from __future__ import annotations

from scanner.checks.diff import (
    Change,
    ChangeKind,
    PackageState,
    Signal,
    Snapshot,
    at_least,
    diff_snapshots,
)
from scanner.models import Severity
from tests.checks._values import ELSEWHERE, SIGSTORE_JS

KEY = "pkg:npm/sigstore"


def state(version: str | None = "1.0.0", **kw: object) -> PackageState:
    """One package of the agent "a"."""
    values: dict[str, object] = {"agent": "a", "key": KEY, "ecosystem": "npm", "version": version}
    values.update(kw)
    return PackageState(**values)  # type: ignore[arg-type]


def diff(before: list[PackageState], after: list[PackageState]) -> list[Change]:
    """The changes between two one-agent snapshots."""
    return diff_snapshots(Snapshot(1, "t1", tuple(before)), Snapshot(2, "t2", tuple(after)))


def kinds(changes: list[Change]) -> list[tuple[ChangeKind, Severity]]:
    """(kind, severity) of each change, in the diff's order."""
    return [(c.kind, c.severity) for c in changes]


def test_nothing_changed_is_no_change() -> None:
    same = state(digests=(("", "sha512:aa"),), identity=SIGSTORE_JS, status="verified")
    assert diff([same], [same]) == []


def test_added_and_removed() -> None:
    other = state(key="pkg:npm/tuf-js")
    assert kinds(diff([state()], [other])) == [
        (ChangeKind.ADDED, Severity.MEDIUM),
        (ChangeKind.REMOVED, Severity.INFO),
    ]


def test_versions_compare_by_ecosystem_order_not_as_strings() -> None:
    up = diff([state("1.9.0")], [state("1.10.0")])
    assert kinds(up) == [(ChangeKind.UPGRADED, Severity.LOW)]
    assert (up[0].before, up[0].after) == ("1.9.0", "1.10.0")
    down = diff([state("1.10.0")], [state("1.10.0-rc.1")])
    assert kinds(down) == [(ChangeKind.DOWNGRADED, Severity.HIGH)]
    pep440 = diff([state("2.0", ecosystem="pypi")], [state("2.0.post1", ecosystem="pypi")])
    assert kinds(pep440) == [(ChangeKind.UPGRADED, Severity.LOW)]


def test_same_version_other_digest_is_critical_with_its_place() -> None:
    before = state(digests=(("a.whl", "sha256:11"), ("b.whl", "sha256:22")), source="f:3")
    after = state(digests=(("a.whl", "sha256:11"), ("b.whl", "sha256:99")), source="f:4")
    changes = diff([before], [after])
    assert kinds(changes) == [(ChangeKind.DIGEST_CHANGED, Severity.CRITICAL)]
    assert changes[0].source == "f:4" and "b.whl" in changes[0].message
    assert (changes[0].before, changes[0].after) == ("sha256:22", "sha256:99")


def test_a_new_file_or_another_algorithm_is_no_digest_change() -> None:
    before = state(digests=(("a.whl", "sha256:11"),))
    more = state(digests=(("a.whl", "sha256:11"), ("c.whl", "sha256:33")))
    other_algorithm = state(digests=(("a.whl", "sha512:ff"),))
    assert diff([before], [more]) == []
    assert diff([before], [other_algorithm]) == []


def test_a_digest_change_across_versions_is_the_version_change() -> None:
    before = state("1.0.0", digests=(("", "sha512:aa"),))
    after = state("1.0.1", digests=(("", "sha512:bb"),))
    assert kinds(diff([before], [after])) == [(ChangeKind.UPGRADED, Severity.LOW)]


def test_identity_changed_and_attestation_lost() -> None:
    was = state(identity=SIGSTORE_JS, status="verified")
    moved = diff([was], [state(identity=ELSEWHERE, status="verified")])
    assert kinds(moved) == [(ChangeKind.IDENTITY_CHANGED, Severity.HIGH)]
    assert "someone-else" in (moved[0].after or "")
    lost = diff([was], [state(status="no-attestation")])
    assert kinds(lost) == [(ChangeKind.ATTESTATION_LOST, Severity.HIGH)]


def test_not_checked_is_not_attestation_lost() -> None:
    # fetch-failed says nothing about the attestation: the gate reports it, the diff does not.
    was = state(identity=SIGSTORE_JS, status="verified")
    assert diff([was], [state(status="fetch-failed")]) == []


def test_new_advisories_and_risk_signals_keep_their_severity() -> None:
    known = Signal("CW400", Severity.MEDIUM, "GHSA-old")
    before = state(signals=(known,))
    after = state(
        signals=(
            known,
            Signal("CW400", Severity.CRITICAL, "GHSA-new", "bad"),
            Signal("CW208", Severity.MEDIUM, "CW208", "yanked"),
        )
    )
    changes = diff([before], [after])
    assert kinds(changes) == [
        (ChangeKind.NEW_VULNERABILITY, Severity.CRITICAL),
        (ChangeKind.NEW_RISK_SIGNAL, Severity.MEDIUM),
    ]
    assert changes[0].after == "GHSA-new"


def test_several_versions_of_one_package_pair_by_version() -> None:
    before = [state("1.0.0"), state("2.0.0")]
    after = [state("2.0.0"), state("1.1.0"), state("3.0.0")]
    assert sorted(c.kind for c in diff(before, after)) == [ChangeKind.ADDED, ChangeKind.UPGRADED]


def test_agents_are_compared_separately() -> None:
    before = [state(), state(agent="b")]
    after = [state(), state("0.9.0", agent="b")]
    changes = diff(before, after)
    assert [(c.agent, c.kind) for c in changes] == [("b", ChangeKind.DOWNGRADED)]


def test_at_least_filters_by_rank() -> None:
    changes = diff([state("1.0.0")], [state("0.9.0"), state(key="pkg:npm/x")])
    assert [c.kind for c in at_least(changes, Severity.HIGH)] == [ChangeKind.DOWNGRADED]
    assert len(at_least(changes, Severity.INFO)) == 2

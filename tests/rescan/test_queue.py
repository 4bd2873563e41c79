"""The rescan queue in the store, on SQLite and PostgreSQL: leases, take-overs, give-ups, counts."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from scanner.errors import StoreError
from scanner.models import Inventory
from scanner.store import StoreTarget, open_sql_store
from scanner.store.base import SQLStore

PURLS = [f"pkg:pypi/queued-{i}@1.0" for i in range(40)]
T0, T1, T2, T3 = (f"2026-03-01T12:00:{s:02d}.000000Z" for s in (0, 10, 20, 30))
LATER = "2026-03-01T13:00:00.000000Z"


@pytest.fixture
def store(store_db: StoreTarget) -> Iterator[SQLStore]:
    """A store of each backend holding one (empty) scan to check again."""
    with open_sql_store(store_db) as opened:
        opened.record_scan(
            kind="scan", started_at=T0, finished_at=T0, inputs={}, inventory=Inventory()
        )
        yield opened


def _open(store: SQLStore, purls: list[str] = PURLS, attempts: int = 3) -> int:
    run, created = store.open_rescan_run(1, purls, at=T0, max_attempts=attempts)
    assert created
    return run.id


def test_a_second_opener_joins_the_open_run(store: SQLStore) -> None:
    run_id = _open(store)
    joined, created = store.open_rescan_run(1, PURLS[:3], at=T1, max_attempts=3)
    assert (joined.id, created, joined.total) == (run_id, False, len(PURLS))
    assert [r.id for r in store.open_rescan_runs()] == [run_id]


def test_claims_of_concurrent_workers_never_overlap(store: SQLStore, store_db: StoreTarget) -> None:
    run_id = _open(store)
    taken: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        mine: list[int] = []
        try:
            with open_sql_store(store_db) as own:  # a connection (pool) of its own
                start.wait()
                while claimed := own.claim_rescan_items(run_id, name, now=T0, expires=T1, limit=3)[
                    0
                ]:
                    mine.extend(c.position for c in claimed)
                    done = own.complete_rescan_items(
                        run_id, name, [(c.position, "{}") for c in claimed], at=T0
                    )
                    assert done == [c.position for c in claimed]
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        taken[name] = mine

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    every = [p for mine in taken.values() for p in mine]
    assert sorted(every) == list(range(len(PURLS)))  # each item once, none left out
    progress = store.rescan_progress(run_id)
    assert (progress.done, progress.queued, progress.leased, progress.retried) == (40, 0, 0, 0)


def test_an_expired_lease_is_taken_over_and_the_late_result_refused(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:2])
    first, _ = store.claim_rescan_items(run_id, "dead", now=T0, expires=T1, limit=1)
    assert [(c.position, c.attempts) for c in first] == [(0, 1)]
    # Before expiry the other worker gets only the other item.
    other, _ = store.claim_rescan_items(run_id, "alive", now=T0, expires=T2, limit=5)
    assert [c.position for c in other] == [1]
    assert store.claim_rescan_items(run_id, "alive", now=T0, expires=T2, limit=5) == ([], [])
    # After it, the dead worker's item is taken over, its attempt counted.
    again, _ = store.claim_rescan_items(run_id, "alive", now=T2, expires=T3, limit=5)
    assert [(c.position, c.attempts) for c in again] == [(0, 2)]
    assert store.complete_rescan_items(run_id, "dead", [(0, "late")], at=T2) == []
    assert store.complete_rescan_items(run_id, "alive", [(0, "{}"), (1, "{}")], at=T2) == [0, 1]
    assert store.rescan_progress(run_id).retried == 1
    results = {o.position: o.result for o in store.rescan_outcomes(run_id)}
    assert results == {0: "{}", 1: "{}"}  # the late worker wrote nothing


def test_completed_items_are_never_taken_again(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:5])
    claimed, _ = store.claim_rescan_items(run_id, "w", now=T0, expires=T1, limit=10)
    store.complete_rescan_items(run_id, "w", [(c.position, "{}") for c in claimed], at=T0)
    assert store.claim_rescan_items(run_id, "w2", now=LATER, expires=LATER, limit=10) == ([], [])
    assert store.rescan_progress(run_id).done == 5


def test_renewed_leases_are_not_taken_over(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:2])
    claimed, _ = store.claim_rescan_items(run_id, "slow", now=T0, expires=T1, limit=2)
    assert store.renew_rescan_leases(run_id, "slow", [0, 1], expires=T3) == 2
    assert store.claim_rescan_items(run_id, "other", now=T2, expires=LATER, limit=2) == ([], [])
    assert store.renew_rescan_leases(run_id, "other", [0, 1], expires=LATER) == 0


def test_a_poison_item_is_given_up_after_max_attempts_with_the_reason(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:1], attempts=2)
    assert store.claim_rescan_items(run_id, "a", now=T0, expires=T1, limit=1)[0]
    assert store.claim_rescan_items(run_id, "b", now=T2, expires=T3, limit=1)[0]
    claimed, given_up = store.claim_rescan_items(run_id, "c", now=LATER, expires=LATER, limit=1)
    assert claimed == [] and [(g.purl, g.attempts) for g in given_up] == [(PURLS[0], 2)]
    (outcome,) = store.rescan_outcomes(run_id)
    assert outcome.state == "failed" and outcome.error is not None
    assert "given up after 2 attempts" in outcome.error and "b" in outcome.error
    progress = store.rescan_progress(run_id)
    assert (progress.failed, progress.finished_items, progress.queued) == (1, 1, 0)


def test_progress_counts_each_state_and_the_lease_owners(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:10])
    a, _ = store.claim_rescan_items(run_id, "a", now=T0, expires=T1, limit=3)
    store.claim_rescan_items(run_id, "b", now=T0, expires=T1, limit=2)
    store.complete_rescan_items(run_id, "a", [(a[0].position, "{}")], at=T0)
    store.release_rescan_items(run_id, "a", [a[1].position], error="trust root unreadable")
    p = store.rescan_progress(run_id)
    assert (p.done, p.leased, p.queued, p.failed) == (1, 3, 6, 0)
    assert p.workers == ("a", "b") and p.run.state == "running" and p.run.total == 10
    with pytest.raises(StoreError, match="no rescan run 99"):
        store.rescan_progress(99)


def test_the_run_is_finished_once_and_only_when_nothing_is_open(store: SQLStore) -> None:
    run_id = _open(store, PURLS[:1])
    assert not store.claim_rescan_finish(run_id, "a", now=T0, expires=T1)  # an item is queued
    claimed, _ = store.claim_rescan_items(run_id, "a", now=T0, expires=T1, limit=1)
    assert not store.claim_rescan_finish(run_id, "a", now=T0, expires=T1)  # leased
    store.complete_rescan_items(run_id, "a", [(0, "{}")], at=T0)
    assert store.claim_rescan_finish(run_id, "a", now=T0, expires=T1)
    assert not store.claim_rescan_finish(run_id, "b", now=T0, expires=T1)
    assert store.claim_rescan_finish(run_id, "b", now=T2, expires=T3)  # the finisher died
    with pytest.raises(StoreError, match="taken over"):
        store.finish_rescan_run(run_id, "a", scan_id=1, at=T2)
    store.finish_rescan_run(run_id, "b", scan_id=1, at=T3)
    run = store.rescan_runs()[0]
    assert (run.state, run.scan_id, run.finished_at) == ("done", 1, T3)
    assert store.open_rescan_runs() == []

"""The rescan queue in the store: runs, their items, leases (``chainwatch rescan --worker``).

1. A run holds one item per component of the scan it checks again; the run is opened once
   (store-wide write lock: two workers starting together join the same run).
2. A worker claims items with a lease (owner, expiry, attempts + 1): on PostgreSQL with
   ``SELECT ... FOR UPDATE SKIP LOCKED``, so workers never wait on each other's claims; on
   SQLite inside ``BEGIN IMMEDIATE``, which serialises writers. An item is claimable while
   queued, or leased with an expired lease (its worker died); done and failed items never are.
3. A result is accepted only from the worker that still holds the lease: a worker that lost
   its lease cannot overwrite the result of the one that took the item over.
4. An item whose lease expired ``max_attempts`` times is given up (state failed, the reason
   kept): the rescan reports it as a component that could not be checked, never silently.
5. The run is finished once, by whoever claims it when no item is open (a lease as well).
Times are the workers' clocks as fixed-width UTC text, compared in byte order.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from scanner.errors import StoreError
from scanner.store.conn import PgConnection
from scanner.store.dialect import Dialect

if TYPE_CHECKING:
    from scanner.store.conn import Conn
    from scanner.store.queue_items import Claimed, ItemOutcome, RescanRun, RunProgress

QUEUE_MIGRATION = """
-- `chainwatch rescan --worker`: a rescan shared among workers (scanner/store/_queue.py).
CREATE TABLE rescan_runs (
    id INTEGER PRIMARY KEY,
    source_scan_id INTEGER NOT NULL REFERENCES scans(id),
    created_at TEXT NOT NULL,
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    finisher TEXT,
    finish_expires TEXT,
    scan_id INTEGER REFERENCES scans(id),
    finished_at TEXT
);
CREATE TABLE rescan_items (
    run_id INTEGER NOT NULL REFERENCES rescan_runs(id),
    position INTEGER NOT NULL,
    purl TEXT NOT NULL,
    state TEXT NOT NULL,
    lease_owner TEXT,
    lease_expires TEXT,
    attempts INTEGER NOT NULL,
    result TEXT,
    error TEXT,
    finished_at TEXT,
    PRIMARY KEY (run_id, position)
);
CREATE INDEX rescan_items_open ON rescan_items(run_id, state, position);
"""

OPEN_STATES = ("running", "finishing")  # a run in one of these still takes workers


_RUN = "id, source_scan_id, created_at, state, total, max_attempts, scan_id, finished_at"


def _run(row: Sequence[Any]) -> RescanRun:
    from scanner.store.queue_items import RescanRun  # the queue's model loads with its use

    return RescanRun(
        int(row[0]), int(row[1]), str(row[2]), str(row[3]), int(row[4]), int(row[5]),
        None if row[6] is None else int(row[6]), row[7],
    )  # fmt: skip


class RescanQueue:
    """The rescan-queue methods of the SQL stores."""

    conn: Conn
    dialect: ClassVar[Dialect]
    db_error: ClassVar[type[Exception]]
    where: str

    def _write(self) -> contextlib.AbstractContextManager[Conn]:
        raise NotImplementedError  # the backend's store-wide write transaction

    @contextlib.contextmanager
    def _row_tx(self) -> Iterator[Conn]:
        """A transaction that locks rows only (PostgreSQL); SQLite's is its write lock."""
        try:
            if isinstance(self.conn, PgConnection):
                with self.conn.transaction():
                    yield self.conn
            else:
                with self._write() as conn:
                    yield conn
        except self.db_error as exc:
            raise StoreError(f"{self.where}: rescan queue: {exc}") from exc

    def open_rescan_run(
        self, source_scan_id: int, purls: Sequence[str], *, at: str, max_attempts: int
    ) -> tuple[RescanRun, bool]:
        """The open run (joined), or a new one over ``purls``; (run, created)."""
        try:
            with self._write() as conn:
                row = conn.execute(
                    f"SELECT {_RUN} FROM rescan_runs WHERE state IN (?, ?) ORDER BY id LIMIT 1",
                    list(OPEN_STATES),
                ).fetchone()
                if row is not None:
                    return _run(row), False
                row = conn.execute(
                    "INSERT INTO rescan_runs (source_scan_id, created_at, state, total,"
                    f" max_attempts) VALUES (?, ?, 'running', ?, ?) RETURNING {_RUN}",
                    [source_scan_id, at, len(purls), max_attempts],
                ).fetchone()
                run = _run(row)
                conn.executemany(
                    "INSERT INTO rescan_items (run_id, position, purl, state, attempts)"
                    " VALUES (?, ?, ?, 'queued', 0)",
                    [[run.id, i, p] for i, p in enumerate(purls)],
                )
        except self.db_error as exc:
            raise StoreError(f"{self.where}: could not open a rescan run: {exc}") from exc
        return run, True

    def rescan_runs(self, limit: int = 10) -> list[RescanRun]:
        """The most recent rescan runs, newest first."""
        rows = self.conn.execute(
            f"SELECT {_RUN} FROM rescan_runs ORDER BY id DESC LIMIT ?", [limit]
        )
        return [_run(r) for r in rows]

    def open_rescan_runs(self) -> list[RescanRun]:
        """Runs that still take workers, oldest first."""
        rows = self.conn.execute(
            f"SELECT {_RUN} FROM rescan_runs WHERE state IN (?, ?) ORDER BY id", list(OPEN_STATES)
        )
        return [_run(r) for r in rows]

    def rescan_progress(self, run_id: int) -> RunProgress:
        """Items of a run per state, retried items and current lease owners."""
        from scanner.store.queue_items import RunProgress

        row = self.conn.execute(f"SELECT {_RUN} FROM rescan_runs WHERE id = ?", [run_id])
        found = row.fetchone()
        if found is None:
            raise StoreError(f"{self.where}: there is no rescan run {run_id}")
        counts = {
            str(state): (int(n), int(retried))
            for state, n, retried in self.conn.execute(
                "SELECT state, count(*), sum(CASE WHEN attempts > 1 THEN 1 ELSE 0 END)"
                " FROM rescan_items WHERE run_id = ? GROUP BY state",
                [run_id],
            )
        }
        owners = self.conn.execute(
            "SELECT DISTINCT lease_owner FROM rescan_items WHERE run_id = ? AND state = 'leased'"
            " ORDER BY lease_owner",
            [run_id],
        )
        number = {s: counts.get(s, (0, 0))[0] for s in ("queued", "leased", "done", "failed")}
        return RunProgress(
            _run(found),
            queued=number["queued"],
            leased=number["leased"],
            done=number["done"],
            failed=number["failed"],
            retried=sum(r for _, r in counts.values()),
            workers=tuple(str(o[0]) for o in owners),
        )

    def claim_rescan_items(
        self, run_id: int, owner: str, *, now: str, expires: str, limit: int
    ) -> tuple[list[Claimed], list[Claimed]]:
        """Lease up to ``limit`` open items; (claimed, given up after too many attempts)."""
        from scanner.store.queue_items import Claimed

        lock = " FOR UPDATE SKIP LOCKED" if self.dialect is Dialect.POSTGRES else ""
        with self._row_tx() as conn:
            run = conn.execute("SELECT max_attempts FROM rescan_runs WHERE id = ?", [run_id])
            limit_row = run.fetchone()
            if limit_row is None:
                raise StoreError(f"{self.where}: there is no rescan run {run_id}")
            rows = conn.execute(
                "SELECT position, purl, attempts, lease_owner FROM rescan_items"
                " WHERE run_id = ? AND (state = 'queued'"
                " OR (state = 'leased' AND lease_expires < ?))"
                f" ORDER BY position LIMIT ?{lock}",
                [run_id, now, limit],
            ).fetchall()
            claimed, given_up = [], []
            for position, purl, attempts, last_owner in rows:
                if int(attempts) >= int(limit_row[0]):
                    given_up.append((int(position), str(purl), int(attempts), last_owner))
                else:
                    claimed.append(Claimed(int(position), str(purl), int(attempts) + 1))
            conn.executemany(
                "UPDATE rescan_items SET state = 'leased', lease_owner = ?, lease_expires = ?,"
                " attempts = attempts + 1 WHERE run_id = ? AND position = ?",
                [[owner, expires, run_id, c.position] for c in claimed],
            )
            conn.executemany(
                "UPDATE rescan_items SET state = 'failed', lease_owner = NULL, finished_at = ?,"
                " error = ? WHERE run_id = ? AND position = ?",
                [
                    [now, _gave_up(attempts, last), run_id, position]
                    for position, _, attempts, last in given_up
                ],
            )
        return claimed, [Claimed(p, u, a) for p, u, a, _ in given_up]

    def renew_rescan_leases(
        self, run_id: int, owner: str, positions: Sequence[int], *, expires: str
    ) -> int:
        """Extend the leases ``owner`` still holds; how many it still holds."""
        with self._row_tx() as conn:
            cursor = conn.executemany(
                "UPDATE rescan_items SET lease_expires = ? WHERE run_id = ? AND position = ?"
                " AND state = 'leased' AND lease_owner = ?",
                [[expires, run_id, p, owner] for p in positions],
            )
        return cursor.rowcount

    def complete_rescan_items(
        self, run_id: int, owner: str, results: Sequence[tuple[int, str]], *, at: str
    ) -> list[int]:
        """Record results of items ``owner`` still holds (others are not its to write).

        Returns the positions recorded; a result whose lease was taken over is dropped.
        """
        accepted = []
        with self._row_tx() as conn:
            for position, result in results:
                cursor = conn.execute(
                    "UPDATE rescan_items SET state = 'done', result = ?, finished_at = ?,"
                    " lease_owner = NULL, lease_expires = NULL WHERE run_id = ? AND position = ?"
                    " AND state = 'leased' AND lease_owner = ?",
                    [result, at, run_id, position, owner],
                )
                if cursor.rowcount == 1:
                    accepted.append(position)
        return accepted

    def release_rescan_items(
        self, run_id: int, owner: str, positions: Sequence[int], *, error: str
    ) -> None:
        """Hand items back to the queue (the attempt stays counted), with the reason."""
        with self._row_tx() as conn:
            conn.executemany(
                "UPDATE rescan_items SET state = 'queued', lease_owner = NULL,"
                " lease_expires = NULL, error = ?"
                " WHERE run_id = ? AND position = ? AND state = 'leased' AND lease_owner = ?",
                [[error, run_id, p, owner] for p in positions],
            )

    def claim_rescan_finish(self, run_id: int, owner: str, *, now: str, expires: str) -> bool:
        """Take the run's finishing when no item is open (once; again after a finisher died)."""
        with self._row_tx() as conn:
            cursor = conn.execute(
                "UPDATE rescan_runs SET state = 'finishing', finisher = ?, finish_expires = ?"
                " WHERE id = ? AND (state = 'running' OR (state = 'finishing'"
                " AND (finisher = ? OR finish_expires < ?)))"
                " AND NOT EXISTS (SELECT 1 FROM rescan_items WHERE run_id = ?"
                " AND state IN ('queued', 'leased'))",
                [owner, expires, run_id, owner, now, run_id],
            )
        return cursor.rowcount == 1

    def rescan_outcomes(self, run_id: int) -> list[ItemOutcome]:
        """Every item of a run with its result, in queue order."""
        from scanner.store.queue_items import ItemOutcome

        rows = self.conn.execute(
            "SELECT position, purl, state, attempts, result, error FROM rescan_items"
            " WHERE run_id = ? ORDER BY position",
            [run_id],
        )
        return [ItemOutcome(int(r[0]), str(r[1]), str(r[2]), int(r[3]), r[4], r[5]) for r in rows]

    def finish_rescan_run(self, run_id: int, owner: str, *, scan_id: int, at: str) -> None:
        """Mark the run done with the rescan it recorded (only by its finisher)."""
        with self._row_tx() as conn:
            cursor = conn.execute(
                "UPDATE rescan_runs SET state = 'done', scan_id = ?, finished_at = ?"
                " WHERE id = ? AND state = 'finishing' AND finisher = ?",
                [scan_id, at, run_id, owner],
            )
        if cursor.rowcount != 1:
            raise StoreError(
                f"{self.where}: rescan run {run_id} was taken over while being finished",
                hint="its finishing lease expired; the worker that took it over finishes it",
            )

    def scan_with_inputs(self, kind: str, inputs: dict[str, Any]) -> int | None:
        """The scan recorded with exactly these inputs (a finisher's crashed attempt), or None."""
        row = self.conn.execute(
            "SELECT id FROM scans WHERE kind = ? AND inputs = ? ORDER BY id LIMIT 1",
            [kind, json.dumps(inputs)],
        ).fetchone()
        return None if row is None else int(row[0])


def _gave_up(attempts: int, last_owner: object) -> str:
    return (
        f"given up after {attempts} attempts: the lease expired each time, the last held by"
        f" {last_owner or 'an unknown worker'} (a worker that dies on this component)"
    )

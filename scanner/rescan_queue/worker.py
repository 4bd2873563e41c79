"""One rescan worker: join the open run, check leased components, finish the run when last.

1. Join: the open run; with ``enqueue``, a new one over the latest scan's components when none
   is open (the store opens one run however many workers start together).
2. Work: lease a batch, verify it (the same verification as ``chainwatch scan``), renew the
   leases while it runs, and record each verdict while the lease is still ours.
3. Wait: with nothing to claim, poll until the other workers' items are done, or their
   leases expire (a worker died) and they can be taken over.
4. Finish: whoever claims the run once nothing is open judges every verdict together
   (identities, findings, audit), records the rescan and its change events, and closes the run.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from attestations.result import Status
from scanner.baseline import ChangeCause
from scanner.diff.compare import NoBaselineError, record_scan_changes
from scanner.errors import ChainwatchError, StoreError
from scanner.models import Component, Inventory
from scanner.rescan_queue.codec import verdict_from_json, verdict_to_json
from scanner.rescans import RescanResult
from scanner.scan import Progress, ScanOptions, finish_scan, unique_components
from scanner.store.base import SQLStore
from scanner.store.queue_items import Claimed, RescanRun
from scanner.verdict import Verdict
from scanner.verify.stage import verify_stage

KIND = "rescan"


def default_owner() -> str:
    """``host:pid``: unique among live workers, and says where to look for a stuck one."""
    return f"{platform.node()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    """How a worker takes part in shared rescans."""

    owner: str = field(default_factory=default_owner)
    lease: float = 600.0  # seconds an item stays ours without renewal (> a component's deadline)
    finish_lease: float = 1800.0  # seconds the finishing stays ours (judging and recording all)
    batch: int = 50  # components per claim
    max_attempts: int = 3  # leases an item may lose before it is given up
    poll: float = 2.0  # seconds between looks at a run others are working on
    wait: Callable[[float], None] = time.sleep


@dataclass(frozen=True, slots=True)
class WorkerReport:
    """What one worker did in one run."""

    run_id: int
    owner: str
    checked: tuple[str, ...]  # purls whose verdicts this worker recorded
    lost: tuple[str, ...]  # purls it checked after its lease had been taken over (not recorded)
    given_up: tuple[str, ...]  # purls given up (too many attempts) when this worker met them
    finished: RescanResult | None = None  # set for the worker that finished the run
    total: int = 0


def stamp(moment: datetime) -> str:
    """A moment as the queue's fixed-width UTC text (byte order is time order)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def work_rescan(
    store: SQLStore,
    options: ScanOptions,
    settings: WorkerSettings,
    *,
    enqueue: bool = False,
    progress: Progress | None = None,
) -> WorkerReport | None:
    """Work on the open shared rescan until it is done; None when none is open.

    ``enqueue``: open one over the latest scan when none is open. Without it a worker never
    opens a run, so a worker that starts after the others finished does not rescan again.
    """
    open_runs = store.open_rescan_runs()
    if open_runs:
        run = open_runs[0]
    elif enqueue:
        run = enqueue_rescan(store, options, max_attempts=settings.max_attempts)
    else:
        return None
    inventory = store.stored_inventory(run.source_scan_id)
    return _Worker(store, run, inventory, options, settings, progress).run()


def follow_rescans(
    store: SQLStore,
    options: ScanOptions,
    settings: WorkerSettings,
    *,
    runs: int | None = None,
    on_report: Callable[[WorkerReport], None] | None = None,
) -> int:
    """Work on every run opened by others (``rescan --enqueue``), waiting for new ones.

    Never opens a run itself (that would rescan for ever). Stops after ``runs`` runs (None:
    never); returns how many it worked on.
    """
    done = 0
    while runs is None or done < runs:
        open_runs = store.open_rescan_runs()
        if not open_runs:
            settings.wait(settings.poll)
            continue
        run = open_runs[0]
        inventory = store.stored_inventory(run.source_scan_id)
        report = _Worker(store, run, inventory, options, settings, None).run()
        done += 1
        if on_report is not None:
            on_report(report)
    return done


def enqueue_rescan(store: SQLStore, options: ScanOptions, *, max_attempts: int) -> RescanRun:
    """Open a run over the latest scan for workers to take (or the run already open)."""
    source = store.latest_scan_id()
    if source is None:
        raise NoBaselineError(
            "the store holds no scan to check again", hint="run `chainwatch scan` first"
        )
    purls = [c.purl for c in unique_components(store.stored_inventory(source))]
    at = stamp(options.clock())
    return store.open_rescan_run(source, purls, at=at, max_attempts=max_attempts)[0]


class _Worker:
    def __init__(
        self,
        store: SQLStore,
        run: RescanRun,
        inventory: Inventory,
        options: ScanOptions,
        settings: WorkerSettings,
        progress: Progress | None,
    ) -> None:
        self.store, self.run_, self.inventory = store, run, inventory
        self.options, self.settings, self.progress = options, settings, progress
        self.components = {c.purl: c for c in unique_components(inventory)}
        self.checked: list[str] = []
        self.lost: list[str] = []
        self.given_up: list[str] = []

    def _stamps(self, seconds: float) -> tuple[str, str]:
        now = self.options.clock()
        return stamp(now), stamp(now + timedelta(seconds=seconds))

    def run(self) -> WorkerReport:
        run_id, owner = self.run_.id, self.settings.owner
        finished: RescanResult | None = None
        while True:
            now, expires = self._stamps(self.settings.lease)
            claimed, gave_up = self.store.claim_rescan_items(
                run_id, owner, now=now, expires=expires, limit=self.settings.batch
            )
            self.given_up.extend(c.purl for c in gave_up)
            if claimed:
                self._check(claimed)
                continue
            now, expires = self._stamps(self.settings.finish_lease)
            if self.store.claim_rescan_finish(run_id, owner, now=now, expires=expires):
                finished = self._finish()
                break
            state = self.store.rescan_progress(run_id)
            self._show(state.finished_items)
            if state.run.state == "done":
                break
            self.settings.wait(self.settings.poll)
        return WorkerReport(
            run_id,
            owner,
            tuple(self.checked),
            tuple(self.lost),
            tuple(self.given_up),
            finished,
            self.run_.total,
        )

    def _show(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, self.run_.total)

    def _component(self, purl: str) -> Component:
        if purl not in self.components:
            raise StoreError(
                f"rescan run {self.run_.id} lists {purl}, which scan {self.run_.source_scan_id}"
                " did not record",
                hint="the store was changed under the run; start a new rescan",
            )
        return self.components[purl]

    def _check(self, claimed: list[Claimed]) -> None:
        """Verify a leased batch, renewing the leases on the way; record what is still ours."""
        run_id, owner = self.run_.id, self.settings.owner
        positions = [c.position for c in claimed]
        base = self.store.rescan_progress(run_id).finished_items
        renewed = self.options.clock()

        def on_progress(done: int, _total: int) -> None:
            nonlocal renewed
            self._show(base + done)
            now = self.options.clock()
            if (now - renewed).total_seconds() >= self.settings.lease / 3:
                renewed = now
                expires = stamp(now + timedelta(seconds=self.settings.lease))
                self.store.renew_rescan_leases(run_id, owner, positions, expires=expires)

        components = [self._component(c.purl) for c in claimed]
        try:
            verdicts, _, _ = verify_stage(components, self.options, on_progress)
        except ChainwatchError as exc:
            # Not the component's fault (settings, trust root): hand the batch back at once.
            self.store.release_rescan_items(run_id, owner, positions, error=exc.message)
            raise
        results = [(c.position, verdict_to_json(verdicts[c.purl])) for c in claimed]
        now = stamp(self.options.clock())
        accepted = set(self.store.complete_rescan_items(run_id, owner, results, at=now))
        for c in claimed:
            (self.checked if c.position in accepted else self.lost).append(c.purl)

    def _finish(self) -> RescanResult:
        """Judge every verdict of the run together, record the rescan, close the run."""
        run = self.run_
        inputs = {"rescan_of": run.source_scan_id, "rescan_run": run.id}
        verdicts: dict[str, Verdict] = {}
        for item in self.store.rescan_outcomes(run.id):
            if item.state == "done" and item.result is not None:
                verdicts[item.purl] = verdict_from_json(item.result)
            else:  # given up: reported as a component that could not be checked
                reason = f"not checked by the shared rescan: {item.error or 'no result'}"
                verdicts[item.purl] = Verdict(
                    self._component(item.purl), Status.FETCH_FAILED, reason
                )
        started = datetime.fromisoformat(run.created_at).isoformat(timespec="seconds")
        finished_at = self.options.clock().isoformat(timespec="seconds")
        recorded = self.store.scan_with_inputs(KIND, inputs)
        if recorded is None:
            result = finish_scan(
                self.inventory,
                self.store,
                self.options,
                verdicts,
                started=started,
                inputs=inputs,
                kind=KIND,
            )
            scan_id = result.scan_id
            assert scan_id is not None
        else:
            # A finisher died after recording: judge again without recording twice.
            result = finish_scan(self.inventory, None, self.options, verdicts, started=started)
            scan_id = recorded
            if not [e for e in self.store.change_events(limit=10_000) if e.scan_id == scan_id]:
                record_scan_changes(self.store, scan_id, ChangeCause.RESCAN, finished_at)
        events = tuple(e for e in self.store.change_events(limit=10_000) if e.scan_id == scan_id)
        self.store.finish_rescan_run(
            run.id, self.settings.owner, scan_id=scan_id, at=stamp(self.options.clock())
        )
        self._show(run.total)
        return RescanResult(run.source_scan_id, replace(result, scan_id=scan_id), events)

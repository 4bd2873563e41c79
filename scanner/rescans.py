"""``chainwatch rescan``: every component the store knows, checked again against the registries."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.baseline import ChangeEvent
from scanner.diff.compare import NoBaselineError
from scanner.scan import Progress, ScanOptions, ScanResult, run_scan
from scanner.store import Store


@dataclass(frozen=True, slots=True)
class RescanResult:
    """The rescan's own scan result and the change events it recorded."""

    source_scan_id: int  # the scan whose inventory was checked again
    result: ScanResult
    events: tuple[ChangeEvent, ...]


def rescan(store: Store, options: ScanOptions, *, progress: Progress | None = None) -> RescanResult:
    """Verify (and audit, when configured) the latest scan's components again; record as "rescan".

    Nothing is read from disk: the components are those the store recorded (floating launches are
    resolved again, so a new release shows as an upgrade). New advisories, yanks, releases and
    attestation or identity changes become change events with the cause "rescan".
    """
    source = store.latest_scan_id()
    if source is None:
        raise NoBaselineError(
            "the store holds no scan to check again", hint="run `chainwatch scan` first"
        )
    inventory = store.stored_inventory(source)
    before = {e.id for e in store.change_events()}
    inputs = {"rescan_of": source}
    result = run_scan(inventory, store, options, inputs=inputs, progress=progress, kind="rescan")
    events = tuple(e for e in store.change_events() if e.id not in before)
    return RescanResult(source, result, events)

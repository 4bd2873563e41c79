"""A rescan worker in a process of its own, for the test that kills one mid-run.

argv: store target, pypi simple URL, pypi JSON URL, npm URL, cache dir, owner, lease seconds,
and the epoch second the test's shared clock starts at (the fixtures' moment, moving on in
real time, so every process agrees when a lease expires).
"""

from __future__ import annotations

import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from scanner.demo import recorded_at
from scanner.registry.config import RegistryConfig
from scanner.rescan_queue import WorkerSettings, work_rescan
from scanner.scan import ScanOptions
from scanner.store import open_sql_store


def moving_clock(epoch: float) -> datetime:
    """The fixtures' moment plus the real seconds since ``epoch``."""
    return recorded_at() + timedelta(seconds=time.time() - epoch)


def main(argv: list[str]) -> None:
    """Work on the store's shared rescan until it is done (or this process is killed)."""
    db, simple, json_api, npm, cache, owner, lease, epoch = argv
    sources = (("pypi", "fixture registry"), ("npm", "fixture registry"))
    config = RegistryConfig(pypi_simple=simple, pypi_json=json_api, npm=npm, sources=sources)
    options = ScanOptions(
        registry_config=config, cache_dir=Path(cache), clock=lambda: moving_clock(float(epoch))
    )
    settings = WorkerSettings(owner=owner, lease=float(lease), batch=2, poll=0.1)
    with open_sql_store(db) as store:
        work_rescan(store, options, settings, enqueue=True)


if __name__ == "__main__":
    main(sys.argv[1:])

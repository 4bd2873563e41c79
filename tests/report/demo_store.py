"""A store holding the demo: its scan and its recorded event stream (the upgrade, then writes)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from scanner.demo import run_demo, run_demo_events
from scanner.store import open_store


@dataclass(frozen=True)
class DemoStore:
    """The store file and what the demo's story says happened."""

    db: Path
    end: str  # the newest event's time: the report is asked as of then
    shifted_agent: str
    change_label: str  # e.g. "server-filesystem 2026.8.31 -> 2026.12.1"
    evidence: str


def build_demo_store(db: Path) -> DemoStore:
    """Run the demo scan and import its event stream into a new store at ``db``."""
    with open_store(db) as store:
        run_demo(store)
        story = run_demo_events(store)
    (shift,) = story.shifts
    return DemoStore(
        db, story.after.as_of, shift.change.agent, shift.change.label(), shift.evidence
    )


def copy_of(demo: DemoStore, folder: Path) -> Path:
    """A copy a test may write to (tokens, history) without touching the shared one."""
    target = folder / "chainwatch.db"
    shutil.copy(demo.db, target)
    return target

"""The demo's recorded event stream is what its seeded generator writes, and it is valid."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from scanner.demo import EVENTS_FILE, demo_data, recorded_at
from scanner.events.model import BadLine, RuntimeEvent
from scanner.events.parse import read_events

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_demo_events.py"


def _generator():
    spec = importlib.util.spec_from_file_location("make_demo_events", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_rerunning_the_generator_gives_the_committed_file_byte_for_byte():
    path = demo_data().fleet / EVENTS_FILE
    assert _generator().render() == path.read_text("utf-8")


def test_every_line_passes_the_event_schema_and_follows_the_demo_scan():
    path = demo_data().fleet / EVENTS_FILE
    items = list(read_events(path))
    assert [i for i in items if isinstance(i, BadLine)] == []
    events = [i for i in items if isinstance(i, RuntimeEvent)]
    assert len(events) == len(items) > 2000
    times = [json.loads(line)["time"] for line in path.read_text("utf-8").splitlines()]
    assert min(times) > recorded_at().strftime("%Y-%m-%dT%H:%M:%SZ")
    versions = {
        (e.server_name, e.server_version)
        for e in events
        if e.kind == "server_info"  # type: ignore[union-attr]
    }
    assert ("secure-filesystem-server", "2026.8.31") in versions
    assert ("secure-filesystem-server", "2026.12.1") in versions

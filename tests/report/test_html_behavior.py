"""The page over real behaviour analysis: events in a real SQLite store, fleet_behavior, render."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from scanner.behavior.analyse import fleet_behavior
from scanner.behavior.model import Verdict
from scanner.report.html import render_html
from scanner.score.model import FleetScore
from scanner.store import open_store
from tests.behavior.helpers import T0, Stream, stamp

BASE = {"read": 0.9, "network": 0.08, "write": 0.02}
HOT = {"read": 0.72, "network": 0.08, "write": 0.20}
CHANGE = T0 + timedelta(days=7, minutes=30)
AS_OF = T0 + timedelta(days=8, hours=1)


def test_a_shift_after_an_upgrade_is_on_the_page(tmp_path: Path) -> None:
    s = Stream(seed=11)
    for agent in ("target", "p1", "p2", "p3"):
        s.info(agent, T0, "gmail-mcp", "1.4.2")
        s.calls(agent, T0, 7 * 24, 10, BASE)
        s.calls(agent, CHANGE + timedelta(minutes=30), 24, 10, HOT if agent == "target" else BASE)
    s.info("target", CHANGE, "gmail-mcp", "1.5.0")
    with open_store(tmp_path / "cw.db") as store:
        store.record_events(s.events, at=stamp(AS_OF))
        behavior = fleet_behavior(store, as_of=AS_OF)
    (att,) = next(a for a in behavior.agents if a.agent == "target").attributions
    assert att.verdict is Verdict.SHIFT  # the analysis found it; now the page must show it

    page = render_html(FleetScore(behavior.as_of, (), ()), [], behavior,
                       generated_at=stamp(AS_OF), version="test")  # fmt: skip
    assert att.evidence.replace(">", "&gt;") in page
    assert re.search(r"<b>1</b><span>changes followed by a shift", page)
    # Without scores, the agent with an attributed shift leads; its timeline shows the change.
    section = page[page.index('id="agent-1"') : page.index('id="agent-2"')]
    assert "<span>target</span>" in section
    assert re.search(r"<text[^>]*>C1 gmail-mcp 1\.4\.2 -&gt; 1\.5\.0</text>", section)
    assert re.search(r"<text[^>]*>S1(-S\d)?</text>", section)  # the shifts, tied to C1
    assert '<td class="nw verdict-shift">shift</td>' in section

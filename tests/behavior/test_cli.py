"""`chainwatch behavior` on a real store filled by `chainwatch events import`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from click.testing import CliRunner

from scanner._cli import main
from scanner.behavior.series import rfc3339
from tests.behavior.helpers import T0, json_line
from tests.behavior.test_analyse import AS_OF, _fleet

EVIL = "evil\x1b[31mred\x07"  # a terminal escape and a bell in an agent-chosen name


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> list[str]:
    """One store for the module (the commands only read it): importing is the slow part."""
    tmp_path = tmp_path_factory.mktemp("behavior-cli")
    s = _fleet(target_after={"read": 0.72, "network": 0.08, "write": 0.20},
               peers_after={"read": 0.9, "network": 0.08, "write": 0.02})  # fmt: skip
    last_call = next(e for e in reversed(s.events) if e.kind == "tool_call")
    s.events.append(replace(last_call, seq=10**6, tool=EVIL, action_class="exec"))
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json_line(e) for e in s.events))
    db = ["--db", str(tmp_path / "s.db")]
    runner = CliRunner()
    done = runner.invoke(main, [*db, "events", "import", str(path)])
    assert done.exit_code == 0, done.output
    return db


def test_table_names_the_shift_and_its_cause_and_escapes_untrusted_text(imported):
    runner, db = CliRunner(), imported
    done = runner.invoke(main, [*db, "behavior", "--as-of", rfc3339(AS_OF)])
    assert done.exit_code == 0, done.output
    out = done.output
    assert "target: mature" in out
    assert "SHIFT" in out and "after gmail-mcp 1.4.2 -> 1.5.0; peers flat" in out
    assert "pact: none declared (no pact checks)" in out
    assert "\x1b" not in out and "\x07" not in out
    assert "evil" in out  # shown, cleaned


def test_one_agent_json_and_the_clock(imported):
    runner, db = CliRunner(), imported
    obj = {"clock": lambda: AS_OF}
    done = runner.invoke(main, [*db, "behavior", "target", "--format", "json"], obj=obj)
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    assert doc["as_of"] == rfc3339(AS_OF)
    (agent,) = doc["agents"]
    assert agent["agent"] == "target"
    (att,) = agent["attributions"]
    assert att["verdict"] == "shift" and att["change"]["after"] == "1.5.0"
    assert att["shifts"][0]["rate_ratio"] > 1


def test_an_agent_without_events_is_not_enough_data(imported):
    runner, db = CliRunner(), imported
    done = runner.invoke(main, [*db, "behavior", "ghost", "--as-of", rfc3339(AS_OF)])
    assert done.exit_code == 0, done.output
    assert "ghost: NOT ENOUGH DATA YET (0 calls" in done.output


def test_manifest_pact_and_a_bad_time(imported, tmp_path):
    runner, db = CliRunner(), imported
    manifest = tmp_path / "chainwatch.toml"
    manifest.write_text('version = 1\n[[agent]]\nid = "target"\npact = ["read", "network"]\n')
    done = runner.invoke(
        main, [*db, "behavior", "target", "--as-of", rfc3339(AS_OF), "--manifest", str(manifest)]
    )
    assert done.exit_code == 0, done.output
    assert "PACT" in done.output and "write call(s); the pact (manifest" in done.output
    bad = runner.invoke(main, [*db, "behavior", "--as-of", "yesterday"])
    assert bad.exit_code == 2 and "ISO 8601" in bad.output
    later = runner.invoke(main, [*db, "behavior", "--as-of", rfc3339(T0 + timedelta(days=1))])
    assert "NOT ENOUGH DATA YET" in later.output

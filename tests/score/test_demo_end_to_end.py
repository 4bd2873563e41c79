"""End to end through the CLI with the real detectors: the demo's recorded event stream is
imported, `chainwatch score` shows the drop and names the upgrade, `check --min-score` fails on it.

The support bot of the demo fleet is checked against the loopback registry and a loopback OSV API
at the moment the registry was recorded (it passes), then its twelve days of runtime events are
imported: its knowledge-base server is upgraded and a burst of writes follows.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from scanner._testing.osv_server import OsvApiServer
from scanner.demo import EVENTS_FILE, demo_data, recorded_at
from scanner.store import open_store
from tests.cli._clock import no_wait

# The env fixture of the check CLI tests: every installer's setting names the loopback registry.
from tests.cli.test_check_cli import env as env  # noqa: F401

MIN = "70"
UPGRADE = "server-filesystem 2026.8.31 -> 2026.12.1"
# The support bot as the demo manifest declares it; its policy fails on critical findings and
# allows the remote ticket server, so the check's verdict is the score's.
MANIFEST = """version = 1
[[agent]]
id = "support-bot"
name = "Customer support bot"
pact = ["read", "network"]
configs = [{ path = "claude_desktop_config.json", client = "claude-desktop" }]

[agent.pins]
"pkg:npm/%40modelcontextprotocol/server-filesystem" = "2026.8.31"

[policy]
fail_on = "critical"
allow = ["https://tickets.example.invalid/mcp"]
"""


def _stream() -> Path:
    return demo_data().fleet / EVENTS_FILE


def _end_of_stream() -> datetime:
    times = [json.loads(line)["time"] for line in _stream().read_text("utf-8").splitlines()]
    return datetime.fromisoformat(max(times).replace("Z", "+00:00"))


def _run(env, db: Path, at: datetime, *args: str):
    obj = {"clock": lambda: at, "sleep": no_wait}
    return CliRunner(env=env).invoke(main, ["--db", str(db), *args], obj=obj)


def test_events_import_then_score_shows_the_drop_and_check_min_score_fails(env, tmp_path):
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    shutil.copy(demo_data().fleet / "support-bot" / "claude_desktop_config.json", fleet)
    (fleet / "chainwatch.toml").write_text(MANIFEST)
    db = tmp_path / "cw.db"
    start, end = recorded_at(), _end_of_stream() + timedelta(minutes=1)
    with OsvApiServer({}, {}) as osv:
        check = ["check", str(fleet), "--osv-url", osv.base_url, "--cache-dir", str(tmp_path / "c")]
        check += ["--min-score", MIN]
        before = _run(env, db, start, *check)
        assert before.exit_code == 0, before.output

        imported = _run(env, db, end, "events", "import", str(_stream()))
        assert imported.exit_code == 0, imported.output
        # Unwrapped: where the line wraps depends on how long the checkout's path is.
        assert "0 bad lines skipped" in " ".join(imported.stdout.split())

        score = _run(env, db, end, "score", "support-bot")
        assert score.exit_code == 0, score.output
        text = " ".join(score.stdout.split())  # unwrapped
        head = text.split(" cap ", 1)[0]
        was = int(head.split("; was ", 1)[1].split(" ", 1)[0])
        now = int(head.split(": ", 1)[1].split("/", 1)[0])
        assert now < int(MIN) <= was, head  # the drop, from the check's own history point
        assert head.endswith("(check)"), head
        assert "cap 50 (CW613) support-bot: behaviour shift attributed to a change" in text
        assert UPGRADE in text and "write 0% ->" in text
        assert "CW615" in text  # the writes are outside the bot's pact too

        after = _run(env, db, end, *check)
    assert after.exit_code == 1, after.output
    tripped = " ".join(after.stdout.split())
    assert f"--min-score {MIN} tripped on support-bot: score 50 < {MIN}:" in tripped
    assert UPGRADE in tripped
    with open_store(db) as store:
        causes = [p.cause for p in store.score_history("agent", "support-bot")]
    assert causes == ["check", "events", "score", "check"]


def test_the_demo_ends_with_the_score_drop_naming_the_upgrade(tmp_path):
    result = CliRunner().invoke(main, ["demo", "--store", str(tmp_path / "demo.db")])
    assert result.exit_code in {0, 1}, result.output
    text = " ".join(result.stdout.split())
    assert "runtime events: " in text and " stored from " in text
    drop = text.split("support-bot ", 1)[1]
    before, after = drop.split(":", 1)[0].split(" -> ")
    assert int(after) < int(before)
    assert "capped at 50 (CW613)" in drop.split(" `chainwatch")[0] and UPGRADE in drop
    for agent in ("coder", "ops", "research"):
        a, b = text.split(f" {agent} ", 1)[1].split(" ", 3)[0:3:2]
        assert a == b  # the peers did not move
    # The ending's HTML report, beside the demo store, shows the drop and names the upgrade.
    page = tmp_path / "demo-report.html"
    assert f"HTML report: {page}" in text
    html = page.read_text(encoding="utf-8")
    assert "support-bot" in html and escape(UPGRADE) in html and "<svg" in html

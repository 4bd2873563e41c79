"""`chainwatch score`, `check --min-score` and the collector's score endpoint, end to end on
real stores (the demo fleet against the loopback registry; a small fleet for the check)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from scanner._cli import main
from scanner.collector.app import CollectorSettings, create_app
from scanner.demo import recorded_at
from scanner.errors import ChainwatchError
from scanner.report.check_json import schema_text
from scanner.store import open_store
from tests.cli._clock import fixed_obj
from tests.cli.test_check_cli import _check, _fleet, _served

# The env fixture of the check CLI tests: every installer's setting names the loopback registry.
from tests.cli.test_check_cli import env as env  # noqa: F401
from tests.collector.conftest import make_tokens
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo fleet scanned once into its own store (at the fixtures' recording time)."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = CliRunner().invoke(main, ["demo", "--store", str(db)])
    assert result.exit_code in {0, 1}, result.output
    return db


def _score(db: Path, *args: str, obj: dict[str, object] | None = None):
    runner = CliRunner()
    return runner.invoke(main, ["--db", str(db), "score", *args], obj=obj or fixed_obj())


def test_score_table_names_every_agent_its_caps_and_evidence(demo_db):
    result = _score(demo_db)
    assert result.exit_code == 0, result.output
    for agent in ("coder", "ops", "research", "support-bot"):
        assert f"{agent}: " in result.stdout
    # research runs requests with a planted digest mismatch: capped, with the evidence.
    assert "research: 20/100" in result.stdout
    assert "cap 20 (CW200) requests@2.31.0" in result.stdout
    assert "not assessed" in result.stdout  # no audit in a plain demo scan: said so


def test_score_json_carries_the_model_every_deduction_and_the_history(demo_db):
    first = _score(demo_db, "--format", "json")
    second = _score(demo_db, "support-bot", "--format", "json")
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    doc = json.loads(second.stdout)
    assert doc["model"]["weights"]["behavior"] == 0.15
    (bot,) = doc["agents"]
    assert bot["subject"] == "support-bot" and 0 <= bot["value"] <= 100
    lost = sum(d["points"] for d in bot["lost"])
    assert lost == pytest.approx(sum(100 - f["value"] for f in bot["factors"]), abs=0.1)
    assert {"vulnerabilities", "behavior"} <= set(bot["unchecked"])
    assert [p["cause"] for p in bot["history"]][-2:] == ["score", "score"]
    assert all(c["kind"] == "component" for c in doc["components"])


def test_score_as_of_a_time_before_any_scan_has_nothing_to_score(demo_db):
    before = (recorded_at() - timedelta(days=1)).isoformat()
    empty = _score(demo_db, "--as-of", before)
    assert empty.exit_code == 3 and "no scan or runtime events" in empty.stderr
    unknown = _score(demo_db, "nobody")
    assert unknown.exit_code == 3 and "'nobody'" in unknown.stderr
    bad = _score(demo_db, "--as-of", "last tuesday")
    assert bad.exit_code == 2 and "--as-of" in bad.output
    one_agent = _score(demo_db, "ops")
    assert "components (lowest first):" in one_agent.stdout


def test_check_min_score_passes_above_and_fails_below_naming_agent_score_and_cause(env, tmp_path):
    # The policy fails on critical findings only, so the high vulnerability is the score's alone.
    folder = _fleet(tmp_path, '[policy]\nfail_on = "critical"\n')
    with _served(vulnerable=True) as osv:
        low = _check(env, tmp_path, folder, osv, "--min-score", "1")
        high = _check(env, tmp_path, folder, osv, "--min-score", "100")
        doc = _check(env, tmp_path, folder, osv, "--min-score", "100", "--format", "json")
        sarif = _check(env, tmp_path, folder, osv, "--min-score", "100", "--format", "sarif")
    assert low.exit_code == 0, low.output
    assert high.exit_code == 1, high.output
    assert "--min-score 100 tripped on agent: score" in high.stdout
    assert "< 100:" in high.stdout and "CW400" in high.stdout  # the vulnerability is a cause
    # The check document carries the trip, and stays valid against its published schema.
    report = json.loads(doc.stdout)
    jsonschema.Draft202012Validator(json.loads(schema_text())).validate(report)
    assert [t["rule"] for t in report["gate"]["trips"]] == ["min-score"]
    assert report["exit_code"] == 1
    (below,) = [f for f in report["findings"] if f["code"] == "CW610"]
    assert below["agent"] == "agent" and below["subject"].endswith("claude_desktop_config.json")
    # In SARIF too, located on the agent's config, valid against the OASIS schema.
    log = json.loads(sarif.stdout)
    oasis = json.loads((FIXTURES / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(oasis).validate(log)
    (result,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "CW610"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(
        "claude_desktop_config.json"
    )
    with open_store(tmp_path / "cw.db") as store:
        causes = {p.cause for p in store.score_history("agent", "agent")}
    assert causes == {"check"}


def test_check_min_score_fails_closed_when_no_score_can_be_computed(env, tmp_path, monkeypatch):
    def broken(store, *, as_of, agents=None):
        raise ChainwatchError("runtime events unreadable")

    # Fault injection: the behaviour analysis fails, so no score can be trusted.
    monkeypatch.setattr("scanner.score.compute.default_behavior", lambda: broken)
    folder = _fleet(tmp_path)
    with _served(vulnerable=False) as osv:
        result = _check(env, tmp_path, folder, osv, "--min-score", "1")
    assert result.exit_code == 1, result.output
    assert "score unavailable" in result.stdout and "runtime events unreadable" in result.stdout


@pytest.fixture
def collector(demo_db: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    tokens = make_tokens(demo_db, "support-bot", "ops")
    settings = CollectorSettings(db=demo_db, clock=recorded_at)
    with TestClient(create_app(settings)) as client:
        yield client, tokens


def test_the_collector_serves_an_agents_score_to_its_own_token_only(collector):
    client, tokens = collector
    auth = {"Authorization": f"Bearer {tokens['support-bot']}"}
    r = client.get("/v1/agents/support-bot/score", headers=auth)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["agent"] == "support-bot" and doc["as_of"] == recorded_at().isoformat()
    assert doc["lost"] and all(d["evidence"] for d in doc["lost"])
    assert client.get("/v1/agents/ops/score", headers=auth).status_code == 403
    assert client.get("/v1/agents/support-bot/score").status_code == 401
    early = client.get(
        "/v1/agents/support-bot/score", params={"as_of": "2020-01-01T00:00:00Z"}, headers=auth
    )
    assert early.status_code == 404
    naive = client.get(
        "/v1/agents/support-bot/score", params={"as_of": "2026-11-27T00:00:00"}, headers=auth
    )
    assert naive.status_code == 400

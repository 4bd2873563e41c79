"""GET /v1/report: the same page from the collector, for the token's own agent only."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from scanner.collector.app import CollectorSettings, create_app
from scanner.report.html_style import CSP
from tests.collector.conftest import make_tokens
from tests.report.demo_store import DemoStore, copy_of


@pytest.fixture
def served(demo_store: DemoStore, tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    db = copy_of(demo_store, tmp_path)
    tokens = make_tokens(db, demo_store.shifted_agent, "research", "no-data-agent")
    end = datetime.fromisoformat(demo_store.end).astimezone(UTC)
    with TestClient(create_app(CollectorSettings(db=db, clock=lambda: end))) as client:
        yield client, {a: f"Bearer {t}" for a, t in tokens.items()}


def test_the_agent_gets_its_page_with_the_shift(
    served: tuple[TestClient, dict[str, str]], demo_store: DemoStore
) -> None:
    client, auth = served
    r = client.get("/v1/report", headers={"Authorization": auth[demo_store.shifted_agent]})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert r.headers["content-security-policy"] == f"{CSP}; frame-ancestors 'none'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    page = r.text
    assert page.startswith("<!DOCTYPE html>")
    assert html.escape(demo_store.evidence) in page
    assert f"<span>{demo_store.shifted_agent}</span>" in page
    # Another agent's name, score or findings never reach this token's page.
    for other in ("research", "coder", "ops"):
        assert f"<span>{other}</span>" not in page and f">{other}</a>" not in page
    assert page.count('<section class="agent"') == 1


def test_as_of_before_the_upgrade_shows_no_shift(
    served: tuple[TestClient, dict[str, str]], demo_store: DemoStore
) -> None:
    client, auth = served
    params = {"as_of": "2026-11-28T00:00:00Z"}
    r = client.get("/v1/report", params=params, headers={"Authorization": auth["research"]})
    assert r.status_code == 200
    assert "<span>research</span>" in r.text
    assert html.escape(demo_store.change_label) not in r.text


def test_refusals(served: tuple[TestClient, dict[str, str]]) -> None:
    client, auth = served
    assert client.get("/v1/report").status_code == 401
    bad = client.get("/v1/report", headers={"Authorization": "Bearer cwt_nonsense"})
    assert bad.status_code == 401
    missing = client.get("/v1/report", headers={"Authorization": auth["no-data-agent"]})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "no scan or runtime events of this agent yet"
    for value in ("2026-11-28T00:00:00", "0001-01-01T00:00:00Z"):
        r = client.get(
            "/v1/report", params={"as_of": value}, headers={"Authorization": auth["research"]}
        )
        assert r.status_code == 400, value


def test_the_openapi_document_describes_the_page(served: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = served
    op = client.get("/openapi.json").json()["paths"]["/v1/report"]["get"]
    assert op["responses"]["200"]["content"] == {"text/html": {"schema": {"type": "string"}}}
    assert {"401", "404", "429"} <= set(op["responses"])
    assert [p["name"] for p in op["parameters"]] == ["as_of"]

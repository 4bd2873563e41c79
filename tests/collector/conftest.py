"""A real collector app over a real store (SQLite and PostgreSQL), with two agents' tokens."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scanner.collector.app import CollectorSettings, create_app
from scanner.collector.ratelimit import RateLimit
from scanner.collector.server import bound_port, server
from scanner.collector.tokens import new_token
from scanner.store import StoreTarget, open_store

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Ticker:
    """A monotonic clock the test moves by hand."""

    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Collector:
    client: TestClient
    db: StoreTarget
    tokens: dict[str, str]  # agent -> token text
    ticker: Ticker

    def auth(self, agent: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agent]}"}


def event(batch_id: str, seq: int, agent: str, **extra: Any) -> dict[str, Any]:
    """One event as the hook writes it (scanner/runtime/event.schema.json)."""
    body = {
        "schema": "chainwatch.event/1",
        "batch_id": batch_id,
        "seq": seq,
        "time": f"2026-03-01T11:{seq // 60 % 60:02d}:{seq % 60:02d}Z",
        "agent": agent,
        "kind": "tool_call",
        "tool": "search",
        "outcome": "ok",
        "action_class": "read",
    }
    return {**body, **extra}


def batch(batch_id: str, agent: str, n: int = 3) -> dict[str, Any]:
    return {
        "batch_id": batch_id,
        "dropped_total": 0,
        "events": [event(batch_id, i, agent) for i in range(n)],
    }


def make_tokens(db: StoreTarget, *agents: str) -> dict[str, str]:
    out = {}
    with open_store(db) as store:
        for agent in agents:
            text, record = new_token(agent, at=NOW.isoformat())
            store.save_token(record)
            out[agent] = text
    return out


@pytest.fixture
def collector(store_db: StoreTarget) -> Iterator[Collector]:
    db = store_db
    tokens = make_tokens(db, "agent-a", "agent-b")
    ticker = Ticker()
    settings = CollectorSettings(
        db=db,
        max_body=64 * 1024,
        max_events=500,
        rate=RateLimit(rate=10.0, burst=20),
        clock=lambda: NOW,
        monotonic=ticker,
    )
    with TestClient(create_app(settings)) as client:
        yield Collector(client, db, tokens, ticker)


@pytest.fixture
def live(store_db: StoreTarget) -> Iterator[tuple[str, StoreTarget, dict[str, str]]]:
    """A real uvicorn collector on a free loopback port: (url, db, tokens)."""
    db = store_db
    tokens = make_tokens(db, "agent-a", "agent-b")
    settings = CollectorSettings(db=db, clock=lambda: NOW, rate=RateLimit(10_000, 10_000))
    srv = server(settings, host="127.0.0.1", port=0)
    srv.config.log_level = "warning"
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    yield f"http://127.0.0.1:{bound_port(srv)}", db, tokens
    srv.should_exit = True
    thread.join(timeout=20)

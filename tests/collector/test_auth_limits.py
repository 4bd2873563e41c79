"""Tokens, agent isolation, body and rate limits: the collector refuses before it stores."""

from __future__ import annotations

from scanner.collector.tokens import new_token, token_id_of, token_matches
from scanner.store import open_sql_store, open_store
from tests.collector.conftest import batch, event


def _count(db) -> int:
    with open_sql_store(db) as store:
        return store.count("runtime_events")


def test_no_token_is_401(collector):
    r = collector.client.post("/v1/events", json=batch("batch-0001", "agent-a"))
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["detail"] == "a bearer token is required"
    assert collector.client.get("/v1/agents/agent-a/events").status_code == 401


def test_bad_tokens_are_401(collector):
    good = collector.tokens["agent-a"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")  # right id, wrong secret
    for value in ("Bearer nonsense", f"Bearer {forged}", f"Basic {good}", good):
        r = collector.client.post(
            "/v1/events", json=batch("batch-0001", "agent-a"), headers={"Authorization": value}
        )
        assert r.status_code == 401, value
    assert _count(collector.db) == 0


def test_a_revoked_token_is_401(collector):
    token_id = token_id_of(collector.tokens["agent-a"])
    with open_store(collector.db) as store:
        assert store.revoke_token(token_id, at="2026-03-01T12:00:00+00:00")
        assert not store.revoke_token(token_id, at="2026-03-01T12:00:00+00:00")
    r = collector.client.post(
        "/v1/events", json=batch("batch-0001", "agent-a"), headers=collector.auth("agent-a")
    )
    assert r.status_code == 401
    assert r.json()["detail"] == "unknown or revoked token"


def test_agent_a_cannot_write_agent_b(collector):
    body = batch("batch-0001", "agent-a")
    body["events"].append(event("batch-0001", 9, "agent-b"))
    r = collector.client.post("/v1/events", json=body, headers=collector.auth("agent-a"))
    assert r.status_code == 403
    assert "own agent" in r.json()["detail"]
    assert _count(collector.db) == 0  # refused whole: not even agent A's events are kept


def test_agent_a_cannot_read_agent_b(collector):
    for what in ("events", "findings", "score"):
        r = collector.client.get(f"/v1/agents/agent-b/{what}", headers=collector.auth("agent-a"))
        assert r.status_code == 403


def test_oversized_body_is_413_by_content_length(collector):
    body = batch("batch-0001", "agent-a", n=400)  # well over the fixture's 64 KiB cap
    r = collector.client.post("/v1/events", json=body, headers=collector.auth("agent-a"))
    assert r.status_code == 413
    assert "larger than 65536 bytes" in r.json()["detail"]
    assert _count(collector.db) == 0


def test_oversized_streamed_body_is_413_without_content_length(collector):
    def chunks():
        yield b'{"batch_id": "batch-0001", "events": ['
        for _ in range(100):
            yield b'"' + b"x" * 1000 + b'",'
        yield b'"x"]}'

    headers = {**collector.auth("agent-a"), "Content-Type": "application/json"}
    r = collector.client.post("/v1/events", content=chunks(), headers=headers)
    assert r.status_code == 413


def test_rate_limit_is_429_per_token_and_refills(collector):
    headers = collector.auth("agent-a")
    codes = [
        collector.client.get("/v1/agents/agent-a/events", headers=headers).status_code
        for _ in range(21)
    ]
    assert codes[:20] == [200] * 20  # the burst
    assert codes[20] == 429
    r = collector.client.get("/v1/agents/agent-a/events", headers=headers)
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    # Another token has its own bucket.
    other = collector.client.get("/v1/agents/agent-b/events", headers=collector.auth("agent-b"))
    assert other.status_code == 200
    collector.ticker.now += 0.5  # 10/s: five requests' worth
    codes = [
        collector.client.get("/v1/agents/agent-a/events", headers=headers).status_code
        for _ in range(6)
    ]
    assert codes == [200] * 5 + [429]


def test_tokens_are_stored_as_digests_only(tmp_path):
    db = tmp_path / "s.db"
    text, record = new_token("agent-a", at="2026-03-01T12:00:00+00:00")
    with open_store(db) as store:
        store.save_token(record)
        (stored,) = store.agent_tokens()
    assert token_matches(stored, text)
    assert not token_matches(stored, text[:-1] + ("A" if text[-1] != "A" else "B"))
    secret = text.split("_", 2)[2]  # the secret may itself hold "_"
    for path in tmp_path.iterdir():
        assert secret.encode() not in path.read_bytes()
    assert len(secret) == 43  # 32 random bytes, base64url


def test_a_batch_id_another_agent_used_is_409_not_a_silent_duplicate(collector):
    first = collector.client.post(
        "/v1/events", json=batch("batch-0001", "agent-b"), headers=collector.auth("agent-b")
    )
    assert first.status_code == 200
    r = collector.client.post(
        "/v1/events", json=batch("batch-0001", "agent-a"), headers=collector.auth("agent-a")
    )
    assert r.status_code == 409
    assert "another agent" in r.json()["detail"]
    assert _count(collector.db) == 3  # agent B's batch only

"""A score or report request is analysed off the event loop: ingest goes on meanwhile."""

from __future__ import annotations

import threading

import httpx
import pytest

import scanner.collector.app as app_module
from scanner.store import open_store
from tests.collector.conftest import batch


def test_ingest_is_served_while_a_score_is_being_analysed(live, monkeypatch) -> None:
    # Fault injection: the fleet analysis behind a score holds until the test lets it go, as a
    # million-event analysis would take seconds. Ingest must not wait for it.
    url, db, tokens = live
    started, release = threading.Event(), threading.Event()
    real = app_module.fleet_score

    def held(*args, **kwargs):
        started.set()
        release.wait(timeout=30)
        return real(*args, **kwargs)

    monkeypatch.setattr(app_module, "fleet_score", held)
    auth = {"Authorization": f"Bearer {tokens['agent-a']}"}
    answers: list[int] = []

    def ask_score() -> None:
        r = httpx.get(f"{url}/v1/agents/agent-a/score", headers=auth, timeout=60)
        answers.append(r.status_code)

    asking = threading.Thread(target=ask_score)
    asking.start()
    try:
        assert started.wait(timeout=20), "the score request never reached the analysis"
        # On the event loop, this post would wait for the held analysis and time out.
        during = batch("batch-during-analysis", "agent-a")
        r = httpx.post(f"{url}/v1/events", json=during, headers=auth, timeout=5)
        assert r.status_code == 200 and r.json()["stored"] == 3
        assert not release.is_set() and asking.is_alive()  # the score is still being analysed
    finally:
        release.set()
        asking.join(timeout=60)
    assert answers == [200]  # then the score is answered, the new events counted in
    with open_store(db) as store:
        assert len(store.runtime_events(agent="agent-a")) == 3


def test_a_failing_analysis_is_a_503_and_the_collector_goes_on(live, monkeypatch) -> None:
    url, _, tokens = live
    from scanner.errors import StoreError

    def broken(*args, **kwargs):
        raise StoreError("the analysis could not read the store (injected)")

    monkeypatch.setattr(app_module, "fleet_score", broken)
    auth = {"Authorization": f"Bearer {tokens['agent-a']}"}
    r = httpx.get(f"{url}/v1/agents/agent-a/score", headers=auth, timeout=30)
    assert r.status_code == 503 and "injected" in r.json()["detail"]
    after = batch("batch-after-failure", "agent-a")
    r = httpx.post(f"{url}/v1/events", json=after, headers=auth, timeout=5)
    assert r.status_code == 200, r.text


pytestmark = pytest.mark.filterwarnings("error")

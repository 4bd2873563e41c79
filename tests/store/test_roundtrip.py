"""Property test: what the store is given comes back unchanged (identities, their history)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attestations.result import PublisherIdentity
from scanner.store import IdentityAction, open_store
from tests.attestations.test_properties import identities

purl_keys = st.builds(
    lambda eco, name: f"pkg:{eco}/{name}",
    st.sampled_from(["pypi", "npm"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._", min_size=1, max_size=20),
)


@pytest.fixture
def store(store_db):
    with open_store(store_db) as opened:
        yield opened


# One store per backend for all examples, emptied before each (a database per example would
# cost PostgreSQL a CREATE DATABASE each time).
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(purl_keys, st.none() | identities, st.booleans()), max_size=6))
def test_identities_and_their_history_round_trip(
    store, writes: list[tuple[str, PublisherIdentity | None, bool]]
) -> None:
    with store._write() as conn:
        conn.execute("DELETE FROM identity_history")
        conn.execute("DELETE FROM publisher_identities")
    expected: dict[str, tuple[PublisherIdentity | None, bool]] = {}
    for i, (key, identity, pinned) in enumerate(writes):
        action = IdentityAction.PINNED if pinned else IdentityAction.ACCEPTED
        store.set_identity(key, identity, action=action, at=f"t{i}", pinned=pinned)
        expected[key] = (identity, pinned)
    for key, (identity, pinned) in expected.items():
        stored = store.publisher_identity(key)
        assert stored is not None
        assert (stored.identity, stored.pinned) == (identity, pinned)
    # Every accept and pin is history, in order, with the identity it set.
    history = store.identity_history()
    assert [(e.purl_key, e.identity, e.at) for e in history] == [
        (key, identity, f"t{i}") for i, (key, identity, _) in enumerate(writes)
    ]
    assert sorted(s.purl_key for s in store.publisher_identities()) == sorted(expected)

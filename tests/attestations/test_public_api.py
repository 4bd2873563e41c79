"""The package's public names are complete, sorted and importable."""

from __future__ import annotations

import attestations


def test_all_is_sorted_and_resolves() -> None:
    assert attestations.__all__ == sorted(attestations.__all__)
    for name in attestations.__all__:
        assert getattr(attestations, name) is not None

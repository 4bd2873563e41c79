"""Property: an ECOSYSTEM range evaluates as the union of its intervals, in any event order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from scanner.audit.interface import Ecosystem, Package
from scanner.audit.osv_eval import match_record
from scanner.audit.osv_record import parse_record

bounds = st.lists(st.integers(1, 60), min_size=2, max_size=8, unique=True).map(sorted)


@given(
    bounds=bounds,
    last=st.booleans(),
    shuffle=st.randoms(use_true_random=False),
    version=st.integers(0, 70),
    eco=st.sampled_from([Ecosystem.PYPI, Ecosystem.NPM]),
)
def test_range_is_union_of_intervals(bounds, last, shuffle, version, eco):
    if len(bounds) % 2:
        bounds = bounds[:-1]
    pairs = list(zip(bounds[::2], bounds[1::2], strict=True))
    closing = "last_affected" if last else "fixed"

    def v(n: int) -> str:
        return f"{n}.0" if eco is Ecosystem.PYPI else f"{n}.0.0"

    events = [e for lo, hi in pairs for e in ({"introduced": v(lo)}, {closing: v(hi)})]
    shuffle.shuffle(events)
    raw = {
        "id": "CWTEST-property",
        "affected": [
            {
                "package": {"ecosystem": eco.value, "name": "p"},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ],
    }
    got = match_record(parse_record(raw, "property"), Package(eco, "p", v(version))) is not None
    if last:
        expected = any(lo <= version <= hi for lo, hi in pairs)
    else:
        expected = any(lo <= version < hi for lo, hi in pairs)
    assert got is expected


@given(name=st.text(alphabet="aAbZz09-_.İK ", max_size=24) | st.text(max_size=12))
def test_pypi_names_key_as_packaging_canonicalizes_them(name: str) -> None:
    # normalise_name writes packaging's canonicalize_name out (importing it loads
    # packaging.tags); the two must never disagree, or advisories would be missed.
    from packaging.utils import canonicalize_name

    from scanner.audit.interface import normalise_name

    assert normalise_name(Ecosystem.PYPI, name) == canonicalize_name(name)
    assert normalise_name(Ecosystem.NPM, name) == name

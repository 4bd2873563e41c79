"""The shortcuts of the requirements inventory give what the general code gives."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.inventory.lockfiles._lockdigests import canonical_sha256, fast_digest
from scanner.inventory.lockfiles._purls import pep503
from scanner.inventory.lockfiles.requirements import read_requirements

_NAME = st.text(alphabet="aZ9-_.", max_size=12)


@settings(max_examples=500, deadline=None)
@given(_NAME)
def test_pep503_shortcut_equals_the_regex(name: str) -> None:
    assert pep503.__wrapped__(name) == re.sub(r"[-_.]+", "-", name).lower()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="sha256:0123456789abcdefABCDEF", min_size=60, max_size=75))
def test_canonical_sha256_only_takes_the_canonical_form(raw: str) -> None:
    found = canonical_sha256(raw)
    canonical = re.fullmatch(r"sha256:[0-9a-f]{64}", raw) is not None
    assert (found is not None) == canonical
    if found is not None:
        assert found == fast_digest(raw) and found.hex == raw[7:]


def test_hash_options_in_either_form_and_order_are_kept(tmp_path: Path) -> None:
    a, b, c = ("sha256:" + ch * 64 for ch in "abc")
    req = tmp_path / "requirements.txt"
    req.write_text(
        f"one==1.0 --hash={a} --hash {b} --hash={c}\n"
        f"two==2.0 --hash={b}  # comment\n"
        f"three==3.0 ; python_version > '3' --hash={c}\n"
        "four==4.0\n"
    )
    result = read_requirements(req)
    got = {c.name: [d.raw for art in c.artifacts for d in art.digests] for c in result.components}
    assert got == {"one": [a, b, c], "two": [b], "three": [c], "four": []}
    assert [c.source.line for c in result.components if c.source] == [1, 2, 3, 4]
    assert {c.requirement for c in result.components} == {
        "one==1.0",
        "two==2.0",
        "three==3.0 ; python_version > '3'",
        "four==4.0",
    }

"""Property tests: digests, SRI and RECORD hashes round-trip; identity comparison is consistent."""

from __future__ import annotations

import hashlib
from dataclasses import fields, replace

from hypothesis import given
from hypothesis import strategies as st

from attestations.digests import DigestError, parse_digest, parse_sri, record_hash, to_sri
from attestations.identity import compare_identities, matches_pin
from attestations.result import PublisherIdentity

ALGORITHMS = ("sha256", "sha384", "sha512")

# Field values as a person or a certificate writes them: no separators used by FIELD=VALUE lists.
value = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs"), blacklist_characters=",="),
    min_size=1,
    max_size=30,
)
identities = st.builds(
    PublisherIdentity,
    kind=st.sampled_from(["github", "gitlab", "google", "npm-registry-key"]),
    issuer=st.none() | value,
    repository=st.none() | value,
    repository_id=st.none() | st.integers(0, 10**9).map(str),
    owner_id=st.none() | st.integers(0, 10**9).map(str),
    workflow=st.none() | value,
    environment=st.none() | value,
    subject=st.none() | value,
    runner_environment=st.none() | st.sampled_from(["github-hosted", "self-hosted"]),
)


@given(st.binary(), st.sampled_from(ALGORITHMS))
def test_every_written_form_of_a_digest_reads_back_as_the_same_hex(data: bytes, algo: str) -> None:
    hexed = hashlib.new(algo, data).hexdigest()
    forms = [f"{algo}:{hexed}", f"{algo}={hexed}", hexed.upper(), f"{algo.upper()}:{hexed}"]
    for form in forms:
        digest = parse_digest(form)
        assert (digest.algorithm, digest.hex, digest.raw) == (algo, hexed, form)
    (sri,) = parse_sri(to_sri(algo, hexed))
    assert (sri.algorithm, sri.hex) == (algo, hexed)


@given(st.binary())
def test_a_record_hash_reads_back_as_its_sha256(data: bytes) -> None:
    hexed = hashlib.sha256(data).hexdigest()
    # RECORD: ``sha256=<urlsafe base64 without padding>``
    assert parse_digest(f"sha256={record_hash(hexed)}").hex == hexed


@given(st.text(max_size=200))
def test_any_text_is_a_digest_or_a_digest_error(text: str) -> None:
    for parse in (parse_digest, parse_sri):
        try:
            parse(text)
        except DigestError as exc:
            assert exc.message  # says what was wrong
            continue


@given(identities)
def test_an_identity_never_differs_from_itself(identity: PublisherIdentity) -> None:
    assert compare_identities(identity, identity) == ()
    assert matches_pin(identity, {"kind": identity.kind})


@given(identities, identities)
def test_identity_comparison_is_symmetric(a: PublisherIdentity, b: PublisherIdentity) -> None:
    assert set(compare_identities(a, b)) == set(compare_identities(b, a))


@given(identities, st.sampled_from(["repository", "workflow", "repository_id", "owner_id"]))
def test_a_changed_field_is_named(identity: PublisherIdentity, name: str) -> None:
    before = replace(identity, **{name: "before-value"})
    after = replace(identity, **{name: "after-value"})
    assert name in compare_identities(before, after)


@given(identities)
def test_losing_the_attestation_is_a_change_and_gaining_it_is_not(
    identity: PublisherIdentity,
) -> None:
    assert compare_identities(identity, None) == ("attestation",)
    assert compare_identities(None, identity) == ()


@given(identities, st.text(min_size=1, max_size=10).filter(lambda k: k not in _PIN_KEYS))
def test_a_pin_key_not_understood_never_matches(identity: PublisherIdentity, key: str) -> None:
    assert not matches_pin(identity, {"kind": identity.kind, key: "x"})
    assert not matches_pin(identity, {})  # a pin without kind: fail closed
    assert not matches_pin(None, {"kind": identity.kind})


_PIN_KEYS = {
    "kind",
    "repository",
    "workflow",
    "workflow_filepath",
    "email",
    "environment",
    "issuer",
    "repository_id",
    "owner_id",
}
assert {f.name for f in fields(PublisherIdentity)} >= {"kind", "repository", "workflow"}

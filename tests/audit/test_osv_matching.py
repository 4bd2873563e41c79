"""OSV matching against the spec, as a table: (record, package version, expected, got).

Real published records (fixtures/osv/real, sources in fixtures/SOURCES.md) and one record written
per rule (fixtures/osv/rules). Run this file as a script to print the table.
"""

from __future__ import annotations

import pytest

from scanner.audit.interface import Ecosystem, Package
from scanner.audit.osv_eval import UnorderableVersion, match_record
from scanner.audit.osv_record import MalformedRecord, parse_record
from tests.audit.conftest import load

P, N = Ecosystem.PYPI, Ecosystem.NPM
A, U = True, False  # affected, unaffected

# (record id, ecosystem, name, version, expected affected, expected fix versions, rule)
CASES: list[tuple[str, Ecosystem, str, str, bool, tuple[str, ...], str]] = [
    # real records
    ("PYSEC-2023-74", P, "requests", "2.30.0", A, ("2.31.0",), "introduced/fixed (ECOSYSTEM)"),
    ("PYSEC-2023-74", P, "requests", "2.31.0", U, (), "fixed is exclusive"),
    ("PYSEC-2023-74", P, "requests", "2.3.0", A, ("2.31.0",), "introduced is inclusive"),
    ("PYSEC-2023-74", P, "requests", "2.2.1", U, (), "below introduced"),
    ("PYSEC-2023-74", P, "Requests", "2.28.0", A, ("2.31.0",), "PEP 503 name"),
    ("PYSEC-2022-42969", P, "py", "1.11.0", A, (), "last_affected is inclusive, no fix"),
    ("PYSEC-2022-42969", P, "py", "1.11.1", U, (), "above last_affected"),
    ("PYSEC-2022-42969", P, "py", "0.1", A, (), "introduced 0"),
    ("PYSEC-2024-43", P, "langchain", "0.1.10", A, ("0.1.11",), "1.10 vs 1.9 ordering"),
    ("PYSEC-2024-43", P, "langchain", "0.1.11", U, (), "fixed"),
    ("PYSEC-2021-13", P, "flask-caching", "1.10.1", U, (), "withdrawn never matches"),
    (
        "GHSA-p44j-xrqg-4xrr",
        P,
        "Products.PluggableAuthService",
        "2.6.0",
        A,
        ("2.6.1",),
        "dotted name normalised",
    ),
    ("GHSA-p44j-xrqg-4xrr", P, "products-pluggableauthservice", "2.6.1", U, (), "fixed"),
    ("GHSA-9v2f-6vcg-3hgv", P, "gradio", "4.36.1", A, (), "versions list only"),
    ("GHSA-9v2f-6vcg-3hgv", P, "gradio", "4.36.0", U, (), "not in versions list"),
    (
        "GHSA-fhjf-83wg-r2j9",
        N,
        "mixin-deep",
        "1.3.1",
        A,
        ("1.3.2", "2.0.1"),
        "unsorted events sorted",
    ),
    ("GHSA-fhjf-83wg-r2j9", N, "mixin-deep", "1.3.2", U, (), "gap between ranges"),
    ("GHSA-fhjf-83wg-r2j9", N, "mixin-deep", "2.0.0", A, ("2.0.1",), "second introduced"),
    ("GHSA-fhjf-83wg-r2j9", N, "mixin-deep", "2.0.1", U, (), "second fixed"),
    ("GHSA-mhpp-875w-9cpv", N, "jquery", "2.1.1-beta.1", A, ("3.0.0",), "prerelease introduced"),
    ("GHSA-mhpp-875w-9cpv", N, "jquery", "2.1.0", U, (), "below prerelease introduced"),
    ("GHSA-mhpp-875w-9cpv", N, "jquery", "3.0.0-rc.1", A, ("3.0.0",), "prerelease < release"),
    ("GHSA-f89g-whpf-6q9m", N, "i18next", "1.10.2", A, ("1.10.3",), "SEMVER fixed"),
    ("GHSA-f89g-whpf-6q9m", N, "i18next", "1.10.3", U, (), "SEMVER fixed exclusive"),
    ("GHSA-pxmp-fwjc-4x7q", N, "marky-markdown", "11.3.5", A, (), "introduced 0.0.0, no fix"),
    ("GHSA-jvf4-g24p-2qgw", N, "shiba", "1.1.2", A, (), "introduced 0 only"),
    ("MAL-2022-11", N, "01template1", "1.0.0", A, (), "MAL-: all versions"),
    ("MAL-2026-15859", P, "0requests", "0.0.1", A, (), "MAL-: listed version"),
    ("MAL-2026-15859", P, "0requests", "0.0.2", U, (), "MAL-: unlisted version"),
    # records written per rule
    ("CWTEST-intro-fixed", P, "cw-intro-fixed", "1.0", A, ("1.5",), "introduced inclusive"),
    ("CWTEST-intro-fixed", P, "cw-intro-fixed", "1.4.99", A, ("1.5",), "inside"),
    ("CWTEST-intro-fixed", P, "cw-intro-fixed", "1.5", U, (), "fixed exclusive"),
    ("CWTEST-intro-fixed", P, "cw-intro-fixed", "0.9", U, (), "below introduced"),
    ("CWTEST-last-affected", N, "cw-last-affected", "2.0.0", A, (), "last_affected inclusive"),
    ("CWTEST-last-affected", N, "cw-last-affected", "2.0.1-0", U, (), "prerelease above last"),
    ("CWTEST-limit", P, "cw-limit", "1.9", A, (), "below limit"),
    ("CWTEST-limit", P, "cw-limit", "2.0", U, (), "limit is exclusive"),
    ("CWTEST-limit", P, "cw-limit", "0.5", U, (), "limit does not open"),
    ("CWTEST-limit-star", P, "cw-limit-star", "99", A, (), "limit * is infinity"),
    ("CWTEST-reintroduced", P, "cw-reintroduced", "1.2", A, ("1.4", "3.2"), "two intervals"),
    ("CWTEST-reintroduced", P, "cw-reintroduced", "2.0", U, (), "between intervals"),
    ("CWTEST-reintroduced", P, "cw-reintroduced", "3.1", A, ("3.2",), "second interval"),
    ("CWTEST-pep440", P, "cw-pep440", "1.9rc1", A, ("1.10.post1",), "PEP 440 rc"),
    ("CWTEST-pep440", P, "cw-pep440", "1.9b2", U, (), "PEP 440 b < rc"),
    ("CWTEST-pep440", P, "cw-pep440", "1.10", A, ("1.10.post1",), "1.10 > 1.9"),
    ("CWTEST-pep440", P, "cw-pep440", "1.10.post1", U, (), "post release fixed"),
    ("CWTEST-pep440", P, "cw-pep440", "1.10.post1.dev0", A, ("1.10.post1",), "dev < post"),
    ("CWTEST-semver-pre", N, "cw-semver-pre", "1.0.0-alpha.10", A, ("1.0.0",), "numeric ids"),
    ("CWTEST-semver-pre", N, "cw-semver-pre", "1.0.0-alpha.1", U, (), "alpha.1 < alpha.2"),
    ("CWTEST-semver-pre", N, "cw-semver-pre", "1.0.0-beta", A, ("1.0.0",), "beta > alpha.2"),
    ("CWTEST-semver-pre", N, "cw-semver-pre", "1.0.0+build.5", U, (), "build ignored"),
    ("CWTEST-versions", P, "cw-versions", "2.0.0", A, (), "PEP 440 equality in versions"),
    ("CWTEST-versions", P, "cw-versions", "2.2", U, (), "not listed"),
    ("CWTEST-name-normal", P, "cw-name-normal", "0.9", A, ("1.0",), "PEP 503 in record"),
    ("CWTEST-ecosystem", P, "requests", "2.0.0", U, (), "ecosystem must match"),
    ("CWTEST-ecosystem", N, "requests", "2.0.0", A, (), "same name, npm"),
    ("CWTEST-withdrawn", N, "cw-withdrawn", "1.0.0", U, (), "withdrawn never matches"),
    ("MAL-0000-cwtest-with-fixed", N, "cw-malware", "1.0.0", A, (), "MAL-: no fix reported"),
]

MALFORMED = [
    "CWTEST-malformed-two-keys",
    "CWTEST-malformed-kind",
    "CWTEST-malformed-no-introduced",
    "CWTEST-malformed-fixed-and-last",
]


def evaluate(rid: str, eco: Ecosystem, name: str, version: str) -> tuple[bool, tuple[str, ...]]:
    """(affected, fix versions) for one row."""
    match = match_record(parse_record(load(rid), rid), Package(eco, name, version))
    return (match is not None, match.fixed if match else ())


@pytest.mark.parametrize(
    ("rid", "eco", "name", "version", "expected", "fixed", "rule"),
    CASES,
    ids=[f"{c[0]}@{c[3]}" for c in CASES],
)
def test_matching_table(rid, eco, name, version, expected, fixed, rule):
    got, got_fixed = evaluate(rid, eco, name, version)
    assert got is expected, rule
    assert got_fixed == fixed, rule


@pytest.mark.parametrize("rid", MALFORMED)
def test_malformed_record_is_refused_by_name(rid):
    with pytest.raises(MalformedRecord) as err:
        parse_record(load(rid), f"fixtures/osv/rules/{rid}.json")
    assert rid in err.value.message
    assert f"fixtures/osv/rules/{rid}.json" in err.value.message


def test_unorderable_event_version_names_the_record():
    record = parse_record(load("CWTEST-malformed-version"), "x")
    with pytest.raises(MalformedRecord, match="CWTEST-malformed-version"):
        match_record(record, Package(P, "cw-malformed-version", "0.5"))


def test_unorderable_component_version_cannot_be_clean():
    record = parse_record(load("CWTEST-intro-fixed"), "x")
    with pytest.raises(UnorderableVersion):
        match_record(record, Package(P, "cw-intro-fixed", "not-a-version"))


def test_versions_list_still_matches_an_unorderable_version():
    record = parse_record(load("PYSEC-2022-42969"), "x")
    # "0.8.0-alpha2" is listed; under PEP 440 it is 0.8.0a2 and inside the range too.
    assert match_record(record, Package(P, "py", "0.8.0-alpha2")) is not None


def test_git_ranges_are_not_read_as_versions():
    # PYSEC-2023-74's GIT range names commits; only its ECOSYSTEM range decides for 2.2.0.
    record = parse_record(load("PYSEC-2023-74"), "x")
    assert [r.type for a in record.affected for r in a.ranges] == ["GIT", "ECOSYSTEM"]
    assert match_record(record, Package(P, "requests", "2.2.0")) is None


def table() -> str:
    """The table as Markdown."""
    lines = [
        "| record | package@version | expected | got | fix versions | rule |",
        "|---" * 6 + "|",
    ]
    for rid, eco, name, version, expected, _fixed, rule in CASES:
        got, got_fixed = evaluate(rid, eco, name, version)
        word = {True: "affected", False: "not affected"}
        lines.append(
            f"| {rid} | {eco}:{name}@{version} | {word[expected]} | {word[got]} | "
            f"{', '.join(got_fixed) or '-'} | {rule} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())

"""The OSV API source against a real loopback server serving real records; faults injected."""

from __future__ import annotations

import json

import httpx
import pytest

from scanner._testing.osv_server import OsvApiServer, OsvFault
from scanner.audit.interface import Ecosystem, Package
from scanner.audit.osv_api import OSV_URL_ENV, OsvApiSource, osv_base_url
from scanner.models import Severity
from tests.audit.conftest import load

P, N = Ecosystem.PYPI, Ecosystem.NPM
IDS = [
    "PYSEC-2023-74",
    "CWTEST-alias-of-pysec-2023-74",
    "PYSEC-2022-42969",
    "GHSA-fhjf-83wg-r2j9",
    "MAL-2022-11",
    "MAL-2026-15859",
]
# What the public API answers for these versions, written from the records by hand (the server
# must not use chainwatch's evaluator, or the client would be tested against itself).
ANSWERS = {
    ("PyPI", "requests", "2.30.0"): ("PYSEC-2023-74", "CWTEST-alias-of-pysec-2023-74"),
    ("PyPI", "py", "1.11.0"): ("PYSEC-2022-42969",),
    ("npm", "mixin-deep", "1.3.1"): ("GHSA-fhjf-83wg-r2j9",),
    ("npm", "01template1", "1.0.0"): ("MAL-2022-11",),
    ("PyPI", "0requests", "0.0.1"): ("MAL-2026-15859",),
}
REQUESTS = Package(P, "requests", "2.30.0")
PY = Package(P, "py", "1.11.0")
MIXIN = Package(N, "mixin-deep", "1.3.1")
MAL_NPM = Package(N, "01template1", "1.0.0")
MAL_PYPI = Package(P, "0requests", "0.0.1")
CLEAN = Package(P, "requests", "2.31.0")
ALL = [REQUESTS, PY, MIXIN, MAL_NPM, MAL_PYPI, CLEAN]


@pytest.fixture
def server():
    with OsvApiServer({i: load(i) for i in IDS}, ANSWERS) as srv:
        yield srv


def audit(server, packages, timeout=5.0):
    with httpx.Client(trust_env=False) as client:
        return OsvApiSource(client, server.base_url, timeout=timeout).audit(packages)


def test_vulnerabilities_malware_and_clean(server):
    results = audit(server, ALL)
    by = {r.package: r for r in results}
    assert [r.package for r in results] == ALL
    assert all(r.complete for r in results)

    (req,) = by[REQUESTS].advisories  # PYSEC-2023-74 and the record aliasing it: one finding
    assert req.id == "PYSEC-2023-74"
    assert set(req.aliases) == {
        "CVE-2023-32681",
        "GHSA-j8r2-6x86-q33q",
        "CWTEST-alias-of-pysec-2023-74",
    }
    assert req.fixed == ("2.31.0",)

    (py,) = by[PY].advisories
    assert py.fixed == ()  # last_affected: no fix version

    (mixin,) = by[MIXIN].advisories
    assert mixin.fixed == ("1.3.2", "2.0.1")

    for pkg in (MAL_NPM, MAL_PYPI):
        (mal,) = by[pkg].advisories
        assert mal.is_malware and mal.severity is Severity.CRITICAL and mal.fixed == ()

    assert by[CLEAN].clean
    assert ("POST", "/v1/querybatch") in server.requests
    assert sorted(p for m, p in server.requests if m == "GET") == sorted(
        f"/v1/vulns/{i}" for i in IDS
    )


def test_pagination_follows_next_page_token(server):
    server.page_size = 1
    (result,) = audit(server, [REQUESTS])
    assert result.complete
    assert result.advisories[0].ids >= {"PYSEC-2023-74", "CWTEST-alias-of-pysec-2023-74"}
    assert server.requests.count(("POST", "/v1/querybatch")) == 2


FAULTS = {
    "500": OsvFault(status=500),
    "timeout": OsvFault(delay=0.6),
    "truncated": OsvFault(truncate=True),
    "cut": OsvFault(cut=True),
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_querybatch_fault_makes_every_audit_incomplete(server, fault):
    server.faults["/v1/querybatch"] = FAULTS[fault]
    results = audit(server, ALL, timeout=0.2)
    assert len(results) == len(ALL)
    for r in results:
        assert not r.complete and not r.clean
        assert "querybatch" in r.reason


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_record_fault_makes_only_its_packages_incomplete(server, fault):
    server.faults["/v1/vulns/PYSEC-2022-42969"] = FAULTS[fault]
    by = {r.package: r for r in audit(server, ALL, timeout=0.2)}
    assert not by[PY].complete and not by[PY].clean
    assert "PYSEC-2022-42969" in by[PY].reason
    for pkg in (REQUESTS, MIXIN, MAL_NPM, MAL_PYPI, CLEAN):
        assert by[pkg].complete
    assert by[CLEAN].clean


def _mock(handler):
    return httpx.Client(transport=httpx.MockTransport(handler))


def test_answer_with_fewer_results_than_queries_is_incomplete():
    def handler(request):
        return httpx.Response(200, json={"results": [{}]})

    with _mock(handler) as client:
        results = OsvApiSource(client, "https://osv.example.invalid/v1").audit([REQUESTS, CLEAN])
    assert [r.complete for r in results] == [False, False]
    assert "different number of results" in results[0].reason


def test_record_answering_another_id_is_incomplete():
    def handler(request):
        if request.url.path.endswith("/querybatch"):
            return httpx.Response(200, json={"results": [{"vulns": [{"id": "PYSEC-2023-74"}]}]})
        return httpx.Response(200, json=load("PYSEC-2024-43"))

    with _mock(handler) as client:
        (result,) = OsvApiSource(client, "https://osv.example.invalid/v1").audit([REQUESTS])
    assert not result.complete and "got record PYSEC-2024-43" in result.reason


def test_endless_pagination_is_incomplete():
    def handler(request):
        return httpx.Response(200, json={"results": [{"next_page_token": "again"}]})

    with _mock(handler) as client:
        (result,) = OsvApiSource(client, "https://osv.example.invalid/v1").audit([REQUESTS])
    assert not result.complete and "paginating" in result.reason


def test_withdrawn_record_from_the_api_is_not_reported(server):
    server.records = {**server.records, "PYSEC-2021-13": load("PYSEC-2021-13")}
    server.answers = {("PyPI", "flask-caching", "1.10.1"): ("PYSEC-2021-13",)}
    (result,) = audit(server, [Package(P, "flask-caching", "1.10.1")])
    assert result.complete and result.clean


def test_base_url_configured_then_env_then_pip_audit(monkeypatch):
    monkeypatch.setenv(OSV_URL_ENV, "http://127.0.0.1:9/v1/")
    assert osv_base_url("https://osv.example.invalid/v1/") == "https://osv.example.invalid/v1"
    assert osv_base_url() == "http://127.0.0.1:9/v1"
    monkeypatch.delenv(OSV_URL_ENV)
    public = osv_base_url()
    assert public.startswith("https://") and public.endswith("/v1")


def test_queries_carry_ecosystem_name_and_version():
    seen = []

    def handler(request):
        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"results": [{}]})

    with _mock(handler) as client:
        OsvApiSource(client, "https://osv.example.invalid/v1").audit([MIXIN])
        OsvApiSource(client, "https://osv.example.invalid/v1").audit(
            [Package(P, "Zope.Interface", "5.0")]
        )
    assert seen == [
        {"queries": [{"package": {"ecosystem": "npm", "name": "mixin-deep"}, "version": "1.3.1"}]},
        {
            "queries": [
                {"package": {"ecosystem": "PyPI", "name": "zope-interface"}, "version": "5.0"}
            ]
        },
    ]


def test_oversized_answer_is_incomplete(monkeypatch):
    monkeypatch.setattr("scanner.audit.osv_api.MAX_ANSWER_BYTES", 1000)

    def handler(request):
        return httpx.Response(200, json={"results": [{"pad": "x" * 5000}]})

    with _mock(handler) as client:
        (result,) = OsvApiSource(client, "https://osv.example.invalid/v1").audit([REQUESTS])
    assert not result.complete and "more than" in result.reason


def test_malformed_record_from_the_api_is_named_and_incomplete(server):
    bad = load("CWTEST-malformed-kind")
    server.records = {**server.records, "CWTEST-malformed-kind": bad}
    server.answers = {("PyPI", "cw-malformed", "0.5"): ("CWTEST-malformed-kind",)}
    (result,) = audit(server, [Package(P, "cw-malformed", "0.5")])
    assert not result.complete and not result.clean
    assert "CWTEST-malformed-kind" in result.reason and "unknown event kind" in result.reason

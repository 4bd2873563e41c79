"""pip-audit as a library, through the one adapter module, against the loopback OSV server.

These tests fail loudly when pip-audit's private API moves: every private name the adapter uses
is exercised here, and the pin in pyproject.toml must equal the adapter's and the installed one.
"""

from __future__ import annotations

import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

from scanner._testing.osv_server import OsvApiServer, OsvFault
from scanner.audit import pip_audit_compat
from scanner.audit.interface import Ecosystem, Package
from scanner.audit.pip_audit_compat import PIP_AUDIT_VERSION, PipAuditSource, public_osv_base
from scanner.models import Severity
from tests.audit.conftest import load

P = Ecosystem.PYPI
IDS = ["PYSEC-2023-74", "MAL-2026-15859", "PYSEC-2021-13"]
ANSWERS = {
    ("PyPI", "requests", "2.30.0"): ("PYSEC-2023-74",),
    ("PyPI", "0requests", "0.0.1"): ("MAL-2026-15859",),
    ("PyPI", "flask-caching", "1.10.1"): ("PYSEC-2021-13",),
}


def test_pin_is_exact_and_installed():
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("pip-audit")]
    assert pins == [f"pip-audit=={PIP_AUDIT_VERSION}"]
    assert version("pip-audit") == PIP_AUDIT_VERSION


def test_private_api_still_has_the_shape_the_adapter_uses():
    from pip_audit._service import OsvService, ResolvedDependency, VulnerabilityResult

    assert {"cache_dir", "timeout", "osv_url"} <= set(inspect.signature(OsvService).parameters)
    assert isinstance(OsvService.DEFAULT_OSV_URL, str)
    assert OsvService.DEFAULT_OSV_URL.endswith("/v1/query")
    fields = set(VulnerabilityResult.__dataclass_fields__)
    assert {"id", "aliases", "description", "fix_versions"} <= fields
    assert {"name", "version"} <= set(ResolvedDependency.__dataclass_fields__)


def test_public_base_comes_from_pip_audit():
    assert public_osv_base().endswith("/v1")
    assert "/query" not in public_osv_base()


@pytest.fixture
def server():
    with OsvApiServer({i: load(i) for i in IDS}, ANSWERS) as srv:
        yield srv


def source(tmp_path, server, timeout=5):
    return PipAuditSource(cache_dir=tmp_path / "cache", timeout=timeout, osv_base=server.base_url)


def test_vulnerable_malware_withdrawn_and_clean(tmp_path, server):
    pkgs = [
        Package(P, "requests", "2.30.0"),
        Package(P, "0requests", "0.0.1"),
        Package(P, "flask-caching", "1.10.1"),
        Package(P, "requests", "2.31.0"),
    ]
    vuln, mal, withdrawn, clean = source(tmp_path, server).audit(pkgs)
    (adv,) = vuln.advisories
    assert adv.id == "PYSEC-2023-74" and adv.fixed == ("2.31.0",)
    assert set(adv.aliases) == {"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"}
    (m,) = mal.advisories
    assert m.is_malware and m.severity is Severity.CRITICAL and m.fixed == ()
    assert withdrawn.clean  # pip-audit drops withdrawn records
    assert clean.clean
    assert ("POST", "/v1/query") in server.requests


def test_npm_is_not_audited_by_pip_audit(tmp_path, server):
    (result,) = source(tmp_path, server).audit([Package(Ecosystem.NPM, "x", "1.0.0")])
    assert not result.complete and "PyPI only" in result.reason


FAULTS = {
    "500": OsvFault(status=500),
    "timeout": OsvFault(delay=1.5),
    "truncated": OsvFault(truncate=True),
    "cut": OsvFault(cut=True),
}


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_fault_is_incomplete_never_clean(tmp_path, server, fault):
    server.faults["/v1/query"] = FAULTS[fault]
    (result,) = source(tmp_path, server, timeout=1).audit([Package(P, "requests", "2.30.0")])
    assert not result.complete and not result.clean
    assert "no answer for requests" in result.reason


def test_adapter_refuses_another_pip_audit(monkeypatch):
    import importlib

    monkeypatch.setattr("importlib.metadata.version", lambda name: "2.9.0")
    with pytest.raises(pip_audit_compat.AdapterError, match="needs 2.10.1"):
        importlib.reload(pip_audit_compat)
    monkeypatch.undo()
    importlib.reload(pip_audit_compat)


@pytest.mark.parametrize("fault", ["timeout", "truncated", "cut"])
def test_pip_audit_itself_lets_these_faults_escape_as_non_service_errors(tmp_path, server, fault):
    # Why the adapter catches more than ServiceError: pip-audit 2.10.1 maps only connect
    # timeouts and HTTP statuses. If this starts failing, pip-audit changed: review the adapter.
    import requests
    from packaging.version import Version
    from pip_audit._service import OsvService, ResolvedDependency, ServiceError

    server.faults["/v1/query"] = FAULTS[fault]
    svc = OsvService(cache_dir=tmp_path / "c", timeout=1, osv_url=f"{server.base_url}/query")
    with pytest.raises((requests.RequestException, ValueError)) as err:
        svc.query(ResolvedDependency(name="requests", version=Version("2.30.0")))
    assert not isinstance(err.value, ServiceError)

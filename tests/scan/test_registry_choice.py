"""A scan asks each component's own registry, reports which one and why, and flags confusion."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import Console

from scanner._testing.fixture_server import Fault, FixtureRegistry
from scanner.checks.codes import Code
from scanner.models import Severity
from scanner.registry import RegistrySelector, SettingsPlaces
from scanner.report import json as json_report
from scanner.report.table import render_scan
from scanner.scan import ScanOptions, ScanResult, run_scan
from scanner.store import Store
from tests.scan.conftest import RECORDED, fleet

HTML_FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "registry-html"
TOKEN = "npm_T0KEN_never_printed"


@pytest.fixture
def second() -> Iterator[FixtureRegistry]:
    """A second loopback registry serving the same recordings."""
    with FixtureRegistry() as server:
        yield server


def _scan(
    tmp_path: Path, servers: dict[str, list[str]], env: dict[str, str], store: Store | None = None
) -> ScanResult:
    inventory = fleet(tmp_path / "fleet", servers)
    home = tmp_path / "home"
    places = SettingsPlaces(
        env=env,
        home=home,
        system_root=tmp_path / "root",
        global_npmrc=tmp_path / "root" / "npmrc",
        prefix=tmp_path / "venv",
    )
    options = ScanOptions(
        cache_dir=tmp_path / "cache",
        registry_selector=RegistrySelector(places),
        clock=lambda: RECORDED,  # never today's date
    )
    return run_scan(inventory, store, options)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_name_on_two_indexes_is_dependency_confusion_and_output_names_registries(
    registry: FixtureRegistry, second: FixtureRegistry, tmp_path: Path
) -> None:
    a_pypi, b_pypi = registry.url("pypi", "simple/"), second.url("pypi", "simple/")
    uv_toml = _write(tmp_path / "home" / ".config" / "uv" / "uv.toml", f'index-url = "{b_pypi}"\n')
    host = registry.base_url.split("//", 1)[1]
    npmrc = _write(
        tmp_path / "home" / ".npmrc",
        f"registry={registry.url('npm')}\n//{host}/npm/:_authToken=${{NPM_TOKEN}}\n",
    )
    env = {"UV_INDEX": a_pypi, "NPM_TOKEN": TOKEN}
    result = _scan(tmp_path, {"py": ["uvx", "mcp==1.9.4"], "js": ["npx", "-y", "zod@4.6.7"]}, env)
    confusion = [f for _, f in result.findings if f.code == Code.DEPENDENCY_CONFUSION.value]
    assert len(confusion) == 1
    assert confusion[0].severity is Severity.HIGH
    assert confusion[0].subject.startswith("pkg:pypi/mcp@")
    assert a_pypi in confusion[0].message and b_pypi in confusion[0].message
    # both indexes were really asked for the name
    assert any(r.path == "/pypi/simple/mcp/" for r in registry.requests)
    assert any(r.path == "/pypi/simple/mcp/" for r in second.requests)
    rows = {(u.ecosystem, u.role): (u.registry, u.source) for u in result.registries}
    assert rows[("pypi", "default")] == (b_pypi, str(uv_toml))
    assert rows[("pypi", "extra")] == (a_pypi, "$UV_INDEX")
    assert rows[("npm", "default")] == (registry.url("npm"), str(npmrc))
    # the npm token went to the npm registry, and nowhere into the output
    npm_asks = [r for r in registry.requests if r.path.startswith("/npm/")]
    assert npm_asks and all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in npm_asks)
    assert not any("authorization" in r.headers for r in second.requests)
    document = json_report.dumps(json_report.scan_document(result))
    console = Console(record=True, width=200)
    render_scan(result, console)
    text = console.export_text()
    for out in (document, text):
        assert TOKEN not in out
        assert str(uv_toml) in out and "$UV_INDEX" in out and str(npmrc) in out
    assert json.loads(document)["registries"]


def test_extra_index_without_the_name_is_no_confusion(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    with FixtureRegistry(HTML_FIXTURES) as other:  # serves only rfc8785
        env = {
            "PIP_INDEX_URL": registry.url("pypi", "simple/"),
            "PIP_EXTRA_INDEX_URL": other.url("pypi", "simple/"),
        }
        result = _scan(tmp_path, {"py": ["pipx", "run", "mcp==1.9.4"]}, env)
        assert any(r.path == "/pypi/simple/mcp/" for r in other.requests)  # it was asked
    codes = {f.code for _, f in result.findings}
    assert Code.DEPENDENCY_CONFUSION.value not in codes
    assert Code.FETCH_FAILED.value not in codes
    (verdict,) = result.verdicts.values()
    assert verdict.status.value != "fetch-failed"


def test_index_that_cannot_be_asked_is_reported_not_passed(
    registry: FixtureRegistry, second: FixtureRegistry, tmp_path: Path
) -> None:
    second.add_fault("/pypi/simple/mcp/", Fault(status=403))
    env = {
        "UV_INDEX": registry.url("pypi", "simple/"),
        "UV_DEFAULT_INDEX": second.url("pypi", "simple/"),
    }
    result = _scan(tmp_path, {"py": ["uvx", "mcp==1.9.4"]}, env)
    failed = [f for _, f in result.findings if f.code == Code.FETCH_FAILED.value]
    assert any("dependency-confusion check" in f.message for f in failed)


def test_bad_project_settings_fail_that_component_only(
    registry: FixtureRegistry, tmp_path: Path
) -> None:
    project = tmp_path / "proj"
    _write(project / "uv.toml", "index-url = \n")
    _write(tmp_path / "home" / ".npmrc", f"registry={registry.url('npm')}\n")
    servers = {
        "py": ["uv", "--directory", str(project), "run", "--with", "mcp==1.9.4", "mcp"],
        "js": ["npx", "-y", "zod@4.6.7"],
    }
    result = _scan(tmp_path, servers, {})
    by_name = {v.component.name: v for v in result.verdicts.values()}
    assert by_name["mcp"].status.value == "fetch-failed"
    assert str(project / "uv.toml") in by_name["mcp"].reason
    assert by_name["zod"].status.value != "fetch-failed"

"""The check's reports on a real demo check: each validates against its published schema.

One real run (the demo fleet against the loopback registry, audited against the demo's OSV
records) feeds every format; the schemas are the OASIS SARIF 2.1.0 schema (fixtures/schemas),
chainwatch's own report-v1.json and CycloneDX 1.6 through cyclonedx-python-lib's validator.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import jsonschema
import pytest

from scanner.check import check_scan
from scanner.demo import demo_policy, recorded_at, run_demo
from scanner.report.check_json import schema_text
from scanner.report.formats import report_for
from scanner.report.interface import ReportError
from scanner.report.markdown import md
from scanner.report.sarif import sarif_document
from scanner.scan import ScanResult
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def demo_scan() -> ScanResult:
    """The demo fleet scanned and audited once for the module."""
    return run_demo(None, audit=True)


@pytest.fixture(scope="module")
def failing(demo_scan: ScanResult) -> ScanResult:
    """The demo check with the fleet's own policy: the planted problems fail it."""
    return check_scan(demo_scan, demo_policy(), recorded_at())


def _render(fmt: str, result: ScanResult) -> str:
    out = io.StringIO()
    report_for(fmt).scan(result, out)
    return out.getvalue()


def test_demo_check_fails_on_the_planted_problems(failing: ScanResult) -> None:
    assert failing.check is not None and failing.check.exit_code == 1
    found = {(f.code, f.subject) for _, f in failing.findings}
    assert ("CW400", "pkg:pypi/mcp@1.9.4") in found  # the vulnerable release
    assert ("CW401", "pkg:npm/zod@4.6.7") in found  # the malicious one
    assert ("CW200", "pkg:pypi/requests@2.31.0") in found  # the changed digest
    assert failing.check.audit_complete


def test_accepted_policy_passes_until_an_ignore_expires(demo_scan: ScanResult) -> None:
    accepted = demo_policy(accepted=True)
    clean = check_scan(demo_scan, accepted, recorded_at())
    assert clean.check is not None and clean.check.exit_code == 0
    assert len(clean.check.outcome.ignored) == 4
    later = dt.datetime(2026, 12, 20, tzinfo=dt.UTC)  # after the zod ignore's 2026-12-15
    again = check_scan(demo_scan, accepted, later)
    assert again.check is not None and again.check.exit_code == 1
    expired = [f for _, f in again.findings if f.code == "CW504"]
    assert len(expired) == 1 and "expired on 2026-12-15" in expired[0].message
    assert ("CW401", "pkg:npm/zod@4.6.7") in {(f.code, f.subject) for _, f in again.findings}


def test_sarif_validates_against_the_oasis_schema(failing: ScanResult) -> None:
    schema = json.loads((FIXTURES / "schemas" / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads(_render("sarif", failing))
    jsonschema.Draft4Validator(schema).validate(doc)
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert {"CW200", "CW400", "CW401"} <= set(rule_ids)
    by_rule = {r["ruleId"]: r for r in run["results"]}
    vuln = by_rule["CW400"]
    assert rule_ids[vuln["ruleIndex"]] == "CW400" and vuln["level"] == "error"
    (loc,) = vuln["locations"]
    physical = loc["physicalLocation"]
    assert physical["artifactLocation"]["uri"].endswith("legacy/requirements.txt")
    declared = (FIXTURES / "demo" / "legacy" / "requirements.txt").read_text().splitlines()
    assert declared[physical["region"]["startLine"] - 1].startswith("mcp==1.9.4")
    assert len(vuln["partialFingerprints"]["chainwatch/v1"]) == 64


def test_sarif_fingerprints_are_stable_across_runs(failing: ScanResult) -> None:
    first = sarif_document(failing, Path("/"))
    second = sarif_document(failing, Path("/"))
    prints = [r["partialFingerprints"] for r in first["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in second["runs"][0]["results"]]
    assert len({p["chainwatch/v1"] for p in prints}) == len(
        prints
    )  # one per (code, subject, agent)


def test_json_validates_against_the_published_schema(failing: ScanResult) -> None:
    doc = json.loads(_render("json", failing))
    schema = json.loads(schema_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    assert doc["schema"] == "chainwatch.report/1" and doc["exit_code"] == 1
    assert doc["generated_at"] == recorded_at().isoformat(timespec="seconds")
    assert doc["chainwatch_version"]
    zod = next(c for c in doc["components"] if c["resolved_purl"] == "pkg:npm/zod@4.6.7")
    assert zod["used_by"] == [{"agent": "coder", "server": None}]
    fetch = next(c for c in doc["components"] if c["purl"] == "pkg:npm/mcp-remote@0.15.1")
    assert {"agent": "support-bot", "server": fetch["used_by"][0]["server"]} in fetch["used_by"]
    assert fetch["used_by"][0]["server"]


def test_json_schema_rejects_a_document_missing_the_version(failing: ScanResult) -> None:
    doc = json.loads(_render("json", failing))
    del doc["chainwatch_version"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json.loads(schema_text())).validate(doc)


def test_cyclonedx_validates_with_the_library_validator(failing: ScanResult) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    text = _render("cyclonedx", failing)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    assert doc["specVersion"] == "1.6"
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert set(vulns) == {"CWDEMO-2026-0001", "MAL-0000-cwdemo-zod"}
    assert vulns["MAL-0000-cwdemo-zod"]["affects"] == [{"ref": "pkg:npm/zod@4.6.7"}]
    sigstore = next(c for c in doc["components"] if c["bom-ref"] == "pkg:npm/sigstore@1.0.0")
    props = {p["name"]: p["value"] for p in sigstore["properties"]}
    assert props["chainwatch:attestation"] == "verified"
    assert props["chainwatch:source-repository"] == "https://github.com/sigstore/sigstore-js"


def test_markdown_names_the_verdict_and_escapes_untrusted_text(failing: ScanResult) -> None:
    text = _render("markdown", failing)
    assert text.startswith("## chainwatch check: FAIL (exit 1)")
    assert "| critical | CW401 |" in text and "MAL-0000-cwdemo-zod" in text
    assert md("a|b <img src=x> [x](y) `c`") == r"a\|b \<img src=x\> \[x\]\(y\) \`c\`"
    assert "\x1b" not in md("evil\x1b]52;c;x\x07")


def test_result_formats_refuse_an_inventory() -> None:
    from scanner.models import Inventory

    with pytest.raises(ReportError, match="describes scan results"):
        report_for("sarif").inventory(Inventory(), io.StringIO())

"""The gate: fails closed on what could not be checked; allowing is explicit and still reported."""

from __future__ import annotations

from attestations.result import Status
from scanner.checks.codes import Code, finding
from scanner.checks.gate import GatePolicy, Rule, decide
from scanner.checks.status import component_findings
from scanner.models import Severity

from ._values import SIGSTORE_JS, verdict


def _run(*verdicts):  # type: ignore[no-untyped-def]
    return list(verdicts), [("a", f) for v in verdicts for f in component_findings(v)]


def test_unreachable_registry_fails_the_default_gate() -> None:
    verdicts, findings = _run(
        verdict("zod", "4.6.7", Status.FETCH_FAILED),
        verdict("mcp", "1.9.4", Status.FETCH_FAILED, ecosystem="pypi"),
    )
    gate = decide(verdicts, findings, GatePolicy())
    assert gate.exit_code == 1
    assert {t.rule for t in gate.trips} == {Rule.UNCHECKED}
    text = "\n".join(gate.lines())
    assert "checked 0 of 2 components; 2 NOT checked" in text
    assert "2 registry unreachable" in text and "gate: FAIL" in text


def test_allow_unchecked_passes_and_still_says_so() -> None:
    verdicts, findings = _run(verdict("zod", "4.6.7", Status.FETCH_FAILED))
    gate = decide(verdicts, findings, GatePolicy(allow_unchecked=True))
    assert gate.exit_code == 0
    text = "\n".join(gate.lines())
    assert "1 NOT checked (1 allowed)" in text and "gate: pass" in text


def test_allow_by_name_allows_only_that_one() -> None:
    verdicts, findings = _run(
        verdict("zod", "4.6.7", Status.FETCH_FAILED),
        verdict("runbook.py", None, Status.UNRESOLVED, ecosystem="local"),
    )
    gate = decide(verdicts, findings, GatePolicy(allow=frozenset({"runbook.py"})))
    assert [t.subject for t in gate.trips] == ["zod@4.6.7"]
    assert (
        decide(verdicts, findings, GatePolicy(allow=frozenset({"zod", "runbook.py"}))).trips == ()
    )


def test_fail_on_never_does_not_waive_unchecked() -> None:
    verdicts, findings = _run(verdict("x", None, Status.UNRESOLVED, ecosystem="remote"))
    assert decide(verdicts, findings, GatePolicy(fail_on=None)).exit_code == 1


def test_allowed_unchecked_findings_do_not_trip_fail_on() -> None:
    verdicts, findings = _run(verdict("zod", "4.6.7", Status.FETCH_FAILED))
    policy = GatePolicy(fail_on=Severity.INFO, allow_unchecked=True)
    assert decide(verdicts, findings, policy).exit_code == 0


def test_severity_rule_and_require_verified() -> None:
    verdicts, findings = _run(
        verdict("zod", "4.6.7", Status.VERIFIED, SIGSTORE_JS),
        verdict("requests", "2.31.0", Status.DIGEST_MISMATCH, ecosystem="pypi"),
    )
    gate = decide(verdicts, findings, GatePolicy())
    assert [(t.rule, t.subject) for t in gate.trips] == [(Rule.FAIL_ON, "requests@2.31.0")]
    assert "--fail-on high tripped on 1 CW200 critical: requests@2.31.0" in gate.lines()[-1]
    clean, low = _run(verdict("mcp", "1.0", Status.NO_ATTESTATION, ecosystem="pypi"))
    assert decide(clean, low, GatePolicy()).exit_code == 0
    strict = decide(clean, low, GatePolicy(require_verified=True))
    assert [t.rule for t in strict.trips] == [Rule.REQUIRE_VERIFIED]


def test_unreadable_inputs_exit_4_without_trips() -> None:
    verdicts, findings = _run(verdict("zod", "4.6.7", Status.VERIFIED, SIGSTORE_JS))
    gate = decide(verdicts, findings, GatePolicy(), unreadable_inputs=1)
    assert gate.exit_code == 4
    extra = [("a", finding(Code.PIN_VIOLATION, "pkg:npm/zod@4.6.7", "pinned elsewhere"))]
    assert decide(verdicts, extra, GatePolicy(), unreadable_inputs=1).exit_code == 1


def test_nothing_to_check_is_not_a_pass() -> None:
    gate = decide([], [], GatePolicy())
    assert gate.exit_code == 1 and gate.lines()[0] == "checked 0 of 0 components"
    assert "no component found" in "\n".join(gate.lines())
    assert decide([], [], GatePolicy(allow_unchecked=True)).exit_code == 0

"""The policy: parsed strictly, ignores honoured until their expiry date, its own findings."""

from __future__ import annotations

import datetime as dt

import pytest

from attestations.result import PublisherIdentity, Status
from scanner.checks.check import judge
from scanner.checks.codes import Code, finding
from scanner.checks.policy import Ignore, Policy, apply_policy, parse_policy
from scanner.errors import ConfigError
from scanner.models import Component, EvidenceKind, Severity, VersionEvidence
from scanner.registry.interface import ReleaseFacts
from scanner.verdict import Verdict

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
PURL = "pkg:pypi/mcp@1.9.4"


def _verdict(status=Status.NO_ATTESTATION, identity=None, published=None, purl=PURL):
    name, version = purl.split("/", 1)[1].split("@")
    c = Component(
        purl,
        purl.split(":")[1].split("/")[0],
        name,
        version,
        VersionEvidence(EvidenceKind.LOCKFILE),
    )
    release = ReleaseFacts("pypi", name, version, published=published) if published else None
    return Verdict(c, status, "r", identity=identity, release=release)


VULN = finding(Code.VULNERABILITY, PURL, "CWTEST-1: bad", advisory="CWTEST-1")


def test_parse_reads_every_key():
    policy = parse_policy(
        {
            "fail_on": "critical",
            "require_attestation": ["npm"],
            "trusted_publishers": {"pkg:pypi/mcp": "https://github.com/o/r"},
            "max_release_age_days": 30,
            "allow": ["x"],
            "deny": ["y"],
            "ignore": [
                {"code": "CW400", "package": "mcp", "reason": "r", "expires": dt.date(2027, 1, 1)}
            ],
        },
        "p.toml",
    )
    assert policy.fail_on is Severity.CRITICAL and policy.max_release_age_days == 30
    assert policy.ignores == (Ignore("r", dt.date(2027, 1, 1), "CW400", "mcp"),)
    assert parse_policy({"fail_on": "never"}, "p").fail_on is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"ignore": [{"code": "CW400", "expires": "2027-01-01"}]}, "needs a 'reason'"),
        ({"ignore": [{"code": "CW400", "reason": "r"}]}, "needs 'expires'"),
        ({"ignore": [{"code": "CW400", "reason": "r", "expires": "soon"}]}, "needs 'expires'"),
        ({"ignore": [{"reason": "r", "expires": "2027-01-01"}]}, "name a 'code'"),
        ({"fail_on": "loud"}, "fail_on"),
        ({"max_release_age_days": 0}, "max_release_age_days"),
        ({"deny": "x"}, "deny"),
        ({"colour": "red"}, "unknown key(s) colour"),
    ],
)
def test_bad_policy_is_an_error_naming_file_and_key(raw, message):
    with pytest.raises(ConfigError) as err:
        parse_policy(raw, "fleet/chainwatch.toml")
    assert message in str(err.value) and "fleet/chainwatch.toml" in str(err.value)


def test_ignore_holds_until_its_expiry_date_then_fails_again_saying_so():
    ign = Ignore("not reachable", dt.date(2026, 12, 31), "CW400", "mcp@1.9.4")
    policy = Policy(ignores=(ign,), source="chainwatch.toml")
    verdicts = [_verdict()]
    before = judge(verdicts, [("a", VULN)], policy, NOW)
    assert [f for _, f in before.outcome.findings] == [] and before.exit_code == 0
    assert before.outcome.ignored == ((VULN, ign),)
    on_the_day = judge(
        verdicts, [("a", VULN)], policy, dt.datetime(2026, 12, 31, 23, tzinfo=dt.UTC)
    )
    assert on_the_day.exit_code == 0
    after = judge(verdicts, [("a", VULN)], policy, dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    codes = [f.code for _, f in after.outcome.findings]
    assert codes == ["CW400", "CW504"] and after.exit_code == 1
    expired = after.outcome.findings[1][1]
    assert "expired on 2026-12-31" in expired.message and "not reachable" in expired.message
    assert any("EXPIRED ignore" in line for line in after.lines())


def test_ignore_matches_by_code_and_package_names():
    other = finding(Code.VULNERABILITY, "pkg:pypi/requests@2.31.0", "x")
    for package in ("mcp", "mcp@1.9.4", PURL, "pkg:pypi/mcp"):
        ign = Ignore("r", dt.date(2027, 1, 1), "CW400", package)
        out = apply_policy(
            [_verdict()], [(None, VULN), (None, other)], Policy(ignores=(ign,)), NOW.date(), NOW
        )
        assert [f for _, f in out.findings] == [other], package
    wrong_code = Ignore("r", dt.date(2027, 1, 1), "CW401", "mcp")
    out = apply_policy([_verdict()], [(None, VULN)], Policy(ignores=(wrong_code,)), NOW.date(), NOW)
    assert [f for _, f in out.findings] == [VULN]


def test_deny_required_attestation_publisher_and_age_findings():
    ident = PublisherIdentity(kind="github", repository="https://github.com/evil/fork")
    old = NOW - dt.timedelta(days=400)
    policy = Policy(
        deny=frozenset({"mcp"}),
        require_attestation=frozenset({"pypi"}),
        trusted_publishers=(
            ("pkg:pypi/mcp", "https://github.com/modelcontextprotocol/python-sdk"),
        ),
        max_release_age_days=365,
    )
    out = apply_policy([_verdict(identity=ident, published=old)], [], policy, NOW.date(), NOW)
    codes = sorted(f.code for _, f in out.findings)
    assert codes == ["CW500", "CW501", "CW502", "CW503"]
    messages = " ".join(f.message for _, f in out.findings)
    assert "evil/fork" in messages and "400 days" in messages
    trusted = PublisherIdentity(
        kind="github", repository="https://github.com/modelcontextprotocol/python-sdk"
    )
    fine = Policy(trusted_publishers=policy.trusted_publishers, max_release_age_days=365)
    young = NOW - dt.timedelta(days=10)
    v = _verdict(status=Status.VERIFIED, identity=trusted, published=young)
    assert apply_policy([v], [], fine, NOW.date(), NOW).findings == ()
    short = PublisherIdentity(kind="github", repository="modelcontextprotocol/python-sdk")
    v = _verdict(status=Status.VERIFIED, identity=short, published=young)
    assert apply_policy([v], [], fine, NOW.date(), NOW).findings == ()  # same repository
    unattested = _verdict(status=Status.VERIFIED, identity=None, published=young)
    (f,) = [f for _, f in apply_policy([unattested], [], fine, NOW.date(), NOW).findings]
    assert f.code == "CW502" and "no attested publisher" in f.message


def test_incomplete_audit_exits_3_never_clean_and_a_violation_wins():
    incomplete = finding(Code.AUDIT_INCOMPLETE, PURL, "audit incomplete", reason="500")
    out = judge([_verdict()], [(None, incomplete)], Policy(fail_on=None), NOW)
    assert out.exit_code == 3 and not out.audit_complete
    both = judge([_verdict()], [(None, incomplete), (None, VULN)], Policy(), NOW)
    assert both.exit_code == 1 and not both.audit_complete


def test_threshold_and_allow_list():
    low = finding(Code.NO_ATTESTATION, PURL, "x")
    assert judge([_verdict()], [(None, low)], Policy(), NOW).exit_code == 0
    assert judge([_verdict()], [(None, low)], Policy(fail_on=Severity.LOW), NOW).exit_code == 1
    remote = Verdict(
        Component(
            "pkg:generic/x",
            "remote",
            "x",
            None,
            VersionEvidence(EvidenceKind.UNRESOLVED),
            url="https://x.example.invalid/mcp",
        ),
        Status.UNRESOLVED,
        "remote",
    )
    assert judge([remote], [], Policy(), NOW).exit_code == 1
    allowed = Policy(allow=frozenset({"https://x.example.invalid/mcp"}))
    assert judge([remote], [], allowed, NOW).exit_code == 0

"""Policy: what a fleet accepts, read from ``[policy]`` in the agent manifest or a policy file.

Pure: a policy is parsed from a mapping (TOML already loaded) and applied to a run's verdicts and
findings with a clock value given by the caller. Example::

    [policy]
    fail_on = "high"                          # severity threshold ("never": no threshold)
    require_attestation = ["npm", "pkg:pypi/mcp"]   # ecosystems or packages that must verify
    max_release_age_days = 730                # a release older than this is a finding
    allow = ["https://mcp.example.invalid/sse"]      # unchecked components accepted
    deny = ["event-stream", "pkg:npm/flatmap-stream"]  # never allowed, at any version

    [policy.trusted_publishers]               # package -> repository that must publish it
    "pkg:npm/sigstore" = "https://github.com/sigstore/sigstore-js"

    [[policy.ignore]]                         # each with a reason and an expiry date
    code = "CW400"
    package = "requests"
    reason = "not reachable: we never send Proxy-Authorization"
    expires = 2026-12-31

An ignore stops ignoring once its expiry date has passed, and says so (CW504).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from attestations.result import Status
from scanner.checks.codes import Code, finding
from scanner.errors import ConfigError
from scanner.models import Component, Finding, Severity
from scanner.verdict import Verdict

_KEYS = frozenset(
    {
        "fail_on",
        "require_attestation",
        "trusted_publishers",
        "max_release_age_days",
        "allow",
        "deny",
        "ignore",
    }
)
_IGNORE_KEYS = frozenset({"code", "package", "reason", "expires"})
_ECOSYSTEMS = frozenset({"pypi", "npm"})


@dataclass(frozen=True, slots=True)
class Ignore:
    """An accepted finding: by code, package or both, with a reason and an expiry date."""

    reason: str
    expires: dt.date
    code: str | None = None
    package: str | None = None  # a name, name@version or purl (with or without version)

    def describe(self) -> str:
        """``CW400 on requests`` and the like."""
        what = " on ".join(p for p in (self.code, self.package) if p)
        return f"{what} ({self.reason})"


@dataclass(frozen=True, slots=True)
class Policy:
    """A fleet's policy. The defaults are the gate's: fail on high, accept nothing silently."""

    fail_on: Severity | None = Severity.HIGH
    require_attestation: frozenset[str] = frozenset()  # ecosystems ("npm") or packages
    trusted_publishers: tuple[tuple[str, str], ...] = ()  # (package, repository)
    max_release_age_days: int | None = None
    allow: frozenset[str] = frozenset()
    deny: frozenset[str] = frozenset()
    ignores: tuple[Ignore, ...] = ()
    source: str = "(defaults)"  # the file it was read from


@dataclass(frozen=True, slots=True)
class PolicyOutcome:
    """The findings a policy leaves, adds and ignores."""

    findings: tuple[tuple[str | None, Finding], ...]  # the run's (not ignored) + policy findings
    ignored: tuple[tuple[Finding, Ignore], ...] = ()
    expired: tuple[Ignore, ...] = ()
    notes: tuple[str, ...] = field(default=())


def parse_policy(data: Mapping[str, Any], source: str) -> Policy:
    """The policy of a ``[policy]`` table. Raises ConfigError naming the file and the key."""
    unknown = set(data) - _KEYS
    if unknown:
        raise ConfigError(source, f"[policy]: unknown key(s) {', '.join(sorted(unknown))}")
    fail_on = data.get("fail_on", "high")
    severities = [s.value for s in Severity]
    if fail_on != "never" and fail_on not in severities:
        raise ConfigError(
            source, f"[policy] fail_on: {fail_on!r} is not one of {', '.join(severities)}, never"
        )
    age = data.get("max_release_age_days")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 1):
        raise ConfigError(source, "[policy] max_release_age_days must be a whole number >= 1")
    publishers = data.get("trusted_publishers", {})
    if not isinstance(publishers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in publishers.items()
    ):
        raise ConfigError(source, "[policy] trusted_publishers maps packages to repository URLs")
    raw_ignores = data.get("ignore", [])
    if not isinstance(raw_ignores, list):
        raise ConfigError(source, "[policy] ignore must be an array of tables ([[policy.ignore]])")
    return Policy(
        fail_on=None if fail_on == "never" else Severity(fail_on),
        require_attestation=_names(data, "require_attestation", source),
        trusted_publishers=tuple(sorted(publishers.items())),
        max_release_age_days=age,
        allow=_names(data, "allow", source),
        deny=_names(data, "deny", source),
        ignores=tuple(_ignore(raw, i, source) for i, raw in enumerate(raw_ignores, start=1)),
        source=source,
    )


def _names(data: Mapping[str, Any], key: str, source: str) -> frozenset[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(source, f"[policy] {key} must be a list of names")
    return frozenset(value)


def _ignore(raw: Any, index: int, source: str) -> Ignore:
    where = f"[[policy.ignore]] #{index}"
    if not isinstance(raw, dict):
        raise ConfigError(source, f"{where} is not a table")
    unknown = set(raw) - _IGNORE_KEYS
    if unknown:
        raise ConfigError(source, f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    reason, expires = raw.get("reason"), raw.get("expires")
    if not isinstance(reason, str) or not reason.strip():
        raise ConfigError(source, f"{where}: every ignore needs a 'reason'")
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires)
        except ValueError:
            expires = None
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    if not isinstance(expires, dt.date):
        raise ConfigError(
            source, f"{where}: every ignore needs 'expires', a date such as 2026-12-31"
        )
    code, package = raw.get("code"), raw.get("package")
    if code is None and package is None:
        raise ConfigError(source, f"{where}: name a 'code', a 'package' or both")
    if not all(v is None or (isinstance(v, str) and v) for v in (code, package)):
        raise ConfigError(source, f"{where}: 'code' and 'package' are strings")
    return Ignore(reason=reason, expires=expires, code=code, package=package)


def names_of(c: Component) -> frozenset[str]:
    """Every name a policy may use for a component: name, name@version, purl, versionless purl."""
    names = {c.name, c.purl, _versionless(c.purl)}
    if c.version:
        names.add(f"{c.name}@{c.version}")
    names.update(n for n in (c.url, c.path) if n)
    return frozenset(names)


def _versionless(purl: str) -> str:
    # pkg:npm/%40scope/name@1.0.0?x -> pkg:npm/%40scope/name ("@" of a scope is %40 in a purl)
    return purl.split("?", 1)[0].rsplit("@", 1)[0] if purl.startswith("pkg:") else purl


def apply_policy(
    verdicts: Sequence[Verdict],
    findings: Iterable[tuple[str | None, Finding]],
    policy: Policy,
    today: dt.date,
    now: dt.datetime,
) -> PolicyOutcome:
    """Ignore what the policy accepts (until its expiry), add the policy's own findings."""
    by_purl = {_versionless(v.component.purl): v for v in verdicts}  # change findings' keys
    by_purl |= {v.component.purl: v for v in verdicts}
    kept: list[tuple[str | None, Finding]] = []
    ignored: list[tuple[Finding, Ignore]] = []
    expired_used: dict[Ignore, None] = {}
    for agent, f in (*findings, *_policy_findings(verdicts, policy, now)):
        match = None
        if policy.ignores:  # the names only matter to an ignore (thousands of findings)
            v = by_purl.get(f.subject)
            subject_names = names_of(v.component) if v else frozenset({f.subject})
            match = next((i for i in policy.ignores if _matches(i, f, subject_names)), None)
        if match is not None and match.expires >= today:
            ignored.append((f, match))
            continue
        if match is not None:
            expired_used[match] = None
        kept.append((agent, f))
    kept.extend((None, _expired_finding(ign, policy.source)) for ign in expired_used)
    return PolicyOutcome(tuple(kept), tuple(ignored), tuple(expired_used))


def _repo_key(repo: str) -> str:
    # Attestations say "https://github.com/o/r" or "o/r"; a policy may write either, or ".git".
    key = repo.strip().lower().removesuffix("/").removesuffix(".git")
    for prefix in ("https://github.com/", "https://gitlab.com/"):
        key = key.removeprefix(prefix)
    return key


def _expired_finding(ign: Ignore, source: str) -> Finding:
    return finding(
        Code.IGNORE_EXPIRED,
        source,
        f"the ignore of {ign.describe()} expired on {ign.expires.isoformat()}: "
        "what it ignored counts again",
        expires=ign.expires.isoformat(),
        ignored_code=ign.code,
        package=ign.package,
    )


def _matches(ign: Ignore, f: Finding, names: frozenset[str]) -> bool:
    if ign.code is not None and ign.code != f.code:
        return False
    return ign.package is None or ign.package in names


def _policy_findings(
    verdicts: Sequence[Verdict], policy: Policy, now: dt.datetime
) -> list[tuple[str | None, Finding]]:
    out: list[tuple[str | None, Finding]] = []
    publishers = dict(policy.trusted_publishers)
    rules = policy.deny or policy.require_attestation or publishers
    if not rules and policy.max_release_age_days is None:
        return out  # no rule below can add a finding
    for v in verdicts:
        c = v.component
        names = names_of(c)
        if names & policy.deny:
            out.append((None, finding(Code.DENIED, c.purl, f"{c.name} is on the deny list")))
        wants = c.ecosystem in policy.require_attestation or bool(
            names & policy.require_attestation
        )
        if wants and v.status is not Status.VERIFIED:
            out.append(
                (
                    None,
                    finding(
                        Code.ATTESTATION_REQUIRED,
                        c.purl,
                        f"the policy requires a verified attestation; status is {v.status.value}",
                        status=v.status.value,
                    ),
                )
            )
        repo = next((publishers[n] for n in sorted(names) if n in publishers), None)
        if repo is not None:
            seen = v.identity.repository if v.identity is not None else None
            if seen is None or _repo_key(seen) != _repo_key(repo):
                out.append(
                    (
                        None,
                        finding(
                            Code.UNTRUSTED_PUBLISHER,
                            c.purl,
                            f"published by {seen or 'no attested publisher'}, "
                            f"the policy trusts {repo}",
                            expected=repo,
                            seen=seen,
                        ),
                    )
                )
        published = v.release.published if v.release is not None else None
        if policy.max_release_age_days is not None and published is not None:
            age = (now - published).days
            if age > policy.max_release_age_days:
                out.append(
                    (
                        None,
                        finding(
                            Code.RELEASE_TOO_OLD,
                            c.purl,
                            f"released {age} days ago; the policy allows "
                            f"{policy.max_release_age_days}",
                            published=published.isoformat(),
                        ),
                    )
                )
    return out

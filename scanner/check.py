"""The library behind ``chainwatch check``: find the policy, judge a scan with it.

check = scan + audit + diff + policy. The scan and the audit run in ``scanner.scan``; the diff
against each agent's accepted baseline in ``scanner.diff``; the policy and the gate are pure
(``scanner.checks.check``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.checks.check import judge
from scanner.checks.codes import Code, finding
from scanner.checks.policy import Policy, parse_policy
from scanner.errors import ConfigError
from scanner.inventory.manifest import MANIFEST_NAME, policy_table
from scanner.models import Finding
from scanner.scan import ScanResult
from scanner.store import Store

if TYPE_CHECKING:
    from scanner.checks.diff import Change


def find_policy(paths: Sequence[Path], policy_file: Path | None) -> Policy:
    """The policy of ``--policy FILE``, else of the one manifest named in PATHS, else defaults."""
    if policy_file is not None:
        found = policy_table(policy_file)
        if found is None:
            raise ConfigError(str(policy_file), "holds no [policy] table")
        return parse_policy(found[0], str(found[1]))
    manifests = [p for p in paths if (p / MANIFEST_NAME if p.is_dir() else p).name == MANIFEST_NAME]
    tables = [t for m in manifests if (t := policy_table(m)) is not None]
    if len(tables) > 1:
        raise ConfigError(
            str(tables[1][1]),
            f"a second policy (the first is in {tables[0][1]})",
            hint="check one fleet at a time, or name the policy with --policy FILE",
        )
    return parse_policy(tables[0][0], str(tables[0][1])) if tables else Policy()


def change_findings(store: Store, result: ScanResult) -> tuple[list[Finding], list[str]]:
    """Changes since each agent's accepted baseline, as CW505 findings; agents without one."""
    accepted = {b.agent for b in store.baselines()}
    agents = sorted(a.agent.id for a in result.inventory.agents)
    changes: list[Change] = []
    if accepted:
        from scanner.diff.compare import diff_against  # the diff loads where there is a baseline

        for agent in (a for a in agents if a in accepted):
            changes.extend(diff_against(store, result, agent=agent))
    return [_change_finding(c) for c in changes], [a for a in agents if a not in accepted]


def _change_finding(c: Change) -> Finding:
    return finding(
        Code.BASELINE_CHANGE,
        c.key,
        f"{c.kind.value} since the accepted baseline: {c.message}",
        severity=c.severity,
        agent=c.agent,
        change=c.kind.value,
        before=c.before,
        after=c.after,
        source=c.source,
    )


def check_scan(
    result: ScanResult,
    policy: Policy,
    now: dt.datetime,
    *,
    changes: Sequence[Finding] = (),
) -> ScanResult:
    """The scan judged by the policy: findings left after ignores, the gate, the outcome.

    ``changes``: the baseline diff's findings (``change_findings``), one per change and agent.
    """
    unreadable = sum(len(a.errors) for a in result.inventory.agents) + len(result.inventory.errors)
    findings = list(result.findings)
    findings += [(dict(f.evidence).get("agent"), f) for f in changes]
    outcome = judge(
        list(result.verdicts.values()), findings, policy, now, unreadable_inputs=unreadable
    )
    return replace(
        result, findings=list(outcome.outcome.findings), gate=outcome.gate, check=outcome
    )

"""The verdict codec refuses what it did not write, rather than build half a verdict."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from attestations.result import PublisherIdentity, Status
from scanner.models import Component, EvidenceKind, Finding, Severity, VersionEvidence
from scanner.registry.interface import FileFacts, ReleaseFacts
from scanner.rescan_queue.codec import CodecError, verdict_from_json, verdict_to_json
from scanner.verdict import Verdict

VERDICT = Verdict(
    Component(
        "pkg:pypi/demo@1.0",
        "pypi",
        "demo",
        "1.0",
        VersionEvidence(EvidenceKind.LOCKFILE, "uv.lock", "demo==1.0"),
        attestation_identities=({"kind": "github"},),
    ),
    Status.VERIFIED,
    "ok",
    PublisherIdentity(kind="github", repository="https://example.invalid/o/r"),
    (Finding("CW999", Severity.LOW, "pkg:pypi/demo@1.0", "m", (("k", "v"),)),),
    ReleaseFacts(
        "pypi",
        "demo",
        "1.0",
        (FileFacts("demo.whl", "https://files.example.invalid/demo.whl", sha256="ab"),),
        published=datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
    ),
)


def test_every_kind_of_field_travels() -> None:
    assert verdict_from_json(verdict_to_json(VERDICT)) == VERDICT


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("status",), "trusted", "Status"),
        (("component", "ecosystem"), 7, "expected"),
        (("findings",), {"a": 1}, "expected"),
        (("component", "evil"), "x", "no field 'evil'"),
        (("release", "published"), "yesterday", "no type"),
    ],
)
def test_a_malformed_result_is_an_error(path: tuple[str, ...], value: object, problem: str) -> None:
    doc = json.loads(verdict_to_json(VERDICT))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(CodecError, match=problem):
        verdict_from_json(json.dumps(doc))

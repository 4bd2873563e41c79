"""A verdict as compact bytes and back, for the warm-verdict cache (``scanner.verify.warm``).

The component is not stored: the verdict is rebuilt around the component asked about, with only
what resolving changed (version, package URL, evidence) kept. ``encode`` refuses (None) a verdict
it cannot give back exactly, so a reused verdict is always the one the verifier returned. The
component's typosquat finding (a pure function of its name and the shipped list) travels with
it, so a warm run need not index the list.

The bytes are ``marshal``'s (plain tuples of str, int, float, bool and None): about four times
cheaper to read than JSON, which is most of a warm check's time per component. ``marshal.loads``
builds values and never runs code, unlike pickle, and the warm cache reads only rows whose HMAC
checks under its key; its format can change between Python versions, so the warm cache's context
names the interpreter (``warm.run_context``).
"""

from __future__ import annotations

import marshal
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from attestations.result import PublisherIdentity, Status
from scanner.models import (
    Artifact,
    Component,
    EvidenceKind,
    Finding,
    Severity,
    VersionEvidence,
)
from scanner.registry.interface import FileFacts, RegistrySignature, ReleaseFacts
from scanner.verdict import Verdict

_IDENTITY = (
    "kind",
    "issuer",
    "repository",
    "repository_id",
    "owner_id",
    "workflow",
    "environment",
    "subject",
    "runner_environment",
)
# Enum members by value: a dict lookup is several times cheaper than calling the enum.
_STATUS = {s.value: s for s in Status}
_SEVERITY = {s.value: s for s in Severity}
_EVIDENCE = {k.value: k for k in EvidenceKind}


@dataclass(frozen=True, slots=True)
class Kept:
    """A component's verdict and its typosquat finding (None: not a likely typosquat)."""

    verdict: Verdict
    squat: Finding | None


def component_key(component: Component) -> bytes:
    """Every field of ``component`` (nested values too) as bytes: equal only for equal components.

    What a warm verdict's id is made of. Written out field by field and serialised with
    ``marshal`` (format 0: no interning or back-references, so equal values give equal bytes),
    three times cheaper than ``repr``; ``tests/scan/test_warm.py`` checks that every field of
    every class in it counts. A value marshal refuses (a str subclass) falls back to ``repr``.
    """
    c = component
    e, s, r = c.evidence, c.source, c.registry
    fields = (
        c.purl,
        c.ecosystem,
        c.name,
        c.version,
        (e.kind.value, e.source, e.detail),
        c.requirement,
        tuple([_artifact(a) for a in c.artifacts]),
        None if s is None else (s.path, s.line),
        c.path,
        c.url,
        c.direct,
        c.dev,
        tuple([tuple(i.items()) for i in c.attestation_identities]),
        None
        if r is None
        else (r.installer.value, r.project, r.index, r.extra_indexes, r.no_config, r.config_file),
    )
    try:
        return b"m" + marshal.dumps(fields, 0)
    except ValueError:
        return b"r" + repr(component).encode()


def _artifact(a: Artifact) -> tuple[Any, ...]:
    return (a.filename, a.url, tuple([(d.algorithm, d.hex, d.raw) for d in a.digests]))


def encode(component: Component, kept: Kept) -> bytes | None:
    """``kept`` (of ``component``) as bytes; None when it would not decode to itself."""
    verdict = kept.verdict
    resolved = None
    if verdict.component != component:
        c = verdict.component
        resolved = (c.purl, c.version, c.evidence.kind.value, c.evidence.source, c.evidence.detail)
    identity = verdict.identity
    row = (
        verdict.status.value,
        verdict.reason,
        None if identity is None else tuple([getattr(identity, f) for f in _IDENTITY]),
        tuple([_finding(f) for f in verdict.findings]),
        None if verdict.release is None else _release(verdict.release),
        verdict.code,
        resolved,
        None if kept.squat is None else _finding(kept.squat),
    )
    try:
        data = marshal.dumps(row)
    except ValueError:  # a value marshal cannot write (a str subclass): not kept
        return None
    return data if decode(component, data) == kept else None


def decode(component: Component, data: bytes) -> Kept | None:
    """What ``encode`` wrote for ``component``; None for bytes it did not write."""
    # Written for speed (a warm check decodes a thousand of these): enum members by dict,
    # positional constructors, and a KeyError or a wrong count is data encode did not write.
    try:
        status, reason, identity, findings, release, code, resolved, squat = marshal.loads(data)
        if resolved is not None:
            purl, version, kind, source, detail = resolved
            evidence = VersionEvidence(_EVIDENCE[kind], source, detail)
            component = replace(component, purl=purl, version=version, evidence=evidence)
        if identity is not None:
            if len(identity) != len(_IDENTITY):
                return None
            identity = PublisherIdentity(*identity)
        verdict = Verdict(
            component,
            _STATUS[status],
            reason,
            identity,
            tuple([_read_finding(f) for f in findings]) if findings else (),
            None if release is None else _read_release(release),
            code,
        )
        return Kept(verdict, None if squat is None else _read_finding(squat))
    except (ValueError, TypeError, KeyError, EOFError, RecursionError):
        return None


def _finding(f: Finding) -> tuple[Any, ...]:
    return (f.code, f.severity.value, f.subject, f.message, f.evidence)


def _read_finding(row: tuple[Any, ...]) -> Finding:
    code, severity, subject, message, evidence = row
    return Finding(code, _SEVERITY[severity], subject, message, evidence)


def _release(r: ReleaseFacts) -> tuple[Any, ...]:
    return (
        r.ecosystem,
        r.name,
        r.version,
        tuple([_file(f) for f in r.files]),
        r.yanked,
        r.deprecated,
        _time(r.published),
        r.install_scripts,
        r.publisher,
        r.maintainers,
        tuple([(s.keyid, s.sig) for s in r.signatures]),
        r.attestations_url,
        r.project_status,
    )


def _read_release(row: tuple[Any, ...]) -> ReleaseFacts:
    (eco, name, version, files, yanked, deprecated, published, scripts, publisher, people) = row[
        :10
    ]
    signatures, attestations_url, project_status = row[10:]
    return ReleaseFacts(
        eco,
        name,
        version,
        tuple([_read_file(f) for f in files]),
        yanked,
        deprecated,
        None if published is None else datetime.fromisoformat(published),
        scripts,
        publisher,
        people,
        tuple([RegistrySignature(k, s) for k, s in signatures]) if signatures else (),
        attestations_url,
        project_status,
    )


def _file(f: FileFacts) -> tuple[Any, ...]:
    return (
        f.filename,
        f.url,
        f.sha256,
        f.sha512,
        f.integrity,
        f.yanked,
        f.yanked_reason,
        _time(f.upload_time),
        f.provenance_url,
        f.sha1,
    )


def _read_file(row: tuple[Any, ...]) -> FileFacts:
    filename, url, sha256, sha512, integrity, yanked, reason, uploaded, provenance, sha1 = row
    return FileFacts(
        filename,
        url,
        sha256,
        sha512,
        integrity,
        yanked,
        reason,
        None if uploaded is None else datetime.fromisoformat(uploaded),
        provenance,
        sha1,
    )


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


__all__ = ["Kept", "component_key", "decode", "encode"]

"""Publisher identity: read it from Fulcio certificates and PyPI publishers, compare it, match pins.

The comparison and pin rules live in ``identity_rules`` (no cryptography, pydantic or sigstore to
import); they are re-exported here.

Comparison rules (``compare_identities``), decided for trust-on-first-use baselines:

* ``kind``, ``issuer``, ``repository``, ``workflow``, ``environment`` and ``subject`` are compared
  even when one side lacks them: a value that appears or disappears is a change (a dropped
  deployment environment removes its protection rules; a workflow that can no longer be read is not
  "the same workflow").
* ``repository_id``, ``owner_id`` and ``runner_environment`` are compared only when both sides
  carry them: Fulcio added those extensions in 2023, so older certificates lack them, and a
  certificate cannot omit them by the signer's choice. When both are present a difference *is* a
  change, also when the repository name is unchanged (a deleted and re-created repository, the
  classic resurrection attack).
* Repository URIs are compared case-insensitively for GitHub and GitLab (their names are
  case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cryptography import x509
from pydantic import TypeAdapter, ValidationError
from pypi_attestations import (
    CircleCIPublisher,
    GitHubPublisher,
    GitLabPublisher,
    GooglePublisher,
    Publisher,
)
from sigstore.errors import VerificationError

from attestations.errors import AttestationError
from attestations.identity_rules import (
    compare_identities,
    describe_identity,
    identity_mismatches,
    matches_pin,
    with_environment,
)
from attestations.result import PublisherIdentity

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
GOOGLE_ISSUER = "https://accounts.google.com"
CIRCLECI_ISSUER_PREFIX = "https://oidc.circleci.com"

_OID = "1.3.6.1.4.1.57264.1."
_ISSUER_V1, _WORKFLOW_REPOSITORY_V1 = _OID + "1", _OID + "5"
_ISSUER, _RUNNER_ENV, _SOURCE_REPO = _OID + "8", _OID + "11", _OID + "12"
_REPO_ID, _OWNER_ID, _BUILD_CONFIG = _OID + "15", _OID + "17", _OID + "18"
_V1_RAW = {
    _ISSUER_V1,
    _WORKFLOW_REPOSITORY_V1,
}  # .1.1-.1.6 hold raw bytes, later ones DER UTF8String

_PUBLISHER_ADAPTER: TypeAdapter[Any] = TypeAdapter(Publisher)


def identity_from_certificate(cert: x509.Certificate) -> PublisherIdentity:
    """Read the publisher identity from a Fulcio certificate's extensions and SAN."""
    ext = _fulcio_extensions(cert)
    issuer = ext.get(_ISSUER) or ext.get(_ISSUER_V1)
    kind = _kind_for_issuer(issuer)
    repository = ext.get(_SOURCE_REPO)
    if repository is None and kind == "github" and _WORKFLOW_REPOSITORY_V1 in ext:
        repository = f"https://github.com/{ext[_WORKFLOW_REPOSITORY_V1]}"
    san = _san(cert)
    build_config = ext.get(_BUILD_CONFIG) or (san if kind in {"github", "gitlab"} else None)
    subject = san if kind in {"google", "email", "oidc"} else None
    return PublisherIdentity(
        kind=kind,
        issuer=issuer,
        repository=repository,
        repository_id=ext.get(_REPO_ID),
        owner_id=ext.get(_OWNER_ID),
        workflow=_workflow_path(build_config, repository, kind),
        subject=subject,
        runner_environment=ext.get(_RUNNER_ENV),
    )


def identity_from_publisher(publisher: Any) -> PublisherIdentity:
    """Turn a pypi-attestations publisher (model or its JSON dict) into a ``PublisherIdentity``."""
    if isinstance(publisher, Mapping):
        try:
            publisher = _PUBLISHER_ADAPTER.validate_python(dict(publisher))
        except ValidationError as exc:
            raise AttestationError(f"not a PyPI publisher object: {exc}") from exc
    if isinstance(publisher, GitHubPublisher):
        return PublisherIdentity(
            kind="github",
            issuer=GITHUB_ISSUER,
            repository=f"https://github.com/{publisher.repository}",
            workflow=f".github/workflows/{publisher.workflow}",
            environment=publisher.environment or None,
        )
    if isinstance(publisher, GitLabPublisher):
        return PublisherIdentity(
            kind="gitlab",
            issuer=GITLAB_ISSUER,
            repository=f"https://gitlab.com/{publisher.repository}",
            workflow=publisher.workflow_filepath,
            environment=publisher.environment or None,
        )
    if isinstance(publisher, GooglePublisher):
        return PublisherIdentity(kind="google", issuer=GOOGLE_ISSUER, subject=publisher.email)
    if isinstance(publisher, CircleCIPublisher):
        return PublisherIdentity(
            kind="circleci",
            repository=publisher.vcs_origin,
            subject=f"{publisher.project_id}/{publisher.pipeline_definition_id}",
        )
    raise AttestationError(f"unsupported publisher type {type(publisher).__name__}")


class IdentityPolicy:
    """A sigstore ``VerificationPolicy``: the certificate's identity must match ``expected``."""

    def __init__(self, expected: PublisherIdentity) -> None:
        needed = "subject" if expected.kind in {"google", "email", "oidc"} else "repository"
        if expected.environment is not None:
            raise AttestationError(
                "a certificate does not carry the deployment environment; check it against the "
                "publisher object instead of a bare certificate"
            )
        if not expected.kind or getattr(expected, needed) is None:
            raise AttestationError(
                f"an expected {expected.kind or '?'} identity must set {needed!r}; an empty "
                "expectation would accept any signer"
            )
        self.expected = expected

    def verify(self, cert: x509.Certificate) -> None:
        """Raise ``VerificationError`` when the certificate's identity differs."""
        problems = identity_mismatches(self.expected, identity_from_certificate(cert))
        if problems:
            raise VerificationError("certificate identity mismatch: " + "; ".join(problems))


def _fulcio_extensions(cert: x509.Certificate) -> dict[str, str]:
    out: dict[str, str] = {}
    for extension in cert.extensions:
        oid = extension.oid.dotted_string
        if not oid.startswith(_OID) or not isinstance(extension.value, x509.UnrecognizedExtension):
            continue
        raw = extension.value.value
        try:
            out[oid] = raw.decode() if oid in _V1_RAW else _der_utf8(raw)
        except (UnicodeDecodeError, ValueError):
            continue  # an undecodable claim is treated as absent, never guessed
    return out


def _der_utf8(der: bytes) -> str:
    if len(der) < 2 or der[0] != 0x0C:
        raise ValueError("not a DER UTF8String")
    length, offset = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, offset = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    if offset + length != len(der):
        raise ValueError("bad DER length")
    return der[offset:].decode("utf-8")


def _san(cert: x509.Certificate) -> str | None:
    try:
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None
    for general in (x509.UniformResourceIdentifier, x509.RFC822Name):
        values = names.get_values_for_type(general)
        if values:
            return str(values[0])
    return None


def _kind_for_issuer(issuer: str | None) -> str:
    if issuer == GITHUB_ISSUER:
        return "github"
    if issuer == GITLAB_ISSUER:
        return "gitlab"
    if issuer == GOOGLE_ISSUER:
        return "google"
    if issuer and issuer.startswith(CIRCLECI_ISSUER_PREFIX):
        return "circleci"
    if issuer in {"https://github.com/login/oauth", "https://oauth2.sigstore.dev/auth"}:
        return "email"
    return "oidc" if issuer else "unknown"


def _workflow_path(uri: str | None, repository: str | None, kind: str) -> str | None:
    if not uri or kind not in {"github", "gitlab"}:
        return None
    path = uri.rpartition("@")[0] or uri  # drop "@<ref>"
    if repository and path.lower().startswith(repository.lower().rstrip("/") + "/"):
        path = path[len(repository.rstrip("/")) + 1 :]
    elif kind == "github" and "/.github/" in path:
        path = path[path.index("/.github/") + 1 :]
    return path.lstrip("/") or None


__all__ = [
    "IdentityPolicy",
    "compare_identities",
    "describe_identity",
    "identity_from_certificate",
    "identity_from_publisher",
    "identity_mismatches",
    "matches_pin",
    "with_environment",
]

"""Attach real attestation data to recorded releases of the fixture registry (rerunnable, offline).

    python scripts/record_registry.py          # the mirror: files, hashes, no security metadata
    python scripts/overlay_attestations.py     # this step: provenance, attestations, keys

The registries this project reaches are mirrors that strip PEP 740 provenance, npm
``dist.signatures`` / ``dist.attestations`` and ``/-/npm/v1/keys``. This step takes real,
published attestation data copied byte for byte into ``fixtures/registry/overlay/`` (see
``fixtures/registry/SOURCES.md``) and attaches it to the recorded releases it was made for:

1. every distribution digest the data signs must equal the mirror's recorded sha256 / integrity;
2. every document is verified offline with the shipped Sigstore trusted root (and the served
   registry keys) *before* anything is written; a positive case that does not verify, or a negative
   case that fails for another reason than declared, stops the step with exit status 1;
3. the recorded pages get the pointers a full registry would serve (PyPI ``provenance`` URL and
   ``meta.api-version`` 1.3; npm ``dist.attestations`` and ``dist.signatures``), with ``.invalid``
   placeholder hosts, and the documents are added to ``responses.json``.

Byte-for-byte inputs are served from ``overlay/`` as they are; only the keys document (the ``keys``
part of npm/cli's transcribed keys) is written anew. Running it twice gives the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pypi_attestations import Attestation, Provenance  # noqa: E402
from sigstore.verify import Verifier  # noqa: E402

from attestations.identity import identity_from_certificate  # noqa: E402
from attestations.npm import (  # noqa: E402
    PREDICATE_SLSA_V02,
    PREDICATE_SLSA_V1,
    verify_npm_attestations,
)
from attestations.pep740 import verify_pypi_provenance  # noqa: E402
from attestations.reasons import Reason  # noqa: E402
from attestations.registry_keys import (  # noqa: E402
    RegistryKey,
    parse_registry_keys,
    verify_registry_signatures,
)
from attestations.trustroot import load_trusted_root, make_verifier  # noqa: E402
from scanner._testing.fixture_server import PLACEHOLDERS  # noqa: E402
from scanner.registry.pypi import INTEGRITY_JSON  # noqa: E402

REAL_FILES = REPO / "fixtures" / "attestations" / "pypi"  # the signed distributions themselves
KEYS_SOURCE = "npm/npm-cli_audit_registry-keys.json"
KEYS_PATH = "/npm/-/npm/v1/keys"
PROVENANCE_PREDICATES = (PREDICATE_SLSA_V02, PREDICATE_SLSA_V1)


class OverlayError(Exception):
    """The overlay cannot be applied as declared; nothing more is written."""


class Refused(Exception):
    """A case whose data cannot honestly be turned into what a registry would serve."""


@dataclass(frozen=True)
class PyPICase:
    """Provenance for one recorded PyPI file: a provenance file, or attestations to wrap."""

    project: str
    version: str
    filename: str
    provenance: str | None = None  # overlay file served as is
    attestations: tuple[str, ...] = ()  # overlay files wrapped into an ASSEMBLED provenance
    refused_because: str | None = None  # expected refusal (must still happen, word for word)


@dataclass(frozen=True)
class NpmCase:
    """An attestations document (and maybe registry signatures) for one recorded npm release."""

    name: str
    version: str
    document: str  # overlay file served as the release's attestations
    dist_from: str | None = None  # key of npm/cli's transcribed ``dist`` objects (signatures)
    fails_with: tuple[Reason, ...] = ()  # negative case: the reasons it must fail with


PYPI_CASES = (
    PyPICase(
        "pypi-attestations", "0.0.19", "pypi_attestations-0.0.19.tar.gz",
        provenance="pypi/pypi_attestations-0.0.19.tar.gz.provenance",
    ),
    # Upstream signed these with an e-mail identity on Sigstore *staging*: no PEP 740 publisher kind
    # describes that signer, and the production root refuses the chain. Kept as a declared refusal
    # so a rerun proves it is still refused instead of silently serving an invented publisher.
    PyPICase(
        "rfc8785", "0.1.2", "rfc8785-0.1.2-py3-none-any.whl",
        attestations=(
            "pypi/rfc8785-0.1.2-py3-none-any.whl.attestation",
            "pypi/rfc8785-0.1.2-py3-none-any.whl.publish.attestation",
        ),
        refused_because="signed by email william@yossarian.net (issuer https://github.com/login/"
        "oauth), not a Trusted Publisher; PEP 740 publishers are GitHub, GitLab, Google, CircleCI",
    ),
)  # fmt: skip
NPM_CASES = (
    NpmCase("sigstore", "1.0.0", "npm/npm-cli_valid-sigstore-attestations.json", "sigstore@1.0.0"),
    NpmCase("tuf-js", "1.0.0", "npm/npm-cli_valid-tuf-js-attestations.json", "tuf-js@1.0.0"),
    NpmCase("sigstore", "0.4.0", "npm/pacote_valid-attestations.json"),
    # NEGATIVE: pacote's document whose publish statement names sigstore@1.4.0, served for 1.4.0.
    NpmCase(
        "sigstore", "1.4.0", "npm/pacote_mismatched-subject-name-attestations.json",
        fails_with=(Reason.SUBJECT_MISMATCH, Reason.DIGEST_MISMATCH),
    ),
)  # fmt: skip


@dataclass
class Overlay:
    """The fixture folder being overlaid: its manifest and the report lines."""

    folder: Path
    verifier: Verifier
    manifest: dict[str, dict[str, str]]
    lines: list[str]
    pending: dict[str, str]  # relative path -> text; written only once every case has passed

    @property
    def inputs(self) -> Path:
        """Where the byte-for-byte inputs live."""
        return self.folder / "overlay"

    def read_json(self, relative: str) -> Any:
        """A recorded or overlay JSON file; OverlayError when it is missing."""
        if relative in self.pending:
            return json.loads(self.pending[relative])
        path = self.folder / relative
        if not path.is_file():
            raise OverlayError(f"{path} is missing; record first (scripts/record_registry.py)")
        return json.loads(path.read_text(encoding="utf-8"))

    def write_json(self, relative: str, data: Any) -> bytes:
        """Queue a write like the recorder's (sorted keys, one-space indent); return the bytes."""
        text = json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        self.pending[relative] = text
        return text.encode()

    def commit(self) -> None:
        """Write every queued file and the manifest."""
        for relative, text in self.pending.items():
            (self.folder / relative).parent.mkdir(parents=True, exist_ok=True)
            (self.folder / relative).write_text(text, encoding="utf-8")
        manifest = sorted(self.manifest.values(), key=lambda e: e["path"])
        (self.folder / "responses.json").write_text(
            json.dumps(manifest, indent=1) + "\n", encoding="utf-8"
        )

    def serve(self, path: str, file: str, content_type: str = "application/json") -> None:
        """Add a served document to the manifest (path as the server sees it)."""
        self.manifest[path] = {"path": path, "file": file, "content_type": content_type}

    def keys(self) -> tuple[RegistryKey, ...]:
        """Write and serve ``/-/npm/v1/keys`` from npm/cli's keys; return them parsed."""
        source = self.read_json(f"overlay/{KEYS_SOURCE}")
        served = {"keys": source["keys"]}
        keys = parse_registry_keys(served)  # refuses a keyid that is not the key's fingerprint
        file = KEYS_PATH.lstrip("/") + ".json"
        self.write_json(file, served)
        self.serve(KEYS_PATH, file)
        self.lines.append(f"npm keys: {', '.join(k.keyid for k in keys)} at /-/npm/v1/keys")
        return keys

    def pypi(self, case: PyPICase) -> None:
        """Check, verify, then point the file's ``provenance`` at the document."""
        page_file = f"pypi/simple/{case.project}.json"
        page = self.read_json(page_file)
        entry = next((f for f in page["files"] if f["filename"] == case.filename), None)
        if entry is None:
            raise OverlayError(f"{page_file} lacks {case.filename}; record with the pins")
        sha256 = entry["hashes"]["sha256"]
        real = REAL_FILES / case.filename
        if real.is_file() and hashlib.sha256(real.read_bytes()).hexdigest() != sha256:
            raise OverlayError(f"mirror sha256 of {case.filename} differs from {real}")
        label = f"pypi {case.project} {case.version} {case.filename}"
        try:
            body, file = self._provenance(case)
        except Refused as exc:
            if str(exc) != case.refused_because:
                raise OverlayError(f"{label}: refused for another reason: {exc}") from exc
            self.lines.append(f"{label}: NOT overlaid, refused: {exc}")
            return
        if case.refused_because is not None:
            raise OverlayError(f"{label}: declared refused but assembled; update the case")
        check = verify_pypi_provenance(body, case.filename, sha256, verifier=self.verifier)
        if not check.ok:
            raise OverlayError(f"{label}: provenance does not verify: {check.reason}")
        path = f"/integrity/{case.project}/{case.version}/{case.filename}/provenance"
        self.serve(f"/pypi{path}", file, INTEGRITY_JSON)
        entry["provenance"] = PLACEHOLDERS["pypi"] + path
        page["meta"]["api-version"] = "1.3"  # PEP 740: the first version with ``provenance``
        self.write_json(page_file, page)
        self.lines.append(f"{label}: provenance ({file}) verified: {check.reason}")

    def _provenance(self, case: PyPICase) -> tuple[bytes, str]:
        if case.provenance is not None:
            file = f"overlay/{case.provenance}"
            return (self.folder / file).read_bytes(), file
        atts = [
            Attestation.model_validate_json((self.inputs / a).read_bytes())
            for a in case.attestations
        ]
        publishers = {json.dumps(publisher_from_attestation(a), sort_keys=True) for a in atts}
        if len(publishers) != 1:
            raise Refused(f"the attestations name {len(publishers)} different signers")
        doc = {
            "version": 1,
            "attestation_bundles": [
                {
                    "publisher": json.loads(publishers.pop()),
                    "attestations": [a.model_dump(mode="json") for a in atts],
                }
            ],
        }
        Provenance.model_validate(doc)
        file = f"pypi/integrity/{case.project}/{case.version}/{case.filename}/provenance.json"
        return self.write_json(file, doc), file

    def npm(self, case: NpmCase, keys: tuple[RegistryKey, ...]) -> None:
        """Check, verify, then add ``dist.attestations`` (and ``dist.signatures``)."""
        pack_file = f"npm/{case.name}.json"
        packument = self.read_json(pack_file)
        body = packument["versions"].get(case.version)
        if body is None:
            raise OverlayError(f"{pack_file} lacks {case.version}; record with the pins")
        dist = body["dist"]
        integrity = dist["integrity"]
        label = f"npm {case.name}@{case.version}"
        doc_file = f"overlay/{case.document}"
        raw = (self.folder / doc_file).read_bytes()
        check = verify_npm_attestations(
            raw, case.name, case.version, integrity, verifier=self.verifier, registry_keys=keys
        )
        if case.fails_with:
            if check.ok or not _fails_with(check.reason, case.fails_with):
                raise OverlayError(f"{label}: negative case gave {check.ok} {check.reason!r}")
            verdict = f"NEGATIVE, fails as declared: {check.reason}"
        elif not check.ok:
            raise OverlayError(f"{label}: attestations do not verify: {check.reason}")
        else:
            verdict = f"verified: {check.reason}"
        path = f"/-/npm/v1/attestations/{case.name}@{case.version}"
        url = PLACEHOLDERS["npm"] + path
        predicates = [e.get("predicateType") for e in json.loads(raw)["attestations"]]
        provenance = next((p for p in predicates if p in PROVENANCE_PREDICATES), None)
        dist.pop("signatures", None)
        if case.dist_from is not None:
            verdict += "; " + self._signatures(case, dist, keys, url, packument.get("time", {}))
        dist["attestations"] = {"url": url}
        if provenance is not None:
            dist["attestations"]["provenance"] = {"predicateType": provenance}
        self.serve(f"/npm{path}", doc_file)
        self.write_json(pack_file, packument)
        self.lines.append(f"{label}: attestations ({doc_file}) {verdict}")

    def _signatures(
        self,
        case: NpmCase,
        dist: dict[str, Any],
        keys: tuple[RegistryKey, ...],
        url: str,
        times: dict[str, str],
    ) -> str:
        source = self.read_json(f"overlay/{KEYS_SOURCE}")["dist"][case.dist_from]
        if source["integrity"] != dist["integrity"]:
            raise OverlayError(f"npm/cli's integrity of {case.dist_from} differs from the mirror's")
        if source["attestations"]["url"].replace("<registry>", PLACEHOLDERS["npm"]) != url:
            raise OverlayError(f"npm/cli's attestations URL of {case.dist_from} is not {url}")
        published = times.get(case.version)
        check = verify_registry_signatures(
            case.name, case.version, dist["integrity"], source["signatures"], keys,
            published_at=datetime.fromisoformat(published) if published else None,
        )  # fmt: skip
        if not check.ok:
            raise OverlayError(f"{case.dist_from}: registry signatures fail: {check.reason}")
        dist["signatures"] = source["signatures"]
        return f"dist.signatures {check.reason}"


def publisher_from_attestation(attestation: Attestation) -> dict[str, Any]:
    """The PEP 740 publisher object of the attestation's signing certificate; Refused if none."""
    identity = identity_from_certificate(attestation.to_bundle().signing_certificate)
    if identity.kind == "github" and identity.repository and identity.workflow:
        # A certificate does not carry the deployment environment, so none is claimed.
        return {
            "kind": "GitHub",
            "repository": _slug(identity.repository),
            "workflow": identity.workflow.rsplit("/", 1)[-1],
            "environment": None,
        }
    if identity.kind == "gitlab" and identity.repository and identity.workflow:
        return {
            "kind": "GitLab",
            "repository": _slug(identity.repository),
            "workflow_filepath": identity.workflow,
            "environment": None,
        }
    who = f"{identity.kind} {identity.subject or identity.repository or '?'}"
    raise Refused(
        f"signed by {who} (issuer {identity.issuer}), not a Trusted Publisher; "
        "PEP 740 publishers are GitHub, GitLab, Google, CircleCI"
    )


def _slug(url: str) -> str:
    """``owner/repo`` of ``https://host/owner/repo``."""
    return url.split("://", 1)[-1].split("/", 1)[-1]


def _fails_with(reason: str, wanted: tuple[Reason, ...]) -> bool:
    parts = [p.strip() for p in reason.split(";")]
    if len(parts) != len(wanted):
        return False
    return all(p.startswith(w) for p, w in zip(parts, wanted, strict=True))


def apply(folder: Path, verifier: Verifier) -> list[str]:
    """Apply every case to ``folder``; return the report lines. Raises OverlayError."""
    entries = json.loads((folder / "responses.json").read_text(encoding="utf-8"))
    overlay = Overlay(folder, verifier, {e["path"]: e for e in entries}, [], {})
    keys = overlay.keys()
    for pypi in PYPI_CASES:
        overlay.pypi(pypi)
    for npm in NPM_CASES:
        overlay.npm(npm, keys)
    overlay.commit()
    recorded = folder / "recorded.json"
    if recorded.is_file():
        notes = json.loads(recorded.read_text(encoding="utf-8"))
        notes["overlay"] = overlay.lines
        recorded.write_text(json.dumps(notes, indent=1) + "\n", encoding="utf-8")
    return overlay.lines


def main(argv: list[str] | None = None) -> int:
    """Apply the overlay to the fixture folder; print what was attached."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--folder", type=Path, default=REPO / "fixtures" / "registry")
    args = parser.parse_args(argv)
    try:
        lines = apply(args.folder, make_verifier(load_trusted_root()))
    except OverlayError as exc:
        print(f"overlay NOT applied: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The OSV API as an advisory source: `querybatch` (paginated), then one `vulns/{id}` per record.

The server decides which records affect each version; the records give aliases, severity, fix
versions, malware and withdrawal. Any request that fails makes the audit of the packages it was
for incomplete, with the reason; nothing that failed is ever reported clean.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import httpx

from scanner.audit.advisories import advisory_from_match, group_aliases
from scanner.audit.interface import (
    AdvisorySource,
    AuditResult,
    Package,
    SourceUnavailable,
)
from scanner.audit.osv_eval import RecordMatch, UnorderableVersion, match_record, sort_versions
from scanner.audit.osv_record import MalformedRecord, OsvRecord, parse_record

OSV_URL_ENV = "CHAINWATCH_OSV_URL"
BATCH_SIZE = 1000  # the API's limit of queries per querybatch request
MAX_PAGES = 50  # a server that keeps paginating one package is not answering
DEFAULT_TIMEOUT = 20.0
# A querybatch answer for 1,000 packages is ids only; the largest real records are well under
# 1 MB. Anything far larger is not an answer.
MAX_ANSWER_BYTES = 32 * 2**20


def osv_base_url(configured: str | None = None) -> str:
    """The OSV API base (ending in /v1): configured, ``$CHAINWATCH_OSV_URL``, or pip-audit's."""
    if configured:
        return configured.rstrip("/")
    if env := os.environ.get(OSV_URL_ENV):
        return env.rstrip("/")
    from scanner.audit.pip_audit_compat import public_osv_base  # the library knows the host

    return public_osv_base()


class OsvApiSource(AdvisorySource):
    """OSV API client over an injected httpx client."""

    name = "OSV API"

    def __init__(
        self, client: httpx.Client, base_url: str, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def audit(self, packages: Sequence[Package]) -> list[AuditResult]:
        """One result per package, in order."""
        results: list[AuditResult] = []
        for start in range(0, len(packages), BATCH_SIZE):
            results.extend(self._chunk(packages[start : start + BATCH_SIZE]))
        return results

    # -- requests ---------------------------------------------------------------------------

    def _json(self, method: str, url: str, body: Any = None) -> Any:
        try:
            with self.client.stream(method, url, json=body, timeout=self.timeout) as resp:
                if resp.status_code != 200:
                    raise SourceUnavailable(
                        f"{self.name}: {method} {url} answered {resp.status_code}"
                    )
                data = bytearray()
                for chunk in resp.iter_bytes():
                    data += chunk
                    if len(data) > MAX_ANSWER_BYTES:
                        raise SourceUnavailable(
                            f"{self.name}: {method} {url} answered more than "
                            f"{MAX_ANSWER_BYTES // 2**20} MB"
                        )
            return json.loads(data)
        except httpx.HTTPError as exc:
            raise SourceUnavailable(
                f"{self.name}: {method} {url} failed ({type(exc).__name__}: {exc})"
            ) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SourceUnavailable(
                f"{self.name}: {method} {url} answered invalid JSON ({exc})"
            ) from exc

    def _query_ids(self, packages: Sequence[Package]) -> list[list[str]]:
        """The record ids per package, following next_page_token until every page is read."""
        ids: list[list[str]] = [[] for _ in packages]
        pending: dict[int, str | None] = dict.fromkeys(range(len(packages)))
        for _ in range(MAX_PAGES):
            if not pending:
                return ids
            order = list(pending)
            queries = []
            for i in order:
                p = packages[i]
                q: dict[str, Any] = {
                    # PyPI names go normalised (PEP 503), as OSV's PyPI records and pip-audit
                    # spell them; npm names are exact.
                    "package": {"ecosystem": p.ecosystem.value, "name": p.key},
                    "version": p.version,
                }
                if pending[i]:
                    q["page_token"] = pending[i]
                queries.append(q)
            answer = self._json("POST", f"{self.base_url}/querybatch", {"queries": queries})
            got = answer.get("results") if isinstance(answer, dict) else None
            # Bind the answer to the question: one result per query, in order.
            if not isinstance(got, list) or len(got) != len(queries):
                raise SourceUnavailable(
                    f"{self.name}: querybatch answered {len(queries)} queries "
                    "with a different number of results"
                )
            pending = {}
            for i, result in zip(order, got, strict=True):
                vulns = result.get("vulns", []) if isinstance(result, dict) else None
                if not isinstance(vulns, list) or not all(
                    isinstance(v, dict) and isinstance(v.get("id"), str) for v in vulns
                ):
                    raise SourceUnavailable(f"{self.name}: querybatch result is not a vulns list")
                ids[i].extend(v["id"] for v in vulns)
                token = result.get("next_page_token")
                if isinstance(token, str) and token:
                    pending[i] = token
        raise SourceUnavailable(f"{self.name}: querybatch still paginating after {MAX_PAGES} pages")

    def _record(self, rid: str) -> OsvRecord:
        raw = self._json("GET", f"{self.base_url}/vulns/{quote(rid, safe='')}")
        record = parse_record(raw, f"{self.name} vulns/{rid}")
        if record.id != rid:
            raise SourceUnavailable(f"{self.name}: asked for {rid}, got record {record.id}")
        return record

    # -- assembly ---------------------------------------------------------------------------

    def _chunk(self, packages: Sequence[Package]) -> list[AuditResult]:
        try:
            ids = self._query_ids(packages)
        except SourceUnavailable as exc:
            return [AuditResult(p, self.name, complete=False, reason=exc.message) for p in packages]
        records: dict[str, OsvRecord | str] = {}  # record, or why it could not be had
        for rid in sorted({i for per in ids for i in per}):
            try:
                records[rid] = self._record(rid)
            except (SourceUnavailable, MalformedRecord) as exc:
                records[rid] = exc.message
        return [self._result(p, per, records) for p, per in zip(packages, ids, strict=True)]

    def _result(
        self, package: Package, ids: list[str], records: dict[str, OsvRecord | str]
    ) -> AuditResult:
        advisories, reasons = [], []
        for rid in dict.fromkeys(ids):
            rec = records[rid]
            if isinstance(rec, str):
                reasons.append(rec)
                continue
            if rec.withdrawn is not None:
                continue
            try:
                match = match_record(rec, package)
            except (MalformedRecord, UnorderableVersion):
                match = None
            if match is None:
                # The server matched it (e.g. through a GIT range); report every fix it names.
                fixed = {
                    e.version
                    for a in rec.affected
                    if a.ecosystem == package.ecosystem and a.key == package.key
                    for r in a.ranges
                    if r.type != "GIT"
                    for e in r.events
                    if e.kind == "fixed"
                }
                match = RecordMatch(rec, sort_versions(package, fixed))
            advisories.append(advisory_from_match(match))
        return AuditResult(
            package,
            self.name,
            group_aliases(package, advisories),
            complete=not reasons,
            reason="; ".join(reasons),
        )

"""Record real registry answers for the loopback fixture registry (rerunnable).

    python scripts/record_registry.py [--out fixtures/registry] [--pin pypi:NAME==VERSION] ...

Hosts come from the user's configuration or the library defaults (scanner.registry.config). Every
absolute URL of a recorded registry host is rewritten to a ``.invalid`` placeholder
(scanner._testing.fixture_server.PLACEHOLDERS) before anything is written. What is kept:

* PyPI: the Simple API JSON page; ``files`` trimmed to the kept versions, the ``versions`` list
  kept whole (it decides ``latest``); each kept file's ``provenance`` document when the index
  offers one (API 1.3+).
* npm: the full packument trimmed to the kept versions, their ``time`` entries and the fields
  chainwatch reads (see KEEP_VERSION_FIELDS); ``dist.attestations.url`` documents; the registry's
  ``/-/npm/v1/keys``.

Kept versions: the latest ``--keep`` non-yanked final releases, the newest yanked (PyPI) or
deprecated (npm) one, and the pinned versions.

Recording replaces every ``*.json`` here except under ``overlay/`` and so removes the attestation
overlay; run ``scripts/overlay_attestations.py`` afterwards to put it back.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from packaging.utils import canonicalize_name  # noqa: E402
from packaging.version import InvalidVersion, Version  # noqa: E402

from scanner._testing.fixture_server import PLACEHOLDERS  # noqa: E402
from scanner.registry.config import RegistryConfig, load_config  # noqa: E402
from scanner.registry.http import fetch_json, make_client  # noqa: E402
from scanner.registry.interface import FetchError, NotFound  # noqa: E402
from scanner.registry.pypi import INTEGRITY_JSON, SIMPLE_JSON, parse_simple  # noqa: E402

PYPI_PROJECTS = (
    "mcp", "mcp-server-fetch", "mcp-server-git", "mcp-server-time", "fastmcp", "httpx",
    "pydantic", "sigstore", "pypi-attestations", "rfc8785", "requests",
)  # fmt: skip
NPM_PACKAGES = (
    "@modelcontextprotocol/server-filesystem", "@modelcontextprotocol/server-everything",
    "@modelcontextprotocol/sdk", "mcp-remote", "@playwright/mcp", "zod", "express", "sigstore",
    "tuf-js",
)  # fmt: skip
# Versions the demo and tests pin, besides the latest few.
# rfc8785 0.1.2, pypi-attestations 0.0.19, sigstore 0.4.0 / 1.0.0 / 1.4.0 and tuf-js 1.0.0 are the
# releases scripts/overlay_attestations.py attaches real attestation data to (1.4.0: the negative).
PINS = {
    "pypi": {
        "mcp-server-fetch": ("2025.4.7",), "mcp": ("1.9.4",), "requests": ("2.31.0",),
        "rfc8785": ("0.1.2",), "pypi-attestations": ("0.0.19",),
    },
    "npm": {
        "@modelcontextprotocol/server-filesystem": ("2025.7.1",), "express": ("4.21.2",),
        "sigstore": ("0.4.0", "1.0.0", "1.4.0"), "tuf-js": ("1.0.0",),
    },
}  # fmt: skip
KEEP_TOP_FIELDS = ("_id", "name", "dist-tags", "versions", "time", "maintainers")
KEEP_VERSION_FIELDS = (
    "name", "version", "dist", "scripts", "deprecated", "_npmUser", "maintainers", "repository",
)  # fmt: skip
KEEP_SCRIPTS = ("preinstall", "install", "postinstall")
MAX_BYTES = 200_000_000


@dataclass
class Recorder:
    """Fetches, trims, rewrites and writes; collects the manifest and notes."""

    client: httpx.AsyncClient
    config: RegistryConfig
    out: Path
    keep: int
    hosts: dict[str, str]  # live origin -> placeholder
    manifest: dict[str, dict[str, str]]
    notes: list[str]

    async def get(self, url: str, accept: str) -> Any:
        """Fetch JSON from the live registry."""
        return await fetch_json(self.client, url, accept=accept, max_bytes=MAX_BYTES)

    def save(self, live_url: str, data: Any, content_type: str) -> str:
        """Rewrite URLs, write the file, add it to the manifest; return the placeholder URL."""
        text = self.rewrite(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False))
        served = self.rewrite(live_url)
        parts = urlsplit(served)
        prefix = next(p for p, h in PLACEHOLDERS.items() if served.startswith(h))
        path = f"/{prefix}{unquote(parts.path)}"
        file = path.lstrip("/").rstrip("/").replace(":", "_") + ".json"
        target = self.out / file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n", encoding="utf-8")
        self.manifest[path] = {"path": path, "file": file, "content_type": content_type}
        return served

    def rewrite(self, text: str) -> str:
        """Replace every live registry origin with its placeholder."""
        for live, placeholder in self.hosts.items():
            text = text.replace(live, placeholder)
        return text

    def learn_host(self, url: str, placeholder: str) -> None:
        """Map the origin of ``url`` (e.g. the file host) to ``placeholder``."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        self.hosts.setdefault(origin, placeholder)

    async def pypi(self, name: str) -> str:
        """Record one PyPI project."""
        url = f"{self.config.pypi_simple}{canonicalize_name(name)}/"
        page = await self.get(url, SIMPLE_JSON)
        facts = parse_simple(url, page, name=name)
        rels = facts.releases
        kept = _latest(rels, lambda v: not rels[v].yanked, self.keep)
        kept |= _latest(rels, lambda v: rels[v].yanked, 1, finals_only=False)
        kept |= {v for v in PINS["pypi"].get(name, ()) if v in facts.releases}
        kept &= set(facts.releases)
        keep_files = {f.filename for v in kept for f in facts.releases[v].files}
        page["files"] = [f for f in page["files"] if f["filename"] in keep_files]
        for f in page["files"]:
            self.learn_host(f["url"], PLACEHOLDERS["files"])
        attested = 0
        for f in page["files"]:
            if f.get("provenance"):
                prov_url = str(httpx.URL(url).join(f["provenance"]))
                try:
                    self.save(
                        prov_url, await self.get(prov_url, INTEGRITY_JSON), "application/json"
                    )
                    attested += 1
                except NotFound:
                    self.notes.append(f"pypi {name}: provenance of {f['filename']} is 404")
        self.save(url, page, SIMPLE_JSON)
        api = page.get("meta", {}).get("api-version")
        return f"pypi {name}: versions {sorted(kept, key=_vkey)}; API {api}; {attested} provenance"

    async def npm(self, name: str) -> str:
        """Record one npm package."""
        base = self.config.npm_for(name)
        url = base + quote(name, safe="@")
        doc = await self.get(url, "application/json")
        versions = doc.get("versions", {})
        order = sorted(versions, key=_vkey)
        kept = _latest(order, lambda v: not versions[v].get("deprecated"), self.keep)
        kept |= _latest(order, lambda v: bool(versions[v].get("deprecated")), 1, finals_only=False)
        kept |= {v for v in PINS["npm"].get(name, ()) if v in versions}
        if doc.get("dist-tags", {}).get("latest") in versions:
            kept.add(doc["dist-tags"]["latest"])
        trimmed = {k: doc[k] for k in KEEP_TOP_FIELDS if k in doc}
        trimmed["versions"] = {v: _trim_version(versions[v]) for v in sorted(kept, key=_vkey)}
        trimmed["dist-tags"] = {
            t: v for t, v in doc.get("dist-tags", {}).items() if v in kept or t == "latest"
        }
        trimmed["time"] = {
            k: v
            for k, v in doc.get("time", {}).items()
            if k in kept or k in ("created", "modified", "unpublished")
        }
        attested = 0
        for v in kept:
            att = versions[v].get("dist", {}).get("attestations", {}).get("url")
            if att:
                try:
                    self.save(att, await self.get(att, "application/json"), "application/json")
                    attested += 1
                except NotFound:
                    self.notes.append(f"npm {name}@{v}: attestations URL is 404")
        signed = sum(1 for v in kept if versions[v].get("dist", {}).get("signatures"))
        self.save(url, trimmed, "application/json")
        return (
            f"npm {name}: versions {sorted(kept, key=_vkey)}; {signed} signed; "
            f"{attested} attestation documents"
        )

    async def npm_keys(self) -> str:
        """Record the registry's signing keys, if it serves them."""
        url = self.config.npm + "-/npm/v1/keys"
        try:
            self.save(url, await self.get(url, "application/json"), "application/json")
        except NotFound:
            return "npm signing keys: 404 (not served by this registry)"
        return "npm signing keys: recorded"


def _trim_version(body: dict[str, Any]) -> dict[str, Any]:
    out = {k: body[k] for k in KEEP_VERSION_FIELDS if k in body}
    if "scripts" in out:
        out["scripts"] = {k: v for k, v in out["scripts"].items() if k in KEEP_SCRIPTS}
    return out


def _vkey(text: str) -> tuple[int, Any]:
    try:
        return (1, Version(text))
    except InvalidVersion:
        return (0, text)


def _latest(ordered: Any, wanted: Any, n: int, *, finals_only: bool = True) -> set[str]:
    finals = []
    for v in sorted(ordered, key=_vkey, reverse=True):
        try:
            pre = Version(v).is_prerelease
        except InvalidVersion:
            continue
        if not (pre and finals_only) and wanted(v):
            finals.append(v)
        if len(finals) == n:
            break
    return set(finals)


async def main(argv: list[str] | None = None) -> int:
    """Record everything; print a summary and the folder size."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", type=Path, default=REPO / "fixtures" / "registry")
    parser.add_argument("--keep", type=int, default=3, help="latest final versions to keep")
    parser.add_argument("--pin", action="append", default=[], help="pypi:NAME==VER, npm:NAME==VER")
    args = parser.parse_args(argv)
    for pin in args.pin:
        eco, _, spec = pin.partition(":")
        pkg, _, ver = spec.partition("==")
        PINS.setdefault(eco, {})[pkg] = (*PINS.get(eco, {}).get(pkg, ()), ver)
    config = load_config()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("**/*.json"):
        if old.relative_to(out).parts[0] != "overlay":  # the overlay's inputs are not recordings
            old.unlink()
    hosts: dict[str, str] = {}
    async with make_client(cache_dir=None, timeout=60.0) as client:
        rec = Recorder(client, config, out, args.keep, hosts, {}, [])
        rec.learn_host(config.pypi_simple, PLACEHOLDERS["pypi"])
        rec.learn_host(config.npm, PLACEHOLDERS["npm"])
        for scoped in config.npm_scopes.values():
            rec.learn_host(scoped, PLACEHOLDERS["npm"])
        lines = [await rec.pypi(n) for n in PYPI_PROJECTS]
        lines += [await rec.npm(n) for n in NPM_PACKAGES]
        lines.append(await rec.npm_keys())
    manifest = sorted(rec.manifest.values(), key=lambda e: e["path"])
    (out / "responses.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    (out / "recorded.json").write_text(
        json.dumps({"recorded_at": stamp, "summary": lines, "notes": rec.notes}, indent=1) + "\n",
        encoding="utf-8",
    )
    for line in [*lines, *rec.notes]:
        print(line)
    print(f"{len(manifest)} responses, {size / 1e6:.2f} MB in {out}")
    print("next: python scripts/overlay_attestations.py (re-applies the attestation overlay)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(asyncio.run(main()))
    except FetchError as exc:
        print(exc.diagnostics(), file=sys.stderr)
        sys.exit(1)

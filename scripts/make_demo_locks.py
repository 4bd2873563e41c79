"""Write the demo fleet's lockfiles from the recorded registry answers (rerunnable, offline).

    python scripts/make_demo_locks.py

Digests come from fixtures/registry, so the demo's lockfiles agree with what the loopback registry
serves, with two deliberate bad cases so the demo shows what they look like:
- requests 2.31.0 in legacy/requirements.txt carries a wrong sha256 (digest mismatch);
- a nested sigstore 1.4.0 in coder/package-lock.json, whose served attestations are pacote's
  mismatched-subject test document (attestation invalid; see fixtures/registry/SOURCES.md).
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REG = REPO / "fixtures" / "registry"
DEMO = REPO / "fixtures" / "demo"
FILES = "https://files.registry.invalid"
NPM = "https://npm.registry.invalid"

UV_PACKAGES = {  # name -> version, all real releases served by the fixture registry
    "mcp-server-time": "2026.10.19",
    "pypi-attestations": "0.0.19",  # attested (PEP 740 provenance on its sdist)
    "httpx": "0.28.1",
    "pydantic": "2.14.4",
}
NPM_PACKAGES = {
    "@modelcontextprotocol/sdk": "1.32.2",
    "zod": "4.6.7",
    "express": "5.2.1",
    "sigstore": "1.0.0",  # attested, registry-signed
    "tuf-js": "1.0.0",  # attested, registry-signed
}
REQUIREMENTS = {"mcp": "1.9.4", "requests": "2.31.0"}
TAMPERED = "requests"


def _simple(name: str) -> dict:
    return json.loads((REG / "pypi" / "simple" / f"{name}.json").read_text())


def _files(name: str, version: str) -> list[dict]:
    norm = name.replace("-", "_")
    out = [
        f
        for f in _simple(name)["files"]
        if f["filename"].startswith(
            (f"{norm}-{version}-", f"{norm}-{version}.tar.gz", f"{name}-{version}.tar.gz")
        )
    ]
    if not out:
        raise SystemExit(f"{name} {version} is not in the recordings")
    return out


def uv_lock() -> str:
    lines = ["version = 1", "revision = 3", 'requires-python = ">=3.11"', ""]
    for name, version in sorted(UV_PACKAGES.items()):
        files = _files(name, version)
        lines += [
            "[[package]]",
            f'name = "{name}"',
            f'version = "{version}"',
            'source = { registry = "https://pypi.registry.invalid/simple" }',
        ]
        sdists = [f for f in files if f["filename"].endswith(".tar.gz")]
        wheels = [f for f in files if f["filename"].endswith(".whl")]
        for f in sdists[:1]:
            lines.append(
                f'sdist = {{ url = "{f["url"]}", hash = "sha256:{f["hashes"]["sha256"]}", '
                f"size = {f.get('size', 0)} }}"
            )
        if wheels:
            lines.append("wheels = [")
            lines += [
                f'    {{ url = "{f["url"]}", hash = "sha256:{f["hashes"]["sha256"]}", '
                f"size = {f.get('size', 0)} }},"
                for f in wheels
            ]
            lines.append("]")
        lines.append("")
    return "\n".join(lines)


def package_lock() -> str:
    packages: dict[str, dict] = {
        "": {"name": "coder-tools", "version": "1.0.0", "dependencies": dict(NPM_PACKAGES)}
    }
    for name, version in NPM_PACKAGES.items():
        doc = json.loads((REG / "npm" / f"{name}.json").read_text())
        dist = doc["versions"][version]["dist"]
        base = name.split("/")[-1]
        packages[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"{NPM}/{name}/-/{base}-{version}.tgz",
            "integrity": dist["integrity"],
        }
    # DEMO: a nested copy whose served attestations do not match it (attestation-invalid).
    nested = json.loads((REG / "npm" / "sigstore.json").read_text())["versions"]["1.4.0"]["dist"]
    packages["node_modules/@modelcontextprotocol/sdk/node_modules/sigstore"] = {
        "version": "1.4.0",
        "resolved": f"{NPM}/sigstore/-/sigstore-1.4.0.tgz",
        "integrity": nested["integrity"],
    }
    lock = {
        "name": "coder-tools",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": packages,
    }
    return json.dumps(lock, indent=2) + "\n"


def requirements() -> str:
    lines = ["# research agent's tool dependencies (pip-compile style, hashes pinned)"]
    for name, version in REQUIREMENTS.items():
        hashes = [f["hashes"]["sha256"] for f in _files(name, version)]
        if name == TAMPERED:  # deliberate: the demo's digest-mismatch case
            hashes = ["0" * 8 + h[8:] for h in hashes[:1]]
            lines.append("# DEMO: the hash below was altered on purpose to show a digest mismatch")
        lines.append(f"{name}=={version} \\")
        lines += [f"    --hash=sha256:{h} \\" for h in hashes[:-1]]
        lines.append(f"    --hash=sha256:{hashes[-1]}")
    return "\n".join(lines) + "\n"


def main() -> None:
    (DEMO / "ops" / "uv.lock").write_text(uv_lock())
    (DEMO / "coder" / "package-lock.json").write_text(package_lock())
    (DEMO / "legacy" / "requirements.txt").write_text(requirements())
    print("wrote ops/uv.lock, coder/package-lock.json, legacy/requirements.txt")


if __name__ == "__main__":
    main()

"""Record real npx / uvx tool-cache layouts as small fixtures (rerunnable).

    python scripts/record_tool_caches.py [--work /tmp/cw-toolcache] [--out fixtures/toolcache]
        [--uv PATH_TO_UV] [--npx PATH_TO_NPX] [--reuse]

What it runs, each with its own throwaway cache under ``--work`` (never the user's caches):

* ``uvx --from mcp-server-time==2025.9.25 python -c pass`` (a pinned uvx environment);
* ``uvx mcp-server-fetch --help`` (a floating uvx environment);
* ``uv tool install mcp-server-time==2025.9.25`` (an installed tool with its receipt);
* ``npx -y @modelcontextprotocol/server-filesystem@2025.8.21 --help`` and
  ``npx -y @modelcontextprotocol/server-memory --help`` (stdin closed, so the server exits).

Packages come from whatever index and registry the user's configuration names. What is kept is
what chainwatch reads, nothing else:

* uv: ``environments-v2/<hash>/<hash>`` symlinks (relative, as uv writes them) into
  ``archive-v0/<id>/``, ``pyvenv.cfg``, and per distribution the header block of
  ``*.dist-info/METADATA`` (Name, Version, Requires-Dist only); the tool receipt
  ``tools/<name>/uv-receipt.toml`` with its environment trimmed the same way.
* npx: ``_npx/<key>/package.json``, ``package-lock.json``, ``node_modules/.package-lock.json``
  and the ``package.json`` (name, version, bin only) of each requested package.

The host of every ``resolved`` URL in a kept npm lock is rewritten to a ``.invalid``
placeholder, and the install paths in uv receipts are rewritten to ``/home/user/...``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_RESOLVED_HOST = re.compile(r'("resolved": "https?://)[^/"]+/')
_KEEP_HEADERS = ("Metadata-Version:", "Name:", "Version:", "Requires-Dist:")

UVX_RUNS = (
    ["--from", "mcp-server-time==2025.9.25", "python", "-c", "pass"],
    ["mcp-server-fetch", "--help"],
)
UV_TOOL_INSTALL = ["tool", "install", "mcp-server-time==2025.9.25"]
NPX_RUNS = (
    ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "--help"],
    ["-y", "@modelcontextprotocol/server-memory", "--help"],
)


def _run(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    print("+", " ".join(argv))
    # The servers may wait on stdio: stdin is closed and a timeout bounds each run.
    subprocess.run(  # noqa: S603 - fixed tool invocations
        argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, timeout=300, check=False
    )


def run_tools(work: Path, uv: str, npx: str) -> None:
    """Fill the throwaway caches under ``work`` with real runs."""
    env = dict(os.environ)
    env.update(
        UV_CACHE_DIR=str(work / "uv" / "cache"),
        UV_TOOL_DIR=str(work / "uv" / "tools"),
        UV_TOOL_BIN_DIR=str(work / "uv" / "bin"),
        npm_config_cache=str(work / "npm"),
    )
    work.mkdir(parents=True, exist_ok=True)
    for args in UVX_RUNS:
        _run([uv, "tool", "run", *args], env, work)
    _run([uv, *UV_TOOL_INSTALL], env, work)
    for args in NPX_RUNS:
        _run([npx, *args], env, work)


def _trim_metadata(src: Path, dst: Path) -> None:
    lines: list[str] = []
    for line in src.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line:
            break
        if line.startswith(_KEEP_HEADERS):
            lines.append(line)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("\n".join(lines) + "\n\n", encoding="utf-8")


def _copy_env(src: Path, dst: Path) -> int:
    """pyvenv.cfg and trimmed METADATA of every distribution; returns how many."""
    dst.mkdir(parents=True, exist_ok=True)
    if (src / "pyvenv.cfg").is_file():
        shutil.copyfile(src / "pyvenv.cfg", dst / "pyvenv.cfg")
    count = 0
    for meta in sorted(src.glob("lib/python*/site-packages/*.dist-info/METADATA")):
        _trim_metadata(meta, dst / meta.relative_to(src))
        count += 1
    return count


def copy_uv(work: Path, out: Path) -> None:
    """The environments-v2 links, the archive entries they point at, and the tool receipts."""
    cache, target = work / "uv" / "cache", out / "uv" / "cache"
    for link in sorted((cache / "environments-v2").glob("*/*")):
        if not link.is_symlink():
            continue
        rel = os.readlink(link)
        archive = (link.parent / rel).resolve()
        count = _copy_env(archive, target / "archive-v0" / archive.name)
        new = target / "environments-v2" / link.parent.name / link.name
        new.parent.mkdir(parents=True, exist_ok=True)
        if new.is_symlink() or new.exists():
            new.unlink()
        new.symlink_to(rel)
        print(f"uv env {link.parent.name}/{link.name} -> {rel}: {count} distributions")
    for receipt in sorted((work / "uv" / "tools").glob("*/uv-receipt.toml")):
        tool = receipt.parent
        count = _copy_env(tool, out / "uv" / "tools" / tool.name)
        text = receipt.read_text(encoding="utf-8").replace(str(work / "uv"), "/home/user/.local")
        (out / "uv" / "tools" / tool.name / "uv-receipt.toml").write_text(text, encoding="utf-8")
        print(f"uv tool {tool.name}: {count} distributions")


def _scrub(text: str) -> str:
    return _RESOLVED_HOST.sub(r"\1registry.example.invalid/", text)


def copy_npx(work: Path, out: Path) -> None:
    """Each npx entry's manifest, lock data and the requested packages' package.json."""
    for entry in sorted((work / "npm" / "_npx").iterdir()):
        dst = out / "npm" / "_npx" / entry.name
        for rel in ("package.json", "package-lock.json", "node_modules/.package-lock.json"):
            if (entry / rel).is_file():
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                (dst / rel).write_text(_scrub((entry / rel).read_text(encoding="utf-8")))
        manifest = json.loads((entry / "package.json").read_text(encoding="utf-8"))
        for name in manifest.get("dependencies", {}):
            pkg = json.loads((entry / "node_modules" / name / "package.json").read_text())
            kept = {k: pkg[k] for k in ("name", "version", "bin") if k in pkg}
            path = dst / "node_modules" / name / "package.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(kept, indent=2) + "\n", encoding="utf-8")
        lock = json.loads((entry / "package-lock.json").read_text(encoding="utf-8"))
        print(f"npx {entry.name}: {len(lock.get('packages', {})) - 1} locked packages")


def main() -> None:
    """Run the tools (unless --reuse) and copy the trimmed layouts into the fixtures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/cw-toolcache"))
    parser.add_argument("--out", type=Path, default=REPO / "fixtures" / "toolcache")
    parser.add_argument("--uv", default=shutil.which("uv") or "uv")
    parser.add_argument("--npx", default=shutil.which("npx") or "npx")
    parser.add_argument("--reuse", action="store_true", help="copy from --work without running")
    args = parser.parse_args()
    if not args.reuse:
        run_tools(args.work, args.uv, args.npx)
    for part in ("uv", "npm"):  # SOURCES.md beside them stays
        if (args.out / part).exists():
            shutil.rmtree(args.out / part)
    copy_uv(args.work, args.out)
    copy_npx(args.work, args.out)


if __name__ == "__main__":
    main()

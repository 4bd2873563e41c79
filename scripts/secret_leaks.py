"""Count planted secrets that leak: run the real CLI on fixtures/secrets and search every place.

Runs ``inventory`` and ``scan`` (against the loopback fixture registry, with its own cache folder
and store) in table and JSON format, ``scan`` in SARIF, Markdown and CycloneDX too, then counts
how many planted secrets (fixtures/secrets/planted.txt) appear in: the table output, the JSON
output, the other formats' output, a dump of every store table, every file of the cache folder,
and stderr (the log). Prints one count per place; all must be 0. As a control
it also counts the secrets in the corpus files themselves, which must be all of them.

    python scripts/secret_leaks.py [--json]
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scanner._cli import main as cli  # noqa: E402
from scanner._testing.fixture_server import FixtureRegistry  # noqa: E402
from scanner.demo import recorded_at  # noqa: E402

CORPUS = REPO / "fixtures" / "secrets"


def planted(corpus: Path = CORPUS) -> list[str]:
    """The planted secret strings, one per line of planted.txt."""
    lines = (corpus / "planted.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def _found(secrets: list[str], text: str) -> int:
    return sum(1 for s in secrets if s in text)


def _store_dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        rows = [repr(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"')]  # noqa: S608
    return "\n".join(rows)


def _folder_text(folder: Path) -> str:
    parts = [p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()]
    return "\n".join(parts)


def leak_counts(work: Path, corpus: Path = CORPUS) -> dict[str, int]:
    """Run the CLI on the corpus inside ``work``; how many planted secrets each place holds."""
    secrets = planted(corpus)
    db, cache = work / "chainwatch.db", work / "cache"
    runner = CliRunner()
    moment = recorded_at()
    out: dict[str, str] = {"table": "", "json": "", "log": "", "results": ""}
    scan_doc: dict[str, list[object]] = {}
    with FixtureRegistry() as registry:
        env = {
            "PIP_INDEX_URL": registry.url("pypi", "simple/"),
            "npm_config_registry": registry.url("npm"),
            "COLUMNS": "80",
        }
        for command in ("inventory", "scan"):
            for fmt in ("table", "json"):
                args = ["--db", str(db), command, str(corpus), "--format", fmt]
                if command == "scan":
                    args += ["--cache-dir", str(cache), "--fail-on", "never", "--allow-unchecked"]
                # The fixtures' clock, never today's (the pinned trust root has a one-year limit).
                obj = {"clock": lambda: moment}
                result = runner.invoke(cli, args, env=env, catch_exceptions=False, obj=obj)
                if result.exit_code not in (0, 4):
                    raise RuntimeError(f"{command} --format {fmt} exited {result.exit_code}")
                out[fmt] += result.stdout
                out["log"] += result.stderr
                if (command, fmt) == ("scan", "json"):
                    scan_doc = json.loads(result.stdout)
        for fmt in ("sarif", "markdown", "cyclonedx"):  # the formats of scan and check results
            args = ["--db", str(db), "scan", str(corpus), "--format", fmt, "--no-record"]
            args += ["--cache-dir", str(cache), "--fail-on", "never", "--allow-unchecked"]
            result = runner.invoke(
                cli, args, env=env, catch_exceptions=False, obj={"clock": lambda: moment}
            )
            if result.exit_code not in (0, 4):
                raise RuntimeError(f"scan --format {fmt} exited {result.exit_code}")
            # Markdown escapes punctuation ("ghp\\_..."): searched with the escapes undone.
            text = re.sub(r"\\(.)", r"\1", result.stdout) if fmt == "markdown" else result.stdout
            out["results"] += text
            out["log"] += result.stderr
    files = [p for p in corpus.rglob("*") if p.is_file() and p.name != "planted.txt"]
    corpus_text = "\n".join(p.read_text(encoding="utf-8") for p in files)
    return {
        "planted in the corpus (control)": _found(secrets, corpus_text),
        "table output": _found(secrets, out["table"]),
        "json output": _found(secrets, out["json"]),
        "sarif, markdown and cyclonedx output": _found(secrets, out["results"]),
        "store (every table)": _found(secrets, _store_dump(db)),
        "cache folder": _found(secrets, _folder_text(cache)),
        "log (stderr)": _found(secrets, out["log"]),
        "scanned components (sanity)": len(scan_doc["components"]),
    }


def main() -> int:
    """Print the per-place counts; exit 1 when any secret leaked."""
    with tempfile.TemporaryDirectory(prefix="chainwatch-leaks-") as tmp:
        counts = leak_counts(Path(tmp))
    if "--json" in sys.argv:
        print(json.dumps(counts, indent=2))
    else:
        print(f"planted secrets: {len(planted())}")
        for place, n in counts.items():
            print(f"{place:<34} {n}")
    leaked = sum(n for k, n in counts.items() if k not in _NOT_LEAKS)
    return 1 if leaked else 0


_NOT_LEAKS = frozenset({"planted in the corpus (control)", "scanned components (sanity)"})

if __name__ == "__main__":
    sys.exit(main())

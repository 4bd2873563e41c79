"""The hook loads inside any agent: nothing but the standard library may be needed to import it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Runs in a fresh interpreter without site-packages (-S), where importing anything outside the
# standard library (and the scanner package itself) fails, as it would in an agent without
# chainwatch's dependencies.
_SCRIPT = """
import sys
before = set(sys.modules)

class Block:
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top not in sys.stdlib_module_names and top != "scanner":
            raise ImportError(f"blocked: {name}")
        return None

sys.meta_path.insert(0, Block())
import scanner.runtime.hook, scanner.runtime.hook_http, scanner.runtime.hook_spool
import scanner.runtime.mcp_sdk
from pathlib import Path
hook = scanner.runtime.hook.Hook(
    scanner.runtime.hook_spool.SpoolSink(Path(sys.argv[1])), agent="bare", at_exit=False
)
hook.record("tools_changed")
print(hook.close().delivered)
new = {m.split(".")[0] for m in set(sys.modules) - before}
loaded = sorted(new - set(sys.stdlib_module_names))
print(",".join(loaded))
"""


def test_the_hook_imports_and_records_with_only_the_standard_library(tmp_path):
    result = subprocess.run(
        [sys.executable, "-S", "-c", textwrap.dedent(_SCRIPT), str(tmp_path / "spool.db")],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    delivered, loaded = result.stdout.splitlines()
    assert delivered == "1"
    assert loaded == "scanner"


def test_the_blocker_does_block():
    """The check above can fail: the same interpreter set-up refuses a third-party import."""
    script = _SCRIPT.split("import scanner.runtime")[0] + "import click\n"
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "blocked: click" in result.stderr

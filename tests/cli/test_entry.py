"""The console script: ``scanner.__main__:run`` starts the CLI with collection held, then on."""

from __future__ import annotations

import subprocess
import sys
import tomllib

from scanner import __version__
from scanner.__main__ import run
from tests.conftest import REPO

# Runs the entry point in a fresh interpreter; at exit (after run() returned or raised), says
# whether the cyclic collector is on (a command may run for days: serve, proxy) and how many
# objects were frozen.
_PROBE = """
import atexit, gc, sys
sys.argv = ["chainwatch", "--version"]
atexit.register(lambda: print("gc", gc.isenabled(), gc.get_freeze_count()))
from scanner.__main__ import run
run()
"""


def test_the_console_script_is_run() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"] == {"chainwatch": "scanner.__main__:run"}
    assert callable(run)


def test_run_leaves_collection_on_and_start_up_frozen() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert __version__ in lines[0]
    label, enabled, frozen = lines[-1].split()
    assert (label, enabled) == ("gc", "True")
    assert int(frozen) > 10_000  # start-up's objects, never walked again


def test_python_dash_m_runs_the_same_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "scanner", "--version"],
        env={"PYTHONPATH": str(REPO), "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and __version__ in done.stdout, done.stderr

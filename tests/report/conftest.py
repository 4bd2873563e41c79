"""The report tests draw plots with matplotlib: give it a config folder of its own.

Without MPLCONFIGDIR matplotlib reads the user's matplotlibrc and writes its font cache under
the user's home; tests must not depend on either. Set before any test module imports matplotlib.
"""

from __future__ import annotations

import os
import tempfile

import pytest

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="chainwatch-mpl-"))

from tests.report.demo_store import DemoStore, build_demo_store  # noqa: E402 (after MPLCONFIGDIR)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """The demo's scan and event stream in one store, built once (tests copy it to write)."""
    return build_demo_store(tmp_path_factory.mktemp("demo-store") / "chainwatch.db")

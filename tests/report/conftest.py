"""The report tests draw plots with matplotlib: give it a config folder of its own.

Without MPLCONFIGDIR matplotlib reads the user's matplotlibrc and writes its font cache under
the user's home; tests must not depend on either. Set before any test module imports matplotlib.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="chainwatch-mpl-"))

"""The README's "Trust score" tables say what scanner/score/weights.py computes."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.score import weights as W

README = Path(__file__).resolve().parents[2] / "README.md"


def _section() -> str:
    text = README.read_text("utf-8")
    return text.split("### Trust score: `chainwatch score`", 1)[1].split("\n## ", 1)[0]


def test_the_weights_table_is_the_model():
    rows = re.findall(r"^\| (\w+) \| (0\.\d+) \|", _section(), re.M)
    assert {name: float(w) for name, w in rows} == {f.value: w for f, w in W.WEIGHTS.items()}


def test_the_caps_table_is_the_model():
    documented: dict[str, int] = {}
    for line in _section().splitlines():
        m = re.match(r"^\| (.+) \| (\d+) \|$", line)
        if m:
            for code in re.findall(r"CW\d{3}", m.group(1)):
                documented[code] = int(m.group(2))
    assert documented == {code: c.limit for code, c in W.CAPS.items()}


def test_the_points_written_are_the_rules():
    section = _section()
    for code, rule in W.RULES.items():
        if rule.points is not None and code in section:
            assert re.search(rf"{code} \({rule.points:g}[,)]", section), code
    severities = ", ".join(f"{s.value} {p:g}" for s, p in W.SEVERITY_POINTS.items())
    assert f"Severity points: {severities}." in " ".join(section.split())

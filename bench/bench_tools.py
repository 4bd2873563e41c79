"""Pin and check 1,000 MCP tools: RFC 8785 pins + poisoning checks vs a json.dumps baseline.

Tools: the real math server list and the project's own benign and poisoned cases
(fixtures/mcp/tools), repeated under distinct names up to 1,000. Baseline in the same run:
``json.dumps(tool, sort_keys=True)`` + SHA-256 (a naive pin: key order only, no per-field
hashes, no NFC hash, no checks). Figures are the best of 5 rounds, per tool.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.tools import (  # noqa: E402
    ToolDef,
    ToolList,
    check_tool,
    pin_surface,
    pin_tool,
    scan_tools,
    surface_key,
)

N = 1000
ROUNDS = 5
FIX = Path(__file__).resolve().parent.parent / "fixtures" / "mcp" / "tools"
FILES = [
    FIX / "snyk-agent-scan__math_server_signature.json",
    FIX / "own" / "benign_emphatic.json",
    FIX / "own" / "poisoned.json",
]


def _tools() -> list[ToolDef]:
    seed = [t for f in FILES for t in json.loads(f.read_text())["tools"]]
    out = []
    for i in range(N):
        raw = dict(seed[i % len(seed)])
        raw["name"] = f"{raw['name']}_{i}"
        out.append(ToolDef(raw["name"], raw, i))
    return out


def _best(step: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print per-tool figures and ratios."""
    tools = _tools()
    own = frozenset(t.name for t in tools)
    key = surface_key("pkg:npm/bench@1.0.0")
    tool_list = ToolList("bench", tuple(tools))
    pinned, _ = pin_surface(tool_list, key)

    def baseline() -> None:
        for t in tools:
            hashlib.sha256(json.dumps(t.raw, sort_keys=True).encode()).hexdigest()

    def pins() -> None:
        for t in tools:
            pin_tool(t)

    def checks() -> None:
        for t in tools:
            check_tool(t, "pkg:npm/bench@1.0.0", own_tools=own)

    def whole() -> None:
        scan_tools(tool_list, key, pinned=pinned)

    base = _best(baseline)
    rows = [
        ("json.dumps(sort_keys) + sha256 (baseline)", base),
        ("pin (RFC 8785 whole + 4 fields + NFC)", _best(pins)),
        ("poisoning checks", _best(checks)),
        ("scan_tools: pin + compare + checks", _best(whole)),
    ]
    print(f"{N} tools, best of {ROUNDS} rounds")
    for label, seconds in rows:
        per = seconds / N * 1e6
        print(f"  {label:<44} {per:9.1f} us/tool  {seconds * 1e3:8.1f} ms  x{seconds / base:6.1f}")


if __name__ == "__main__":
    main()

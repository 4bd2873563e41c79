"""Write fixtures/demo/events.jsonl: twelve days of runtime events of the demo fleet.

Deterministic (seeded): run it again and the file comes out byte for byte the same.

    python scripts/make_demo_events.py            # rewrite the file
    python scripts/make_demo_events.py --check    # exit 1 when the file differs

The story: the demo scan runs when the fixture registry was recorded (fixtures/registry/
recorded.json). From an hour later, each agent of fixtures/demo/chainwatch.toml talks to its
servers in a working-day rhythm: sessions start with a server_info and a tools_list, then tool
calls of the server's real tools with their action classes. Ten days in, the support bot's
knowledge-base server (@modelcontextprotocol/server-filesystem, pinned to 2026.8.31 in the
manifest) reports version 2026.12.1, a release after the recording, and from then on a quarter
of its calls are write_file / edit_file: writes the bot's pact (read, network) does not allow
and never made before. Every other agent and server carries on as before (the peers stay flat).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "fixtures" / "demo" / "events.jsonl"
SEED = 20261126
DAYS = 12
UPGRADE_DAY = 10
UPGRADE_HOUR = 9  # the upgraded server starts that morning
WRITE_SHARE_AFTER = 0.25  # of the knowledge base's calls after the upgrade
PROTOCOL = "2025-06-18"


@dataclass(frozen=True)
class Server:
    """One server of one agent: how it names itself, its package and its tools."""

    name: str  # serverInfo.name
    version: str
    component: str | None  # package URL with version, when the server is a package
    tools: tuple[tuple[str, str, float], ...]  # (tool, action class, weight)


FS = "pkg:npm/%40modelcontextprotocol/server-filesystem"
FS_READ = (
    ("read_file", "read", 6.0),
    ("search_files", "read", 3.0),
    ("list_directory", "read", 2.0),
)
FS_WRITE = (("write_file", "write", 3.0), ("edit_file", "write", 1.0))
FETCH = Server("mcp-fetch", "2026.10.24", "pkg:pypi/mcp-server-fetch@2026.10.24",
               (("fetch", "network", 1.0),))  # fmt: skip

# agent -> (calls per working day, servers); names and versions as the demo fleet pins them.
FLEET: dict[str, tuple[int, tuple[Server, ...]]] = {
    "support-bot": (60, (
        Server("secure-filesystem-server", "2026.8.31", f"{FS}@2026.8.31", FS_READ + FS_WRITE),
        FETCH,
        Server("tickets", "1.4.0", None,
               (("get_ticket", "read", 4.0), ("list_tickets", "read", 2.0))),
    )),
    "coder": (70, (
        Server("mcp-git", "2026.10.19", "pkg:pypi/mcp-server-git@2026.10.19",
               (("git_status", "read", 4.0), ("git_diff", "read", 3.0),
                ("git_commit", "write", 1.0))),
        Server("everything", "2026.8.31",
               "pkg:npm/%40modelcontextprotocol/server-everything@2026.8.31",
               (("echo", "read", 2.0), ("add", "read", 1.0))),
    )),
    "ops": (40, (
        Server("mcp-time", "2026.10.19", "pkg:pypi/mcp-server-time@2026.10.19",
               (("get_current_time", "read", 3.0), ("convert_time", "read", 1.0))),
        Server("runbooks", "0.1.0", None, (("search_runbooks", "read", 1.0),)),
    )),
    "research": (50, (FETCH, Server("search", "2.0.0", None, (("web_search", "network", 1.0),)))),
}  # fmt: skip


def recorded_at() -> datetime:
    """When the fixture registry was recorded: the demo scan's clock."""
    doc = json.loads((ROOT / "fixtures" / "registry" / "recorded.json").read_text("utf-8"))
    return datetime.fromisoformat(doc["recorded_at"].replace("Z", "+00:00"))


def upgrade_time(start: datetime) -> datetime:
    """When the support bot's knowledge-base server first reports the new version."""
    day = (start + timedelta(days=UPGRADE_DAY)).replace(hour=UPGRADE_HOUR, minute=0, second=0)
    return day


def _z(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def events(seed: int = SEED) -> list[dict[str, object]]:
    """Every event of the stream, in time order per batch (one batch per agent and day)."""
    rng = random.Random(seed)
    start = recorded_at() + timedelta(hours=1)
    upgraded_at = upgrade_time(start)
    out: list[dict[str, object]] = []
    for day in range(DAYS):
        midnight = (start + timedelta(days=day)).replace(hour=0, minute=0, second=0)
        for agent, (per_day, servers) in FLEET.items():
            batch = f"demo-{agent}-d{day:02d}"
            seq = 0
            weekend = midnight.weekday() >= 5
            calls = max(1, round(per_day * (0.3 if weekend else 1.0) * rng.uniform(0.85, 1.15)))
            # Working hours 08-18 UTC; sessions open at 08:00 with server_info and tools_list.
            opened = midnight + timedelta(hours=8, seconds=rng.randrange(60))
            times = sorted(
                opened + timedelta(seconds=rng.randrange(60, 10 * 3600)) for _ in range(calls)
            )
            if day == 0:
                times = [t for t in times if t > start] or [start + timedelta(minutes=5)]
                opened = max(opened, start)
            session_of: dict[str, str] = {}
            for s in servers:
                s = _as_of(s, agent, opened, upgraded_at)
                session_of[s.name] = f"{agent}-{s.name}-{day}"
                out.append(_event(batch, seq, opened, agent, s, "server_info", session_of[s.name]))
                seq += 1
                out.append(_event(batch, seq, opened, agent, s, "tools_list", session_of[s.name]))
                seq += 1
            new_session = agent == "support-bot" and midnight <= upgraded_at < midnight + timedelta(
                days=1
            )
            for t in times:
                if new_session and t >= upgraded_at:
                    # The client restarts the server at the upgrade: a new session reports it.
                    new_session = False
                    s = _as_of(servers[0], agent, upgraded_at, upgraded_at)
                    session_of[s.name] = f"{agent}-{s.name}-{day}-restart"
                    for kind in ("server_info", "tools_list"):
                        out.append(
                            _event(batch, seq, upgraded_at, agent, s, kind, session_of[s.name])
                        )
                        seq += 1
                s = _as_of(rng.choices(servers, weights=[len(x.tools) for x in servers])[0],
                           agent, t, upgraded_at)  # fmt: skip
                tool, action = _pick(rng, s, agent, t, upgraded_at)
                outcome = "error" if rng.random() < 0.01 else "ok"
                call = _event(batch, seq, t, agent, s, "tool_call", session_of[s.name])
                call.update(tool=tool, action_class=action, outcome=outcome,
                            duration_ms=round(rng.uniform(20, 900), 1))  # fmt: skip
                out.append(call)
                seq += 1
    return out


def _as_of(s: Server, agent: str, t: datetime, upgraded_at: datetime) -> Server:
    """The knowledge-base server of the support bot runs 2026.12.1 from the upgrade on."""
    if agent == "support-bot" and s.component and s.component.startswith(FS) and t >= upgraded_at:
        return Server(s.name, "2026.12.1", f"{FS}@2026.12.1", s.tools)
    return s


def _pick(
    rng: random.Random, s: Server, agent: str, t: datetime, upgraded_at: datetime
) -> tuple[str, str]:
    if s.component == f"{FS}@2026.12.1" and rng.random() < WRITE_SHARE_AFTER:
        tool, action, _ = rng.choices(FS_WRITE, weights=[w for *_, w in FS_WRITE])[0]
        return tool, action
    tools = [x for x in s.tools if x not in FS_WRITE]
    tool, action, _ = rng.choices(tools, weights=[w for *_, w in tools])[0]
    return tool, action


def _event(
    batch: str, seq: int, t: datetime, agent: str, s: Server, kind: str, session: str
) -> dict[str, object]:
    e: dict[str, object] = {
        "schema": "chainwatch.event/1",
        "batch_id": batch,
        "seq": seq,
        "time": _z(t),
        "agent": agent,
        "session": session,
        "server": {"name": s.name, "version": s.version},
        "kind": kind,
    }
    if s.component:
        e["component"] = s.component
    if kind == "server_info":
        e["protocol_version"] = PROTOCOL
    if kind == "tools_list":
        e["tools"] = [{"name": n, "action_class": a} for n, a, _ in s.tools]
    return e


def render(seed: int = SEED) -> str:
    """The file's text: one JSON object per line, keys sorted."""
    return "".join(json.dumps(e, sort_keys=True) + "\n" for e in events(seed))


def main() -> int:
    """Write the file, or with --check say whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file differs")
    args = parser.parse_args()
    text = render()
    if args.check:
        current = OUT.read_text("utf-8") if OUT.is_file() else ""
        if current != text:
            print(f"{OUT} is out of date: run scripts/make_demo_events.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    upgrade = _z(upgrade_time(recorded_at() + timedelta(hours=1)))
    print(f"{OUT}: {text.count(chr(10))} events; upgrade at {upgrade}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

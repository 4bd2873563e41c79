"""Small hand-built event streams for behaviour tests (seeded, no wall clock)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from scanner.events.model import RuntimeEvent

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="microseconds").replace("+00:00", "Z")


class Stream:
    """Events of several agents, built hour by hour."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = np.random.default_rng(seed)
        self.events: list[RuntimeEvent] = []
        self.seq = 0

    def _add(self, **fields: object) -> None:
        self.seq += 1
        self.events.append(RuntimeEvent(batch_id="test-batch-1", seq=self.seq, **fields))  # type: ignore[arg-type]

    def info(self, agent: str, when: datetime, server: str, version: str) -> None:
        self._add(time=stamp(when), agent=agent, kind="server_info", server_name=server,
                  server_version=version, component=f"pkg:npm/{server}@{version}")  # fmt: skip

    def tools_changed(self, agent: str, when: datetime, server: str) -> None:
        self._add(time=stamp(when), agent=agent, kind="tools_changed", server_name=server)

    def calls(
        self,
        agent: str,
        start: datetime,
        hours: int,
        per_hour: int,
        shares: dict[str, float],
        *,
        server: str = "gmail-mcp",
        error_share: float = 0.0,
        external_share: float = 0.0,
    ) -> None:
        classes = list(shares)
        p = np.asarray([shares[c] for c in classes], dtype=float)
        for h in range(hours):
            picks = self.rng.choice(len(classes), size=per_hour, p=p / p.sum())
            for k, pick in enumerate(picks):
                cls = classes[int(pick)]
                self._add(
                    time=stamp(start + timedelta(hours=h, seconds=k * 3600 // per_hour)),
                    agent=agent,
                    kind="tool_call",
                    server_name=server,
                    tool=f"{cls}_tool",
                    action_class=cls,
                    outcome="error" if self.rng.random() < error_share else "ok",
                    provenance="external_email" if self.rng.random() < external_share else None,
                )


def json_line(e: RuntimeEvent) -> str:
    """The event as a line of an events file (schema chainwatch.event/1)."""
    import json

    doc: dict[str, object] = {
        "schema": "chainwatch.event/1",
        "batch_id": e.batch_id,
        "seq": e.seq,
        "time": e.time,
        "agent": e.agent,
        "kind": e.kind,
    }
    if e.server_name is not None:
        server: dict[str, str] = {"name": e.server_name}
        if e.server_version is not None:
            server["version"] = e.server_version
        doc["server"] = server
    for key in ("component", "tool", "action_class", "outcome", "provenance"):
        if getattr(e, key) is not None:
            doc[key] = getattr(e, key)
    return json.dumps(doc) + "\n"

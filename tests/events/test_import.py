"""`chainwatch events import` into a real store (both backends): bad lines named, batches once."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from scanner.runtime.hook import Hook
from scanner.runtime.hook_spool import SpoolSink
from scanner.store import open_store
from tests.conftest import db_arg

TOKEN = "ghp_" + "Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8"


def line(seq: int, **over: object) -> str:
    event: dict[str, object] = {
        "schema": "chainwatch.event/1",
        "batch_id": "batch-0001",
        "seq": seq,
        "time": "2026-03-01T10:00:00Z",
        "agent": "support-bot",
        "kind": "tool_call",
        "tool": "search",
        "outcome": "ok",
        "argument_shape": {"query": "string"},
    }
    event.update(over)
    return json.dumps(event)


class Ran:
    """The command's exit code, and its stdout and stderr with line wrapping undone."""

    def __init__(self, db: Path, args: tuple[str, ...]) -> None:
        result = CliRunner().invoke(main, ["--db", db_arg(db), "events", "import", *args])
        self.exit_code = result.exit_code
        self.stdout = " ".join(result.stdout.split())
        self.stderr = result.stderr


def run(db: Path, *args: str) -> Ran:
    return Ran(db, args)


def test_bad_lines_are_named_and_skipped_the_rest_is_stored(tmp_path, store_db):
    db, path = store_db, tmp_path / "events.jsonl"
    path.write_text(
        "\n".join([line(0), "{oops", line(2, kind="nope"), line(3, tool=None), line(4)]) + "\n"
    )
    result = run(db, str(path))
    assert result.exit_code == 4
    assert "2 events stored, 0 already stored, 3 bad lines skipped" in result.stdout
    assert f"{path}:2: not JSON" in result.stderr
    assert f"{path}:3: $.kind" in result.stderr
    assert f"{path}:4: " in result.stderr and f"{path}:1:" not in result.stderr
    with open_store(db) as store:
        stored = store.runtime_events()
    assert [(e.seq, e.tool, e.argument_shape) for e in stored] == [
        (0, "search", (("query", "string"),)),
        (4, "search", (("query", "string"),)),
    ]


def test_a_batch_imported_twice_is_stored_once(tmp_path, store_db):
    db, path = store_db, tmp_path / "events.jsonl"
    path.write_text("\n".join(line(i) for i in range(5)) + "\n")
    assert run(db, str(path)).exit_code == 0
    second = run(db, str(path))
    assert second.exit_code == 0
    assert "0 events stored, 5 already stored" in second.stdout
    with open_store(db) as store:
        assert len(store.runtime_events()) == 5


def test_a_hook_spool_imports_end_to_end(tmp_path, store_db):
    db, spool = store_db, tmp_path / "spool.db"
    hook = Hook(SpoolSink(spool), agent="agent-9", at_exit=False, batch_size=7, clock=lambda: 60.0)
    hook.record("server_info", session="s", server="notes", server_version="1.2")
    hook.record("tools_list", session="s", server="notes", tools=[("search", "read")])
    for i in range(20):
        hook.record("tool_call", session="s", tool=f"t{i}", outcome="ok", provenance="internal_db")
    hook.close()
    result = run(db, str(spool))
    assert result.exit_code == 0, result.stderr
    assert "22 events stored" in result.stdout
    with open_store(db) as store:
        stored = store.runtime_events(agent="agent-9")
        assert store.runtime_events(agent="someone-else") == []
    assert len(stored) == 22
    assert {e.time for e in stored} == {"1970-01-01T00:01:00.000000Z"}
    info = next(e for e in stored if e.kind == "server_info")
    assert (info.server_name, info.server_version) == ("notes", "1.2")
    listed = next(e for e in stored if e.kind == "tools_list")
    assert [(t.name, t.action_class) for t in listed.tools] == [("search", "read")]
    assert {e.provenance for e in stored if e.kind == "tool_call"} == {"internal_db"}


def test_secrets_never_reach_the_store_file(tmp_path):
    db, path = tmp_path / "store.db", tmp_path / "events.jsonl"
    path.write_text(
        "\n".join(
            [
                line(0, agent=f"bot --api-key {TOKEN}", tool=TOKEN),
                line(1, arguments={"body": TOKEN}),  # refused whole: arguments are never stored
            ]
        )
        + "\n"
    )
    result = run(db, str(path))
    assert result.exit_code == 4
    assert TOKEN not in result.stdout + result.stderr
    for file in tmp_path.glob("store.db*"):
        assert TOKEN.encode() not in file.read_bytes()
    with open_store(db) as store:
        (event,) = store.runtime_events()
    assert event.agent == "bot --api-key ***"


def test_a_missing_file_is_an_error_naming_it_and_stores_nothing(tmp_path, store_db):
    db = store_db
    result = run(db, str(tmp_path / "absent.jsonl"))
    assert result.exit_code == 3
    assert "absent.jsonl: cannot read the events file" in result.stderr
    with open_store(db) as store:
        assert store.runtime_events() == []

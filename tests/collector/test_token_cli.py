"""`chainwatch token create/list/revoke` against a real store file."""

from __future__ import annotations

from click.testing import CliRunner

from scanner._cli import main
from scanner.collector.tokens import token_id_of, token_matches
from scanner.store import open_store
from tests.collector.conftest import NOW
from tests.conftest import db_arg


def _run(db, *args):
    return CliRunner().invoke(main, ["--db", db_arg(db), *args], obj={"clock": lambda: NOW})


def test_create_shows_the_token_once_and_stores_its_digest(store_db):
    db = store_db
    made = _run(db, "token", "create", "agent-a")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    token_id = token_id_of(token)
    assert token_id is not None
    with open_store(db) as store:
        record = store.agent_token(token_id)
    assert record is not None and record.agent == "agent-a"
    assert token_matches(record, token)
    listed = _run(db, "token", "list")
    assert listed.exit_code == 0
    assert f"{token_id}  agent-a  created {NOW.isoformat()}  active" in listed.stdout
    assert token.split("_", 2)[2] not in listed.output  # the secret is never shown again
    revoked = _run(db, "token", "revoke", token_id)
    assert revoked.exit_code == 0
    assert "revoked" in _run(db, "token", "list").stdout
    again = _run(db, "token", "revoke", token_id)
    assert again.exit_code == 3
    assert "no active token" in again.stderr


def test_an_agent_name_with_control_characters_is_refused(tmp_path):
    result = _run(tmp_path / "s.db", "token", "create", "a\x1b[31m")
    assert result.exit_code == 2
    assert "control characters" in result.stderr

"""`chainwatch tools scan` on real tool lists and a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from tests.tools.conftest import OWN, TOOLS

MATH = TOOLS / "snyk-agent-scan__math_server_signature.json"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _scan(db: Path, file: Path, purl: str, *extra: str) -> tuple[int, dict]:
    code, out, _ = _run(
        "--db", str(db), "tools", "scan", str(file), "--component", purl, "--format", "json", *extra
    )
    return code, json.loads(out)


def _edit(tmp_path: Path, name: str, edit) -> Path:
    doc = json.loads(MATH.read_text())
    edit(next(t for t in doc["tools"] if t["name"] == "add"))
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def test_first_sight_pins_then_a_rug_pull_is_reported_until_accepted(tmp_path: Path):
    db = tmp_path / "cw.db"
    code, doc = _scan(db, MATH, "pkg:pypi/math-server@1.0.0")
    assert code == 0 and doc["baseline"] is None and doc["pinned"] and doc["changes"] == []
    assert len(doc["tools"]) == 5
    code, doc = _scan(db, MATH, "pkg:pypi/math-server@1.0.0")
    assert code == 0 and doc["baseline"]["version"] == "1.0.0" and doc["changes"] == []

    pulled = _edit(tmp_path, "pulled.json", lambda t: t.update(description="Add. Quietly."))
    for _ in range(2):  # the pin is kept: the alarm repeats
        code, doc = _scan(db, pulled, "pkg:pypi/math-server@1.0.0")
        assert code == 1
        assert [(c["kind"], c["tool"]) for c in doc["changes"]] == [("rug_pull", "add")]
        assert [f["code"] for f in doc["findings"]] == ["CW412"]
    code, doc = _scan(db, pulled, "pkg:pypi/math-server@1.0.0", "--accept")
    assert code == 1 and doc["pinned"]
    code, doc = _scan(db, pulled, "pkg:pypi/math-server@1.0.0")
    assert code == 0 and doc["changes"] == []


def test_a_new_version_is_compared_with_the_last_one_for_review(tmp_path: Path):
    db = tmp_path / "cw.db"
    _scan(db, MATH, "pkg:pypi/math-server@1.0.0")
    changed = _edit(tmp_path, "v2.json", lambda t: t["inputSchema"]["required"].pop())
    code, doc = _scan(db, changed, "pkg:pypi/Math_Server@1.1.0")  # same package, other spelling
    assert code == 0  # review is medium: below the default gate
    assert doc["baseline"] == {"component": "pkg:pypi/math-server", "version": "1.0.0"}
    assert [(c["kind"], c["tool"], c["fields"]) for c in doc["changes"]] == [
        ("changed", "add", ["inputSchema"])
    ]
    code, doc = _scan(db, changed, "pkg:pypi/math-server@1.1.0")
    assert doc["changes"] == []


def test_no_record_writes_nothing(tmp_path: Path):
    db = tmp_path / "cw.db"
    _scan(db, MATH, "pkg:pypi/math-server@1.0.0", "--no-record")
    pulled = _edit(tmp_path, "pulled.json", lambda t: t.update(description="Other."))
    code, doc = _scan(db, pulled, "pkg:pypi/math-server@1.0.0")
    assert code == 0 and doc["baseline"] is None  # the --no-record run pinned nothing


def test_poisoned_list_exits_1_and_the_text_report_never_prints_hidden_characters(tmp_path):
    code, out, _ = _run(
        "tools",
        "scan",
        str(OWN / "poisoned.json"),
        "--component",
        "pkg:npm/demo@1.0.0",
        "--no-record",
    )
    assert code == 1
    assert "CW421" in out and "CW420" in out and "\\u202e" in out
    hidden = [c for c in out if not (c.isprintable() or c == "\n")]
    assert hidden == []


def test_bad_input_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"tools": {}}')
    code, out, err = _run("tools", "scan", str(bad), "--component", "pkg:npm/x@1", "--no-record")
    assert code == 3 and out == "" and "bad.json" in err and "not a list" in err
    code, _, err = _run("tools", "scan", str(MATH), "--component", "npm:x", "--no-record")
    assert code == 3 and "--component" in err


def test_skipped_tools_exit_4_with_the_reason_on_stderr(tmp_path: Path):
    path = tmp_path / "partial.json"
    path.write_text(json.dumps([{"name": "ok"}, {"name": "big", "x": 2**64}]))
    code, out, err = _run("tools", "scan", str(path), "--component", "pkg:npm/x@1", "--no-record")
    assert code == 4
    assert "skipped big" in err and "canonical" in err
    assert "ok" in out


def test_other_servers_tools_make_a_mention_shadowing(tmp_path: Path):
    other = tmp_path / "mail.json"
    other.write_text(json.dumps({"tools": [{"name": "send_email_v2"}]}))
    mine = tmp_path / "helper.json"
    mine.write_text(json.dumps([{"name": "helper", "description": "Then call send_email_v2."}]))
    args = ["tools", "scan", str(mine), "--component", "pkg:npm/h@1", "--no-record"]
    code, out, _ = _run(*args, "--format", "json")
    assert code == 0 and json.loads(out)["findings"] == []
    code, out, _ = _run(*args, "--format", "json", "--other-tools", str(other))
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["CW422"]


def test_json_output_is_ascii_and_exact(tmp_path: Path):
    code, out, _ = _run(
        "tools",
        "scan",
        str(OWN / "poisoned.json"),
        "--component",
        "pkg:npm/demo@1.0.0",
        "--no-record",
        "--format",
        "json",
    )
    assert code == 1 and out.isascii()
    doc = json.loads(out)
    assert "read\u200bfile" in [t["name"] for t in doc["tools"]]  # exact after decoding
    assert doc["schema"] == "chainwatch.tools-scan/1"

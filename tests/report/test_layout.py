"""Text output for a CI log: 80 columns, no word cut; -o/-q/-v everywhere; errors on stderr."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scanner._cli import main
from scanner.demo import run_demo
from scanner.report.formats import report_for
from scanner.report.interface import ReportOptions
from scanner.scan import ScanResult
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def demo_result() -> ScanResult:
    return run_demo(None)


def _render(result: ScanResult, **options: bool) -> str:
    out = io.StringIO()
    report_for("table", ReportOptions(width=80, **options)).scan(result, out)
    return out.getvalue()


def test_demo_at_80_columns_cuts_no_word(demo_result: ScanResult) -> None:
    text = _render(demo_result)
    lines = text.splitlines()
    for line in lines:
        # Longer only when one unbreakable word (a hash, a URL) fills the line on its own.
        assert len(line) <= 80 or len(line.split()) == 1, line
    words = set(text.split())
    doc = json.loads(_json(demo_result))
    for c in doc["components"]:
        assert c["status"] in {line.split()[0] for line in lines if line and line[0] != " "}
        name = c["purl"].split("/")[-1].split("@")[0].split("?")[0].replace("%40", "@")
        if c["evidence"]["kind"] != "unresolved":
            assert any(name in w for w in words), name  # identifiers appear whole
    for f in doc["findings"]:
        assert f["code"] in words


def _json(result: ScanResult) -> str:
    out = io.StringIO()
    report_for("json").scan(result, out)
    return out.getvalue()


def test_long_detail_is_shortened_with_a_pointer_and_full_under_verbose(
    demo_result: ScanResult,
) -> None:
    short, full = _render(demo_result), _render(demo_result, verbose=True)
    assert "(full text: --format json)" in short
    assert "(full text: --format json)" not in full
    invalid = next(
        v for v in demo_result.verdicts.values() if v.status.value == "attestation-invalid"
    )
    assert " ".join(invalid.reason.split()) in " ".join(full.split())  # every word, in order


def test_quiet_keeps_findings_and_counts_only(demo_result: ScanResult) -> None:
    quiet = _render(demo_result, quiet=True)
    assert "components (" not in quiet and "skipped" not in quiet
    assert "findings (" in quiet
    assert any(line.startswith("status:") for line in quiet.splitlines())
    assert len(quiet) < len(_render(demo_result)) / 2


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out += _commands(command, f"{prefix}{name} ")
        else:
            out.append((prefix + name, command))
    return out


def test_every_command_has_output_quiet_and_verbose() -> None:
    commands = _commands(main)
    assert len(commands) >= 9
    for name, command in commands:
        opts = {o for p in command.params for o in getattr(p, "opts", [])}
        assert {"-o", "--output", "-q", "-v"} <= opts, name


def test_output_file_gets_the_report_and_stdout_stays_empty(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "cw.db"), "inventory", str(FIXTURES / "demo"), "--format",
         "json", "-o", str(target)],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 0 and result.stdout == ""
    assert {a["agent"]["id"] for a in json.loads(target.read_text())["agents"]} == {
        "support-bot", "coder", "ops", "research"
    }  # fmt: skip


def test_missing_input_is_an_error_on_stderr_not_an_empty_table(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "cw.db"), "inventory", str(missing)], catch_exceptions=False
    )
    assert result.exit_code == 4
    assert result.stdout.strip() == "(scan #1 recorded)"
    assert f"error: {missing}: no such file" in result.stderr


def test_error_diagnostics_cannot_forge_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad\x1b[2J\nstatus: verified=99.json"
    bad.write_text("{")
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "cw.db"), "inventory", str(bad)], catch_exceptions=False
    )
    assert result.exit_code == 4
    assert "\x1b" not in result.output  # stdout and stderr
    assert not any(line.startswith("status:") for line in result.output.splitlines())
    assert "bad\\x1b[2J\\nstatus: verified=99.json" in result.stderr

"""`chainwatch report --html`: the demo store in, one page out, naming the upgrade and its shift."""

from __future__ import annotations

import html
import re
from pathlib import Path

from click.testing import CliRunner

from scanner._cli import main
from tests.cli._clock import fixed_obj
from tests.report.demo_store import DemoStore, copy_of


def _run(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--db", str(db), "report", *args], obj=fixed_obj())
    return result.exit_code, result.stdout, result.stderr


def test_the_demo_report_names_the_upgrade_and_the_shift(
    demo_store: DemoStore,
    tmp_path: Path,
) -> None:
    db = copy_of(demo_store, tmp_path)
    out = tmp_path / "report.html"
    code, stdout, stderr = _run(db, "--html", str(out), "--as-of", demo_store.end)
    assert code == 0, stderr
    assert stderr == ""
    said = " ".join(stdout.split())  # wrapped at 80 columns
    assert re.fullmatch(rf"wrote {re.escape(str(out))}: 4 agents, \d+ components, as of \S+", said)
    page = out.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert html.escape(demo_store.evidence) in page  # the attribution, in words
    assert html.escape(demo_store.change_label) in page
    first = page.index("Needs attention")
    assert first < page.index('id="plot-fleet"')  # read before anything else
    assert f">{demo_store.shifted_agent}</a>: {html.escape(demo_store.evidence)}" in page
    assert page.count('class="plot"') == 2 + 4  # fleet, components and a timeline per agent
    assert set(tmp_path.iterdir()) == {db, out}  # no temporary file left beside it


def test_the_page_can_go_to_standard_output(demo_store: DemoStore) -> None:
    code, stdout, _ = _run(demo_store.db, "--html", "-", "--as-of", demo_store.end)
    assert code == 0
    assert stdout.startswith("<!DOCTYPE html>") and stdout.rstrip().endswith("</html>")


def test_a_folder_that_does_not_exist_is_a_clear_error(
    demo_store: DemoStore,
    tmp_path: Path,
) -> None:
    target = tmp_path / "missing" / "report.html"
    code, _, stderr = _run(demo_store.db, "--html", str(target), "--as-of", demo_store.end)
    assert code == 3
    assert f"cannot write {target}" in stderr and "hint: check that its folder exists" in stderr


def test_an_empty_store_is_an_error_not_an_empty_page(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    code, _, stderr = _run(tmp_path / "empty.db", "--html", str(out), "--as-of", "2026-11-01")
    assert code == 3
    assert "no scan or runtime events of any agent" in stderr
    assert not out.exists()


def test_a_bad_as_of_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = _run(tmp_path / "x.db", "--html", "x.html", "--as-of", "yesterday")
    assert code == 2
    assert "is not a time" in stderr


def test_quiet_says_nothing_and_verbose_lists_the_scores(
    demo_store: DemoStore, tmp_path: Path
) -> None:
    out = tmp_path / "r.html"
    code, stdout, _ = _run(demo_store.db, "--html", str(out), "--as-of", demo_store.end, "-q")
    assert code == 0 and stdout == "" and out.exists()
    code, stdout, _ = _run(demo_store.db, "--html", str(out), "--as-of", demo_store.end, "-v")
    scores = [line.split() for line in stdout.splitlines() if line[:3].strip().isdigit()]
    assert code == 0 and stdout.startswith("wrote ")
    assert [name for _, name in scores] == ["research", "support-bot", "coder", "ops"]

"""The GitHub Action and the pre-commit hook run `chainwatch check`; the README shows both."""

from __future__ import annotations

import re

import yaml

from tests.conftest import REPO


def test_action_is_composite_runs_check_and_gates_on_its_exit_code():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    scripts = " ".join(s.get("run", "") for s in action["runs"]["steps"])
    assert "chainwatch check" in scripts and "--format sarif" in scripts
    gate = action["runs"]["steps"][-1]
    assert gate["run"] == 'exit "${CW_EXIT:-3}"'  # no exit code: could not complete, never clean
    # Inputs reach the shell through env only: no ${{ inputs.* }} inside a script.
    assert not re.search(r"\$\{\{\s*inputs\.", scripts)


def test_pre_commit_hook_runs_check_on_agent_files():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "chainwatch check" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    for path in ("chainwatch.toml", "agents/uv.lock", ".vscode/mcp.json", "requirements-dev.txt"):
        assert files.search(path), path
    assert not files.search("src/app.py")


def test_readme_shows_copy_paste_examples_of_both():
    readme = (REPO / "README.md").read_text()
    assert "uses: OWNER/chainwatch@" in readme
    assert "id: chainwatch-check" in readme

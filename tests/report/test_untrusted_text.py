"""Untrusted text cannot break or forge a report: markup, control characters, bidi, newlines."""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attestations.result import PublisherIdentity, Status
from scanner._cli import main
from scanner.models import (
    Agent,
    AgentInventory,
    Component,
    EvidenceKind,
    Finding,
    Inventory,
    ServerEntry,
    ServerInventory,
    Severity,
    Skipped,
    SourceLocation,
    Transport,
    VersionEvidence,
)
from scanner.registry.uses import RegistryUse
from scanner.report.formats import report_for
from scanner.report.interface import ReportOptions
from scanner.scan import ScanResult
from scanner.verify import Verdict
from tests.cli._clock import fixed_obj

HOSTILE_NAMES = [
    "evil[/x]",
    "[bold red]FAKE CRITICAL[/]",
    "clear\x1b[2J\x1b[H",
    "clip\x1b]52;c;ZXZpbA==\x07",
    "link\x1b]8;;https://evil.example.invalid/\x1b\\here\x1b]8;;\x1b\\",
    "x\nstatus: verified=99",
    "c1\x9b31mred",
    "bidi\u202egnp.exe",
    "sep\u2028line",
]
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _unsafe(text: str) -> list[str]:
    """Characters a terminal acts on or that reorder or break lines (independent of the code)."""
    return [
        ch
        for ch in text
        if (unicodedata.category(ch) in {"Cc", "Zl", "Zp"} and ch != "\n") or ord(ch) in _BIDI
    ]


def _config(tmp_path: Path) -> Path:
    # Each hostile server is skipped (python -m names no distribution): its name is printed in
    # both the inventory and the scan report.
    servers: dict[str, object] = {
        name: {"command": "python", "args": ["-m", "mod"]} for name in HOSTILE_NAMES
    }
    servers["plain"] = {"command": "npx", "args": ["-y", "mcp-remote@0.15.1"]}
    path = tmp_path / "claude_desktop_config.json"
    path.write_text(json.dumps({"mcpServers": servers}))
    return path


def _check_text(out: str) -> None:
    assert not _unsafe(out), _unsafe(out)
    assert "evil[/x]" in out and "[bold red]FAKE CRITICAL[/]" in out  # shown as text, unstyled
    assert "\\x1b" in out and "\\u202e" in out and "\\n" in out  # shown visibly
    assert not any(line.startswith("status: verified=99") for line in out.splitlines())


def test_inventory_table_shows_hostile_names_as_text(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main, ["--db", str(tmp_path / "cw.db"), "inventory", str(config)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    _check_text(result.stdout)


def test_scan_table_shows_hostile_names_and_one_status_line(tmp_path: Path) -> None:
    config = _config(tmp_path)
    args = ["--db", str(tmp_path / "cw.db"), "scan", str(config), "--offline"]
    args += ["--cache-dir", str(tmp_path / "cache"), "--fail-on", "never"]
    # Nothing here can be checked (offline, and python -m names no distribution): the gate fails
    # closed, and its last lines name the hostile servers as safely as the rest of the report.
    closed = CliRunner().invoke(main, args, catch_exceptions=False, obj=fixed_obj())
    assert closed.exit_code == 1, closed.output
    _check_text(closed.stdout)
    result = CliRunner().invoke(
        main, [*args, "--allow-unchecked"], catch_exceptions=False, obj=fixed_obj()
    )
    assert result.exit_code == 0, result.output
    _check_text(result.stdout)
    assert [line for line in result.stdout.splitlines() if line.startswith("status:")] == [
        "status: verified=0, attestation-invalid=0, no-attestation=0, registry-signed=0,",
    ]


def test_json_escapes_c1_and_bidi_and_round_trips(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = CliRunner().invoke(
        main,
        ["--db", str(tmp_path / "cw.db"), "inventory", str(config), "--format", "json"],
        catch_exceptions=False,
    )
    assert not _unsafe(result.stdout)
    assert "\\u009b" in result.stdout and "\\u202e" in result.stdout
    doc = json.loads(result.stdout)
    names = [s["server"]["name"] for a in doc["agents"] for s in a["servers"]]
    assert names == [*HOSTILE_NAMES, "plain"]


def test_registry_text_with_escape_sequences_is_cleaned() -> None:
    deprecated = "deprecated: \x1b]52;c;cm0gLXJmIH4=\x07use \x1b]8;;https://x.invalid\x1b\\this\n"
    f = Finding("CW203", Severity.MEDIUM, "pkg:npm/left-pad@1.0.0", deprecated)
    result = ScanResult(Inventory(), {}, [("agent", f)])
    out = io.StringIO()
    report_for("table").scan(result, out)
    assert not _unsafe(out.getvalue())
    assert "\\x1b]52;c;" in out.getvalue()


_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(["\x1b", "\n", "\r", "\x9b", "\x07", "\u202e", "\u2028", "[", "]", "/"]),
    ),
    max_size=40,
)


@st.composite
def scan_results(draw: st.DrawFn) -> ScanResult:
    def t() -> str:
        return draw(_TEXT)

    comp = Component(
        purl=t(),
        ecosystem=t(),
        name=t(),
        version=draw(st.none() | _TEXT),
        evidence=VersionEvidence(draw(st.sampled_from(list(EvidenceKind))), t(), t()),
        url=t(),
        path=t(),
    )
    identity = draw(st.none() | st.builds(PublisherIdentity, kind=_TEXT, repository=_TEXT))
    verdict = Verdict(comp, draw(st.sampled_from(list(Status))), t(), identity)
    finding = Finding(t(), draw(st.sampled_from(list(Severity))), t(), t(), ((t(), t()),))
    skipped = Skipped(t(), t(), SourceLocation(t(), 1))
    server = ServerEntry(t(), t(), t(), Transport.STDIO, command=t(), args=(t(),), url=t())
    agent = Agent(id=t(), name=t(), origin=t(), purpose=t())
    ai = AgentInventory(
        agent,
        (ServerInventory(server, (comp,), (skipped,), (finding,)),),
        (comp,),
        (skipped,),
        (t(),),
        (finding,),
    )
    use = RegistryUse(t(), t(), t(), t(), (t(),))
    inventory = Inventory((ai,), (t(),))
    return ScanResult(inventory, {t(): verdict}, [(t(), finding)], scan_id=7, registries=(use,))


_HEADS = (
    "components (",
    "registries (",
    "findings (",
    "status:",
    "skipped",
    *(s.value for s in Status),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scan_results(), st.sampled_from([False, True]))
def test_any_text_in_any_field(result: ScanResult, verbose: bool) -> None:
    options = ReportOptions(width=80, verbose=verbose)
    text = io.StringIO()
    report_for("table", options).scan(result, text)
    report_for("table", options).inventory(result.inventory, text, scan_id=7)
    out = text.getvalue()
    assert not _unsafe(out)
    scan_part = out.split("\nagent ", 1)[0].splitlines()
    assert sum(line.startswith("status:") for line in scan_part) == 1
    # One entry, one head: every line that does not start indented is a head we wrote.
    heads = [line for line in scan_part if line and not line.startswith(" ")]
    severities = tuple(s.value.upper() for s in Severity)
    assert all(line.startswith(_HEADS + severities) for line in heads), heads
    assert sum(line.startswith(tuple(s.value for s in Status)) for line in heads) == 1

    doc_text = io.StringIO()
    report_for("json").scan(result, doc_text)
    raw = doc_text.getvalue()
    assert not _unsafe(raw)
    doc = json.loads(raw)
    assert doc["inventory"]["agents"][0]["agent"]["name"] == result.inventory.agents[0].agent.name
    assert doc["findings"][0]["message"] == result.findings[0][1].message

"""scanner.redact: every rule, what must stay untouched, and that commands still resolve."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.inventory.configs._servers import Context, to_entry
from scanner.inventory.launch import resolve_launch
from scanner.models import Scope
from scanner.redact import redact_argv, redact_text, redact_url

GH = "ghp_" + "A1b2C3d4" * 5


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--api-key=sk-proj-abcdefghijklmnopqrstuv"], ["--api-key=***"]),
        (["--token", GH], ["--token", "***"]),
        (["--password", "hunter2"], ["--password", "***"]),
        (["--clientSecret=abc"], ["--clientSecret=***"]),
        (["-e", "GITHUB_TOKEN=abc", "--env", "HOME=/x", "-e", "PLAIN"],
         ["-e", "GITHUB_TOKEN=***", "--env", "HOME=***", "-e", "PLAIN"]),
        (["--header", "Authorization: Bearer abc.def"], ["--header", "Authorization: ***"]),
        (["-H", "X-Api-Key:abc"], ["-H", "X-Api-Key:***"]),
        (["--header=Authorization: Basic dXNlcjpwdw=="], ["--header=Authorization: ***"]),
        ([GH], ["ghp_***"]),
        (["--index-url", "https://u:pw@idx.example.invalid/simple"],
         ["--index-url", "https://***@idx.example.invalid/simple"]),
        (["--registry=https://u:pw@reg.example.invalid/"], ["--registry=https://***@reg.example.invalid/"]),
        (["postgresql://admin:pw@db.example.invalid:5432/app"], ["postgresql://***@db.example.invalid:5432/app"]),
        (["Server=db;Password=pw1;Database=x"], ["Server=db;Password=***;Database=x"]),
        (["-c", "API_KEY=abc npx -y pkg --secret 'a b'"],
         ["-c", "API_KEY=*** npx -y pkg --secret '***'"]),
    ],
)  # fmt: skip
def test_argv_rules(argv: list[str], expected: list[str]) -> None:
    assert list(redact_argv(argv)) == expected


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "x" * 36,
        "github_pat_" + "A" * 40,
        "sk-" + "a" * 40,
        "sk-ant-api03-" + "b" * 40,
        "AKIAIOSFODNN7EXAMPLE",
        "xoxb-1234567890-abcdefghijkl",
        "sk_live_" + "c" * 24,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlMTIz",
        "npm_" + "d" * 36,
        "glpat-" + "e" * 20,
    ],
)
def test_token_shapes_anywhere(token: str) -> None:
    text = f"unknown launcher {token!r}; see {token}"
    out = redact_text(text)
    assert token not in out and "***" in out


def test_private_key_block() -> None:
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAsecret\n-----END RSA PRIVATE KEY-----"
    assert "MIIEowIBAAKCAQEAsecret" not in redact_text(f"--key {key!r}")
    assert "MIIEow" not in redact_argv(["--private-key", key])[1]


def test_url_userinfo_and_query_values() -> None:
    url = "https://alice:pw@mcp.example.invalid:8443/mcp?api_key=k1&team=t#frag"
    assert redact_url(url) == "https://***@mcp.example.invalid:8443/mcp?api_key=***&team=***#frag"
    assert redact_url("git+ssh://git@github.com/o/r.git") == "git+ssh://git@github.com/o/r.git"
    assert redact_url("https://ghp_tok@github.com/o/r") == "https://***@github.com/o/r"


@pytest.mark.parametrize(
    "kept",
    [
        ["-y", "@modelcontextprotocol/server-filesystem@2026.8.31", "/srv/data"],
        ["--no-auth", "pkg"],
        ["uvx", "-h", "mcp-server-fetch", "-E", "PLAIN=value"],
        ["--author", "me", "--keyboard", "us"],
        ["--header", "Authorization:${AUTH_HEADER}"],
        ["--api-key", "${input:api_key}", "--token", "$TOKEN", "--secret={env:SECRET}"],
        ["mcp-server-time==2026.10.19", "--local-timezone=Europe/Berlin"],
        ["C:\\Program Files\\nodejs\\npx.cmd", "-y", "pkg@1.0.0"],
        ["sha256:035346aeec56614f453f4851740a20b439e12f3570401e27f7bf50bf9bfa0b4e"],
    ],
)
def test_no_secret_nothing_changes(kept: list[str]) -> None:
    assert list(redact_argv(kept)) == kept
    assert redact_text(" ".join(kept)) == " ".join(kept)


def test_messages_stay_readable() -> None:
    for text in (
        "PyPI package mcp-server-fetch is launched without an exact version",
        "digest mismatch: subject sha512 282c0c5f != 9a8b",
        "unexpected token at line 3",
        "uses basic authentication",
    ):
        assert redact_text(text) == text


def test_a_redacted_entry_still_resolves_to_the_same_packages() -> None:
    ctx = Context("claude-desktop", "/cfg/claude_desktop_config.json", Scope.USER, None)
    raw = {
        "command": "npx",
        "args": ["--registry", "https://u:pw@reg.example.invalid/", "-y", "mcp-remote@0.15.1",
                 "https://u:pw2@tickets.example.invalid/mcp?key=k",
                 "--header", "Authorization: Bearer t0k"],
    }  # fmt: skip
    entry, problems = to_entry(ctx, "tickets", raw, 3)
    assert entry is not None and not problems
    shown = " ".join([entry.command or "", *entry.args])
    assert "pw" not in shown and "t0k" not in shown and "key=k" not in shown
    purls = {c.purl for c in resolve_launch(entry).components}
    assert "pkg:npm/mcp-remote@0.15.1" in purls
    assert any("tickets.example.invalid" in p for p in purls)


def test_shell_assignments_before_the_command() -> None:
    ctx = Context("claude-desktop", "/cfg/c.json", Scope.USER, None)
    raw = {"command": "sh", "args": ["-c", "API_KEY=s3cr3t exec npx -y mcp-remote@0.15.1"]}
    entry, _ = to_entry(ctx, "s", raw, 1)
    assert entry is not None and "s3cr3t" not in entry.args[1]
    result = resolve_launch(entry)
    assert [c.purl for c in result.components] == ["pkg:npm/mcp-remote@0.15.1"]
    assert not result.skipped


_WORD = st.text(st.characters(codec="ascii", exclude_characters="\x00"), max_size=12)
_TOKENS = st.sampled_from(
    ["ghp_" + "Q" * 36, "sk-ant-api03-" + "Z" * 30, "AKIA" + "Q" * 16, "xoxp-" + "9" * 20]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORD, max_size=6), _TOKENS, st.integers(0, 6), _WORD, _WORD)
def test_a_token_anywhere_in_any_argv_is_gone(
    words: list[str], token: str, at: int, before: str, after: str
) -> None:
    argv = [*words[:at], before + " " + token + " " + after, *words[at:]]
    out = redact_argv(argv)
    assert len(out) == len(argv)  # one word stays one word: the command still parses
    assert not any(token[6:] in w for w in out)
    assert redact_argv(out) == out  # redacting twice changes nothing

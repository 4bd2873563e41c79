"""redact_text skips a rule when a plain substring test shows its pattern cannot match: the
result must be exactly that of every rule run unconditionally (the code before the guards)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner import redact
from scanner.redact import redact_text

# Pieces of secrets and of what the rules look for, so random text often holds one.
_PIECES = st.sampled_from(
    [
        "ghp_", "sk-", "hf_", "AIza", "npm_", "0123456789abcdef", "ABCDEFGHIJ", "-", "_", ".",
        "eyJ", "eyJhbGci", "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----",
        "Bearer ", "BASIC ", "basic", "Authorization", "x-api-key", "Cookie", ": ", ":", "=",
        " = ", "--token", "--api-key", "-H", "API_KEY", "apik", "ey", "Key", "passw", "no-",
        "https://", "user:pw@", "git@", "?a=b&token=c", "$TOKEN", "${T}", " ", "\t", "\u2003",
        "\n", "é", "\u0130", "\u212a", "x", "pkg==1.0", "bench-py-1==2026.10.24",
        "'", '"', ";", "&",
    ]
)  # fmt: skip
_TEXT = st.lists(_PIECES | st.text(max_size=4), max_size=12).map("".join)


def _unguarded(text: str) -> str:
    """redact_text as it was before its guards: every rule, always."""
    if not text:
        return text
    out = redact._TOKENS.sub(redact._token_sub, text)
    out = redact.redact_url(out)
    out = redact._HEADER_TEXT.sub(redact._header_sub, out)
    out = redact._SCHEME_AUTH.sub(redact._scheme_sub, out)
    out = redact._ASSIGN.sub(redact._assign_sub, out)
    return redact._FLAG_VALUE.sub(redact._assign_sub, out) if "-" in out else out


def _secret_name_unguarded(name: str) -> bool:
    bare = name.lstrip("-")
    if not bare or bare.lower().startswith("no-"):
        return False
    words = [w.lower() for w in redact._WORD_SPLIT.split(bare) if w]
    if any(w in redact._SECRET_WORDS or w.startswith(redact._SECRET_PREFIXES) for w in words):
        return True
    return "".join(words).endswith(("apikey", "accesskey", "privatekey", "secretkey"))


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_guarded_redaction_equals_every_rule_run(text: str) -> None:
    assert redact_text(text) == _unguarded(text)


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_secret_name_hint_never_hides_a_secret_name(name: str) -> None:
    assert redact._is_secret_name(name) == _secret_name_unguarded(name)


def test_the_guards_keep_known_secrets_redacted() -> None:
    assert redact_text("apik-ey=hunter2") == "apik-ey=***"  # the suffix check spans words
    assert redact_text("apik\u0130ey=hunter2") == "apik\u0130ey=***"  # lower() adds a letter
    assert redact_text("x ghp_0123456789abcdef0123") == "x ghp_***"
    assert redact_text("curl -H 'Authorization: Bearer abc'") == "curl -H 'Authorization: ***'"
    assert redact_text("run --token\u2003abc") == "run --token\u2003***"
    assert redact_text("bench-py-1==2026.10.24") == "bench-py-1==2026.10.24"


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_the_ascii_hint_equals_the_hint_on_letters_and_digits(text: str) -> None:
    squashed = redact._NOT_ALNUM.sub("", text).lower()
    assert redact._may_name_secret(text) == bool(redact._SECRET_HINT.search(squashed))


def test_every_secret_word_prefix_and_suffix_passes_the_guards() -> None:
    # The guards know the secret words through _HINTS: a word added to the lists without a hint
    # would be skipped by them. Each word, prefix and suffix, in the spellings names take, must
    # be judged and redacted exactly as without the guards.
    suffixes = ("apikey", "accesskey", "privatekey", "secretkey")
    for word in sorted({*redact._SECRET_WORDS, *redact._SECRET_PREFIXES, *suffixes}):
        assert redact._SECRET_HINT.search(word), f"{word!r} holds none of _HINTS"
        for name in (word, word.upper(), f"MY_{word.upper()}", f"x-{word}", f"--{word}"):
            assert redact._is_secret_name(name) == _secret_name_unguarded(name), name
            for text in (f"{name}=hunter2", f"{name}: hunter2", f"run {name} hunter2"):
                assert redact_text(text) == _unguarded(text), text
            assert redact._is_secret_name(name), name  # and each is a secret name at all

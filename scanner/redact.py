"""One redactor for the whole code base: secrets in configs never reach output, store or cache.

What is replaced by ``***`` (the rules, in the order they apply):

1. URLs (any scheme, so connection strings too): the user info (``user:pass@``; a bare user
   name other than ``git`` is often a token) and every query value.
2. Values of flags and assignments whose names say secret (key, token, secret, password, auth,
   credential, cookie, session, ...): ``--api-key=v``, ``--token v``, ``API_KEY=v``,
   ``Password=v;`` in connection strings.
3. Header values: ``Authorization: Bearer v`` and any value after ``-H`` / ``--header``;
   ``Bearer v`` / ``Basic v`` anywhere.
4. Values shaped like known tokens (GitHub, GitLab, OpenAI, Anthropic, AWS key ids, Slack,
   Stripe, Google, npm, PyPI, Hugging Face, JWTs) and private-key blocks. The well-known prefix is
   kept (``ghp_***``) so a reader still sees what kind of secret was there.

A value that only names an environment variable (``${TOKEN}``, ``$TOKEN``, ``{env:TOKEN}``,
``%TOKEN%``) is not a secret and is kept: it shows the indirection. Redaction never changes the
shape of an argv (one word stays one word), so launch commands still resolve after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "***"

# Name words that say "this value is a secret". Matched per word of the name (split on
# punctuation and camelCase) so "author" or "keyboard" do not count.
_SECRET_WORDS = frozenset(
    {"key", "apikey", "token", "secret", "password", "passwd", "pwd", "pass", "passphrase",
     "auth", "authorization", "credential", "credentials", "creds", "bearer", "cookie",
     "session", "signature", "sig", "pat", "privatekey", "accesskey", "clientsecret", "jwt",
     "otp", "dsn"}
)  # fmt: skip
_SECRET_PREFIXES = ("token", "secret", "passw", "credential", "apikey", "accesstoken")
# Short flags are matched exactly (-h is usually help), long ones in any case.
_HEADER_FLAGS = frozenset({"-H", "--header", "--headers", "-header"})
_ENV_FLAGS = frozenset({"-e", "--env", "--set-env", "--env-var"})
_NAME = re.compile(r"^-{0,2}[A-Za-z_][\w.\-]*$")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])")
_ENV_REF = re.compile(r"^(?:\$\{[^}]*\}|\$[A-Za-z_]\w*|\{env:[^}]*\}|%[A-Za-z_]\w*%|\*\*\*)$")

_TOKENS = re.compile(
    r"(?P<pre>gh[pousr]_|github_pat_|glpat-|sk-ant-[a-z0-9]+-|sk-proj-|sk-svcacct-|sk-admin-|sk-"
    r"|(?:sk|rk|pk)_(?:live|test)_|whsec_|xox[abposre]-|xapp-|npm_|pypi-|hf_|AIza"
    r"|(?:AKIA|ASIA|ABIA|ACCA))(?P<body>[A-Za-z0-9_\-]{16,})"
    r"|(?P<jwt>\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*)"
    r"|(?P<pem>-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY-----"
    r"|.*))",
    re.DOTALL,
)
# What every _TOKENS match holds: a prefix (3+ characters of [A-Za-z0-9_-]) and a body of 16+
# of them make a run of 19 (_TOKEN_RUN); a JWT starts "eyJ"; a key block "-----BEGIN".
_TOKEN_RUN = re.compile(r"[A-Za-z0-9_\-]{19}")
# Every secret word and prefix above, and the suffixes _is_secret_name checks, holds one of
# these (matched against the name's letters and digits, lowercased, with nothing in between).
_HINTS = "key|token|secret|pass|pwd|auth|cred|bearer|cookie|session|sig|pat|jwt|otp|dsn"
_SECRET_HINT = re.compile(_HINTS)
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
# The same on lowercased ASCII text as it stands: anything but letters and digits may come
# between the letters of a hint (what removing them would have joined).
_SPACED_HINT = re.compile("|".join("[^a-z0-9]*".join(word) for word in _HINTS.split("|")))
# scheme://userinfo@ ; the user info stops at the first / ? # or space.
_URL = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.\-]*://)(?P<rest>[^\s\"'<>]*)")
_QUERY_VALUE = re.compile(r"([?&;][^=&#\s]*=)([^&#\s]*)")
_VALUE = r"(?:\"[^\"]*\"|'[^']*'|[^\s&;,\"'\]\)]+)"
# NAME=value and NAME: value, then --name value; each NAME is checked with _is_secret_name.
_ASSIGN = re.compile(
    r"(?P<name>(?<![\w\-])-{0,2}[A-Za-z_][\w.\-]*)(?P<sep>\s*=\s*|\s*:\s+)(?P<value>" + _VALUE + ")"
)
_FLAG_VALUE = re.compile(
    r"(?P<name>(?<![\w\-])--?[A-Za-z_][\w.\-]*)(?P<sep>\s+)(?P<value>(?!-)" + _VALUE + ")"
)
_SCHEME_AUTH = re.compile(r"\b(?P<kind>[Bb]earer|BEARER|Basic|BASIC)\s+(?P<value>[^\s\"',;]+)")
_HEADER_TEXT = re.compile(
    r"(?i)(?P<name>\b(?:proxy-)?authorization|\bcookie|\bx-[\w-]*(?:key|token|auth|secret)[\w-]*"
    r"|\bapi-key)(?P<sep>\s*:\s*)(?P<value>[^\"'\n]+)"
)


def _is_secret_name(name: str) -> bool:
    """True when a flag, variable or header name says its value is a secret."""
    bare = name.lstrip("-")
    if not bare or bare.lower().startswith("no-"):
        return False
    if not _may_name_secret(bare):
        return False  # no secret word, prefix or suffix below can match (see _SECRET_HINT)
    words = [w.lower() for w in _WORD_SPLIT.split(bare) if w]
    if any(w in _SECRET_WORDS or w.startswith(_SECRET_PREFIXES) for w in words):
        return True
    joined = "".join(words)
    return joined.endswith(("apikey", "accesskey", "privatekey", "secretkey"))


def _may_name_secret(text: str) -> bool:
    """False only when no name within ``text`` can say secret (it holds no _SECRET_HINT)."""
    if text.isascii():  # lower() keeps every character in place
        return _SPACED_HINT.search(text.lower()) is not None
    return _SECRET_HINT.search(_NOT_ALNUM.sub("", text).lower()) is not None


def _keep(value: str) -> bool:
    """Values that are not secrets: empty, or only a reference to an environment variable."""
    stripped = value.strip("\"'")
    return not stripped or bool(_ENV_REF.match(stripped))


def _mask(value: str) -> str:
    if _keep(value):
        return value
    quote = value[0] if value[:1] in {'"', "'"} and value[-1:] == value[:1] else ""
    return f"{quote}{MASK}{quote}"


def redact_url(url: str) -> str:
    """The URL with user info and query values replaced by ``***`` (``git@`` is kept)."""
    return _URL.sub(_url_sub, url) if "://" in url else url


def _url_sub(match: re.Match[str]) -> str:
    rest = match.group("rest")
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if 0 <= found < end:
            end = found
    authority, tail = rest[:end], rest[end:]
    at = authority.rfind("@")
    if at >= 0 and authority[:at] not in {"git", ""}:
        authority = MASK + authority[at:]
    if "?" in tail:
        path, _, query = tail.partition("?")
        query, hash_, fragment = query.partition("#")
        query = _QUERY_VALUE.sub(lambda m: m.group(1) + _mask(m.group(2)), "?" + query)[1:]
        tail = f"{path}?{query}{hash_}{fragment}"
    return match.group("scheme") + authority + tail


def redact_text(text: str) -> str:
    """Free text (a message, a command line, a reason) with every secret it shows replaced."""
    if not text:
        return text
    # Each rule runs only on text holding what its pattern cannot match without (a ':' for a
    # header, "=" or ":" for an assignment, ...): plain substring tests, where the regexes were a
    # third of the inventory of a 1,000-line requirements file. tests/test_redact_guards.py holds
    # the result to that of every rule run unconditionally.
    if "eyJ" in text or "-----BEGIN" in text or _TOKEN_RUN.search(text):
        out = _TOKENS.sub(_token_sub, text)
    else:
        out = text
    out = redact_url(out)
    if ":" in out:
        out = _HEADER_TEXT.sub(_header_sub, out)
    if "earer" in out or "EARER" in out or "asic" in out or "ASIC" in out:
        out = _SCHEME_AUTH.sub(_scheme_sub, out)
    if ("=" in out or ":" in out) and _may_name_secret(out):  # only a secret name is masked
        out = _ASSIGN.sub(_assign_sub, out)
    # --flag value: a dash, and whitespace between two words (what \s matches is str.isspace()).
    if "-" in out and len(out.split(None, 1)) > 1:
        return _FLAG_VALUE.sub(_assign_sub, out)
    return out


def _token_sub(match: re.Match[str]) -> str:
    if match.group("jwt"):
        return MASK
    if match.group("pem"):
        return "-----BEGIN PRIVATE KEY-----" + MASK
    return match.group("pre") + MASK


def _header_sub(match: re.Match[str]) -> str:
    value = match.group("value")
    if _keep(value.strip()):
        return match.group(0)
    return match.group("name") + match.group("sep") + MASK


def _scheme_sub(match: re.Match[str]) -> str:
    value = match.group("value")
    if value == MASK or _keep(value):
        return match.group(0)
    return f"{match.group('kind')} {MASK}"


def _assign_sub(match: re.Match[str]) -> str:
    name, sep, value = match.group("name"), match.group("sep"), match.group("value")
    if not _is_secret_name(name):
        return match.group(0)
    return name + sep + _mask(value)


def redact_argv(argv: Iterable[str]) -> tuple[str, ...]:
    """An argv with secrets replaced; one word stays one word, so the command still parses."""
    out: list[str] = []
    pending: str | None = None  # what the previous word says this one is
    for word in argv:
        if pending == "secret" and not word.startswith("-"):
            out.append(_mask(word))
        elif pending == "header":
            out.append(_header_value(word))
        elif pending == "env" and "=" in word:
            name, _, value = word.partition("=")
            out.append(f"{name}={_mask(value)}")
        else:
            out.append(_word(word))
            pending = _expects(word)
            continue
        pending = None
    return tuple(out)


def _expects(word: str) -> str | None:
    """What the word after ``word`` is: a secret value, a header or an env assignment."""
    if not word.startswith("-") or "=" in word:
        return None
    name = word if len(word) == 2 else word.lower()
    if name in _HEADER_FLAGS:
        return "header"
    if name in _ENV_FLAGS:
        return "env"
    return "secret" if _is_secret_name(word) else None


def _word(word: str) -> str:
    """One argv word on its own: ``--flag=value``, ``NAME=value``, or text."""
    name, eq, value = word.partition("=")
    if eq and (name if len(name) == 2 else name.lower()) in _HEADER_FLAGS:
        return f"{name}={_header_value(value)}"
    if eq and _NAME.match(name) and not any(c.isspace() for c in value) and _is_secret_name(name):
        return f"{name}={_mask(value)}"
    return redact_text(word)


def _header_value(word: str) -> str:
    """``Name: value`` -> ``Name: ***``; a header without a name is masked whole."""
    name, colon, value = word.partition(":")
    if not colon or " " in name.strip():
        return _mask(word)
    stripped = value.strip()
    return word if _keep(stripped) else f"{name}:{' ' if value[:1] == ' ' else ''}{MASK}"

"""Likely typosquats: a package name one slip away from a popular or known MCP package name.

The reference list (``data/popular_names.tsv``, built by ``scripts/build_typosquat_list.py`` from
public download rankings and real MCP package names; see ``data/SOURCES.md``) is package data. A
name checked against it, in its own ecosystem only, is a likely typosquat when:

1. it is not itself on the list (a listed name is never a squat of another listed name);
2. its *skeleton* equals a listed name's: the same after NFKC, lower case, homoglyphs folded
   (Cyrillic/Greek look-alikes, 0/o, 1/l/i, rn/m, vv/w) and separators (-, _, .) dropped
   (``homoglyph`` when the name is not ASCII, ``separator`` when only separators differ);
3. npm scope tricks: ``name`` when ``@scope/name`` is listed; ``@other/name`` when
   ``@scope/name`` is listed and ``@other`` (not a scope the list knows) looks like ``@scope``;
4. affix tricks: the same core once ``python-``, ``-js``, ``-mcp``, ``mcp-server-`` ... are
   stripped (``mcp-server-x`` vs ``x-mcp-server``);
5. Damerau-Levenshtein (optimal string alignment) distance 1 from a listed name of 5+ characters,
   or 2 from a known MCP name of 12+, in the same npm scope, found through a deletion index (no
   all-pairs scan). A trailing digit (``jinja2`` / ``jinja``) or a whole word added at a
   separator (``p-queue`` / ``queue``) is how related real projects are named, so it is not counted.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from scanner.checks.codes import Code, finding
from scanner.models import Component, Finding, Severity

MIN_LEN_DISTANCE_1 = 5  # shorter popular names (ms, qs, ws, six) have too many honest neighbours
MIN_LEN_DISTANCE_2 = 12  # measured: at 10, "less-loader" / "sass-loader" and the like

# Look-alikes folded before comparing. NFKC already folds full-width and most compatibility forms.
_HOMOGLYPHS = str.maketrans(
    {
        "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i",  # Cyrillic
        "ј": "j", "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ɡ": "g",
        "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "τ": "t", "υ": "u",  # Greek
        "0": "o", "1": "l", "i": "l", "|": "l",
    }
)  # fmt: skip
_SEPARATORS = str.maketrans("", "", "-_.")
# Only the affixes that dress a name up as an official port or MCP wrapper; "-node", "-js" and
# the like name honest variants too often (measured: most affix hits on real npm names).
_PREFIXES = ("mcp-server-", "python-", "mcp-", "py-")
_SUFFIXES = ("-mcp-server", "-server-mcp", "-python", "-mcp", "-py")


@dataclass(frozen=True, slots=True)
class Squat:
    """A checked name and the listed name it imitates."""

    name: str
    target: str
    technique: str  # "homoglyph", "confusable", "separator", "scope", "affix", "edit-distance"
    distance: int = 0  # edit distance, for "edit-distance"


def canonical(ecosystem: str, name: str) -> str:
    """The registry's own identity for a name: PEP 503 for PyPI, lower case for npm."""
    low = name.strip().lower()
    if ecosystem == "pypi":
        return "-".join(p for p in low.replace("_", "-").replace(".", "-").split("-") if p)
    return low


def skeleton(name: str) -> str:
    """What a name looks like: homoglyphs folded and separators dropped."""
    folded = unicodedata.normalize("NFKC", name).lower().translate(_HOMOGLYPHS)
    return folded.replace("rn", "m").replace("vv", "w").translate(_SEPARATORS)


def _core(name: str) -> str:
    scope, _, base = name.rpartition("/")
    return f"{scope}/{_bare_core(base)}" if scope else _bare_core(base)


def _bare_core(base: str) -> str:
    changed = True
    while changed:
        changed = False
        for p in _PREFIXES:
            if base.startswith(p) and len(base) > len(p):
                base, changed = base[len(p) :], True
        for s in _SUFFIXES:
            if base.endswith(s) and len(base) > len(s):
                base, changed = base[: -len(s)], True
    return base


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


def osa_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (optimal string alignment) distance, capped at ``limit``."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) >= limit:
            return limit
        prev2, prev = prev, row
    return min(prev[-1], limit)


def _scope(name: str) -> str:
    return name.split("/", 1)[0] if name.startswith("@") and "/" in name else ""


def _extends(a: str, b: str) -> bool:
    # "stable-hash-x" / "stable-hash", "p-queue" / "queue": a whole word added at a separator is
    # how related projects are named, not a slip.
    short, long = sorted((a, b), key=len)
    if long.startswith(short) and long[len(short) : len(short) + 1] in {"-", "_", "."}:
        return True
    return long.endswith(short) and long[-len(short) - 1 : -len(short)] in {"-", "_", ".", "/"}


def _family_variant(a: str, b: str) -> bool:
    # "mypy-boto3-ecr" / "mypy-boto3-ec2", "faiss-gpu" / "faiss-cpu", "pytest-csv" / "pytest-cov":
    # one short trailing word differs in names that share their leading words. Such families are
    # large and honest (measured: most distance hits among real PyPI names below the list).
    ta, tb = a.replace("_", "-").split("-"), b.replace("_", "-").split("-")
    return len(ta) == len(tb) > 1 and ta[:-1] == tb[:-1] and max(len(ta[-1]), len(tb[-1])) <= 4


def _only_trailing_digits(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return long.startswith(short) and long[len(short) :].isdigit()


class NameList:
    """Listed names of one ecosystem, indexed for the five checks."""

    def __init__(self, ecosystem: str, names: Iterable[str], mcp: Iterable[str] = ()) -> None:
        self.ecosystem = ecosystem
        self.names = frozenset(canonical(ecosystem, n) for n in names)
        # MCP package names are judged more strictly: the family-variant and unscoped-name
        # allowances below are for popular libraries, whose honest neighbours are many.
        self.mcp = frozenset(canonical(ecosystem, n) for n in mcp) & self.names
        self._skeletons: dict[str, str] = {}
        self._cores: dict[str, str] = {}
        self._bases: dict[str, list[str]] = {}  # npm: "name" -> ["@scope/name", ...]
        self._scopes: set[str] = set()
        self._deletes: dict[str, list[str]] = {}
        for n in sorted(self.names):
            self._skeletons.setdefault(skeleton(n), n)
            self._cores.setdefault(_core(n), n)
            if n.startswith("@") and "/" in n:
                scope, base = n.split("/", 1)
                self._scopes.add(scope)
                self._bases.setdefault(base, []).append(n)
            plain = n.translate(_SEPARATORS)
            if len(plain) >= MIN_LEN_DISTANCE_1:
                # Distance 2 only towards MCP names: most real typosquats are one edit away,
                # and at two edits popular libraries' honest neighbours dominate (measured).
                depth = 2 if len(plain) >= MIN_LEN_DISTANCE_2 and n in self.mcp else 1
                for d in _deletes(plain, depth):
                    self._deletes.setdefault(d, []).append(n)
        for n in self.names:
            if _core(n) == n:
                self._cores[n] = n  # "requests" itself, not "python-requests", is its core's name

    def check(self, name: str) -> Squat | None:
        """The listed name ``name`` likely imitates, or None."""
        n = canonical(self.ecosystem, name)
        if n in self.names:
            return None
        target = self._skeletons.get(skeleton(n))
        if target is not None:
            same_letters = n.translate(_SEPARATORS) == target.translate(_SEPARATORS)
            kind = "separator" if same_letters else "confusable" if n.isascii() else "homoglyph"
            return Squat(name, target, kind)
        scoped = self._scope_squat(n)
        if scoped is not None:
            return Squat(name, scoped, "scope")
        core = _core(n)
        # Only a name that carries an affix: a bare "fetch" is not a squat of "mcp-server-fetch".
        affixed = self._cores.get(core) if core != n else None
        if affixed is not None:
            return Squat(name, affixed, "affix")
        return self._nearest(name, n)

    def _scope_squat(self, n: str) -> str | None:
        if self.ecosystem != "npm":
            return None
        if not n.startswith("@"):
            # "server-filesystem" for "@modelcontextprotocol/server-filesystem"; for popular
            # libraries the unscoped name is usually an older, honest package ("react-query").
            return next((t for t in self._bases.get(n, ()) if t in self.mcp), None)
        scope, _, base = n.partition("/")
        if scope in self._scopes:
            return None
        # Not "@other/name" for every listed "name": scoped forks and ports of popular names are
        # common and honest (measured: 93 of 5,000 real npm names). A look-alike scope is not:
        # "@modelcontextprotocol-official/sdk": a listed package's name under a look-alike scope.
        for listed in self._bases.get(base, ()):
            real = listed.split("/", 1)[0]
            long_enough = len(real) > 6  # "@vue" inside "@vueuse" is another project
            if (long_enough and real.strip("@") in scope) or osa_distance(scope, real) <= (
                2 if long_enough else 1
            ):
                return listed
        return None

    def _nearest(self, name: str, n: str) -> Squat | None:
        plain = n.translate(_SEPARATORS)
        if len(plain) < MIN_LEN_DISTANCE_1 - 1:
            return None
        depth = 2 if len(plain) >= MIN_LEN_DISTANCE_2 - 1 else 1
        best: Squat | None = None
        for candidate in self._candidates(plain, depth):
            if _scope(candidate) != _scope(n) or _extends(n, candidate):
                continue
            if candidate not in self.mcp and _family_variant(n, candidate):
                continue
            target_plain = candidate.translate(_SEPARATORS)
            long_mcp = len(target_plain) >= MIN_LEN_DISTANCE_2 and candidate in self.mcp
            allowed = 2 if long_mcp else 1
            dist = osa_distance(plain, target_plain, allowed + 1)
            if dist > allowed or _only_trailing_digits(plain, target_plain):
                continue
            if best is None or (dist, candidate) < (best.distance, best.target):
                best = Squat(name, candidate, "edit-distance", dist)
        return best

    def _candidates(self, plain: str, depth: int) -> Iterator[str]:
        seen: set[str] = set()
        for d in _deletes(plain, depth):
            for c in self._deletes.get(d, ()):
                if c not in seen:
                    seen.add(c)
                    yield c


@cache
def _shipped_names() -> dict[str, tuple[list[str], list[str]]]:
    """(names, MCP names) per ecosystem of the shipped list (read once)."""
    text = files("scanner.checks").joinpath("data/popular_names.tsv").read_text("utf-8")
    by_eco: dict[str, tuple[list[str], list[str]]] = {}
    for line in text.splitlines():
        eco, name, why = line.split("\t")
        names, mcp = by_eco.setdefault(eco, ([], []))
        names.append(name)
        if why == "mcp" or "mcp" in name or name.startswith("@modelcontextprotocol/"):
            mcp.append(name)
    return by_eco


@cache
def shipped_list(ecosystem: str) -> NameList | None:
    """The shipped reference list of one ecosystem, indexed on first use (None: no list)."""
    found = _shipped_names().get(ecosystem)
    return None if found is None else NameList(ecosystem, *found)


def shipped_lists() -> dict[str, NameList]:
    """The shipped reference lists, one per ecosystem."""
    return {eco: found for eco in _shipped_names() if (found := shipped_list(eco)) is not None}


def typosquat_finding(
    component: Component, lists: dict[str, NameList] | None = None
) -> Finding | None:
    """CW109 when ``component``'s name likely imitates a popular or known MCP package name."""
    if lists is None and component.ecosystem not in {"pypi", "npm"}:
        return None  # nothing to compare with: do not load the list for it
    # Only the component's own ecosystem is indexed: a fleet of one ecosystem pays for one.
    names = shipped_list(component.ecosystem) if lists is None else lists.get(component.ecosystem)
    if names is None:
        return None
    squat = names.check(component.name)
    if squat is None:
        return None
    # Non-ASCII look-alikes are never an honest slip of the keyboard.
    severity = Severity.HIGH if squat.technique == "homoglyph" else None
    return finding(
        Code.TYPOSQUAT,
        component.purl,
        f"{component.name} looks like {squat.target} ({squat.technique}): a likely typosquat",
        severity=severity,
        imitates=squat.target,
        technique=squat.technique,
        distance=squat.distance or None,
    )

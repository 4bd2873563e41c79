"""Likely typosquats against the shipped list of popular and known MCP package names.

The squat names below are real attack shapes (edit slips, homoglyphs, separators, scopes,
affixes); the targets are real names from the shipped list.
"""

from __future__ import annotations

import pytest

from scanner.checks.codes import Code
from scanner.checks.typosquat import (
    NameList,
    canonical,
    osa_distance,
    shipped_lists,
    skeleton,
    typosquat_finding,
)
from scanner.models import Severity
from tests.checks._values import component


@pytest.mark.parametrize(
    ("ecosystem", "name", "target", "technique"),
    [
        ("pypi", "reqeusts", "requests", "edit-distance"),  # transposition
        ("pypi", "requets", "requests", "edit-distance"),  # deletion
        ("pypi", "mcp-server-fecth", "mcp-server-fetch", "edit-distance"),
        ("npm", "expres", "express", "edit-distance"),
        ("pypi", "djang0", "django", "confusable"),  # 0/o
        ("npm", "l0dash", "lodash", "confusable"),
        ("npm", "\u0441halk", "chalk", "homoglyph"),  # Cyrillic es
        ("pypi", "beautifulsoup\uff14", "beautifulsoup4", "homoglyph"),  # full-width digit
        ("npm", "crossenv", "cross-env", "separator"),
        ("npm", "server-filesystem", "@modelcontextprotocol/server-filesystem", "scope"),
        ("npm", "@modelcontextprotocol-official/sdk", "@modelcontextprotocol/sdk", "scope"),
        ("pypi", "python-requests", "requests", "affix"),
        ("pypi", "fetch-mcp-server", "mcp-server-fetch", "affix"),  # mcp-server-x vs x-mcp-server
        ("pypi", "time-mcp", "mcp-server-time", "affix"),
    ],
)
def test_squat_shapes_are_found(ecosystem: str, name: str, target: str, technique: str) -> None:
    squat = shipped_lists()[ecosystem].check(name)
    assert squat is not None, name
    assert (squat.target, squat.technique) == (target, technique)


@pytest.mark.parametrize(
    ("ecosystem", "name"),
    [
        ("pypi", "requests"),
        ("pypi", "Mcp_Server.Fetch"),  # the same project under PEP 503
        ("npm", "@modelcontextprotocol/server-filesystem"),
        ("npm", "@types/lodash"),  # a scope the list knows
        ("pypi", "httpx2"),  # a trailing major-version digit is how real projects are named
        ("pypi", "boto"),
        ("npm", "ms"),  # short names: too many honest neighbours to judge
        ("pypi", "a-very-unusual-internal-tool"),
        ("npm", "@evil/lodash"),  # scoped ports of popular names are common and honest
        ("npm", "p-queue"),  # a word added at a separator: a related project, not a slip
        ("npm", "@aws-sdk/hash-node"),  # affixes compare within one scope
        ("pypi", "faiss-gpu"),  # one short last word in a family ("faiss-cpu" is listed)
        ("pypi", "mypy-boto3-ecr"),
        ("npm", "react-query"),  # unscoped twin of a listed library's scoped name
        ("npm", "@vueuse/shared"),  # "@vue" inside a longer scope: another project
    ],
)
def test_listed_and_unrelated_names_are_not_squats(ecosystem: str, name: str) -> None:
    assert shipped_lists()[ecosystem].check(name) is None


def test_no_listed_name_is_a_squat_of_another() -> None:
    for ecosystem, names in shipped_lists().items():
        flagged = [n for n in names.names if names.check(n) is not None]
        assert flagged == [], (ecosystem, flagged[:5])
        assert len(names.names) > 1000  # the list really loaded


def test_ecosystems_are_checked_apart() -> None:
    # A PyPI project is not a squat of an npm name, and the other way round.
    assert shipped_lists()["npm"].check("cross-env") is None
    assert shipped_lists()["pypi"].check("crossenv") is None or (
        shipped_lists()["pypi"].check("crossenv").target in shipped_lists()["pypi"].names  # type: ignore[union-attr]
    )
    only_npm = NameList("npm", ["lodash"])
    assert only_npm.check("lodahs") is not None
    assert typosquat_finding(component("lodahs", "1.0.0", "pypi"), {"npm": only_npm}) is None


def test_distance_two_only_for_long_mcp_names() -> None:
    names = NameList("pypi", ["awslabs-aws-documentation-mcp-server", "opentelemetry-sdk", "numpy"])
    names = NameList("pypi", names.names, mcp=["awslabs-aws-documentation-mcp-server"])
    squat = names.check("awslabs-aws-documentatoin-mcp-sever")
    assert squat is not None and squat.distance == 2
    assert names.check("opentelemtry-sdl") is None  # two slips from a popular library: too many
    assert names.check("opentelemtry-sdk") is not None  # honest neighbours; one slip is flagged
    assert names.check("nunpu") is None  # two slips in a short name: too far to say


def test_finding_carries_code_severity_and_evidence() -> None:
    found = typosquat_finding(component("l0dash", "4.17.21"))
    assert found is not None and found.code == Code.TYPOSQUAT.value
    assert found.severity is Severity.MEDIUM
    assert dict(found.evidence) == {"imitates": "lodash", "technique": "confusable"}
    edit = typosquat_finding(component("reqeusts", "2.0.0", "pypi"))
    assert edit is not None and dict(edit.evidence)["distance"] == "1"
    homoglyph = typosquat_finding(component("\u0441halk", "5.0.0"))
    assert homoglyph is not None and homoglyph.severity is Severity.HIGH


def test_helpers() -> None:
    assert canonical("pypi", "Mcp_Server..Fetch") == "mcp-server-fetch"
    assert canonical("npm", "@Scope/Name") == "@scope/name"
    assert skeleton("rn-cp_server") == skeleton("mcpserver")
    assert osa_distance("reqeusts", "requests") == 1
    assert osa_distance("kitten", "sitting") == 3
    assert osa_distance("abc", "abc") == 0

"""docker / podman run: options skipped, tag vs digest, registry hosts and ports."""

from __future__ import annotations

import pytest

from scanner.checks.codes import Code
from scanner.inventory.launch import LaunchResult, resolve_launch
from scanner.models import EvidenceKind, ServerEntry, Transport

DIGEST = "sha256:" + "0123456789abcdef" * 4


def run(command: str, *args: str) -> LaunchResult:
    server = ServerEntry(
        client="test",
        config_path="/nonexistent/cfg/mcp.json",
        name="srv",
        transport=Transport.STDIO,
        command=command,
        args=args,
    )
    return resolve_launch(server)


def codes(result: LaunchResult) -> list[str]:
    return sorted(f.code for f in result.findings)


def test_docker_run_with_value_options_and_tag() -> None:
    r = run("docker", "run", "-i", "--rm", "-e", "GITHUB_TOKEN", "-v", "/a:/b", "--name", "n",
            "-p", "8080:80", "--network", "host", "--mount", "type=bind,src=/x,dst=/y", "-w", "/w",
            "--user", "1000", "--entrypoint", "/bin/sh", "--platform", "linux/amd64",
            "--env-file", ".env", "-l", "a=b", "--label=c=d", "--env=X=1",
            "ghcr.io/github/github-mcp-server:v0.5.0", "stdio", "--toolsets", "repos")  # fmt: skip
    assert r.skipped == ()
    assert len(r.components) == 1
    c = r.components[0]
    assert c.purl == (
        "pkg:oci/github-mcp-server?repository_url=ghcr.io/github/github-mcp-server&tag=v0.5.0"
    )
    assert (c.ecosystem, c.name, c.version) == ("oci", "ghcr.io/github/github-mcp-server", None)
    assert (c.evidence.kind, c.evidence.detail) == (EvidenceKind.UNRESOLVED, ":v0.5.0")
    assert codes(r) == [Code.IMAGE_WITHOUT_DIGEST]


def test_digest_is_a_pin() -> None:
    r = run("docker", "run", "-i", "--rm", f"ghcr.io/o/img@{DIGEST}")
    c = r.components[0]
    assert c.purl == f"pkg:oci/img@{DIGEST}?repository_url=ghcr.io/o/img"
    assert (c.version, c.evidence.kind) == (DIGEST, EvidenceKind.COMMAND_PIN)
    assert r.findings == ()


def test_tag_and_digest_keeps_both() -> None:
    r = run("podman", "run", f"quay.io/o/img:1.2@{DIGEST}")
    assert r.components[0].purl == f"pkg:oci/img@{DIGEST}?repository_url=quay.io/o/img&tag=1.2"
    assert r.findings == ()


@pytest.mark.parametrize(
    "image, repository_url, tag",
    [
        ("mcp/fetch", "docker.io/mcp/fetch", None),
        ("node", "docker.io/library/node", None),
        ("node:latest", "docker.io/library/node", "latest"),
        ("docker.io/mcp/time:latest", "docker.io/mcp/time", "latest"),
        ("localhost:5000/team/srv", "localhost:5000/team/srv", None),
        ("reg.example.invalid:8443/a/b/c:latest", "reg.example.invalid:8443/a/b/c", "latest"),
    ],
)  # fmt: skip
def test_latest_default_and_registry_hosts(
    image: str, repository_url: str, tag: str | None
) -> None:
    r = run("docker", "run", "-i", "--rm", image)
    c = r.components[0]
    assert dict(q.split("=", 1) for q in c.purl.split("?", 1)[1].split("&")) == (
        {"repository_url": repository_url} | ({"tag": tag} if tag else {})
    )
    assert c.evidence.detail == ":latest"
    assert codes(r) == [Code.LATEST_TAG, Code.IMAGE_WITHOUT_DIGEST]


def test_registry_port_with_tag() -> None:
    r = run("docker", "run", "localhost:5000/srv:2.0")
    assert r.components[0].purl == "pkg:oci/srv?repository_url=localhost:5000/srv&tag=2.0"
    assert codes(r) == [Code.IMAGE_WITHOUT_DIGEST]


@pytest.mark.parametrize(
    "command, args",
    [
        ("docker", ("container", "run", "-i", "mcp/fetch:1.0")),
        ("docker", ("--context", "remote", "run", "mcp/fetch:1.0")),
        ("/usr/local/bin/docker", ("run", "--rm", "--", "mcp/fetch:1.0")),
        ("docker.exe", ("run", "mcp/fetch:1.0")),
        ("nerdctl", ("run", "mcp/fetch:1.0")),
        ("docker run -i --rm mcp/fetch:1.0", ()),
    ],
)
def test_docker_variants(command: str, args: tuple[str, ...]) -> None:
    r = run(command, *args)
    assert [c.purl for c in r.components] == [
        "pkg:oci/fetch?repository_url=docker.io/mcp/fetch&tag=1.0"
    ]


@pytest.mark.parametrize(
    "args", [("ps",), ("run",), ("run", "-e", "X"), ("run", "${IMAGE}"), ("run", "UPPER/Case")]
)
def test_unusable_container_commands_are_skipped(args: tuple[str, ...]) -> None:
    r = run("docker", *args)
    assert r.components == ()
    assert len(r.skipped) == 1

"""Container runners: ``docker|podman|nerdctl [global options] [container] run [options] IMAGE``.

Identity: ``pkg:oci/<last path segment>@<digest>?repository_url=<registry>/<path>&tag=<tag>``
(purl-spec's oci type). Docker Hub short names expand to ``docker.io/library/<name>``. A digest is
a pin (``command_pin``); a tag alone is unresolved with CW102, and ``latest`` (written or implied)
adds CW101.
"""

from __future__ import annotations

import re

from scanner.checks.codes import Code
from scanner.inventory.launch._context import Ctx, make_purl
from scanner.models import Component, EvidenceKind, VersionEvidence

_GLOBAL_VALUES = frozenset(
    {"-c", "--context", "-H", "--host", "--config", "-l", "--log-level", "--tlscacert",
     "--tlscert", "--tlskey", "--connection", "--url", "--identity", "--root", "--runroot",
     "--storage-driver", "--cgroup-manager", "--namespace", "-n", "--address", "--module"}
)  # fmt: skip
_RUN_VALUES = frozenset(
    {"-e", "--env", "-v", "--volume", "--name", "-p", "--publish", "--network", "--net",
     "--mount", "-w", "--workdir", "-u", "--user", "--entrypoint", "--platform", "--env-file",
     "-l", "--label", "--label-file", "--add-host", "--cap-add", "--cap-drop", "--cpus",
     "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "-m", "--memory", "--memory-swap",
     "--memory-reservation", "-h", "--hostname", "--device", "--dns", "--dns-search",
     "--dns-option", "--restart", "--runtime", "--security-opt", "--tmpfs", "--ulimit",
     "--log-driver", "--log-opt", "--pull", "--cidfile", "--ipc", "--pid", "--uts", "--userns",
     "--group-add", "--shm-size", "--stop-signal", "--stop-timeout", "--health-cmd",
     "--health-interval", "--health-retries", "--health-timeout", "--health-start-period",
     "--gpus", "--expose", "--link", "--volumes-from", "-a", "--attach", "--detach-keys",
     "--annotation", "--isolation", "--mac-address", "--ip", "--ip6", "--network-alias",
     "--oom-score-adj", "--storage-opt", "--sysctl", "--blkio-weight", "--cgroup-parent",
     "--cgroupns", "--domainname", "--pids-limit", "--cpu-period", "--cpu-quota",
     "--device-read-bps", "--device-write-bps", "--secret", "--pod", "--arch", "--os",
     "--variant", "--requires",
     "--sdnotify", "--uidmap", "--gidmap", "--subuidname", "--subgidname", "--authfile",
     "--creds", "--cert-dir", "--decryption-key", "--image-volume", "--preserve-fds",
     "--timeout", "--tz", "--umask", "--seccomp-policy", "--hooks-dir", "--passwd-entry",
     "--group-entry", "--init-path", "--conmon-pidfile", "--pidfile", "--chrootdirs",
     "--personality", "--rdt-class", "--cpu-rt-period", "--cpu-rt-runtime", "--kernel-memory",
     "--memory-swappiness", "--device-cgroup-rule", "--link-local-ip", "--health-on-failure",
     "--hostuser", "--mount-label", "--retry", "--retry-delay"}
)  # fmt: skip
_REPO = re.compile(
    r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::\d+)?$")


def run_container(ctx: Ctx, argv: list[str]) -> None:
    """Find ``run`` and its image, skipping every option and its value."""
    tool = argv[0]
    words = _skip_options(argv[1:], _GLOBAL_VALUES)
    if words[:2] == ["container", "run"]:
        words = words[2:]
    elif words[:1] == ["run"]:
        words = words[1:]
    else:
        ctx.skip(f"container command {' '.join(words[:2])!r} is not 'run'", subject=ctx.server.name)
        return
    rest = _skip_options(words, _RUN_VALUES)
    if not rest:
        ctx.skip(f"{_name(tool)} run without an image")
        return
    add_image(ctx, rest[0])


def _name(tool: str) -> str:
    return tool.replace("\\", "/").rsplit("/", 1)[-1]


def _skip_options(words: list[str], values: frozenset[str]) -> list[str]:
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--":
            return words[i + 1 :]
        if word.startswith("-") and word != "-":
            key = word.split("=", 1)[0]
            i += 2 if key in values and "=" not in word else 1
            continue
        return words[i:]
    return []


def parse_image(ref: str) -> tuple[str, str, str | None, str | None] | None:
    """``[registry/]path[:tag][@digest]`` -> (registry, path, tag, digest); None if malformed."""
    name, _, digest = ref.partition("@")
    first, slash, remainder = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        registry, path = first.lower(), remainder
        if not _HOST.match(registry):
            return None
    else:
        registry, path = "docker.io", name
    path, colon, tag = path.rpartition(":") if ":" in path else (path, "", "")
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    if (
        not _REPO.match(path)
        or (colon and not _TAG.match(tag))
        or (digest and not _DIGEST.match(digest))
    ):
        return None
    return registry, path, tag or None, digest.lower() or None


def add_image(ctx: Ctx, ref: str) -> None:
    """Add the component for one image reference."""
    parsed = parse_image(ref)
    if parsed is None:
        ctx.skip(f"{ref!r} is not a container image reference")
        return
    registry, path, tag, digest = parsed
    qualifiers = {"repository_url": f"{registry}/{path}"}
    if tag:
        qualifiers["tag"] = tag
    purl = make_purl("oci", path.rsplit("/", 1)[-1], version=digest, qualifiers=qualifiers)
    if digest:
        evidence = VersionEvidence(EvidenceKind.COMMAND_PIN, detail=ref)
    else:
        evidence = VersionEvidence(EvidenceKind.UNRESOLVED, detail=f":{tag or 'latest'}")
    ctx.add(
        Component(
            purl=purl,
            ecosystem="oci",
            name=f"{registry}/{path}",
            version=digest,
            evidence=evidence,
            requirement=ref,
            source=ctx.location,
        )
    )
    if digest:
        return
    ctx.flag(
        Code.IMAGE_WITHOUT_DIGEST, purl, f"image {ref} is run by tag, not by digest", image=ref
    )
    if tag is None or tag == "latest":
        ctx.flag(Code.LATEST_TAG, purl, f"image {ref} runs 'latest'", image=ref)

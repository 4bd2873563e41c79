"""A throwaway PostgreSQL server for tests and benchmarks: the real server, on loopback.

``initdb`` into a temporary folder, ``pg_ctl start`` on a free 127.0.0.1 port with the socket
in that folder, a password for TCP logins (so URLs carry credentials, as in production), and a
fresh database per test. PostgreSQL refuses to run as root: under root the server runs as the
``postgres`` user the Debian package creates.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

PG_BIN_ENV = "CHAINWATCH_PG_BIN"  # a folder holding initdb and pg_ctl
USER = "chainwatch"


class PostgresServerError(RuntimeError):
    """The test server could not be started (the message says which step failed and why)."""


def find_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: $CHAINWATCH_PG_BIN, PATH, or Debian's."""
    candidates = []
    if os.environ.get(PG_BIN_ENV):
        candidates.append(Path(os.environ[PG_BIN_ENV]))
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    debian = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += debian
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """A running server; ``database()`` makes a fresh database and returns its URL."""

    def __init__(self, bindir: Path, root: Path, port: int, password: str) -> None:
        self.bindir = bindir
        self.root = root
        self.port = port
        self.password = password
        self._names = itertools.count(1)

    def url(self, dbname: str) -> str:
        """The URL of one database (with the test password in it)."""
        return f"postgresql://{USER}:{self.password}@127.0.0.1:{self.port}/{dbname}"

    def database(self) -> str:
        """Create a new empty database; its URL."""
        name = f"cw_{os.getpid()}_{next(self._names)}"
        # Over the server's own socket (trust): no SQL client library needed here.
        subprocess.run(
            [str(self.bindir / "createdb"), "-h", str(self.root), "-p", str(self.port)]
            + ["-U", USER, "-T", "template0", "-E", "UTF8", name],
            check=True,
            capture_output=True,
            timeout=60,
        )
        return self.url(name)

    @classmethod
    @contextlib.contextmanager
    def running(cls, bindir: Path) -> Iterator[PostgresServer]:
        """Start a server for the duration of the ``with`` block, then stop it and delete it."""
        root = Path(tempfile.mkdtemp(prefix="chainwatch-pg-"))
        as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresServerError(
                    "running as root and there is no postgres user to run the server as"
                ) from None
            os.chown(root, owner.pw_uid, owner.pw_gid)
            as_user = ["runuser", "-u", "postgres", "--"]
        password = secrets.token_hex(12)
        port = _free_port()
        data, log = root / "data", root / "server.log"
        pwfile = root / "pw"
        pwfile.write_text(password)
        if as_user:
            os.chown(pwfile, owner.pw_uid, owner.pw_gid)

        def run(*args: str) -> None:
            done = subprocess.run(
                [*as_user, *args], capture_output=True, text=True, timeout=120, check=False
            )
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise PostgresServerError(f"{Path(args[0]).name} failed: {' | '.join(tail)}")

        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        run(
            str(bindir / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
        )  # fmt: skip
        pwfile.unlink()
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start")
        try:
            yield cls(bindir, root, port, password)
        finally:
            with contextlib.suppress(PostgresServerError, subprocess.TimeoutExpired):
                run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
            shutil.rmtree(root, ignore_errors=True)

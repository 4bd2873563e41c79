"""RECORD checks on a real installed distribution (the rfc8785 wheel, installed offline by pip)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from attestations.record import verify_environment, verify_record

from .conftest import PYPI, WHEEL


@pytest.fixture
def site(tmp_path: Path) -> Path:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--disable-pip-version-check",
            "--target",
            str(target),
            str(PYPI / WHEEL),
        ],
        check=True,
    )
    return target


def _dist_info(site: Path) -> Path:
    return next(site.glob("rfc8785-*.dist-info"))


def test_untouched_install_passes(site: Path) -> None:
    report = verify_record(_dist_info(site))
    assert report.ok, report.problems
    assert report.checked >= 5
    assert [r.ok for r in verify_environment(site)] == [True]


def test_one_byte_edit_is_caught(site: Path) -> None:
    target = site / "rfc8785" / "_impl.py"
    data = bytearray(target.read_bytes())
    data[10] ^= 0x20
    target.write_bytes(bytes(data))
    problems = verify_record(_dist_info(site)).problems
    assert [(p.kind, p.path) for p in problems] == [("hash-mismatch", "rfc8785/_impl.py")]


def test_deleted_file_is_caught(site: Path) -> None:
    (site / "rfc8785" / "_impl.py").unlink()
    problems = verify_record(_dist_info(site)).problems
    assert [(p.kind, p.path) for p in problems] == [("missing", "rfc8785/_impl.py")]


def test_unlisted_files_are_caught_but_interpreter_caches_are_not(site: Path) -> None:
    (site / "rfc8785" / "evil.py").write_text("import os\n")
    (site / "rfc8785" / "sub").mkdir()
    (site / "rfc8785" / "sub" / "payload.bin").write_bytes(b"x")
    cache = site / "rfc8785" / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "_impl.cpython-311.pyc").write_bytes(b"pyc")
    (cache / "planted.cpython-311.pyc").write_bytes(b"pyc")
    kinds = {(p.kind, p.path) for p in verify_record(_dist_info(site)).problems}
    assert kinds == {
        ("unlisted", "rfc8785/evil.py"),
        ("unlisted", "rfc8785/sub/payload.bin"),
        ("unlisted", "rfc8785/__pycache__/planted.cpython-311.pyc"),
    }


def test_size_mismatch_and_unhashed_and_missing_record(site: Path) -> None:
    dist_info = _dist_info(site)
    record = dist_info / "RECORD"
    lines = record.read_text().splitlines()
    edited = []
    for line in lines:
        path, digest, size = line.rsplit(",", 2)
        if path == "rfc8785/__init__.py":
            line = f"{path},{digest},{int(size) + 1}"
        if path == "rfc8785/py.typed":
            line = f"{path},,"
        edited.append(line)
    record.write_text("\n".join(edited) + "\n")
    kinds = {(p.kind, p.path) for p in verify_record(dist_info).problems}
    assert kinds == {("size-mismatch", "rfc8785/__init__.py"), ("unhashed", "rfc8785/py.typed")}
    record.unlink()
    report = verify_record(dist_info)
    assert not report.ok and report.problems[0].kind == "no-record"

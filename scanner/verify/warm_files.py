"""Whether the cached registry answers a warm verdict rests on still hold, mostly by ``stat``.

An answer holds when the HTTP cache would serve its entry without a request (offline: any intact
entry; online: a fresh one) with the same body sha256 and content type, exactly as the cache
transport would (``scanner.registry._entries``). Hashing the ~1,000 cached pages a fleet rests
on cost more than the rest of a warm lookup, so this module has a stat tier, as git's index does:

1. A row's answer may carry the stamp of its entry's two files (``.json`` and ``.body``: device,
   inode, size, mtime and ctime, in nanoseconds), taken on the open files when they were read
   and their body's sha256 matched the answer's, with the header's ``stored_at`` and ``max-age``
   (what online freshness needs). The row's HMAC covers it (``warm.py``): it cannot be forged or
   moved to other files.
2. When both files' ``stat`` equals the stamp they are the files that were hashed, so the answer
   holds without reading them (online, if still fresh by the kept ``stored_at``/``max-age``).
3. Any difference reads and hashes the entry in full, as before the stat tier; the answer is a
   miss only if that differs, and a row that still holds is kept again with the new stamp.

Why an unchanged stamp means unchanged bytes:

- Writing a file sets its ctime to the kernel's clock, and user space cannot set ctime
  (``touch``/``os.utime`` set atime and mtime, and set ctime to now); a file put in place by
  rename or copy has another inode or ctime. So an edit that keeps the size and puts the old
  mtime back still changes the stamp.
- Racy stamps (git's "racily clean" entries): a change within the same timestamp tick as the
  stamp leaves ``stat`` unchanged. A stamp is therefore kept only when every mtime and ctime in
  it is older than the moment the reading began by more than ``_RACY_NS`` (2 s: coarser than
  any local file system's tick, FAT's 2 s mtime included), so any later change gets a later
  time. A younger stamp is not kept: those files are read in full until a later run stamps
  them (entries a cold run wrote are stamped by the next run).
- Only where ctime means change time (POSIX). On Windows it is the creation time, which user
  space can set, so there every answer is read and hashed.

What it does not defend against: someone able to set the kernel clock back or write the raw
block device, who could as well replace the code. Wall-clock time (not the scan's injected
clock) is used here because it is what file timestamps and HTTP freshness are measured in.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from scanner.registry._entries import Damaged, Stamp, entry_stamp, fresh_at, read_stamped

_RACY_NS = 2_000_000_000  # see "racy stamps" above
_STAT_TIER = os.name == "posix"  # where ctime is the kernel's change time

# An answer as a warm row keeps it (a list, so a renewed stamp can be written in place):
# [entry key, url, accept, body sha256, content type, stamp, stored_at, max-age], the last three
# None until the entry's files are stamped.
Answer = list[Any]

# An entry read in full: body sha256, content type, served without a request, and the stamp,
# stored_at and max-age to keep (three Nones: the files are not settled).
_Read = tuple[str, str | None, bool, Stamp | None, float | None, int | None]


def new_answer(entry: str, url: str, accept: str, sha256: str, content_type: str | None) -> Answer:
    """An answer not stamped yet."""
    return [entry, url, accept, sha256, content_type, None, None, None]


class CachedAnswers:
    """The HTTP cache's entries as one warm lookup sees them: each stat'ed or read once a run."""

    def __init__(self, http_dir: Path, *, offline: bool) -> None:
        self._http = os.fspath(http_dir)
        self._offline = offline
        self._read: dict[str, _Read | None] = {}
        self._stats: dict[str, Stamp | None] = {}

    def hold(self, answers: list[Answer]) -> bool | None:
        """None when one of ``answers`` no longer holds; else whether a stamp was renewed.

        Renewed stamps are written into ``answers`` (the row should be kept again). Raises
        ValueError or TypeError for answers not in the form above.
        """
        renewed = False
        for answer in answers:
            key, url, accept, sha256, content_type, stamp, stored_at, max_age = answer
            if stamp is not None and stamp == self._stat(key):
                # The very files that were hashed when the stamp was kept.
                if not (self._offline or fresh_at(stored_at, max_age, wall_time())):
                    return None
                continue
            read = self._served(key, url, accept)
            if read is None or read[:3] != (sha256, content_type, True):
                return None
            if read[3] is not None and read[3] != stamp:
                answer[5:] = read[3:]
                renewed = True
        return renewed

    def stamp(self, answers: list[Answer]) -> None:
        """Stamp the unstamped ``answers`` whose entry files hold their body and are settled."""
        if not _STAT_TIER:
            return
        for answer in answers:
            key, url, accept, sha256, content_type, stamp = answer[:6]
            if stamp is None:
                read = self._served(key, url, accept)
                if read is not None and read[:2] == (sha256, content_type):
                    answer[5:] = read[3:]

    def _stat(self, key: str) -> Stamp | None:
        # The entry's stamp now (once a run), or None where the stat tier is not used.
        if key in self._stats:
            return self._stats[key]
        now = entry_stamp(self._stem(key)) if _STAT_TIER else None
        self._stats[key] = now
        return now

    def _served(self, key: str, url: str, accept: str) -> _Read | None:
        # What the cache transport would answer for this entry without a request, if anything
        # (read once a run: the npm keys, say, serve every npm component).
        if key in self._read:
            return self._read[key]
        served: _Read | None = None
        began = wall_time_ns()  # before the files are opened: see "racy stamps" above
        try:
            read = read_stamped(self._stem(key), url, accept)
        except Damaged:
            read = None
        if read is not None:
            entry, stamp, newest = read
            usable = self._offline or entry.fresh(wall_time())
            sha256, content_type = entry.sha256, entry.header("content-type")
            served = (sha256, content_type, usable, None, None, None)
            if _STAT_TIER and newest < began - _RACY_NS:  # settled: the stamp can be kept
                served = (sha256, content_type, usable, stamp, entry.stored_at, entry.max_age())
        self._read[key] = served
        return served

    def _stem(self, key: str) -> str:
        # entry_base's layout, spelt with strings: pathlib costs more than the stat here.
        return f"{self._http}{os.sep}{key[:2]}{os.sep}{key}"


def wall_time() -> float:
    """Wall-clock time, as the cache transport judges freshness by it."""
    return time.time()


def wall_time_ns() -> int:
    """Wall-clock time in nanoseconds: what file timestamps are measured against."""
    return time.time_ns()


__all__ = ["Answer", "CachedAnswers", "new_answer", "wall_time", "wall_time_ns"]

# SPDX-License-Identifier: LGPL-2.1-or-later
"""Processes by name, as `zxproc --name` finds them: the name ps shows
(comm), or the file name of the program (/proc/PID/exe, else argv[0])."""

from __future__ import annotations

import os
from typing import List, Tuple

from .errors import AmbiguousName, ProcessNotFound


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def _named(pid: int, name: str) -> bool:
    comm = _read(f"/proc/{pid}/comm").rstrip(b"\n").decode(errors="replace")
    if comm == name:
        return True
    try:
        if os.path.basename(os.readlink(f"/proc/{pid}/exe")) == name:
            return True
    except OSError:
        pass
    argv0 = _read(f"/proc/{pid}/cmdline").split(b"\0", 1)[0]
    return bool(argv0) and os.path.basename(argv0.decode(errors="replace")) == name


def pids_named(name: str) -> List[int]:
    """Every process (but this one) named @name, in pid order."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != me and _named(int(entry), name):
            found.append(int(entry))
    return sorted(found)


def command_line(pid: int) -> str:
    """The command line of @pid, or its comm in brackets (kernel threads)."""
    cmd = _read(f"/proc/{pid}/cmdline").rstrip(b"\0").replace(b"\0", b" ")
    if cmd:
        return cmd.decode(errors="replace")
    return "[" + _read(f"/proc/{pid}/comm").rstrip(b"\n").decode(errors="replace") + "]"


def pid_of(name: str) -> int:
    """The one process named @name.

    Raises:
        ProcessNotFound: none is.
        AmbiguousName: several are (their pids and command lines attached).
    """
    pids = pids_named(name)
    if not pids:
        raise ProcessNotFound(f"no process named {name!r}")
    if len(pids) > 1:
        candidates: List[Tuple[int, str]] = [(p, command_line(p)) for p in pids]
        raise AmbiguousName(name, candidates)
    return pids[0]

# SPDX-License-Identifier: LGPL-2.1-or-later
"""A process's mappings.  The one place that decides where they come
from, as the zxproc command's regions.c: the handle's answer to
zx_object_get_info(ZX_INFO_PROCESS_MAPS), bound to the address space
the handle was opened on, completed from /proc/PID/maps with what
Zircon's record lacks (a file's full path, private or shared) for each
mapping found there with the same range and inode; "?" stands for
private/shared of a mapping made between the two reads.  The vsyscall
page, listed by /proc but no part of the address space, is taken from
/proc.  A module without the topic (0.2) leaves /proc alone."""

from __future__ import annotations

import ctypes
from typing import Dict, List, NamedTuple, Tuple

from . import _lib
from .errors import NotSupported, error


class Mapping(NamedTuple):
    """One mapping: [start, end), as /proc/PID/maps shows it."""

    start: int
    end: int
    perms: str
    offset: int
    inode: int
    name: str

    @property
    def size(self) -> int:
        """end - start, in bytes."""
        return self.end - self.start

    @property
    def readable(self) -> bool:
        return self.perms[0] == "r"

    @property
    def writable(self) -> bool:
        return self.perms[1] == "w"

    def named(self, want: str) -> bool:
        """Whether @want names this mapping: its whole name ("[heap]", a
        path), or the last component of its path ("libc.so.6")."""
        name = self.name[:-len(" (deleted)")] if self.name.endswith(" (deleted)") else self.name
        if not name:
            return False
        return want == name or ("/" not in want and name.startswith("/")
                                and name.rsplit("/", 1)[1] == want)


def parse_line(line: str) -> Mapping:
    """One line of /proc/PID/maps."""
    fields = line.rstrip("\n").split(None, 5)
    start, end = (int(x, 16) for x in fields[0].split("-"))
    return Mapping(start, end, fields[1], int(fields[2], 16), int(fields[4]),
                   fields[5] if len(fields) > 5 else "")


def _proc(pid: int) -> List[Mapping]:
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="surrogateescape") as f:
        return [parse_line(line) for line in f]


def _records(handle: int) -> List[_lib.InfoMaps]:
    """The handle's ZX_INFO_PROCESS_MAPS records (NotSupported on 0.2)."""
    avail = _lib.size_t()
    lib = _lib.lib()
    status = lib.zx_object_get_info(handle, _lib.ZX_INFO_PROCESS_MAPS, None, 0,
                                    None, ctypes.byref(avail))
    while status == _lib.ZX_OK:
        # The target may map more between two calls: ask until it fits.
        room = avail.value + 16
        recs = (_lib.InfoMaps * room)()
        actual = _lib.size_t()
        status = lib.zx_object_get_info(handle, _lib.ZX_INFO_PROCESS_MAPS, recs,
                                        ctypes.sizeof(recs), ctypes.byref(actual),
                                        ctypes.byref(avail))
        if status == _lib.ZX_OK and avail.value <= room:
            return list(recs[:actual.value])
    raise error(status, "zx_object_get_info(ZX_INFO_PROCESS_MAPS)")


def read(pid: int, handle: int) -> List[Mapping]:
    """The mappings of @pid (whose handle, with INSPECT, is @handle), in
    address order."""
    try:
        recs = _records(handle)
    except NotSupported:
        return _proc(pid)
    try:
        proc = _proc(pid)
    except OSError:
        proc = []  # only to complete the records
    full: Dict[Tuple[int, int, int], Mapping] = {(m.start, m.end, m.inode): m for m in proc}
    out = []
    for r in recs:
        if r.type != _lib.ZX_INFO_MAPS_TYPE_MAPPING:
            continue
        m = r.u.mapping
        p = full.get((r.base, r.base + r.size, m.vmo_koid))
        perms = "".join(c if m.mmu_flags & bit else "-" for c, bit in
                        (("r", 1), ("w", 2), ("x", 4))) + (p.perms[3] if p else "?")
        name = p.name if p else r.name.decode("utf-8", "surrogateescape")
        out.append(Mapping(r.base, r.base + r.size, perms, m.vmo_offset, m.vmo_koid, name))
    return out + [m for m in proc if m.name == "[vsyscall]"]

# SPDX-License-Identifier: LGPL-2.1-or-later
"""A process's mappings.  The one place that decides where they come
from: /proc/PID/maps today; zx_object_get_info(ZX_INFO_PROCESS_MAPS) on
the handle once the module offers it (as the zxproc command's
regions.c)."""

from __future__ import annotations

from typing import List, NamedTuple


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


def read(pid: int, handle: int) -> List[Mapping]:
    """The mappings of @pid (whose handle is @handle), in address order."""
    del handle  # used once ZX_INFO_PROCESS_MAPS exists
    with open(f"/proc/{pid}/maps", encoding="utf-8", errors="surrogateescape") as f:
        return [parse_line(line) for line in f]

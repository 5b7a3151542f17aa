# SPDX-License-Identifier: LGPL-2.1-or-later
"""Exceptions: one class per zx_status_t the library returns, all
ZxError, each carrying the status; and the errors of finding a process
by name."""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple, Type


class ZxError(OSError):
    """A libzxproc call failed.

    Attributes:
        status: the zx_status_t (a negative int, e.g. -30).
        status_name: its name, e.g. "ZX_ERR_ACCESS_DENIED".
        op: what was being done, e.g. "zxproc_process_open(1234)".
    """

    def __init__(self, status: int, op: str, status_name: Optional[str] = None,
                 detail: str = "") -> None:
        if status_name is None:
            status_name = status_string(status)
        self.status = status
        self.status_name = status_name
        self.op = op
        super().__init__(f"{op}: {status_name}{': ' + detail if detail else ''}")


class AccessDenied(ZxError):
    """ZX_ERR_ACCESS_DENIED: no right, no CAP_SYS_PTRACE, or memory that
    cannot be read or written (read-only shared, PROT_NONE unforced)."""


class NotFound(ZxError):
    """ZX_ERR_NOT_FOUND: no such process."""


class BadState(ZxError):
    """ZX_ERR_BAD_STATE: the process exited or exec'd since the handle
    was opened, or the memory is device memory."""


class NoMemory(ZxError):
    """ZX_ERR_NO_MEMORY: the address is not mapped (or out of memory)."""


class InvalidArgs(ZxError):
    """ZX_ERR_INVALID_ARGS: a bad argument (or a buffer that cannot be
    written)."""


class OutOfRange(ZxError):
    """ZX_ERR_OUT_OF_RANGE: more than one call can transfer."""


class NotSupported(ZxError):
    """ZX_ERR_NOT_SUPPORTED: the zxproc module is not loaded (no
    /dev/zxproc)."""


class WrongType(ZxError):
    """ZX_ERR_WRONG_TYPE: a kernel thread, which has no user memory."""


class BadHandle(ZxError):
    """ZX_ERR_BAD_HANDLE: the handle is closed or invalid."""


_BY_STATUS: Dict[int, Type[ZxError]] = {
    -30: AccessDenied,
    -25: NotFound,
    -20: BadState,
    -4: NoMemory,
    -10: InvalidArgs,
    -14: OutOfRange,
    -2: NotSupported,
    -12: WrongType,
    -11: BadHandle,
}


def status_string(status: int) -> str:
    """zx_status_get_string(): the name of a status."""
    from ._lib import lib
    name = lib().zx_status_get_string(status)
    return name.decode() if name else f"(status {status})"


def error(status: int, op: str, detail: str = "") -> ZxError:
    """The ZxError subclass for @status."""
    return _BY_STATUS.get(status, ZxError)(status, op, detail=detail)


class PartialTransfer(ZxError):
    """Only part of a range could be read or written: it runs past mapped
    (or accessible) memory.  status is the error that stopped it, or
    ZX_OK (0) when the call succeeded short.

    Attributes:
        actual: bytes transferred (from the start of the range).
        data: for reads, the bytes that were read.
    """

    def __init__(self, status: int, op: str, actual: int,
                 data: Optional[bytes] = None) -> None:
        self.actual = actual
        self.data = data
        super().__init__(status, op, status_name=status_string(status),
                         detail=f"only {actual} bytes transferred")


class ProcessNotFound(LookupError):
    """No process has the name given to Process()."""


class AmbiguousName(LookupError):
    """Several processes have the name given to Process().

    Attributes:
        candidates: (pid, command line) of each.
    """

    def __init__(self, name: str, candidates: List[Tuple[int, str]]) -> None:
        self.name = name
        self.candidates = candidates
        listed = "; ".join(f"{pid} {cmd}" for pid, cmd in candidates)
        super().__init__(f"{len(candidates)} processes are named {name!r}: {listed}")

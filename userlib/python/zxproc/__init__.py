# SPDX-License-Identifier: LGPL-2.1-or-later
"""zxproc: read and write other processes' memory through the zxproc
kernel module's process handles (ctypes over libzxproc.so.0).

    with zxproc.Process("game") as p:
        for addr in p.find(zxproc.pack("u32", 1000), regions=["[heap]"]):
            p.write_u32(addr, 99999)

See help(zxproc.Process).
"""

from .errors import (AccessDenied, AmbiguousName, BadHandle, BadState,
                     InvalidArgs, NoMemory, NotFound, NotSupported,
                     OutOfRange, PartialTransfer, ProcessNotFound, WrongType,
                     ZxError, status_string)
from .names import pid_of, pids_named
from .process import (TYPES, BatchResult, Process, ProcessInfo, Rights,
                      ScanResult, module_version, pack, unpack)
from .regions import Mapping

__version__ = "0.3.0"

__all__ = [
    "AccessDenied", "AmbiguousName", "BadHandle", "BadState", "BatchResult",
    "InvalidArgs", "Mapping", "NoMemory", "NotFound", "NotSupported",
    "OutOfRange", "PartialTransfer", "Process", "ProcessInfo",
    "ProcessNotFound", "Rights", "ScanResult", "TYPES", "WrongType", "ZxError",
    "module_version", "pack", "pid_of", "pids_named", "status_string",
    "unpack",
]

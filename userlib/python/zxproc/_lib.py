# SPDX-License-Identifier: LGPL-2.1-or-later
"""The C library through ctypes: loading it, and the prototypes of the
functions this package calls (<zircon/syscalls.h>, <zxproc/zxproc.h>)."""

from __future__ import annotations

import ctypes
import os
from typing import Optional

zx_status_t = ctypes.c_int32
zx_handle_t = ctypes.c_uint32
zx_rights_t = ctypes.c_uint32
zx_vaddr_t = ctypes.c_uint64
size_t = ctypes.c_size_t

HANDLE_INVALID = 0
ZX_OK = 0
ZX_INFO_PROCESS = 3 | (1 << 28)
ZX_INFO_PROCESS_MAPS = 13
ZX_INFO_MAPS_TYPE_MAPPING = 3
ZX_INFO_PROCESS_FLAG_STARTED = 1 << 0
ZX_INFO_PROCESS_FLAG_EXITED = 1 << 1
MEMORY_ALL_OR_NOTHING = 1
MEMORY_NO_FAULT = 0x10
ZX_ERR_SHOULD_WAIT = -22
MEMORY_MAX_SEGMENTS = 1024
MEMORY_MAX_BYTES = 64 << 20
# ZXPROC_MAX_TRANSFER: the most one read or write call moves.
MAX_TRANSFER = 64 << 20


class MemorySeg(ctypes.Structure):
    """zxproc_memory_seg_t: one segment of a batch."""

    _fields_ = [
        ("vaddr", zx_vaddr_t),
        ("buffer", ctypes.c_void_p),
        ("size", size_t),
        ("status", zx_status_t),
        ("padding1", ctypes.c_uint8 * 4),
        ("actual", size_t),
    ]


class InfoProcess(ctypes.Structure):
    """zx_info_process_t."""

    _fields_ = [
        ("return_code", ctypes.c_int64),
        ("start_time", ctypes.c_int64),
        ("flags", ctypes.c_uint32),
        ("padding1", ctypes.c_uint8 * 4),
    ]


class InfoMapsMapping(ctypes.Structure):
    """zx_info_maps_mapping_t."""

    _fields_ = [
        ("mmu_flags", ctypes.c_uint32),
        ("padding1", ctypes.c_uint8 * 4),
        ("vmo_koid", ctypes.c_uint64),
        ("vmo_offset", ctypes.c_uint64),
        ("committed_pages", size_t),
    ]


class _InfoMapsUnion(ctypes.Union):
    _fields_ = [("mapping", InfoMapsMapping)]


class InfoMaps(ctypes.Structure):
    """zx_info_maps_t (96 bytes)."""

    _fields_ = [
        ("name", ctypes.c_char * 32),
        ("base", ctypes.c_uint64),
        ("size", size_t),
        ("depth", size_t),
        ("type", ctypes.c_uint32),
        ("padding1", ctypes.c_uint8 * 4),
        ("u", _InfoMapsUnion),
    ]


_PROTOTYPES = {
    "zx_status_get_string": (ctypes.c_char_p, [zx_status_t]),
    "zx_handle_close": (zx_status_t, [zx_handle_t]),
    "zx_handle_duplicate": (zx_status_t, [zx_handle_t, zx_rights_t,
                                          ctypes.POINTER(zx_handle_t)]),
    "zx_object_get_info": (zx_status_t, [zx_handle_t, ctypes.c_uint32,
                                         ctypes.c_void_p, size_t,
                                         ctypes.POINTER(size_t),
                                         ctypes.POINTER(size_t)]),
    "zxproc_module_version": (zx_status_t, [ctypes.POINTER(ctypes.c_uint32)] * 3),
    "zxproc_process_open": (zx_status_t, [ctypes.c_int, zx_rights_t,
                                          ctypes.POINTER(zx_handle_t)]),
    "zxproc_process_open_pidfd": (zx_status_t, [ctypes.c_int, zx_rights_t,
                                                ctypes.POINTER(zx_handle_t)]),
    "zxproc_process_read_memory_ex": (zx_status_t, [zx_handle_t, zx_vaddr_t,
                                                    ctypes.c_void_p, size_t,
                                                    ctypes.c_uint32,
                                                    ctypes.POINTER(size_t)]),
    "zxproc_process_write_memory_ex": (zx_status_t, [zx_handle_t, zx_vaddr_t,
                                                     ctypes.c_void_p, size_t,
                                                     ctypes.c_uint32,
                                                     ctypes.POINTER(size_t)]),
    "zxproc_process_read_memory_batch": (zx_status_t, [zx_handle_t,
                                                       ctypes.POINTER(MemorySeg),
                                                       size_t, ctypes.c_uint32,
                                                       ctypes.POINTER(size_t)]),
    "zxproc_process_write_memory_batch": (zx_status_t, [zx_handle_t,
                                                        ctypes.POINTER(MemorySeg),
                                                        size_t, ctypes.c_uint32,
                                                        ctypes.POINTER(size_t)]),
    "zxproc_process_compare_exchange": (zx_status_t, [zx_handle_t, zx_vaddr_t, size_t,
                                                      ctypes.c_uint64, ctypes.c_uint64,
                                                      ctypes.POINTER(ctypes.c_uint64)]),
    "zxproc_handle_fd": (ctypes.c_int, [zx_handle_t]),
}

_lib: Optional[ctypes.CDLL] = None


def lib() -> ctypes.CDLL:
    """libzxproc, loaded on first use: $ZXPROC_LIBRARY if set (a path),
    else libzxproc.so.0 as the dynamic loader finds it."""
    global _lib
    if _lib is None:
        name = os.environ.get("ZXPROC_LIBRARY") or "libzxproc.so.0"
        try:
            loaded = ctypes.CDLL(name, use_errno=True)
        except OSError as e:
            raise ImportError(
                f"cannot load {name} (install libzxproc, or set ZXPROC_LIBRARY "
                f"to its path): {e}") from e
        for fn, (restype, argtypes) in _PROTOTYPES.items():
            f = getattr(loaded, fn)
            f.restype = restype
            f.argtypes = argtypes
        _lib = loaded
    return _lib

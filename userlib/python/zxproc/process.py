# SPDX-License-Identifier: LGPL-2.1-or-later
"""Process: a zxproc process handle, and the memory access through it."""

from __future__ import annotations

import ctypes
import enum
import mmap
import struct
from typing import (Iterable, Iterator, List, NamedTuple, Optional, Sequence, Tuple,
                    Union)

from . import _lib, names, regions
from .errors import BadHandle, InvalidArgs, PartialTransfer, error
from .regions import Mapping

Buffer = Union[bytes, bytearray, memoryview]


class Rights(enum.IntFlag):
    """The rights a process handle can carry (ZX_RIGHT_*)."""

    DUPLICATE = 1 << 0
    TRANSFER = 1 << 1
    READ = 1 << 2
    WRITE = 1 << 3
    INSPECT = 1 << 15
    ALL = DUPLICATE | TRANSFER | READ | WRITE | INSPECT


# struct codes of the typed helpers; "=": the machine's byte order, which
# is the target's (the same machine), with standard sizes.
TYPES = {
    "u8": "B", "u16": "H", "u32": "I", "u64": "Q",
    "i8": "b", "i16": "h", "i32": "i", "i64": "q",
    "f32": "f", "f64": "d",
}


def pack(type_: str, *values: Union[int, float]) -> bytes:
    """The bytes of @values as @type_ ("u8" ... "f64") in the target's
    byte order: pack("u32", 1000) is b"\\xe8\\x03\\x00\\x00" on x86-64."""
    return struct.pack("=" + TYPES[type_] * len(values), *values)


def unpack(type_: str, data: bytes) -> List[Union[int, float]]:
    """The values of @type_ in @data (whose length is a multiple of the size)."""
    code = TYPES[type_]
    return list(struct.unpack("=" + code * (len(data) // struct.calcsize("=" + code)), data))


class ProcessInfo(NamedTuple):
    """ZX_INFO_PROCESS of a handle."""

    started: bool
    exited: bool
    return_code: int


class BatchResult(NamedTuple):
    """One segment of read_batch() or write_batch().

    status is 0 (ZX_OK) or the zx_status_t of the segment's own failure;
    actual the bytes transferred (also when it failed); data, for reads,
    the bytes read (actual of them).
    """

    address: int
    status: int
    actual: int
    data: Optional[bytes]

    @property
    def ok(self) -> bool:
        """Whether the whole segment was transferred."""
        return self.status == 0 and (self.data is None or len(self.data) == self.actual)


class ScanResult(NamedTuple):
    """What scan() found and read.

    matches: the addresses of the pattern, in address order; regions:
    the mappings searched; read: the bytes read and searched;
    not_resident: the bytes passed over because their pages were not
    resident (no-fault reads; 0 with fault=True); unreadable: the bytes
    that could not be read (device memory, unmapped meanwhile).
    """

    matches: List[int]
    regions: int
    read: int
    not_resident: int
    unreadable: int


# find(): segments per batch call, and their size.
_SCAN_SEG = 1 << 20
_SCAN_SEGS = 16
# find()'s read options unless fault=True: no-fault reads, which pass over
# the pages that are not resident instead of bringing them in.
_SCAN_READ_OPTIONS = _lib.MEMORY_NO_FAULT


def _check(status: int, op: str) -> None:
    if status != _lib.ZX_OK:
        raise error(status, op)


def _c_buffer(data: Buffer):
    """A ctypes array holding a copy of the bytes of @data."""
    view = memoryview(data).cast("B")
    return (ctypes.c_char * len(view)).from_buffer_copy(view)


class Process:
    """A handle to another process, through /dev/zxproc.

    Process(1234) or Process("game"): by pid, or by name (the one process
    whose name, as ps shows it, or whose program's file name is "game";
    none raises ProcessNotFound, several AmbiguousName).  rights are what
    the handle may do (Rights.READ | Rights.WRITE | Rights.INSPECT by
    default).  Opening needs CAP_SYS_PTRACE over the process, as
    ptrace(2) does, and access to /dev/zxproc.

    The handle is bound to the program the process runs when it is
    opened: after an exec or an exit every access raises BadState.
    Close it with close(), or use the Process as a context manager.

    Raises ZxError subclasses: NotFound (no such pid), AccessDenied,
    WrongType (kernel thread), NotSupported (module not loaded), ...
    """

    def __init__(self, target: Union[int, str],
                 rights: Rights = Rights.READ | Rights.WRITE | Rights.INSPECT) -> None:
        self._handle = _lib.HANDLE_INVALID
        if isinstance(target, bool) or not isinstance(target, (int, str)):
            raise TypeError("Process() takes a pid (int) or a name (str)")
        self.pid: int = target if isinstance(target, int) else names.pid_of(target)
        self.rights = Rights(rights)
        handle = _lib.zx_handle_t()
        _check(_lib.lib().zxproc_process_open(self.pid, int(rights), ctypes.byref(handle)),
               f"zxproc_process_open({self.pid})")
        self._handle = handle.value

    # --- the handle -------------------------------------------------------
    @property
    def handle(self) -> int:
        """The zx_handle_t (raises BadHandle once closed)."""
        if self._handle == _lib.HANDLE_INVALID:
            raise BadHandle(-11, f"process {self.pid}", detail="the handle is closed")
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle == _lib.HANDLE_INVALID

    def fileno(self) -> int:
        """The handle's file descriptor (for poll, or to pass it on)."""
        return _lib.lib().zxproc_handle_fd(self.handle)

    def close(self) -> None:
        """Close the handle; closing twice does nothing."""
        if self._handle != _lib.HANDLE_INVALID:
            handle, self._handle = self._handle, _lib.HANDLE_INVALID
            _lib.lib().zx_handle_close(handle)

    def __enter__(self) -> "Process":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown: the library may be gone
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"handle {self._handle}"
        return f"<zxproc.Process pid={self.pid} {state}>"

    def info(self) -> ProcessInfo:
        """ZX_INFO_PROCESS: whether the process has started and exited
        (exited: also when it exec'd, for this handle).  Needs INSPECT."""
        rec = _lib.InfoProcess()
        _check(_lib.lib().zx_object_get_info(self.handle, _lib.ZX_INFO_PROCESS,
                                             ctypes.byref(rec), ctypes.sizeof(rec),
                                             None, None),
               f"zx_object_get_info(process {self.pid})")
        return ProcessInfo(bool(rec.flags & _lib.ZX_INFO_PROCESS_FLAG_STARTED),
                           bool(rec.flags & _lib.ZX_INFO_PROCESS_FLAG_EXITED),
                           rec.return_code)

    # --- memory -------------------------------------------------------------
    def read_into(self, address: int, buffer: Union[bytearray, memoryview],
                  *, all_or_nothing: bool = False) -> int:
        """Read len(buffer) bytes at @address into @buffer (any writable
        buffer: bytearray, memoryview, array, ctypes array, numpy array).

        Returns the number of bytes read: fewer than len(buffer) when the
        range runs past mapped or readable memory.  With all_or_nothing,
        every page is made readable first, or nothing is read and the
        error raised.  Raises a ZxError subclass when nothing could be
        read (NoMemory: not mapped; AccessDenied; BadState: the process
        exited or exec'd).
        """
        view = memoryview(buffer).cast("B")
        if view.readonly:
            raise TypeError("read_into() needs a writable buffer")
        size = len(view)
        if size == 0:
            return 0
        c_buf = (ctypes.c_char * size).from_buffer(view)
        base = ctypes.addressof(c_buf)
        done = 0
        options = _lib.MEMORY_ALL_OR_NOTHING if all_or_nothing else 0
        if all_or_nothing and size > _lib.MAX_TRANSFER:
            raise ValueError(f"all_or_nothing reads at most {_lib.MAX_TRANSFER} bytes")
        while done < size:
            n = min(size - done, _lib.MAX_TRANSFER)
            actual = _lib.size_t()
            status = _lib.lib().zxproc_process_read_memory_ex(
                self.handle, address + done, base + done, n, options, ctypes.byref(actual))
            if status != _lib.ZX_OK:
                if done == 0:
                    raise error(status, f"reading process {self.pid} at {address + done:#x}")
                break
            done += actual.value
            if actual.value < n:
                break
        del c_buf
        return done

    def read(self, address: int, size: int, *, all_or_nothing: bool = False,
             partial: bool = False) -> bytes:
        """@size bytes at @address.

        A range that runs past readable memory raises PartialTransfer
        (with .data, the bytes before that point), or with partial=True
        returns those bytes.
        """
        buf = bytearray(size)
        actual = self.read_into(address, buf, all_or_nothing=all_or_nothing)
        if actual < size and not partial:
            raise PartialTransfer(0, f"reading process {self.pid} at {address:#x}",
                                  actual, bytes(buf[:actual]))
        return bytes(buf[:actual])

    def write(self, address: int, data: Buffer, *, all_or_nothing: bool = False,
              partial: bool = False) -> int:
        """Write @data at @address; returns the number of bytes written.

        Read-only private memory (program text) is written by
        copy-on-write when the module forces writes (Debian's default).
        A range that runs past writable memory writes the bytes before
        that point and raises PartialTransfer (.actual), or with
        partial=True returns the count.  With all_or_nothing, nothing is
        written unless all of it can be.
        """
        c_buf = _c_buffer(data)
        size = len(c_buf)
        base = ctypes.addressof(c_buf)
        options = _lib.MEMORY_ALL_OR_NOTHING if all_or_nothing else 0
        if all_or_nothing and size > _lib.MAX_TRANSFER:
            raise ValueError(f"all_or_nothing writes at most {_lib.MAX_TRANSFER} bytes")
        done = 0
        status = _lib.ZX_OK
        while done < size:
            n = min(size - done, _lib.MAX_TRANSFER)
            actual = _lib.size_t()
            status = _lib.lib().zxproc_process_write_memory_ex(
                self.handle, address + done, base + done, n, options, ctypes.byref(actual))
            if status != _lib.ZX_OK:
                if done == 0:
                    raise error(status, f"writing process {self.pid} at {address:#x}")
                break
            done += actual.value
            if actual.value < n:
                break
        if done < size and not partial:
            raise PartialTransfer(status, f"writing process {self.pid} at {address:#x}", done)
        return done

    def _batch(self, fn_name: str, segs: List[Tuple[int, ctypes.Array]],
               options: int, reading: bool) -> List[BatchResult]:
        """Segments through as few calls as the kernel's limits allow."""
        results: List[BatchResult] = []
        fn = getattr(_lib.lib(), fn_name)
        i = 0
        while i < len(segs):
            j, total = i, 0
            while (j < len(segs) and j - i < _lib.MEMORY_MAX_SEGMENTS
                   and total + len(segs[j][1]) <= _lib.MEMORY_MAX_BYTES):
                total += len(segs[j][1])
                j += 1
            if j == i:
                raise ValueError(f"a segment of {len(segs[i][1])} bytes is larger than "
                                 f"one call moves ({_lib.MEMORY_MAX_BYTES})")
            arr = (_lib.MemorySeg * (j - i))()
            for k, (addr, buf) in enumerate(segs[i:j]):
                arr[k].vaddr = addr
                arr[k].buffer = ctypes.addressof(buf)
                arr[k].size = len(buf)
            status = fn(self.handle, arr, j - i, options, None)
            if status != _lib.ZX_OK and status != -20:
                # -20 BAD_STATE: segments keep their own results.
                raise error(status, f"{fn_name}(process {self.pid})")
            for k, (addr, buf) in enumerate(segs[i:j]):
                data = buf.raw[:arr[k].actual] if reading else None
                results.append(BatchResult(addr, arr[k].status, arr[k].actual, data))
            i = j
        return results

    def read_batch(self, ranges: Iterable[Tuple[int, int]], *,
                   all_or_nothing: bool = False) -> List[BatchResult]:
        """Read many (address, size) ranges, up to 1024 ranges and 64 MiB
        per system call (zxproc_process_read_memory_batch).  Each range
        gets its own result, in order; a failed one (status != 0) does
        not stop the others, a process that exited or exec'd stops all
        after it."""
        segs = [(addr, ctypes.create_string_buffer(size)) for addr, size in ranges]
        if any(len(buf) == 0 for _, buf in segs):
            raise ValueError("a range of size 0")
        opts = _lib.MEMORY_ALL_OR_NOTHING if all_or_nothing else 0
        return self._batch("zxproc_process_read_memory_batch", segs, opts, True)

    def write_batch(self, items: Iterable[Tuple[int, Buffer]], *,
                    all_or_nothing: bool = False) -> List[BatchResult]:
        """Write many (address, data) items, as read_batch() reads."""
        segs = [(addr, _c_buffer(data)) for addr, data in items]
        if any(len(buf) == 0 for _, buf in segs):
            raise ValueError("an item without data")
        opts = _lib.MEMORY_ALL_OR_NOTHING if all_or_nothing else 0
        return self._batch("zxproc_process_write_memory_batch", segs, opts, False)

    def compare_exchange(self, address: int, size: int, expected: int, desired: int) -> int:
        """Atomically replace the @size-byte value at @address with
        @desired if it equals @expected; returns the value found there
        (the old value), so the swap happened iff the result == expected.

        @size is 1, 2, 4 or 8 and @address a multiple of it; the values
        are unsigned integers of that width as the target stores them
        (its byte order: what read_u64() and friends return).  The
        target's own atomic operations on the value are never lost
        (zxproc_process_compare_exchange(3)).  Needs READ and WRITE;
        ValueError for a bad size or a value that does not fit,
        InvalidArgs for an unaligned address, NotSupported on a module
        that predates the call (0.2), NoMemory where nothing is mapped.
        """
        if size not in (1, 2, 4, 8):
            raise ValueError("compare_exchange() takes 1, 2, 4 or 8 bytes")
        for name, v in (("expected", expected), ("desired", desired)):
            if not 0 <= v < 1 << (8 * size):
                raise ValueError(f"{name} {v} does not fit in {size} unsigned bytes")
        old = ctypes.c_uint64()
        _check(_lib.lib().zxproc_process_compare_exchange(self.handle, address, size,
                                                          expected, desired,
                                                          ctypes.byref(old)),
               f"compare-and-swap in process {self.pid} at {address:#x}")
        return old.value

    # --- typed values ---------------------------------------------------------
    def read_value(self, type_: str, address: int,
                   count: Optional[int] = None) -> Union[int, float, List[Union[int, float]]]:
        """One value of @type_ ("u8" ... "f64") at @address, or a list of
        @count of them."""
        size = struct.calcsize("=" + TYPES[type_])
        values = unpack(type_, self.read(address, size * (count or 1)))
        return values if count is not None else values[0]

    def write_value(self, type_: str, address: int,
                    value: Union[int, float, Sequence[Union[int, float]]]) -> None:
        """Write a value of @type_, or a sequence of them, at @address
        (struct.error when a value does not fit)."""
        values = list(value) if isinstance(value, (list, tuple)) else [value]
        self.write(address, pack(type_, *values))

    # --- mappings and search ----------------------------------------------------
    def maps(self) -> List[Mapping]:
        """The process's mappings, in address order."""
        return regions.read(self.pid, self.handle)

    def find(self, pattern: Union[bytes, str], *, regions: Optional[Sequence[str]] = None,
             align: int = 1, limit: Optional[int] = None, fault: bool = False) -> List[int]:
        """scan(...).matches: the addresses where @pattern is."""
        return self.scan(pattern, regions=regions, align=align, limit=limit,
                         fault=fault).matches

    def scan(self, pattern: Union[bytes, str], *, regions: Optional[Sequence[str]] = None,
             align: int = 1, limit: Optional[int] = None, fault: bool = False) -> ScanResult:
        """The addresses where @pattern (bytes, or str as UTF-8) is, in
        the readable mappings (only those named in @regions, e.g.
        ["[heap]"], if given), in address order.  Memory is read in
        batches; a match across two reads or two adjacent mappings is
        found.  Pages that are not resident (never touched, swapped out,
        file pages the process has not used) are passed over, so the
        process's memory and fault counts stay as they were; with
        fault=True they are read too, brought in as the process would
        bring them in (on a module without no-fault reads, 0.2, every
        page is read this way).  Memory that cannot be read (device
        memory, unmapped meanwhile) is skipped; BadState is raised if
        the process ends.  The result also counts what was read, what
        was passed over as not resident, and what could not be read.
        """
        pat = pattern.encode() if isinstance(pattern, str) else bytes(pattern)
        if not pat:
            raise ValueError("an empty pattern")
        if align < 1:
            raise ValueError("align must be 1 or more")
        maps = [m for m in self.maps() if m.readable
                and (regions is None or any(m.named(r) for r in regions))]
        found: List[int] = []
        counts = {"read": 0, "not_resident": 0, "unreadable": 0}

        def result() -> ScanResult:
            return ScanResult(found, len(maps), counts["read"], counts["not_resident"],
                              counts["unreadable"])

        tail, tail_end = b"", -1
        for address, data in self._scan(maps, 0 if fault else _SCAN_READ_OPTIONS, counts):
            if address == tail_end and tail:
                window, base = tail + data, address - len(tail)
            else:
                window, base = data, address
            at = window.find(pat)
            while at != -1:
                if (base + at) % align == 0:
                    found.append(base + at)
                    if limit is not None and len(found) >= limit:
                        return result()
                at = window.find(pat, at + 1)
            keep = len(pat) - 1
            tail = window[len(window) - keep:] if keep else b""
            tail_end = address + len(data) if data else -1
        return result()

    def _scan_batch(self, ranges: Sequence[Tuple[int, int]], options: List[int]):
        """One batch of find()'s reads; drops no-fault reads from
        @options (a one-element list) on a module that refuses them."""
        segs = [(addr, ctypes.create_string_buffer(size)) for addr, size in ranges]
        try:
            results = self._batch("zxproc_process_read_memory_batch", segs, options[0], True)
        except InvalidArgs:
            if not options[0] & _lib.MEMORY_NO_FAULT:
                raise
            options[0] &= ~_lib.MEMORY_NO_FAULT
            results = self._batch("zxproc_process_read_memory_batch", segs, options[0], True)
        for r in results:
            if r.status == -20 and self.info().exited:
                raise error(r.status, f"scanning process {self.pid} at {r.address:#x}")
        return results

    def _scan(self, maps: Sequence[Mapping], options: int,
              counts: dict) -> Iterator[Tuple[int, bytes]]:
        """(address, bytes) pieces of @maps, in address order.  A no-fault
        read stops at its first page that is not resident: the rest of
        that segment is read again page by page, and the pages that are
        not resident are left out.  Adds to @counts' read, not_resident
        and unreadable as scan() reports them."""
        def piece(r: BatchResult) -> Tuple[int, bytes]:
            data = r.data or b""
            counts["read"] += len(data)
            return r.address, data

        def stopped_at_absent_page(r: BatchResult) -> bool:
            return bool(opts[0] & _lib.MEMORY_NO_FAULT) and r.status in (
                _lib.ZX_OK, _lib.ZX_ERR_SHOULD_WAIT)

        opts = [options]
        ranges = []
        for m in maps:
            for at in range(m.start, m.end, _SCAN_SEG):
                ranges.append((at, min(_SCAN_SEG, m.end - at)))
        page = mmap.PAGESIZE
        for i in range(0, len(ranges), _SCAN_SEGS):
            batch = ranges[i:i + _SCAN_SEGS]
            for (addr, size), r in zip(batch, self._scan_batch(batch, opts)):
                yield piece(r)
                if r.actual == size:
                    continue
                if not stopped_at_absent_page(r):
                    counts["unreadable"] += size - r.actual
                    continue
                at, end = addr + r.actual, addr + size
                pages = []
                while at < end:
                    nxt = min(end, (at // page + 1) * page)
                    pages.append((at, nxt - at))
                    at = nxt
                for (_, psize), p in zip(pages, self._scan_batch(pages, opts)):
                    yield piece(p)
                    key = "not_resident" if stopped_at_absent_page(p) else "unreadable"
                    counts[key] += psize - p.actual

def _typed(type_: str):
    def reader(self: Process, address: int, count: Optional[int] = None):
        return self.read_value(type_, address, count)

    def writer(self: Process, address: int, value) -> None:
        self.write_value(type_, address, value)

    reader.__doc__ = f"read_value({type_!r}, address, count)"
    writer.__doc__ = f"write_value({type_!r}, address, value)"
    return reader, writer


for _t in TYPES:
    _r, _w = _typed(_t)
    setattr(Process, f"read_{_t}", _r)
    setattr(Process, f"write_{_t}", _w)


def module_version() -> Tuple[int, int, int]:
    """The loaded module's version (major, minor, patch); NotSupported
    when it is not loaded."""
    v = [ctypes.c_uint32() for _ in range(3)]
    _check(_lib.lib().zxproc_module_version(*(ctypes.byref(x) for x in v)),
           "zxproc_module_version()")
    return (v[0].value, v[1].value, v[2].value)

# SPDX-License-Identifier: LGPL-2.1-or-later
"""The target process of the package's tests: lays out memory with known
contents and shapes (through libc, so nothing of Python's moves it),
prints where, then waits for its standard input to close.

    python3 target.py NAME SEED DIR

NAME becomes its comm (for Process(NAME)).  Lines printed, then "ready":
    value ADDR    a uint32, 7
    buf ADDR      64 bytes, byte i == i
    edge ADDR     a read-write page (0x5a) whose next page is unmapped
    big ADDR      3 MiB: the 16-byte pattern of SEED (pattern() below) at
                  1 MiB - 7, across the boundary of two reads of find()
    sparse ADDR   DIR/sparse.bin, 1 MiB mapped private read-only, with
                  b"zxsparse" at 0x100 of its first page and of the page at
                  512 KiB; only the first page is read, so the other is in
                  the page cache but not mapped (fault-around maps at most
                  64 KiB around a fault)
"""

import ctypes
import sys

PAGE = 4096
PROT_RW = 3
MAP_PRIVATE_ANON = 0x02 | 0x20
PROT_READ = 1
MAP_PRIVATE = 0x02
PR_SET_NAME = 15


def pattern(seed: int, i: int) -> int:
    """Byte i of SEED's pattern: never built as one bytes object here."""
    return (seed * 131 + i * 29 + 17) & 0xFF


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int,
                          ctypes.c_int, ctypes.c_int, ctypes.c_long]
    libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    libc.malloc.restype = ctypes.c_void_p
    libc.prctl(PR_SET_NAME, sys.argv[1].encode(), 0, 0, 0)
    seed = int(sys.argv[2])

    value = libc.malloc(4)
    ctypes.c_uint32.from_address(value).value = 7
    buf = libc.malloc(64)
    for i in range(64):
        ctypes.c_uint8.from_address(buf + i).value = i
    big = libc.mmap(None, 3 << 20, PROT_RW, MAP_PRIVATE_ANON, -1, 0)
    for i in range(16):
        ctypes.c_uint8.from_address(big + (1 << 20) - 7 + i).value = pattern(seed, i)
    edge = libc.mmap(None, 2 * PAGE, PROT_RW, MAP_PRIVATE_ANON, -1, 0)
    ctypes.memset(edge, 0x5A, PAGE)
    libc.munmap(edge + PAGE, PAGE)
    with open(f"{sys.argv[3]}/sparse.bin", "wb+") as f:
        for i in range(256):
            f.write(b"\0" * 0x100 + (b"zxsparse" if i in (0, 128) else b"\0" * 8)
                    + b"\0" * (PAGE - 0x108))
        f.flush()
        sparse = libc.mmap(None, 256 * PAGE, PROT_READ, MAP_PRIVATE, f.fileno(), 0)
    ctypes.c_uint8.from_address(sparse).value  # the first page only
    print(f"value {value:#x}\nbuf {buf:#x}\nedge {edge:#x}\nbig {big:#x}\n"
          f"sparse {sparse:#x}\nready", flush=True)
    sys.stdin.read()


if __name__ == "__main__":
    main()

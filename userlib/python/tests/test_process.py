# SPDX-License-Identifier: LGPL-2.1-or-later
"""zxproc.Process against a live target (target.py), in the guest with
the module loaded: every call checked by its result and by the target's
memory read back through /proc/PID/mem."""

import array
import os
import struct
import subprocess
import sys

import pytest

import zxproc

PAGE = 4096


def test_open_by_pid_and_close(target):
    p = zxproc.Process(target.pid)
    fd = p.fileno()
    os.fstat(fd)
    assert repr(p) == f"<zxproc.Process pid={target.pid} handle {p.handle}>"
    p.close()
    assert p.closed
    with pytest.raises(OSError):
        os.fstat(fd)
    with pytest.raises(zxproc.BadHandle) as e:
        p.read(target.addr["buf"], 1)
    assert e.value.status == -11
    p.close()


def test_context_manager_closes(target):
    with zxproc.Process(target.pid) as p:
        fd = p.fileno()
        assert p.read(target.addr["buf"], 4) == b"\x00\x01\x02\x03"
    assert p.closed
    with pytest.raises(OSError):
        os.fstat(fd)


def test_open_by_name(target):
    with zxproc.Process(target.name) as p:
        assert p.pid == target.pid
        assert p.read(target.addr["buf"] + 8, 2) == b"\x08\x09"


def test_unknown_name():
    with pytest.raises(zxproc.ProcessNotFound):
        zxproc.Process("no-such-process-zx")


def test_ambiguous_name(target):
    # target.py's program is this interpreter: its file name is shared
    # with the other Python running, if any, and with a second target.
    twin = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                            stdin=subprocess.PIPE)
    try:
        name = os.path.basename(os.readlink(f"/proc/{target.pid}/exe"))
        with pytest.raises(zxproc.AmbiguousName) as e:
            zxproc.Process(name)
        pids = [pid for pid, _ in e.value.candidates]
        assert target.pid in pids and twin.pid in pids and os.getpid() not in pids
        assert f"{target.pid} {sys.executable}" in str(e.value)
    finally:
        twin.kill()
        twin.wait()
        twin.stdin.close()


def test_no_such_pid():
    gone = subprocess.Popen(["true"])
    gone.wait()
    with pytest.raises(zxproc.NotFound) as e:
        zxproc.Process(gone.pid)
    assert e.value.status == -25
    assert e.value.status_name == "ZX_ERR_NOT_FOUND"
    assert isinstance(e.value, zxproc.ZxError)


def test_kernel_thread():
    with pytest.raises(zxproc.WrongType):
        zxproc.Process(2)


def test_read_and_read_into(target):
    buf = target.addr["buf"]
    with zxproc.Process(target.pid, zxproc.Rights.READ) as p:
        assert p.read(buf + 16, 8) == bytes(range(16, 24))
        into = bytearray(10)
        assert p.read_into(buf + 20, memoryview(into)[2:6]) == 4
        assert into == b"\x00\x00" + bytes(range(20, 24)) + b"\x00" * 4
        words = array.array("I", [0, 0])
        assert p.read_into(buf + 24, words) == 8
        assert words.tolist() == list(struct.unpack("=II", bytes(range(24, 32))))
        with pytest.raises(TypeError):
            p.read_into(buf, b"read-only")


def test_write(target):
    buf = target.addr["buf"]
    with zxproc.Process(target.pid) as p:
        assert p.write(buf + 32, b"hello") == 5
        assert target.mem(buf + 32, 6) == b"hello\x25"
        assert p.write(buf + 40, bytearray(b"\xff\xee"), all_or_nothing=True) == 2
        assert target.mem(buf + 40, 3) == b"\xff\xee\x2a"


def test_read_only_handle_cannot_write(target):
    buf = target.addr["buf"]
    with zxproc.Process(target.pid, zxproc.Rights.READ) as p:
        with pytest.raises(zxproc.AccessDenied) as e:
            p.write(buf + 48, b"\x00")
        assert e.value.status == -30
    assert target.mem(buf + 48, 1) == b"\x30"


def test_typed(target):
    value = target.addr["value"]
    with zxproc.Process(target.pid) as p:
        assert p.read_u32(value) == 7
        p.write_u32(value, 0xDEADBEEF)
        assert target.mem(value, 4) == struct.pack("=I", 0xDEADBEEF)
        assert p.read_i32(value) == struct.unpack("=i", struct.pack("=I", 0xDEADBEEF))[0]
        p.write_i8(value, -2)
        assert target.mem(value, 1) == b"\xfe"
        assert p.read_u8(value, count=2) == [0xFE, 0xBE]
        p.write_f32(value, 1.5)
        assert p.read_f32(value) == 1.5
        assert target.mem(value, 4) == struct.pack("=f", 1.5)
        p.write_u16(value, [1, 2])
        assert p.read_u16(value, 2) == [1, 2]
        with pytest.raises(struct.error):
            p.write_u8(value, 256)
        assert target.mem(value, 4) == struct.pack("=HH", 1, 2)
    assert zxproc.pack("u32", 1000) == struct.pack("=I", 1000)
    assert zxproc.unpack("i16", struct.pack("=hh", -1, 5)) == [-1, 5]


def test_unmapped(target):
    with zxproc.Process(target.pid) as p:
        with pytest.raises(zxproc.NoMemory) as e:
            p.read(0x10, 4)
        assert e.value.status == -4
        with pytest.raises(zxproc.NoMemory):
            p.write(0x10, b"\x00")


def test_partial(target):
    edge = target.addr["edge"]
    with zxproc.Process(target.pid) as p:
        with pytest.raises(zxproc.PartialTransfer) as e:
            p.read(edge + PAGE - 4, 8)
        assert e.value.actual == 4 and e.value.data == b"\x5a" * 4
        assert p.read(edge + PAGE - 4, 8, partial=True) == b"\x5a" * 4
        with pytest.raises(zxproc.NoMemory):
            p.write(edge + PAGE - 2, b"\x01\x02\x03\x04", all_or_nothing=True)
        assert target.mem(edge + PAGE - 2, 2) == b"\x5a\x5a"
        assert p.write(edge + PAGE - 2, b"\x01\x02\x03\x04", partial=True) == 2
        assert target.mem(edge + PAGE - 2, 2) == b"\x01\x02"
        with pytest.raises(zxproc.PartialTransfer) as e:
            p.write(edge + PAGE - 1, b"\x03\x04")
        assert e.value.actual == 1
        assert target.mem(edge + PAGE - 1, 1) == b"\x03"


def test_batches(target):
    buf = target.addr["buf"]
    with zxproc.Process(target.pid) as p:
        r = p.read_batch([(buf, 2), (0x10, 4), (buf + 60, 4)])
        assert [(x.address, x.status, x.data) for x in r] == [
            (buf, 0, b"\x00\x01"), (0x10, -4, b""), (buf + 60, 0, bytes(range(60, 64)))]
        assert r[0].ok and not r[1].ok
        w = p.write_batch([(buf + 56, b"\xaa"), (0x10, b"\x00"), (buf + 58, b"\xbb")])
        assert [(x.status, x.actual) for x in w] == [(0, 1), (-4, 0), (0, 1)]
        assert target.mem(buf + 56, 3) == b"\xaa\x39\xbb"


def test_maps(target):
    with zxproc.Process(target.pid) as p:
        maps = p.maps()
    with open(f"/proc/{target.pid}/maps") as f:
        lines = f.read().splitlines()
    assert len(maps) == len(lines)
    edge = [m for m in maps if m.start <= target.addr["edge"] < m.end]
    assert len(edge) == 1 and edge[0].perms == "rw-p" and edge[0].size == PAGE
    assert edge[0].name == "" and edge[0].readable and edge[0].writable
    assert any(m.named("[stack]") for m in maps)
    exe = os.path.basename(os.readlink(f"/proc/{target.pid}/exe"))
    assert any(m.named(exe) for m in maps)


def test_maps_equal_proc(target):
    with zxproc.Process(target.pid) as p:
        maps = p.maps()
    with open(f"/proc/{target.pid}/maps") as f:
        assert maps == [zxproc.regions.parse_line(line) for line in f]


def test_maps_from_the_handle(target, monkeypatch):
    # With /proc/PID/maps unreadable the list is still the handle's:
    # names cut to their last component, private/shared unknown.
    def unreadable(pid):
        raise PermissionError(f"/proc/{pid}/maps")
    monkeypatch.setattr(zxproc.regions, "_proc", unreadable)
    with zxproc.Process(target.pid) as p:
        maps = p.maps()
    with open(f"/proc/{target.pid}/maps") as f:
        lines = [line for line in f if not line.rstrip().endswith("[vsyscall]")]
    assert [(m.start, m.end) for m in maps] == \
        [(x.start, x.end) for x in map(zxproc.regions.parse_line, lines)]
    edge = [m for m in maps if m.start == target.addr["edge"]]
    assert edge == [zxproc.Mapping(target.addr["edge"], target.addr["edge"] + PAGE,
                                   "rw-?", 0, 0, "")]
    assert [m.name for m in maps if m.start == target.addr["sparse"]] == ["sparse.bin"]
    with zxproc.Process(target.pid, zxproc.Rights.READ) as p:
        with pytest.raises(zxproc.AccessDenied):
            p.maps()


def test_find(target):
    big = target.addr["big"]
    want = big + (1 << 20) - 7
    pat = target.pattern()
    with zxproc.Process(target.pid, zxproc.Rights.READ | zxproc.Rights.INSPECT) as p:
        # Across two reads of 1 MiB: found once.
        assert p.find(pat) == [want]
        assert p.find(pat, align=want & -want) == [want]
        assert p.find(pat, align=2 * (want & -want)) == []
        assert p.find(pat, regions=["[stack]"]) == []
        # bytes 8-23 of buf, which no test writes; maybe elsewhere too.
        assert target.addr["buf"] + 8 in p.find(bytes(range(8, 24)))
        assert len(p.find(bytes(range(8, 24)), limit=1)) == 1
        with pytest.raises(ValueError):
            p.find(b"")


def _rss_and_minflt(pid):
    # VmRSS: sparse.bin's pages count as RssShmem where TMPDIR is tmpfs.
    with open(f"/proc/{pid}/status") as f:
        rss = [int(line.split()[1]) for line in f if line.startswith("VmRSS:")][0]
    with open(f"/proc/{pid}/stat") as f:
        minflt = int(f.read().rsplit(")", 1)[1].split()[7])
    return rss, minflt


def test_find_passes_over_pages_not_resident(target):
    sparse = target.addr["sparse"]
    with zxproc.Process(target.pid, zxproc.Rights.READ | zxproc.Rights.INSPECT) as p:
        before = _rss_and_minflt(target.pid)
        assert p.find(b"zxsparse", regions=["sparse.bin"]) == [sparse + 0x100]
        assert _rss_and_minflt(target.pid) == before
        assert p.find(b"zxsparse", regions=["sparse.bin"], fault=True) == \
            [sparse + 0x100, sparse + 0x80100]
        assert _rss_and_minflt(target.pid)[0] > before[0]


def test_scan_counts_what_it_passed_over(untouched):
    sparse = untouched.addr["sparse"]
    size = 1 << 20
    with zxproc.Process(untouched.pid, zxproc.Rights.READ | zxproc.Rights.INSPECT) as p:
        r = p.scan(b"zxsparse", regions=["sparse.bin"])
        assert r.matches == [sparse + 0x100]
        assert r.regions == 1
        # The first page is resident, at most fault-around's 64 KiB more.
        assert 4096 <= r.read <= 64 << 10
        assert r.read + r.not_resident == size
        assert r.unreadable == 0
        r = p.scan(b"zxsparse", regions=["sparse.bin"], fault=True)
        assert r == zxproc.ScanResult([sparse + 0x100, sparse + 0x80100], 1, size, 0, 0)
        assert p.scan(b"zxsparse", regions=["sparse.bin"], limit=1).matches == [sparse + 0x100]


def test_exit(doomed):
    with zxproc.Process(doomed.pid) as p:
        assert p.info() == zxproc.ProcessInfo(True, False, 0)
        doomed.proc.kill()
        doomed.proc.wait()
        with pytest.raises(zxproc.BadState) as e:
            p.read(doomed.addr["buf"], 4)
        assert e.value.status == -20
        assert p.info().exited


def test_module_version():
    with open("/sys/module/zxproc/version") as f:
        want = tuple(int(x) for x in f.read().split()[0].split(".")[:3])
    assert zxproc.module_version() == want


def test_compare_exchange(target):
    at = target.addr["edge"] + 0x200
    before = target.mem(at, 8)
    assert before == b"\x5a" * 8
    with zxproc.Process(target.pid) as p:
        # Not the value there: no swap, the old value back, nothing written.
        assert p.compare_exchange(at, 8, 0x1122334455667788, 1) == 0x5A5A5A5A5A5A5A5A
        assert target.mem(at, 8) == before
        # The value there: swapped, in the target's byte order.
        assert p.compare_exchange(at, 8, 0x5A5A5A5A5A5A5A5A, 0x1122334455667788) == \
            0x5A5A5A5A5A5A5A5A
        assert target.mem(at, 8) == struct.pack("=Q", 0x1122334455667788)
        half = struct.unpack("=H", target.mem(at + 4, 2))[0]
        assert p.compare_exchange(at + 4, 2, half, 0xBEEF) == half
        assert target.mem(at + 4, 2) == struct.pack("=H", 0xBEEF)
        last = target.mem(at + 7, 1)[0]
        assert p.compare_exchange(at + 7, 1, last, 0x99) == last
        assert target.mem(at + 7, 1) == b"\x99"
        after = target.mem(at, 8)
        with pytest.raises(zxproc.InvalidArgs):
            p.compare_exchange(at + 2, 4, 0, 1)
        with pytest.raises(ValueError):
            p.compare_exchange(at, 3, 0, 1)
        with pytest.raises(ValueError):
            p.compare_exchange(at, 1, 0, 256)
        assert target.mem(at, 8) == after
    with zxproc.Process(target.pid, zxproc.Rights.READ) as p:
        with pytest.raises(zxproc.AccessDenied):
            p.compare_exchange(at, 8, struct.unpack("=Q", after)[0], 0)
    assert target.mem(at, 8) == after

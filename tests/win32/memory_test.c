// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * WriteProcessMemory() and ReadProcessMemory() of <zxproc/win32.h>
 * through the real module.  A read that crosses into unmapped memory
 * reads nothing at all; a write writes up to the hole and fails with
 * ERROR_PARTIAL_COPY and that count, as Windows 10 and 11 do (Wine's
 * test_VirtualAllocEx); each is checked by reading the target back
 * independently (process_vm_readv), and contrasted with
 * zx_process_*_memory().  Then every error code, each followed by the
 * same check.
 */
#include <sys/mman.h>

#include <zxproc/win32.h>

#include "kselftest_harness.h"
#include "../userlib/target.h"
#include "../userlib/readback.h"

#define SENTINEL ((SIZE_T)0x5a5a5a5a)
#define SENTINEL_ERROR 0x5a5au
#define RW (PROCESS_VM_READ | PROCESS_VM_WRITE | PROCESS_VM_OPERATION)

FIXTURE(wpm) {
	pid_t pid;
	HANDLE h;		/* RW */
	uint8_t buf[PAGE];
	uint8_t *va;		/* target_region in the target */
};

FIXTURE_SETUP(wpm)
{
	self->pid = target_spawn();
	ASSERT_LT(0, self->pid);
	self->h = OpenProcess(RW, FALSE, (DWORD)self->pid);
	ASSERT_NE(NULL, self->h);
	memset(self->buf, 0xee, sizeof(self->buf));
	self->va = target_region;
	ASSERT_TRUE(target_untouched(self->pid));
	SetLastError(SENTINEL_ERROR);
}

FIXTURE_TEARDOWN(wpm)
{
	if (self->h != NULL)
		CloseHandle(self->h);
	target_reap(self->pid);
}

TEST_F(wpm, write_and_read_back)
{
	uint8_t in[100], got[100];
	SIZE_T n = SENTINEL;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)~i;
	/* Across the page boundary. */
	ASSERT_TRUE(WriteProcessMemory(self->h, self->va + PAGE - 50, in,
				       sizeof(in), &n));
	EXPECT_EQ(sizeof(in), n);
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)self->va + PAGE - 50, got,
			  sizeof(got)));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	memset(got, 0, sizeof(got));
	n = SENTINEL;
	ASSERT_TRUE(ReadProcessMemory(self->h, self->va + PAGE - 50, got,
				      sizeof(got), &n));
	EXPECT_EQ(sizeof(got), n);
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	/* Success leaves the last error alone. */
	EXPECT_EQ(SENTINEL_ERROR, GetLastError());
}

/* lpNumberOfBytesWritten and lpNumberOfBytesRead may be NULL. */
TEST_F(wpm, counts_are_optional)
{
	uint8_t got[4];

	EXPECT_TRUE(WriteProcessMemory(self->h, self->va + 8, "abcd", 4, NULL));
	EXPECT_TRUE(ReadProcessMemory(self->h, self->va + 8, got, 4, NULL));
	EXPECT_EQ(0, memcmp(got, "abcd", 4));
	/* Failing calls too. */
	EXPECT_FALSE(WriteProcessMemory(self->h, NULL, "abcd", 4, NULL));
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	EXPECT_FALSE(ReadProcessMemory(NULL, self->va, got, 4, NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
}

/* Two pages in the target's address space, the second one unmapped. */
static uint8_t *page_then_hole(void)
{
	uint8_t *map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED || munmap(map + PAGE, PAGE))
		return NULL;
	memset(map, 0x55, PAGE);
	return map;
}

/*
 * A write that crosses into an unmapped page writes what it can and
 * fails: Windows decides by the region at the base address (writable:
 * a plain write), and the write stops at the hole with
 * ERROR_PARTIAL_COPY and the count of bytes written, the count
 * NtWriteVirtualMemory gives.  zx_process_write_memory() on the same
 * range writes the same 8 bytes and succeeds (a short write).
 */
TEST_F(wpm, write_into_a_hole_is_a_partial_copy)
{
	uint8_t *map = page_then_hole(), in[32], got[16];
	size_t actual = 0;
	SIZE_T n = SENTINEL;
	pid_t pid;
	HANDLE h;

	ASSERT_NE(NULL, map);
	pid = target_spawn();		/* inherits the page and the hole */
	ASSERT_LT(0, pid);
	h = OpenProcess(RW, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, h);
	memset(in, 0x99, sizeof(in));

	EXPECT_FALSE(WriteProcessMemory(h, map + PAGE - 8, in, sizeof(in),
					&n));
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	EXPECT_EQ(8u, n);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map + PAGE - 16, got, 16));
	for (int i = 0; i < 16; i++) {
		EXPECT_EQ(i < 8 ? 0x55 : 0x99, got[i]) TH_LOG("byte %d", i);
	}

	/* The Zircon call, on the same range: a short write of 8 bytes. */
	EXPECT_EQ(ZX_OK, zx_process_write_memory((zx_handle_t)(uintptr_t)h,
						 (zx_vaddr_t)map + PAGE - 8,
						 in, sizeof(in), &actual));
	EXPECT_EQ(8u, actual);
	CloseHandle(h);
	target_reap(pid);
	munmap(map, PAGE);
}

/* A hole in the middle: the first page is written, the page after it is not. */
TEST_F(wpm, partial_copy_stops_at_a_hole_in_the_middle)
{
	uint8_t *map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	static uint8_t in[3 * PAGE], got[PAGE];
	SIZE_T n = SENTINEL;
	pid_t pid;
	HANDLE h;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	memset(map, 0x55, PAGE);
	memset(map + 2 * PAGE, 0x66, PAGE);
	pid = target_spawn();
	h = OpenProcess(PROCESS_VM_WRITE | PROCESS_VM_OPERATION, FALSE,
			(DWORD)pid);
	ASSERT_NE(NULL, h);
	memset(in, 0x99, sizeof(in));
	EXPECT_FALSE(WriteProcessMemory(h, map, in, sizeof(in), &n));
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	EXPECT_EQ((SIZE_T)PAGE, n);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map, got, PAGE));
	for (int i = 0; i < PAGE; i++) {
		ASSERT_EQ(0x99, got[i]) TH_LOG("first page, byte %d", i);
	}
	ASSERT_EQ(0, peek(pid, (uintptr_t)map + 2 * PAGE, got, PAGE));
	for (int i = 0; i < PAGE; i++) {
		ASSERT_EQ(0x66, got[i]) TH_LOG("last page, byte %d", i);
	}
	CloseHandle(h);
	target_reap(pid);
	munmap(map, PAGE);
	munmap(map + 2 * PAGE, PAGE);
}

/*
 * A read that crosses into an unmapped page fails with nothing read
 * (Windows documents the failure; zxproc also guarantees the count 0
 * and an untouched buffer), where zx_process_read_memory() reads 8.
 */
TEST_F(wpm, all_or_nothing_read)
{
	uint8_t *map = page_then_hole(), got[32];
	size_t actual = 0;
	SIZE_T n = SENTINEL;
	pid_t pid;
	HANDLE h;

	ASSERT_NE(NULL, map);
	pid = target_spawn();
	h = OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, h);
	memset(got, 0xcd, sizeof(got));
	EXPECT_FALSE(ReadProcessMemory(h, map + PAGE - 8, got, sizeof(got),
				       &n));
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	EXPECT_EQ(0u, n);
	for (size_t i = 0; i < sizeof(got); i++) {
		EXPECT_EQ(0xcd, got[i]) TH_LOG("byte %zu read", i);
	}
	EXPECT_EQ(ZX_OK, zx_process_read_memory((zx_handle_t)(uintptr_t)h,
						(zx_vaddr_t)map + PAGE - 8,
						got, sizeof(got), &actual));
	EXPECT_EQ(8u, actual);
	EXPECT_EQ(0x55, got[0]);
	CloseHandle(h);
	target_reap(pid);
	munmap(map, PAGE);
}

/* Nothing mapped at all, kernel addresses, and ranges that wrap. */
TEST_F(wpm, partial_copy_unmapped)
{
	const uintptr_t bad[] = {
		0, 0x1000, (uintptr_t)0x7ffffffff000ull,
		(uintptr_t)0xffff888000000000ull, UINTPTR_MAX - 3,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SIZE_T n = SENTINEL;

		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(WriteProcessMemory(self->h, (LPVOID)bad[i],
						self->buf, 8, &n))
			TH_LOG("write at %#lx", (unsigned long)bad[i]);
		EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
		EXPECT_EQ(0u, n);
		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(ReadProcessMemory(self->h, (LPCVOID)bad[i],
					       self->buf, 8, &n));
		EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	}
	EXPECT_EQ(0xee, self->buf[0]);
	EXPECT_TRUE(target_untouched(self->pid));
}

/*
 * The caller's buffer ends in a hole: the kernel pins the whole buffer
 * before anything is written, so the target is untouched and the count
 * is 0; the Zircon call without all or nothing writes the first 8
 * bytes.  The handle is checked before the buffer.
 */
TEST_F(wpm, noaccess_source_buffer)
{
	uint8_t *src = page_then_hole(), got[16];
	size_t actual = 0;
	SIZE_T n = SENTINEL;
	HANDLE ro;

	ASSERT_NE(NULL, src);
	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, src + PAGE - 8, 16,
					&n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_TRUE(target_untouched(self->pid));
	ro = OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)self->pid);
	ASSERT_NE(NULL, ro);
	n = SENTINEL;
	EXPECT_FALSE(WriteProcessMemory(ro, self->va, src + PAGE - 8, 16, &n));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_TRUE(CloseHandle(ro));
	EXPECT_TRUE(target_untouched(self->pid));
	/* NULL, and an address nothing is mapped at. */
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, NULL, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, src + PAGE, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_TRUE(target_untouched(self->pid));

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory((zx_handle_t)(uintptr_t)self->h,
					  (zx_vaddr_t)self->va, src + PAGE - 8,
					  16, &actual));
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)self->va, got, 16));
	EXPECT_EQ(0x55, got[0]);
	munmap(src, PAGE);
}

/*
 * A destination the caller cannot write; the target is only read.  One
 * that turns read-only part way is found before a byte is stored in it:
 * the count is 0 and the writable part untouched.
 */
TEST_F(wpm, noaccess_destination_buffer)
{
	uint8_t *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	uint8_t *half = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	SIZE_T n = SENTINEL;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, half);
	memset(half, 0xee, 2 * PAGE);
	ASSERT_EQ(0, mprotect(half + PAGE, PAGE, PROT_READ));
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, ro, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_EQ(0, ro[0]);
	n = SENTINEL;
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, half + PAGE - 8, 16,
				       &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	for (size_t i = 0; i < 2 * PAGE; i++)
		if (half[i] != 0xee)
			ASSERT_EQ(0xee, half[i]);
	munmap(half, 2 * PAGE);
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, NULL, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_TRUE(target_untouched(self->pid));
	munmap(ro, PAGE);
}

/* A shared read-only file mapping: mapped, but never writable. */
TEST_F(wpm, noaccess_read_only_shared_mapping)
{
	char path[] = "/tmp/zxproc-wpm-XXXXXX";
	char got[16];
	SIZE_T n = SENTINEL;
	int fd = mkstemp(path);
	void *map;
	pid_t pid;
	HANDLE h;

	ASSERT_LE(0, fd);
	ASSERT_EQ(16, write(fd, "file contents 16", 16));
	close(fd);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	pid = target_spawn();
	h = OpenProcess(RW, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, h);
	EXPECT_FALSE(WriteProcessMemory(h, map, "XXXX", 4, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	/* Refused by the protection: the count is left as it was. */
	EXPECT_EQ(SENTINEL, n);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map, got, 16));
	EXPECT_EQ(0, memcmp(got, "file contents 16", 16));
	ASSERT_EQ(16, pread(fd, got, 16, 0));
	EXPECT_EQ(0, memcmp(got, "file contents 16", 16));
	/* It can be read. */
	EXPECT_TRUE(ReadProcessMemory(h, map, got, 4, &n));
	CloseHandle(h);
	target_reap(pid);
	close(fd);
	unlink(path);
}

/*
 * Read-only data (PAGE_READONLY) is not written, as on Windows:
 * ERROR_NOACCESS, nothing written, and the count left as it was; the
 * Zircon call on the same handle, a debugger's, writes it by
 * copy-on-write (the target's copy changes, ours does not).
 */
static const uint64_t constant = 0x1122334455667788ull;

TEST_F(wpm, read_only_data_is_noaccess)
{
	uint64_t v = 0xdeadbeefcafef00dull, got;
	SIZE_T n = SENTINEL;
	size_t actual = 0;

	EXPECT_FALSE(WriteProcessMemory(self->h, (LPVOID)&constant, &v,
					sizeof(v), &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(SENTINEL, n);
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)&constant, &got, sizeof(got)));
	EXPECT_EQ(constant, got);
	EXPECT_EQ(ZX_OK, zx_process_write_memory((zx_handle_t)(uintptr_t)self->h,
						 (zx_vaddr_t)&constant, &v,
						 sizeof(v), &actual));
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)&constant, &got, sizeof(got)));
	EXPECT_EQ(v, got);
	EXPECT_EQ(0x1122334455667788ull, constant);
}

/* The pseudo-handle reaches the calling process, read and write. */
TEST_F(wpm, current_process_pseudo_handle)
{
	static uint8_t mine[16];
	uint8_t got[16];
	SIZE_T n = SENTINEL;

	EXPECT_EQ((HANDLE)(intptr_t)-1, GetCurrentProcess());
	ASSERT_TRUE(WriteProcessMemory(GetCurrentProcess(), mine, "0123456789abcdef",
				       16, &n));
	EXPECT_EQ(16u, n);
	EXPECT_EQ(0, memcmp(mine, "0123456789abcdef", 16));
	n = SENTINEL;
	ASSERT_TRUE(ReadProcessMemory((HANDLE)(intptr_t)-1, mine, got, 16, &n));
	EXPECT_EQ(16u, n);
	EXPECT_EQ(0, memcmp(got, "0123456789abcdef", 16));
	n = SENTINEL;
	EXPECT_TRUE(WriteProcessMemory(GetCurrentProcess(), mine, got, 0, &n));
	EXPECT_EQ(0u, n);
	/* Our own read-only data: refused as for any process. */
	n = SENTINEL;
	EXPECT_FALSE(WriteProcessMemory(GetCurrentProcess(), (LPVOID)&constant,
					got, 8, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(SENTINEL, n);
	EXPECT_EQ(0x1122334455667788ull, constant);
	/* Still usable: CloseHandle on it closes nothing. */
	EXPECT_TRUE(CloseHandle(GetCurrentProcess()));
	EXPECT_TRUE(ReadProcessMemory(GetCurrentProcess(), mine, got, 16, &n));
}

/*
 * Windows needs PROCESS_VM_WRITE and PROCESS_VM_OPERATION to write and
 * PROCESS_VM_READ to read; a handle short of them is refused by the
 * kernel, which never got the Zircon right.
 */
TEST_F(wpm, access_denied_without_access)
{
	const DWORD cannot_write[] = {
		PROCESS_VM_WRITE, PROCESS_VM_OPERATION, PROCESS_VM_READ,
		PROCESS_VM_READ | PROCESS_VM_WRITE,
		PROCESS_VM_READ | PROCESS_VM_OPERATION,
		PROCESS_QUERY_INFORMATION, 0,
	};
	const DWORD cannot_read[] = {
		PROCESS_VM_WRITE | PROCESS_VM_OPERATION, PROCESS_VM_OPERATION,
		PROCESS_QUERY_INFORMATION, 0,
	};
	uint8_t got[8];

	for (size_t i = 0; i < sizeof(cannot_write) / sizeof(DWORD); i++) {
		HANDLE h = OpenProcess(cannot_write[i], FALSE,
				       (DWORD)self->pid);
		SIZE_T n = SENTINEL;

		ASSERT_NE(NULL, h);
		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(WriteProcessMemory(h, self->va, self->buf, 8, &n))
			TH_LOG("access %#x", cannot_write[i]);
		EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
		EXPECT_EQ(0u, n);
		/* Even for nothing at all. */
		EXPECT_FALSE(WriteProcessMemory(h, self->va, self->buf, 0, &n));
		EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
		/* And the kernel refuses the Zircon call on it too. */
		EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
			  zx_process_write_memory((zx_handle_t)(uintptr_t)h,
						  (zx_vaddr_t)self->va,
						  self->buf, 8, &n));
		CloseHandle(h);
	}
	for (size_t i = 0; i < sizeof(cannot_read) / sizeof(DWORD); i++) {
		HANDLE h = OpenProcess(cannot_read[i], FALSE,
				       (DWORD)self->pid);
		SIZE_T n = SENTINEL;

		ASSERT_NE(NULL, h);
		memset(got, 0xcd, sizeof(got));
		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(ReadProcessMemory(h, self->va, got, 8, &n))
			TH_LOG("access %#x", cannot_read[i]);
		EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
		EXPECT_EQ(0u, n);
		EXPECT_EQ(0xcd, got[0]);
		CloseHandle(h);
	}
	EXPECT_TRUE(target_untouched(self->pid));
}

/* nSize 0 copies nothing and succeeds, with the right on the handle. */
TEST_F(wpm, zero_size)
{
	SIZE_T n = SENTINEL;

	EXPECT_TRUE(WriteProcessMemory(self->h, self->va, self->buf, 0, &n));
	EXPECT_EQ(0u, n);
	n = SENTINEL;
	EXPECT_TRUE(ReadProcessMemory(self->h, self->va, NULL, 0, &n));
	EXPECT_EQ(0u, n);
	EXPECT_FALSE(WriteProcessMemory(NULL, self->va, self->buf, 0, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_TRUE(target_untouched(self->pid));
}

/* More than the kernel's 64 MiB in one call. */
TEST_F(wpm, invalid_parameter_too_large)
{
	SIZE_T n = SENTINEL;

	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, self->buf,
					(64 << 20) + 1, &n));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(0u, n);
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, self->buf,
				       (SIZE_T)-1, &n));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_TRUE(target_untouched(self->pid));
}

/*
 * NULL, closed, out of range, and open descriptors that are not process
 * handles: /dev/null, the device itself, and a VMO.
 */
TEST_F(wpm, invalid_handle)
{
	HANDLE dup = OpenProcess(RW, FALSE, (DWORD)self->pid);
	zx_handle_t vmo;
	int fds[3];
	HANDLE bad[6];

	ASSERT_NE(NULL, dup);
	ASSERT_TRUE(CloseHandle(dup));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	fds[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	fds[1] = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	fds[2] = zxproc_handle_fd(vmo);
	bad[0] = NULL;
	bad[1] = dup;
	/* (HANDLE)-1 is GetCurrentProcess(); -2 is Windows' current thread. */
	bad[2] = (HANDLE)(intptr_t)-2;
	for (int i = 0; i < 3; i++) {
		ASSERT_LE(0, fds[i]);
		bad[3 + i] = (HANDLE)(uintptr_t)zxproc_handle_from_fd(fds[i]);
	}
	for (int i = 0; i < 6; i++) {
		SIZE_T n = SENTINEL;

		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(WriteProcessMemory(bad[i], self->va, self->buf, 8,
						&n)) TH_LOG("handle %d", i);
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
		EXPECT_EQ(0u, n);
		SetLastError(SENTINEL_ERROR);
		EXPECT_FALSE(ReadProcessMemory(bad[i], self->va, self->buf, 8,
					       &n));
		EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	}
	EXPECT_TRUE(target_untouched(self->pid));
	EXPECT_EQ(0xee, self->buf[0]);
	close(fds[0]);
	close(fds[1]);
	zx_handle_close(vmo);
}

/* The process exited (a zombie, then reaped): access is denied. */
TEST_F(wpm, access_denied_after_exit)
{
	SIZE_T n = SENTINEL;

	ASSERT_EQ(0, target_kill_unreaped(self->pid));
	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, self->buf, 8, &n));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, self->buf, 8, &n));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(ReadProcessMemory(self->h, self->va, self->buf, 0, &n));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	self->pid = 0;
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(WriteProcessMemory(self->h, self->va, self->buf, 8, &n));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
	EXPECT_EQ(0u, n);
}

/* Device memory (a VM_IO | VM_PFNMAP mapping of /dev/mem). */
TEST_F(wpm, noaccess_uncached)
{
	void *map = device_page(NULL);
	SIZE_T n = SENTINEL;
	pid_t pid;
	HANDLE h;

	if (map == MAP_FAILED)
		SKIP(return, "no device memory: %s", strerror(errno));
	pid = target_spawn();
	h = OpenProcess(RW, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, h);
	EXPECT_FALSE(ReadProcessMemory(h, map, self->buf, 8, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(WriteProcessMemory(h, map, self->buf, 8, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	CloseHandle(h);
	target_reap(pid);
	munmap(map, PAGE);
}

TEST_HARNESS_MAIN

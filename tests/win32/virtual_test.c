// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The WriteProcessMemory and ReadProcessMemory cases of Wine's
 * conformance test test_VirtualAllocEx (dlls/kernel32/tests/virtual.c),
 * which record what Windows 10 and 11 do, written anew for Linux: a
 * VirtualAllocEx'd region is a mapping made before the target is forked
 * (the target inherits it), and VirtualProtect(Ex) is the protection the
 * mapping has when the target is forked.  PAGE_READONLY is PROT_READ,
 * PAGE_EXECUTE_READ is PROT_READ | PROT_EXEC, PAGE_NOACCESS is
 * PROT_NONE.  Each case asserts the return value, GetLastError(), the
 * count, and the target's bytes read back through /proc/PID/mem (which
 * reads every mapping on these kernels).  Where Windows' versions differ
 * and Wine's test accepts either answer, the comment says which one
 * zxproc gives.  The last cases mix two protections in the region: what
 * WriteProcessMemory does there follows from the region at the base
 * address (kernelbase's WriteProcessMemory) and from the count Wine's
 * test asks of NtWriteVirtualMemory on the same range.
 */
#include <sys/mman.h>

#include <zxproc/win32.h>

#include "kselftest_harness.h"
#include "../userlib/target.h"

#define ALLOC 0x8000		/* Wine's alloc_size, 8 pages */
#define DEADBEEF ((SIZE_T)0xdeadbeef)
#define RW (PROCESS_VM_READ | PROCESS_VM_WRITE | PROCESS_VM_OPERATION)

/* The byte Wine's test puts at offset i of its source buffer. */
static uint8_t src_byte(size_t i)
{
	return (uint8_t)(i & 0xff);
}

/* What the target's region holds until something writes it. */
static uint8_t old_byte(size_t i)
{
	return (uint8_t)(0xa5 ^ (i >> 4));
}

FIXTURE(vae) {
	pid_t pid;
	HANDLE h;
	uint8_t *addr1;		/* the target's region, ALLOC bytes */
	uint8_t *src, *dst;	/* ours, ALLOC bytes each */
};

/* A region with the old bytes, then given @prot: "VirtualAllocEx". */
static uint8_t *region(int prot)
{
	uint8_t *p = mmap(NULL, ALLOC, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < ALLOC; i++)
		p[i] = old_byte(i);
	if (prot != (PROT_READ | PROT_WRITE) && mprotect(p, ALLOC, prot))
		return NULL;
	return p;
}

FIXTURE_SETUP(vae)
{
	self->pid = 0;
	self->h = NULL;
	self->src = region(PROT_READ | PROT_WRITE);
	self->dst = region(PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);
	for (size_t i = 0; i < ALLOC; i++)
		self->src[i] = src_byte(i);
}

FIXTURE_TEARDOWN(vae)
{
	if (self->h != NULL)
		CloseHandle(self->h);
	target_reap(self->pid);
}

/*
 * Fork the target with the region's first @first bytes given @prot0
 * and the rest @prot1: "VirtualProtectEx" on part of the region.
 */
static int start_mixed(FIXTURE_DATA(vae) *self, int prot0, size_t first,
		       int prot1)
{
	self->addr1 = region(prot0);
	if (self->addr1 == NULL ||
	    mprotect(self->addr1 + first, ALLOC - first, prot1))
		return -1;
	self->pid = target_spawn();
	if (self->pid <= 0)
		return -1;
	self->h = OpenProcess(RW, FALSE, (DWORD)self->pid);
	return self->h == NULL ? -1 : 0;
}

/* Fork the target now, with the region as it is, and open it. */
static int start(FIXTURE_DATA(vae) *self, int prot)
{
	return start_mixed(self, prot, ALLOC, prot);
}

/* Through /proc/PID/mem, which is forced: PROT_NONE pages read too. */
static int target_bytes(pid_t pid, const void *at, uint8_t *out, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = pread(fd, out, len, (off_t)(uintptr_t)at);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * -1 if the target's region holds src_byte in its first @written bytes
 * and old_byte after them; else the offset of the first that differs.
 */
static long region_differs_at(FIXTURE_DATA(vae) *self, size_t written)
{
	static uint8_t got[ALLOC];

	if (target_bytes(self->pid, self->addr1, got, ALLOC))
		return -2;
	for (size_t i = 0; i < ALLOC; i++)
		if (got[i] != (i < written ? src_byte(i) : old_byte(i)))
			return (long)i;
	return -1;
}

/* -1 if the target's region holds old_byte (or src_byte with @written) everywhere. */
static long region_differs(FIXTURE_DATA(vae) *self, bool written)
{
	return region_differs_at(self, written ? ALLOC : 0);
}

/* The first write and read of the test: PAGE_EXECUTE_READWRITE. */
TEST_F(vae, write_then_read_back)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_WRITE | PROT_EXEC));
	ASSERT_TRUE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ALLOC, n);
	n = DEADBEEF;
	ASSERT_TRUE(ReadProcessMemory(self->h, self->addr1, self->dst, ALLOC, &n));
	EXPECT_EQ(ALLOC, n);
	EXPECT_EQ(0, memcmp(self->src, self->dst, ALLOC));
	EXPECT_EQ(-1, region_differs(self, true));
}

/* "test 0 length": success, a count of 0, nothing moved. */
TEST_F(vae, zero_length)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_WRITE | PROT_EXEC));
	SetLastError(0xdeadbeef);
	EXPECT_TRUE(WriteProcessMemory(self->h, self->addr1, self->src, 0, &n));
	EXPECT_EQ(0u, n);
	n = DEADBEEF;
	EXPECT_TRUE(ReadProcessMemory(self->h, self->addr1, self->src, 0, &n));
	EXPECT_EQ(0u, n);
	EXPECT_EQ(0xdeadbeefu, GetLastError());
	EXPECT_EQ(-1, region_differs(self, false));
	EXPECT_EQ(src_byte(0), self->src[0]);
}

/*
 * "test invalid source buffers", first half: pages 2 and 3 of our
 * buffer are PAGE_NOACCESS.  A write from it fails, writing nothing
 * (ERROR_NOACCESS; Vista said ERROR_PARTIAL_COPY), count 0.  A read into
 * it fails; Windows 10 1607 and later say ERROR_PARTIAL_COPY with the
 * 0x2000 bytes that fit, earlier ones ERROR_NOACCESS with 0, and zxproc
 * the latter: the destination is found unwritable before a byte moves.
 */
TEST_F(vae, partly_unreadable_source)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(0, mprotect(self->src + 0x2000, 0x2000, PROT_NONE));
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_EQ(-1, region_differs(self, false));
	n = DEADBEEF;
	EXPECT_FALSE(ReadProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	/* Nothing stored in the part that was writable either. */
	for (size_t i = 0; i < 0x2000; i++) {
		ASSERT_EQ(src_byte(i), self->src[i]) TH_LOG("byte %zu", i);
	}
}

/* Second half: pages 0 to 3 are PAGE_NOACCESS; both fail with a count of 0. */
TEST_F(vae, unreadable_source)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(0, mprotect(self->src, 0x4000, PROT_NONE));
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_EQ(-1, region_differs(self, false));
	n = DEADBEEF;
	EXPECT_FALSE(ReadProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	ASSERT_EQ(0, mprotect(self->src, 0x4000, PROT_READ));
	for (size_t i = 0x4000; i < ALLOC; i++) {
		ASSERT_EQ(src_byte(i), self->src[i]) TH_LOG("byte %zu", i);
	}
}

/* A destination that is read-only from its first byte: nothing read. */
TEST_F(vae, unwritable_destination)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(0, mprotect(self->dst, ALLOC, PROT_READ));
	EXPECT_FALSE(ReadProcessMemory(self->h, self->addr1, self->dst, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_EQ(old_byte(0), self->dst[0]);
}

/*
 * "test readonly buffers": a PAGE_READONLY target is not written;
 * ERROR_NOACCESS, and the count is left as it was (0xdeadbeef).
 */
TEST_F(vae, read_only_target)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ));
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(DEADBEEF, n);
	EXPECT_EQ(-1, region_differs(self, false));
	/* One byte, and the last page alone: the same. */
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1 + ALLOC - 1, self->src, 1, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(DEADBEEF, n);
	EXPECT_EQ(-1, region_differs(self, false));
	/* It reads. */
	EXPECT_TRUE(ReadProcessMemory(self->h, self->addr1, self->dst, ALLOC, &n));
	EXPECT_EQ(ALLOC, n);
}

/* PAGE_EXECUTE_READ: written, as Windows writes code. */
TEST_F(vae, execute_read_target)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_READ | PROT_EXEC));
	EXPECT_TRUE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ALLOC, n);
	EXPECT_EQ(-1, region_differs(self, true));
	/* Our own copy of the region is another process's: unchanged. */
	EXPECT_EQ(old_byte(0), self->addr1[0]);
}

/*
 * PAGE_NOACCESS: ReadProcessMemory fails (ERROR_PARTIAL_COPY, nothing
 * read, count 0); WriteProcessMemory fails as for read-only memory.
 */
TEST_F(vae, no_access_target)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start(self, PROT_NONE));
	memset(self->dst, 0xcd, ALLOC);
	EXPECT_FALSE(ReadProcessMemory(self->h, self->addr1, self->dst, ALLOC, &n));
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError());
	EXPECT_EQ(0u, n);
	for (size_t i = 0; i < ALLOC; i++) {
		ASSERT_EQ(0xcd, self->dst[i]) TH_LOG("byte %zu", i);
	}
	n = DEADBEEF;
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(DEADBEEF, n);
	EXPECT_EQ(-1, region_differs(self, false));
}

/*
 * The whole region written from its base: fails with ERROR_PARTIAL_COPY,
 * @count bytes written (and counted), the rest as it was.
 */
#define EXPECT_PARTIAL_WRITE(count) do { \
	SIZE_T n_ = DEADBEEF; \
	SetLastError(0xdeadbeef); \
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1, self->src, ALLOC, &n_)); \
	EXPECT_EQ(ERROR_PARTIAL_COPY, GetLastError()); \
	EXPECT_EQ((SIZE_T)(count), n_); \
	EXPECT_EQ(-1, region_differs_at(self, (count))); \
} while (0)

/*
 * The second-to-last case: pages 0 and 1 PAGE_EXECUTE_READWRITE, the
 * rest PAGE_EXECUTE_READ.  The region at the base is writable, so
 * Windows writes it as it is and makes nothing else writable: the write
 * stops where the code begins.  Wine's test: WriteProcessMemory fails
 * (Windows 10 1507 and earlier succeeded), NtWriteVirtualMemory on the
 * same range is STATUS_PARTIAL_COPY with 0x2000 bytes written, and
 * WriteProcessMemory passes on that status (ERROR_PARTIAL_COPY) and
 * that count.
 */
TEST_F(vae, execute_readwrite_then_execute_read)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start_mixed(self, PROT_READ | PROT_WRITE | PROT_EXEC, 0x2000,
				 PROT_READ | PROT_EXEC));
	EXPECT_PARTIAL_WRITE(0x2000);
	/* The code alone, from its own first byte: written (forced). */
	n = DEADBEEF;
	EXPECT_TRUE(WriteProcessMemory(self->h, self->addr1 + 0x2000, self->src + 0x2000,
				       ALLOC - 0x2000, &n));
	EXPECT_EQ(ALLOC - 0x2000, n);
	EXPECT_EQ(-1, region_differs(self, true));
}

/*
 * The last case: pages 0 and 1 PAGE_EXECUTE_READWRITE, the rest
 * PAGE_READONLY.  The same: 0x2000 bytes written, ERROR_PARTIAL_COPY
 * with that count, the read-only part unchanged.
 */
TEST_F(vae, execute_readwrite_then_read_only)
{
	SIZE_T n = DEADBEEF;

	ASSERT_EQ(0, start_mixed(self, PROT_READ | PROT_WRITE | PROT_EXEC, 0x2000,
				 PROT_READ));
	EXPECT_PARTIAL_WRITE(0x2000);
	/* From the read-only part: refused, count left as it was. */
	n = DEADBEEF;
	EXPECT_FALSE(WriteProcessMemory(self->h, self->addr1 + 0x2000, self->src + 0x2000,
					ALLOC - 0x2000, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_EQ(DEADBEEF, n);
	EXPECT_EQ(-1, region_differs_at(self, 0x2000));
}

/*
 * Not in Wine's test, but kernelbase's rule: PAGE_EXECUTE_READ at the
 * base is made writable for the copy, that region only, so a range from
 * it into PAGE_READONLY writes the code and stops where the data begins;
 * and a range from writable data into code stops where the code begins.
 */
TEST_F(vae, execute_read_then_read_only)
{
	ASSERT_EQ(0, start_mixed(self, PROT_READ | PROT_EXEC, 0x3000, PROT_READ));
	EXPECT_PARTIAL_WRITE(0x3000);
}

TEST_F(vae, read_write_then_execute_read)
{
	ASSERT_EQ(0, start_mixed(self, PROT_READ | PROT_WRITE, 0x1000, PROT_READ | PROT_EXEC));
	EXPECT_PARTIAL_WRITE(0x1000);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Memory that is mapped but that the kernel's page pinning never
 * reaches for a given access, which the header names EACCES ("mapped but
 * cannot be accessed"), not ENOMEM ("nothing mapped"):
 *
 *  - a read-only private hugetlb mapping, for a write, up to 6.x: GUP
 *    did no copy-on-write on hugetlb, so FOLL_FORCE could not reach it
 *    (a writable one is written, a read-only one is read).  7.2's GUP
 *    does it (check_vma_flags() no longer refuses hugetlb), and a forced
 *    write then lands by copy-on-write, as through /proc/PID/mem: the
 *    tests ask /proc/self/mem which of the two this kernel does;
 *  - memfd_secret(2) memory, for any access: it is removed from the
 *    kernel's direct map, and GUP refuses it.
 *
 * The target is the test process itself (a process may always open
 * itself); every refused write is checked by reading the memory back
 * directly.
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif

/* Size of a default huge page from /proc/meminfo, or 0. */
static size_t huge_page_size(void)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t kib = 0;
	char line[128];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Hugepagesize: %zu kB", &kib) == 1)
			break;
	fclose(f);
	return kib * 1024;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static int write_long(const char *path, long v)
{
	FILE *f = fopen(path, "we");
	int ret;

	if (!f)
		return -errno;
	ret = fprintf(f, "%ld\n", v) < 0 ? -EIO : 0;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/*
 * Does a forced write through /proc/self/mem reach read-only private
 * memory at @p?  It writes back the byte that is there, so the contents
 * stay the same (the page becomes a private copy, if anything).
 */
static bool proc_mem_writes(uint8_t *p)
{
	int fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	uint8_t byte = *p;
	ssize_t n;

	if (fd < 0)
		return false;
	n = pwrite(fd, &byte, 1, (off_t)(uintptr_t)p);
	close(fd);
	return n == 1;
}

FIXTURE(hugetlb) {
	size_t size;
	long saved;
	uint8_t *p;
	int h;
};

FIXTURE_SETUP(hugetlb)
{
	self->p = MAP_FAILED;
	self->h = -1;
	self->size = huge_page_size();
	self->saved = read_long(NR_HUGEPAGES);
	if (!self->size || self->saved < 0)
		SKIP(return, "no hugetlbfs support in this kernel");
	/* Two: one for each mapping a test makes at a time. */
	if (self->saved < 2 && write_long(NR_HUGEPAGES, 2))
		SKIP(return, "cannot reserve huge pages (%s)", strerror(errno));
	if (read_long(NR_HUGEPAGES) < 2)
		SKIP(return, "the kernel gave fewer than 2 huge pages");
	self->p = mmap(NULL, self->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("MAP_HUGETLB: %s", strerror(errno));
	zx_fill(self->p, self->size, 3);
	self->h = zx_handle(getpid(), ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h) TH_LOG("handle: %s", strerror(-self->h));
}

FIXTURE_TEARDOWN(hugetlb)
{
	if (self->h >= 0)
		close(self->h);
	if (self->p != MAP_FAILED)
		munmap(self->p, self->size);
	if (self->saved >= 0 && self->saved < 2)
		write_long(NR_HUGEPAGES, self->saved);
}

/* Writable hugetlb memory is ordinary memory: written and read. */
TEST_F(hugetlb, writable_is_written)
{
	uint8_t buf[64], back[64];
	uint64_t actual;

	if (self->p == MAP_FAILED)
		return;		/* skipped by the setup */
	memset(buf, 0xc3, sizeof(buf));
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->p + 100), buf, sizeof(buf), &actual));
	ASSERT_EQ(sizeof(buf), actual);
	ASSERT_EQ(0, memcmp(self->p + 100, buf, sizeof(buf)));
	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->p + 100), back, sizeof(back), &actual));
	ASSERT_EQ(sizeof(back), actual);
	ASSERT_EQ(0, memcmp(back, buf, sizeof(buf)));
}

/*
 * Read-only: where GUP cannot force it (up to 6.x), a forced write is
 * refused with EACCES and nothing changes; where it can (7.2), the
 * write lands, as /proc/self/mem's does.
 */
TEST_F(hugetlb, readonly_write_as_proc_mem)
{
	uint8_t buf[64], back[64], *copy;
	uint64_t actual;

	if (self->p == MAP_FAILED)
		return;		/* skipped by the setup */
	copy = malloc(self->size);
	ASSERT_NE(NULL, copy);
	memcpy(copy, self->p, self->size);
	ASSERT_EQ(0, mprotect(self->p, self->size, PROT_READ));
	memset(buf, 0xc3, sizeof(buf));

	if (proc_mem_writes(self->p)) {
		ASSERT_EQ(0, memcmp(copy, self->p, self->size));
		EXPECT_EQ(0, zx_write(self->h, zx_ptr(self->p + 100), buf, sizeof(buf), &actual));
		EXPECT_EQ(sizeof(buf), actual);
		EXPECT_EQ(0, memcmp(self->p + 100, buf, sizeof(buf)));
		EXPECT_EQ(0, memcmp(self->p, copy, 100));
		EXPECT_EQ(0, memcmp(self->p + 164, copy + 164, self->size - 164));
		free(copy);
		return;
	}
	EXPECT_EQ(-EACCES, zx_write(self->h, zx_ptr(self->p + 100), buf, sizeof(buf), &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(-EACCES, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->p), buf,
				  sizeof(buf), ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(0, memcmp(copy, self->p, self->size));

	/* Reading it is allowed. */
	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->p + 100), back, sizeof(back), &actual));
	ASSERT_EQ(sizeof(back), actual);
	EXPECT_EQ(0, memcmp(back, copy + 100, sizeof(back)));
	free(copy);
}

/*
 * A write running from ordinary memory into read-only hugetlb memory
 * that GUP cannot force stops at the boundary: a short copy, as at any
 * inaccessible page; where it can (7.2, as /proc/self/mem shows), the
 * write goes on into it.
 */
TEST_F(hugetlb, readonly_hugetlb_boundary)
{
	size_t page = zx_page();
	uint8_t *before, buf[128];
	uint64_t actual;

	if (self->p == MAP_FAILED)
		return;		/* skipped by the setup */
	/* An ordinary page right below the huge page, if that is free. */
	before = mmap(self->p - page, page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (before == MAP_FAILED || before != self->p - page)
		SKIP(return, "the page below the huge page is taken");
	memset(before, 0x11, page);
	ASSERT_EQ(0, mprotect(self->p, self->size, PROT_READ));
	memset(buf, 0xc3, sizeof(buf));

	if (proc_mem_writes(self->p)) {
		ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->p - 64), buf, sizeof(buf), &actual));
		EXPECT_EQ(sizeof(buf), actual);
		EXPECT_EQ(0, memcmp(self->p - 64, buf, sizeof(buf)));
		EXPECT_EQ(zx_pattern_byte(3, 64), self->p[64]);
		munmap(before, page);
		return;
	}
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->p - 64), buf, sizeof(buf), &actual));
	EXPECT_EQ(64, actual);
	EXPECT_EQ(0, memcmp(self->p - 64, buf, 64));
	EXPECT_EQ(zx_pattern_byte(3, 0), self->p[0]);
	EXPECT_EQ(zx_pattern_byte(3, 63), self->p[63]);
	munmap(before, page);
}

FIXTURE(secret) {
	uint8_t *p;
	size_t size;
	int fd, h;
};

/*
 * The 6.1 harness runs a test's body even after its setup skipped it:
 * each body returns at once when its mapping was not made.
 */
FIXTURE_SETUP(secret)
{
	self->p = MAP_FAILED;
	self->h = -1;
	self->size = zx_page();
	self->fd = (int)syscall(SYS_memfd_secret, 0);
	if (self->fd < 0 && (errno == ENOSYS || errno == EOPNOTSUPP))
		SKIP(return, "memfd_secret is not available: %s", strerror(errno));
	ASSERT_LE(0, self->fd) TH_LOG("memfd_secret: %s", strerror(errno));
	ASSERT_EQ(0, ftruncate(self->fd, (off_t)self->size));
	self->p = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	/* Secret memory is locked memory: RLIMIT_MEMLOCK may refuse it. */
	if (self->p == MAP_FAILED && (errno == EAGAIN || errno == ENOMEM))
		SKIP(return, "cannot map secret memory: %s", strerror(errno));
	ASSERT_NE(MAP_FAILED, self->p) TH_LOG("mmap: %s", strerror(errno));
	memset(self->p, 0x5e, self->size);
	self->h = zx_handle(getpid(), ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h) TH_LOG("handle: %s", strerror(-self->h));
}

FIXTURE_TEARDOWN(secret)
{
	if (self->h >= 0)
		close(self->h);
	if (self->p != MAP_FAILED)
		munmap(self->p, self->size);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(secret, write_and_read_eacces)
{
	uint8_t buf[32];
	uint64_t actual;
	size_t i;

	if (self->p == MAP_FAILED)
		return;		/* skipped by the setup */
	memset(buf, 0xc3, sizeof(buf));
	EXPECT_EQ(-EACCES, zx_write(self->h, zx_ptr(self->p), buf, sizeof(buf), &actual));
	EXPECT_EQ(0, actual);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(-EACCES, zx_read(self->h, zx_ptr(self->p), buf, sizeof(buf), &actual));
	EXPECT_EQ(0, actual);
	for (i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0, buf[i]);
	for (i = 0; i < self->size; i++)
		ASSERT_EQ(0x5e, self->p[i]);
}

TEST_HARNESS_MAIN

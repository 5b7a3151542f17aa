// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_READ: the same rules as WRITE, seen from the other side.
 * The target holds its own patterns (zx_layout_prep), different from the
 * caller's copies, so a read that returned the caller's own memory
 * fails.  Destination buffers start filled with 0xAA, so every byte a
 * read must not touch is checked, and the target is checked unchanged.
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define FILL 0xaa

FIXTURE(rd) {
	int dev, h;
	pid_t target;
	size_t page;
	struct zx_layout l;
	size_t buflen;
	uint8_t *buf;		/* ZX_BIG_PAGES + 2 pages of FILL */
	uint8_t *halfbuf;	/* a writable page, then a read-only one */
};

FIXTURE_SETUP(rd)
{
	self->page = zx_page();
	self->buflen = (ZX_BIG_PAGES + 2) * self->page;
	self->buf = mmap(NULL, self->buflen, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, FILL, self->buflen);
	self->halfbuf = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->halfbuf);
	memset(self->halfbuf, FILL, 2 * self->page);
	ASSERT_EQ(0, mprotect(self->halfbuf + self->page, self->page, PROT_READ));
	ASSERT_EQ(0, zx_layout_target_open(&self->l, &self->target, &self->dev, &self->h));
}

FIXTURE_TEARDOWN(rd)
{
	zx_layout_target_close(self->target, self->dev, self->h);
}

/* @buf[@off, @off + @len) holds the target pattern @seed from @from. */
static bool holds(const uint8_t *buf, size_t len, unsigned int seed, size_t from)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != zx_pattern_byte(seed, from + i))
			return false;
	return true;
}

/* Reads change nothing: the target and our copies keep their patterns. */
#define ASSERT_NOTHING_CHANGED() do { \
	const char *what = zx_layout_differs(self->target, &self->l, true); \
	ASSERT_EQ(NULL, what) TH_LOG("target %s changed", what); \
	what = zx_layout_differs(getpid(), &self->l, false); \
	ASSERT_EQ(NULL, what) TH_LOG("our %s changed", what); \
} while (0)

TEST_F(rd, read_inside_a_mapping)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->l.region + self->page - 3),
			     self->buf + 1, 100, &actual));
	EXPECT_EQ(100U, actual);
	EXPECT_TRUE(holds(self->buf + 1, 100, ZX_T_REGION, self->page - 3));
	EXPECT_EQ(FILL, self->buf[0]);
	EXPECT_EQ(-1, zx_not_all(self->buf + 101, FILL, self->buflen - 101));
	ASSERT_NOTHING_CHANGED();
}

/* Memory the target never touched reads as zeros. */
TEST_F(rd, untouched_anonymous_memory_reads_zero)
{
	uint8_t *fresh = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, fresh);
	t = zx_target();
	ASSERT_LT(0, t);
	h = zx_open(self->dev, t, ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_read(h, zx_ptr(fresh), self->buf, 4 * self->page, &actual));
	EXPECT_EQ(4 * self->page, actual);
	EXPECT_EQ(-1, zx_not_all(self->buf, 0, 4 * self->page));
	close(h);
	zx_reap(t);
}

TEST_F(rd, partial_read_stops_at_unmapped_page)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->l.gap + 1000), self->buf,
			     3 * self->page - 1000, &actual));
	EXPECT_EQ(self->page - 1000, actual);
	EXPECT_TRUE(holds(self->buf, actual, ZX_T_GAP_A, 1000));
	EXPECT_EQ(-1, zx_not_all(self->buf + actual, FILL, self->buflen - actual));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, partial_read_after_many_pages)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->l.big + 7), self->buf,
			     (ZX_BIG_PAGES + 1) * self->page, &actual));
	EXPECT_EQ(ZX_BIG_PAGES * self->page - 7, actual);
	EXPECT_TRUE(holds(self->buf, actual, ZX_T_BIG, 7));
	EXPECT_EQ(-1, zx_not_all(self->buf + actual, FILL, self->buflen - actual));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, first_byte_unmapped_is_enomem)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-ENOMEM, zx_read(self->h, zx_ptr(self->l.gap + self->page),
				   self->buf, 2 * self->page, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_read(self->h, 0, self->buf, 16, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, self->buflen));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, beyond_user_space_and_wrapping_are_enomem)
{
	static const uint64_t addrs[] = {
		(1ULL << 47) - 4096, 1ULL << 47, 1ULL << 56,
		0xffff800000000000ULL, 0xffffffffff600000ULL, ~0ULL - 10, ~0ULL,
	};
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t actual = ZX_SENTINEL;

		EXPECT_EQ(-ENOMEM, zx_read(self->h, addrs[i], self->buf, 100, &actual))
			TH_LOG("addr %#llx", (unsigned long long)addrs[i]);
		EXPECT_EQ(0U, actual);
	}
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, self->buflen));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, bad_arguments_are_einval)
{
	const struct {
		uint64_t len, buf;
		uint32_t flags, reserved;
	} bad[] = {
		{ 0, zx_ptr(self->buf), 0, 0 },
		{ ZXPROC_MAX_TRANSFER + 1, zx_ptr(self->buf), 0, 0 },
		{ ~0ULL, zx_ptr(self->buf), 0, 0 },
		{ 64, 0, 0, 0 },
		{ 64, zx_ptr(self->buf), ZX_MEM_UNKNOWN_FLAG, 0 },
		{ 64, zx_ptr(self->buf), ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC, 0 },
		{ 64, zx_ptr(self->buf), 1u << 31, 0 },
		{ 64, zx_ptr(self->buf), 0, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zxproc_mem req = {
			.addr = zx_ptr(self->l.region), .buf = bad[i].buf,
			.len = bad[i].len, .flags = bad[i].flags,
			.reserved = bad[i].reserved, .actual = ZX_SENTINEL,
		};

		EXPECT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_READ, &req)) TH_LOG("case %zu", i);
		EXPECT_EQ(ZX_SENTINEL, req.actual) TH_LOG("case %zu", i);
	}
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, self->buflen));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, write_only_handle_is_eacces)
{
	uint64_t actual = ZX_SENTINEL;
	int wo = zx_open(self->dev, self->target, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_DUPLICATE);

	ASSERT_LE(0, wo);
	EXPECT_EQ(-EACCES, zx_read(wo, zx_ptr(self->l.region), self->buf, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, self->buflen));
	close(wo);
	ASSERT_NOTHING_CHANGED();
}

/* The caller's buffer turns read-only halfway: EFAULT after that much. */
TEST_F(rd, unwritable_destination_stops_with_efault)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-EFAULT, zx_read(self->h, zx_ptr(self->l.region + 10),
				   self->halfbuf + 100, 2 * self->page - 100, &actual));
	EXPECT_EQ(self->page - 100, actual);
	EXPECT_TRUE(holds(self->halfbuf + 100, self->page - 100, ZX_T_REGION, 10));
	EXPECT_EQ(-1, zx_not_all(self->halfbuf, FILL, 100));
	EXPECT_EQ(-1, zx_not_all(self->halfbuf + self->page, FILL, self->page));
	ASSERT_NOTHING_CHANGED();
}

/* A destination in kernel memory: EFAULT, and the kernel survives. */
TEST_F(rd, kernel_or_unmapped_destination_is_efault)
{
	static const uint64_t bufs[] = {
		0xffff888000000000ULL, 0xffffffff81000000ULL, 4096,
	};
	size_t i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		struct zxproc_mem req = {
			.addr = zx_ptr(self->l.region), .buf = bufs[i],
			.len = 256, .actual = ZX_SENTINEL,
		};

		EXPECT_EQ(-EFAULT, zx_ioctl(self->h, ZXPROC_IOC_READ, &req))
			TH_LOG("buf %#llx", (unsigned long long)bufs[i]);
		EXPECT_EQ(0U, req.actual);
	}
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, all_or_nothing_across_a_hole_reads_nothing)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-ENOMEM, zx_mem(self->h, ZXPROC_IOC_READ, zx_ptr(self->l.big),
				  self->buf, (ZX_BIG_PAGES + 1) * self->page,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, self->buflen));
	ASSERT_NOTHING_CHANGED();
}

/*
 * All or nothing and a destination that turns read-only halfway: the
 * caller's buffer is pinned writable before anything is copied, so
 * EFAULT with nothing stored in it, where options 0 fills the writable
 * page (unwritable_destination_stops_with_efault).
 */
TEST_F(rd, all_or_nothing_unwritable_destination_stores_nothing)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-EFAULT, zx_mem(self->h, ZXPROC_IOC_READ, zx_ptr(self->l.region + 10),
				  self->halfbuf + 100, self->page - 100 + 1,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(self->halfbuf, FILL, 2 * self->page));
	ASSERT_NOTHING_CHANGED();
}

TEST_F(rd, all_or_nothing_fully_mapped_reads_all)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_mem(self->h, ZXPROC_IOC_READ, zx_ptr(self->l.big + 3),
			    self->buf, ZX_BIG_PAGES * self->page - 3,
			    ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(ZX_BIG_PAGES * self->page - 3, actual);
	EXPECT_TRUE(holds(self->buf, actual, ZX_T_BIG, 3));
	EXPECT_EQ(-1, zx_not_all(self->buf + actual, FILL, self->buflen - actual));
	ASSERT_NOTHING_CHANGED();
}

TEST_F_TIMEOUT(rd, max_transfer_64mib, 300)
{
	size_t len = ZXPROC_MAX_TRANSFER;
	uint8_t *region, *dst;
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	/* The target's 64 MiB: pattern 41, inherited. */
	region = zx_map(len, PROT_READ | PROT_WRITE, 41);
	ASSERT_NE(MAP_FAILED, region);
	dst = mmap(NULL, len + self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	memset(dst + len, FILL, self->page);
	t = zx_target();
	ASSERT_LT(0, t);
	/* Now change ours, so that only the target still holds pattern 41. */
	memset(region, 0, len);
	h = zx_open(self->dev, t, ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);

	EXPECT_EQ(-EINVAL, zx_read(h, zx_ptr(region), dst, len + 1, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-1, zx_not_all(dst, 0, len));
	ASSERT_EQ(0, zx_read(h, zx_ptr(region), dst, len, &actual));
	EXPECT_EQ((uint64_t)len, actual);
	EXPECT_TRUE(holds(dst, len, 41, 0));
	EXPECT_EQ(-1, zx_not_all(dst + len, FILL, self->page));
	close(h);
	zx_reap(t);
}

TEST_HARNESS_MAIN

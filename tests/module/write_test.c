// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_WRITE, rule by rule as uapi/linux/zxproc.h states them.
 * Every test ends by comparing the target's whole layout (read through
 * /proc/PID/mem) with what the rule says it must now hold, and checking
 * that the caller's own copies were not written instead.
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define MIB (1ULL << 20)

FIXTURE(wr) {
	int dev, h;
	pid_t target;
	size_t page;
	struct zx_layout l;
	uint8_t *src;		/* ZX_BIG_PAGES + 1 pages, pattern 11 */
	uint8_t *halfsrc;	/* a page of pattern 12, then a PROT_NONE page */
	struct zx_layout_want want;	/* what the target must hold */
};

FIXTURE_SETUP(wr)
{
	self->page = zx_page();
	/* Our own buffers first: they must not land in the layout's holes. */
	self->src = zx_map((ZX_BIG_PAGES + 1) * self->page, PROT_READ, 11);
	ASSERT_NE(MAP_FAILED, self->src);
	self->halfsrc = zx_map(2 * self->page, PROT_READ | PROT_WRITE, 12);
	ASSERT_NE(MAP_FAILED, self->halfsrc);
	ASSERT_EQ(0, mprotect(self->halfsrc + self->page, self->page, PROT_NONE));
	ASSERT_EQ(0, zx_layout_want_init(&self->want, self->page));
	ASSERT_EQ(0, zx_layout_target_open(&self->l, &self->target, &self->dev, &self->h));
}

FIXTURE_TEARDOWN(wr)
{
	zx_layout_target_close(self->target, self->dev, self->h);
}

/*
 * The target holds exactly self->want, and our own copies of the layout
 * were not written.
 */
#define ASSERT_TARGET_AS_WANTED() do { \
	const char *what = zx_layout_want_differs(self->target, &self->l, &self->want); \
	ASSERT_EQ(NULL, what) TH_LOG("target %s differs", what); \
	what = zx_layout_differs(getpid(), &self->l, false); \
	ASSERT_EQ(NULL, what) TH_LOG("our %s differs", what); \
} while (0)

TEST_F(wr, write_inside_a_mapping)
{
	uint64_t actual = ZX_SENTINEL;

	/* Across a page boundary, at odd offsets. */
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->l.region + self->page - 3),
			      self->src + 5, 100, &actual));
	EXPECT_EQ(100U, actual);
	memcpy(self->want.region + self->page - 3, self->src + 5, 100);
	ASSERT_TARGET_AS_WANTED();

	/* One byte. */
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->l.region), self->src + 1000, 1, &actual));
	EXPECT_EQ(1U, actual);
	self->want.region[0] = self->src[1000];
	ASSERT_TARGET_AS_WANTED();
}

/* Only @actual is written back; the rest of the struct is the caller's. */
TEST_F(wr, only_actual_is_written_back)
{
	struct zxproc_mem req = {
		.addr = zx_ptr(self->l.region), .buf = zx_ptr(self->src),
		.len = 64, .actual = ZX_SENTINEL,
	};
	struct zxproc_mem sent = req;

	ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_WRITE, &req));
	EXPECT_EQ(64U, req.actual);
	req.actual = sent.actual;
	EXPECT_EQ(0, memcmp(&sent, &req, sizeof(req)));
	memcpy(self->want.region, self->src, 64);
	ASSERT_TARGET_AS_WANTED();
}

/* A range running into a hole: short success, nothing past the hole. */
TEST_F(wr, partial_write_stops_at_unmapped_page)
{
	uint64_t actual = ZX_SENTINEL;

	/* gap[0] from byte 1000, through the hole, into gap[2]. */
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->l.gap + 1000), self->src,
			      3 * self->page - 1000, &actual));
	EXPECT_EQ(self->page - 1000, actual);
	memcpy(self->want.gap_a + 1000, self->src, self->page - 1000);
	ASSERT_TARGET_AS_WANTED();
}

/* The same after many pinning batches: 100 pages, then the hole. */
TEST_F(wr, partial_write_after_many_pages)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->l.big + 7), self->src,
			      (ZX_BIG_PAGES + 1) * self->page, &actual));
	EXPECT_EQ(ZX_BIG_PAGES * self->page - 7, actual);
	memcpy(self->want.big + 7, self->src, ZX_BIG_PAGES * self->page - 7);
	ASSERT_TARGET_AS_WANTED();
}

/* The range ends exactly at the hole: a complete write, not a short one. */
TEST_F(wr, write_ending_at_the_hole_is_complete)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->l.gap), self->src, self->page, &actual));
	EXPECT_EQ(self->page, actual);
	memcpy(self->want.gap_a, self->src, self->page);
	ASSERT_TARGET_AS_WANTED();
}

/* Nothing mapped at the first byte: ENOMEM, even with mapped bytes after. */
TEST_F(wr, first_byte_unmapped_is_enomem)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-ENOMEM, zx_write(self->h, zx_ptr(self->l.gap + self->page),
				    self->src, 2 * self->page, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_write(self->h, zx_ptr(self->l.gap + 2 * self->page - 1),
				    self->src, 2, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_write(self->h, zx_ptr(self->l.big + ZX_BIG_PAGES * self->page),
				    self->src, 1, &actual));
	EXPECT_EQ(0U, actual);
	/* Page 0 is never mapped (mmap_min_addr). */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_write(self->h, 0, self->src, 16, &actual));
	EXPECT_EQ(0U, actual);
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(wr, beyond_user_space_and_wrapping_are_enomem)
{
	static const uint64_t addrs[] = {
		(1ULL << 47) - 4096,	/* the top page, never user space */
		(1ULL << 47) - 1,
		1ULL << 47,
		1ULL << 56,
		0x0000800000000000ULL + 123,
		0xffff800000000000ULL,	/* the kernel's direct map */
		0xffffffffff600000ULL,	/* the vsyscall page */
		~0ULL - 10,		/* wraps around with len 100 */
		~0ULL,
	};
	size_t i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		uint64_t actual = ZX_SENTINEL;

		EXPECT_EQ(-ENOMEM, zx_write(self->h, addrs[i], self->src, 100, &actual))
			TH_LOG("addr %#llx", (unsigned long long)addrs[i]);
		EXPECT_EQ(0U, actual) TH_LOG("addr %#llx", (unsigned long long)addrs[i]);
	}
	ASSERT_TARGET_AS_WANTED();
}

/* Bad arguments: EINVAL, nothing written, and @actual not written back. */
TEST_F(wr, bad_arguments_are_einval)
{
	const struct {
		uint64_t len, buf;
		uint32_t flags, reserved;
	} bad[] = {
		{ 0, zx_ptr(self->src), 0, 0 },
		{ ZXPROC_MAX_TRANSFER + 1, zx_ptr(self->src), 0, 0 },
		{ 1ULL << 32, zx_ptr(self->src), 0, 0 },
		{ ~0ULL, zx_ptr(self->src), 0, 0 },
		{ 64, 0, 0, 0 },
		{ 64, zx_ptr(self->src), ZX_MEM_UNKNOWN_FLAG, 0 },
		{ 64, zx_ptr(self->src), ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC, 0 },
		{ 64, zx_ptr(self->src), 1u << 31, 0 },
		{ 64, zx_ptr(self->src), ZXPROC_MEM_ALL_OR_NOTHING | ZX_MEM_UNKNOWN_FLAG, 0 },
		{ 64, zx_ptr(self->src), 0, 1 },
		{ 64, zx_ptr(self->src), 0, 1u << 31 },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zxproc_mem req = {
			.addr = zx_ptr(self->l.region), .buf = bad[i].buf,
			.len = bad[i].len, .flags = bad[i].flags,
			.reserved = bad[i].reserved, .actual = ZX_SENTINEL,
		};

		EXPECT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_WRITE, &req)) TH_LOG("case %zu", i);
		EXPECT_EQ(ZX_SENTINEL, req.actual) TH_LOG("case %zu", i);
	}
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(wr, read_only_handle_is_eacces)
{
	uint64_t actual = ZX_SENTINEL;
	int ro = zx_open(self->dev, self->target,
			 ZXPROC_RIGHTS_ALL & ~ZXPROC_RIGHT_WRITE);

	ASSERT_LE(0, ro);
	EXPECT_EQ(-EACCES, zx_write(ro, zx_ptr(self->l.region), self->src, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	/* The rights are checked whatever the address. */
	EXPECT_EQ(-EACCES, zx_write(ro, zx_ptr(self->l.gap + self->page), self->src, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	close(ro);
	ASSERT_TARGET_AS_WANTED();
}

/*
 * The caller's buffer turns unreadable halfway: EFAULT, @actual counts
 * what reached the target, and the target past it is untouched (the
 * kernel must not zero-fill the rest, as copy_from_user() would).
 */
TEST_F(wr, unreadable_source_stops_with_efault)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-EFAULT, zx_write(self->h, zx_ptr(self->l.region + 10),
				    self->halfsrc + 100, 2 * self->page - 100, &actual));
	EXPECT_EQ(self->page - 100, actual);
	memcpy(self->want.region + 10, self->halfsrc + 100, self->page - 100);
	ASSERT_TARGET_AS_WANTED();

	/* Unreadable from the first byte. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EFAULT, zx_write(self->h, zx_ptr(self->l.region), self->halfsrc + self->page,
				    64, &actual));
	EXPECT_EQ(0U, actual);
	ASSERT_TARGET_AS_WANTED();
}

/* A source in kernel memory or nowhere at all: EFAULT, nothing written. */
TEST_F(wr, kernel_or_unmapped_source_is_efault)
{
	static const uint64_t bufs[] = {
		0xffff888000000000ULL,	/* the direct map */
		0xffffffff81000000ULL,	/* kernel text */
		4096,			/* below mmap_min_addr */
		(1ULL << 47) - 4096,
	};
	size_t i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		struct zxproc_mem req = {
			.addr = zx_ptr(self->l.region), .buf = bufs[i],
			.len = 256, .actual = ZX_SENTINEL,
		};

		EXPECT_EQ(-EFAULT, zx_ioctl(self->h, ZXPROC_IOC_WRITE, &req))
			TH_LOG("buf %#llx", (unsigned long long)bufs[i]);
		EXPECT_EQ(0U, req.actual);
	}
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(wr, all_or_nothing_across_a_hole_writes_nothing)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-ENOMEM, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->l.gap + 1000),
				  self->src, 3 * self->page - 1000,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	/* Many pages mapped before the hole: still nothing. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->l.big),
				  self->src, (ZX_BIG_PAGES + 1) * self->page,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	/* Running past the user address space. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ENOMEM, zx_mem(self->h, ZXPROC_IOC_WRITE, (1ULL << 47) - 4096 - 8,
				  self->src, 16, ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(wr, all_or_nothing_fully_mapped_writes_all)
{
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->l.big + 3),
			    self->src, ZX_BIG_PAGES * self->page - 3,
			    ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(ZX_BIG_PAGES * self->page - 3, actual);
	memcpy(self->want.big + 3, self->src, ZX_BIG_PAGES * self->page - 3);
	ASSERT_TARGET_AS_WANTED();
}

/*
 * All or nothing and a source that turns unreadable halfway: the
 * caller's buffer is pinned before anything is copied, so EFAULT with
 * nothing written, where options 0 writes the readable page (above).
 */
TEST_F(wr, all_or_nothing_unreadable_source_writes_nothing)
{
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-EFAULT, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->l.region),
				  self->halfsrc, 2 * self->page,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	ASSERT_TARGET_AS_WANTED();
	/* Also when the readable part is most of the buffer. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EFAULT, zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(self->l.region + 10),
				  self->halfsrc + 100, self->page - 100 + 1,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	ASSERT_TARGET_AS_WANTED();
}

/* A handle to oneself writes one's own memory. */
TEST_F(wr, own_process_handle_writes_own_memory)
{
	uint8_t *mine = zx_map(self->page, PROT_READ | PROT_WRITE, 21);
	uint64_t actual = 0;
	int h = zx_open(self->dev, getpid(), ZXPROC_RIGHT_WRITE);

	ASSERT_NE(MAP_FAILED, mine);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(mine + 8), self->src, 32, &actual));
	EXPECT_EQ(32U, actual);
	EXPECT_EQ(0, memcmp(mine + 8, self->src, 32));
	close(h);
	ASSERT_TARGET_AS_WANTED();
}

/* Exactly ZXPROC_MAX_TRANSFER in one call; one byte more is EINVAL. */
TEST_F_TIMEOUT(wr, max_transfer_64mib, 300)
{
	size_t len = ZXPROC_MAX_TRANSFER;
	uint8_t *big, *src, *zero;
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	/* A page of guard on both sides, never written by the target. */
	src = zx_map(len, PROT_READ, 31);
	ASSERT_NE(MAP_FAILED, src);
	big = mmap(NULL, len + 2 * self->page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, big);
	zero = calloc(1, self->page);
	ASSERT_NE(NULL, zero);
	t = zx_target();
	ASSERT_LT(0, t);
	h = zx_open(self->dev, t, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);

	EXPECT_EQ(-EINVAL, zx_write(h, zx_ptr(big + self->page), src, len + 1, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(big + self->page), zero, self->page));

	ASSERT_EQ(0, zx_write(h, zx_ptr(big + self->page), src, len, &actual));
	EXPECT_EQ((uint64_t)len, actual);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(big + self->page), src, len));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(big), zero, self->page));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(big + self->page + len), zero, self->page));
	/* Our own copy stayed zero. */
	EXPECT_EQ(-1, zx_not_all(big + self->page, 0, len));
	close(h);
	zx_reap(t);
}

TEST_HARNESS_MAIN

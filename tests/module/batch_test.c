// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV: every segment validated before
 * any is copied, then each copied in order with its own result; only
 * errors about the handle or the whole target end the batch early.
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define MIB (1ULL << 20)
#define FILL 0xaa

FIXTURE(batch) {
	int dev, h;
	pid_t target;
	size_t page;
	struct zx_layout l;
	uint8_t *src;		/* ZX_BIG_PAGES pages, pattern 111 */
	uint8_t *halfsrc;	/* a page of pattern 112, then PROT_NONE */
	uint8_t *buf;		/* ZX_BIG_PAGES pages of FILL */
	struct zx_layout_want want;	/* what the target must hold */
};

FIXTURE_SETUP(batch)
{
	self->page = zx_page();
	self->src = zx_map(ZX_BIG_PAGES * self->page, PROT_READ, 111);
	ASSERT_NE(MAP_FAILED, self->src);
	self->halfsrc = zx_map(2 * self->page, PROT_READ, 112);
	ASSERT_NE(MAP_FAILED, self->halfsrc);
	ASSERT_EQ(0, mprotect(self->halfsrc + self->page, self->page, PROT_NONE));
	self->buf = mmap(NULL, ZX_BIG_PAGES * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	memset(self->buf, FILL, ZX_BIG_PAGES * self->page);
	ASSERT_EQ(0, zx_layout_want_init(&self->want, self->page));
	ASSERT_EQ(0, zx_layout_target_open(&self->l, &self->target, &self->dev, &self->h));
}

FIXTURE_TEARDOWN(batch)
{
	zx_layout_target_close(self->target, self->dev, self->h);
}

/* The target holds exactly self->want (gap[2] never changes here). */
#define ASSERT_TARGET_AS_WANTED() do { \
	const char *what = zx_layout_want_differs(self->target, &self->l, &self->want); \
	ASSERT_EQ(NULL, what) TH_LOG("target %s differs", what); \
} while (0)

static void seg(struct zxproc_seg *s, const void *addr, const void *buf, uint64_t len)
{
	s->addr = zx_ptr(addr);
	s->buf = zx_ptr(buf);
	s->len = len;
	s->result = (int64_t)ZX_SENTINEL;
}

/* WRITEV/READV; @v's out fields are preset to the sentinel. */
static int memv(int h, unsigned long cmd, struct zxproc_seg *segs, uint32_t nr,
		uint32_t flags, struct zxproc_memv *v)
{
	*v = (struct zxproc_memv){
		.segs = zx_ptr(segs), .nr_segs = nr, .flags = flags,
		.actual = ZX_SENTINEL, .done = (uint32_t)ZX_SENTINEL,
	};
	return zx_ioctl(h, cmd, v);
}

TEST_F(batch, writev_gives_each_segment_its_result)
{
	struct zxproc_seg s[5];
	struct zxproc_memv v;
	size_t page = self->page;

	seg(&s[0], self->l.region + 5, self->src, 100);
	seg(&s[1], self->l.gap + page, self->src + 200, 50);		/* the hole */
	seg(&s[2], self->l.gap + 1000, self->src + 300, 3 * page - 1000); /* runs into it */
	seg(&s[3], self->l.region + page, self->halfsrc + 10, 2 * page - 10); /* source faults */
	seg(&s[4], self->l.big + 1, self->src + 7, 70 * page);		/* many batches */
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, 5, 0, &v));
	EXPECT_EQ(5U, v.done);
	EXPECT_EQ(100, s[0].result);
	EXPECT_EQ(-ENOMEM, s[1].result);
	EXPECT_EQ((int64_t)(page - 1000), s[2].result);
	EXPECT_EQ(-EFAULT, s[3].result);
	EXPECT_EQ((int64_t)(70 * page), s[4].result);
	/* @actual counts every byte that arrived, the faulting segment's too. */
	EXPECT_EQ(100 + (page - 1000) + (page - 10) + 70 * page, v.actual);

	memcpy(self->want.region + 5, self->src, 100);
	memcpy(self->want.gap_a + 1000, self->src + 300, page - 1000);
	memcpy(self->want.region + page, self->halfsrc + 10, page - 10);
	memcpy(self->want.big + 1, self->src + 7, 70 * page);
	ASSERT_TARGET_AS_WANTED();
	/* The rest of each segment struct is the caller's. */
	EXPECT_EQ(zx_ptr(self->l.gap + page), s[1].addr);
	EXPECT_EQ(50U, s[1].len);
}

TEST_F(batch, readv_gives_each_segment_its_result)
{
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	size_t page = self->page, i;

	seg(&s[0], self->l.region + 5, self->buf, 100);
	seg(&s[1], self->l.gap + page, self->buf + 200, 50);
	seg(&s[2], self->l.gap + 1000, self->buf + 300, 3 * page - 1000);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_READV, s, 3, 0, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_EQ(100, s[0].result);
	EXPECT_EQ(-ENOMEM, s[1].result);
	EXPECT_EQ((int64_t)(page - 1000), s[2].result);
	EXPECT_EQ(100 + page - 1000, v.actual);
	EXPECT_EQ(0, memcmp(self->buf, self->want.region + 5, 100));
	EXPECT_EQ(-1, zx_not_all(self->buf + 100, FILL, 200 - 100));	/* the ENOMEM segment's buffer */
	EXPECT_EQ(0, memcmp(self->buf + 300, self->want.gap_a + 1000, page - 1000));
	i = 300 + page - 1000;
	EXPECT_EQ(-1, zx_not_all(self->buf + i, FILL, ZX_BIG_PAGES * page - i));
	ASSERT_TARGET_AS_WANTED();
}

/*
 * A full batch of scattered small segments, as a debugger's breakpoints
 * are: ZXPROC_MAX_SEGMENTS of them, one per page of "big" in a shuffled
 * order, with every 7th aimed at the hole (ENOMEM), every 11th copying
 * from a source that faults (EFAULT), and every 97th a long one of 70
 * pages that runs into the hole past "big" (short).  The module pins a
 * group of segments under one lock, so this crosses many group
 * boundaries with failures anywhere in a group; each segment must still
 * get its own result, and the target must hold exactly what the results
 * say.
 */
TEST_F(batch, scattered_full_batch_with_failures_everywhere)
{
	static struct zxproc_seg s[ZXPROC_MAX_SEGMENTS];
	static uint8_t want_big[ZX_BIG_PAGES * 4096];
	size_t page = self->page, order[ZX_BIG_PAGES];
	uint64_t expect_actual = 0;
	struct zxproc_memv v;
	uint32_t i;

	ASSERT_GE(sizeof(want_big), ZX_BIG_PAGES * page);
	for (i = 0; i < ZX_BIG_PAGES; i++)
		order[i] = (i * 37) % ZX_BIG_PAGES;	/* 37 is prime to 100 */
	memcpy(want_big, self->want.big, ZX_BIG_PAGES * page);
	for (i = 0; i < ZXPROC_MAX_SEGMENTS; i++) {
		size_t pg = order[i % ZX_BIG_PAGES], off = (i * 8) % (page - 8);
		uint8_t *dst = self->l.big + pg * page + off;
		const uint8_t *from = self->src + (i % 512) * 8;

		if (i % 97 == 96) {
			/* From page 40 on: 60 pages there, then the hole. */
			seg(&s[i], self->l.big + 40 * page, self->src, 70 * page);
		} else if (i % 7 == 3) {
			seg(&s[i], self->l.gap + page + off, from, 8);
		} else if (i % 11 == 5) {
			seg(&s[i], dst, self->halfsrc + page, 8);
		} else {
			seg(&s[i], dst, from, 8);
		}
	}
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, ZXPROC_MAX_SEGMENTS, 0, &v));
	EXPECT_EQ((uint32_t)ZXPROC_MAX_SEGMENTS, v.done);
	for (i = 0; i < ZXPROC_MAX_SEGMENTS; i++) {
		size_t pg = order[i % ZX_BIG_PAGES], off = (i * 8) % (page - 8);

		if (i % 97 == 96) {
			ASSERT_EQ((int64_t)(60 * page), s[i].result) TH_LOG("segment %u", i);
			memcpy(want_big + 40 * page, self->src, 60 * page);
			expect_actual += 60 * page;
		} else if (i % 7 == 3) {
			ASSERT_EQ(-ENOMEM, s[i].result) TH_LOG("segment %u", i);
		} else if (i % 11 == 5) {
			ASSERT_EQ(-EFAULT, s[i].result) TH_LOG("segment %u", i);
		} else {
			ASSERT_EQ(8, s[i].result) TH_LOG("segment %u", i);
			memcpy(want_big + pg * page + off, self->src + (i % 512) * 8, 8);
			expect_actual += 8;
		}
	}
	EXPECT_EQ(expect_actual, v.actual);
	memcpy(self->want.big, want_big, ZX_BIG_PAGES * page);
	ASSERT_TARGET_AS_WANTED();
}

/*
 * In order also when a batch reads its own process, and one segment
 * reads what an earlier one wrote: segment 0 reads into a page that
 * still maps the shared zero page, segment 1 reads that page.  A module
 * that pinned segment 1's page before copying segment 0 would hand back
 * the zero page's zeros.
 */
TEST_F(batch, readv_of_own_process_sees_earlier_segments)
{
	size_t page = self->page;
	uint8_t *b = mmap(NULL, page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uint8_t *touch = b;
	uint8_t c[64];
	struct zxproc_seg s[2];
	struct zxproc_memv v;
	int me;

	ASSERT_NE(MAP_FAILED, b);
	ASSERT_EQ(0, touch[0]);		/* maps the zero page */
	me = zx_open(self->dev, getpid(), ZXPROC_RIGHT_READ);
	ASSERT_LE(0, me);
	memset(c, 0x5a, sizeof(c));
	seg(&s[0], self->src + 64, b, sizeof(c));
	seg(&s[1], b, c, sizeof(c));
	ASSERT_EQ(0, memv(me, ZXPROC_IOC_READV, s, 2, 0, &v));
	EXPECT_EQ((int64_t)sizeof(c), s[0].result);
	EXPECT_EQ((int64_t)sizeof(c), s[1].result);
	EXPECT_EQ(0, memcmp(c, self->src + 64, sizeof(c)));
	close(me);
	munmap(b, page);
}

/* Segments run in order: a later one overwrites an earlier one. */
TEST_F(batch, segments_are_copied_in_order)
{
	struct zxproc_seg s[2];
	struct zxproc_memv v;

	seg(&s[0], self->l.region, self->src, 64);
	seg(&s[1], self->l.region + 32, self->src + 1000, 64);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, 2, 0, &v));
	memcpy(self->want.region, self->src, 64);
	memcpy(self->want.region + 32, self->src + 1000, 64);
	ASSERT_TARGET_AS_WANTED();
}

/* One bad segment fails the whole batch before anything is copied. */
TEST_F(batch, invalid_segment_fails_batch_and_writes_nothing)
{
	const struct { uint64_t len; bool nobuf; } bad[] = {
		{ 0, false }, { 64, true }, { ZXPROC_MAX_TRANSFER + 1, false }, { ~0ULL, false },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct zxproc_seg s[3];
		struct zxproc_memv v;

		seg(&s[0], self->l.region, self->src, 100);
		seg(&s[1], self->l.region + 200, bad[i].nobuf ? NULL : self->src, bad[i].len);
		seg(&s[2], self->l.big, self->src, 100);
		EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 3, 0, &v)) TH_LOG("case %zu", i);
		EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
		EXPECT_EQ((int64_t)ZX_SENTINEL, s[2].result);
		EXPECT_EQ(ZX_SENTINEL, v.actual);
		EXPECT_EQ((uint32_t)ZX_SENTINEL, v.done);
		EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_READV, s, 3, 0, &v));
	}
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, ZX_BIG_PAGES * self->page));
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(batch, total_over_64mib_is_einval)
{
	struct zxproc_seg s[3];
	struct zxproc_memv v;

	/* Each alone is valid; together one byte too many. */
	seg(&s[0], self->l.region, self->src, 100);
	seg(&s[1], self->l.big, self->src, ZXPROC_MAX_TRANSFER / 2);
	seg(&s[2], self->l.big, self->src, ZXPROC_MAX_TRANSFER / 2 - 100 + 1);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 3, 0, &v));
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_READV, s, 3, 0, &v));
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(batch, segment_count_limits)
{
	struct zxproc_seg *s = calloc(ZXPROC_MAX_SEGMENTS + 1, sizeof(*s));
	struct zxproc_memv v;
	uint32_t i;

	ASSERT_NE(NULL, s);
	for (i = 0; i <= ZXPROC_MAX_SEGMENTS; i++)
		seg(&s[i], self->l.big + i * 4, self->src + i, 1);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 0, 0, &v));
	EXPECT_EQ(ZX_SENTINEL, v.actual);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, ZXPROC_MAX_SEGMENTS + 1, 0, &v));
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, ~0U, 0, &v));
	ASSERT_TARGET_AS_WANTED();

	/* Exactly the limit works. */
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, ZXPROC_MAX_SEGMENTS, 0, &v));
	EXPECT_EQ((uint32_t)ZXPROC_MAX_SEGMENTS, v.done);
	EXPECT_EQ((uint64_t)ZXPROC_MAX_SEGMENTS, v.actual);
	for (i = 0; i < ZXPROC_MAX_SEGMENTS; i++) {
		EXPECT_EQ(1, s[i].result);
		self->want.big[i * 4] = self->src[i];
	}
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[ZXPROC_MAX_SEGMENTS].result);
	ASSERT_TARGET_AS_WANTED();
	free(s);
}

TEST_F(batch, bad_flags_reserved_and_pointers)
{
	struct zxproc_seg s[1];
	struct zxproc_memv v;

	seg(&s[0], self->l.region, self->src, 100);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, 2, &v));
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, 1u << 31, &v));
	v = (struct zxproc_memv){ .segs = zx_ptr(s), .nr_segs = 1, .reserved = 1 };
	EXPECT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &v));
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
	/* The segment array itself unreadable. */
	EXPECT_EQ(-EFAULT, memv(self->h, ZXPROC_IOC_WRITEV, NULL, 1, 0, &v));
	EXPECT_EQ(-EFAULT, memv(self->h, ZXPROC_IOC_WRITEV,
				(struct zxproc_seg *)(self->halfsrc + self->page), 1, 0, &v));
	ASSERT_TARGET_AS_WANTED();
}

TEST_F(batch, rights_are_checked)
{
	int ro = zx_dup(self->h, ZXPROC_RIGHT_READ, 0);
	int wo = zx_dup(self->h, ZXPROC_RIGHT_WRITE, 0);
	struct zxproc_seg s[1];
	struct zxproc_memv v;

	ASSERT_LE(0, ro);
	ASSERT_LE(0, wo);
	seg(&s[0], self->l.region, self->src, 100);
	EXPECT_EQ(-EACCES, memv(ro, ZXPROC_IOC_WRITEV, s, 1, 0, &v));
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
	seg(&s[0], self->l.region, self->buf, 100);
	EXPECT_EQ(-EACCES, memv(wo, ZXPROC_IOC_READV, s, 1, 0, &v));
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[0].result);
	EXPECT_EQ(-1, zx_not_all(self->buf, FILL, 200));
	close(ro);
	close(wo);
	ASSERT_TARGET_AS_WANTED();
}

/* ALL_OR_NOTHING applies to each segment on its own. */
TEST_F(batch, all_or_nothing_applies_per_segment)
{
	struct zxproc_seg s[2];
	struct zxproc_memv v;

	seg(&s[0], self->l.gap + 1000, self->src, 3 * self->page - 1000);
	seg(&s[1], self->l.region, self->src + 5000, 300);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, 2, ZXPROC_MEM_ALL_OR_NOTHING, &v));
	EXPECT_EQ(2U, v.done);
	EXPECT_EQ(-ENOMEM, s[0].result);
	EXPECT_EQ(300, s[1].result);
	EXPECT_EQ(300U, v.actual);
	memcpy(self->want.region, self->src + 5000, 300);
	ASSERT_TARGET_AS_WANTED();
}

/* A target gone: ESTALE ends the batch, and @done says how far it got. */
TEST_F(batch, stale_target_ends_batch_with_done)
{
	struct zxproc_seg s[2];
	struct zxproc_memv v;
	siginfo_t si;
	pid_t z = zx_target();
	int h;

	ASSERT_LT(0, z);
	h = zx_open(self->dev, z, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	kill(z, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, z, &si, WEXITED | WNOWAIT));
	seg(&s[0], self->l.region, self->src, 100);
	seg(&s[1], self->l.region, self->src, 100);
	EXPECT_EQ(-ESTALE, memv(h, ZXPROC_IOC_WRITEV, s, 2, 0, &v));
	EXPECT_EQ(0U, v.done);
	EXPECT_EQ(0U, v.actual);
	EXPECT_EQ((int64_t)ZX_SENTINEL, s[1].result);
	close(h);
	zx_reap(z);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV: every segment validated before
 * any is copied, then each copied in order with its own status and byte
 * count (both, when it failed partway); only errors about the handle or
 * the whole target end the batch early.  The array's element size
 * travels in seg_size: the kernel takes its own size and larger ones
 * with a zero tail, and writes back only status and actual.
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

/* A status no kernel answer produces. */
#define STATUS_SENTINEL ((int32_t)0x5a5a5a5a)

/* A segment; its out fields preset to the sentinels. */
static void seg(struct zxproc_seg *s, const void *addr, const void *buf, uint64_t len)
{
	*s = (struct zxproc_seg){
		.addr = zx_ptr(addr), .buf = zx_ptr(buf), .len = len,
		.actual = ZX_SENTINEL, .status = STATUS_SENTINEL,
	};
}

/* WRITEV/READV of @nr elements of @seg_size bytes at @segs. */
static int memv_sized(int h, unsigned long cmd, const void *segs, uint32_t nr,
		      uint32_t seg_size, uint32_t flags, struct zxproc_memv *v)
{
	*v = (struct zxproc_memv){
		.segs = zx_ptr(segs), .nr_segs = nr, .flags = flags,
		.actual = ZX_SENTINEL, .done = (uint32_t)ZX_SENTINEL,
		.seg_size = seg_size,
	};
	return zx_ioctl(h, cmd, v);
}

/* WRITEV/READV; @v's out fields are preset to the sentinel. */
static int memv(int h, unsigned long cmd, struct zxproc_seg *segs, uint32_t nr,
		uint32_t flags, struct zxproc_memv *v)
{
	return memv_sized(h, cmd, segs, nr, sizeof(*segs), flags, v);
}

/* The kernel's answer for one segment: @st (0 or -errno) and @n bytes. */
#define EXPECT_SEG(s, st, n) do { \
	EXPECT_EQ((int32_t)(st), (s).status); \
	EXPECT_EQ((uint64_t)(n), (s).actual); \
} while (0)
#define ASSERT_SEG(s, st, n, i) do { \
	ASSERT_EQ((int32_t)(st), (s).status) TH_LOG("segment %u", (i)); \
	ASSERT_EQ((uint64_t)(n), (s).actual) TH_LOG("segment %u", (i)); \
} while (0)
/* Neither out field of the segment was written. */
#define EXPECT_SEG_UNTOUCHED(s) EXPECT_SEG(s, STATUS_SENTINEL, ZX_SENTINEL)

TEST_F(batch, writev_gives_each_segment_its_status_and_count)
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
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -ENOMEM, 0);
	EXPECT_SEG(s[2], 0, page - 1000);
	EXPECT_SEG(s[3], -EFAULT, page - 10);	/* failed partway: both */
	EXPECT_SEG(s[4], 0, 70 * page);
	/* @actual counts every byte that arrived, the faulting segment's too. */
	EXPECT_EQ(100 + (page - 1000) + (page - 10) + 70 * page, v.actual);

	memcpy(self->want.region + 5, self->src, 100);
	memcpy(self->want.gap_a + 1000, self->src + 300, page - 1000);
	memcpy(self->want.region + page, self->halfsrc + 10, page - 10);
	memcpy(self->want.big + 1, self->src + 7, 70 * page);
	ASSERT_TARGET_AS_WANTED();
	/* The rest of each segment struct is the caller's. */
	EXPECT_EQ(zx_ptr(self->l.gap + page), s[1].addr);
	EXPECT_EQ(zx_ptr(self->src + 200), s[1].buf);
	EXPECT_EQ(50U, s[1].len);
	EXPECT_EQ(0U, s[1].reserved);
}

TEST_F(batch, readv_gives_each_segment_its_status_and_count)
{
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	size_t page = self->page, i;

	seg(&s[0], self->l.region + 5, self->buf, 100);
	seg(&s[1], self->l.gap + page, self->buf + 200, 50);
	seg(&s[2], self->l.gap + 1000, self->buf + 300, 3 * page - 1000);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_READV, s, 3, 0, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -ENOMEM, 0);
	EXPECT_SEG(s[2], 0, page - 1000);
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
 * get its own status and count, and the target must hold exactly what
 * they say.
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
			ASSERT_SEG(s[i], 0, 60 * page, i);
			memcpy(want_big + 40 * page, self->src, 60 * page);
			expect_actual += 60 * page;
		} else if (i % 7 == 3) {
			ASSERT_SEG(s[i], -ENOMEM, 0, i);
		} else if (i % 11 == 5) {
			ASSERT_SEG(s[i], -EFAULT, 0, i);
		} else {
			ASSERT_SEG(s[i], 0, 8, i);
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
	EXPECT_SEG(s[0], 0, sizeof(c));
	EXPECT_SEG(s[1], 0, sizeof(c));
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
		EXPECT_SEG_UNTOUCHED(s[0]);
		EXPECT_SEG_UNTOUCHED(s[2]);
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
	EXPECT_SEG_UNTOUCHED(s[0]);
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
	EXPECT_SEG_UNTOUCHED(s[0]);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, ~0U, 0, &v));
	ASSERT_TARGET_AS_WANTED();

	/* Exactly the limit works. */
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, ZXPROC_MAX_SEGMENTS, 0, &v));
	EXPECT_EQ((uint32_t)ZXPROC_MAX_SEGMENTS, v.done);
	EXPECT_EQ((uint64_t)ZXPROC_MAX_SEGMENTS, v.actual);
	for (i = 0; i < ZXPROC_MAX_SEGMENTS; i++) {
		ASSERT_SEG(s[i], 0, 1, i);
		self->want.big[i * 4] = self->src[i];
	}
	EXPECT_SEG_UNTOUCHED(s[ZXPROC_MAX_SEGMENTS]);
	ASSERT_TARGET_AS_WANTED();
	free(s);
}

TEST_F(batch, bad_flags_reserved_and_pointers)
{
	struct zxproc_seg s[1];
	struct zxproc_memv v;

	seg(&s[0], self->l.region, self->src, 100);
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, ZX_MEM_UNKNOWN_FLAG, &v));
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC, &v));
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, 1u << 31, &v));
	EXPECT_SEG_UNTOUCHED(s[0]);
	EXPECT_EQ(ZX_SENTINEL, v.actual);
	/* A segment's reserved field. */
	s[0].reserved = 1;
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_WRITEV, s, 1, 0, &v));
	s[0].reserved = 1u << 31;
	EXPECT_EQ(-EINVAL, memv(self->h, ZXPROC_IOC_READV, s, 1, 0, &v));
	EXPECT_SEG_UNTOUCHED(s[0]);
	EXPECT_EQ(ZX_SENTINEL, v.actual);
	EXPECT_EQ((uint32_t)ZX_SENTINEL, v.done);
	s[0].reserved = 0;
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
	EXPECT_SEG_UNTOUCHED(s[0]);
	seg(&s[0], self->l.region, self->buf, 100);
	EXPECT_EQ(-EACCES, memv(wo, ZXPROC_IOC_READV, s, 1, 0, &v));
	EXPECT_SEG_UNTOUCHED(s[0]);
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
	EXPECT_SEG(s[0], -ENOMEM, 0);
	EXPECT_SEG(s[1], 0, 300);
	EXPECT_EQ(300U, v.actual);
	memcpy(self->want.region, self->src + 5000, 300);
	ASSERT_TARGET_AS_WANTED();
}

/*
 * A segment that copies some bytes and then fails reports both: its
 * errno and its count.  Writing, the source runs from a readable page
 * into a PROT_NONE one; reading, the destination runs from a writable
 * page into a read-only one.  The bytes before the fault arrive, and
 * the batch's total counts them.
 */
TEST_F(batch, segment_failing_partway_reports_status_and_count)
{
	size_t page = self->page;
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	uint8_t *dst;

	seg(&s[0], self->l.region + 5, self->src, 100);
	seg(&s[1], self->l.region + page + 7, self->halfsrc + page - 300, 600);
	seg(&s[2], self->l.big + 9, self->src + 500, 50);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, 3, 0, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -EFAULT, 300);
	EXPECT_SEG(s[2], 0, 50);
	EXPECT_EQ(100U + 300 + 50, v.actual);
	memcpy(self->want.region + 5, self->src, 100);
	memcpy(self->want.region + page + 7, self->halfsrc + page - 300, 300);
	memcpy(self->want.big + 9, self->src + 500, 50);
	ASSERT_TARGET_AS_WANTED();

	dst = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	memset(dst, FILL, 2 * page);
	ASSERT_EQ(0, mprotect(dst + page, page, PROT_READ));
	seg(&s[0], self->l.region + 5, self->buf, 100);
	seg(&s[1], self->l.region + 2 * page + 3, dst + page - 200, 600);
	seg(&s[2], self->l.big + 9, self->buf + 100, 50);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_READV, s, 3, 0, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -EFAULT, 200);
	EXPECT_SEG(s[2], 0, 50);
	EXPECT_EQ(100U + 200 + 50, v.actual);
	EXPECT_EQ(0, memcmp(self->buf, self->want.region + 5, 100));
	EXPECT_EQ(0, memcmp(dst + page - 200, self->want.region + 2 * page + 3, 200));
	EXPECT_EQ(-1, zx_not_all(dst, FILL, page - 200));
	EXPECT_EQ(-1, zx_not_all(dst + page, FILL, page));
	EXPECT_EQ(0, memcmp(self->buf + 100, self->want.big + 9, 50));
	munmap(dst, 2 * page);
	ASSERT_TARGET_AS_WANTED();
}

/*
 * The same segments all or nothing: the caller's buffer is pinned
 * before the segment copies a byte, so EFAULT with a count of 0 and
 * nothing moved, while the neighbours are copied.
 */
TEST_F(batch, all_or_nothing_segment_with_bad_buffer_moves_nothing)
{
	size_t page = self->page;
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	uint8_t *dst;

	seg(&s[0], self->l.region + 5, self->src, 100);
	seg(&s[1], self->l.region + page + 7, self->halfsrc + page - 300, 600);
	seg(&s[2], self->l.big + 9, self->src + 500, 50);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_WRITEV, s, 3, ZXPROC_MEM_ALL_OR_NOTHING, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -EFAULT, 0);
	EXPECT_SEG(s[2], 0, 50);
	EXPECT_EQ(100U + 50, v.actual);
	memcpy(self->want.region + 5, self->src, 100);
	memcpy(self->want.big + 9, self->src + 500, 50);
	ASSERT_TARGET_AS_WANTED();

	dst = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	memset(dst, FILL, 2 * page);
	ASSERT_EQ(0, mprotect(dst + page, page, PROT_READ));
	seg(&s[0], self->l.region + 5, self->buf, 100);
	seg(&s[1], self->l.region + 2 * page + 3, dst + page - 200, 600);
	seg(&s[2], self->l.big + 9, self->buf + 100, 50);
	ASSERT_EQ(0, memv(self->h, ZXPROC_IOC_READV, s, 3, ZXPROC_MEM_ALL_OR_NOTHING, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -EFAULT, 0);
	EXPECT_SEG(s[2], 0, 50);
	EXPECT_EQ(100U + 50, v.actual);
	EXPECT_EQ(-1, zx_not_all(dst, FILL, 2 * page));
	munmap(dst, 2 * page);
	ASSERT_TARGET_AS_WANTED();
}

/* ---- the element size (seg_size) ---------------------------------------- */

/*
 * Lay @n segments out in @arr as elements @step bytes apart, every byte
 * past a struct zero.
 */
static void lay_out(uint8_t *arr, size_t step, const struct zxproc_seg *s, uint32_t n)
{
	uint32_t i;

	memset(arr, 0, step * n);
	for (i = 0; i < n; i++)
		memcpy(arr + i * step, &s[i], sizeof(s[i]));
}

/* Element @i of an array of @step-byte elements, as the kernel's struct. */
static struct zxproc_seg elem(const uint8_t *arr, size_t step, uint32_t i)
{
	struct zxproc_seg s;

	memcpy(&s, arr + i * step, sizeof(s));
	return s;
}

/*
 * seg_size must be a multiple of 8 from ZXPROC_SEG_SIZE_VER0 to
 * ZXPROC_SEG_SIZE_MAX: anything else (0, the old 32-byte segment, odd
 * sizes, one step past the largest) fails the whole call with EINVAL
 * before anything is copied or written back.
 */
TEST_F(batch, seg_size_out_of_rules_is_einval)
{
	static const uint32_t bad[] = {
		0, 8, 32, ZXPROC_SEG_SIZE_VER0 - 8, ZXPROC_SEG_SIZE_VER0 + 1, 44, 47,
		ZXPROC_SEG_SIZE_MAX - 4, ZXPROC_SEG_SIZE_MAX + 1, ZXPROC_SEG_SIZE_MAX + 8,
		1024, 4096, UINT32_MAX,
	};
	static uint8_t arr[3 * 4096], copy[3 * 4096];
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	size_t i;

	seg(&s[0], self->l.region, self->src, 100);
	seg(&s[1], self->l.region + 200, self->src + 100, 100);
	seg(&s[2], self->l.big, self->src, 100);
	for (i = 0; i < 2 * sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t size = bad[i / 2], nr = i % 2 ? 3 : 1;
		/* The elements where that size would put them, if it can. */
		size_t step = size >= sizeof(s[0]) && size <= 4096 ? size : sizeof(s[0]);

		lay_out(arr, step, s, nr);
		memcpy(copy, arr, sizeof(arr));
		EXPECT_EQ(-EINVAL, memv_sized(self->h, ZXPROC_IOC_WRITEV, arr, nr, size, 0, &v))
			TH_LOG("seg_size %u, %u segments", size, nr);
		EXPECT_EQ(ZX_SENTINEL, v.actual);
		EXPECT_EQ((uint32_t)ZX_SENTINEL, v.done);
		EXPECT_EQ(-EINVAL, memv_sized(self->h, ZXPROC_IOC_READV, arr, nr, size, 0, &v))
			TH_LOG("seg_size %u, %u segments", size, nr);
		EXPECT_EQ(0, memcmp(arr, copy, sizeof(arr))) TH_LOG("seg_size %u", size);
	}
	ASSERT_TARGET_AS_WANTED();
}

/*
 * Elements of this kernel's size and larger ones with a zero tail are
 * served alike, each at its own offset: the kernel writes back status
 * and actual there and nothing else (the other fields and the tail keep
 * the caller's bytes).
 */
TEST_F(batch, seg_size_larger_with_zero_tail_is_served)
{
	static const uint32_t sizes[] = {
		ZXPROC_SEG_SIZE_VER0, ZXPROC_SEG_SIZE_VER0 + 8, 64, ZXPROC_SEG_SIZE_MAX,
	};
	static uint8_t arr[3 * ZXPROC_SEG_SIZE_MAX], want[3 * ZXPROC_SEG_SIZE_MAX];
	size_t page = self->page, i;
	struct zxproc_seg s[3], e;
	struct zxproc_memv v;

	ASSERT_EQ(40U, sizeof(struct zxproc_seg));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t size = sizes[i], off = 64 * i;

		seg(&s[0], self->l.region + off, self->src + i, 64);
		seg(&s[1], self->l.gap + page + off, self->src, 10);	/* the hole */
		seg(&s[2], self->l.big + page - 100 + off, self->src + 7 * i, 3 * page);
		lay_out(arr, size, s, 3);
		/* What the array must hold after: only the out fields differ. */
		s[0].status = 0, s[0].actual = 64;
		s[1].status = -ENOMEM, s[1].actual = 0;
		s[2].status = 0, s[2].actual = 3 * page;
		lay_out(want, size, s, 3);
		ASSERT_EQ(0, memv_sized(self->h, ZXPROC_IOC_WRITEV, arr, 3, size, 0, &v))
			TH_LOG("seg_size %zu", size);
		EXPECT_EQ(3U, v.done);
		EXPECT_EQ(64 + 3 * page, v.actual);
		e = elem(arr, size, 1);
		EXPECT_SEG(e, -ENOMEM, 0);
		e = elem(arr, size, 2);
		EXPECT_SEG(e, 0, 3 * page);
		EXPECT_EQ(0, memcmp(arr, want, 3 * size)) TH_LOG("seg_size %zu", size);
		memcpy(self->want.region + off, self->src + i, 64);
		memcpy(self->want.big + page - 100 + off, self->src + 7 * i, 3 * page);
		ASSERT_TARGET_AS_WANTED();
	}

	/* Reading with 48-byte elements. */
	seg(&s[0], self->l.region + 10, self->buf, 100);
	seg(&s[1], self->l.gap + 1000, self->buf + 100, 2 * page);	/* short */
	lay_out(arr, 48, s, 2);
	s[0].status = 0, s[0].actual = 100;
	s[1].status = 0, s[1].actual = page - 1000;
	lay_out(want, 48, s, 2);
	ASSERT_EQ(0, memv_sized(self->h, ZXPROC_IOC_READV, arr, 2, 48, 0, &v));
	EXPECT_EQ(2U, v.done);
	EXPECT_EQ(100 + page - 1000, v.actual);
	EXPECT_EQ(0, memcmp(arr, want, 2 * 48));
	EXPECT_EQ(0, memcmp(self->buf, self->want.region + 10, 100));
	EXPECT_EQ(0, memcmp(self->buf + 100, self->want.gap_a + 1000, page - 1000));
	EXPECT_EQ(-1, zx_not_all(self->buf + 100 + page - 1000, FILL,
				 ZX_BIG_PAGES * page - (100 + page - 1000)));
	ASSERT_TARGET_AS_WANTED();
}

/*
 * A non-zero byte past the struct this kernel knows, in any element:
 * E2BIG, and nothing is copied (not even the segments before that
 * element) and nothing written back.
 */
TEST_F(batch, seg_size_nonzero_tail_is_e2big)
{
	static const struct { uint32_t size, elem, at; uint8_t byte; } bad[] = {
		{ 48, 1, 40, 1 }, { 48, 1, 47, 0x80 }, { 48, 2, 44, 0xff },
		{ ZXPROC_SEG_SIZE_MAX, 1, ZXPROC_SEG_SIZE_MAX - 1, 1 },
		{ ZXPROC_SEG_SIZE_MAX, 2, 40, 1 },
	};
	static uint8_t arr[3 * ZXPROC_SEG_SIZE_MAX], copy[3 * ZXPROC_SEG_SIZE_MAX];
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t size = bad[i].size;

		seg(&s[0], self->l.region, self->src, 100);
		seg(&s[1], self->l.region + 200, self->src + 100, 100);
		seg(&s[2], self->l.big, self->src, 100);
		lay_out(arr, size, s, 3);
		arr[bad[i].elem * size + bad[i].at] = bad[i].byte;
		memcpy(copy, arr, 3 * size);
		EXPECT_EQ(-E2BIG, memv_sized(self->h, ZXPROC_IOC_WRITEV, arr, 3, size, 0, &v))
			TH_LOG("case %zu", i);
		EXPECT_EQ(ZX_SENTINEL, v.actual);
		EXPECT_EQ((uint32_t)ZX_SENTINEL, v.done);
		EXPECT_EQ(0, memcmp(arr, copy, 3 * size)) TH_LOG("case %zu", i);
		ASSERT_TARGET_AS_WANTED();

		seg(&s[0], self->l.region, self->buf, 100);
		seg(&s[1], self->l.region + 200, self->buf + 100, 100);
		seg(&s[2], self->l.big, self->buf + 200, 100);
		lay_out(arr, size, s, 3);
		arr[bad[i].elem * size + bad[i].at] = bad[i].byte;
		memcpy(copy, arr, 3 * size);
		EXPECT_EQ(-E2BIG, memv_sized(self->h, ZXPROC_IOC_READV, arr, 3, size, 0, &v))
			TH_LOG("case %zu", i);
		EXPECT_EQ(0, memcmp(arr, copy, 3 * size)) TH_LOG("case %zu", i);
		EXPECT_EQ(-1, zx_not_all(self->buf, FILL, 300));
	}
}

/*
 * An array of larger elements whose last tail runs into a page the
 * kernel cannot read: EFAULT, nothing copied, nothing written back.
 */
TEST_F(batch, seg_size_tail_in_unreadable_page_is_efault)
{
	size_t page = self->page;
	uint8_t *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *arr, copy[2 * 48];
	struct zxproc_seg s[2];
	struct zxproc_memv v;

	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mprotect(m + page, page, PROT_NONE));
	/* Element 1's struct ends at the page's end; its tail lies past it. */
	arr = m + page - 48 - 40;
	seg(&s[0], self->l.region, self->src, 100);
	seg(&s[1], self->l.region + 200, self->src + 100, 100);
	lay_out(arr, 48, s, 1);
	memcpy(arr + 48, &s[1], sizeof(s[1]));
	memcpy(copy, arr, 48 + 40);
	EXPECT_EQ(-EFAULT, memv_sized(self->h, ZXPROC_IOC_WRITEV, arr, 2, 48, 0, &v));
	EXPECT_EQ(ZX_SENTINEL, v.actual);
	EXPECT_EQ(0, memcmp(arr, copy, 48 + 40));
	/* With 40-byte elements the same two segments are read whole. */
	arr = m + page - 2 * 40;
	lay_out(arr, 40, s, 2);
	ASSERT_EQ(0, memv_sized(self->h, ZXPROC_IOC_WRITEV, arr, 2, 40, 0, &v));
	EXPECT_EQ(200U, v.actual);
	memcpy(self->want.region, self->src, 100);
	memcpy(self->want.region + 200, self->src + 100, 100);
	munmap(m, 2 * page);
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
	EXPECT_SEG_UNTOUCHED(s[0]);
	EXPECT_SEG_UNTOUCHED(s[1]);
	close(h);
	zx_reap(z);
}

TEST_HARNESS_MAIN

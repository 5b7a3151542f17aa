// SPDX-License-Identifier: GPL-2.0
/*
 * The ioctl argument struct (and a batch's segment array) rewritten
 * while the call runs.
 *
 * The module copies each struct in once and uses only its copy (the
 * double-fetch rule of botching-up-ioctls.rst).  Each interleaving is
 * forced with a userfaultfd stall (tests/races/race.h) and the test
 * rewrites the user memory while the call is held:
 *
 *  - after the copy-in: the call is held on a stalled page of its own
 *    source buffer, so its struct (and segment array) was copied and
 *    validated, and some bytes were copied already.  Every field is
 *    rewritten (a valid length turned invalid, the address and the
 *    buffer pointed elsewhere, nr_segs shrunk): the call goes on with
 *    the values it validated, whole;
 *  - during the copy-in: the struct (or the segment array) straddles a
 *    page boundary and its second page stalls, so the kernel has read
 *    the fields in the first page and not those in the second.  The test
 *    rewrites the first page's fields and serves the second page with
 *    new values: the call uses the first page's fields as they were when
 *    read (a later re-read would see the rewrite) and the second page's
 *    as served; a served invalid length is EINVAL with nothing written
 *    and nothing written back.
 *
 * copy_from_user() copies forward on x86-64, and a fault it takes in a
 * userfaultfd page is waited out and the copy resumed, not restarted:
 * that is what makes "the first page was read before the stall" hold.
 *
 * The target's regions are MAP_SHARED with the test (mapped before the
 * fork), so the test sees every byte the module writes into the target
 * without any second interface; every assertion also checks that the
 * rest of the shared mapping stayed zero.
 *
 * The old random sweeps (a flipper thread rewriting fields while 10,000
 * calls run, asserting that both outcomes were seen) are soak_* tests,
 * run only with ZXPROC_SOAK=1 (see race.h).
 */
#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (2 * PAGE)
/* Value pairs that differ in one byte (see the soak section). */
#define SMALL 0x100UL		/* 256 */
#define LARGE 0x1f00UL		/* 7936: valid, most of the region */
#define HUGE_LEN (SMALL | 1ULL << 56)	/* invalid: > ZXPROC_MAX_TRANSFER */
#define TWIN_BIT 0x4000UL	/* A and B regions: addresses differ in bit 14 */
#define SPAN (16 * PAGE)	/* a mapping that holds such a pair */
/* A source that stalls: HEAD bytes of its page 0, then the stalled page 1. */
#define HEAD 128UL
#define STALL_SEED 0x5c

FIXTURE(args) {
	pid_t target;
	int h;
	uint8_t *shared;	/* SPAN bytes shared with the target */
	uint8_t *ta, *tb;	/* two 2-page regions in it, twins */
	uint8_t *src;		/* SPAN bytes of the test's own */
	uint8_t *sa, *sb;	/* two 2-page sources in it, twins */
	struct uf_stall st;	/* a stalling source, or an argument page */
	pthread_t flipper;
	_Atomic int stop;
	long long t0;
};

/*
 * In a SPAN-byte mapping at @base, the first page-aligned address with
 * TWIN_BIT clear: it and its twin (TWIN_BIT set) both fit with REGION
 * bytes each, and differ in that one bit.
 */
static uint8_t *twin_base(uint8_t *base)
{
	uintptr_t a = (uintptr_t)base;

	while (a & TWIN_BIT)
		a += PAGE;
	return (uint8_t *)a;
}

FIXTURE_SETUP(args)
{
	self->t0 = zx_now_ms();
	self->st.uffd = -1;
	self->shared = mmap(NULL, SPAN, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->shared);
	self->ta = twin_base(self->shared);
	self->tb = self->ta + TWIN_BIT;
	self->src = mmap(NULL, SPAN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->src);
	self->sa = twin_base(self->src);
	self->sb = self->sa + TWIN_BIT;
	zx_fill(self->sa, REGION, 0xa);
	zx_fill(self->sb, REGION, 0xb);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
	self->h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
	/* Two pages, page 1 stalls; page 0 holds pattern STALL_SEED. */
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, STALL_SEED));
}

FIXTURE_TEARDOWN(args)
{
	zx_reap(self->target);
	if (self->h >= 0)
		close(self->h);
	uf_stall_free(&self->st);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

static void reset(FIXTURE_DATA(args) *self)
{
	memset(self->shared, 0, SPAN);
}

/* Is [p, p + len) all zero?  memcmp against a zero page: fast under TCG. */
static bool zero(const uint8_t *p, size_t len)
{
	static const uint8_t zeros[PAGE];

	while (len) {
		size_t n = len < PAGE ? len : PAGE;

		if (memcmp(p, zeros, n))
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* The shared mapping outside [at, at + len) is all zero. */
static bool zero_but(FIXTURE_DATA(args) *self, const uint8_t *at, size_t len)
{
	return zero(self->shared, (size_t)(at - self->shared)) &&
	       zero(at + len, (size_t)(self->shared + SPAN - at - len));
}

/* What the stalling source holds from byte PAGE - HEAD on, once served. */
static const uint8_t *stall_bytes(void)
{
	static uint8_t whole[2 * PAGE];

	zx_fill(whole, sizeof(whole), STALL_SEED);
	return whole + PAGE - HEAD;
}

/* The stalling source, HEAD bytes before its stalled page. */
static uint64_t stall_src(FIXTURE_DATA(args) *self)
{
	return zx_ptr(self->st.base + PAGE - HEAD);
}

/* ---- rewritten after the copy-in ----------------------------------------- */

static int mem_ioctl(struct race_call *c)
{
	return zx_ioctl(c->h, ZXPROC_IOC_WRITE, c->arg);
}

/*
 * A write of SMALL bytes from the stalling source to region A, held on
 * the source's stalled page after HEAD bytes: the struct was copied in
 * and validated.  Then every field is rewritten (@len_only: the length
 * alone, to an invalid one).  The write goes on with what it validated:
 * exactly SMALL bytes of the stalling source, at A, nothing at B.
 */
static void rewrite_after_copy_in(struct __test_metadata *_metadata,
				  FIXTURE_DATA(args) *self, bool len_only)
{
	static struct zxproc_mem live;
	struct race_call c = { .h = self->h, .arg = &live };

	reset(self);
	live = (struct zxproc_mem){
		.addr = zx_ptr(self->ta), .buf = stall_src(self), .len = SMALL,
		.actual = ZX_SENTINEL,
	};
	ASSERT_EQ(0, race_call_start(&c, mem_ioctl));
	ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	/* Held with HEAD bytes copied, the rest waiting for the source. */
	EXPECT_EQ(0, memcmp(self->ta, stall_bytes(), HEAD));
	EXPECT_TRUE(zero_but(self, self->ta, HEAD));
	__atomic_store_n(&live.len, HUGE_LEN, __ATOMIC_SEQ_CST);
	if (!len_only) {
		__atomic_store_n(&live.addr, zx_ptr(self->tb), __ATOMIC_SEQ_CST);
		__atomic_store_n(&live.buf, zx_ptr(self->sb), __ATOMIC_SEQ_CST);
	}
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(SMALL, live.actual);
	EXPECT_EQ(0, memcmp(self->ta, stall_bytes(), SMALL));
	EXPECT_TRUE(zero_but(self, self->ta, SMALL));
}

TEST_F(args, mem_every_field_rewritten_after_copy_in)
{
	rewrite_after_copy_in(_metadata, self, false);
}

TEST_F(args, mem_len_made_invalid_after_copy_in)
{
	rewrite_after_copy_in(_metadata, self, true);
}

/* ---- rewritten during the copy-in ---------------------------------------- */

/*
 * struct zxproc_mem at the stalling buffer's page boundary: @addr (8
 * bytes) the last of page 0, the rest in page 1, which stalls the
 * copy-in.  While held, @addr is rewritten to B, and page 1 is served
 * with @buf = source B, @len = @served_len, @actual = ZX_SENTINEL.
 */
static void torn_mem(struct __test_metadata *_metadata, FIXTURE_DATA(args) *self,
		     uint64_t served_len)
{
	static uint8_t page1[PAGE];
	struct zxproc_mem *live = (void *)(self->st.base + PAGE - 8);
	struct zxproc_mem want = {
		.buf = zx_ptr(self->sb), .len = served_len, .actual = ZX_SENTINEL,
	};
	struct race_call c = { .h = self->h, .arg = live };

	reset(self);
	live->addr = zx_ptr(self->ta);
	memset(page1, 0, sizeof(page1));
	memcpy(page1, (uint8_t *)&want + 8, sizeof(want) - 8);
	ASSERT_EQ(0, race_call_start(&c, mem_ioctl));
	ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	__atomic_store_n(&live->addr, zx_ptr(self->tb), __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, uf_copy(self->st.uffd, uf_stall_page(&self->st), page1, PAGE));
	if (served_len == HUGE_LEN) {
		/* Rejected as served: nothing written, nothing written back. */
		EXPECT_EQ(-EINVAL, race_call_join(&c));
		EXPECT_EQ(ZX_SENTINEL, live->actual);
		EXPECT_TRUE(zero(self->shared, SPAN));
		return;
	}
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(served_len, live->actual);
	/* addr as read before the stall (A), the rest as served. */
	EXPECT_TRUE(zero(self->tb, REGION)) TH_LOG("the rewritten addr was used: a second fetch");
	EXPECT_EQ(0, memcmp(self->ta, self->sb, served_len));
	EXPECT_TRUE(zero_but(self, self->ta, served_len));
}

TEST_F(args, mem_struct_torn_by_its_copy_in)
{
	torn_mem(_metadata, self, LARGE);
}

TEST_F(args, mem_invalid_len_served_during_copy_in)
{
	torn_mem(_metadata, self, HUGE_LEN);
}

/* ---- a batch ------------------------------------------------------------- */

static int memv_ioctl(struct race_call *c)
{
	return zx_ioctl(c->h, ZXPROC_IOC_WRITEV, c->arg);
}

static struct zxproc_seg seg_of(const void *addr, const void *buf, uint64_t len)
{
	return (struct zxproc_seg){
		.addr = zx_ptr(addr), .buf = zx_ptr(buf), .len = len,
		.actual = ZX_SENTINEL, .status = 0x5a5a5a5a,
	};
}

/*
 * Segment 0: SMALL bytes of the stalling source to region A, held on
 * the source's stalled page (the array was copied and validated, and
 * segment 1's first page pinned and let go again).  Then nr_segs drops
 * to 1, segment 0 moves to B, segment 1's length turns invalid and its
 * address moves to B.  The batch goes on with its copy: both segments
 * whole at A, each with its own result written back.
 */
TEST_F(args, memv_array_rewritten_after_copy_in)
{
	static struct zxproc_seg segs[2];
	static struct zxproc_memv v;
	struct race_call c = { .h = self->h, .arg = &v };

	reset(self);
	segs[0] = seg_of(self->ta, (void *)stall_src(self), SMALL);
	segs[1] = seg_of(self->ta + PAGE, self->sb, SMALL);
	v = (struct zxproc_memv){
		.segs = zx_ptr(segs), .nr_segs = 2, .actual = ZX_SENTINEL,
		.done = 0xa5a5a5a5, .seg_size = sizeof(struct zxproc_seg),
	};
	ASSERT_EQ(0, race_call_start(&c, memv_ioctl));
	ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	__atomic_store_n(&v.nr_segs, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&segs[0].addr, zx_ptr(self->tb), __ATOMIC_SEQ_CST);
	__atomic_store_n(&segs[1].len, HUGE_LEN, __ATOMIC_SEQ_CST);
	__atomic_store_n(&segs[1].addr, zx_ptr(self->tb + PAGE), __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(2U, v.done);
	EXPECT_EQ(2 * SMALL, v.actual);
	EXPECT_EQ(0, segs[0].status);
	EXPECT_EQ(SMALL, segs[0].actual);
	EXPECT_EQ(0, segs[1].status);
	EXPECT_EQ(SMALL, segs[1].actual);
	EXPECT_EQ(0, memcmp(self->ta, stall_bytes(), SMALL));
	EXPECT_TRUE(zero(self->ta + SMALL, PAGE - SMALL));
	EXPECT_EQ(0, memcmp(self->ta + PAGE, self->sb, SMALL));
	EXPECT_TRUE(zero_but(self, self->ta, PAGE + SMALL));
}

/*
 * The segment array straddles the stalling buffer's page boundary:
 * segment 0 in page 0, segment 1 in page 1, which stalls the array's
 * copy-in (the memv struct was copied before it).  While held, nr_segs
 * drops to 1 and segment 0 moves to B; page 1 is served with segment 1
 * at B + PAGE with @served_len.  The batch uses nr_segs and segment 0
 * as read before the stall, segment 1 as served; a served invalid
 * length is EINVAL for the whole batch, with nothing written.
 */
static void torn_memv(struct __test_metadata *_metadata, FIXTURE_DATA(args) *self,
		      uint64_t served_len)
{
	static struct zxproc_memv v;
	static uint8_t page1[PAGE];
	struct zxproc_seg *segs = (void *)(self->st.base + PAGE - sizeof(struct zxproc_seg));
	struct zxproc_seg s1 = seg_of(self->tb + PAGE, self->sb, served_len);
	struct race_call c = { .h = self->h, .arg = &v };

	reset(self);
	segs[0] = seg_of(self->ta, self->sa, SMALL);
	memset(page1, 0, sizeof(page1));
	memcpy(page1, &s1, sizeof(s1));
	v = (struct zxproc_memv){
		.segs = zx_ptr(segs), .nr_segs = 2, .actual = ZX_SENTINEL,
		.done = 0xa5a5a5a5, .seg_size = sizeof(struct zxproc_seg),
	};
	ASSERT_EQ(0, race_call_start(&c, memv_ioctl));
	ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	__atomic_store_n(&v.nr_segs, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&segs[0].addr, zx_ptr(self->tb), __ATOMIC_SEQ_CST);
	ASSERT_EQ(0, uf_copy(self->st.uffd, uf_stall_page(&self->st), page1, PAGE));
	if (served_len == HUGE_LEN) {
		EXPECT_EQ(-EINVAL, race_call_join(&c));
		EXPECT_EQ(ZX_SENTINEL, v.actual);
		EXPECT_EQ(0xa5a5a5a5U, v.done);
		EXPECT_EQ(ZX_SENTINEL, segs[0].actual);
		EXPECT_EQ(ZX_SENTINEL, segs[1].actual);
		EXPECT_TRUE(zero(self->shared, SPAN));
		return;
	}
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(2U, v.done);
	EXPECT_EQ(SMALL + served_len, v.actual);
	EXPECT_EQ(0, segs[0].status);
	EXPECT_EQ(SMALL, segs[0].actual);
	EXPECT_EQ(0, segs[1].status);
	EXPECT_EQ(served_len, segs[1].actual);
	EXPECT_EQ(0, memcmp(self->ta, self->sa, SMALL));
	EXPECT_TRUE(zero(self->ta + SMALL, REGION - SMALL));
	EXPECT_TRUE(zero(self->tb, PAGE));
	EXPECT_EQ(0, memcmp(self->tb + PAGE, self->sb, served_len));
	EXPECT_TRUE(zero(self->tb + PAGE + served_len, PAGE - served_len));
	EXPECT_TRUE(zero(self->shared, (size_t)(self->ta - self->shared)));
	EXPECT_TRUE(zero(self->ta + REGION, TWIN_BIT - REGION));
	EXPECT_TRUE(zero(self->tb + REGION, (size_t)(self->shared + SPAN - self->tb - REGION)));
}

TEST_F(args, memv_array_torn_by_its_copy_in)
{
	torn_memv(_metadata, self, SMALL);
}

TEST_F(args, memv_invalid_segment_served_during_copy_in)
{
	torn_memv(_metadata, self, HUGE_LEN);
}

/* ---- soak: random rewrites of one struct zxproc_mem -------------------- */

/*
 * A flipper thread rewrites the live struct while race_iterations()
 * calls read it.  What these sweeps add to the forced tests above is
 * volume, and the moments no stall can reach (a field rewritten between
 * two bytes of its own copy-in):
 *
 *  - copy_from_user() is not atomic, not even for one aligned 8-byte
 *    field, so a field rewritten during the copy may be read as any
 *    byte-wise mix of its old and new values (seen here: a length
 *    flipping between 0x40 and 0x4000001 read as 1).  Every pair of
 *    values the flippers alternate between differs in one byte only,
 *    so each snapshot field is exactly the old or the new value and the
 *    outcome can be named; across fields, the snapshot combines old
 *    and new freely.
 *  - A length that flips between a valid and an invalid value gives
 *    either EINVAL with nothing written, or exactly the valid length.
 *  - In a batch, nr_segs and the segments' lengths are taken once.
 */

/*
 * Which region changed, and how: one region holds the first @len bytes
 * of one source and zeros after them, and the rest of the shared
 * mapping is all zero.  Returns a combination code (bit 0: region B,
 * bit 1: source B) or -1.
 */
static int landed(FIXTURE_DATA(args) *self, size_t len)
{
	bool a = !zero(self->ta, REGION);
	bool b = !zero(self->tb, REGION);
	uint8_t *dst;
	int src;

	if (a == b)
		return -1;	/* both (a split write) or neither */
	dst = a ? self->ta : self->tb;
	if (!memcmp(dst, self->sa, len))
		src = 0;
	else if (!memcmp(dst, self->sb, len))
		src = 1;
	else
		return -1;
	/* Not one byte past @len, in the region or anywhere else. */
	if (!zero(dst + len, REGION - len) ||
	    !zero(self->shared, (size_t)(self->ta - self->shared)) ||
	    !zero(self->ta + REGION, TWIN_BIT - REGION) ||
	    !zero(self->tb + REGION, (size_t)(self->shared + SPAN - self->tb - REGION)))
		return -1;
	return (a ? 0 : 1) | src << 1;
}

/* The struct the ioctl reads while the flipper rewrites it. */
static struct zxproc_mem live;

enum flip_kind { FLIP_FIELDS, FLIP_ADDR, FLIP_LEN_VALID, FLIP_LEN_INVALID };

struct flip {
	FIXTURE_DATA(args) *self;
	enum flip_kind kind;
	_Atomic unsigned long flips;
};

/* Store one field with one aligned 8-byte store. */
static void put64(__u64 *field, __u64 v)
{
	__atomic_store_n(field, v, __ATOMIC_RELAXED);
}

static void *flipper(void *arg)
{
	struct flip *f = arg;
	FIXTURE_DATA(args) *self = f->self;
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	unsigned long n = 0;

	while (!atomic_load(&self->stop)) {
		bool b = n & 1;

		switch (f->kind) {
		case FLIP_FIELDS:	/* config A or B, field by field */
			if (race_rand(&rng) & 1) {
				put64(&live.addr, zx_ptr(b ? self->tb : self->ta));
				put64(&live.len, b ? LARGE : SMALL);
				put64(&live.buf, zx_ptr(b ? self->sb : self->sa));
			} else {
				put64(&live.buf, zx_ptr(b ? self->sb : self->sa));
				put64(&live.addr, zx_ptr(b ? self->tb : self->ta));
				put64(&live.len, b ? LARGE : SMALL);
			}
			break;
		case FLIP_ADDR:
			put64(&live.addr, zx_ptr(b ? self->tb : self->ta));
			break;
		case FLIP_LEN_VALID:
			put64(&live.len, b ? LARGE : SMALL);
			break;
		case FLIP_LEN_INVALID:
			put64(&live.len, b ? HUGE_LEN : SMALL);
			break;
		}
		n++;
		race_spin(&rng, 64);
	}
	atomic_store(&f->flips, n);
	return NULL;
}

static void start_flipper(struct __test_metadata *_metadata,
			  FIXTURE_DATA(args) *self, struct flip *f,
			  enum flip_kind kind)
{
	f->self = self;
	f->kind = kind;
	atomic_store(&f->flips, 0);
	live = (struct zxproc_mem){
		.addr = zx_ptr(self->ta), .buf = zx_ptr(self->sa), .len = SMALL,
	};
	atomic_store(&self->stop, 0);
	ASSERT_EQ(0, pthread_create(&self->flipper, NULL, flipper, f));
}

static unsigned long stop_flipper(FIXTURE_DATA(args) *self, struct flip *f)
{
	atomic_store(&self->stop, 1);
	pthread_join(self->flipper, NULL);
	return atomic_load(&f->flips);
}

/*
 * Run the flipper of @kind and race @iters writes against it.
 * seen[]: combination codes observed (bit 2: LARGE length).
 * Returns the number of EINVAL results.
 */
static unsigned long race_mem(struct __test_metadata *_metadata,
			      FIXTURE_DATA(args) *self, enum flip_kind kind,
			      unsigned long iters, unsigned long seen[8])
{
	unsigned long i, einval = 0, flips;
	struct flip f;

	start_flipper(_metadata, self, &f, kind);
	for (i = 0; i < iters; i++) {
		int ret, combo;

		reset(self);
		__atomic_store_n(&live.actual, ZX_SENTINEL, __ATOMIC_RELAXED);
		ret = ioctl(self->h, ZXPROC_IOC_WRITE, &live) ? -errno : 0;
		uint64_t actual = __atomic_load_n(&live.actual, __ATOMIC_RELAXED);

		if (ret == -EINVAL && kind == FLIP_LEN_INVALID) {
			/* Rejected before anything: nothing written. */
			if (actual != ZX_SENTINEL ||
			    !zero(self->shared, SPAN)) {
				stop_flipper(self, &f);
				ASSERT_TRUE(false) TH_LOG("call %lu: EINVAL, but actual %#llx or bytes written",
							  i, (unsigned long long)actual);
			}
			einval++;
			continue;
		}
		if (ret != 0 || (actual != SMALL && actual != LARGE)) {
			stop_flipper(self, &f);
			ASSERT_TRUE(false) TH_LOG("call %lu: ret %d actual %llu", i, ret,
						  (unsigned long long)actual);
		}
		combo = landed(self, actual);
		if (combo < 0) {
			stop_flipper(self, &f);
			ASSERT_TRUE(false) TH_LOG("call %lu: %llu bytes reported, but the regions do not hold exactly one source's first %llu bytes at one address",
						  i, (unsigned long long)actual,
						  (unsigned long long)actual);
		}
		seen[combo | (actual == LARGE) << 2]++;
	}
	flips = stop_flipper(self, &f);
	TH_LOG("%lu calls against %lu rewrites: %lu EINVAL", iters, flips, einval);
	return einval;
}

static const char *const combo_name[8] = {
	"A<-A 256", "B<-A 256", "A<-B 256", "B<-B 256",
	"A<-A 7936", "B<-A 7936", "A<-B 7936", "B<-B 7936",
};

static void log_seen(struct __test_metadata *_metadata, const unsigned long seen[8])
{
	char line[512];
	size_t n = 0;
	int i;

	for (i = 0; i < 8; i++)
		n += snprintf(line + n, sizeof(line) - n, " %s:%lu", combo_name[i], seen[i]);
	TH_LOG("snapshots used (region<-source length):%s", line);
}

/* Whole struct rewritten field by field: any one snapshot, applied whole. */
TEST_F_TIMEOUT(args, soak_mem_struct_rewritten_field_by_field, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_FIELDS, race_iterations(), seen);
	log_seen(_metadata, seen);
	/* The two configurations themselves were both used. */
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[7]);
}

/* addr flipped by one store: all bytes at the old or all at the new one. */
TEST_F_TIMEOUT(args, soak_mem_addr_flipped, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_ADDR, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[1]);
	EXPECT_EQ(0UL, seen[2] + seen[3] + seen[4] + seen[5] + seen[6] + seen[7]);
}

/* len flipped between two valid values: exactly one of them is used. */
TEST_F_TIMEOUT(args, soak_mem_len_flipped_valid, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_LEN_VALID, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[4]);
	EXPECT_EQ(0UL, seen[1] + seen[2] + seen[3] + seen[5] + seen[6] + seen[7]);
}

/* len flipped to an invalid value: EINVAL, or exactly 256 bytes. */
TEST_F_TIMEOUT(args, soak_mem_len_flipped_invalid, 600)
{
	unsigned long seen[8] = { 0 }, einval;

	einval = race_mem(_metadata, self, FLIP_LEN_INVALID, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, einval);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_EQ(0UL, seen[1] + seen[2] + seen[3] + seen[4] + seen[5] + seen[6] + seen[7]);
}

/* ---- soak: a batch's nr_segs and segment array rewritten at random ---- */

static struct zxproc_memv live_v;
static struct zxproc_seg live_segs[2];

struct vflip {
	FIXTURE_DATA(args) *self;
	_Atomic unsigned long flips;
};

static void *vflipper(void *arg)
{
	struct vflip *f = arg;
	FIXTURE_DATA(args) *self = f->self;
	uint64_t rng = 0x853c49e6748fea9bULL;
	unsigned long n = 0;

	while (!atomic_load(&self->stop)) {
		uint64_t r = race_rand(&rng);

		switch (r % 3) {
		case 0:
			__atomic_store_n(&live_v.nr_segs, (r & 8) ? 2U : 1U,
					 __ATOMIC_RELAXED);
			break;
		case 1:
			put64(&live_segs[1].len, (r & 8) ? HUGE_LEN : SMALL);
			break;
		case 2:
			put64(&live_segs[1].addr,
			      zx_ptr((r & 8) ? self->tb : self->ta) + PAGE);
			break;
		}
		n++;
		race_spin(&rng, 64);
	}
	atomic_store(&f->flips, n);
	return NULL;
}

/*
 * Segment 0: 256 bytes of source A to region A.  Segment 1: 256 bytes
 * of source B to page 1 of region A or B, and its length flips to an
 * invalid one; nr_segs flips between 1 and 2.
 */
TEST_F_TIMEOUT(args, soak_memv_segments_rewritten, 600)
{
	unsigned long iters = race_iterations(), i, einval = 0, one = 0,
		      two_a = 0, two_b = 0, flips;
	struct vflip f = { .self = self };

	live_segs[0] = (struct zxproc_seg){
		.addr = zx_ptr(self->ta), .buf = zx_ptr(self->sa), .len = SMALL,
	};
	live_segs[1] = (struct zxproc_seg){
		.addr = zx_ptr(self->ta) + PAGE, .buf = zx_ptr(self->sb), .len = SMALL,
	};
	live_v = (struct zxproc_memv){
		.segs = zx_ptr(live_segs), .nr_segs = 2,
		.seg_size = sizeof(struct zxproc_seg),
	};
	atomic_store(&self->stop, 0);
	ASSERT_EQ(0, pthread_create(&self->flipper, NULL, vflipper, &f));

	for (i = 0; i < iters; i++) {
		uint64_t actual, r0, r1;
		int32_t s0, s1;
		uint32_t done;
		bool in_a, in_b, ok;
		int ret;

		reset(self);
		__atomic_store_n(&live_v.actual, ZX_SENTINEL, __ATOMIC_RELAXED);
		__atomic_store_n(&live_v.done, 0xa5a5a5a5U, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[0].actual, ZX_SENTINEL, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[1].actual, ZX_SENTINEL, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[0].status, 0x5a5a5a5a, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[1].status, 0x5a5a5a5a, __ATOMIC_RELAXED);
		ret = ioctl(self->h, ZXPROC_IOC_WRITEV, &live_v) ? -errno : 0;
		actual = __atomic_load_n(&live_v.actual, __ATOMIC_RELAXED);
		done = __atomic_load_n(&live_v.done, __ATOMIC_RELAXED);
		r0 = __atomic_load_n(&live_segs[0].actual, __ATOMIC_RELAXED);
		r1 = __atomic_load_n(&live_segs[1].actual, __ATOMIC_RELAXED);
		s0 = __atomic_load_n(&live_segs[0].status, __ATOMIC_RELAXED);
		s1 = __atomic_load_n(&live_segs[1].status, __ATOMIC_RELAXED);

		if (ret == -EINVAL) {
			ok = actual == ZX_SENTINEL && done == 0xa5a5a5a5U &&
			     r0 == ZX_SENTINEL && r1 == ZX_SENTINEL &&
			     s0 == 0x5a5a5a5a && s1 == 0x5a5a5a5a &&
			     zero(self->shared, SPAN);
			einval++;
		} else {
			/* Segment 0 always, whole; nothing else in page 0. */
			ok = ret == 0 && r0 == SMALL && s0 == 0 &&
			     !memcmp(self->ta, self->sa, SMALL) &&
			     zero(self->ta + SMALL, PAGE - SMALL) &&
			     zero(self->tb, PAGE) &&
			     zero(self->shared, (size_t)(self->ta - self->shared)) &&
			     zero(self->ta + REGION, TWIN_BIT - REGION) &&
			     zero(self->tb + REGION, (size_t)(self->shared + SPAN - self->tb - REGION));
			in_a = !zero(self->ta + PAGE, PAGE);
			in_b = !zero(self->tb + PAGE, PAGE);
			if (done == 1) {
				/* Snapshot had one segment: the second untouched. */
				ok = ok && actual == SMALL && r1 == ZX_SENTINEL &&
				     s1 == 0x5a5a5a5a &&
				     !in_a && !in_b;
				one++;
			} else {
				uint8_t *p = in_a ? self->ta + PAGE : self->tb + PAGE;

				ok = ok && done == 2 && actual == 2 * SMALL &&
				     r1 == SMALL && s1 == 0 && in_a != in_b &&
				     !memcmp(p, self->sb, SMALL) &&
				     zero(p + SMALL, PAGE - SMALL);
				two_a += in_a;
				two_b += in_b;
			}
		}
		if (!ok) {
			atomic_store(&self->stop, 1);
			pthread_join(self->flipper, NULL);
			ASSERT_TRUE(false) TH_LOG("call %lu: ret %d actual %#llx done %#x results %#llx %#llx",
						  i, ret, (unsigned long long)actual, done,
						  (unsigned long long)r0, (unsigned long long)r1);
		}
	}
	atomic_store(&self->stop, 1);
	pthread_join(self->flipper, NULL);
	flips = atomic_load(&f.flips);
	TH_LOG("%lu batches against %lu rewrites: %lu EINVAL, %lu with 1 segment, %lu with 2 (second in A: %lu, in B: %lu)",
	       iters, flips, einval, one, two_a + two_b, two_a, two_b);
	EXPECT_LT(0UL, einval);
	EXPECT_LT(0UL, one);
	EXPECT_LT(0UL, two_a);
	EXPECT_LT(0UL, two_b);
}

RACE_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * A second thread rewrites the ioctl argument struct (and a batch's
 * segment array) while the call runs.
 *
 * The module copies each struct in once and uses only its copy (the
 * double-fetch rule of botching-up-ioctls.rst).  What that guarantees,
 * and what each test asserts after every call:
 *
 *  - One snapshot is used for the whole call: the bytes land at one
 *    address, contiguously, come from one buffer, and number exactly the
 *    length that was validated, which is @actual.  They are never split
 *    between an old and a new address, and never exceed the validated
 *    length.
 *  - What the snapshot holds: copy_from_user() is not atomic, not even
 *    for one aligned 8-byte field, so a field rewritten during the copy
 *    may be read as any byte-wise mix of its old and new values (seen
 *    here: a length flipping between 0x40 and 0x4000001 read as 1).
 *    Every pair of values the flippers below alternate between differs
 *    in one byte only, so each snapshot field is exactly the old or the
 *    new value and the tests can name the outcome; across fields, the
 *    snapshot combines old and new freely.
 *  - A length that flips between a valid and an invalid value gives
 *    either EINVAL with nothing written, or exactly the valid length:
 *    no byte beyond it (the rest of the region stays zero).
 *  - In a batch, @nr_segs and the segments' lengths are taken once: the
 *    results written back match the bytes that landed, and a segment
 *    never writes more than the length its validation saw.
 *
 * The target's regions are MAP_SHARED with the test (mapped before the
 * fork), so the test sees every byte the module writes into the target
 * without any second interface.
 */
#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (2 * PAGE)
/* Value pairs that differ in one byte (see above). */
#define SMALL 0x100UL		/* 256 */
#define LARGE 0x1f00UL		/* 7936: valid, most of the region */
#define HUGE_LEN (SMALL | 1ULL << 56)	/* invalid: > ZXPROC_MAX_TRANSFER */
#define TWIN_BIT 0x4000UL	/* A and B regions: addresses differ in bit 14 */
#define SPAN (16 * PAGE)	/* a mapping that holds such a pair */

FIXTURE(args) {
	pid_t target;
	int h;
	uint8_t *shared;	/* SPAN bytes shared with the target */
	uint8_t *ta, *tb;	/* two 2-page regions in it, twins */
	uint8_t *src;		/* SPAN bytes of the test's own */
	uint8_t *sa, *sb;	/* two 2-page sources in it, twins */
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
}

FIXTURE_TEARDOWN(args)
{
	zx_reap(self->target);
	if (self->h >= 0)
		close(self->h);
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

/* ---- one struct zxproc_mem rewritten -------------------------------- */

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
TEST_F_TIMEOUT(args, mem_struct_rewritten_field_by_field, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_FIELDS, race_iterations(), seen);
	log_seen(_metadata, seen);
	/* The two configurations themselves were both used. */
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[7]);
}

/* addr flipped by one store: all bytes at the old or all at the new one. */
TEST_F_TIMEOUT(args, mem_addr_flipped, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_ADDR, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[1]);
	EXPECT_EQ(0UL, seen[2] + seen[3] + seen[4] + seen[5] + seen[6] + seen[7]);
}

/* len flipped between two valid values: exactly one of them is used. */
TEST_F_TIMEOUT(args, mem_len_flipped_valid, 600)
{
	unsigned long seen[8] = { 0 };

	race_mem(_metadata, self, FLIP_LEN_VALID, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_LT(0UL, seen[4]);
	EXPECT_EQ(0UL, seen[1] + seen[2] + seen[3] + seen[5] + seen[6] + seen[7]);
}

/* len flipped to an invalid value: EINVAL, or exactly 256 bytes. */
TEST_F_TIMEOUT(args, mem_len_flipped_invalid, 600)
{
	unsigned long seen[8] = { 0 }, einval;

	einval = race_mem(_metadata, self, FLIP_LEN_INVALID, race_iterations(), seen);
	log_seen(_metadata, seen);
	EXPECT_LT(0UL, einval);
	EXPECT_LT(0UL, seen[0]);
	EXPECT_EQ(0UL, seen[1] + seen[2] + seen[3] + seen[4] + seen[5] + seen[6] + seen[7]);
}

/* ---- a batch: nr_segs and the segment array rewritten ----------------- */

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
TEST_F_TIMEOUT(args, memv_segments_rewritten, 600)
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
	live_v = (struct zxproc_memv){ .segs = zx_ptr(live_segs), .nr_segs = 2 };
	atomic_store(&self->stop, 0);
	ASSERT_EQ(0, pthread_create(&self->flipper, NULL, vflipper, &f));

	for (i = 0; i < iters; i++) {
		uint64_t actual, r0, r1;
		uint32_t done;
		bool in_a, in_b, ok;
		int ret;

		reset(self);
		__atomic_store_n(&live_v.actual, ZX_SENTINEL, __ATOMIC_RELAXED);
		__atomic_store_n(&live_v.done, 0xa5a5a5a5U, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[0].result, (int64_t)ZX_SENTINEL, __ATOMIC_RELAXED);
		__atomic_store_n(&live_segs[1].result, (int64_t)ZX_SENTINEL, __ATOMIC_RELAXED);
		ret = ioctl(self->h, ZXPROC_IOC_WRITEV, &live_v) ? -errno : 0;
		actual = __atomic_load_n(&live_v.actual, __ATOMIC_RELAXED);
		done = __atomic_load_n(&live_v.done, __ATOMIC_RELAXED);
		r0 = (uint64_t)__atomic_load_n(&live_segs[0].result, __ATOMIC_RELAXED);
		r1 = (uint64_t)__atomic_load_n(&live_segs[1].result, __ATOMIC_RELAXED);

		if (ret == -EINVAL) {
			ok = actual == ZX_SENTINEL && done == 0xa5a5a5a5U &&
			     r0 == ZX_SENTINEL && r1 == ZX_SENTINEL &&
			     zero(self->shared, SPAN);
			einval++;
		} else {
			/* Segment 0 always, whole; nothing else in page 0. */
			ok = ret == 0 && r0 == SMALL &&
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
				     !in_a && !in_b;
				one++;
			} else {
				uint8_t *p = in_a ? self->ta + PAGE : self->tb + PAGE;

				ok = ok && done == 2 && actual == 2 * SMALL &&
				     r1 == SMALL && in_a != in_b &&
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

TEST_HARNESS_MAIN

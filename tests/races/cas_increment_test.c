// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_CAS is atomic with respect to the target's own threads: the
 * target's threads add 1 to a value with atomic instructions while we
 * add 1 to the same value with compare-and-swap loops through the
 * handle, for a bounded count on both sides.  No update may be lost:
 * the final value is the target's increments plus our swaps (modulo the
 * value's width).  A compare-and-swap done as a read, a compare and a
 * plain store would lose every increment the target made between them.
 *
 * The interleaving cannot be forced instruction by instruction, so each
 * round also proves that it raced: it counts the comparisons that found
 * a value the target had changed since we last saw it, and a round with
 * none is run again (up to ROUNDS times; then the test fails, having
 * shown nothing).  Every size is run, each with its value at an offset
 * that is a multiple of its size but not of the next one, and with
 * neighbouring bytes the target increments too, so a CAS that wrote
 * more than its own bytes loses their updates as well.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define THREADS 2
#define TARGET_ADDS 3000	/* per target thread, per value */
#define OUR_SWAPS 1000
#define ROUNDS 5

/*
 * Shared between the test and the target (MAP_SHARED): the start and
 * the target threads' progress.  The values themselves live in the
 * target's private memory.
 */
struct control {
	atomic_int go;
	atomic_int finished;
};

/*
 * Private (copied at fork): one 16-byte line, whose values sit at
 * off[size] for each size: 1 at 1, 2 at 2, 4 at 4, 8 at 8, each
 * between neighbours the target increments as well.
 */
struct round {
	uint32_t size;
	size_t off;		/* of the value in line */
	size_t nb_off;		/* of a neighbouring byte */
};

static _Alignas(64) uint8_t line[64];
static struct control *ctl;
static struct round cur;

static void add_value(uint8_t *p, uint32_t size)
{
	switch (size) {
	case 1: __atomic_fetch_add(p, 1, __ATOMIC_SEQ_CST); break;
	case 2: __atomic_fetch_add((uint16_t *)p, 1, __ATOMIC_SEQ_CST); break;
	case 4: __atomic_fetch_add((uint32_t *)p, 1, __ATOMIC_SEQ_CST); break;
	default: __atomic_fetch_add((uint64_t *)p, 1, __ATOMIC_SEQ_CST); break;
	}
}

/* A target thread: after the go, TARGET_ADDS atomic adds to the value
 * and as many to the neighbouring byte, yielding now and then so that
 * our calls land between its adds. */
static void *adder(void *arg)
{
	int i;

	(void)arg;
	while (!atomic_load(&ctl->go))
		sched_yield();
	for (i = 0; i < TARGET_ADDS; i++) {
		add_value(line + cur.off, cur.size);
		__atomic_fetch_add(line + cur.nb_off, 1, __ATOMIC_SEQ_CST);
		if (i % 4 == 0)
			sched_yield();
	}
	atomic_fetch_add(&ctl->finished, 1);
	return NULL;
}

/* zx_target_prep() callback: the target's threads, waiting for the go. */
static int start_adders(void *arg)
{
	pthread_t t;
	int i;

	(void)arg;
	for (i = 0; i < THREADS; i++)
		if (pthread_create(&t, NULL, adder, NULL))
			return -1;
	return 0;
}

static uint64_t mask_of(uint32_t size)
{
	return size == 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

static int cas(int h, uint64_t addr, uint32_t size, uint64_t expected,
	       uint64_t desired, uint64_t *old, bool *swapped)
{
	struct zxproc_cas req = {
		.addr = addr, .expected = expected, .desired = desired,
		.size = size,
	};
	int ret = zx_ioctl(h, ZXPROC_IOC_CAS, &req);

	*old = req.old;
	*swapped = req.result & ZXPROC_CAS_SWAPPED;
	return ret;
}

/* The @size-byte value at @addr in @pid, through /proc/PID/mem. */
static int peek_value(pid_t pid, uint64_t addr, uint32_t size, uint64_t *v)
{
	uint8_t b[8];
	uint64_t x = 0;

	if (zx_peek(pid, addr, b, size) != (ssize_t)size)
		return -EIO;
	memcpy(&x, b, size);	/* little-endian: the low bytes */
	*v = x;
	return 0;
}

/*
 * One round: a fresh target whose threads add to the value while we do
 * OUR_SWAPS compare-and-swap increments.  Returns the number of our
 * comparisons that found the target's work (the proof of a race), or
 * -1 after a failed check.
 */
static long one_round(struct __test_metadata *_metadata, uint32_t size,
		      size_t off, size_t nb_off)
{
	uint64_t addr = zx_ptr(line + off), want, v = 0, old, seen = 0;
	uint64_t mask = mask_of(size);
	long swaps = 0, raced = 0;
	uint8_t nb;
	bool swapped;
	pid_t pid;
	int h;

	memset(line, 0, sizeof(line));
	atomic_store(&ctl->go, 0);
	atomic_store(&ctl->finished, 0);
	cur = (struct round){ .size = size, .off = off, .nb_off = nb_off };
	pid = zx_target_prep(start_adders, NULL);
	if (pid < 0)
		return -1;
	h = zx_handle(pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	if (h < 0) {
		zx_reap(pid);
		return -1;
	}

	atomic_store(&ctl->go, 1);
	/* Ours first, then on until the target is done: bounded both ways. */
	while (swaps < OUR_SWAPS || atomic_load(&ctl->finished) < THREADS) {
		int ret = cas(h, addr, size, seen, (seen + 1) & mask, &old,
			      &swapped);

		if (ret) {
			EXPECT_EQ(0, ret);
			swaps = -1;
			break;
		}
		if (swapped != (old == seen)) {
			EXPECT_EQ(old == seen, swapped);
			swaps = -1;
			break;
		}
		if (swapped) {
			seen = (seen + 1) & mask;
			swaps++;
		} else {
			raced++;	/* the target added since we looked */
			seen = old;
		}
	}
	if (swaps >= 0) {
		want = ((uint64_t)THREADS * TARGET_ADDS + (uint64_t)swaps) & mask;
		EXPECT_EQ(0, peek_value(pid, addr, size, &v));
		EXPECT_EQ(want, v) TH_LOG("size %u: %ld swaps, %ld raced: updates lost (modulo 2^%u)",
					  size, swaps, raced, size * 8);
		/* The neighbour got every one of the target's adds. */
		EXPECT_EQ(1, zx_peek(pid, zx_ptr(line + nb_off), &nb, 1));
		EXPECT_EQ((uint8_t)(THREADS * TARGET_ADDS), nb);
		TH_LOG("size %u: %ld swaps of ours, %ld comparisons found the target's adds",
		       size, swaps, raced);
	}
	close(h);
	zx_reap(pid);
	return swaps < 0 ? -1 : raced;
}

static void race_size(struct __test_metadata *_metadata, uint32_t size,
		      size_t off, size_t nb_off)
{
	long raced = 0;
	int round;

	for (round = 0; round < ROUNDS && raced == 0; round++) {
		raced = one_round(_metadata, size, off, nb_off);
		ASSERT_LE(0, raced);
	}
	ASSERT_LT(0, raced) TH_LOG("no round of %d raced with the target", ROUNDS);
}

FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctl);
}

FIXTURE_TEARDOWN(race)
{
	munmap(ctl, sizeof(*ctl));
}

/* Offsets: a multiple of the size, not of twice it; neighbour beside. */
TEST_F(race, size_1)
{
	race_size(_metadata, 1, 17, 16);
}

TEST_F(race, size_2)
{
	race_size(_metadata, 2, 18, 20);
}

TEST_F(race, size_4)
{
	race_size(_metadata, 4, 20, 24);
}

TEST_F(race, size_8)
{
	race_size(_metadata, 8, 24, 32);
}

TEST_HARNESS_MAIN

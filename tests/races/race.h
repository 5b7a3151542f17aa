/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the race suites (tests/races/NAME_test.c) share: payload slots
 * that say which write put them there, a writer's progress counters in
 * memory shared between processes, and iteration counts.
 *
 * The central idea: a byte that lands where it must not is only visible
 * if every byte can be traced back to the write that stored it.  Each
 * write stores whole 64-byte slots carrying its sequence number and a
 * checksum, so a checker can tell "zero (never written)", "written by
 * write k" and "garbage" apart, and can compare k with the writer's
 * progress counters at the time a mapping was made.
 *
 * The raw interface helpers (zx_*) come from tests/module/helpers.h, so
 * the two families of suites speak to the module the same way.
 */
#ifndef ZXPROC_TESTS_RACES_RACE_H
#define ZXPROC_TESTS_RACES_RACE_H

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "../module/helpers.h"

/*
 * Iterations of each race.  The issue asks for at least 10,000; a
 * bigger ZXPROC_RACE_ITERATIONS runs longer (a smaller one is refused,
 * so a figure printed by a suite always means what SECURITY.md says).
 */
#define RACE_MIN_ITERATIONS 10000UL

static inline unsigned long race_iterations(void)
{
	const char *s = getenv("ZXPROC_RACE_ITERATIONS");
	unsigned long n = s ? strtoul(s, NULL, 10) : 0;

	return n > RACE_MIN_ITERATIONS ? n : RACE_MIN_ITERATIONS;
}

/* Monotonic time in microseconds. */
static inline long long race_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- payload slots ---------------------------------------------------- */

#define RACE_SLOT 64
#define RACE_MAGIC 0x7a7870726f633a21ULL	/* "zxproc:!" */

struct race_slot {
	uint64_t magic;
	uint64_t seq;		/* the write that stored this slot, >= 1 */
	uint64_t word[6];	/* derived from seq: a checksum over 48 bytes */
};

_Static_assert(sizeof(struct race_slot) == RACE_SLOT, "slot is 64 bytes");

static inline uint64_t race_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static inline void race_slot_make(struct race_slot *s, uint64_t seq)
{
	unsigned int i;

	s->magic = RACE_MAGIC;
	s->seq = seq;
	for (i = 0; i < 6; i++)
		s->word[i] = race_mix(seq * 8 + i);
}

/* 1: a whole slot of write s->seq; 0: all zero; -1: anything else. */
static inline int race_slot_kind(const struct race_slot *s)
{
	static const struct race_slot zero;
	unsigned int i;

	if (!memcmp(s, &zero, sizeof(zero)))
		return 0;
	if (s->magic != RACE_MAGIC || !s->seq)
		return -1;
	for (i = 0; i < 6; i++)
		if (s->word[i] != race_mix(s->seq * 8 + i))
			return -1;
	return 1;
}

/* ---- the writer's progress, in memory shared with the checker ---------- */

/*
 * started: sequence number of the write about to be issued (stored
 *	before the ioctl).
 * completed: sequence number of the last write whose ioctl returned
 *	(stored after it).  Writes are issued one at a time by one thread,
 *	so every write k <= completed had returned when completed was read.
 * stop: the checker asks the writer to finish.
 * stopped: the writer has finished (the checker waits for it before
 *	exiting, so no write races with the target's exit unless a test
 *	wants that race).
 * bad: violations found; the first one is described in msg.
 */
struct race_shared {
	_Atomic uint64_t started;
	_Atomic uint64_t completed;
	_Atomic int stop;
	_Atomic int stopped;
	_Atomic uint64_t bad;
	_Atomic uint64_t counts[16];	/* per-suite outcome counters */
	char msg[512];
	_Atomic int msg_taken;
};

static inline struct race_shared *race_shared_new(void)
{
	void *p = mmap(NULL, sizeof(struct race_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Checker side: ask the writer to stop and wait (up to 60 s) until it has. */
static inline void race_stop_writer(struct race_shared *sh)
{
	long long end = race_now_us() + 60 * 1000000LL;

	atomic_store(&sh->stop, 1);
	while (!atomic_load(&sh->stopped) && race_now_us() < end)
		usleep(1000);
}

/* Record a violation; the first one's text is kept for the report. */
#define race_fail(sh, ...) do { \
	atomic_fetch_add(&(sh)->bad, 1); \
	if (!atomic_exchange(&(sh)->msg_taken, 1)) \
		snprintf((sh)->msg, sizeof((sh)->msg), __VA_ARGS__); \
} while (0)

/*
 * Could slot @slot have a write in flight?  The writer's write k covers
 * the slots that @slots_of(k) names; a checker that read a region
 * between loading @done (completed, before) and @issued (started,
 * after) must skip every slot of the writes done+1 .. issued: their
 * bytes may be half copied.  Returns false when too many writes ran for
 * the answer to be cheap (the caller then skips the whole check).
 */
typedef unsigned int (*race_slots_fn)(uint64_t seq, unsigned int *slots);

static inline bool race_in_flight(race_slots_fn slots_of, uint64_t done,
				  uint64_t issued, bool *busy, unsigned int nslots)
{
	unsigned int s[4], n, i;
	uint64_t k;

	memset(busy, 0, nslots * sizeof(*busy));
	if (issued - done > nslots)
		return false;
	for (k = done + 1; k <= issued; k++) {
		n = slots_of(k, s);
		for (i = 0; i < n; i++)
			busy[s[i] % nslots] = true;
	}
	return true;
}

/* ---- small things ----------------------------------------------------- */

/* xorshift64*: cheap per-thread randomness for delays and choices. */
static inline uint64_t race_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Spin for up to @max iterations: spreads the racing moments. */
static inline void race_spin(uint64_t *state, unsigned int max)
{
	unsigned int n = (unsigned int)(race_rand(state) % (max + 1));

	while (n--)
		atomic_signal_fence(memory_order_seq_cst);
}

/* A free address range of @len bytes, reserved and released again. */
static inline uint64_t race_free_range(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return zx_ptr(p);
}

#endif /* ZXPROC_TESTS_RACES_RACE_H */

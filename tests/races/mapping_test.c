// SPDX-License-Identifier: GPL-2.0
/*
 * Writes while the target changes the mapping being written: munmap +
 * mmap, mremap (move, shrink), and mprotect / MADV_DONTNEED on a private
 * read-only file mapping (the Dirty COW pattern).
 *
 * Each interleaving is forced (tests/races/race.h): a two-page write is
 * held either on the second page of the caller's own source (page 0
 * copied, no target page pinned) or inside the pin of the target's
 * second page (page 0 pinned, the target's mmap_lock dropped), the
 * target changes the mapping, then the write goes on.  Asserted, for
 * each (see the expectations in mapping_changed_while_a_write_is_held):
 *
 *  - every byte lands in memory that was mapped at its address when the
 *    write pinned it, and nowhere else: after munmap + mmap, page 1
 *    lands in the new mapping and page 0 in the old one (a memfd the
 *    test keeps sees it), never both, and the new mapping's page 0
 *    stays zero when the old one took it; after a move or a shrink, the
 *    write is short (actual = one page) and page 0's bytes are where
 *    that page went;
 *  - scratch pages the target faults in while the write is held (fresh
 *    frames, likely those just freed) stay zero;
 *  - the file behind a private read-only mapping never changes whatever
 *    MADV_DONTNEED and mprotect do while a forced (copy-on-write) write
 *    is held, and a shared read-only mapping of it is never written
 *    (EACCES); with force_override=never, a private mapping made
 *    read-only while the write is held ends the write there (a short
 *    write, nothing in the file).
 *
 * The old random sweeps are soak_* tests, run only with ZXPROC_SOAK=1
 * (see race.h), after the forced tests' helpers below.
 */
#include <sys/stat.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23	/* Linux 5.14; older libc headers lack it */
#endif

#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define NSLOTS (2 * PAGE / RACE_SLOT)	/* the region: 2 pages */
#define PAIR_SLOT (PAGE / RACE_SLOT - 1) /* slots 63 and 64 straddle */
#define FORCE_PARAM "/sys/module/zxproc/parameters/force_override"
#define SRC_SEED 0x31
#define T_SEED 0x77	/* the target's own bytes in its region */
#define SCRATCH_PAGES 16

/* ---- soak: the sweeps ---------------------------------------------------------- */

/*
 * The old random sweeps, kept for soak runs: a writer writes slots as
 * fast as it can while the target changes the mapping race_iterations()
 * times (munmap + mmap, mremap move/shrink/grow; mprotect and
 * MADV_DONTNEED on a private read-only file mapping, the Dirty COW
 * pattern), and the target checks after each change:
 *
 *  1. Fresh mappings.  A write k may leave bytes in a mapping only if
 *     its ioctl had not yet returned when that mapping was created.
 *  2. Bytes land only in the slots their write addressed, whole; and a
 *     scratch page, given a fresh frame after every change and never
 *     addressed by a write, stays zero.
 *  3. A write of one slot reports 64 bytes or ENOMEM with 0; a write of
 *     two slots across the page boundary reports 128, or 64 (second
 *     page gone: a short write), or ENOMEM.
 *  4. The file behind a private read-only mapping, and a shared
 *     read-only mapping of it, never change; writes to the shared
 *     read-only mapping always fail with EACCES.
 *
 * A checker that reads a region skips only the slots of writes in
 * flight while it read (see race_in_flight()).
 */

/* Outcome counters in race_shared.counts[]. */
enum { C_FULL, C_SHORT, C_ENOMEM, C_EACCES, C_CHECKS, C_SKIPPED, C_SLOTS,
       C_SCRATCH, C_GENS };

/* Write k: slots 63+64 (every 4th write), else one slot spread around. */
static unsigned int slots_of(uint64_t k, unsigned int *s)
{
	if (k % 4 == 0) {
		s[0] = PAIR_SLOT;
		s[1] = PAIR_SLOT + 1;
		return 2;
	}
	s[0] = (unsigned int)((k * 37) % NSLOTS);
	return 1;
}

/* ---- soak: the writer (the test process) ---------------------------------- */

/* Write slots of write k into the target's region at @base until told to stop. */
static void writer_loop(struct race_shared *sh, int h, uint64_t base)
{
	struct race_slot buf[2];
	uint64_t k = 0, rng = 0x9e3779b97f4a7c15ULL;

	while (!atomic_load(&sh->stop)) {
		unsigned int s[2], n;
		uint64_t actual = ZX_SENTINEL;
		int ret;

		k++;
		n = slots_of(k, s);
		race_slot_make(&buf[0], k);
		race_slot_make(&buf[1], k);
		atomic_store(&sh->started, k);
		ret = zx_write(h, base + s[0] * RACE_SLOT, buf, n * RACE_SLOT, &actual);
		atomic_store(&sh->completed, k);

		if (ret == 0 && actual == n * RACE_SLOT)
			atomic_fetch_add(&sh->counts[C_FULL], 1);
		else if (ret == 0 && n == 2 && actual == RACE_SLOT)
			atomic_fetch_add(&sh->counts[C_SHORT], 1);
		else if (ret == -ENOMEM && actual == 0)
			atomic_fetch_add(&sh->counts[C_ENOMEM], 1);
		else
			race_fail(sh, "write %llu of %u bytes: ret %d actual %llu",
				  (unsigned long long)k, n * (unsigned int)RACE_SLOT,
				  ret, (unsigned long long)actual);
		if (ret == -ESTALE)
			break;	/* the checker died: it reports why */
		/* Vary the phase; leave the target's mmap_lock free at times. */
		race_spin(&rng, 4000);
	}
	atomic_store(&sh->stopped, 1);
}

/* ---- the checker (the target process) --------------------------------- */

struct layout {
	uint64_t window;	/* 16 pages reserved PROT_NONE */
	uint64_t a;		/* window + 0: the region, 2 pages */
	uint64_t b;		/* window + 4 pages: where mremap moves it (a hole) */
	uint64_t scratch;	/* window + 8 pages: a page nobody writes */
};

static void *map_at(uint64_t addr, size_t len, int prot, int flags)
{
	return mmap((void *)(uintptr_t)addr, len, prot,
		    MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/*
 * Check the 2-page region now at @at.  @fresh[p]: writes up to this one
 * had returned before page p's mapping was made.
 */
static void check_region(struct race_shared *sh, uint64_t at,
			 const uint64_t fresh[2])
{
	static struct race_slot copy[NSLOTS];
	bool busy[NSLOTS];
	uint64_t done, issued;
	unsigned int i;

	done = atomic_load(&sh->completed);
	memcpy(copy, (void *)(uintptr_t)at, sizeof(copy));
	issued = atomic_load(&sh->started);
	if (!race_in_flight(slots_of, done, issued, busy, NSLOTS)) {
		atomic_fetch_add(&sh->counts[C_SKIPPED], 1);
		return;
	}
	atomic_fetch_add(&sh->counts[C_CHECKS], 1);
	for (i = 0; i < NSLOTS; i++) {
		unsigned int s[2], n, j;
		bool placed = false;
		uint64_t seq;

		if (busy[i])
			continue;
		switch (race_slot_kind(&copy[i])) {
		case 0:
			continue;
		case -1:
			race_fail(sh, "slot %u holds bytes no whole write stored", i);
			continue;
		}
		atomic_fetch_add(&sh->counts[C_SLOTS], 1);
		seq = copy[i].seq;
		n = slots_of(seq, s);
		for (j = 0; j < n; j++)
			placed |= s[j] == i;
		if (!placed)
			race_fail(sh, "write %llu landed in slot %u, not its own",
				  (unsigned long long)seq, i);
		if (seq <= fresh[i * RACE_SLOT / PAGE])
			race_fail(sh, "write %llu had returned before page %lu was mapped, yet landed in it (slot %u)",
				  (unsigned long long)seq, i * RACE_SLOT / PAGE, i);
		if (seq > issued)
			race_fail(sh, "slot %u names write %llu, never issued",
				  i, (unsigned long long)seq);
	}
}

/*
 * A fresh page allocated right after the region's pages were freed
 * (likely on one of their frames): MADV_DONTNEED drops the scratch
 * page's frame, MADV_POPULATE_WRITE faults a new one in without writing
 * to it.  No write addresses it, so it must read as zero.
 */
static int check_scratch(struct race_shared *sh, const struct layout *l)
{
	uint8_t *p = (uint8_t *)(uintptr_t)l->scratch;
	long at;

	if (madvise(p, PAGE, MADV_DONTNEED) || madvise(p, PAGE, MADV_POPULATE_WRITE))
		return -errno;
	at = zx_not_all(p, 0, PAGE);
	if (at >= 0)
		race_fail(sh, "a scratch page no write addressed holds byte %#x at %ld",
			  p[at], at);
	atomic_fetch_add(&sh->counts[C_SCRATCH], 1);
	return 0;
}

/* One generation's change to the region; returns 0 or a step number. */
static int mutate(struct race_shared *sh, const struct layout *l,
		  unsigned long g, uint64_t fresh[2])
{
	void *a = (void *)(uintptr_t)l->a;
	uint64_t c;

	switch (g % 4) {
	case 0:	/* unmap both pages, map fresh ones at the same address */
		c = atomic_load(&sh->completed);
		if (munmap(a, 2 * PAGE))
			return 10;
		if (map_at(l->a, 2 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_FIXED_NOREPLACE) != a)
			return 11;
		fresh[0] = fresh[1] = c;
		break;
	case 1:	/* the second page only: two-slot writes turn short */
		c = atomic_load(&sh->completed);
		if (munmap((char *)a + PAGE, PAGE))
			return 12;
		sched_yield();
		if (map_at(l->a + PAGE, PAGE, PROT_READ | PROT_WRITE,
			   MAP_FIXED_NOREPLACE) != (char *)a + PAGE)
			return 13;
		fresh[1] = c;
		break;
	case 2:	/* move away (pages keep their content), check, move back */
		if (mremap(a, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   (void *)(uintptr_t)l->b) != (void *)(uintptr_t)l->b)
			return 14;
		check_region(sh, l->b, fresh);
		/* B stays a hole: this process maps nothing else meanwhile. */
		if (mremap((void *)(uintptr_t)l->b, 2 * PAGE, 2 * PAGE,
			   MREMAP_MAYMOVE | MREMAP_FIXED, a) != a)
			return 15;
		break;
	case 3:	/* shrink to one page, grow back in place: page 1 is new */
		if (mremap(a, 2 * PAGE, PAGE, 0) != a)
			return 17;
		c = atomic_load(&sh->completed);
		if (mremap(a, PAGE, 2 * PAGE, 0) != a)
			return 18;
		fresh[1] = c;
		break;
	}
	return 0;
}

static int checker(struct race_shared *sh, const struct layout *l,
		   unsigned long gens)
{
	uint64_t fresh[2] = { 0, 0 };
	unsigned long g;
	int step;

	/* Let the writer start before the first change. */
	while (!atomic_load(&sh->completed))
		sched_yield();
	for (g = 0; g < gens; g++) {
		step = mutate(sh, l, g, fresh);
		if (step)
			return step;
		if (check_scratch(sh, l))
			return 20;
		check_region(sh, l->a, fresh);
		atomic_fetch_add(&sh->counts[C_GENS], 1);
	}
	return 0;
}

/* ---- the file-backed races -------------------------------------------- */

/* A file of 2 pages with a known pattern, owned by root, mode 0444. */
static int make_file(char *path, size_t size, uint8_t *pattern)
{
	const char *dir = getenv("ZXPROC_VM_TMPDIR");

	snprintf(path, size, "%s/zxproc-race-XXXXXX", dir ? dir : "/tmp");
	zx_fill(pattern, 2 * PAGE, 7);
	return zx_make_file(path, pattern, 2 * PAGE, 0444);
}

struct file_maps {
	uint8_t *priv;		/* MAP_PRIVATE, PROT_READ: like program text */
	uint8_t *shared;	/* MAP_SHARED, PROT_READ, O_RDONLY file */
};

enum { F_PRIV_OK, F_PRIV_EACCES, F_SHARED_EACCES, F_ROUNDS, F_CHECKS,
       F_SKIPPED };

static unsigned int one_slot(uint64_t k, unsigned int *s)
{
	s[0] = (unsigned int)((k * 37) % NSLOTS);
	return 1;
}

/*
 * Writer for the file races: odd writes go to the private mapping
 * (copy-on-write), even ones to the shared read-only mapping (never).
 * @force: whether the module forces writes during the run.
 */
static void file_writer(struct race_shared *sh, int h,
			const struct file_maps *m, bool force)
{
	struct race_slot slot;
	uint64_t k = 0, rng = 0x9e3779b97f4a7c15ULL;

	while (!atomic_load(&sh->stop)) {
		uint64_t actual = ZX_SENTINEL, at;
		unsigned int s;
		bool shared;
		int ret;

		k++;
		one_slot(k, &s);
		shared = !(k & 1);
		at = zx_ptr(shared ? m->shared : m->priv) + s * RACE_SLOT;
		race_slot_make(&slot, k);
		atomic_store(&sh->started, k);
		ret = zx_write(h, at, &slot, RACE_SLOT, &actual);
		atomic_store(&sh->completed, k);

		if (shared && ret == -EACCES && actual == 0)
			atomic_fetch_add(&sh->counts[F_SHARED_EACCES], 1);
		else if (!shared && ret == 0 && actual == RACE_SLOT)
			atomic_fetch_add(&sh->counts[F_PRIV_OK], 1);
		else if (!shared && !force && ret == -EACCES && actual == 0)
			atomic_fetch_add(&sh->counts[F_PRIV_EACCES], 1);
		else
			race_fail(sh, "write %llu to the %s mapping: ret %d actual %llu",
				  (unsigned long long)k, shared ? "shared" : "private",
				  ret, (unsigned long long)actual);
		if (ret == -ESTALE)
			break;	/* the checker died: it reports why */
		race_spin(&rng, 4000);
	}
	atomic_store(&sh->stopped, 1);
}

/*
 * The private mapping's non-busy slots: the file's bytes or one whole
 * slot of a write (which addressed that slot).
 */
static void check_private(struct race_shared *sh, const uint8_t *priv,
			  const uint8_t *pattern)
{
	static struct race_slot copy[NSLOTS];
	bool busy[NSLOTS];
	uint64_t done, issued;
	unsigned int i, s;

	done = atomic_load(&sh->completed);
	memcpy(copy, priv, sizeof(copy));
	issued = atomic_load(&sh->started);
	if (!race_in_flight(one_slot, done, issued, busy, NSLOTS)) {
		atomic_fetch_add(&sh->counts[F_SKIPPED], 1);
		return;
	}
	atomic_fetch_add(&sh->counts[F_CHECKS], 1);
	for (i = 0; i < NSLOTS; i++) {
		if (busy[i] || !memcmp(&copy[i], pattern + i * RACE_SLOT, RACE_SLOT))
			continue;
		if (race_slot_kind(&copy[i]) != 1 ||
		    (one_slot(copy[i].seq, &s), s != i) || (copy[i].seq & 1) == 0)
			race_fail(sh, "private mapping slot %u holds neither the file's bytes nor a whole write of its own", i);
	}
}

/*
 * The target's side: toggle protections and drop the private copies,
 * as Dirty COW's second thread did, and watch the shared view.
 */
static int file_checker(struct race_shared *sh, const struct file_maps *m,
			const uint8_t *pattern, unsigned long rounds)
{
	static const int prots[] = { PROT_NONE, PROT_READ,
				     PROT_READ | PROT_WRITE, PROT_READ };
	unsigned long r;

	while (!atomic_load(&sh->completed))
		sched_yield();
	for (r = 0; r < rounds; r++) {
		if (mprotect(m->priv, 2 * PAGE, prots[r % 4]))
			return 30;
		if (r % 3 == 0 && madvise(m->priv, 2 * PAGE, MADV_DONTNEED))
			return 31;
		if (prots[r % 4] & PROT_READ)
			check_private(sh, m->priv, pattern);
		/* The page cache itself, seen through the shared mapping. */
		if (memcmp(m->shared, pattern, 2 * PAGE))
			race_fail(sh, "the file's page cache changed (round %lu)", r);
		atomic_fetch_add(&sh->counts[F_ROUNDS], 1);
	}
	return 0;
}

/* ---- the tests -------------------------------------------------------- */

FIXTURE(mapping) {
	struct race_shared *sh;
	pid_t target;
	int h;
	long long t0;
};

FIXTURE_SETUP(mapping)
{
	self->sh = race_shared_new();
	ASSERT_NE(NULL, self->sh);
	self->target = -1;
	self->h = -1;
	self->t0 = zx_now_ms();
}

FIXTURE_TEARDOWN(mapping)
{
	/* The module's default, for the suites that follow in this guest. */
	zx_write_file(FORCE_PARAM, "always");
	zx_reap(self->target);
	if (self->h >= 0)
		close(self->h);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* Fork the checker; it runs @fn and exits with its status. */
#define FORK_CHECKER(self, call) do { \
	(self)->target = zx_fork_tied(); \
	ASSERT_LE(0, (self)->target); \
	if ((self)->target == 0) { \
		int st_ = (call); \
		race_stop_writer((self)->sh); \
		_exit(st_); \
	} \
} while (0)

static int finish(struct race_shared *sh, pid_t target)
{
	int status;

	atomic_store(&sh->stop, 1);
	if (waitpid(target, &status, 0) != target)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

TEST_F_TIMEOUT(mapping, soak_munmap_mremap_fresh_pages, 600)
{
	unsigned long gens = race_iterations();
	struct race_shared *sh = self->sh;
	struct layout l;
	int status;

	l.window = race_free_range(16 * PAGE);
	ASSERT_NE(0ULL, (unsigned long long)l.window);
	l.a = l.window;
	l.b = l.window + 4 * PAGE;
	l.scratch = l.window + 8 * PAGE;
	ASSERT_EQ((void *)(uintptr_t)l.window,
		  map_at(l.window, 16 * PAGE, PROT_NONE, MAP_FIXED_NOREPLACE));
	ASSERT_EQ((void *)(uintptr_t)l.a,
		  map_at(l.a, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED));
	ASSERT_EQ((void *)(uintptr_t)l.scratch,
		  map_at(l.scratch, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED));
	/* B is where mremap moves the region: a hole. */
	ASSERT_EQ(0, munmap((void *)(uintptr_t)l.b, 2 * PAGE));

	FORK_CHECKER(self, checker(sh, &l, gens));
	self->h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
	writer_loop(sh, self->h, l.a);
	status = finish(sh, self->target);
	self->target = -1;

	TH_LOG("%llu generations (%llu checks, %llu skipped as in flight, %llu scratch pages), %llu writes: %llu whole, %llu short, %llu ENOMEM; %llu slots traced",
	       (unsigned long long)sh->counts[C_GENS],
	       (unsigned long long)sh->counts[C_CHECKS],
	       (unsigned long long)sh->counts[C_SKIPPED],
	       (unsigned long long)sh->counts[C_SCRATCH],
	       (unsigned long long)sh->completed,
	       (unsigned long long)sh->counts[C_FULL],
	       (unsigned long long)sh->counts[C_SHORT],
	       (unsigned long long)sh->counts[C_ENOMEM],
	       (unsigned long long)sh->counts[C_SLOTS]);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_EQ((unsigned long long)gens, (unsigned long long)sh->counts[C_GENS]);
	/* The race happened: every kind of outcome was seen. */
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[C_FULL]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[C_SHORT]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[C_ENOMEM]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[C_SLOTS]);
}

static void file_race(struct __test_metadata *_metadata,
		      FIXTURE_DATA(mapping) *self, bool force)
{
	static uint8_t pattern[2 * PAGE], after[2 * PAGE];
	unsigned long rounds = race_iterations();
	struct race_shared *sh = self->sh;
	struct file_maps m;
	char path[256];
	int fd, status;

	ASSERT_EQ(0, make_file(path, sizeof(path), pattern));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	m.priv = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	m.shared = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, m.priv);
	ASSERT_NE(MAP_FAILED, m.shared);

	ASSERT_EQ(0, zx_write_file(FORCE_PARAM, force ? "always" : "never"));

	FORK_CHECKER(self, file_checker(sh, &m, pattern, rounds));
	self->h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
	file_writer(sh, self->h, &m, force);
	status = finish(sh, self->target);
	self->target = -1;
	ASSERT_EQ(0, zx_write_file(FORCE_PARAM, "always"));

	/* The file, read afresh, is what was written to it at the start. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(after), pread(fd, after, sizeof(after), 0));
	close(fd);
	unlink(path);

	TH_LOG("force_override=%s: %llu rounds of mprotect/MADV_DONTNEED (%llu checks, %llu skipped), %llu writes: private %llu ok %llu EACCES, shared %llu EACCES",
	       force ? "always" : "never",
	       (unsigned long long)sh->counts[F_ROUNDS],
	       (unsigned long long)sh->counts[F_CHECKS],
	       (unsigned long long)sh->counts[F_SKIPPED],
	       (unsigned long long)sh->completed,
	       (unsigned long long)sh->counts[F_PRIV_OK],
	       (unsigned long long)sh->counts[F_PRIV_EACCES],
	       (unsigned long long)sh->counts[F_SHARED_EACCES]);
	ASSERT_EQ(0, status);
	EXPECT_EQ(0, memcmp(pattern, after, sizeof(after)));
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_EQ((unsigned long long)rounds, (unsigned long long)sh->counts[F_ROUNDS]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[F_PRIV_OK]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[F_SHARED_EACCES]);
	if (!force)
		EXPECT_LT(0ULL, (unsigned long long)sh->counts[F_PRIV_EACCES]);
}

/* Copy-on-write through FOLL_FORCE never reaches the file (Dirty COW). */
TEST_F_TIMEOUT(mapping, soak_mprotect_dontneed_private_file_force, 600)
{
	file_race(_metadata, self, true);
}

/* With force_override=never the private mapping is written only while writable. */
TEST_F_TIMEOUT(mapping, soak_mprotect_dontneed_private_file_noforce, 600)
{
	file_race(_metadata, self, false);
}

/* ---- forced: the mapping changes while a write is held ------------------- */

struct mover {
	uint8_t *region;	/* 2 pages at A (a memfd's, or anonymous) */
	uint8_t *b;		/* where a move puts them (a hole) */
	uint8_t *scratch;	/* SCRATCH_PAGES pages nobody writes */
	bool memfd;
	bool stall;		/* page 1 registered with a userfaultfd */
};

static int mover_fn(char cmd, void *arg, int *fd)
{
	struct mover *m = arg;
	size_t i;
	int n;

	switch (cmd) {
	case 0:
		zx_fill(m->region, PAGE, T_SEED);
		if (!m->stall) {
			zx_fill(m->region + PAGE, PAGE, T_SEED + 1);
			return 0;
		}
		*fd = uf_new_missing(m->region + PAGE, PAGE);
		return *fd < 0 ? *fd : 0;
	case 'r':	/* unmap both pages, map fresh ones at the same address */
		if (munmap(m->region, 2 * PAGE))
			return -errno;
		if (mmap(m->region, 2 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != m->region)
			return -errno;
		/* Fresh frames now, while the write is held. */
		if (madvise(m->scratch, SCRATCH_PAGES * PAGE, MADV_DONTNEED) ||
		    madvise(m->scratch, SCRATCH_PAGES * PAGE, MADV_POPULATE_WRITE))
			return -errno;
		return 0;
	case 'v':	/* move away, page by page (page 1 may be a mapping of its own) */
		for (i = 0; i < 2; i++)
			if (mremap(m->region + i * PAGE, PAGE, PAGE,
				   MREMAP_MAYMOVE | MREMAP_FIXED, m->b + i * PAGE) !=
			    m->b + i * PAGE)
				return -errno;
		return 0;
	case 's':	/* shrink to one page */
		return mremap(m->region, 2 * PAGE, PAGE, 0) == m->region ? 0 : -errno;
	case 'k':	/* scratch pages holding anything but zeros */
		for (i = n = 0; i < SCRATCH_PAGES; i++)
			n += zx_not_all(m->scratch + i * PAGE, 0, PAGE) >= 0;
		return n;
	}
	return -EINVAL;
}

FIXTURE(moved) {
	struct mover m;
	struct race_proc target;
	struct uf_stall st;
	int h, uffd, memfd;
	long long t0;
};

FIXTURE_VARIANT(moved) {
	char change;		/* mover_fn's command */
	bool memfd;
	bool target_stall;
};

FIXTURE_VARIANT_ADD(moved, remap_anon_caller_stall) { .change = 'r' };
FIXTURE_VARIANT_ADD(moved, remap_memfd_caller_stall) { .change = 'r', .memfd = true };
FIXTURE_VARIANT_ADD(moved, remap_anon_target_stall) { .change = 'r', .target_stall = true };
FIXTURE_VARIANT_ADD(moved, remap_memfd_target_stall) {
	.change = 'r', .memfd = true, .target_stall = true,
};
FIXTURE_VARIANT_ADD(moved, move_caller_stall) { .change = 'v', .memfd = true };
FIXTURE_VARIANT_ADD(moved, move_target_stall) {
	.change = 'v', .memfd = true, .target_stall = true,
};
FIXTURE_VARIANT_ADD(moved, shrink_caller_stall) { .change = 's' };
FIXTURE_VARIANT_ADD(moved, shrink_target_stall) { .change = 's', .target_stall = true };

FIXTURE_SETUP(moved)
{
	uint8_t *window;

	self->t0 = zx_now_ms();
	self->target.pid = -1;
	self->h = self->uffd = self->memfd = self->st.uffd = -1;
	/* Our source first: 2 pages, page 1 stalls (when ours). */
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, SRC_SEED));
	if (variant->target_stall) {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	/* A: the region; B = A + 4 pages: a hole; scratch after it. */
	window = mmap(NULL, 16 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, window);
	self->m.region = window;
	self->m.b = window + 4 * PAGE;
	self->m.scratch = mmap(NULL, SCRATCH_PAGES * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->m.scratch);
	if (variant->memfd) {
		self->memfd = memfd_create("zxproc-race", MFD_CLOEXEC);
		ASSERT_LE(0, self->memfd);
		ASSERT_EQ(0, ftruncate(self->memfd, 2 * PAGE));
		ASSERT_EQ(self->m.region, mmap(self->m.region, 2 * PAGE,
					       PROT_READ | PROT_WRITE,
					       MAP_SHARED | MAP_FIXED, self->memfd, 0));
	} else {
		ASSERT_EQ(self->m.region, mmap(self->m.region, 2 * PAGE,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
	}
	ASSERT_EQ(0, munmap(self->m.b, 12 * PAGE));
	self->m.memfd = variant->memfd;
	self->m.stall = variant->target_stall;
	ASSERT_EQ(0, race_proc_ready(&self->target, mover_fn, &self->m, &self->uffd));
	self->h = zx_handle(self->target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(moved)
{
	race_held_end(&self->target, &self->st, self->uffd, self->h);
	if (self->memfd >= 0)
		close(self->memfd);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* @len bytes of the target at @addr equal @want? */
static bool target_holds(pid_t pid, const void *addr, const void *want, size_t len)
{
	return zx_differs(pid, zx_ptr(addr), want, len) == -1;
}

TEST_F_TIMEOUT(moved, mapping_changed_while_a_write_is_held, 300)
{
	static uint8_t src[2 * PAGE], t0[PAGE], t1[PAGE], zero[PAGE], back[2 * PAGE];
	struct race_call c = { 0 };
	pid_t pid = self->target.pid;
	bool old0;

	uf_stall_expect(&self->st, src);
	zx_fill(t0, PAGE, T_SEED);
	zx_fill(t1, PAGE, T_SEED + 1);
	ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->m.region), self->st.base,
				      2 * PAGE, 0));
	if (variant->target_stall) {
		ASSERT_HELD(&c, self->uffd, zx_ptr(self->m.region + PAGE));
	} else {
		ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	}

	ASSERT_EQ(0, race_proc_do(&self->target, variant->change, NULL));
	ASSERT_FALSE(race_call_returned(&c));
	if (variant->target_stall) {
		/* The page's mapping is gone or moved: wake, do not serve. */
		ASSERT_EQ(0, uf_wake(self->uffd, zx_ptr(self->m.region + PAGE), PAGE));
	} else {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	race_call_join(&c);
	/* Whatever is left registered, let it go before reading. */
	if (self->uffd >= 0) {
		close(self->uffd);
		self->uffd = -1;
	}
	TH_LOG("held %s, the target %s: ret %d, actual %llu",
	       variant->target_stall ? "in the pin of its page 1" : "on our page 1",
	       variant->change == 'r' ? "unmapped and mapped afresh" :
	       variant->change == 'v' ? "moved the region" : "shrank the region",
	       c.ret, (unsigned long long)c.actual);

	switch (variant->change) {
	case 'r':
		/* Page 1 went to the new mapping, page 0 to exactly one. */
		EXPECT_EQ(0, c.ret);
		EXPECT_EQ(2 * PAGE, c.actual);
		EXPECT_TRUE(target_holds(pid, self->m.region + PAGE, src + PAGE, PAGE));
		ASSERT_EQ((ssize_t)PAGE, zx_peek(pid, zx_ptr(self->m.region), back, PAGE));
		old0 = !memcmp(back, zero, PAGE);
		EXPECT_TRUE(old0 || !memcmp(back, src, PAGE))
			TH_LOG("the new mapping's page 0 holds neither zeros nor the write");
		if (!variant->target_stall)
			EXPECT_TRUE(old0) TH_LOG("page 0 was copied before the change, into the old mapping");
		if (variant->memfd) {
			/* The old mapping's memory, still ours to read. */
			EXPECT_EQ(0, memcmp(self->m.region, old0 ? src : t0, PAGE))
				TH_LOG("page 0 of the write is in both mappings, or in neither");
			EXPECT_EQ(0, memcmp(self->m.region + PAGE,
					    variant->target_stall ? zero : t1, PAGE));
		}
		EXPECT_EQ(0, race_proc_do(&self->target, 'k', NULL))
			TH_LOG("scratch pages faulted in while the write was held hold bytes");
		break;
	case 'v':
		/* Page 0 went where the region went; the rest found a hole. */
		EXPECT_EQ(0, c.ret);
		EXPECT_EQ(PAGE, c.actual);
		EXPECT_EQ(0, memcmp(self->m.region, src, PAGE));
		EXPECT_EQ(0, memcmp(self->m.region + PAGE,
				    variant->target_stall ? zero : t1, PAGE));
		EXPECT_TRUE(target_holds(pid, self->m.b, src, PAGE));
		EXPECT_EQ(-EIO, zx_peek(pid, zx_ptr(self->m.region), back, 1));
		break;
	case 's':
		EXPECT_EQ(0, c.ret);
		EXPECT_EQ(PAGE, c.actual);
		EXPECT_TRUE(target_holds(pid, self->m.region, src, PAGE));
		EXPECT_EQ(-EIO, zx_peek(pid, zx_ptr(self->m.region + PAGE), back, 1));
		break;
	}
}

/* ---- forced: Dirty COW, the write held ------------------------------------- */

struct cow {
	uint8_t *priv;		/* MAP_PRIVATE of the file, PROT_READ */
	uint8_t *shared;	/* MAP_SHARED of the O_RDONLY file, PROT_READ */
};

static int cow_fn(char cmd, void *arg, int *fd)
{
	struct cow *w = arg;

	(void)fd;
	switch (cmd) {
	case 0:
		return 0;
	case 'n':
		return madvise(w->priv, 2 * PAGE, MADV_DONTNEED) ? -errno : 0;
	case 'p':
		return mprotect(w->priv, 2 * PAGE, PROT_NONE) ? -errno : 0;
	case 'w':
		return mprotect(w->priv, 2 * PAGE, PROT_READ | PROT_WRITE) ? -errno : 0;
	case 'o':
		return mprotect(w->priv, 2 * PAGE, PROT_READ) ? -errno : 0;
	}
	return -EINVAL;
}

FIXTURE(cow) {
	char path[256];
	uint8_t pattern[2 * PAGE];
	struct cow w;
	struct race_proc target;
	struct uf_stall st;
	int h;
	long long t0;
};

FIXTURE_VARIANT(cow) {
	const char *force;	/* force_override during the test */
	char before;		/* the target's command before the write (or 0) */
	char change;		/* ... while it is held */
};

FIXTURE_VARIANT_ADD(cow, dontneed_forced) { .force = "always", .change = 'n' };
FIXTURE_VARIANT_ADD(cow, prot_none_forced) { .force = "always", .change = 'p' };
FIXTURE_VARIANT_ADD(cow, prot_rw_forced) { .force = "always", .change = 'w' };
FIXTURE_VARIANT_ADD(cow, made_read_only_unforced) {
	.force = "never", .before = 'w', .change = 'o',
};

FIXTURE_SETUP(cow)
{
	int fd;

	self->t0 = zx_now_ms();
	self->target.pid = -1;
	self->h = self->st.uffd = -1;
	self->path[0] = '\0';
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, SRC_SEED));
	ASSERT_EQ(0, make_file(self->path, sizeof(self->path), self->pattern));
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->w.priv = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	self->w.shared = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->w.priv);
	ASSERT_NE(MAP_FAILED, self->w.shared);
	ASSERT_EQ(0, race_proc_ready(&self->target, cow_fn, &self->w, NULL));
	self->h = zx_handle(self->target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
	ASSERT_EQ(0, zx_write_file(FORCE_PARAM, variant->force));
}

FIXTURE_TEARDOWN(cow)
{
	/* The module's default, for the suites that follow in this guest. */
	zx_write_file(FORCE_PARAM, "always");
	race_proc_end(&self->target);
	uf_stall_free(&self->st);
	if (self->h >= 0)
		close(self->h);
	if (self->path[0])
		unlink(self->path);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

TEST_F_TIMEOUT(cow, file_mapping_changed_while_a_write_is_held, 300)
{
	static uint8_t src[2 * PAGE], want[2 * PAGE], after[2 * PAGE];
	bool forced = !strcmp(variant->force, "always");
	struct race_call c = { 0 };
	pid_t pid = self->target.pid;
	uint64_t at = 0, actual;
	int fd;

	uf_stall_expect(&self->st, src);
	if (variant->before)
		ASSERT_EQ(0, race_proc_do(&self->target, variant->before, NULL));
	ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->w.priv), self->st.base,
				      2 * PAGE, 0));
	ASSERT_EQ(0, uf_wait(self->st.uffd, c.done[0], &at))
		TH_LOG("the write returned (%d) before it was held", c.ret);
	/* Page 0 is written, in the target's private copy of it. */
	ASSERT_TRUE(target_holds(pid, self->w.priv, src, PAGE));
	ASSERT_EQ(0, race_proc_do(&self->target, variant->change, NULL));
	ASSERT_FALSE(race_call_returned(&c));
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	race_call_join(&c);
	TH_LOG("force_override=%s, the mapping changed (%c) while held: ret %d, actual %llu",
	       variant->force, variant->change, c.ret, (unsigned long long)c.actual);

	EXPECT_EQ(0, c.ret);
	memcpy(want, src, 2 * PAGE);
	if (forced) {
		EXPECT_EQ(2 * PAGE, c.actual);
		if (variant->change == 'n')	/* page 0's copy dropped */
			memcpy(want, self->pattern, PAGE);
	} else {
		/* Read-only again, and not forced: the write ends there. */
		EXPECT_EQ(PAGE, c.actual);
		memcpy(want + PAGE, self->pattern + PAGE, PAGE);
	}
	ASSERT_EQ(0, race_proc_do(&self->target, 'o', NULL));
	EXPECT_TRUE(target_holds(pid, self->w.priv, want, 2 * PAGE));

	/* The file, its shared mapping and its page cache never change. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(self->h, zx_ptr(self->w.shared), src, 64, &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual);
	EXPECT_TRUE(target_holds(pid, self->w.shared, self->pattern, 2 * PAGE));
	EXPECT_EQ(0, memcmp(self->w.shared, self->pattern, 2 * PAGE));
	fd = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(after), pread(fd, after, sizeof(after), 0));
	close(fd);
	EXPECT_EQ(0, memcmp(self->pattern, after, sizeof(after)));
}

RACE_HARNESS_MAIN

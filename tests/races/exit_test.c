// SPDX-License-Identifier: GPL-2.0
/*
 * Races with death: the target exits or is killed while a write is in
 * flight, the caller is killed in the middle of a 64 MiB write, and the
 * target unmaps and execs while a caller is held.
 *
 * Each interleaving is forced (tests/races/race.h): the write is held
 * either on a stalled page of the caller's own source buffer (after the
 * bytes before it were copied, no target page pinned) or on a stalled
 * page of the target (inside the pin, after the target check, the
 * target's mmap_lock dropped), and the other side acts while it is
 * held.  Asserted:
 *
 *  - Target death (exit, SIGKILL, exit_group from another thread,
 *    munmap then exit), the write held on either side.  The target's
 *    region is shared with the test, so the test sees every byte that
 *    lands.  Held on the caller's buffer, the write goes on after the
 *    death: ESTALE, actual = the bytes copied before the stall, and not
 *    one byte more in the region.  Held in the target's pin, the page
 *    is served in the dead target's address space (which the held
 *    write keeps alive): the pin that waited checks the target again,
 *    and the write fails with ESTALE having written nothing; after a
 *    munmap, ENOMEM with nothing written (the range is gone).  Then, while the target is a zombie and after it is
 *    reaped, writes fail with ESTALE, actual 0, and land nothing.
 *  - Caller death.  A caller killed (SIGKILL) while held in a 64 MiB
 *    write, at page K: it dies (no time limit: it dies while the page is
 *    never served, or the test hangs), and what landed is a prefix of
 *    the range that ends at page K or before (exactly at K when held on
 *    its own buffer, which the copy reaches byte by byte); nothing at
 *    all for an all-or-nothing write, which pins everything before
 *    copying.  The target, a new handle and the module are fine after.
 *  - A caller held on either side holds no lock of the target: the
 *    target unmaps the range and execs while the caller is held, and
 *    the caller then gets ESTALE.
 *
 * The old sweeps (100 targets dying at random moments under a stream
 * of writes; callers killed at random moments of a 64 MiB write) are
 * soak_* tests, run only with ZXPROC_SOAK=1 (see race.h).
 */
#include <linux/userfaultfd.h>
#include <sys/syscall.h>

#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (1UL << 20)
#define SENTINEL 0xee
#define BIG (64UL << 20)
#define HALF (PAGE / 2)
#define SRC_SEED 0x21
/* Where a 64 MiB write is held: its middle, the first page of a batch. */
#define BIG_STALL ((BIG / PAGE) / 2)
#define FILL 0x77

enum { E_WHOLE, E_SHORT, E_ENOMEM, E_STALE_PART, E_STALE_ZERO, E_AFTER,
       E_TARGETS, E_NO_ACTUAL, E_WRITES };

FIXTURE(death) {
	struct race_shared *sh;
	long long t0;
};

FIXTURE_SETUP(death)
{
	self->t0 = zx_now_ms();
	self->sh = race_shared_new();
	ASSERT_NE(NULL, self->sh);
}

FIXTURE_TEARDOWN(death)
{
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* ---- the target dies while a write is held -------------------------------- */

/* The target of these tests: its region is the test's shared one. */
struct dying {
	uint8_t *region;	/* 2 pages, MAP_SHARED with the test */
	bool stall;		/* page 1 registered with a userfaultfd */
};

static void *exit_group_thread(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 0);
	return NULL;
}

static int dying_fn(char cmd, void *arg, int *fd)
{
	struct dying *d = arg;
	pthread_t t;

	switch (cmd) {
	case 0:		/* set up: hand over a userfaultfd on page 1 */
		if (!d->stall)
			return 0;
		*fd = uf_new_missing(d->region + PAGE, PAGE);
		return *fd < 0 ? *fd : 0;
	case 'x':
		_exit(0);
	case 'g':	/* another thread ends the whole group */
		pthread_create(&t, NULL, exit_group_thread, NULL);
		for (;;)
			pause();
	case 'u':
		munmap(d->region, 2 * PAGE);
		_exit(0);
	}
	return -EINVAL;
}

FIXTURE(dies) {
	struct dying d;
	struct race_proc target;
	struct uf_stall st;
	int h, uffd;
	long long t0;
};

FIXTURE_VARIANT(dies) {
	char how;		/* 'k': SIGKILL; else the target's command */
	bool target_stall;
};

FIXTURE_VARIANT_ADD(dies, exit_caller_stall) { .how = 'x' };
FIXTURE_VARIANT_ADD(dies, sigkill_caller_stall) { .how = 'k' };
FIXTURE_VARIANT_ADD(dies, thread_exit_group_caller_stall) { .how = 'g' };
FIXTURE_VARIANT_ADD(dies, munmap_exit_caller_stall) { .how = 'u' };
FIXTURE_VARIANT_ADD(dies, exit_target_stall) { .how = 'x', .target_stall = true };
FIXTURE_VARIANT_ADD(dies, sigkill_target_stall) { .how = 'k', .target_stall = true };
FIXTURE_VARIANT_ADD(dies, thread_exit_group_target_stall) { .how = 'g', .target_stall = true };
FIXTURE_VARIANT_ADD(dies, munmap_exit_target_stall) { .how = 'u', .target_stall = true };

FIXTURE_SETUP(dies)
{
	self->t0 = zx_now_ms();
	self->target.pid = -1;
	self->h = self->uffd = self->st.uffd = -1;
	/* Fresh and untouched: page 1 must be missing for the target's uffd. */
	self->d.region = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->d.region);
	self->d.stall = variant->target_stall;
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, SRC_SEED));
	ASSERT_EQ(0, race_proc_ready(&self->target, dying_fn, &self->d, &self->uffd));
	ASSERT_EQ(variant->target_stall, self->uffd >= 0);
	self->h = zx_handle(self->target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(dies)
{
	race_held_end(&self->target, &self->st, self->uffd, self->h);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* A write through the dead target's handle: ESTALE, actual 0, nothing lands. */
static void expect_dead(struct __test_metadata *_metadata,
			FIXTURE_DATA(dies) *self, const char *when)
{
	static uint8_t src[2 * PAGE];
	uint64_t actual = ZX_SENTINEL;

	memset(self->d.region, SENTINEL, 2 * PAGE);
	memset(src, 0x11, sizeof(src));
	EXPECT_EQ(-ESTALE, zx_write(self->h, zx_ptr(self->d.region), src,
				    2 * PAGE, &actual)) TH_LOG("%s", when);
	EXPECT_EQ(0ULL, (unsigned long long)actual) TH_LOG("%s", when);
	EXPECT_GT(0, zx_not_all(self->d.region, SENTINEL, 2 * PAGE))
		TH_LOG("%s: a write that started after the death landed", when);
}

TEST_F_TIMEOUT(dies, target_dies_while_a_write_is_held, 300)
{
	static uint8_t src[PAGE], served[PAGE], want[2 * PAGE];
	struct race_call c = { 0 };
	siginfo_t si;
	int status;

	if (variant->target_stall) {
		zx_fill(src, PAGE, SRC_SEED);
		ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->d.region + PAGE),
					      src, PAGE, 0));
		ASSERT_HELD(&c, self->uffd, zx_ptr(self->d.region + PAGE));
	} else {
		ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->d.region),
					      self->st.base + PAGE - HALF, PAGE, 0));
		ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	}

	/* Dead (a zombie, not reaped) while the write is held. */
	if (variant->how == 'k') {
		ASSERT_EQ(0, kill(self->target.pid, SIGKILL));
	} else {
		ASSERT_EQ(0, race_proc_send(&self->target, variant->how));
	}
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, (id_t)self->target.pid, &si, WEXITED | WNOWAIT));
	ASSERT_FALSE(race_call_returned(&c));

	memset(served, 0xe1, PAGE);
	if (!variant->target_stall) {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	} else if (variant->how == 'u') {
		ASSERT_EQ(0, uf_wake(self->uffd, zx_ptr(self->d.region + PAGE), PAGE));
	} else {
		ASSERT_EQ(0, uf_copy(self->uffd, zx_ptr(self->d.region + PAGE), served, PAGE));
	}
	race_call_join(&c);
	TH_LOG("the write held across the death: ret %d, actual %llu",
	       c.ret, (unsigned long long)c.actual);

	memset(want, 0, sizeof(want));
	if (!variant->target_stall) {
		/* What it copied before the stall, and not a byte more. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(HALF, c.actual);
		memcpy(want, self->st.base + PAGE - HALF, HALF);
	} else if (variant->how == 'u') {
		/* Its range is gone from the address space it is bound to. */
		EXPECT_EQ(-ENOMEM, c.ret);
		EXPECT_EQ(0ULL, (unsigned long long)c.actual);
	} else {
		/* The pin waited: it checks the target again, which is dead. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(0ULL, (unsigned long long)c.actual);
		memcpy(want + PAGE, served, PAGE);
	}
	EXPECT_EQ(0, memcmp(self->d.region, want, 2 * PAGE));

	expect_dead(_metadata, self, "a zombie");
	ASSERT_EQ(self->target.pid, waitpid(self->target.pid, &status, 0));
	self->target.pid = -1;
	expect_dead(_metadata, self, "reaped");
}

/* ---- the caller is killed while held in a 64 MiB write ------------------- */

/* The target: BIG bytes, page BIG_STALL registered when asked. */
struct big_target {
	uint8_t *region;
	bool stall;
};

static int big_target_fn(char cmd, void *arg, int *fd)
{
	struct big_target *b = arg;

	if (cmd != 0)
		return -EINVAL;
	if (!b->stall)
		return 0;
	*fd = uf_new_missing(b->region + BIG_STALL * PAGE, PAGE);
	return *fd < 0 ? *fd : 0;
}

/*
 * The caller: on 'w', writes BIG bytes of FILL from @src into the
 * target's region; with @stall, page BIG_STALL of its source is
 * registered with a userfaultfd it hands over at set-up.
 */
struct big_caller {
	pid_t target;
	uint8_t *region, *src;
	uint32_t flags;
	bool stall;
};

static int big_caller_fn(char cmd, void *arg, int *fd)
{
	struct big_caller *b = arg;
	uint64_t actual = 0;
	int h, ret;

	switch (cmd) {
	case 0:
		if (!b->stall)
			return 0;
		if (madvise(b->src + BIG_STALL * PAGE, PAGE, MADV_DONTNEED))
			return -errno;
		*fd = uf_new_missing(b->src + BIG_STALL * PAGE, PAGE);
		return *fd < 0 ? *fd : 0;
	case 'w':
		h = zx_handle(b->target, ZXPROC_RIGHT_WRITE);
		if (h < 0)
			return h;
		ret = zx_mem(h, ZXPROC_IOC_WRITE, zx_ptr(b->region), b->src, BIG,
			     b->flags, &actual);
		close(h);
		return ret;
	}
	return -EINVAL;
}

/* Pages of the target's region that hold FILL in their first byte. */
static long pages_landed(pid_t pid, uint64_t addr, long *prefix)
{
	static uint8_t bytes[1024];
	struct iovec local[1024], remote[1024];
	unsigned long base, i;
	long n = 0;

	*prefix = -1;
	for (base = 0; base < BIG / PAGE; base += 1024) {
		for (i = 0; i < 1024; i++) {
			local[i] = (struct iovec){ bytes + i, 1 };
			remote[i] = (struct iovec){ (void *)(uintptr_t)(addr + (base + i) * PAGE), 1 };
		}
		if (process_vm_readv(pid, local, 1024, remote, 1024, 0) != 1024)
			return -1;
		for (i = 0; i < 1024; i++) {
			if (bytes[i] == FILL)
				n++;
			else if (*prefix < 0)
				*prefix = (long)(base + i);
		}
	}
	if (*prefix < 0)
		*prefix = (long)(BIG / PAGE);
	return n;
}

FIXTURE(killed) {
	struct big_target bt;
	struct big_caller bc;
	struct race_proc target, caller;
	int uffd;
	long long t0;
};

FIXTURE_VARIANT(killed) {
	uint32_t flags;
	bool target_stall;
};

FIXTURE_VARIANT_ADD(killed, plain_caller_stall) { .flags = 0 };
FIXTURE_VARIANT_ADD(killed, plain_target_stall) { .flags = 0, .target_stall = true };
FIXTURE_VARIANT_ADD(killed, all_or_nothing_caller_stall) {
	.flags = ZXPROC_MEM_ALL_OR_NOTHING,
};
FIXTURE_VARIANT_ADD(killed, all_or_nothing_target_stall) {
	.flags = ZXPROC_MEM_ALL_OR_NOTHING, .target_stall = true,
};

FIXTURE_SETUP(killed)
{
	self->t0 = zx_now_ms();
	self->target.pid = self->caller.pid = -1;
	self->uffd = -1;
	/* Both mapped here, untouched by the target: it inherits them. */
	self->bt.region = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bt.region);
	self->bc.src = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bc.src);
	self->bt.stall = variant->target_stall;
	ASSERT_EQ(0, race_proc_ready(&self->target, big_target_fn, &self->bt,
				     variant->target_stall ? &self->uffd : NULL));
	memset(self->bc.src, FILL, BIG);	/* the callers share it by fork */
	self->bc.target = self->target.pid;
	self->bc.region = self->bt.region;
	self->bc.flags = variant->flags;
	self->bc.stall = !variant->target_stall;
	ASSERT_EQ(0, race_proc_ready(&self->caller, big_caller_fn, &self->bc,
				     variant->target_stall ? NULL : &self->uffd));
	ASSERT_LE(0, self->uffd);
}

FIXTURE_TEARDOWN(killed)
{
	race_proc_end(&self->caller);
	race_proc_end(&self->target);
	if (self->uffd >= 0)
		close(self->uffd);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

TEST_F_TIMEOUT(killed, caller_killed_while_held_mid_64mib_write, 300)
{
	uint64_t at = 0, stall = BIG_STALL * PAGE, actual = 0;
	long landed, prefix;
	int status, h;
	char back;

	stall += zx_ptr(variant->target_stall ? self->bt.region : self->bc.src);
	ASSERT_EQ(0, race_proc_send(&self->caller, 'w'));
	/* Held: the caller's socket stays silent until it answers or dies. */
	ASSERT_EQ(0, uf_wait(self->uffd, self->caller.sock, &at))
		TH_LOG("the 64 MiB write returned before it was held");
	ASSERT_EQ(stall, at);
	ASSERT_EQ(0, kill(self->caller.pid, SIGKILL));
	ASSERT_EQ(self->caller.pid, waitpid(self->caller.pid, &status, 0));
	self->caller.pid = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	/* The page was never served: let it go before reading the region. */
	close(self->uffd);
	self->uffd = -1;
	landed = pages_landed(self->target.pid, zx_ptr(self->bt.region), &prefix);
	ASSERT_LE(0, landed);
	TH_LOG("held at page %lu: %ld pages landed, a prefix of %ld",
	       BIG_STALL, landed, prefix);
	EXPECT_EQ(prefix, landed) TH_LOG("what landed is not a prefix of the range");
	if (variant->flags & ZXPROC_MEM_ALL_OR_NOTHING) {
		EXPECT_EQ(0, landed);
	} else if (variant->target_stall) {
		EXPECT_GE((long)BIG_STALL, landed);
	} else {
		EXPECT_EQ((long)BIG_STALL, landed);
	}

	/* The target, a new handle and the module are all still fine. */
	h = zx_handle(self->target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(self->bt.region) + BIG_STALL * PAGE, "z", 1, &actual));
	ASSERT_EQ(1, zx_peek(self->target.pid, zx_ptr(self->bt.region) + BIG_STALL * PAGE,
			     &back, 1));
	EXPECT_EQ('z', back);
	close(h);
}

/* ---- a held caller holds no lock of the target ------------------------------ */

#define HELD_PAGES 64
#define HELD_AT 10	/* the page of the range where the caller is held */

struct mover {
	uint8_t *region;	/* HELD_PAGES pages */
	bool stall;		/* page HELD_AT registered */
};

static int mover_fn(char cmd, void *arg, int *fd)
{
	struct mover *m = arg;

	switch (cmd) {
	case 0:
		if (!m->stall)
			return 0;
		*fd = uf_new_missing(m->region + HELD_AT * PAGE, PAGE);
		return *fd < 0 ? *fd : 0;
	case 'm':
		return munmap(m->region, HELD_PAGES * PAGE) ? -errno : 0;
	case 'e':
		execl("/bin/true", "true", (char *)NULL);
		return -errno;
	}
	return -EINVAL;
}

FIXTURE(held) {
	struct mover m;
	struct race_proc target;
	struct uf_stall st;
	int h, uffd;
	long long t0;
};

FIXTURE_VARIANT(held) {
	bool target_stall;
};

FIXTURE_VARIANT_ADD(held, caller_stall) { .target_stall = false };
FIXTURE_VARIANT_ADD(held, target_stall) { .target_stall = true };

FIXTURE_SETUP(held)
{
	self->t0 = zx_now_ms();
	self->target.pid = -1;
	self->h = self->uffd = self->st.uffd = -1;
	self->m.region = mmap(NULL, HELD_PAGES * PAGE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->m.region);
	self->m.stall = variant->target_stall;
	/* Our source: HELD_PAGES pages, page HELD_AT stalls (when ours). */
	ASSERT_EQ(0, uf_stall_new(&self->st, HELD_PAGES,
				    variant->target_stall ? HELD_PAGES - 1 : HELD_AT,
				    SRC_SEED));
	if (variant->target_stall) {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	ASSERT_EQ(0, race_proc_ready(&self->target, mover_fn, &self->m, &self->uffd));
	self->h = zx_handle(self->target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(held)
{
	race_held_end(&self->target, &self->st, self->uffd, self->h);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/*
 * Held at page HELD_AT of a HELD_PAGES-page write (pages before it
 * copied, or pinned), the target unmaps the whole range and execs: both
 * complete while the write is still held.  Then the write goes on and
 * finds its target gone.
 */
TEST_F_TIMEOUT(held, held_write_blocks_neither_munmap_nor_exec, 300)
{
	struct race_call c = { 0 };
	int status;

	ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->m.region),
				      self->st.base, HELD_PAGES * PAGE, 0));
	if (variant->target_stall) {
		ASSERT_HELD(&c, self->uffd, zx_ptr(self->m.region + HELD_AT * PAGE));
	} else {
		ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	}

	EXPECT_EQ(0, race_proc_do(&self->target, 'm', NULL));
	ASSERT_EQ(0, race_proc_send(&self->target, 'e'));
	ASSERT_EQ(self->target.pid, waitpid(self->target.pid, &status, 0));
	self->target.pid = -1;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_FALSE(race_call_returned(&c));

	if (variant->target_stall) {
		ASSERT_EQ(0, uf_wake(self->uffd, zx_ptr(self->m.region + HELD_AT * PAGE),
					    PAGE));
	} else {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	race_call_join(&c);
	TH_LOG("the held write, after munmap and exec: ret %d, actual %llu",
	       c.ret, (unsigned long long)c.actual);
	if (variant->target_stall) {
		/* Never past the page it was held at. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_GE(HELD_AT * PAGE, c.actual);
	} else {
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(HELD_AT * PAGE, c.actual);
	}
}

/* ---- soak: targets dying at random moments ----------------------------------- */

/*
 * A writer thread writes as fast as it can while target after target
 * dies at a random moment (exit, SIGKILL, munmap+exit, exit_group from
 * a thread).  Once the target is seen dead (waitid WNOWAIT: a zombie),
 * every write that had started before is waited for; then the region is
 * filled with a sentinel, and writes that started after the death must
 * leave it intact, both while the target is a zombie and after it is
 * reaped.  At least 100 deaths and race_iterations() writes.
 */

struct exit_ctx {
	struct race_shared *sh;
	uint8_t *region;	/* shared with the target */
	uint8_t *src;
	_Atomic int h;
	_Atomic int go;		/* the target may start dying */
	_Atomic uint64_t dead_after;	/* writes above this started after death */
	_Atomic int unmapping;	/* this target unmaps the region first */
};

static void *exit_writer(void *arg)
{
	struct exit_ctx *c = arg;
	struct race_shared *sh = c->sh;
	uint64_t k = 0;

	while (!atomic_load(&sh->stop)) {
		uint64_t len = (k & 1) ? REGION : 64, actual = ZX_SENTINEL, after;
		int h, ret;

		/*
		 * Count the write as started before looking at the handle: the
		 * main thread, having withdrawn a handle, waits for every write
		 * started so far, and only then closes it.
		 */
		k = atomic_fetch_add(&sh->started, 1) + 1;
		h = atomic_load(&c->h);
		if (h < 0) {
			atomic_store(&sh->completed, k);
			sched_yield();
			continue;
		}
		ret = zx_write(h, zx_ptr(c->region), c->src, len, &actual);
		atomic_store(&sh->completed, k);
		atomic_fetch_add(&sh->counts[E_WRITES], 1);
		after = atomic_load(&c->dead_after);

		if (after && k > after) {
			/*
			 * Started after the death was seen: ESTALE, and actual
			 * says 0.  An actual left unwritten is counted apart
			 * (and fails the test at the end): it breaks the
			 * header's promise, but lands no byte.
			 */
			if (ret == -ESTALE && actual == ZX_SENTINEL)
				atomic_fetch_add(&sh->counts[E_NO_ACTUAL], 1);
			else if (ret != -ESTALE || actual != 0)
				race_fail(sh, "write %llu after the target died: ret %d actual %#llx",
					  (unsigned long long)k, ret, (unsigned long long)actual);
			atomic_fetch_add(&sh->counts[E_AFTER], 1);
		} else if (ret == 0 && actual == len) {
			atomic_fetch_add(&sh->counts[E_WHOLE], 1);
		} else if (ret == -ESTALE && actual <= len) {
			atomic_fetch_add(&sh->counts[actual ? E_STALE_PART : E_STALE_ZERO], 1);
		} else if (ret == -ESTALE && actual == ZX_SENTINEL) {
			atomic_fetch_add(&sh->counts[E_NO_ACTUAL], 1);
		} else if (atomic_load(&c->unmapping) && ret == 0 && actual < len) {
			atomic_fetch_add(&sh->counts[E_SHORT], 1);
		} else if (atomic_load(&c->unmapping) && ret == -ENOMEM && actual == 0) {
			atomic_fetch_add(&sh->counts[E_ENOMEM], 1);
		} else {
			race_fail(sh, "write %llu of %llu bytes racing the death: ret %d actual %#llx",
				  (unsigned long long)k, (unsigned long long)len, ret,
				  (unsigned long long)actual);
		}
	}
	return NULL;
}

/* The target: wait for go, spin a little, then die in the chosen way. */
static void target_main(struct exit_ctx *c, unsigned int how, uint64_t seed)
{
	pthread_t t;

	while (!atomic_load(&c->go))
		;
	race_spin(&seed, 200000);
	switch (how) {
	case 0:
		_exit(0);
	case 1:		/* killed by the test, see below */
		for (;;)
			;
	case 2:
		munmap(c->region, REGION);
		_exit(0);
	case 3:		/* another thread ends the whole group */
		pthread_create(&t, NULL, exit_group_thread, NULL);
		for (;;)
			;
	}
	_exit(0);
}

/* Wait until every write numbered up to @k has returned. */
static void wait_completed(struct race_shared *sh, uint64_t k)
{
	while (atomic_load(&sh->completed) < k && !atomic_load(&sh->bad))
		sched_yield();
}

TEST_F_TIMEOUT(death, soak_target_exits_or_is_killed_mid_write, 900)
{
	unsigned long writes = race_iterations(), targets = 0;
	struct race_shared *sh = self->sh;
	uint64_t rng = 0x6a09e667f3bcc909ULL;
	struct exit_ctx *c;
	pthread_t w;

	c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c);
	c->sh = sh;
	c->region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, c->region);
	c->src = zx_map(REGION, PROT_READ, 0x11);
	ASSERT_NE(MAP_FAILED, c->src);
	atomic_store(&c->h, -1);
	ASSERT_EQ(0, pthread_create(&w, NULL, exit_writer, c));

	/* At least 100 deaths, and at least @writes writes in all. */
	while ((targets < 100 || atomic_load(&sh->counts[E_WRITES]) < writes) &&
	       !atomic_load(&sh->bad)) {
		unsigned int how = (unsigned int)(targets % 4);	/* see target_main() */
		pid_t pid;
		siginfo_t si;
		uint64_t d, m;
		int h, status;

		atomic_store(&c->go, 0);
		atomic_store(&c->dead_after, 0);
		atomic_store(&c->unmapping, how == 2);
		pid = zx_fork_tied();
		ASSERT_LE(0, pid);
		if (pid == 0)
			target_main(c, how, race_rand(&rng) + targets);
		h = zx_handle(pid, ZXPROC_RIGHT_WRITE);
		ASSERT_LE(0, h);
		atomic_store(&c->h, h);
		/* Let some writes land whole first, then start the dying. */
		wait_completed(sh, atomic_load(&sh->started) + 2);
		atomic_store(&c->go, 1);
		if (how == 1) {
			race_spin(&rng, 200000);
			kill(pid, SIGKILL);
		}

		/* Dead (a zombie, not reaped): later writes must not land. */
		memset(&si, 0, sizeof(si));
		ASSERT_EQ(0, waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
		d = atomic_load(&sh->started);
		atomic_store(&c->dead_after, d);
		wait_completed(sh, d);
		memset(c->region, SENTINEL, REGION);
		m = atomic_load(&sh->started);
		wait_completed(sh, m + 3);
		if (zx_not_all(c->region, SENTINEL, REGION) >= 0)
			race_fail(sh, "target %lu (a zombie): a write that started after its death landed",
				  targets);

		/* Reaped: still nothing. */
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		m = atomic_load(&sh->started);
		wait_completed(sh, m + 3);
		if (zx_not_all(c->region, SENTINEL, REGION) >= 0)
			race_fail(sh, "target %lu (reaped): a write that started after its death landed",
				  targets);

		atomic_store(&c->h, -1);
		m = atomic_load(&sh->started);
		wait_completed(sh, m);
		close(h);
		atomic_fetch_add(&sh->counts[E_TARGETS], 1);
		targets++;
	}
	atomic_store(&sh->stop, 1);
	pthread_join(w, NULL);

	TH_LOG("%lu targets died (exit, SIGKILL, munmap+exit, exit_group from a thread); %llu writes: %llu whole, %llu ESTALE after part of the bytes, %llu ESTALE with none, %llu short, %llu ENOMEM; %llu started after a death, none landed; %llu ESTALE left actual unwritten",
	       targets, (unsigned long long)sh->counts[E_WRITES],
	       (unsigned long long)sh->counts[E_WHOLE],
	       (unsigned long long)sh->counts[E_STALE_PART],
	       (unsigned long long)sh->counts[E_STALE_ZERO],
	       (unsigned long long)sh->counts[E_SHORT],
	       (unsigned long long)sh->counts[E_ENOMEM],
	       (unsigned long long)sh->counts[E_AFTER],
	       (unsigned long long)sh->counts[E_NO_ACTUAL]);
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	/* uapi: "On EFAULT, EINTR and ESTALE it counts the bytes ..." */
	EXPECT_EQ(0ULL, (unsigned long long)sh->counts[E_NO_ACTUAL])
		TH_LOG("ZXPROC_IOC_WRITE returned ESTALE without writing actual back");
	EXPECT_LE(100UL, targets);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[E_WHOLE]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[E_AFTER]);
}

/* ---- soak: callers killed at random moments of a 64 MiB write ------------ */

/*
 * Kills at random points of the write's first half; how long the caller
 * took to die is logged, not asserted (the forced test above proves it
 * dies).  At least one kill must land while the write ran.
 */

/*
 * A caller: open a handle, say "go" on @ready, write @len bytes from
 * @src into @pid at @addr with @flags.  Only returns if not killed.
 */
static void soak_caller_main(pid_t pid, uint64_t addr, const void *src, uint64_t len,
			uint32_t flags, int ready)
{
	uint64_t actual = 0;
	int h = zx_handle(pid, ZXPROC_RIGHT_WRITE);

	if (h < 0)
		_exit(2);
	if (write(ready, "g", 1) != 1)
		_exit(3);
	zx_mem(h, ZXPROC_IOC_WRITE, addr, (void *)src, len, flags, &actual);
	_exit(0);
}

/* Pages of the target's region that hold the source's first byte. */
static long soak_pages_landed(pid_t pid, uint64_t addr, uint8_t want)
{
	static uint8_t bytes[1024];
	struct iovec local[1024], remote[1024];
	unsigned long base, i;
	long n = 0;

	for (base = 0; base < BIG / PAGE; base += 1024) {
		for (i = 0; i < 1024; i++) {
			local[i] = (struct iovec){ bytes + i, 1 };
			remote[i] = (struct iovec){ (void *)(uintptr_t)(addr + (base + i) * PAGE), 1 };
		}
		if (process_vm_readv(pid, local, 1024, remote, 1024, 0) != 1024)
			return -1;
		for (i = 0; i < 1024; i++)
			n += bytes[i] == want;
	}
	return n;
}

/* The target of the 64 MiB writes: empties its region when asked. */
static void big_target(uint8_t *region, _Atomic int *gen, _Atomic int *done)
{
	int seen = 0;

	for (;;) {
		int g = atomic_load(gen);

		if (g != seen) {
			madvise(region, BIG, MADV_DONTNEED);
			seen = g;
			atomic_store(done, g);
		}
		usleep(1000);
	}
}

TEST_F_TIMEOUT(death, soak_caller_killed_mid_64mib_write, 900)
{
	struct { _Atomic int gen, done; } *ctl;
	long long full_ms, worst = 0, total = 0;
	uint64_t rng = 0xbb67ae8584caa73bULL;
	unsigned int i, kills = 8, partial = 0;
	uint8_t *region, *src;
	pid_t target;
	int status;

	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ctl);
	region = mmap(NULL, BIG, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	src = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, src);
	memset(src, 0x77, BIG);		/* callers share it by fork */

	target = zx_fork_tied();
	ASSERT_LE(0, target);
	if (target == 0)
		big_target(region, &ctl->gen, &ctl->done);

	/* How long one whole write takes, to kill the next ones inside it. */
	{
		long long t = zx_now_ms();
		int h = zx_handle(target, ZXPROC_RIGHT_WRITE);
		uint64_t actual = 0;

		ASSERT_LE(0, h);
		ASSERT_EQ(0, zx_write(h, zx_ptr(region), src, BIG, &actual));
		ASSERT_EQ(BIG, actual);
		full_ms = zx_now_ms() - t;
		close(h);
	}

	for (i = 0; i < kills; i++) {
		uint32_t flags = (i & 1) ? ZXPROC_MEM_ALL_OR_NOTHING : 0;
		long long delay_us, t;
		int p[2], g = (int)i + 1;
		pid_t caller;
		long landed;
		char c;

		/* A fresh, empty region: the write must fault every page in. */
		atomic_store(&ctl->gen, g);
		while (atomic_load(&ctl->done) != g)
			usleep(1000);
		ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
		caller = fork();
		ASSERT_LE(0, caller);
		if (caller == 0) {
			close(p[0]);
			soak_caller_main(target, zx_ptr(region), src, BIG, flags, p[1]);
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1));
		close(p[0]);
		/* Somewhere in the first half of the write's time. */
		delay_us = (long long)(race_rand(&rng) % (uint64_t)(full_ms * 500 + 1));
		usleep((useconds_t)delay_us);
		ASSERT_EQ(0, kill(caller, SIGKILL));
		t = zx_now_ms();
		ASSERT_EQ(caller, waitpid(caller, &status, 0));
		t = zx_now_ms() - t;
		/* Killed, not finished: the write was still running. */
		landed = soak_pages_landed(target, zx_ptr(region), 0x77);
		ASSERT_LE(0, landed);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL &&
		    landed < (long)(BIG / PAGE))
			partial++;
		EXPECT_TRUE(WIFSIGNALED(status) || WEXITSTATUS(status) == 0);
		if (t > worst)
			worst = t;
		total += t;
		TH_LOG("kill %u (%s) after %lld us: dead in %lld ms, %ld of %lu pages written",
		       i, flags ? "all-or-nothing" : "plain", delay_us, t, landed, BIG / PAGE);
	}
	zx_reap(target);
	TH_LOG("one whole 64 MiB write: %lld ms; %u kills (%u mid-write): worst %lld ms, mean %lld ms from kill to reaped",
	       full_ms, kills, partial, worst, total / kills);
	EXPECT_LT(0U, partial);
}

RACE_HARNESS_MAIN

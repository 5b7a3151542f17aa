// SPDX-License-Identifier: GPL-2.0
/*
 * Races with death: the target exits or is killed while writes are in
 * flight, and the caller is killed in the middle of a 64 MiB write.
 *
 * Asserted:
 *
 *  - Target death.  The target's region is shared with the test, so the
 *    test sees every byte that lands.  Once the target is seen dead
 *    (waitid WNOWAIT: a zombie), every write that had started before is
 *    waited for; then the region is filled with a sentinel, and writes
 *    that started after the death must leave it intact, both while the
 *    target is a zombie and after it is reaped.  Those writes fail with
 *    ESTALE and report actual = 0.  Writes racing the death report
 *    either the whole length, or ESTALE with actual <= len (the bytes
 *    that reached the target), or, when the target unmapped the region
 *    first, a short count or ENOMEM.
 *  - Caller death.  A caller killed (SIGKILL) while a 64 MiB write runs
 *    dies promptly: the module checks for a fatal signal between
 *    batches of 64 pages and between pages of a copy, in every lock it
 *    sleeps on, and the copy itself stops on a fault.  (An
 *    all-or-nothing write killed during its copy stops there, with the
 *    bytes copied so far: EINTR, not the accessibility rule, applies.)  Measured from kill() to waitpid(), for
 *    plain and all-or-nothing writes killed at random points, and for a
 *    caller whose own source buffer stalls the copy (userfaultfd, never
 *    served): while it is stuck, the target can still munmap and exec,
 *    because no lock of the target is held across the copy.
 */
#include <linux/userfaultfd.h>
#include <sys/syscall.h>

#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (1UL << 20)
#define SENTINEL 0xee
#define BIG (64UL << 20)
/* A killed caller must be gone within this (TCG, loaded host). */
#define DEATH_LIMIT_MS 3000

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

/* ---- the target exits or is killed mid-write --------------------------- */

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

static void *exit_group_thread(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 0);
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

TEST_F_TIMEOUT(death, target_exits_or_is_killed_mid_write, 900)
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

/* ---- the caller is killed mid-64 MiB write ---------------------------- */

/*
 * A caller: open a handle, say "go" on @ready, write @len bytes from
 * @src into @pid at @addr with @flags.  Only returns if not killed.
 */
static void caller_main(pid_t pid, uint64_t addr, const void *src, uint64_t len,
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
static long pages_landed(pid_t pid, uint64_t addr, uint8_t want)
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

TEST_F_TIMEOUT(death, caller_killed_mid_64mib_write, 900)
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
			caller_main(target, zx_ptr(region), src, BIG, flags, p[1]);
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
		landed = pages_landed(target, zx_ptr(region), 0x77);
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
	EXPECT_GT(DEATH_LIMIT_MS, worst);
	EXPECT_LT(0U, partial);
}

/* ---- a caller stuck in its own page fault holds no lock of the target -- */

TEST_F_TIMEOUT(death, stalled_copy_blocks_neither_munmap_nor_exec, 300)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;
	long long t, stuck_ms;
	uint8_t *region, *src;
	pid_t target, caller;
	int uffd, go[2], done[2], status;
	char c;

	region = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, 0));

	/* The target: on "go", munmap its region, report, then exec true. */
	target = zx_fork_tied();
	ASSERT_LE(0, target);
	if (target == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (munmap(region, 64 * PAGE))
			_exit(3);
		if (write(done[1], "m", 1) != 1)
			_exit(4);
		execl("/bin/true", "true", (char *)NULL);
		_exit(5);
	}

	/* The caller: its source is a userfaultfd region nobody serves. */
	caller = fork();
	ASSERT_LE(0, caller);
	if (caller == 0) {
		uint64_t actual = 0;
		int h;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
		src = mmap(NULL, 64 * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (uffd < 0 || src == MAP_FAILED || ioctl(uffd, UFFDIO_API, &api))
			_exit(10);
		reg = (struct uffdio_register){
			.range = { .start = zx_ptr(src), .len = 64 * PAGE },
			.mode = UFFDIO_REGISTER_MODE_MISSING,
		};
		if (ioctl(uffd, UFFDIO_REGISTER, &reg))
			_exit(11);
		h = zx_handle(target, ZXPROC_RIGHT_WRITE);
		if (h < 0)
			_exit(12);
		if (write(done[1], "c", 1) != 1)
			_exit(13);
		/* Pins the target's pages, then stalls copying from src. */
		zx_write(h, zx_ptr(region), src, 64 * PAGE, &actual);
		_exit(14);
	}
	close(done[1]);
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ('c', c);
	/* Give the caller time to get into its copy, then prove it is stuck. */
	usleep(500000);
	ASSERT_EQ(0, waitpid(caller, &status, WNOHANG));

	/* The target unmaps the pinned range and execs, unhindered. */
	t = zx_now_ms();
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(1, read(done[0], &c, 1));
	ASSERT_EQ('m', c);
	ASSERT_EQ(target, waitpid(target, &status, 0));
	stuck_ms = zx_now_ms() - t;
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The caller is still stuck, and dies at once when killed. */
	ASSERT_EQ(0, waitpid(caller, &status, WNOHANG));
	t = zx_now_ms();
	ASSERT_EQ(0, kill(caller, SIGKILL));
	ASSERT_EQ(caller, waitpid(caller, &status, 0));
	t = zx_now_ms() - t;
	TH_LOG("target munmap+exec while the caller was stuck: %lld ms; stuck caller killed in %lld ms",
	       stuck_ms, t);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(DEATH_LIMIT_MS, stuck_ms);
	EXPECT_GT(DEATH_LIMIT_MS, t);
}

TEST_HARNESS_MAIN

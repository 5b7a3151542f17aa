// SPDX-License-Identifier: GPL-2.0
/*
 * A handle outlives its target's address space: the target exits (a
 * zombie, then reaped), its pid is reused by another process (also
 * while a write through the handle is held in the kernel), its
 * thread-group leader exits while other threads run on, or a thread
 * other than the leader execs.
 *
 * Asserted: after the address space is gone every access fails with
 * ESTALE and reports actual (and, for a batch, done) as the header says
 * (0: nothing reached the target); INFO says ZXPROC_INFO_STALE, and
 * reports the pid while the target is a zombie, 0 once it is reaped; a
 * new process that gets the same pid number (ns_last_pid) is never
 * reached through the old handle (its memory, read through /proc, is
 * unchanged); while any thread still runs on the address space, the
 * handle works.
 *
 * Orders are forced, never waited for by the clock: the pid is reused
 * through ns_last_pid, a write is held on a userfaultfd stall (see
 * tests/races/race.h) while its target is reaped and the pid reused,
 * a thread execs only on the test's word, and the exec's end is the
 * EOF of a close-on-exec pipe.
 */
#include <pthread.h>

#include "../races/race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL

FIXTURE(stale) {
	uint8_t *region;	/* a page every forked process has */
	uint8_t src[64];
	long long t0;
};

FIXTURE_SETUP(stale)
{
	self->t0 = zx_now_ms();
	self->region = zx_map(PAGE, PROT_READ | PROT_WRITE, 5);
	ASSERT_NE(MAP_FAILED, self->region);
	memset(self->src, 0xab, sizeof(self->src));
}

FIXTURE_TEARDOWN(stale)
{
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* Every access through @h fails with ESTALE and says nothing landed. */
static void expect_stale(struct __test_metadata *_metadata,
			 FIXTURE_DATA(stale) *self, int h, const char *when)
{
	struct zxproc_seg seg = {
		.addr = zx_ptr(self->region), .buf = zx_ptr(self->src),
		.len = sizeof(self->src), .actual = ZX_SENTINEL, .status = 0x5a5a5a5a,
	};
	struct zxproc_memv v = {
		.segs = zx_ptr(&seg), .nr_segs = 1,
		.actual = ZX_SENTINEL, .done = 0xa5a5a5a5,
		.seg_size = sizeof(struct zxproc_seg),
	};
	struct zxproc_info info;
	uint64_t actual;

	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_TRUE(info.flags & ZXPROC_INFO_STALE) TH_LOG("%s: INFO not stale", when);

	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src,
				    sizeof(self->src), &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual)
		TH_LOG("%s: WRITE's actual left at %#llx", when, (unsigned long long)actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_read(h, zx_ptr(self->region), self->src,
				   sizeof(self->src), &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual)
		TH_LOG("%s: READ's actual left at %#llx", when, (unsigned long long)actual);
	EXPECT_EQ(-ESTALE, zx_ioctl(h, ZXPROC_IOC_WRITEV, &v));
	EXPECT_EQ(0ULL, (unsigned long long)v.actual)
		TH_LOG("%s: WRITEV's actual left at %#llx", when, (unsigned long long)v.actual);
	EXPECT_EQ(0U, v.done) TH_LOG("%s: WRITEV's done left at %#x", when, v.done);
	/* The batch ended before its first segment: nothing reported there. */
	EXPECT_EQ(ZX_SENTINEL, seg.actual);
	EXPECT_EQ(0x5a5a5a5a, seg.status);
}

TEST_F(stale, exited_target_zombie_then_reaped)
{
	pid_t pid = zx_target();
	struct zxproc_info info;
	siginfo_t si;
	int h;

	ASSERT_LT(0, pid);
	h = zx_handle(pid, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	kill(pid, SIGKILL);
	ASSERT_EQ(0, waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
	expect_stale(_metadata, self, h, "zombie");
	/* A zombie still owns its number; a reaped process does not. */
	EXPECT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(pid, info.pid);
	/* A new handle to a zombie: nothing to bind to. */
	EXPECT_EQ(-ESTALE, zx_handle(pid, ZXPROC_RIGHT_WRITE));
	zx_reap(pid);
	expect_stale(_metadata, self, h, "reaped");
	EXPECT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(0, info.pid);
	EXPECT_EQ(-ESRCH, zx_handle(pid, ZXPROC_RIGHT_WRITE));
	close(h);
}

TEST_F(stale, reused_pid_is_never_reached)
{
	struct zxproc_info info;
	uint64_t actual;
	pid_t old, fresh = -1;
	int h, tries;

	old = zx_target();
	ASSERT_LT(0, old);
	h = zx_handle(old, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	zx_reap(old);

	/* Another process, same pid, same region at the same address. */
	for (tries = 0; tries < 20 && fresh != old; tries++) {
		zx_reap(fresh);
		ASSERT_EQ(0, race_next_pid_is(old));
		fresh = zx_target();
		ASSERT_LT(0, fresh);
	}
	ASSERT_EQ(old, fresh) TH_LOG("could not get pid %d again", old);

	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src,
				    sizeof(self->src), &actual));
	EXPECT_EQ(-1, zx_differs(fresh, zx_ptr(self->region), self->region, PAGE));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_TRUE(info.flags & ZXPROC_INFO_STALE);
	/* The number names the new process now: INFO must not report it. */
	EXPECT_EQ(0, info.pid);
	close(h);

	/* The new process is reached only through a handle of its own. */
	h = zx_handle(fresh, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, sizeof(self->src), &actual));
	EXPECT_EQ(-1, zx_differs(fresh, zx_ptr(self->region), self->src, sizeof(self->src)));
	close(h);
	zx_reap(fresh);
}

/* ---- threads: the leader exits first; a non-leader execs ---------------- */

static void *park(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Exec /bin/sleep once the test writes a byte on the pipe *arg. */
static void *exec_sleep(void *arg)
{
	char c;

	if (read(*(int *)arg, &c, 1) != 1)
		_exit(3);
	execl("/bin/sleep", "sleep", "1000", (char *)NULL);
	return NULL;
}

/*
 * A child whose leader thread exits while @fn(@arg) runs on in another
 * thread.
 */
static pid_t spawn_threaded(void *(*fn)(void *), void *arg, bool leader_exits)
{
	pid_t pid = zx_fork_tied();

	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, fn, arg))
			_exit(1);
		if (leader_exits)
			pthread_exit(NULL);
		for (;;)
			pause();
	}
	return pid;
}

/* Is @pid's thread-group leader a zombie ("Z" in /proc/PID/stat)? */
static bool leader_is_zombie(pid_t pid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if (zx_read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

TEST_F(stale, leader_exited_threads_run_on)
{
	uint64_t actual = 0;
	pid_t pid;
	int h;

	pid = spawn_threaded(park, NULL, true);
	ASSERT_LT(0, pid);
	/* A state to reach, not a race: the harness's timeout bounds it. */
	while (!leader_is_zombie(pid))
		usleep(10000);
	/* The process still has an address space, through its thread. */
	h = zx_handle(pid, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, sizeof(self->src), &actual));
	EXPECT_EQ(sizeof(self->src), actual);
	zx_reap(pid);
	close(h);
}

/*
 * A thread other than the leader execs (on the test's word, after a
 * write through the handle worked): the exec makes it the leader, with
 * the same tgid, on a new address space.  Its end is the EOF of a pipe
 * whose only write end the child holds, close-on-exec.
 */
TEST_F(stale, non_leader_thread_execs)
{
	char path[64], comm[32], c;
	uint64_t actual = 0;
	int go[2], done[2];
	pid_t pid;
	int h;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	pid = spawn_threaded(exec_sleep, &go[0], false);
	ASSERT_LT(0, pid);
	close(done[1]);
	h = zx_handle(pid, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, sizeof(self->src), &actual));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(0, read(done[0], &c, 1));
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	ASSERT_LT(0, zx_read_file(path, comm, sizeof(comm)));
	ASSERT_EQ(0, strncmp(comm, "sleep", 5));
	expect_stale(_metadata, self, h, "after a non-leader exec");
	close(h);
	zx_reap(pid);
}

/* ---- a write held while its target is reaped and its pid reused -------- */

/* The old target: page 1 of its two-page region registered, if asked. */
struct old_target {
	uint8_t *region;
	bool stall;
};

static int old_target_fn(char cmd, void *arg, int *fd)
{
	struct old_target *o = arg;

	if (cmd != 0)
		return -EINVAL;
	if (!o->stall)
		return 0;
	*fd = uf_new_missing(o->region + PAGE, PAGE);
	return *fd < 0 ? *fd : 0;
}

FIXTURE(reuse) {
	uint8_t *region;	/* 2 pages: pattern 6, then untouched */
	struct old_target o;
	struct race_proc old;
	struct uf_stall st;
	pid_t fresh;
	int h, uffd;
	long long t0;
};

FIXTURE_VARIANT(reuse) {
	bool target_stall;
};

FIXTURE_VARIANT_ADD(reuse, caller_stall) { .target_stall = false };
FIXTURE_VARIANT_ADD(reuse, target_stall) { .target_stall = true };

FIXTURE_SETUP(reuse)
{
	self->t0 = zx_now_ms();
	self->old.pid = self->fresh = -1;
	self->h = self->uffd = self->st.uffd = -1;
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, 0x71));
	self->region = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	zx_fill(self->region, PAGE, 6);
	self->o.region = self->region;
	self->o.stall = variant->target_stall;
	ASSERT_EQ(0, race_proc_ready(&self->old, old_target_fn, &self->o, &self->uffd));
	self->h = zx_handle(self->old.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(reuse)
{
	race_held_end(&self->old, &self->st, self->uffd, self->h);
	zx_reap(self->fresh);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/*
 * A write through the old target's handle is held (on our source after
 * half a page, or inside the pin of the old target's page 1); the old
 * target is killed and reaped, and a new process gets its pid, with the
 * same region at the same address.  Then the write goes on: it never
 * reaches the new process (its memory, read through /proc, is as it
 * was); the handle is stale, INFO says pid 0.
 */
TEST_F_TIMEOUT(reuse, pid_reused_while_a_write_is_held, 120)
{
	static uint8_t src[PAGE], served[PAGE], zero[PAGE];
	struct race_call c = { 0 };
	pid_t old = self->old.pid;
	struct zxproc_info info;
	uint64_t actual;
	int tries;

	if (variant->target_stall) {
		memset(src, 0x9d, PAGE);
		ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->region + PAGE),
					      src, PAGE, 0));
		ASSERT_HELD(&c, self->uffd, zx_ptr(self->region + PAGE));
	} else {
		ASSERT_EQ(0, race_write_start(&c, self->h, zx_ptr(self->region),
					      self->st.base + PAGE / 2, PAGE, 0));
		ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	}

	/* Reaped, and its pid given to a new process, while held. */
	race_proc_end(&self->old);
	for (tries = 0; tries < 20 && self->fresh != old; tries++) {
		zx_reap(self->fresh);
		ASSERT_EQ(0, race_next_pid_is(old));
		self->fresh = zx_target();
		ASSERT_LT(0, self->fresh);
	}
	ASSERT_EQ(old, self->fresh) TH_LOG("could not get pid %d again", old);
	ASSERT_FALSE(race_call_returned(&c));

	memset(served, 0xe1, PAGE);
	if (variant->target_stall) {
		/* In the old address space, which the held write keeps. */
		ASSERT_EQ(0, uf_copy(self->uffd, zx_ptr(self->region + PAGE), served, PAGE));
	} else {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	race_call_join(&c);
	TH_LOG("the write held across reap and reuse: ret %d, actual %llu",
	       c.ret, (unsigned long long)c.actual);
	if (variant->target_stall) {
		/* The pin waited: it checks the target again, which is gone. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(0ULL, (unsigned long long)c.actual);
	} else {
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(PAGE / 2, c.actual);
	}
	EXPECT_EQ(-1, zx_differs(self->fresh, zx_ptr(self->region), self->region, PAGE));
	EXPECT_EQ(-1, zx_differs(self->fresh, zx_ptr(self->region + PAGE), zero, PAGE));

	ASSERT_EQ(0, zx_info(self->h, &info));
	EXPECT_TRUE(info.flags & ZXPROC_INFO_STALE);
	EXPECT_EQ(0, info.pid);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(self->h, zx_ptr(self->region), src, 64, &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual);
	EXPECT_EQ(-1, zx_differs(self->fresh, zx_ptr(self->region), self->region, PAGE));
}

RACE_HARNESS_MAIN

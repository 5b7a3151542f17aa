// SPDX-License-Identifier: GPL-2.0
/*
 * A handle outlives its target's address space: the target exits (a
 * zombie, then reaped), its pid is reused by another process, its
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
 */
#include <pthread.h>

#include "../module/helpers.h"
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
		.len = sizeof(self->src), .result = (int64_t)ZX_SENTINEL,
	};
	struct zxproc_memv v = {
		.segs = zx_ptr(&seg), .nr_segs = 1,
		.actual = ZX_SENTINEL, .done = 0xa5a5a5a5,
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

/* Make the next fork get pid @want (root may set ns_last_pid). */
static int next_pid_is(pid_t want)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", want - 1);
	return zx_write_file("/proc/sys/kernel/ns_last_pid", buf);
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
		ASSERT_EQ(0, next_pid_is(old));
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

static void *exec_sleep(void *arg)
{
	(void)arg;
	usleep(200000);
	execl("/bin/sleep", "sleep", "1000", (char *)NULL);
	return NULL;
}

/* A child whose leader thread exits while @fn runs on in another thread. */
static pid_t spawn_threaded(void *(*fn)(void *), bool leader_exits)
{
	pid_t pid = zx_fork_tied();

	if (pid == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, fn, NULL))
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
	int h, i;

	pid = spawn_threaded(park, true);
	ASSERT_LT(0, pid);
	for (i = 0; i < 500 && !leader_is_zombie(pid); i++)
		usleep(10000);
	ASSERT_TRUE(leader_is_zombie(pid));
	/* The process still has an address space, through its thread. */
	h = zx_handle(pid, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, sizeof(self->src), &actual));
	EXPECT_EQ(sizeof(self->src), actual);
	zx_reap(pid);
	close(h);
}

TEST_F(stale, non_leader_thread_execs)
{
	char path[64], comm[32];
	uint64_t actual = 0;
	pid_t pid;
	int h, i;

	pid = spawn_threaded(exec_sleep, false);
	ASSERT_LT(0, pid);
	h = zx_handle(pid, ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ);
	ASSERT_LE(0, h);
	EXPECT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, sizeof(self->src), &actual));
	/* The thread's exec makes it the leader, with the same tgid. */
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	for (i = 0; i < 500; i++) {
		if (zx_read_file(path, comm, sizeof(comm)) > 0 && !strncmp(comm, "sleep", 5))
			break;
		usleep(10000);
	}
	ASSERT_EQ(0, strncmp(comm, "sleep", 5));
	expect_stale(_metadata, self, h, "after a non-leader exec");
	close(h);
	zx_reap(pid);
}

TEST_HARNESS_MAIN

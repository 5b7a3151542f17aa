// SPDX-License-Identifier: GPL-2.0
/*
 * The reap race (issue 13, item 1): the target is reaped while the
 * module holds its task, looked up its mm or credentials, and has not
 * yet taken (or used) its pid.  Before 0.2.0, a target reaped during the
 * rights check of PROCESS_OPEN gave a handle with no pid, and the first
 * ZXPROC_IOC_INFO on it oopsed.
 *
 * forced: the test-only delay module (tests/kmod/zxproc_delay.ko) puts
 *	a kprobe on one zxproc function.  Armed with (caller = this
 *	process, victim = the target), the next call of that function by
 *	this process SIGKILLs the target and, before the function runs,
 *	waits in the kernel until the target has been reaped (this process
 *	ignores SIGCHLD, so the target reaps itself as it exits, on the
 *	other CPU: caller and target are pinned to different CPUs) or, for
 *	the "zombie" variants, until it has exited.  The module's counters
 *	prove each run forced the interleaving: the call came while the
 *	target lived (early 0), and the reap happened inside the window
 *	(forced 1, no timeout).  A window whose function zxproc no longer
 *	has fails the load with ENOENT, so no window is silently skipped.
 *	Asserted, for every window: the outcome is safe, that is
 *	PROCESS_OPEN fails with ESTALE or gives a handle whose INFO says
 *	pid 0 (the number may name another process now) and
 *	ZXPROC_INFO_STALE, and every memory call on it fails with ESTALE
 *	with actual 0 and copies nothing (the target's memory is shared
 *	with the test, which sees any byte that lands); INFO and memory
 *	calls caught by the reap mid-way answer STALE / ESTALE.  A kernel
 *	report fails the guest (tests/vm/run).
 * soak_open_info_loop (only with ZXPROC_SOAK=1, make soak): the same
 *	race as a user would meet it, unforced: children that exit at
 *	once (SIGCHLD ignored), opened as fast as possible, INFO and a
 *	read on every handle, race_iterations() times.  A random sweep
 *	that complements the forced tests; it proves nothing about any
 *	one interleaving.
 */
#include <limits.h>
#include <sys/syscall.h>

#include "race.h"
#include "../kmod/delay.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define RIGHTS (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE)
#define SHARED_SEED 11
#define SRC_SEED 12
#define UNTOUCHED 0xee

enum reap_op { OP_OPEN, OP_INFO, OP_WRITE, OP_READ, OP_WRITEV, OP_READV };

FIXTURE(reap) {
	uint8_t *shared;	/* shared with the target: its bytes are ours */
	uint8_t *want;		/* what the shared page must keep holding */
	uint8_t *src, *dst;
	pid_t child;
	int hold;		/* write end of the pipe the target waits on */
	int dev, h;
	int cpu_caller, cpu_victim;
	char ko[PATH_MAX];
};

FIXTURE_VARIANT(reap) {
	const char *func;	/* the zxproc function whose entry is the window */
	const char *action;	/* "reap", or "exit" (a zombie, not reaped) */
	enum reap_op op;
};

/* PROCESS_OPEN: a target reaped ... */
FIXTURE_VARIANT_ADD(reap, open_mm_get) {
	/* ... after its pid was taken, before its mm is looked up */
	.func = "zxproc_process_mm_get", .action = "reap", .op = OP_OPEN,
};
FIXTURE_VARIANT_ADD(reap, open_may_open) {
	/* ... between the mm lookup and the handle (the 0.1 oops) */
	.func = "zxproc_may_open", .action = "reap", .op = OP_OPEN,
};
FIXTURE_VARIANT_ADD(reap, open_install) {
	/* ... after the check, as the handle is made */
	.func = "zxproc_handle_install", .action = "reap", .op = OP_OPEN,
};
FIXTURE_VARIANT_ADD(reap, open_may_open_zombie) {
	/* exiting, not reaped, during the check */
	.func = "zxproc_may_open", .action = "exit", .op = OP_OPEN,
};
/* INFO on a handle minted while the target lived: reaped ... */
FIXTURE_VARIANT_ADD(reap, info_target_get) {
	/* ... after the pid number was read, before the task lookup */
	.func = "zxproc_target_get", .action = "reap", .op = OP_INFO,
};
FIXTURE_VARIANT_ADD(reap, info_uses_mm) {
	/* ... holding the task, before its threads' mm are compared */
	.func = "zxproc_process_uses_mm", .action = "reap", .op = OP_INFO,
};
/* WRITE/READ/WRITEV/READV: reaped ... */
FIXTURE_VARIANT_ADD(reap, write_xfer_begin) {
	/* ... before the access looks anything up */
	.func = "zxproc_xfer_begin", .action = "reap", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, write_target_get) {
	/* ... before the task lookup */
	.func = "zxproc_target_get", .action = "reap", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, write_force) {
	/* ... holding the task and an mm_users reference: the policy */
	.func = "zxproc_force", .action = "reap", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, write_force_zombie) {
	.func = "zxproc_force", .action = "exit", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, write_pin) {
	/* ... as the pages are about to be pinned (one range) */
	.func = "zxproc_pin", .action = "reap", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, write_target_check) {
	/* ... as the ESTALE decision is about to be made */
	.func = "zxproc_target_check", .action = "reap", .op = OP_WRITE,
};
FIXTURE_VARIANT_ADD(reap, read_force) {
	.func = "zxproc_force", .action = "reap", .op = OP_READ,
};
FIXTURE_VARIANT_ADD(reap, read_target_check) {
	.func = "zxproc_target_check", .action = "reap", .op = OP_READ,
};
FIXTURE_VARIANT_ADD(reap, writev_pin_begin) {
	/* ... as a batch's group is about to be pinned */
	.func = "zxproc_pin_begin", .action = "reap", .op = OP_WRITEV,
};
FIXTURE_VARIANT_ADD(reap, readv_target_check) {
	.func = "zxproc_target_check", .action = "reap", .op = OP_READV,
};

static bool reaped(const FIXTURE_VARIANT(reap) *variant)
{
	return !strcmp(variant->action, "reap");
}

FIXTURE_SETUP(reap)
{
	int ready[2], hold[2], ret;
	char c;

	self->h = -1;
	self->dev = -1;
	self->hold = -1;
	self->child = 0;

	ASSERT_EQ(0, delay_two_cpus(&self->cpu_caller, &self->cpu_victim))
		TH_LOG("the forced reap needs two CPUs: one spins in the window, the other runs the target");
	ASSERT_EQ(0, delay_pin(self->cpu_caller));
	/* The target reaps itself when it exits: no wait() of ours needed. */
	if (reaped(variant))
		ASSERT_NE(SIG_ERR, signal(SIGCHLD, SIG_IGN));

	self->shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->shared);
	zx_fill(self->shared, PAGE, SHARED_SEED);
	self->want = zx_want(PAGE, SHARED_SEED);
	self->src = zx_want(PAGE, SRC_SEED);
	self->dst = malloc(PAGE);
	ASSERT_NE(NULL, self->want);
	ASSERT_NE(NULL, self->src);
	ASSERT_NE(NULL, self->dst);

	ASSERT_EQ(0, pipe2(ready, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	self->child = zx_fork_tied();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(ready[0]);
		close(hold[1]);
		c = delay_pin(self->cpu_victim) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		/* Blocks until killed (or until the test is gone). */
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	self->hold = hold[1];
	ASSERT_EQ(1, read(ready[0], &c, 1));
	close(ready[0]);
	ASSERT_EQ('y', c) TH_LOG("the target could not be pinned to CPU %d",
				 self->cpu_victim);

	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	ret = delay_load(variant->func, self->ko, sizeof(self->ko));
	ASSERT_EQ(0, ret) TH_LOG("insmod %s func=%s: %s (the window must exist)",
				 self->ko[0] ? self->ko : "zxproc_delay.ko",
				 variant->func, strerror(-ret));
	if (variant->op != OP_OPEN) {
		self->h = zx_open(self->dev, self->child, RIGHTS);
		ASSERT_LE(0, self->h) TH_LOG("open: %s", strerror(-self->h));
	}
}

FIXTURE_TEARDOWN(reap)
{
	delay_unload();
	if (self->h >= 0)
		close(self->h);
	if (self->dev >= 0)
		close(self->dev);
	if (self->hold >= 0)
		close(self->hold);
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
}

/*
 * What a handle to a reaped (@pid 0) or exited (@pid the zombie's)
 * target answers: INFO says stale, every access fails with ESTALE,
 * reports actual 0 and copies nothing.
 */
static void expect_stale(struct __test_metadata *_metadata,
			 FIXTURE_DATA(reap) *self, int h, pid_t pid)
{
	struct zxproc_info info;
	uint64_t actual;

	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
	EXPECT_EQ(RIGHTS, info.rights);
	EXPECT_EQ(ZXPROC_OBJ_TYPE_PROCESS, info.type);

	memset(self->dst, UNTOUCHED, PAGE);
	EXPECT_EQ(-ESTALE, zx_read(h, zx_ptr(self->shared), self->dst, PAGE,
				   &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(-1, zx_not_all(self->dst, UNTOUCHED, PAGE));

	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->shared), self->src, PAGE,
				    &actual));
	EXPECT_EQ(0, actual);
	EXPECT_EQ(0, memcmp(self->shared, self->want, PAGE));
}

/* A batch of two segments over the shared page, the first one met ESTALE. */
static void batch(struct __test_metadata *_metadata, FIXTURE_DATA(reap) *self,
		  bool write)
{
	struct zxproc_seg segs[2];
	struct zxproc_memv v = {
		.segs = zx_ptr(segs), .nr_segs = 2,
		.actual = ZX_SENTINEL, .done = 0x5a5a5a5a,
		.seg_size = sizeof(segs[0]),
	};
	int i, ret;

	memset(self->dst, UNTOUCHED, PAGE);
	for (i = 0; i < 2; i++) {
		segs[i] = (struct zxproc_seg) {
			.addr = zx_ptr(self->shared) + i * PAGE / 2,
			.buf = zx_ptr(write ? self->src : self->dst) + i * PAGE / 2,
			.len = PAGE / 2, .actual = ZX_SENTINEL, .status = 0x5a5a5a5a,
		};
	}
	ret = zx_ioctl(self->h, write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV, &v);
	EXPECT_EQ(-ESTALE, ret);
	EXPECT_EQ(1, v.done);
	EXPECT_EQ(0, v.actual);
	EXPECT_EQ(-ESTALE, segs[0].status);
	EXPECT_EQ(0, segs[0].actual);
	EXPECT_EQ(0x5a5a5a5a, segs[1].status);
	EXPECT_EQ(ZX_SENTINEL, segs[1].actual);
	EXPECT_EQ(-1, zx_not_all(self->dst, UNTOUCHED, PAGE));
}

TEST_F(reap, forced)
{
	struct zxproc_info info;
	uint64_t actual;
	pid_t zombie = reaped(variant) ? 0 : self->child;
	int ret, status;

	ASSERT_EQ(0, delay_arm(getpid(), self->child, variant->action));

	switch (variant->op) {
	case OP_OPEN:
		ret = zx_open(self->dev, self->child, RIGHTS);
		if (ret == -ESTALE) {
			TH_LOG("PROCESS_OPEN: ESTALE");
			break;
		}
		ASSERT_LE(0, ret) TH_LOG("PROCESS_OPEN: %s", strerror(-ret));
		TH_LOG("PROCESS_OPEN: a handle");
		self->h = ret;
		break;
	case OP_INFO:
		/*
		 * The pid number may have been read before the reap (it then
		 * was the target's): 0 or the child's, never a stale number
		 * without STALE.
		 */
		ASSERT_EQ(0, zx_info(self->h, &info));
		TH_LOG("INFO in the window: pid %d flags %#x", info.pid,
		       info.flags);
		EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
		EXPECT_TRUE(info.pid == 0 || info.pid == self->child);
		break;
	case OP_WRITE:
		ret = zx_write(self->h, zx_ptr(self->shared), self->src, PAGE,
			       &actual);
		EXPECT_EQ(-ESTALE, ret);
		EXPECT_EQ(0, actual);
		break;
	case OP_READ:
		memset(self->dst, UNTOUCHED, PAGE);
		ret = zx_read(self->h, zx_ptr(self->shared), self->dst, PAGE,
			      &actual);
		EXPECT_EQ(-ESTALE, ret);
		EXPECT_EQ(0, actual);
		EXPECT_EQ(-1, zx_not_all(self->dst, UNTOUCHED, PAGE));
		break;
	case OP_WRITEV:
	case OP_READV:
		batch(_metadata, self, variant->op == OP_WRITEV);
		break;
	}

	/* The interleaving was forced: the target died inside the window. */
	TH_LOG("%s: hits %ld fired %ld forced %ld early %ld timeouts %ld refused %ld, window %ld us",
	       variant->func, delay_counter("hits"), delay_counter("fired"),
	       delay_counter("forced"), delay_counter("early"),
	       delay_counter("timeouts"), delay_counter("refused"),
	       delay_counter("last_us"));
	EXPECT_LE(1, delay_counter("hits"));
	EXPECT_EQ(1, delay_counter("fired"));
	EXPECT_EQ(0, delay_counter("early"));
	EXPECT_EQ(0, delay_counter("refused"));
	EXPECT_EQ(0, delay_counter("timeouts"));
	ASSERT_EQ(1, delay_counter("forced"));

	/* Nothing landed in the target's memory. */
	EXPECT_EQ(0, memcmp(self->shared, self->want, PAGE));
	if (self->h >= 0)
		expect_stale(_metadata, self, self->h, zombie);

	if (reaped(variant)) {
		/* Reaped by the kernel already: nothing left to wait for. */
		EXPECT_EQ(-1, waitpid(self->child, NULL, WNOHANG));
		EXPECT_EQ(ECHILD, errno);
	} else {
		/* A zombie until now; once reaped, its number is not reported. */
		ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
		EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		if (self->h >= 0)
			expect_stale(_metadata, self, self->h, 0);
	}
	self->child = 0;
}

/* ---- soak: children that exit at once, opened as fast as possible ----- */

enum { C_ESRCH, C_ESTALE, C_LIVE, C_STALE_PID, C_STALE_ZERO, C_READ_OK,
       C_READ_STALE, C_N };

FIXTURE(churn) {
	uint8_t *page;
	int dev;
};

FIXTURE_SETUP(churn)
{
	self->page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->page);
	memset(self->page, 0x42, PAGE);
	ASSERT_NE(SIG_ERR, signal(SIGCHLD, SIG_IGN));
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(churn)
{
	close(self->dev);
}

TEST_F_TIMEOUT(churn, soak_open_info_loop, 1800)
{
	unsigned long n = race_iterations(), i, count[C_N] = { 0 };
	struct zxproc_info info;
	uint64_t buf, actual;
	long long t0 = zx_now_ms();
	int h, ret;
	pid_t pid;

	for (i = 0; i < n; i++) {
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0)
			_exit(0);
		h = zx_open(self->dev, pid, RIGHTS);
		if (h == -ESRCH || h == -ESTALE) {
			count[h == -ESRCH ? C_ESRCH : C_ESTALE]++;
			continue;
		}
		ASSERT_LE(0, h) TH_LOG("iteration %lu: open: %s", i, strerror(-h));

		ASSERT_EQ(0, zx_info(h, &info));
		/* A number without STALE means a live target: its own. */
		ASSERT_TRUE(info.pid == pid || (info.pid == 0 &&
						info.flags == ZXPROC_INFO_STALE))
			TH_LOG("iteration %lu: pid %d: INFO pid %d flags %#x",
			       i, pid, info.pid, info.flags);
		ASSERT_EQ(0, info.flags & ~ZXPROC_INFO_STALE);
		count[!info.flags ? C_LIVE : info.pid ? C_STALE_PID :
		      C_STALE_ZERO]++;

		buf = ZX_SENTINEL;
		ret = zx_read(h, zx_ptr(self->page), &buf, sizeof(buf), &actual);
		if (ret == 0) {
			ASSERT_EQ(sizeof(buf), actual);
			ASSERT_EQ(0x4242424242424242ULL, buf);
			count[C_READ_OK]++;
		} else {
			ASSERT_EQ(-ESTALE, ret) TH_LOG("iteration %lu: read: %s",
						       i, strerror(-ret));
			ASSERT_EQ(0, actual);
			ASSERT_EQ(ZX_SENTINEL, buf);
			count[C_READ_STALE]++;
		}
		/* Once stale, always stale. */
		if (info.flags) {
			ASSERT_EQ(-ESTALE, zx_read(h, zx_ptr(self->page), &buf,
						   sizeof(buf), &actual));
		}
		close(h);
	}
	TH_LOG("%lu children in %lld ms: open ESRCH %lu, ESTALE %lu; handles live %lu, stale with pid %lu, stale pid 0 %lu; reads ok %lu, ESTALE %lu",
	       n, zx_now_ms() - t0, count[C_ESRCH], count[C_ESTALE],
	       count[C_LIVE], count[C_STALE_PID], count[C_STALE_ZERO],
	       count[C_READ_OK], count[C_READ_STALE]);
}

RACE_HARNESS_MAIN

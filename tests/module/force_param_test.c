// SPDX-License-Identifier: GPL-2.0
/*
 * The forcing parameters at run time.  A forced access is a write to
 * read-only private memory (by copy-on-write) or a read of PROT_NONE
 * memory.  host_force_override (read-only) shows the host's
 * /proc/PID/mem policy; force_override takes only a policy's name and
 * can make that policy stricter: "ptrace" forces only the accesses of
 * the target's ptrace tracer, which is the calling thread itself, and
 * "never" forces nothing.  Every refused access is checked by reading
 * the target back through /proc/PID/mem, which follows the host's
 * policy ("always" on the kernels these suites boot; suites for guests
 * booted with proc_mem.force_override= live elsewhere).
 */
#include <pthread.h>
#include <sys/ptrace.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define PARAMS "/sys/module/zxproc/parameters/"
#define FORCE_OVERRIDE PARAMS "force_override"
#define HOST_FORCE PARAMS "host_force_override"
#define LEN 64

/* The value of a parameter, newline stripped, into @buf; 0 or -errno. */
static int param(const char *path, char *buf, size_t len)
{
	ssize_t n = zx_read_file(path, buf, len);

	if (n < 0)
		return (int)n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/*
 * The policy the module takes from a kernel command line: the strictest
 * of @initial (the kernel's CONFIG_PROC_MEM_* default) and every
 * proc_mem.force_override=NAME before "--", unknown names ignored.
 * (Unquoted values only: the suites' command lines have no quotes.)
 */
static const char *cmdline_policy(const char *initial)
{
	static const char *const names[] = { "always", "ptrace", "never" };
	static char line[4096];
	size_t policy, i;
	char *tok, *save;

	for (policy = 0; strcmp(names[policy], initial); policy++)
		;
	if (zx_read_file("/proc/cmdline", line, sizeof(line)) <= 0)
		return NULL;
	for (tok = strtok_r(line, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strcmp(tok, "--"))
			break;
		if (strncmp(tok, "proc_mem.force_override=", 24) &&
		    strncmp(tok, "proc_mem.force-override=", 24))
			continue;
		for (i = 0; i < 3; i++)
			if (!strcmp(tok + 24, names[i]) && i > policy)
				policy = i;
	}
	return names[policy];
}

FIXTURE(force) {
	int dev, h;
	pid_t target;
	size_t page;
	uint8_t *none;		/* PROT_NONE private, pattern 91 */
	uint8_t *ro;		/* read-only private, pattern 92 */
	uint8_t *rw;		/* read-write, pattern 93 */
	uint8_t *want_none, *want_ro;
	uint8_t src[4][LEN];	/* what each forced write tries */
};

FIXTURE_SETUP(force)
{
	char host[16];
	int i;

	self->page = zx_page();
	self->none = zx_map(self->page, PROT_NONE, 91);
	self->ro = zx_map(self->page, PROT_READ, 92);
	self->rw = zx_map(self->page, PROT_READ | PROT_WRITE, 93);
	ASSERT_NE(MAP_FAILED, self->none);
	ASSERT_NE(MAP_FAILED, self->ro);
	ASSERT_NE(MAP_FAILED, self->rw);
	self->want_none = zx_want(self->page, 91);
	self->want_ro = zx_want(self->page, 92);
	ASSERT_NE(NULL, self->want_none);
	ASSERT_NE(NULL, self->want_ro);
	for (i = 0; i < 4; i++)
		zx_fill(self->src[i], LEN, 100 + i);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);
	ASSERT_EQ(0, param(HOST_FORCE, host, sizeof(host)));
	/* The runtime parameter is shown against a host that forces. */
	if (strcmp(host, "always"))
		SKIP(return, "host_force_override is %s: booted with proc_mem.force_override=", host);
}

FIXTURE_TEARDOWN(force)
{
	/* Whatever happened (a failed ASSERT too), forcing back to its default. */
	zx_write_file(FORCE_OVERRIDE, "always");
	zx_reap(self->target);
	close(self->h);
	close(self->dev);
}

/* Outcomes of forced_access(). */
enum { FORCED = 0, REFUSED = 1, INCONSISTENT = 2 };

/*
 * A forced write (src at @ro) and a forced read (of @none) through
 * handle @h.  FORCED when both went through whole, REFUSED when both
 * failed with EACCES having moved nothing, INCONSISTENT otherwise.  No
 * harness macro: it runs in forked children and threads too.
 */
static int forced_access(int h, uint8_t *ro, uint8_t *none, const uint8_t *src,
			 const uint8_t *want_none)
{
	uint64_t w = ZX_SENTINEL, r = ZX_SENTINEL;
	uint8_t buf[LEN];
	int we, re;

	memset(buf, 0xee, sizeof(buf));
	we = zx_write(h, zx_ptr(ro), src, LEN, &w);
	re = zx_read(h, zx_ptr(none), buf, LEN, &r);
	if (!we && !re && w == LEN && r == LEN && !memcmp(buf, want_none, LEN))
		return FORCED;
	if (we == -EACCES && re == -EACCES && !w && !r && zx_not_all(buf, 0xee, LEN) == -1)
		return REFUSED;
	fprintf(stderr, "# write %d (%llu bytes), read %d (%llu bytes)\n",
		we, (unsigned long long)w, re, (unsigned long long)r);
	return INCONSISTENT;
}

/* The target's read-only page holds @want, its PROT_NONE page its own. */
#define ASSERT_TARGET_HOLDS(want) do { \
	ASSERT_EQ(-1, zx_differs(self->target, zx_ptr(self->ro), (want), LEN)); \
	ASSERT_EQ(-1, zx_differs(self->target, zx_ptr(self->ro) + LEN, \
				 self->want_ro + LEN, self->page - LEN)); \
	ASSERT_EQ(-1, zx_differs(self->target, zx_ptr(self->none), \
				 self->want_none, self->page)); \
} while (0)

/*
 * force_override takes the three policies' names (a trailing newline,
 * as echo writes it, allowed) and nothing else: any other value is
 * EINVAL and leaves the policy as it was.  The old boolean force_write
 * is gone.
 */
TEST_F(force, force_override_takes_only_policy_names)
{
	static const char *const names[] = { "always", "ptrace", "never" };
	static const char *const bad[] = {
		"\n", "Always", "NEVER", "sometimes", "always ", " never", "never\n\n",
		"nev", "neverx", "ptrace,never", "Y", "N", "1", "0",
	};
	char now[16];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char line[16];

		ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, names[i]));
		ASSERT_EQ(0, param(FORCE_OVERRIDE, now, sizeof(now)));
		EXPECT_STREQ(names[i], now);
		snprintf(line, sizeof(line), "%s\n", names[(i + 1) % 3]);
		ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, line));
		ASSERT_EQ(0, param(FORCE_OVERRIDE, now, sizeof(now)));
		EXPECT_STREQ(names[(i + 1) % 3], now);
	}
	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "ptrace"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, zx_write_file(FORCE_OVERRIDE, bad[i])) TH_LOG("value '%s'", bad[i]);
		ASSERT_EQ(0, param(FORCE_OVERRIDE, now, sizeof(now)));
		EXPECT_STREQ("ptrace", now) TH_LOG("after '%s'", bad[i]);
	}
	/* The policy in force is still "ptrace": we are no tracer yet. */
	EXPECT_EQ(REFUSED, forced_access(self->h, self->ro, self->none, self->src[0],
					 self->want_none));
	ASSERT_TARGET_HOLDS(self->want_ro);
	EXPECT_EQ(-1, access(PARAMS "force_write", F_OK));
	EXPECT_EQ(ENOENT, errno);
}

/*
 * host_force_override is read-only (0444; a write by root fails and
 * changes nothing) and shows the policy the kernel booted with: Debian's
 * kernels and the debug kernel are built with CONFIG_PROC_MEM_ALWAYS_FORCE
 * (or predate the option, which is the same), so "always" unless the
 * command line sets proc_mem.force_override.
 */
TEST_F(force, host_force_override_is_read_only_and_follows_the_boot)
{
	const char *want = cmdline_policy("always");
	char now[16];
	struct stat st;
	int fd;

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, param(HOST_FORCE, now, sizeof(now)));
	EXPECT_STREQ(want, now);
	EXPECT_STREQ("always", now) TH_LOG("this boot's command line sets proc_mem.force_override");
	ASSERT_EQ(0, stat(HOST_FORCE, &st));
	EXPECT_EQ(0444, st.st_mode & 07777);
	fd = open(HOST_FORCE, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		EXPECT_EQ(-1, write(fd, "never", 5));
		EXPECT_EQ(EPERM, errno);
		close(fd);
	} else {
		EXPECT_EQ(EACCES, errno);
	}
	ASSERT_EQ(0, param(HOST_FORCE, now, sizeof(now)));
	EXPECT_STREQ(want, now);
	/* force_override cannot make the host's policy looser, only stricter. */
	ASSERT_EQ(0, param(FORCE_OVERRIDE, now, sizeof(now)));
	EXPECT_STREQ("always", now);
	EXPECT_EQ(FORCED, forced_access(self->h, self->ro, self->none, self->src[0],
					self->want_none));
	ASSERT_TARGET_HOLDS(self->src[0]);
}

struct other {
	int h;
	uint8_t *ro, *none;
	const uint8_t *src, *want_none;
	int outcome;
};

static int other_process(void *p)
{
	struct other *o = p;

	return forced_access(o->h, o->ro, o->none, o->src, o->want_none);
}

static void *other_thread(void *p)
{
	struct other *o = p;

	o->outcome = forced_access(o->h, o->ro, o->none, o->src, o->want_none);
	return NULL;
}

/* Stop the tracee (PTRACE_INTERRUPT), wait for the stop, detach. */
static int untrace(pid_t pid)
{
	int status;

	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0))
		return -errno;
	if (waitpid(pid, &status, __WALL) != pid || !WIFSTOPPED(status))
		return -ECHILD;
	return ptrace(PTRACE_DETACH, pid, 0, 0) ? -errno : 0;
}

/*
 * force_override=ptrace: a forced write or read goes through only when
 * the calling thread is the target's tracer (task->parent == current,
 * as /proc/PID/mem decides it), checked on every call.  Not before
 * PTRACE_SEIZE, not from another process holding the same handle, not
 * from another thread of the tracer, not through a handle to oneself,
 * not after the detach; unforced accesses go on throughout.
 */
TEST_F(force, ptrace_forces_only_the_tracer)
{
	struct other o = {
		.h = self->h, .ro = self->ro, .none = self->none,
		.src = self->src[1], .want_none = self->want_none,
	};
	uint64_t actual = ZX_SENTINEL;
	pthread_t thread;
	uint8_t buf[LEN];
	int me;

	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "ptrace"));
	EXPECT_EQ(REFUSED, forced_access(self->h, self->ro, self->none, self->src[0],
					 self->want_none));
	ASSERT_TARGET_HOLDS(self->want_ro);
	ASSERT_EQ(0, zx_write(self->h, zx_ptr(self->rw), self->src[3], LEN, &actual));
	EXPECT_EQ((uint64_t)LEN, actual);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->rw), self->src[3], LEN));

	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, self->target, 0, 0));
	EXPECT_EQ(FORCED, forced_access(self->h, self->ro, self->none, self->src[0],
					self->want_none));
	ASSERT_TARGET_HOLDS(self->src[0]);

	/* Another process with the same handle is not the tracer. */
	EXPECT_EQ(REFUSED, zx_in_child(other_process, &o));
	ASSERT_TARGET_HOLDS(self->src[0]);
	/* Nor is another thread of the tracer's. */
	o.outcome = -1;
	ASSERT_EQ(0, pthread_create(&thread, NULL, other_thread, &o));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(REFUSED, o.outcome);
	ASSERT_TARGET_HOLDS(self->src[0]);
	/* Nobody traces itself: a handle to oneself is never forced here. */
	me = zx_open(self->dev, getpid(), ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, me);
	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(-EACCES, zx_read(me, zx_ptr(self->none), buf, LEN, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
	EXPECT_EQ(-EACCES, zx_write(me, zx_ptr(self->ro), self->src[2], LEN, &actual));
	EXPECT_EQ(0, memcmp(self->ro, self->want_ro, self->page));
	close(me);

	/* Detached: refused again, decided per call. */
	ASSERT_EQ(0, untrace(self->target));
	EXPECT_EQ(REFUSED, forced_access(self->h, self->ro, self->none, self->src[2],
					 self->want_none));
	ASSERT_TARGET_HOLDS(self->src[0]);
}

/*
 * PTRACE_ATTACH makes a tracer as SEIZE does; with force_override=never
 * even the tracer's accesses are not forced, in batches too (a forced
 * segment fails alone).
 */
TEST_F(force, never_refuses_even_the_tracer)
{
	struct zxproc_seg s[2] = {
		{ .addr = zx_ptr(self->ro), .buf = zx_ptr(self->src[1]), .len = LEN },
		{ .addr = zx_ptr(self->rw), .buf = zx_ptr(self->src[2]), .len = LEN },
	};
	struct zxproc_memv v = { .segs = zx_ptr(s), .nr_segs = 2, .seg_size = sizeof(s[0]) };
	int status;

	ASSERT_EQ(0, ptrace(PTRACE_ATTACH, self->target, 0, 0));
	ASSERT_EQ(self->target, waitpid(self->target, &status, __WALL));
	ASSERT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "ptrace"));
	EXPECT_EQ(FORCED, forced_access(self->h, self->ro, self->none, self->src[0],
					self->want_none));
	ASSERT_TARGET_HOLDS(self->src[0]);

	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "never"));
	EXPECT_EQ(REFUSED, forced_access(self->h, self->ro, self->none, self->src[1],
					 self->want_none));
	ASSERT_TARGET_HOLDS(self->src[0]);
	ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &v));
	EXPECT_EQ(2U, v.done);
	EXPECT_EQ(-EACCES, s[0].status);
	EXPECT_EQ(0U, s[0].actual);
	EXPECT_EQ(0, s[1].status);
	EXPECT_EQ((uint64_t)LEN, s[1].actual);
	EXPECT_EQ((uint64_t)LEN, v.actual);
	ASSERT_TARGET_HOLDS(self->src[0]);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->rw), self->src[2], LEN));
	ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->target, 0, 0));
}

TEST_HARNESS_MAIN

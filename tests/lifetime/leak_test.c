// SPDX-License-Identifier: GPL-2.0
/*
 * Handle create/close cycles leave the kernel where they found it.
 *
 * Cycles: PROCESS_OPEN + close, DUPLICATE + close, and opens that fail
 * a check (bad rights, no such pid, a kernel thread, and EPERM for a
 * caller without CAP_SYS_PTRACE): 4,000, 4,000 and 2,000 of them in the
 * normal suite, ten times as many (100,000 in all) in the soak_* tests,
 * which run only with ZXPROC_SOAK=1 (see tests/races/race.h).  After
 * each batch, compared with before it:
 *
 *  - the slab caches a handle allocates from: the handle itself
 *    (kmalloc-cg-32, or kmalloc-32 on a kernel without kmemcg caches),
 *    its file (filp) and the file's pseudo dentry (dentry); read from
 *    /sys/kernel/slab/CACHE/objects, exact with the slub_debug=FZPU the
 *    guest boots with (debug caches are never merged and keep no
 *    per-CPU objects).  Every cache is shrunk before it is counted:
 *    on a KASAN kernel (the debug tier) freed objects wait in KASAN's
 *    quarantine, still counted as allocated, until their cache is
 *    shrunk (kmem_cache_shrink() empties the cache's share of it);
 *    elsewhere shrinking changes no count;
 *  - /proc/meminfo's SUnreclaim;
 *  - the module's reference count (/sys/module/zxproc/refcnt), and
 *    this process's open descriptors.
 *
 * A leak of one object per cycle shows as thousands (tens of thousands
 * in a soak run); the tolerance (TOLERANCE objects, SUNRECLAIM_TOLERANCE_KB) covers what
 * the rest of the guest allocates meanwhile.  The first test proves the
 * instrument sees the module's objects: 2,000 handles held open show up
 * in every cache, and go away when closed.  The last one looks for
 * leaked references to targets rather than leaked objects.
 */
#include <dirent.h>
#include <sys/resource.h>

#include "../races/race.h"
#include "kselftest_harness.h"

#define TOLERANCE 400L			/* objects, per cache */
#define SUNRECLAIM_TOLERANCE_KB 1024L
#define HELD 2000

static const char *const caches[] = { "kmalloc-cg-32", "kmalloc-32", "filp", "dentry" };
#define NCACHES (sizeof(caches) / sizeof(caches[0]))

struct snapshot {
	long objects[NCACHES];	/* -1: no such cache */
	long sunreclaim_kb;
	int refcnt;
	int fds;
};

static long slab_objects(const char *cache)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects", cache);
	if (zx_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atol(buf);
}

static long meminfo_kb(const char *key)
{
	static char buf[8192];
	const char *p;

	if (zx_read_file("/proc/meminfo", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, key);
	return p ? atol(p + strlen(key)) : -1;
}

/*
 * Open descriptors of this process, up to the descriptor limit.  Not by
 * listing /proc/self/fd: that would fill the dentry cache being measured.
 */
static int count_fds(void)
{
	struct rlimit rl;
	int fd, n = 0;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	for (fd = 0; fd < (int)rl.rlim_cur; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

/*
 * Shrink every slab cache, which on a KASAN kernel also frees what its
 * quarantine holds of that cache: otherwise SUnreclaim and the object
 * counts carry up to 1/32 of the guest's memory of already freed
 * objects.  Every cache, not only the measured ones, because
 * SUnreclaim counts them all.  Directories only: a merged cache's other
 * names are symbolic links to the same one.
 */
static void drain_slabs(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[300];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		zx_write_file(path, "1");
	}
	closedir(d);
}

static void take(struct snapshot *s)
{
	size_t i;

	drain_slabs();
	for (i = 0; i < NCACHES; i++)
		s->objects[i] = slab_objects(caches[i]);
	s->sunreclaim_kb = meminfo_kb("SUnreclaim:");
	s->refcnt = zx_module_refcnt();
	s->fds = count_fds();
}

/*
 * Is @now within tolerance of @before?  Freed dentries and files go
 * through RCU and task work, so the caller retries for a while.
 */
static bool settled(const struct snapshot *before, const struct snapshot *now)
{
	size_t i;

	/* Only growth is a leak: other work in the guest may free objects. */
	for (i = 0; i < NCACHES; i++)
		if (before->objects[i] >= 0 &&
		    now->objects[i] - before->objects[i] > TOLERANCE)
			return false;
	return now->sunreclaim_kb - before->sunreclaim_kb <= SUNRECLAIM_TOLERANCE_KB &&
	       now->refcnt == before->refcnt && now->fds == before->fds;
}

static void report(struct __test_metadata *_metadata, const char *what,
		   const struct snapshot *b, const struct snapshot *a)
{
	char line[512];
	size_t i, n = 0;

	for (i = 0; i < NCACHES; i++)
		if (b->objects[i] >= 0)
			n += snprintf(line + n, sizeof(line) - n, " %s %+ld,", caches[i],
				      a->objects[i] - b->objects[i]);
	TH_LOG("%s:%s SUnreclaim %+ld kB, module refcnt %d -> %d, fds %d -> %d",
	       what, line, a->sunreclaim_kb - b->sunreclaim_kb, b->refcnt, a->refcnt,
	       b->fds, a->fds);
}

/* Wait (up to 10 s) for the counts to settle back; final snapshot in @a. */
static bool wait_settled(const struct snapshot *b, struct snapshot *a)
{
	long long end = zx_now_ms() + 10000;

	for (;;) {
		take(a);
		if (settled(b, a) || zx_now_ms() > end)
			return settled(b, a);
		usleep(100000);
	}
}

FIXTURE(leak) {
	pid_t target;
	int dev;
	long long t0;
};

FIXTURE_SETUP(leak)
{
	struct rlimit rl;
	size_t i;
	bool any = false;

	self->t0 = zx_now_ms();
	for (i = 0; i < NCACHES; i++)
		any |= slab_objects(caches[i]) >= 0;
	ASSERT_TRUE(any) TH_LOG("no /sys/kernel/slab/*/objects (a kernel without SLUB sysfs?)");
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = rl.rlim_max > 4096 ? 4096 : rl.rlim_max;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	self->target = zx_target();
	ASSERT_LT(0, self->target);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(leak)
{
	zx_reap(self->target);
	if (self->dev >= 0)
		close(self->dev);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* The instrument works: held handles show up, one object each. */
TEST_F_TIMEOUT(leak, held_handles_are_counted, 600)
{
	static int h[HELD];
	struct snapshot b, held, a;
	size_t i;
	int n;

	take(&b);
	for (n = 0; n < HELD; n++) {
		h[n] = zx_open(self->dev, self->target, ZXPROC_RIGHT_READ);
		ASSERT_LE(0, h[n]);
	}
	take(&held);
	report(_metadata, "2000 handles held", &b, &held);
	for (i = 0; i < NCACHES; i++) {
		/* The handle is in kmalloc-cg-32 when that cache exists. */
		if (b.objects[i] < 0 ||
		    (!strcmp(caches[i], "kmalloc-32") && b.objects[0] >= 0))
			continue;
		EXPECT_LE(HELD * 9 / 10, held.objects[i] - b.objects[i])
			TH_LOG("%s did not grow with the handles", caches[i]);
	}
	EXPECT_EQ(b.refcnt + HELD, held.refcnt);
	EXPECT_EQ(b.fds + HELD, held.fds);
	for (n = 0; n < HELD; n++)
		close(h[n]);
	EXPECT_TRUE(wait_settled(&b, &a));
	report(_metadata, "closed again", &b, &a);
}

static void cycles(struct __test_metadata *_metadata, FIXTURE_DATA(leak) *self,
		   const char *what, int (*one)(FIXTURE_DATA(leak) *, unsigned long),
		   unsigned long n)
{
	struct snapshot b, a;
	unsigned long i;

	/* Warm the caches up first, so their growth is not counted. */
	for (i = 0; i < 500; i++)
		ASSERT_EQ(0, one(self, i));
	take(&b);
	for (i = 0; i < n; i++) {
		int ret = one(self, i);

		ASSERT_EQ(0, ret) TH_LOG("%s cycle %lu: %d", what, i, ret);
	}
	EXPECT_TRUE(wait_settled(&b, &a));
	report(_metadata, what, &b, &a);
}

static int open_close(FIXTURE_DATA(leak) *self, unsigned long i)
{
	int h = zx_open(self->dev, self->target, (uint32_t)(i % 2 ? ZXPROC_RIGHTS_ALL :
							     ZXPROC_RIGHT_READ));

	if (h < 0)
		return h;
	return close(h) ? -errno : 0;
}

TEST_F_TIMEOUT(leak, open_close_4000, 300)
{
	cycles(_metadata, self, "4000 PROCESS_OPEN+close", open_close, 4000);
}

TEST_F_TIMEOUT(leak, soak_open_close_40000, 900)
{
	cycles(_metadata, self, "40000 PROCESS_OPEN+close", open_close, 40000);
}

static int dup_source = -1;

static int dup_close(FIXTURE_DATA(leak) *self, unsigned long i)
{
	int d;

	(void)self;
	d = zx_dup(dup_source, i % 2 ? ZXPROC_RIGHT_SAME_RIGHTS : ZXPROC_RIGHT_READ,
		   i % 3 == 0 ? ZXPROC_DUP_REPLACE : 0);
	if (d < 0)
		return d;
	return close(d) ? -errno : 0;
}

static void duplicates(struct __test_metadata *_metadata, FIXTURE_DATA(leak) *self,
		       const char *what, unsigned long n)
{
	dup_source = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, dup_source);
	cycles(_metadata, self, what, dup_close, n);
	close(dup_source);
}

TEST_F_TIMEOUT(leak, duplicate_close_4000, 300)
{
	duplicates(_metadata, self, "4000 DUPLICATE+close", 4000);
}

TEST_F_TIMEOUT(leak, soak_duplicate_close_40000, 900)
{
	duplicates(_metadata, self, "40000 DUPLICATE+close", 40000);
}

/*
 * Opens that fail a check, after having looked the target up (ESRCH,
 * EOPNOTSUPP and EPERM take and drop task, pid and mm references).
 * The EPERM quarter runs in a child without CAP_SYS_PTRACE.
 */
static int failing_open(FIXTURE_DATA(leak) *self, unsigned long i)
{
	int r;

	switch (i % 3) {
	case 0:
		r = zx_open(self->dev, self->target, 0x40000000);
		return r == -EINVAL ? 0 : (r < 0 ? r : -1000);
	case 1:
		r = zx_open(self->dev, 0x3fffffff, ZXPROC_RIGHT_READ);
		return r == -ESRCH ? 0 : (r < 0 ? r : -1000);
	default:
		r = zx_open(self->dev, 2, ZXPROC_RIGHT_READ);	/* kthreadd */
		return r == -EOPNOTSUPP ? 0 : (r < 0 ? r : -1000);
	}
}

static int eperm_open(FIXTURE_DATA(leak) *self, unsigned long i)
{
	int r = zx_open(self->dev, self->target, ZXPROC_RIGHT_READ);

	(void)i;
	return r == -EPERM ? 0 : (r < 0 ? r : -1000);
}

static struct {
	FIXTURE_DATA(leak) *self;
	unsigned long n;
} eperm_arg;

static int eperm_batch(void *arg)
{
	unsigned long i;

	(void)arg;
	if (zx_drop_cap(CAP_SYS_PTRACE))
		return 1;
	for (i = 0; i < eperm_arg.n; i++)
		if (eperm_open(eperm_arg.self, i))
			return 2;
	return 0;
}

/* @n opens failing a check: three quarters here, one in a child (EPERM). */
static void failing_opens(struct __test_metadata *_metadata, FIXTURE_DATA(leak) *self,
			  unsigned long n)
{
	struct snapshot b, a;
	char what[96];
	unsigned long i;

	for (i = 0; i < 300; i++)
		ASSERT_EQ(0, failing_open(self, i));
	take(&b);
	for (i = 0; i < n / 4 * 3; i++)
		ASSERT_EQ(0, failing_open(self, i)) TH_LOG("failing open %lu", i);
	eperm_arg.self = self;
	eperm_arg.n = n / 4;
	ASSERT_EQ(0, zx_in_child(eperm_batch, NULL));
	EXPECT_TRUE(wait_settled(&b, &a));
	snprintf(what, sizeof(what), "%lu EINVAL/ESRCH/EOPNOTSUPP + %lu EPERM opens",
		 n / 4 * 3, n / 4);
	report(_metadata, what, &b, &a);
}

TEST_F_TIMEOUT(leak, failing_opens_2000, 300)
{
	failing_opens(_metadata, self, 2000);
}

TEST_F_TIMEOUT(leak, soak_failing_opens_20000, 900)
{
	failing_opens(_metadata, self, 20000);
}

/*
 * References the module takes on the target (task, pid, mm) are all
 * dropped: one leaked reference per target keeps that target's
 * task_struct, pid or mm_struct alive after it is reaped, which 200
 * targets make visible.  Each target gets handles opened, duplicated,
 * written through, and, once it is a zombie, opened again (ESTALE) and
 * written through again (ESTALE).
 */
static const char *const task_caches[] = { "task_struct", "mm_struct", "pid" };
#define TARGETS 200
#define TASK_TOLERANCE 20

static long task_objects(size_t i)
{
	return slab_objects(task_caches[i]);
}

TEST_F_TIMEOUT(leak, target_references_released_200_targets, 900)
{
	long before[3], after[3] = { 0 };
	long long end;
	uint8_t byte = 1;
	size_t i;
	int t;

	for (i = 0; i < 3; i++) {
		before[i] = task_objects(i);
		ASSERT_LE(0, before[i]) TH_LOG("no slab cache %s", task_caches[i]);
	}
	for (t = 0; t < TARGETS; t++) {
		pid_t pid = zx_target();
		uint64_t actual = 0;
		siginfo_t si;
		int h, d, n;

		ASSERT_LT(0, pid);
		h = zx_open(self->dev, pid, ZXPROC_RIGHTS_ALL);
		ASSERT_LE(0, h);
		for (n = 0; n < 20; n++) {
			d = zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0);
			ASSERT_LE(0, d);
			ASSERT_EQ(0, zx_write(d, zx_ptr(&byte), &byte, 1, &actual));
			close(d);
			ASSERT_EQ(0, open_close(self, (unsigned long)n));
		}
		kill(pid, SIGKILL);
		ASSERT_EQ(0, waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT));
		/* A zombie: no address space left. */
		ASSERT_EQ(-ESTALE, zx_open(self->dev, pid, ZXPROC_RIGHT_READ));
		ASSERT_EQ(-ESTALE, zx_write(h, zx_ptr(&byte), &byte, 1, &actual));
		zx_reap(pid);
		ASSERT_EQ(-ESTALE, zx_write(h, zx_ptr(&byte), &byte, 1, &actual));
		close(h);
	}
	/* Tasks and pids are freed after an RCU grace period. */
	end = zx_now_ms() + 10000;
	do {
		bool ok = true;

		usleep(100000);
		for (i = 0; i < 3; i++) {
			after[i] = task_objects(i);
			ok &= after[i] - before[i] <= TASK_TOLERANCE;
		}
		if (ok)
			break;
	} while (zx_now_ms() < end);
	TH_LOG("%d targets, each opened, duplicated 20 times, written, opened and written as a zombie and after reaping: task_struct %+ld, mm_struct %+ld, pid %+ld",
	       TARGETS, after[0] - before[0], after[1] - before[1], after[2] - before[2]);
	EXPECT_GE(TASK_TOLERANCE, after[0] - before[0]);
	EXPECT_GE(TASK_TOLERANCE, after[1] - before[1]);
	EXPECT_GE(TASK_TOLERANCE, after[2] - before[2]);
}

RACE_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection: every allocation and user copy that a zxproc ioctl
 * reaches fails once in turn, and every such failure is clean.
 *
 * Mechanism (the debug kernel, tests/vm/debug.config; see
 * Documentation/fault-injection/fault-injection.rst and tests/faults/README.md):
 * writing N to /proc/self/task/TID/fail-nth makes the Nth fault-injection
 * site that this thread reaches fail: a slab allocation (failslab), a page
 * allocation (fail_page_alloc) or a user copy (fail_usercopy).  Reading
 * the file back gives 0 when that fault was injected, and what is left of
 * N otherwise.  So for each ioctl path the loop is N = 1, 2, 3, ...: arm
 * N, make the call, read fail-nth back; as long as it reads 0, the Nth
 * site was reached and failed; the first N that the call no longer reaches
 * ends the loop.  The count includes the kernel's own sites on the way
 * (copy_struct_from_user of the argument, the file and dentry of a new
 * handle, KASAN's and kmemleak's bookkeeping): each of them is a way for
 * the call to fail too.  Where the allocations are (the first TWICE fault
 * numbers), each number is tried twice, each armed call after the same
 * call made without a fault and without effect (a warm-up), because the
 * kernel's bookkeeping allocates only now and then and would otherwise
 * shift a site past its number; and those first numbers are swept again
 * as long as a sweep finds a site none before had (see ARMED, loop_next
 * and loop_pass_done).
 *
 * Why per task and not the stack-trace filter: the filter that would
 * confine faults to call chains through the module
 * (FAULT_INJECTION_STACKTRACE_FILTER, require-start/require-end) "depends
 * on !X86_64" in 6.1, so it cannot be built here.  fail-nth confines them
 * to this thread instead, one call at a time, and it takes precedence
 * over probability, interval, times and task-filter, which are left so
 * that nothing else in the guest ever fails (probability 0, task-filter Y).
 * Per-capability filters still apply, so ignore-gfp-wait and
 * ignore-gfp-highmem are set to N (sleeping and user-page allocations are
 * the module's usual kind) and fail_page_alloc's min-order to 0.
 *
 * Each iteration checks:
 *  - the call succeeded, or failed with an errno its uapi documents
 *    (ENOMEM, EFAULT, and ENFILE/EMFILE for calls that make a handle); a
 *    success after an injected fault is allowed, because the failed site
 *    had a fallback (kvmalloc()'s vmalloc() after a failed kmalloc(), a
 *    __GFP_NOWARN allocation inside KASAN or kmemleak), but the result
 *    must then be complete and right;
 *  - the target's memory, read back with process_vm_readv() (not through
 *    zxproc), holds the new bytes in exactly [addr, addr + actual) and its
 *    old bytes everywhere else; for reads, the caller's buffer likewise;
 *  - no descriptor leaked (open descriptors counted before and after);
 *  - the handle still works: a write without faults lands.
 * The site of every injected fault is read from /dev/kmsg (verbose 2
 * logs its stack; "FAULT_INJECTION: forcing a failure", which
 * tests/vm/logscan knows is no bug) and printed per path with what the
 * call answered, so a report can cite every site.  A fault in a
 * __GFP_NOWARN allocation is not logged and shows as "(not logged)".
 * The last test asks kmemleak whether anything of zxproc leaked.
 *
 * Every target page a write or read reaches is present and private (no
 * allocation needed), except in the *_cow paths, whose target shares its
 * pages copy-on-write, so each page written or pinned costs the kernel a
 * page allocation that can fail mid-range.
 *
 * Without /sys/kernel/debug/failslab (Debian's stock 6.1 and 6.12), every
 * test skips and says why.
 */
#include <dirent.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define DEBUGFS "/sys/kernel/debug"
#define DEBUGFS_MAGIC_NR 0x64626720
#define KMEMLEAK DEBUGFS "/kmemleak"

#define AREA_PAGES 600		/* holds a 2 MiB + 8 KiB range with margins */
#define COW_PAGES 6
#define MAX_NTH 5000		/* more sites than this in one call: a bug */
#define T_SEED 90		/* the target's own bytes in the area */
#define S_SEED 91		/* the new bytes (source of writes) */
#define C_SEED 92		/* the copy-on-write region */
#define DST_FILL 0xee		/* a read's destination, before the read */
#define MARGIN 64		/* bytes past a read's end that must stay DST_FILL */
#define SENTINEL32 ((uint32_t)ZX_SENTINEL)

/* The debugfs settings of this suite; the old values come back after. */
static const struct knob {
	const char *path;
	const char *value;
} knobs[] = {
	{ "failslab/probability", "0" },
	{ "failslab/task-filter", "Y" },
	{ "failslab/verbose", "2" },
	{ "failslab/verbose_ratelimit_interval_ms", "0" },
	{ "failslab/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/probability", "0" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/verbose", "2" },
	{ "fail_page_alloc/verbose_ratelimit_interval_ms", "0" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_usercopy/probability", "0" },
	{ "fail_usercopy/task-filter", "Y" },
	{ "fail_usercopy/verbose", "2" },
	{ "fail_usercopy/verbose_ratelimit_interval_ms", "0" },
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))

/* Fault numbers tried twice, after a warm-up (see loop_next and ARMED). */
#define TWICE 32
#define PASSES 4

/* One distinct (site, answer) pair of a path, and how often it came. */
struct site {
	char where[192];
	char outcome[40];
	unsigned int count;
};

/* The fault loop of one path. */
struct loop {
	const char *path;
	unsigned int n;		/* the fault armed in this iteration */
	bool injected;		/* ... and it was injected during the call */
	char where[192];	/* its site, from the kernel log */
	int fds;		/* open descriptors before the iteration */
	bool again;		/* this iteration repeats fault n */
	bool reached;		/* the first try of fault n reached it */
	unsigned int again_n;	/* iterations that repeated a fault number */
	unsigned int pass;	/* 1: all fault numbers; then the first TWICE */
	unsigned int limit;	/* the last fault number of this pass, or 0 */
	unsigned int reach;	/* the last fault number the first pass reached */
	unsigned int pass_logged;	/* distinct logged sites before this pass */
	unsigned int late;	/* faults past TWICE that hit an allocation */
	unsigned int failed;	/* calls that failed */
	unsigned int absorbed;	/* calls that succeeded in full anyway */
	unsigned int partial;	/* calls that succeeded short */
	long long t0;
	struct site tab[48];
	unsigned int ntab;
	unsigned int untabled;
};

FIXTURE(faults) {
	char skip[512];
	size_t page;
	pid_t tid;
	int nth;		/* /proc/self/task/TID/fail-nth */
	int kmsg;		/* /dev/kmsg, read from the end; -1 if none */
	char saved[NKNOBS][32];
	bool changed[NKNOBS];
	uint8_t *area;		/* AREA_PAGES: the target writes T_SEED */
	uint8_t *cow;		/* COW_PAGES of C_SEED, never written again */
	uint8_t *src;		/* AREA_PAGES of S_SEED */
	uint8_t *dst;		/* AREA_PAGES, for reads */
	uint8_t *old;		/* the target's area as it should be */
	uint8_t *expect, *scratch;	/* AREA_PAGES each */
	struct zxproc_seg *segs, *warm_segs;	/* ZXPROC_MAX_SEGMENTS each */
	pid_t target;		/* holds the area */
	pid_t spawner;		/* forks copy-on-write targets on request */
	int spawn_req, spawn_rep;
	int dev, h;
};

/* ---- the second channel: process_vm_readv/writev ---------------------- */

static int pvm(pid_t pid, bool write, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct iovec local = { (uint8_t *)buf + done, len - done };
		struct iovec remote = { (void *)(uintptr_t)(addr + done), len - done };
		ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0) :
				    process_vm_readv(pid, &local, 1, &remote, 1, 0);

		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* A range of new bytes at offset @off of a region. */
struct span {
	size_t off, len;
	const uint8_t *bytes;
};

/*
 * Does [base + lo, base + hi) of process @pid hold @sp's bytes in its
 * spans and @old's bytes everywhere else?  Returns NULL, or what differs.
 */
static const char *region_differs(FIXTURE_DATA(faults) *self, pid_t pid,
				  const uint8_t *base, const uint8_t *old,
				  size_t lo, size_t hi, const struct span *sp,
				  unsigned int nsp)
{
	static char msg[160];
	unsigned int i;
	size_t k;
	int err;

	memcpy(self->expect + lo, old + lo, hi - lo);
	for (i = 0; i < nsp; i++)
		memcpy(self->expect + sp[i].off, sp[i].bytes, sp[i].len);
	err = pvm(pid, false, zx_ptr(base + lo), self->scratch + lo, hi - lo);
	if (err) {
		snprintf(msg, sizeof(msg), "process_vm_readv: %s", strerror(-err));
		return msg;
	}
	if (!memcmp(self->scratch + lo, self->expect + lo, hi - lo))
		return NULL;
	for (k = lo; self->scratch[k] == self->expect[k]; k++)
		;
	snprintf(msg, sizeof(msg), "byte +%#zx is %#x, want %#x (%s)", k,
		 self->scratch[k], self->expect[k],
		 self->expect[k] == old[k] ? "old bytes expected there" :
		 "new bytes expected there");
	return msg;
}

/*
 * Open descriptors of this process, from one listing of /proc/self/fd
 * (zx_count_fds() probes 1024 paths one by one: seconds per call on the
 * debug kernel under TCG, and this suite counts twice per fault).
 */
static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the listing's own descriptor */
}

/* ---- fail-nth and the kernel log -------------------------------------- */

static int nth_arm(FIXTURE_DATA(faults) *self, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return write(self->nth, buf, len) == len ? 0 : -errno;
}

/*
 * Read fail-nth back and disarm it.  Returns true if the armed fault was
 * injected before this read.  A read that faults (EFAULT) is itself the
 * armed fault's site (its copy_to_user), reached with 1 left: the call
 * did not reach it.  The same goes for the write that disarms.
 */
static bool nth_disarm(struct __test_metadata *_metadata,
		       FIXTURE_DATA(faults) *self)
{
	char buf[16] = "";
	ssize_t n = pread(self->nth, buf, sizeof(buf) - 1, 0);
	bool injected;

	if (n < 0) {
		ASSERT_EQ(EFAULT, errno) TH_LOG("reading fail-nth: %s", strerror(errno));
		injected = false;
	} else {
		injected = strtoul(buf, NULL, 10) == 0;
		if (!injected && write(self->nth, "0", 1) != 1)
			ASSERT_EQ(EFAULT, errno) TH_LOG("disarming fail-nth: %s", strerror(errno));
	}
	n = pread(self->nth, buf, sizeof(buf) - 1, 0);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	ASSERT_EQ(0UL, strtoul(buf, NULL, 10)) TH_LOG("fail-nth still armed: %s", buf);
	return injected;
}

/* The function of a stack-trace line (" name+0x1/0x2 [mod]"), or NULL. */
static const char *frame_name(const char *text, char *name, size_t len)
{
	size_t n;

	while (*text == ' ')
		text++;
	if (text[0] == '?' && text[1] == ' ')
		return "?";
	n = strcspn(text, "+ ");
	if (!n || text[n] != '+' || strncmp(text + n, "+0x", 3) || n >= len)
		return NULL;
	memcpy(name, text, n);
	name[n] = '\0';
	return name;
}

/* Frames of the fault machinery itself, left out of a site's name. */
static bool machinery(const char *f)
{
	static const char *const prefixes[] = {
		"dump_stack", "should_fail", "__should_fail", "fail_dump",
		"slab_pre_alloc_hook", "prepare_alloc_pages",
	};
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/*
 * Read the kernel log written since the last call and name the site of
 * this thread's last injected fault: "CAPABILITY: f1 < f2 < f3", the
 * three callers below the fault machinery, then the first zxproc_*
 * frame further down if there is one.  "(not logged)" when none was
 * logged (a __GFP_NOWARN allocation's fault prints nothing).
 */
static void kmsg_site(FIXTURE_DATA(faults) *self, char *where, size_t len)
{
	char rec[2048], cap[32] = "", name[128], deeper[128] = "";
	int state = 0, frames = 0;
	size_t at = 0;
	ssize_t n;

	snprintf(where, len, "(not logged)");
	if (self->kmsg < 0)
		return;
	for (;;) {
		const char *text, *p;

		n = read(self->kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* overwritten records: go on from the oldest */
		if (n <= 0)
			break;
		rec[n] = '\0';
		text = strchr(rec, ';');
		if (!text)
			continue;
		text++;
		rec[strcspn(rec, "\n")] = '\0';
		if (strstr(text, "FAULT_INJECTION: forcing a failure")) {
			p = strstr(text, "name ");
			snprintf(cap, sizeof(cap), "%.*s", p ? (int)strcspn(p + 5, ",") : 1,
				 p ? p + 5 : "?");
			state = 1;
			continue;
		}
		if (state == 1 && !strncmp(text, "CPU: ", 5)) {
			int pid = -1;

			p = strstr(text, " PID: ");
			if (p)
				pid = atoi(p + 6);
			state = pid == self->tid ? 2 : 0;
			if (state == 2) {
				at = (size_t)snprintf(where, len, "%s:", cap);
				frames = 0;
				deeper[0] = '\0';
			}
			continue;
		}
		if (state != 2)
			continue;
		if (strstr(text, "</TASK>")) {
			if (deeper[0] && at < len)
				snprintf(where + at, len - at, " ... < %s", deeper);
			state = 0;
			continue;
		}
		p = frame_name(text, name, sizeof(name));
		if (!p || !strcmp(p, "?") || machinery(p))
			continue;
		if (frames < 3) {
			if (at < len)
				at += (size_t)snprintf(where + at, len - at, "%s %s",
						       frames ? " <" : "", p);
			frames++;
		} else if (!deeper[0] && !strncmp(p, "zxproc_", 7)) {
			snprintf(deeper, sizeof(deeper), "%s", p);
		}
	}
}

/* ---- the loop over fault sites ---------------------------------------- */

static void loop_begin(FIXTURE_DATA(faults) *self, struct loop *lp,
		       const char *path)
{
	memset(lp, 0, sizeof(*lp));
	lp->path = path;
	lp->t0 = zx_now_ms();
	if (self->kmsg >= 0)
		lseek(self->kmsg, 0, SEEK_END);
}

/*
 * Fault numbers are positions, and the positions of a call's sites are
 * not quite fixed: besides its own sites, a call sometimes allocates for
 * the kernel's bookkeeping (KASAN's stack depot, kmemleak's objects, a new
 * slab page: most of them __GFP_NOWARN, so not logged), depending on what
 * ran before, on the other CPU, or in RCU callbacks.  One such allocation
 * more in one call and one fewer in the next makes fault N + 1 land two
 * sites after fault N, jumping over one.  So each fault number is tried
 * twice where the call's own allocations are (the first TWICE numbers),
 * and wherever a fault hit such an allocation, and the loop ends only when
 * two calls in a row did not reach the number: a site jumped over in one
 * try is hit in the other.
 */
static bool incidental(const char *where)
{
	return strstr(where, "(not logged)") || strstr(where, "allocate_slab") ||
	       strstr(where, "new_slab") || strstr(where, "stack_depot") ||
	       strstr(where, "kmemleak") || strstr(where, "kasan");
}

/* Distinct sites logged so far (a site is counted once, whatever answer). */
static unsigned int logged_sites(const struct loop *lp)
{
	unsigned int i, j, logged = 0;

	for (i = 0; i < lp->ntab; i++) {
		for (j = 0; j < i && strcmp(lp->tab[j].where, lp->tab[i].where); j++)
			;
		if (j == i && strcmp(lp->tab[i].where, "(not logged)"))
			logged++;
	}
	return logged;
}

static void loop_report(struct loop *lp)
{
	unsigned int i;

	if (!lp->reach) {
		printf("# %s: no fault site reached (%.1f s)\n", lp->path,
		       (zx_now_ms() - lp->t0) / 1000.0);
		return;
	}
	printf("# %s: faults 1..%u reached, %u passes, %u tries repeated: %u calls, %u failed cleanly, %u absorbed the fault, %u succeeded short; distinct logged sites: %u%s (%.1f s)\n",
	       lp->path, lp->reach, lp->pass, lp->again_n,
	       lp->failed + lp->absorbed + lp->partial, lp->failed, lp->absorbed,
	       lp->partial, logged_sites(lp),
	       lp->pass_logged < logged_sites(lp) ? ", the last pass still found new ones" : "",
	       (zx_now_ms() - lp->t0) / 1000.0);
	for (i = 0; i < lp->ntab; i++)
		printf("#   %4ux %-18s %s\n", lp->tab[i].count, lp->tab[i].outcome,
		       lp->tab[i].where);
	if (lp->untabled)
		printf("#   %4ux (other sites, table full)\n", lp->untabled);
	if (lp->late)
		printf("#   note: %u faults past number %d hit an allocation, where numbers are tried once: raise TWICE\n",
		       lp->late, TWICE);
	fflush(stdout);
}

/*
 * The end of a pass over the fault numbers.  The first pass goes until
 * two calls in a row do not reach the number; then passes over the first
 * TWICE numbers (where the allocations are) follow, as long as the last
 * one found a site none before had, up to PASSES.  Returns false when no
 * pass follows.
 */
static bool loop_pass_done(struct loop *lp)
{
	unsigned int logged = logged_sites(lp);

	if (lp->pass == 1)
		lp->reach = lp->n - 1;
	if (!lp->reach || lp->pass == PASSES ||
	    (lp->pass > 1 && logged == lp->pass_logged))
		return false;
	lp->pass++;
	lp->pass_logged = logged;
	lp->limit = lp->reach < TWICE ? lp->reach : TWICE;
	lp->again = false;
	lp->n = 1;
	return true;
}

/* Next fault number; false when the loop is over. */
static bool loop_next(struct __test_metadata *_metadata, struct loop *lp)
{
	if (!lp->n) {
		lp->n = 1;
		lp->pass = 1;
	} else if (!lp->again && (lp->n <= TWICE || !lp->injected ||
				  incidental(lp->where))) {
		lp->again = true;
		lp->again_n++;
		lp->reached = lp->injected;
	} else if ((!lp->injected && (!lp->again || !lp->reached)) ||
		   (lp->limit && lp->n == lp->limit)) {
		if (!loop_pass_done(lp)) {
			loop_report(lp);
			return false;
		}
	} else {
		lp->again = false;
		lp->n++;
	}
	ASSERT_GT(MAX_NTH, lp->n) TH_LOG("%s: more than %d fault sites in one call",
					 lp->path, MAX_NTH);
	lp->injected = false;
	lp->fds = count_fds();
	return true;
}

#define FOR_EACH_FAULT(lp, name) \
	for (loop_begin(self, (lp), (name)); loop_next(_metadata, (lp)); )

/*
 * Run @warm, then @call with fault @lp->n armed; disarm and find the
 * fault's site.  @warm is the same call made without a fault and without
 * effect (it writes the bytes already there, or opens and closes a
 * handle): whatever the kernel allocates only once, or only now and then
 * (a new slab page, KASAN's stack depot), is then allocated before the
 * fault is armed, so that fault number N names the same site every time
 * and no site is jumped over.  Past fault TWICE only the copy loop's
 * per-page sites are left, which allocate nothing: no warm-up there (it
 * would double the time of the 2 MiB write).
 */
#define ARMED(lp, warm, call) do { \
	if ((lp)->n <= TWICE) { \
		warm; \
	} \
	ASSERT_EQ(0, nth_arm(self, (lp)->n)); \
	call; \
	(lp)->injected = nth_disarm(_metadata, self); \
	kmsg_site(self, (lp)->where, sizeof((lp)->where)); \
	if (!(lp)->injected) \
		snprintf((lp)->where, sizeof((lp)->where), "(no fault reached)"); \
} while (0)

/* A check inside the loop, naming the fault that broke it. */
#define CHECK(lp, cond, fmt, ...) \
	ASSERT_TRUE(cond) TH_LOG("%s, fault #%u at %s: " fmt, (lp)->path, \
				 (lp)->n, (lp)->where, ##__VA_ARGS__)

static const char *errname(long ret)
{
	static char buf[32];

	switch (-ret) {
	case 0: return "ok";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	}
	snprintf(buf, sizeof(buf), "errno %ld", -ret);
	return buf;
}

/* Count the answer to an injected fault under its site. */
static void loop_record(struct loop *lp, const char *outcome)
{
	unsigned int i;

	for (i = 0; i < lp->ntab; i++)
		if (!strcmp(lp->tab[i].where, lp->where) &&
		    !strcmp(lp->tab[i].outcome, outcome))
			break;
	if (i == lp->ntab) {
		if (i == sizeof(lp->tab) / sizeof(lp->tab[0])) {
			lp->untabled++;
			return;
		}
		snprintf(lp->tab[i].where, sizeof(lp->tab[i].where), "%s", lp->where);
		snprintf(lp->tab[i].outcome, sizeof(lp->tab[i].outcome), "%s", outcome);
		lp->ntab++;
	}
	lp->tab[i].count++;
}

/*
 * The end of every iteration: tally the answer, no descriptor leaked, and
 * the main handle still writes (checked, then undone).
 */
static void loop_end(struct __test_metadata *_metadata,
		     FIXTURE_DATA(faults) *self, struct loop *lp, long ret,
		     bool partial, const char *outcome)
{
	uint8_t *probe = self->area + (AREA_PAGES - 1) * self->page + 8;
	size_t off = (size_t)(probe - self->area);
	struct span sp = { off, 8, self->src };
	uint64_t actual = 0;
	const char *d;

	if (getenv("FAILNTH_TRACE"))
		printf("#     fault %u%s: %s: %s\n", lp->n, lp->again ? " again" : "",
		       lp->injected ? outcome ? outcome : errname(ret) : "-", lp->where);
	if (lp->injected) {
		if (lp->n > TWICE && !strstr(lp->where, "fail_usercopy"))
			lp->late++;
		if (ret)
			lp->failed++;
		else if (partial)
			lp->partial++;
		else
			lp->absorbed++;
		loop_record(lp, outcome ? outcome : errname(ret));
	}
	CHECK(lp, count_fds() == lp->fds, "%d descriptors open, %d before",
	      count_fds(), lp->fds);
	CHECK(lp, zx_write(self->h, zx_ptr(probe), self->src, 8, &actual) == 0 &&
	      actual == 8, "the handle no longer writes (actual %llu)",
	      (unsigned long long)actual);
	d = region_differs(self, self->target, self->area, self->old, off - 8,
			   off + 16, &sp, 1);
	CHECK(lp, !d, "the follow-up write: %s", d);
	ASSERT_EQ(0, pvm(self->target, true, zx_ptr(probe), self->old + off, 8));
}

/* ---- setup -------------------------------------------------------------- */

/* Why this kernel cannot run the suite, or NULL. */
static const char *unavailable(char *why, size_t len)
{
	static const char *const caps[] = { "failslab", "fail_page_alloc", "fail_usercopy" };
	struct statfs sf;
	char path[128];
	size_t i;

	if (access(DEBUGFS "/failslab", F_OK) &&
	    (statfs(DEBUGFS, &sf) || sf.f_type != DEBUGFS_MAGIC_NR) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL)) {
		snprintf(why, len, "debugfs is not mounted on " DEBUGFS " and mounting it failed: %s",
			 strerror(errno));
		return why;
	}
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", caps[i]);
		if (access(path, F_OK)) {
			snprintf(why, len, "no %s: this kernel has no fault injection (CONFIG_FAULT_INJECTION_DEBUG_FS, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC, CONFIG_FAULT_INJECTION_USERCOPY; Debian's stock kernels have none: run under tests/vm/run --kernel debug)",
				 path);
			return why;
		}
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	if (access(path, W_OK)) {
		snprintf(why, len, "cannot write %s: %s", path, strerror(errno));
		return why;
	}
	if (access(ZX_DEV_PATH, F_OK)) {
		snprintf(why, len, "zxproc is not loaded (no " ZX_DEV_PATH "; run under tests/vm/run)");
		return why;
	}
	return NULL;
}

/* zx_target_prep() callback: the target writes its own bytes. */
static int area_prep(void *p)
{
	FIXTURE_DATA(faults) *self = p;

	zx_fill(self->area, AREA_PAGES * self->page, T_SEED);
	return 0;
}

/*
 * The spawner, forked once: on each request byte it forks a child that
 * only waits to be killed, and answers with its pid.  Such a child shares
 * every page with the spawner copy-on-write, the COW region among them,
 * and nothing is forked from this process after setup (a fork would make
 * its own pages copy-on-write again, and its own writes would then
 * allocate, while a fault is armed).  Children are reaped by the kernel
 * (SIGCHLD ignored).
 */
static pid_t spawner_start(int *req, int *rep)
{
	int a[2], b[2];
	pid_t pid;

	if (pipe2(a, O_CLOEXEC) || pipe2(b, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		char c;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGCHLD, SIG_IGN);
		close(a[1]);
		close(b[0]);
		while (read(a[0], &c, 1) == 1) {
			pid_t t = fork();

			if (t == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			if (write(b[1], &t, sizeof(t)) != sizeof(t))
				_exit(1);
		}
		_exit(0);
	}
	close(a[0]);
	close(b[1]);
	*req = a[1];
	*rep = b[0];
	return pid;
}

/* A fresh copy-on-write target; its pid or -errno. */
static pid_t spawn(FIXTURE_DATA(faults) *self)
{
	pid_t t;

	if (write(self->spawn_req, "f", 1) != 1 ||
	    read(self->spawn_rep, &t, sizeof(t)) != sizeof(t))
		return -EIO;
	return t;
}

static uint8_t *map_rw(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

FIXTURE_SETUP(faults)
{
	char path[64];
	size_t i, area;

	self->nth = self->kmsg = self->dev = self->h = -1;
	if (unavailable(self->skip, sizeof(self->skip)))
		return;
	self->page = zx_page();
	self->tid = gettid();
	area = AREA_PAGES * self->page;

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", self->tid);
	self->nth = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	self->kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	for (i = 0; i < NKNOBS; i++) {
		char p[128];
		ssize_t n;

		snprintf(p, sizeof(p), DEBUGFS "/%s", knobs[i].path);
		n = zx_read_file(p, self->saved[i], sizeof(self->saved[i]));
		ASSERT_LT(0, n) TH_LOG("cannot read %s", p);
		self->saved[i][strcspn(self->saved[i], "\n")] = '\0';
		ASSERT_EQ(0, zx_write_file(p, knobs[i].value)) TH_LOG("cannot set %s", p);
		self->changed[i] = true;
	}

	self->area = map_rw(area);
	self->cow = map_rw(COW_PAGES * self->page);
	self->src = map_rw(area);
	self->dst = map_rw(area);
	self->old = map_rw(area);
	self->expect = map_rw(area);
	self->scratch = map_rw(area);
	self->segs = calloc(ZXPROC_MAX_SEGMENTS, sizeof(*self->segs));
	self->warm_segs = calloc(ZXPROC_MAX_SEGMENTS, sizeof(*self->segs));
	ASSERT_TRUE(self->area && self->cow && self->src && self->dst &&
		    self->old && self->expect && self->scratch && self->segs &&
		    self->warm_segs);
	zx_fill(self->area, area, 1);
	zx_fill(self->cow, COW_PAGES * self->page, C_SEED);
	zx_fill(self->src, area, S_SEED);
	zx_fill(self->old, area, T_SEED);

	self->target = zx_target_prep(area_prep, self);
	ASSERT_LT(0, self->target);
	self->spawner = spawner_start(&self->spawn_req, &self->spawn_rep);
	ASSERT_LT(0, self->spawner);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);

	/*
	 * The forks made every private page of ours copy-on-write: write
	 * them once now, so that no write of ours (a kernel copy_to_user
	 * into them included) allocates while a fault is armed.
	 */
	errno = 0;
	memset(self->dst, DST_FILL, area);
	memset(self->expect, 0, area);
	memset(self->scratch, 0, area);
	memset(self->segs, 0, ZXPROC_MAX_SEGMENTS * sizeof(*self->segs));
	memset(self->warm_segs, 0, ZXPROC_MAX_SEGMENTS * sizeof(*self->segs));
	zx_fill(self->old, area, T_SEED);
	{
		volatile uint8_t stack[64 << 10];

		memset((void *)stack, 0, sizeof(stack));
	}
	ASSERT_EQ(NULL, region_differs(self, self->target, self->area, self->old,
				       0, area, NULL, 0));
}

FIXTURE_TEARDOWN(faults)
{
	size_t i;

	if (self->nth >= 0) {
		if (write(self->nth, "0", 1) != 1)
			TH_LOG("disarming fail-nth: %s", strerror(errno));
		close(self->nth);
	}
	for (i = NKNOBS; i-- > 0;) {
		char p[128];

		if (!self->changed[i])
			continue;
		snprintf(p, sizeof(p), DEBUGFS "/%s", knobs[i].path);
		if (zx_write_file(p, self->saved[i]))
			TH_LOG("cannot restore %s to %s", p, self->saved[i]);
	}
	zx_reap(self->spawner);
	zx_reap(self->target);
	if (self->h >= 0)
		close(self->h);
	if (self->dev >= 0)
		close(self->dev);
	if (self->kmsg >= 0)
		close(self->kmsg);
}

/*
 * FAILNTH_ONLY=WORD runs only the tests whose name contains WORD (the
 * harness has no filter of its own); FAILNTH_TRACE=1 prints every fault.
 */
#define READY() do { \
	const char *only = getenv("FAILNTH_ONLY"); \
	if (self->skip[0]) \
		SKIP(return, "%s", self->skip); \
	if (only && !strstr(_metadata->name, only)) \
		SKIP(return, "not in FAILNTH_ONLY=%s", only); \
} while (0)

/* ---- handles ------------------------------------------------------------ */

/* Warm-ups (see ARMED): a handle made and closed. */
static void warm_open(struct __test_metadata *_metadata,
		      FIXTURE_DATA(faults) *self)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);

	ASSERT_LE(0, h);
	close(h);
}

static void warm_dup(struct __test_metadata *_metadata,
		     FIXTURE_DATA(faults) *self)
{
	int d = zx_dup(self->h, ZXPROC_RIGHT_SAME_RIGHTS, 0);

	ASSERT_LE(0, d);
	close(d);
}

/* Is @h a handle with all rights on the target, and does it write? */
static void handle_works(struct __test_metadata *_metadata,
			 FIXTURE_DATA(faults) *self, struct loop *lp, int h)
{
	uint8_t *at = self->area + 7 * self->page + 40;
	size_t off = (size_t)(at - self->area);
	struct span sp = { off, 24, self->src + 5 };
	struct zxproc_info info;
	uint64_t actual = 0;
	const char *d;

	CHECK(lp, zx_info(h, &info) == 0, "INFO on the new handle failed");
	CHECK(lp, info.rights == ZXPROC_RIGHTS_ALL && info.pid == self->target &&
	      info.type == ZXPROC_OBJ_TYPE_PROCESS && info.flags == 0,
	      "new handle: rights %#x pid %d type %u flags %#x", info.rights,
	      info.pid, info.type, info.flags);
	CHECK(lp, zx_write(h, zx_ptr(at), self->src + 5, 24, &actual) == 0 &&
	      actual == 24, "the new handle does not write");
	d = region_differs(self, self->target, self->area, self->old, off - 64,
			   off + 88, &sp, 1);
	CHECK(lp, !d, "write through the new handle: %s", d);
	ASSERT_EQ(0, pvm(self->target, true, zx_ptr(at), self->old + off, 24));
}

TEST_F_TIMEOUT(faults, process_open, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "PROCESS_OPEN") {
		int h;

		ARMED(&lp, warm_open(_metadata, self),
		      h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL));
		CHECK(&lp, h >= 0 || h == -ENOMEM || h == -EFAULT ||
		      h == -ENFILE || h == -EMFILE, "answered %s", errname(h));
		CHECK(&lp, h >= 0 || lp.injected, "failed with no fault: %s", errname(h));
		if (h >= 0) {
			handle_works(_metadata, self, &lp, h);
			close(h);
		} else {
			/* The device still mints handles. */
			int again = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);

			CHECK(&lp, again >= 0, "the device no longer opens: %s",
			      errname(again));
			close(again);
		}
		loop_end(_metadata, self, &lp, h < 0 ? h : 0, false, NULL);
	}
}

TEST_F_TIMEOUT(faults, info, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "INFO") {
		struct zxproc_info info;
		int ret;

		ARMED(&lp, ASSERT_EQ(0, zx_info(self->h, &info)),
		      ret = zx_info(self->h, &info));
		CHECK(&lp, ret == 0 || ret == -EFAULT, "answered %s", errname(ret));
		CHECK(&lp, ret == 0 || lp.injected, "failed with no fault: %s", errname(ret));
		if (ret == 0)
			CHECK(&lp, info.rights == ZXPROC_RIGHTS_ALL &&
			      info.pid == self->target &&
			      info.type == ZXPROC_OBJ_TYPE_PROCESS && info.flags == 0,
			      "rights %#x pid %d type %u flags %#x", info.rights,
			      info.pid, info.type, info.flags);
		loop_end(_metadata, self, &lp, ret, false, NULL);
	}
}

TEST_F_TIMEOUT(faults, duplicate, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "DUPLICATE") {
		int d;

		ARMED(&lp, warm_dup(_metadata, self),
		      d = zx_dup(self->h, ZXPROC_RIGHT_SAME_RIGHTS, 0));
		CHECK(&lp, d >= 0 || d == -ENOMEM || d == -EFAULT ||
		      d == -ENFILE || d == -EMFILE, "answered %s", errname(d));
		CHECK(&lp, d >= 0 || lp.injected, "failed with no fault: %s", errname(d));
		if (d >= 0) {
			handle_works(_metadata, self, &lp, d);
			close(d);
		}
		loop_end(_metadata, self, &lp, d < 0 ? d : 0, false, NULL);
	}
}

TEST_F_TIMEOUT(faults, close_handle, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "close(handle)") {
		int d, ret;

		/* The new descriptor is closed below: count it as open. */
		d = zx_dup(self->h, ZXPROC_RIGHT_SAME_RIGHTS, 0);
		ASSERT_LE(0, d);
		lp.fds++;
		ARMED(&lp, warm_dup(_metadata, self), ret = close(d) ? -errno : 0);
		CHECK(&lp, ret == 0, "close answered %s", errname(ret));
		CHECK(&lp, fcntl(d, F_GETFD) == -1 && errno == EBADF,
		      "the descriptor is still open");
		lp.fds--;
		loop_end(_metadata, self, &lp, ret, false, NULL);
	}
}

/* ---- WRITE and READ ------------------------------------------------------- */

/*
 * WRITE @len bytes of src at @base + @off (@flags), through @h into
 * process @pid whose region at @base holds @old.  The warm-up writes
 * @old's own bytes through @warm_h: the same call, changing nothing.
 */
static void write_path(struct __test_metadata *_metadata,
		       FIXTURE_DATA(faults) *self, pid_t pid, int h, int warm_h,
		       uint8_t *base, const uint8_t *old, size_t size, size_t off,
		       size_t len, uint32_t flags, struct loop *lp)
{
	size_t lo = off > self->page ? off - self->page : 0;
	size_t hi = off + len + self->page < size ? off + len + self->page : size;
	bool all = flags & ZXPROC_MEM_ALL_OR_NOTHING;
	uint64_t actual, written;
	struct span sp;
	const char *d;
	char outcome[40];
	int ret;

	ARMED(lp, ASSERT_EQ(0, zx_mem(warm_h, ZXPROC_IOC_WRITE, zx_ptr(base + off),
				      (void *)(old + off), len, flags, &actual)),
	      ret = zx_mem(h, ZXPROC_IOC_WRITE, zx_ptr(base + off), self->src,
			   len, flags, &actual));
	CHECK(lp, ret == 0 || ret == -ENOMEM || ret == -EFAULT, "answered %s",
	      errname(ret));
	CHECK(lp, lp->injected || (ret == 0 && actual == len),
	      "no fault, yet %s with actual %llu of %zu", errname(ret),
	      (unsigned long long)actual, len);
	if (ret == -EFAULT && actual == ZX_SENTINEL)
		written = 0;	/* the argument itself faulted: nothing read */
	else
		written = actual;
	CHECK(lp, written <= len, "actual %llu > len %zu", (unsigned long long)actual, len);
	/* ENOMEM and EFAULT may come after a partial copy, never all or nothing's. */
	if (all)
		CHECK(lp, ret ? written == 0 : written == len,
		      "all or nothing, yet %s with actual %llu of %zu", errname(ret),
		      (unsigned long long)written, len);
	sp = (struct span){ off, written, self->src };
	d = region_differs(self, pid, base, old, lo, hi, &sp, 1);
	CHECK(lp, !d, "%s with actual %llu: target %s", errname(ret),
	      (unsigned long long)written, d);
	if (written && pid == self->target)
		ASSERT_EQ(0, pvm(pid, true, zx_ptr(base + off), self->old + off, written));
	snprintf(outcome, sizeof(outcome), "%s%s", errname(ret),
		 written == len ? "" : ret ? (written ? ", partial" : "") : ", short");
	loop_end(_metadata, self, lp, ret, ret == 0 && written < len, outcome);
}

static void write_area(struct __test_metadata *_metadata,
		       FIXTURE_DATA(faults) *self, const char *name,
		       size_t off, size_t len, uint32_t flags)
{
	struct loop lp;

	FOR_EACH_FAULT(&lp, name)
		write_path(_metadata, self, self->target, self->h, self->h, self->area,
			   self->old, AREA_PAGES * self->page, off, len, flags, &lp);
}

TEST_F_TIMEOUT(faults, write_small, 300)
{
	READY();
	write_area(_metadata, self, "WRITE 16 bytes", self->page + 100, 16, 0);
}

TEST_F_TIMEOUT(faults, write_pages, 300)
{
	READY();
	write_area(_metadata, self, "WRITE 3 pages + 600 bytes over 5 pages",
		   3 * self->page - 300, 3 * self->page + 600, 0);
}

/*
 * The page array holds 34 pointers for the target's pages and 33 for the
 * caller's buffer: kvmalloc() makes it with kmalloc() alone.
 */
TEST_F_TIMEOUT(faults, write_all_or_nothing, 300)
{
	READY();
	write_area(_metadata, self, "WRITE all-or-nothing 132 KiB",
		   10 * self->page + 123, 132 << 10, ZXPROC_MEM_ALL_OR_NOTHING);
}

/*
 * Over 256 pages the page array (the target's pages, then the caller's
 * buffer's) is more than a page: kvmalloc() tries kmalloc()
 * (__GFP_NOWARN) and falls back to vmalloc().  A fault can
 * only hit one of the two (fail-nth injects one fault per call).
 */
TEST_F_TIMEOUT(faults, write_all_or_nothing_kvmalloc, 600)
{
	READY();
	write_area(_metadata, self, "WRITE all-or-nothing 2 MiB + 8 KiB (vmalloc fallback)",
		   40 * self->page + 77, (2 << 20) + (8 << 10),
		   ZXPROC_MEM_ALL_OR_NOTHING);
}

/*
 * Two fresh targets sharing the COW region copy-on-write, with a handle
 * each: one for the call, one for its warm-up (a warm-up into the same
 * target would leave its pages unshared).  Their handles are counted as
 * open descriptors of the iteration.
 */
struct cow {
	pid_t t, warm_t;
	int h, warm_h;
};

static void cow_targets(struct __test_metadata *_metadata,
			FIXTURE_DATA(faults) *self, struct cow *c, struct loop *lp)
{
	c->t = spawn(self);
	c->warm_t = spawn(self);
	ASSERT_LT(0, c->t);
	ASSERT_LT(0, c->warm_t);
	c->h = zx_open(self->dev, c->t, ZXPROC_RIGHTS_ALL);
	c->warm_h = zx_open(self->dev, c->warm_t, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, c->h);
	ASSERT_LE(0, c->warm_h);
	lp->fds += 2;
}

static void cow_targets_end(struct cow *c, struct loop *lp)
{
	close(c->h);
	close(c->warm_h);
	lp->fds -= 2;
	zx_reap(c->t);
	zx_reap(c->warm_t);
}

/*
 * Into pages the target shares copy-on-write: each page written needs a
 * new page, which can fail after some pages were written.
 */
static void cow_path(struct __test_metadata *_metadata,
		     FIXTURE_DATA(faults) *self, const char *name, uint32_t flags)
{
	struct loop lp;

	FOR_EACH_FAULT(&lp, name) {
		struct cow c;

		cow_targets(_metadata, self, &c, &lp);
		write_path(_metadata, self, c.t, c.h, c.warm_h, self->cow, self->cow,
			   COW_PAGES * self->page, 100, 4 * self->page, flags, &lp);
		cow_targets_end(&c, &lp);
	}
}

TEST_F_TIMEOUT(faults, write_cow, 300)
{
	READY();
	cow_path(_metadata, self, "WRITE 4 pages into copy-on-write pages", 0);
}

TEST_F_TIMEOUT(faults, write_all_or_nothing_cow, 300)
{
	READY();
	cow_path(_metadata, self, "WRITE all-or-nothing 4 pages into copy-on-write pages",
		 ZXPROC_MEM_ALL_OR_NOTHING);
}

/*
 * READ @len bytes at @base + @off of process @pid (whose region holds
 * @old) into dst: dst gets exactly [0, actual) of them, the rest of dst
 * stays DST_FILL, and the target does not change.
 */
static void read_path(struct __test_metadata *_metadata,
		      FIXTURE_DATA(faults) *self, pid_t pid, int h, int warm_h,
		      uint8_t *base, const uint8_t *old, size_t off, size_t len,
		      struct loop *lp)
{
	uint64_t actual, got;
	char outcome[40];
	const char *d;
	long k;
	int ret;

	ARMED(lp, ASSERT_EQ(0, zx_read(warm_h, zx_ptr(base + off), self->dst, len,
				       &actual));
		  memset(self->dst, DST_FILL, len),
	      ret = zx_read(h, zx_ptr(base + off), self->dst, len, &actual));
	CHECK(lp, ret == 0 || ret == -ENOMEM || ret == -EFAULT, "answered %s",
	      errname(ret));
	CHECK(lp, lp->injected || (ret == 0 && actual == len),
	      "no fault, yet %s with actual %llu of %zu", errname(ret),
	      (unsigned long long)actual, len);
	got = ret == -EFAULT && actual == ZX_SENTINEL ? 0 : actual;
	CHECK(lp, got <= len, "actual %llu > len %zu", (unsigned long long)actual, len);
	CHECK(lp, !memcmp(self->dst, old + off, got), "the bytes read are wrong");
	k = zx_not_all(self->dst + got, DST_FILL, len - got + MARGIN);
	CHECK(lp, k < 0, "%s with actual %llu, yet dst byte %llu was written",
	      errname(ret), (unsigned long long)got, (unsigned long long)(got + k));
	d = region_differs(self, pid, base, old, off, off + len, NULL, 0);
	CHECK(lp, !d, "a read changed the target: %s", d);
	memset(self->dst, DST_FILL, got);
	snprintf(outcome, sizeof(outcome), "%s%s", errname(ret),
		 got == len ? "" : ret ? (got ? ", partial" : "") : ", short");
	loop_end(_metadata, self, lp, ret, ret == 0 && got < len, outcome);
}

TEST_F_TIMEOUT(faults, read_pages, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "READ 3 pages + 600 bytes over 5 pages")
		read_path(_metadata, self, self->target, self->h, self->h, self->area,
			  self->old, 3 * self->page - 300,
			  3 * self->page + 600, &lp);
}

/* Pinning a shared anonymous page for reading unshares it: a new page. */
TEST_F_TIMEOUT(faults, read_cow, 300)
{
	struct loop lp;

	READY();
	FOR_EACH_FAULT(&lp, "READ 4 pages of copy-on-write pages") {
		struct cow c;

		cow_targets(_metadata, self, &c, &lp);
		read_path(_metadata, self, c.t, c.h, c.warm_h, self->cow, self->cow,
			  100, 4 * self->page, &lp);
		cow_targets_end(&c, &lp);
	}
}

/* ---- WRITEV and READV ----------------------------------------------------- */

/* Segment @i of a batch of @nr: distinct, some across page boundaries. */
static void seg_layout(size_t page, uint32_t i, uint32_t nr, size_t *off,
		       size_t *len, size_t *boff)
{
	if (nr <= 8) {
		static const size_t o[8][2] = {
			/* page, offset in page; then lengths below */
			{ 1, 10 }, { 3, 4046 }, { 5, 7 }, { 9, 0 },
			{ 12, 4000 }, { 14, 2048 }, { 16, 1 }, { 18, 4095 },
		};
		static const size_t l[8] = { 100, 200, 8292, 1, 300, 4096, 64, 2 };

		*off = o[i][0] * page + o[i][1] % page;
		*len = l[i];
	} else {
		*off = 20 * page + i * 100;
		*len = 16 + i % 7 * 12;		/* < 100: no overlap */
	}
	*boff = i * 97 % page + (size_t)i * 3 * page;	/* < 3 pages apart */
}

/* The warm-up of a batch (see ARMED): the target's own bytes written. */
static void warm_memv(struct __test_metadata *_metadata,
		      FIXTURE_DATA(faults) *self, unsigned long cmd, uint32_t nr,
		      size_t total)
{
	struct zxproc_memv v = {
		.segs = zx_ptr(self->warm_segs), .nr_segs = nr,
		.seg_size = sizeof(struct zxproc_seg),
	};

	ASSERT_EQ(0, zx_ioctl(self->h, cmd, &v));
	ASSERT_EQ(total, v.actual);
	memset(self->dst, DST_FILL, (3 * nr + 1) * self->page);
}

static void memv_path(struct __test_metadata *_metadata,
		      FIXTURE_DATA(faults) *self, const char *name, bool write,
		      uint32_t nr)
{
	unsigned long cmd = write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV;
	size_t page = self->page, size = AREA_PAGES * page;
	struct span sp[ZXPROC_MAX_SEGMENTS];
	struct loop lp;

	FOR_EACH_FAULT(&lp, name) {
		struct zxproc_memv v;
		size_t lo = size, hi = 0, sum = 0, total = 0;
		uint32_t i, done, bad = 0, nsp = 0;
		bool part = false;
		char outcome[40];
		const char *d;
		int ret;

		for (i = 0; i < nr; i++) {
			size_t off, len, boff;

			seg_layout(page, i, nr, &off, &len, &boff);
			self->segs[i] = (struct zxproc_seg){
				.addr = zx_ptr(self->area + off),
				.buf = zx_ptr((write ? self->src : self->dst) + boff),
				.len = len, .actual = ZX_SENTINEL, .status = (int32_t)SENTINEL32,
			};
			/* The warm-up writes the target's own bytes. */
			self->warm_segs[i] = self->segs[i];
			if (write)
				self->warm_segs[i].buf = zx_ptr(self->old + off);
			lo = off - page < lo ? off - page : lo;
			hi = off + len + page > hi ? off + len + page : hi;
			total += len;
		}
		v = (struct zxproc_memv){
			.segs = zx_ptr(self->segs), .nr_segs = nr,
			.actual = ZX_SENTINEL, .done = SENTINEL32,
			.seg_size = sizeof(struct zxproc_seg),
		};
		ARMED(&lp, warm_memv(_metadata, self, cmd, nr, total),
		      ret = zx_ioctl(self->h, cmd, &v));
		CHECK(&lp, ret == 0 || ret == -ENOMEM || ret == -EFAULT,
		      "answered %s", errname(ret));
		if (ret) {
			CHECK(&lp, v.done == SENTINEL32 && v.actual == ZX_SENTINEL,
			      "%s, yet done %u actual %llu written back", errname(ret),
			      v.done, (unsigned long long)v.actual);
		} else {
			CHECK(&lp, v.done == nr, "done %u of %u", v.done, nr);
		}
		done = ret ? 0 : v.done;
		for (i = 0; i < nr; i++) {
			const struct zxproc_seg *s = &self->segs[i];

			if (i >= done) {
				CHECK(&lp, s->status == (int32_t)SENTINEL32 &&
				      s->actual == ZX_SENTINEL,
				      "segment %u not done, yet status %d actual %llu", i,
				      s->status, (unsigned long long)s->actual);
				continue;
			}
			/* A failed segment reports the bytes it copied before. */
			CHECK(&lp, (s->status == 0 && s->actual <= s->len) ||
			      ((s->status == -EFAULT || s->status == -ENOMEM) &&
			       s->actual < s->len),
			      "segment %u: status %d, actual %llu of %llu", i, s->status,
			      (unsigned long long)s->actual, (unsigned long long)s->len);
			CHECK(&lp, lp.injected || (s->status == 0 && s->actual == s->len),
			      "no fault, yet segment %u: status %d, actual %llu", i,
			      s->status, (unsigned long long)s->actual);
			if (s->status) {
				bad++;
				part = s->actual > 0;
			}
			sum += s->actual;
			if (s->actual)
				sp[nsp++] = (struct span){
					(size_t)((uint8_t *)(uintptr_t)s->addr - self->area),
					s->actual, (const uint8_t *)(uintptr_t)s->buf,
				};
		}
		/* One fault: at most one segment failed. */
		CHECK(&lp, bad <= 1, "%u segments failed", bad);
		if (done)
			CHECK(&lp, v.actual == sum, "actual %llu, the segments' actual add to %zu",
			      (unsigned long long)v.actual, sum);
		if (write) {
			d = region_differs(self, self->target, self->area, self->old,
					   lo, hi, sp, nsp);
			CHECK(&lp, !d, "target %s", d);
			for (i = 0; i < nsp; i++)
				ASSERT_EQ(0, pvm(self->target, true, zx_ptr(self->area + sp[i].off),
						 self->old + sp[i].off, sp[i].len));
		} else {
			d = region_differs(self, self->target, self->area, self->old,
					   lo, hi, NULL, 0);
			CHECK(&lp, !d, "a read changed the target: %s", d);
			for (i = 0; i < nsp; i++)
				CHECK(&lp, !memcmp(sp[i].bytes, self->old + sp[i].off, sp[i].len),
				      "segment bytes read wrong");
			/* Nothing beyond what was reported reached dst. */
			for (i = 0; i < nsp; i++)
				memset((void *)sp[i].bytes, DST_FILL, sp[i].len);
			CHECK(&lp, zx_not_all(self->dst, DST_FILL, (3 * nr + 1) * page) < 0,
			      "dst was written beyond the reported bytes");
		}
		(void)total;
		snprintf(outcome, sizeof(outcome), "%s%s", errname(ret),
			 ret ? "" : bad ? (part ? ", seg failed part-way" : ", seg failed") :
			 (size_t)v.actual < total ? ", seg short" : "");
		loop_end(_metadata, self, &lp, ret, ret == 0 && (bad || v.actual < total),
			 outcome);
	}
}

TEST_F_TIMEOUT(faults, writev, 300)
{
	READY();
	memv_path(_metadata, self, "WRITEV 8 segments", true, 8);
}

/* 136 segments are 5440 bytes: kvmalloc() may fall back to vmalloc(). */
TEST_F_TIMEOUT(faults, writev_kvmalloc, 600)
{
	READY();
	memv_path(_metadata, self, "WRITEV 136 segments (vmalloc fallback)", true, 136);
}

TEST_F_TIMEOUT(faults, readv, 300)
{
	READY();
	memv_path(_metadata, self, "READV 8 segments", false, 8);
}

/* ---- leaks -------------------------------------------------------------- */

/*
 * kmemleak reports an object only once it is older than 5 s
 * (MSECS_MIN_AGE) and a scan found no reference to it: wait, scan, and
 * look for anything of zxproc or of this suite's processes.  (tests/vm's
 * guest job scans once more at the end of the run, into the checked log.)
 */
TEST_F_TIMEOUT(faults, kmemleak_finds_nothing, 120)
{
	static char report[1 << 16];
	const char *hit;
	ssize_t n;

	READY();
	if (access(KMEMLEAK, W_OK))
		SKIP(return, "no " KMEMLEAK " (CONFIG_DEBUG_KMEMLEAK)");
	sleep(6);
	ASSERT_EQ(0, zx_write_file(KMEMLEAK, "scan"));
	n = zx_read_file(KMEMLEAK, report, sizeof(report));
	ASSERT_LE(0, n);
	hit = strstr(report, "zxproc");
	if (!hit)
		hit = strstr(report, "failnth_test");
	ASSERT_EQ(NULL, hit) TH_LOG("kmemleak:\n%s", report);
	printf("# kmemleak: %s\n", n ? "leaks reported, none of zxproc" : "no leaks");
}

TEST_HARNESS_MAIN

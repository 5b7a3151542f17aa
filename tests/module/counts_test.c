// SPDX-License-Identifier: GPL-2.0
/*
 * The counts and answers the uapi promises for calls that stop early,
 * each checked against the target's memory (or the caller's buffer)
 * read back afterwards:
 *
 *  - EINTR: every memory command (WRITE, READ, both all or nothing,
 *    WRITEV, READV) stopped by SIGKILL while it waits on a target page
 *    whose userfaultfd handler never answers (tests/races/uffd.h).  A
 *    fatal signal is the only one the module stops for, and it kills
 *    the caller, so the caller cannot report anything itself.  The test
 *    observes instead: the caller is traced (PTRACE_O_TRACEEXIT), and at
 *    its exit stop, after the ioctl returned and before its memory is
 *    gone, its registers hold the ioctl's return value (-EINTR); the
 *    argument structs live in memory shared with the test, so actual,
 *    done and each segment's status and actual are read after its
 *    death.  The bytes that landed are exactly the bytes counted.
 *    PROCESS_OPEN's EINTR (a fatal signal while it waits for the
 *    target's exec_update_lock) is not forced here: only exec takes that
 *    lock for writing, from its switch of address spaces to the end of
 *    begin_new_exec(), and nothing a test controls makes it wait there
 *    (Debian's 6.1 closes close-on-exec files, whose ->flush could
 *    block, before it takes the lock).
 *  - ENOMEM after a partial copy (debug kernel, fault injection): the
 *    allocation of the 65th page of a write, the first page of its
 *    second pin, fails; the 64 pages before it are counted and landed.
 *    (Batches report a segment that fails partway in the EINTR tests.)
 *  - EIO: device memory (VM_IO | VM_PFNMAP, /dev/mem's BIOS area) where
 *    a range begins is EIO with nothing copied; where it begins later,
 *    the copy is short, up to the device page; in a batch, each segment
 *    gets its own answer.
 *  - A batch that ends early: the target exits, or execs, while the
 *    batch waits on a page of segment k+1.  The pin that waited checks
 *    the target again, so that segment meets ESTALE (its bytes would
 *    have gone into the address space the process left) and ends the
 *    batch: the ioctl answers ESTALE, done counts the segment that met
 *    it, and every earlier segment has its status and actual.
 *  - INFO's pid is 0 for a target outside the caller's pid namespace: a
 *    handle passed into a new pid namespace names a process that has no
 *    number there (and still reaches it).
 *  - Only pages that received bytes are dirtied: a write that pins four
 *    target pages and copies into one (its source faults after a page)
 *    leaves the other three clean, and an all-or-nothing write that
 *    pins three and fails on the fourth leaves all clean, as
 *    /proc/kpageflags shows for anonymous pages (their dirty bit lives
 *    in the page table until something sets PG_dirty: here only the
 *    module's unpin could).
 */
#include <elf.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "../races/uffd.h"
#include "kselftest_harness.h"

enum { S_SEED = 71, T_SEED = 72, H_SEED = 73, A_SEED = 74 };
#define FILL 0xee
#define BIG_PAGES 65		/* one pin batch of 64 pages, and one more */
#define DST_PAGES 68
#define STATUS_SENTINEL ((int32_t)0x5a5a5a5a)
#define DONE_SENTINEL ((uint32_t)ZX_SENTINEL)

/* Argument structs, in memory shared with the callers. */
struct args {
	struct zxproc_mem mem;
	struct zxproc_memv memv;
	struct zxproc_seg seg[8];
};

FIXTURE(counts) {
	struct uf_target t;
	size_t page;
	int h;
	uint8_t *src;		/* BIG_PAGES + 1 pages of S_SEED */
	uint8_t *dst;		/* DST_PAGES shared pages, for reads */
	struct args *args;	/* shared */
};

FIXTURE_SETUP(counts)
{
	self->h = -1;
	self->page = zx_page();
	self->src = zx_map((BIG_PAGES + 1) * self->page, PROT_READ, S_SEED);
	ASSERT_NE(MAP_FAILED, self->src);
	self->dst = mmap(NULL, DST_PAGES * self->page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->dst);
	memset(self->dst, FILL, DST_PAGES * self->page);
	self->args = mmap(NULL, sizeof(*self->args), PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->args);
	ASSERT_EQ(0, uf_target_start(&self->t));
	self->h = zx_handle(self->t.pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(counts)
{
	if (self->h >= 0)
		close(self->h);
	uf_target_stop(&self->t);
}

/* A segment; its out fields preset to the sentinels. */
static void seg(struct zxproc_seg *s, uint64_t addr, const void *buf, uint64_t len)
{
	*s = (struct zxproc_seg){
		.addr = addr, .buf = zx_ptr(buf), .len = len,
		.actual = ZX_SENTINEL, .status = STATUS_SENTINEL,
	};
}

static void memv_args(struct zxproc_memv *v, const struct zxproc_seg *segs,
		      uint32_t nr, uint32_t flags)
{
	*v = (struct zxproc_memv){
		.segs = zx_ptr(segs), .nr_segs = nr, .flags = flags,
		.actual = ZX_SENTINEL, .done = DONE_SENTINEL,
		.seg_size = sizeof(*segs),
	};
}

#define EXPECT_SEG(s, st, n) do { \
	EXPECT_EQ((int32_t)(st), (s).status); \
	EXPECT_EQ((uint64_t)(n), (s).actual); \
} while (0)

/* ---- EINTR -------------------------------------------------------------- */

/* One ioctl of a caller, on the shared args, once the test says go. */
struct call {
	int h;
	unsigned long cmd;
	void *arg;
	int go;
};

static void call_run(void *p, struct uf_res *res)
{
	struct call *c = p;
	char go;

	if (read(c->go, &go, 1) != 1)
		return;
	res->ret = zx_ioctl(c->h, c->cmd, c->arg);
}

/*
 * The target's region for the EINTR tests: BIG_PAGES pages at *@e, the
 * first 64 its own (T_SEED), the last one served on demand and held
 * (H_SEED); and two pages of A_SEED at *@a.
 */
static void eintr_layout(struct __test_metadata *_metadata,
			 FIXTURE_DATA(counts) *self, uint64_t *e, uint64_t *a)
{
	size_t page = self->page;

	*e = uf_map(&self->t, BIG_PAGES * page, 0);
	ASSERT_NE(0U, *e);
	ASSERT_EQ(0, uf_cmd(&self->t, UF_FILL, *e, (BIG_PAGES - 1) * page, T_SEED, NULL));
	ASSERT_EQ(0, uf_reg(&self->t, *e + (BIG_PAGES - 1) * page, page,
			    UFFDIO_REGISTER_MODE_MISSING, UF_HOLD, H_SEED));
	*a = uf_map(&self->t, 2 * page, A_SEED);
	ASSERT_NE(0U, *a);
}

/*
 * Run @cmd on @arg in a traced caller, wait until it is blocked on the
 * held page at @held (@flags), SIGKILL it, and check at its exit stop
 * that the ioctl returned EINTR.  Then serve the held page (for reading
 * back), and return with the caller gone.
 */
static void killed_in_the_call(struct __test_metadata *_metadata,
			       FIXTURE_DATA(counts) *self, unsigned long cmd,
			       void *arg, uint64_t held, uint64_t flags)
{
	struct user_regs_struct regs;
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res = { 0 };
	struct call call = { .h = self->h, .cmd = cmd, .arg = arg };
	int go[2], status;

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	call.go = go[0];
	ASSERT_EQ(0, uf_caller_start(&c, call_run, &call));
	close(go[0]);
	ASSERT_EQ(0, ptrace(PTRACE_SEIZE, c.pid, NULL,
			    (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)));
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);

	ASSERT_EQ(0, uf_first(&self->t, &c, &f, &res))
		TH_LOG("the call answered %d before its fault reached the handler", res.ret);
	EXPECT_EQ(held, f.addr);
	EXPECT_EQ(flags, f.flags);
	ASSERT_FALSE(uf_returned(&c));

	ASSERT_EQ(0, kill(c.pid, SIGKILL));
	ASSERT_EQ(c.pid, uf_waitpid(c.pid, &status, 0));
	ASSERT_TRUE(WIFSTOPPED(status) &&
		    (status >> 8) == (SIGTRAP | (PTRACE_EVENT_EXIT << 8)))
		TH_LOG("no exit stop: status %#x", status);
	ASSERT_EQ(0, ptrace(PTRACE_GETREGSET, c.pid, (void *)NT_PRSTATUS,
			    &(struct iovec){ &regs, sizeof(regs) }));
#if defined(__x86_64__)
	EXPECT_EQ(SYS_ioctl, (long)regs.orig_rax);
	EXPECT_EQ(-EINTR, (long)regs.rax) TH_LOG("the ioctl returned %ld", (long)regs.rax);
#elif defined(__aarch64__)
	/*
	 * arm64 forgets the syscall number when it delivers the signal;
	 * x8 still holds the caller's, x0 the return value.
	 */
	EXPECT_EQ(SYS_ioctl, (long)regs.regs[8]);
	EXPECT_EQ(-EINTR, (long)regs.regs[0]) TH_LOG("the ioctl returned %ld", (long)regs.regs[0]);
#else
#error "which registers hold the syscall's number and result?"
#endif
	ASSERT_EQ(0, ptrace(PTRACE_CONT, c.pid, NULL, NULL));
	ASSERT_EQ(c.pid, uf_waitpid(c.pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("status %#x", status);
	c.pid = -1;
	EXPECT_EQ(-EPIPE, uf_result(&c, &res));
	uf_caller_stop(&c);
	ASSERT_EQ(0, uf_answer(&self->t, &f));
}

/*
 * The target's region at @e holds 64 pages of the source (@written) or
 * of its own (T_SEED), then the handler's page (H_SEED).
 */
static void expect_big(struct __test_metadata *_metadata,
		       FIXTURE_DATA(counts) *self, uint64_t e, bool written)
{
	size_t page = self->page, n = (BIG_PAGES - 1) * page;

	if (written) {
		EXPECT_EQ(-1, zx_differs(self->t.pid, e, self->src, n));
	} else {
		EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, e, n, T_SEED, 0));
	}
	EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, e + n, page, H_SEED, 0));
}

static void eintr_single(struct __test_metadata *_metadata,
			 FIXTURE_DATA(counts) *self, bool write, uint32_t flags)
{
	size_t page = self->page, n = (BIG_PAGES - 1) * page;
	bool all = flags & ZXPROC_MEM_ALL_OR_NOTHING;
	struct zxproc_mem *m = &self->args->mem;
	uint64_t e, a;

	eintr_layout(_metadata, self, &e, &a);
	*m = (struct zxproc_mem){
		.addr = e, .buf = zx_ptr(write ? self->src : self->dst),
		.len = BIG_PAGES * page, .flags = flags, .actual = ZX_SENTINEL,
	};
	killed_in_the_call(_metadata, self, write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ,
			   m, e + n, write ? UFFD_PAGEFAULT_FLAG_WRITE : 0);
	/* Plain: the first pin batch was copied; all or nothing: nothing. */
	EXPECT_EQ(all ? 0 : n, m->actual);
	if (write) {
		expect_big(_metadata, self, e, !all);
	} else {
		expect_big(_metadata, self, e, false);
		if (!all) {
			EXPECT_EQ(-1, uf_differs_pattern(getpid(), zx_ptr(self->dst), n, T_SEED, 0));
		}
		EXPECT_EQ(-1, zx_not_all(self->dst + (all ? 0 : n), FILL,
					 DST_PAGES * page - (all ? 0 : n)));
	}
}

TEST_F_TIMEOUT(counts, write_killed_while_waiting_reports_eintr_and_actual, 180)
{
	eintr_single(_metadata, self, true, 0);
}

TEST_F_TIMEOUT(counts, read_killed_while_waiting_reports_eintr_and_actual, 180)
{
	eintr_single(_metadata, self, false, 0);
}

TEST_F_TIMEOUT(counts, all_or_nothing_write_killed_while_waiting_copies_nothing, 180)
{
	eintr_single(_metadata, self, true, ZXPROC_MEM_ALL_OR_NOTHING);
}

TEST_F_TIMEOUT(counts, all_or_nothing_read_killed_while_waiting_copies_nothing, 180)
{
	eintr_single(_metadata, self, false, ZXPROC_MEM_ALL_OR_NOTHING);
}

/*
 * A batch: a small segment, then the big one that waits (EINTR after 64
 * pages), then one that must never run.
 */
static void eintr_batch(struct __test_metadata *_metadata,
			FIXTURE_DATA(counts) *self, bool write)
{
	size_t page = self->page, n = (BIG_PAGES - 1) * page;
	struct zxproc_seg *s = self->args->seg;
	struct zxproc_memv *v = &self->args->memv;
	uint8_t *want = zx_want(2 * page, A_SEED);
	uint64_t e, a;

	ASSERT_NE(NULL, want);
	eintr_layout(_metadata, self, &e, &a);
	if (write) {
		seg(&s[0], a + 100, self->src + 7, 100);
		seg(&s[1], e, self->src, BIG_PAGES * page);
		seg(&s[2], a + page + 100, self->src + 9, 100);
	} else {
		seg(&s[0], a + 100, self->dst, 100);
		seg(&s[1], e, self->dst + page, BIG_PAGES * page);
		seg(&s[2], a + page + 100, self->dst + (BIG_PAGES + 1) * page, 100);
	}
	memv_args(v, s, 3, 0);
	killed_in_the_call(_metadata, self, write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV,
			   v, e + n, write ? UFFD_PAGEFAULT_FLAG_WRITE : 0);

	EXPECT_EQ(2U, v->done);
	EXPECT_EQ(100 + n, v->actual);
	EXPECT_SEG(s[0], 0, 100);
	EXPECT_SEG(s[1], -EINTR, n);
	EXPECT_SEG(s[2], STATUS_SENTINEL, ZX_SENTINEL);
	if (write) {
		memcpy(want + 100, self->src + 7, 100);
		EXPECT_EQ(-1, zx_differs(self->t.pid, a, want, 2 * page));
		expect_big(_metadata, self, e, true);
	} else {
		EXPECT_EQ(0, memcmp(self->dst, want + 100, 100));
		EXPECT_EQ(-1, zx_not_all(self->dst + 100, FILL, page - 100));
		EXPECT_EQ(-1, uf_differs_pattern(getpid(), zx_ptr(self->dst + page), n, T_SEED, 0));
		EXPECT_EQ(-1, zx_not_all(self->dst + page + n, FILL, (DST_PAGES - BIG_PAGES) * page));
		EXPECT_EQ(-1, zx_differs(self->t.pid, a, want, 2 * page));
		expect_big(_metadata, self, e, false);
	}
	free(want);
}

TEST_F_TIMEOUT(counts, writev_killed_while_waiting_reports_eintr_done_and_counts, 180)
{
	eintr_batch(_metadata, self, true);
}

TEST_F_TIMEOUT(counts, readv_killed_while_waiting_reports_eintr_done_and_counts, 180)
{
	eintr_batch(_metadata, self, false);
}

/* ---- a batch that ends early: the target exits or execs --------------- */

/*
 * A batch whose segment 1 waits on a target page while the target exits
 * or execs.  A group pins the first pages of as many segments as 64
 * pages hold, under one check of the target, then copies them; so
 * segment 0 fills a group of its own and is copied before segment 1 is
 * pinned.  Segment 1's pin waits on the page, and checks the target
 * again once the wait is over: the batch ends there.
 */
static void batch_across_the_end(struct __test_metadata *_metadata,
				 FIXTURE_DATA(counts) *self, bool exec)
{
	size_t page = self->page, n = (BIG_PAGES - 1) * page;
	struct zxproc_seg *s = self->args->seg;
	struct zxproc_memv *v = &self->args->memv;
	struct call call = { .h = self->h, .cmd = ZXPROC_IOC_WRITEV, .arg = v };
	struct zxproc_info info;
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res = { 0 };
	uint8_t *want = zx_want(n + 2 * page, A_SEED);
	uint64_t a, p;
	int go[2], status;
	struct uf_rep rep;

	ASSERT_NE(NULL, want);
	a = uf_map(&self->t, n + 2 * page, A_SEED);
	p = uf_map(&self->t, page, 0);
	ASSERT_NE(0U, a);
	ASSERT_NE(0U, p);
	ASSERT_EQ(0, uf_reg(&self->t, p, page, UFFDIO_REGISTER_MODE_MISSING, UF_HOLD, H_SEED));
	seg(&s[0], a, self->src, n);
	seg(&s[1], p + 8, self->src + 400, 64);		/* waits */
	seg(&s[2], a + page, self->src + 600, n);	/* a group of its own */
	seg(&s[3], a + n + 10, self->src + 700, 8);
	memv_args(v, s, 4, 0);

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	call.go = go[0];
	ASSERT_EQ(0, uf_caller_start(&c, call_run, &call));
	close(go[0]);
	ASSERT_EQ(1, write(go[1], "g", 1));
	close(go[1]);
	ASSERT_EQ(0, uf_first(&self->t, &c, &f, &res))
		TH_LOG("the batch answered %d before its fault reached the handler", res.ret);
	EXPECT_EQ(p, f.addr);
	/* Segment 0 is done; segment 1 waits. */
	memcpy(want, self->src, n);
	EXPECT_EQ(-1, zx_differs(self->t.pid, a, want, n + 2 * page));
	ASSERT_FALSE(uf_returned(&c));

	if (exec) {
		ASSERT_EQ(0, uf_cmd(&self->t, UF_EXEC, 0, 0, 0, NULL));
		/* The reply pipe closes on exec: the new image runs. */
		ASSERT_EQ(-EPIPE, uf_recv(self->t.rep, &rep, sizeof(rep)));
	} else {
		ASSERT_EQ(0, uf_cmd(&self->t, UF_EXIT, 0, 0, 0, NULL));
		ASSERT_EQ(self->t.pid, uf_waitpid(self->t.pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		self->t.pid = -1;
	}
	ASSERT_EQ(0, uf_result(&c, &res));
	uf_caller_stop(&c);

	/*
	 * The waiting segment was woken when the target's userfaultfd was
	 * released (on exit, or closed on exec), and its retried fault
	 * found the range unregistered and pinned a page of the address
	 * space the process left.  A pin that waited checks the target
	 * again: the process is gone from that address space, so the
	 * segment meets ESTALE and its bytes go nowhere.
	 */
	EXPECT_EQ(-ESTALE, res.ret);
	EXPECT_EQ(2U, v->done);
	EXPECT_EQ(n, v->actual);
	EXPECT_SEG(s[0], 0, n);
	EXPECT_SEG(s[1], -ESTALE, 0);
	EXPECT_SEG(s[2], STATUS_SENTINEL, ZX_SENTINEL);
	EXPECT_SEG(s[3], STATUS_SENTINEL, ZX_SENTINEL);
	ASSERT_EQ(0, zx_info(self->h, &info));
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags & ZXPROC_INFO_STALE);
	free(want);
}

TEST_F_TIMEOUT(counts, batch_ends_at_the_segment_after_the_target_exits, 180)
{
	batch_across_the_end(_metadata, self, false);
}

TEST_F_TIMEOUT(counts, batch_ends_at_the_segment_after_the_target_execs, 180)
{
	batch_across_the_end(_metadata, self, true);
}

/* ---- only pages that received bytes are dirtied ---------------------- */

#define KPF_DIRTY 4

/* The page frame at @addr in @pid and its /proc/kpageflags; 0 or -errno. */
static int page_state(pid_t pid, uint64_t addr, size_t page, uint64_t *pfn,
		      uint64_t *flags)
{
	char path[64];
	uint64_t e;
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ok = pread(fd, &e, sizeof(e), (off_t)(addr / page * sizeof(e))) == sizeof(e);
	close(fd);
	if (!ok)
		return -EIO;
	if (!(e >> 63))
		return -ENOENT;		/* not present */
	*pfn = e & ((1ULL << 55) - 1);
	fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ok = pread(fd, flags, sizeof(*flags), (off_t)(*pfn * sizeof(*flags))) == sizeof(*flags);
	close(fd);
	return ok ? 0 : -EIO;
}

/*
 * Pages [@addr, +@n pages) of the target, each present: their frames in
 * @pfn and whether each is PG_dirty in @dirty.
 */
static int pages_state(pid_t pid, uint64_t addr, size_t page, unsigned int n,
		       uint64_t *pfn, bool *dirty)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uint64_t flags;
		int err = page_state(pid, addr + i * page, page, &pfn[i], &flags);

		if (err)
			return err;
		dirty[i] = flags & (1ULL << KPF_DIRTY);
	}
	return 0;
}

/*
 * A write that pins 4 target pages and writes into the first only: its
 * source faults one page in.  Anonymous pages the target wrote itself
 * carry their dirty bit in the page table, not in PG_dirty, and pinning
 * them for writing leaves PG_dirty alone; so PG_dirty after the call is
 * the module's own unpin, which must set it on the written page only.
 * The same frames before and after (nothing migrated them meanwhile,
 * which would move the page table's dirty bit into PG_dirty) make the
 * observation valid; otherwise it is made again on fresh pages.
 */
TEST_F(counts, only_pages_that_received_bytes_are_dirtied)
{
	size_t page = self->page;
	uint64_t pfn[4], pfn2[4], actual = ZX_SENTINEL;
	bool dirty[4], dirty2[4];
	uint8_t *src, *want;
	unsigned int try, i;
	uint64_t a;
	int err;

	if (access("/proc/kpageflags", R_OK))
		SKIP(return, "no /proc/kpageflags (CONFIG_PROC_PAGE_MONITOR): %s", strerror(errno));
	src = zx_map(2 * page, PROT_READ, S_SEED);
	ASSERT_NE(MAP_FAILED, src);
	ASSERT_EQ(0, mprotect(src + page, page, PROT_NONE));
	want = zx_want(4 * page, A_SEED);
	ASSERT_NE(NULL, want);
	memcpy(want + 8, src + 8, page - 8);

	for (try = 0; try < 5; try++) {
		a = uf_map(&self->t, 4 * page, A_SEED);
		ASSERT_NE(0U, a);
		ASSERT_EQ(0, pages_state(self->t.pid, a, page, 4, pfn, dirty));
		for (i = 0; i < 4; i++) {
			ASSERT_FALSE(dirty[i])
				TH_LOG("page %u is PG_dirty before any write: nothing to observe", i);
		}
		EXPECT_EQ(-EFAULT, zx_write(self->h, a + 8, src + 8, 4 * page - 16, &actual));
		EXPECT_EQ(page - 8, actual);
		err = pages_state(self->t.pid, a, page, 4, pfn2, dirty2);
		ASSERT_EQ(0, err);
		if (!memcmp(pfn, pfn2, sizeof(pfn)))
			break;
		TH_LOG("try %u: a page moved to another frame meanwhile; again", try);
	}
	ASSERT_GT(5U, try);
	EXPECT_TRUE(dirty2[0]) TH_LOG("the page written into is not dirty");
	for (i = 1; i < 4; i++) {
		EXPECT_FALSE(dirty2[i]) TH_LOG("page %u was dirtied though nothing was written into it", i);
	}
	EXPECT_EQ(-1, zx_differs(self->t.pid, a, want, 4 * page));
	free(want);
	munmap(src, 2 * page);
}

/*
 * All or nothing over a range that ends in a hole: three pages pinned,
 * then the fourth missing; nothing copied, nothing dirtied.
 */
TEST_F(counts, failed_all_or_nothing_write_dirties_nothing)
{
	size_t page = self->page;
	uint64_t pfn[3], pfn2[3], actual = ZX_SENTINEL, a = 0;
	bool dirty[3], dirty2[3];
	unsigned int try, i;

	if (access("/proc/kpageflags", R_OK))
		SKIP(return, "no /proc/kpageflags (CONFIG_PROC_PAGE_MONITOR): %s", strerror(errno));
	for (try = 0; try < 5; try++) {
		a = uf_map(&self->t, 4 * page, A_SEED);
		ASSERT_NE(0U, a);
		ASSERT_EQ(0, uf_cmd(&self->t, UF_UNMAP, a + 3 * page, page, 0, NULL));
		ASSERT_EQ(0, pages_state(self->t.pid, a, page, 3, pfn, dirty));
		for (i = 0; i < 3; i++) {
			ASSERT_FALSE(dirty[i]) TH_LOG("page %u is PG_dirty before any write", i);
		}
		EXPECT_EQ(-ENOMEM, zx_mem(self->h, ZXPROC_IOC_WRITE, a + 8, self->src,
					  4 * page - 16, ZXPROC_MEM_ALL_OR_NOTHING, &actual));
		EXPECT_EQ(0U, actual);
		ASSERT_EQ(0, pages_state(self->t.pid, a, page, 3, pfn2, dirty2));
		if (!memcmp(pfn, pfn2, sizeof(pfn)))
			break;
	}
	ASSERT_GT(5U, try);
	for (i = 0; i < 3; i++) {
		EXPECT_FALSE(dirty2[i]) TH_LOG("page %u was dirtied by a write that copied nothing", i);
	}
	EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, a, 3 * page, A_SEED, 0));
}

/* ---- EIO: device memory ----------------------------------------------- */

/*
 * Three pages: T_SEED, the BIOS page, A_SEED; the target inherits them.
 * A range that begins in normal memory stops short where the device page
 * begins; one that begins in it is EIO; all or nothing is EIO whenever
 * the range touches it.  Nothing is ever read from or written to it.
 */
TEST(eio_where_device_memory_begins)
{
	size_t page = zx_page();
	uint8_t *area, *dev, *src = zx_map(page, PROT_READ, S_SEED);
	uint8_t buf[64], buf2[64], *want;
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	uint64_t actual;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, src);
	area = zx_map(3 * page, PROT_READ | PROT_WRITE, T_SEED);
	ASSERT_NE(MAP_FAILED, area);
	zx_fill(area + 2 * page, page, A_SEED);
	if (zx_device_page(area + page) != area + page)
		SKIP(return, "no device memory: %s", strerror(errno));
	dev = malloc(page);
	want = malloc(3 * page);
	ASSERT_TRUE(dev && want);
	memcpy(dev, area + page, page);
	memcpy(want, area, 3 * page);
	t = zx_target();
	ASSERT_LT(0, t);
	h = zx_handle(t, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);

	/* Writes. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(0, zx_write(h, zx_ptr(area + page - 8), src, 16, &actual));
	EXPECT_EQ(8U, actual);
	memcpy(want + page - 8, src, 8);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EIO, zx_mem(h, ZXPROC_IOC_WRITE, zx_ptr(area + page - 16), src + 16, 32,
			       ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EIO, zx_write(h, zx_ptr(area + page + 8), src, 16, &actual));
	EXPECT_EQ(0U, actual);
	seg(&s[0], zx_ptr(area + page - 4), src + 100, 12);	/* short: 4 */
	seg(&s[1], zx_ptr(area + page), src + 200, 12);	/* EIO */
	seg(&s[2], zx_ptr(area + 2 * page + 4), src + 300, 12);	/* whole */
	memv_args(&v, s, 3, 0);
	EXPECT_EQ(0, zx_ioctl(h, ZXPROC_IOC_WRITEV, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_EQ(4U + 12U, v.actual);
	EXPECT_SEG(s[0], 0, 4);
	EXPECT_SEG(s[1], -EIO, 0);
	EXPECT_SEG(s[2], 0, 12);
	memcpy(want + page - 4, src + 100, 4);
	memcpy(want + 2 * page + 4, src + 300, 12);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(area), want, page));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(area + 2 * page), want + 2 * page, page));
	EXPECT_EQ(0, memcmp(area + page, dev, page));

	/* Reads. */
	memset(buf, FILL, sizeof(buf));
	EXPECT_EQ(0, zx_read(h, zx_ptr(area + page - 8), buf, 16, &actual));
	EXPECT_EQ(8U, actual);
	EXPECT_EQ(0, memcmp(buf, want + page - 8, 8));
	EXPECT_EQ(-1, zx_not_all(buf + 8, FILL, sizeof(buf) - 8));
	memset(buf, FILL, sizeof(buf));
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EIO, zx_mem(h, ZXPROC_IOC_READ, zx_ptr(area + page - 8), buf, 16,
			       ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-EIO, zx_read(h, zx_ptr(area + page), buf, 16, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(buf, FILL, sizeof(buf)));
	memset(buf2, FILL, sizeof(buf2));
	seg(&s[0], zx_ptr(area + page - 4), buf2, 12);
	seg(&s[1], zx_ptr(area + page + 100), buf2 + 20, 12);
	seg(&s[2], zx_ptr(area + 2 * page + 4), buf2 + 40, 12);
	memv_args(&v, s, 3, 0);
	EXPECT_EQ(0, zx_ioctl(h, ZXPROC_IOC_READV, &v));
	EXPECT_EQ(3U, v.done);
	EXPECT_EQ(4U + 12U, v.actual);
	EXPECT_SEG(s[0], 0, 4);
	EXPECT_SEG(s[1], -EIO, 0);
	EXPECT_SEG(s[2], 0, 12);
	EXPECT_EQ(0, memcmp(buf2, want + page - 4, 4));
	EXPECT_EQ(-1, zx_not_all(buf2 + 4, FILL, 40 - 4));
	EXPECT_EQ(0, memcmp(buf2 + 40, want + 2 * page + 4, 12));
	EXPECT_EQ(-1, zx_not_all(buf2 + 52, FILL, sizeof(buf2) - 52));

	close(h);
	zx_reap(t);
	free(dev);
	free(want);
}

/* ---- INFO inside a pid namespace the target is not in ----------------- */

struct ns {
	int sock;		/* the handle comes in here */
	uint8_t *region;	/* 64 bytes of S_SEED, in the target too */
};

/* pid 1 of a new pid namespace, holding a handle made outside it. */
static int ns_init(void *p)
{
	struct ns *n = p;
	struct zxproc_info info;
	uint64_t actual = 0;
	uint8_t got[64];
	int h, self_h, dev;

	CHILD_CHECK(10, getpid() == 1);
	h = zx_recv_fd(n->sock);
	CHILD_CHECK(11, h >= 0);
	CHILD_CHECK(12, zx_info(h, &info) == 0);
	/* The target has no number in this namespace. */
	CHILD_CHECK(13, info.pid == 0);
	CHILD_CHECK(14, info.type == ZXPROC_OBJ_TYPE_PROCESS && info.flags == 0);
	CHILD_CHECK(15, info.rights == (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_INSPECT));
	/* It is still the same process, and the handle still reaches it. */
	CHILD_CHECK(16, zx_read(h, zx_ptr(n->region), got, sizeof(got), &actual) == 0);
	CHILD_CHECK(17, actual == sizeof(got) && !memcmp(got, n->region, sizeof(got)));
	/* A process of this namespace reads as its number here. */
	dev = zx_dev();
	CHILD_CHECK(18, dev >= 0);
	self_h = zx_open(dev, 1, ZXPROC_RIGHT_READ);
	CHILD_CHECK(19, self_h >= 0 && zx_info(self_h, &info) == 0 && info.pid == 1);
	return 0;
}

TEST(info_pid_is_0_in_a_pid_namespace_without_the_target)
{
	struct ns n;
	struct zxproc_info info;
	int sv[2], h, status;
	pid_t t, c;

	n.region = zx_map(zx_page(), PROT_READ | PROT_WRITE, S_SEED);
	ASSERT_NE(MAP_FAILED, n.region);
	t = zx_target();
	ASSERT_LT(0, t);
	h = zx_handle(t, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_INSPECT);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(t, info.pid);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	n.sock = sv[1];
	c = zx_fork_tied();
	ASSERT_LE(0, c);
	if (c == 0)
		_exit(zx_pidns_run(ns_init, &n, -1));
	ASSERT_EQ(0, zx_send_fd(sv[0], h));
	ASSERT_EQ(c, uf_waitpid(c, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("failed step %d (see above)", WEXITSTATUS(status));
	/* Out here, the same handle still names it by its number. */
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(t, info.pid);
	close(h);
	close(sv[0]);
	close(sv[1]);
	zx_reap(t);
}

/* ---- ENOMEM after a partial copy (fault injection) -------------------- */

#define DEBUGFS "/sys/kernel/debug"

/*
 * The knobs under which fail-nth reaches a user page's allocation
 * (sleeping, highmem, order 0), nothing else in the guest ever fails
 * (probability 0, task filter) and nothing is logged; restored after.
 */
static const struct knob {
	const char *path, *value;
} knobs[] = {
	{ "failslab/probability", "0" },
	{ "failslab/task-filter", "Y" },
	{ "failslab/verbose", "0" },
	{ "failslab/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/probability", "0" },
	{ "fail_page_alloc/task-filter", "Y" },
	{ "fail_page_alloc/verbose", "0" },
	{ "fail_page_alloc/ignore-gfp-wait", "N" },
	{ "fail_page_alloc/ignore-gfp-highmem", "N" },
	{ "fail_page_alloc/min-order", "0" },
	{ "fail_usercopy/probability", "0" },
	{ "fail_usercopy/task-filter", "Y" },
	{ "fail_usercopy/verbose", "0" },
};
#define NKNOBS (sizeof(knobs) / sizeof(knobs[0]))
#define MAX_NTH 400

FIXTURE(nth) {
	struct uf_target t;
	size_t page;
	int h, nth;
	uint8_t *src;
	char saved[NKNOBS][32];
	bool changed[NKNOBS];
	char skip[256];
};

FIXTURE_SETUP(nth)
{
	char path[128];
	size_t i;

	self->h = self->nth = -1;
	self->t = (struct uf_target){ .pid = -1, .cmd = -1, .rep = -1, .ev = -1, .ans = -1 };
	self->page = zx_page();
	if (access(DEBUGFS "/fail_page_alloc", F_OK) &&
	    mount("debugfs", DEBUGFS, "debugfs", 0, NULL) && errno != EBUSY) {
		snprintf(self->skip, sizeof(self->skip), "cannot mount debugfs: %s", strerror(errno));
		return;
	}
	if (access(DEBUGFS "/fail_page_alloc", F_OK) || access(DEBUGFS "/failslab", F_OK) ||
	    access(DEBUGFS "/fail_usercopy", F_OK)) {
		snprintf(self->skip, sizeof(self->skip),
			 "no fault injection on this kernel (CONFIG_FAIL_PAGE_ALLOC, "
			 "CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_USERCOPY: the debug kernel has them)");
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	self->nth = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	for (i = 0; i < NKNOBS; i++) {
		snprintf(path, sizeof(path), DEBUGFS "/%s", knobs[i].path);
		ASSERT_LT(0, zx_read_file(path, self->saved[i], sizeof(self->saved[i])))
			TH_LOG("cannot read %s", path);
		self->saved[i][strcspn(self->saved[i], "\n")] = '\0';
		ASSERT_EQ(0, zx_write_file(path, knobs[i].value)) TH_LOG("cannot set %s", path);
		self->changed[i] = true;
	}
	self->src = zx_map((BIG_PAGES + 1) * self->page, PROT_READ, S_SEED);
	ASSERT_NE(MAP_FAILED, self->src);
	ASSERT_EQ(0, uf_target_start(&self->t));
	self->h = zx_handle(self->t.pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(nth)
{
	char path[128];
	size_t i;

	for (i = 0; i < NKNOBS; i++) {
		if (!self->changed[i])
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/%s", knobs[i].path);
		zx_write_file(path, self->saved[i]);
	}
	if (self->h >= 0)
		close(self->h);
	if (self->nth >= 0)
		close(self->nth);
	uf_target_stop(&self->t);
}

/* Arm fault @n of this thread; 0 or -errno. */
static int nth_arm(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	return write(fd, buf, len) == len ? 0 : -errno;
}

/* Was the armed fault injected?  Disarms it if not. */
static bool nth_fired(int fd)
{
	char buf[16] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	bool fired = n > 0 && strtoul(buf, NULL, 10) == 0;

	if (!fired && write(fd, "0", 1) != 1)
		return false;
	return fired;
}

/*
 * Restore the big region at @g: 64 pages of T_SEED, the 65th dropped
 * (its next write fault allocates a page).
 */
static int nth_reset(FIXTURE_DATA(nth) *self, uint64_t g)
{
	size_t n = (BIG_PAGES - 1) * self->page;
	int err = uf_cmd(&self->t, UF_FILL, g, n, T_SEED, NULL);

	return err ? err : uf_cmd(&self->t, UF_DROP, g + n, self->page, 0, NULL);
}

/*
 * Faults n = 1, 2, ... of one 65-page write, until two calls in a row no
 * longer reach n.  Each answer is checked against the target: the
 * source's first `actual` bytes, then the target's own.  The path has no
 * allocation but the 65th page's, the first page of the second pin (the
 * other sites are the argument's copy and each page's user copy, which
 * answer EFAULT after the pages before it), so the sites do not move
 * from call to call and exactly one fault number fails that allocation:
 * ENOMEM, with the 64 pages before it counted and landed.
 *
 * A batch is not swept so: its allocations (the segment array, the pin
 * group) come before the copy, and under KASAN's quarantine a slab
 * refill adds a site to some calls and not others, so no fault number
 * lands on the 65th page's allocation every time.
 */
TEST_F_TIMEOUT(nth, enomem_after_a_partial_write_reports_the_bytes_copied, 600)
{
	size_t page = self->page, len = BIG_PAGES * page, head = (BIG_PAGES - 1) * page;
	unsigned int n, misses = 0, found = 0, efault = 0;
	uint8_t *want;
	uint64_t g;
	size_t i;

	if (self->skip[0])
		SKIP(return, "%s", self->skip);
	g = uf_map(&self->t, len, 0);
	ASSERT_NE(0U, g);
	want = malloc(len);
	ASSERT_NE(NULL, want);

	for (n = 1; n <= MAX_NTH && misses < 2; n++) {
		uint64_t actual = ZX_SENTINEL, written;
		bool fired;
		int ret;

		ASSERT_EQ(0, nth_reset(self, g));
		ASSERT_EQ(0, nth_arm(self->nth, n));
		ret = zx_mem(self->h, ZXPROC_IOC_WRITE, g, self->src, len, 0, &actual);
		fired = nth_fired(self->nth);
		misses = fired ? 0 : misses + 1;

		ASSERT_TRUE(ret == 0 || ret == -ENOMEM || ret == -EFAULT)
			TH_LOG("fault %u: answered %d", n, ret);
		if (!fired) {
			ASSERT_EQ(0, ret) TH_LOG("fault %u not injected, yet %d", n, ret);
		}
		/* EFAULT with actual untouched: the argument itself faulted. */
		written = (ret == -EFAULT && actual == ZX_SENTINEL) ? 0 : actual;
		ASSERT_LE(written, len) TH_LOG("fault %u", n);
		if (!ret) {
			ASSERT_EQ(len, written) TH_LOG("fault %u", n);
		}
		if (ret == -ENOMEM) {
			EXPECT_EQ(head, written) TH_LOG("fault %u: ENOMEM", n);
			found++;
		}
		if (ret == -EFAULT && written)
			efault++;
		for (i = 0; i < head; i++)
			want[i] = zx_pattern_byte(T_SEED, i);
		memset(want + head, 0, page);
		memcpy(want, self->src, written);
		EXPECT_EQ(-1, zx_differs(self->t.pid, g, want, len))
			TH_LOG("fault %u: %d with actual %llu", n, ret, (unsigned long long)written);
	}
	TH_LOG("%u fault numbers reached: %u ENOMEM after 64 pages, %u EFAULT partway",
	       n - 1 - misses, found, efault);
	EXPECT_EQ(1U, found) TH_LOG("the 65th page's allocation failed %u times", found);
	EXPECT_GT(MAX_NTH, n - 1) TH_LOG("the call still reaches fault %u", MAX_NTH);
	free(want);
}

TEST_HARNESS_MAIN

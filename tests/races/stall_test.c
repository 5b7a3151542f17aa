// SPDX-License-Identifier: GPL-2.0
/*
 * Forced interleavings around a copy that waits: a target page that is
 * slow to arrive, or a caller buffer that is.  Each step is ordered by a
 * userfaultfd message (read by the test: the faulting task is blocked in
 * the kernel, waiting for that very page) or by a reply over a pipe;
 * nothing is ever proven by a sleep (tests/races/uffd.h).
 *
 *  1. A target page that never arrives: the target's handler reads the
 *     fault and never answers.  The caller is blocked (the message
 *     arrived before it returned), dies on SIGKILL, and nothing of its
 *     write landed.
 *  2. While a caller waits on a target page, the target munmaps another
 *     range and maps new memory (even at the freed address): both
 *     complete while the fault is still unanswered.  Then the page is
 *     served and the caller completes with the right bytes.
 *  3. The caller's own buffer stalls (its own userfaultfd, MISSING).
 *     While it is blocked, the target munmaps the destination and maps
 *     a fresh page at the same address; then the caller's fault is
 *     answered.  A write lands in the NEW page, a read returns the NEW
 *     page's bytes: no target page stayed pinned across the stall.
 *  4. All or nothing with a source whose tail cannot be read, or a
 *     destination whose tail cannot be written: EFAULT, actual 0, and
 *     neither the target nor the caller's buffer changed.
 *
 * Module 0.1.x never waited in 1 and 2 (its faults could not be
 * retried, so userfaultfd refused them at once: ENOMEM, or a copy cut
 * short at the page), wrote into the old, unmapped page in 3 (the new
 * page stayed zero) and read the old one's bytes, and copied part of
 * the range in 4.
 */
#include "uffd.h"
#include "kselftest_harness.h"

enum { S_SEED = 61, H_SEED = 62, T_SEED = 63, N_SEED = 64 };
#define OUT_PAGES 4
#define FILL 0xee

FIXTURE(stall) {
	struct uf_target t;
	size_t page;
	int h;
	uint8_t *src;		/* 4 pages of S_SEED */
	uint8_t *out;		/* OUT_PAGES, shared with callers: what they read */
};

FIXTURE_SETUP(stall)
{
	self->h = -1;
	self->page = zx_page();
	self->src = zx_map(4 * self->page, PROT_READ, S_SEED);
	ASSERT_NE(MAP_FAILED, self->src);
	self->out = mmap(NULL, OUT_PAGES * self->page, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->out);
	memset(self->out, FILL, OUT_PAGES * self->page);
	ASSERT_EQ(0, uf_target_start(&self->t));
	self->h = zx_handle(self->t.pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(stall)
{
	if (self->h >= 0)
		close(self->h);
	uf_target_stop(&self->t);
}

/* One zxproc call made by a caller process. */
struct job {
	int h;
	bool write;
	uint64_t addr;
	void *buf;
	uint64_t len;
};

static void job_run(void *arg, struct uf_res *res)
{
	struct job *j = arg;

	res->ret = zx_mem(j->h, j->write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ,
			  j->addr, j->buf, j->len, 0, &res->actual);
}

static const char *what(bool wr)
{
	return wr ? "write" : "read";
}

/* ---- 1. a target page that never arrives ------------------------------ */

static void never_served(struct __test_metadata *_metadata,
			 FIXTURE_DATA(stall) *self, bool wr)
{
	size_t page = self->page;
	struct job j = { .h = self->h, .write = wr, .len = 64 };
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res = { 0 };
	uint64_t p, actual = 0;
	int status;

	p = uf_map(&self->t, page, 0);
	ASSERT_NE(0U, p);
	ASSERT_EQ(0, uf_reg(&self->t, p, page, UFFDIO_REGISTER_MODE_MISSING, UF_HOLD, H_SEED));
	j.addr = p + 16;
	j.buf = wr ? (void *)self->src : (void *)self->out;

	ASSERT_EQ(0, uf_caller_start(&c, job_run, &j));
	ASSERT_EQ(0, uf_first(&self->t, &c, &f, &res))
		TH_LOG("%s: the caller returned %d (actual %llu) without ever blocking: "
		       "its fault never reached the target's handler",
		       what(wr), res.ret, (unsigned long long)res.actual);
	EXPECT_EQ(p, f.addr);
	EXPECT_EQ(wr ? (uint64_t)UFFD_PAGEFAULT_FLAG_WRITE : 0U, f.flags);
	/* The fault is read and never answered: the caller is blocked in it. */
	ASSERT_FALSE(uf_returned(&c));
	ASSERT_EQ(0, kill(c.pid, SIGKILL));
	ASSERT_EQ(c.pid, uf_waitpid(c.pid, &status, 0))
		TH_LOG("%s: the caller still runs after SIGKILL", what(wr));
	c.pid = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		TH_LOG("%s: caller status %#x", what(wr), status);
	/* It never answered. */
	EXPECT_EQ(-EPIPE, uf_result(&c, &res));
	uf_caller_stop(&c);

	/* Served now: the handler's bytes, none of the dead caller's. */
	ASSERT_EQ(0, uf_answer(&self->t, &f));
	EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, p, page, H_SEED, 0));
	/* The target lives on, and the handle still reaches it. */
	ASSERT_EQ(0, zx_write(self->h, p + 100, self->src, 8, &actual));
	EXPECT_EQ(8U, actual);
	EXPECT_EQ(-1, zx_differs(self->t.pid, p + 100, self->src, 8));
}

TEST_F_TIMEOUT(stall, unserved_target_page_blocks_a_write_until_sigkill, 180)
{
	never_served(_metadata, self, true);
}

TEST_F_TIMEOUT(stall, unserved_target_page_blocks_a_read_until_sigkill, 180)
{
	never_served(_metadata, self, false);
}

/* ---- 2. the target changes its mappings while a caller waits ---------- */

static void remap_while_waiting(struct __test_metadata *_metadata,
				FIXTURE_DATA(stall) *self, bool wr)
{
	size_t page = self->page, len = 2 * page - 200;
	struct job j = { .h = self->h, .write = wr, .len = len };
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res = { 0 };
	uint64_t a, x, y = 0, z = 0;
	uint8_t *want;

	/* Page 0 the target's own (T_SEED), page 1 served on demand (H_SEED). */
	a = uf_map(&self->t, 2 * page, 0);
	ASSERT_NE(0U, a);
	ASSERT_EQ(0, uf_cmd(&self->t, UF_FILL, a, page, T_SEED, NULL));
	ASSERT_EQ(0, uf_reg(&self->t, a + page, page, UFFDIO_REGISTER_MODE_MISSING,
			    UF_HOLD, H_SEED));
	x = uf_map(&self->t, 4 * page, N_SEED);
	ASSERT_NE(0U, x);
	want = malloc(2 * page);
	ASSERT_NE(NULL, want);
	zx_fill(want, page, T_SEED);
	zx_fill(want + page, page, H_SEED);
	j.addr = a + 100;
	j.buf = wr ? (void *)self->src : (void *)self->out;

	ASSERT_EQ(0, uf_caller_start(&c, job_run, &j));
	ASSERT_EQ(0, uf_first(&self->t, &c, &f, &res))
		TH_LOG("%s: the caller returned %d (actual %llu) without ever blocking",
		       what(wr), res.ret, (unsigned long long)res.actual);
	EXPECT_EQ(a + page, f.addr);
	/* While the fault is unanswered: munmap, and new mappings. */
	ASSERT_EQ(0, uf_cmd(&self->t, UF_UNMAP, x, 4 * page, 0, NULL));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_MAP_AT, x, 2 * page, N_SEED, &z));
	EXPECT_EQ(x, z);
	ASSERT_EQ(0, uf_cmd(&self->t, UF_MAP, 0, 4 * page, N_SEED, &y));
	EXPECT_NE(0U, y);
	EXPECT_FALSE(uf_returned(&c))
		TH_LOG("%s: the caller returned while its page was unanswered", what(wr));

	ASSERT_EQ(0, uf_verdict(&self->t, true));
	ASSERT_EQ(0, uf_result(&c, &res));
	EXPECT_EQ(0, res.ret);
	EXPECT_EQ(len, res.actual);
	if (wr) {
		memcpy(want + 100, self->src, len);
	} else {
		EXPECT_EQ(0, memcmp(self->out, want + 100, len))
			TH_LOG("the read did not return the target's and the handler's bytes");
		EXPECT_EQ(-1, zx_not_all(self->out + len, FILL, page));
	}
	EXPECT_EQ(-1, zx_differs(self->t.pid, a, want, 2 * page));
	uf_caller_stop(&c);
	free(want);
}

TEST_F_TIMEOUT(stall, target_unmaps_and_maps_while_a_write_waits, 180)
{
	remap_while_waiting(_metadata, self, true);
}

TEST_F_TIMEOUT(stall, target_unmaps_and_maps_while_a_read_waits, 180)
{
	remap_while_waiting(_metadata, self, false);
}

/* ---- 3. the caller's own buffer stalls -------------------------------- */

/*
 * A caller whose buffer is a missing page of its own userfaultfd, which
 * it hands to the test (as a process hands its userfaultfd to a
 * lazy-pages daemon) before the call.
 */
struct own {
	int h;
	bool write;
	uint64_t addr;
	int sock;
	uint8_t *out;
	size_t page;
};

static void own_run(void *arg, struct uf_res *res)
{
	struct own *o = arg;
	uint8_t *buf;
	char go;
	int uffd;

	uffd = uf_new(0);
	buf = mmap(NULL, o->page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (uffd < 0 || buf == MAP_FAILED ||
	    uf_register(uffd, zx_ptr(buf), o->page, UFFDIO_REGISTER_MODE_MISSING) ||
	    zx_send_with_fd(o->sock, &buf, sizeof(buf), &uffd, 0) != sizeof(buf) ||
	    read(o->sock, &go, 1) != 1) {
		res->ret = -EIO;
		return;
	}
	res->ret = zx_mem(o->h, o->write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ,
			  o->addr + 8, buf + 8, 100, 0, &res->actual);
	if (!o->write)
		memcpy(o->out, buf + 8, 100);
}

static void own_buffer_stalls(struct __test_metadata *_metadata,
			      FIXTURE_DATA(stall) *self, bool wr)
{
	size_t page = self->page;
	struct own o = { .h = self->h, .write = wr, .out = self->out, .page = page };
	struct uffd_msg m;
	struct uf_caller c;
	struct uf_res res = { 0 };
	uint8_t *fill, *want;
	uint64_t d, d2 = 0;
	int sv[2], uffd;
	void *buf;

	d = uf_map(&self->t, page, T_SEED);
	ASSERT_NE(0U, d);
	o.addr = d;
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	o.sock = sv[1];
	ASSERT_EQ(0, uf_caller_start(&c, own_run, &o));
	close(sv[1]);
	ASSERT_EQ((ssize_t)sizeof(buf), zx_recv_with_fd(sv[0], &buf, sizeof(buf), &uffd));
	ASSERT_LE(0, uffd);
	ASSERT_EQ(1, write(sv[0], "g", 1));

	/* The caller blocks faulting its own buffer in. */
	ASSERT_EQ(0, uf_msg(uffd, &m));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, m.event);
	EXPECT_EQ(zx_ptr(buf), m.arg.pagefault.address & ~(uint64_t)(page - 1));
	/* A write reads its source, a read writes its destination. */
	EXPECT_EQ(wr ? 0U : (uint64_t)UFFD_PAGEFAULT_FLAG_WRITE,
		  m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE);
	ASSERT_FALSE(uf_returned(&c));

	/* Meanwhile the target replaces the destination page. */
	ASSERT_EQ(0, uf_cmd(&self->t, UF_UNMAP, d, page, 0, NULL));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_MAP_AT, d, page, wr ? 0 : N_SEED, &d2));
	ASSERT_EQ(d, d2);
	EXPECT_FALSE(uf_returned(&c));

	/* Answer the caller's fault: its source bytes, or filler to read over. */
	fill = wr ? zx_want(page, S_SEED) : malloc(page);
	ASSERT_NE(NULL, fill);
	if (!wr)
		memset(fill, FILL, page);
	ASSERT_EQ(0, uf_copy(uffd, zx_ptr(buf), fill, page));
	ASSERT_EQ(0, uf_result(&c, &res));
	EXPECT_EQ(0, res.ret);
	EXPECT_EQ(100U, res.actual);

	want = calloc(1, page);
	ASSERT_NE(NULL, want);
	if (wr) {
		/* The fresh page: zero but for the write. */
		memcpy(want + 8, fill + 8, 100);
		EXPECT_EQ(-1, zx_differs(self->t.pid, d, want, page))
			TH_LOG("the write did not land in the page mapped during the stall");
	} else {
		/* The fresh page's bytes, not the unmapped one's. */
		zx_fill(want, page, N_SEED);
		EXPECT_EQ(0, memcmp(self->out, want + 8, 100))
			TH_LOG("the read returned the bytes of the page unmapped during the stall");
		EXPECT_EQ(-1, zx_differs(self->t.pid, d, want, page));
	}
	uf_caller_stop(&c);
	close(uffd);
	close(sv[0]);
	free(fill);
	free(want);
}

TEST_F_TIMEOUT(stall, write_from_stalled_buffer_lands_in_the_new_mapping, 180)
{
	own_buffer_stalls(_metadata, self, true);
}

TEST_F_TIMEOUT(stall, read_into_stalled_buffer_returns_the_new_mapping, 180)
{
	own_buffer_stalls(_metadata, self, false);
}

/* ---- 4. all or nothing, with an inaccessible tail --------------------- */

/* Two pages of @seed whose second one is made PROT_NONE, PROT_READ or unmapped. */
static uint8_t *two_pages(size_t page, unsigned int seed, int tail)
{
	uint8_t *p = zx_map(2 * page, PROT_READ | PROT_WRITE, seed);

	if (p == MAP_FAILED)
		return NULL;
	if (tail < 0 ? munmap(p + page, page) : mprotect(p + page, page, tail))
		return NULL;
	return p;
}

TEST_F(stall, all_or_nothing_write_with_unreadable_source_tail_writes_nothing)
{
	static const int tails[] = { PROT_NONE, -1 };
	size_t page = self->page, i;
	uint64_t d, actual;

	d = uf_map(&self->t, 4 * page, T_SEED);
	ASSERT_NE(0U, d);
	for (i = 0; i < 2; i++) {
		uint8_t *s = two_pages(page, S_SEED, tails[i]);
		const char *how = tails[i] < 0 ? "unmapped" : "PROT_NONE";

		ASSERT_NE(NULL, s);
		actual = ZX_SENTINEL;
		EXPECT_EQ(-EFAULT, zx_mem(self->h, ZXPROC_IOC_WRITE, d + 100, s + 100,
					  2 * page - 100, ZXPROC_MEM_ALL_OR_NOTHING, &actual))
			TH_LOG("source tail %s", how);
		EXPECT_EQ(0U, actual) TH_LOG("source tail %s", how);
		EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, d, 4 * page, T_SEED, 0))
			TH_LOG("source tail %s: the target changed", how);
		munmap(s, 2 * page);
	}
}

TEST_F(stall, all_or_nothing_read_with_unwritable_destination_tail_reads_nothing)
{
	static const int tails[] = { PROT_READ, PROT_NONE, -1 };
	size_t page = self->page, i;
	uint64_t d, actual;

	d = uf_map(&self->t, 4 * page, T_SEED);
	ASSERT_NE(0U, d);
	for (i = 0; i < 3; i++) {
		uint8_t *b = zx_map(2 * page, PROT_READ | PROT_WRITE, 0);
		const char *how = tails[i] < 0 ? "unmapped" :
				  tails[i] ? "read-only" : "PROT_NONE";

		ASSERT_NE(MAP_FAILED, b);
		memset(b, FILL, 2 * page);
		ASSERT_EQ(0, tails[i] < 0 ? munmap(b + page, page) :
			     mprotect(b + page, page, tails[i]));
		actual = ZX_SENTINEL;
		EXPECT_EQ(-EFAULT, zx_mem(self->h, ZXPROC_IOC_READ, d + 100, b + 100,
					  2 * page - 100, ZXPROC_MEM_ALL_OR_NOTHING, &actual))
			TH_LOG("destination tail %s", how);
		EXPECT_EQ(0U, actual) TH_LOG("destination tail %s", how);
		EXPECT_EQ(-1, zx_not_all(b, FILL, page))
			TH_LOG("destination tail %s: the buffer changed", how);
		if (tails[i] == PROT_READ) {
			EXPECT_EQ(-1, zx_not_all(b + page, FILL, page));
		}
		EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, d, 4 * page, T_SEED, 0));
		munmap(b, 2 * page);
	}
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Targets whose memory is served by userfaultfd, as CRIU's lazy pages,
 * QEMU's post-copy migration and garbage collectors serve theirs: the
 * target registers its own memory and a handler thread of its own
 * answers each fault (tests/races/uffd.h).
 *
 *  - MISSING: pages that are not there yet are copied in by the
 *    handler (UFFDIO_COPY) when zxproc touches them; writes and reads
 *    through zxproc, plain and all or nothing, succeed with the
 *    handler's bytes, and process_vm_writev/readv on the same kind of
 *    range give the same answers, the same bytes and the same faults in
 *    the same order (a differential check against the kernel's own
 *    cross-process copy).
 *  - WP: a populated range, write-protected (UFFDIO_REGISTER_MODE_WP).
 *    A zxproc write waits for the handler: the fault message arrives,
 *    the write has not landed and the caller has not returned; the
 *    handler records the fault and un-protects the page (UFFDIO_
 *    WRITEPROTECT), and only then does the write land.  Reads never
 *    fault.  process_vm_writev waits the same way.
 *
 *  - CAS: a compare-and-swap reaches such pages as a write does.
 *
 * Module 0.1.x faulted without FAULT_FLAG_ALLOW_RETRY: userfaultfd then
 * fails the fault at once, and every zxproc call that faulted here
 * answered ENOMEM without waiting (and a CONFIG_DEBUG_VM kernel logged
 * "FAULT_FLAG_ALLOW_RETRY missing" with a stack trace).
 */
#include "../races/uffd.h"
#include "kselftest_harness.h"

#define PAGES 8
enum { S_SEED = 41, H_SEED = 42, T_SEED = 43 };

#define WRITE_FLAG ((uint64_t)UFFD_PAGEFAULT_FLAG_WRITE)
#define WP_FLAG ((uint64_t)UFFD_PAGEFAULT_FLAG_WP)

FIXTURE(uf) {
	struct uf_target t;
	size_t page;
	int h;
	uint8_t *src;		/* PAGES pages of S_SEED */
	uint8_t *buf, *buf2;	/* PAGES pages each, for reads */
};

FIXTURE_SETUP(uf)
{
	self->h = -1;
	self->page = zx_page();
	self->src = zx_map(PAGES * self->page, PROT_READ, S_SEED);
	ASSERT_NE(MAP_FAILED, self->src);
	self->buf = malloc(PAGES * self->page);
	self->buf2 = malloc(PAGES * self->page);
	ASSERT_TRUE(self->buf && self->buf2);
	ASSERT_EQ(0, uf_target_start(&self->t));
	self->h = zx_handle(self->t.pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(uf)
{
	if (self->h >= 0)
		close(self->h);
	uf_target_stop(&self->t);
}

/* process_vm_writev/readv, one iovec each side: bytes or -errno. */
static ssize_t pvm(pid_t pid, bool write, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = write ? process_vm_writev(pid, &local, 1, &remote, 1, 0) :
			    process_vm_readv(pid, &local, 1, &remote, 1, 0);

	return n < 0 ? -errno : n;
}

/* One access of the differential check, at an offset of its range. */
struct access {
	bool write;
	uint32_t flags;		/* ZXPROC_MEM_*, zxproc only */
	size_t off, len;
};

/*
 * The log's entries [@from, @to) are faults at @pages (offsets from
 * @base, in pages) with @flags, in this order.
 */
static void expect_faults(struct __test_metadata *_metadata,
			  const struct uf_target *t, uint32_t from, uint32_t to,
			  uint64_t base, size_t page, const unsigned int *pages,
			  const uint64_t *flags, unsigned int n, const char *who)
{
	unsigned int i;

	ASSERT_EQ(n, to - from) TH_LOG("%s: %u faults", who, to - from);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(base + pages[i] * page, t->log->f[from + i].addr)
			TH_LOG("%s: fault %u", who, i);
		EXPECT_EQ(flags[i], t->log->f[from + i].flags)
			TH_LOG("%s: fault %u", who, i);
	}
}

/*
 * Missing pages: every access below faults pages of a fresh registered
 * range in; the handler copies in pattern H_SEED (as if the whole range
 * had been filled with it).  zxproc on one range, process_vm_* on
 * another: same answers, same bytes, same faults.
 */
TEST_F(uf, missing_pages_are_served_to_zxproc_as_to_process_vm)
{
	static const struct access acc[] = {
		{ true, 0, 100, 0 },				/* pages 0-1 */
		{ false, 0, 0, 0 },				/* pages 2-4 */
		{ true, ZXPROC_MEM_ALL_OR_NOTHING, 0, 16 },	/* page 5 */
		{ false, ZXPROC_MEM_ALL_OR_NOTHING, 0, 0 },	/* page 6 */
	};
	static const unsigned int fault_pages[] = { 0, 1, 2, 3, 4, 5, 6 };
	static const uint64_t fault_flags[] = {
		WRITE_FLAG, WRITE_FLAG, 0, 0, 0, WRITE_FLAG, 0,
	};
	size_t page = self->page, len = PAGES * page, i;
	uint64_t r1, r2, actual;
	struct access a[4];
	uint32_t n0, n1, n2;
	uint8_t *want;

	memcpy(a, acc, sizeof(a));
	a[0].len = 2 * page - 200;
	a[1].off = 2 * page + 50;
	a[1].len = 2 * page;
	a[2].off = 5 * page + 8;
	a[3].off = 6 * page;
	a[3].len = page;

	r1 = uf_map(&self->t, len, 0);
	r2 = uf_map(&self->t, len, 0);
	ASSERT_NE(0U, r1);
	ASSERT_NE(0U, r2);
	ASSERT_EQ(0, uf_reg(&self->t, r1, len, UFFDIO_REGISTER_MODE_MISSING, UF_AUTO, H_SEED));
	ASSERT_EQ(0, uf_reg(&self->t, r2, len, UFFDIO_REGISTER_MODE_MISSING, UF_AUTO, H_SEED));
	want = zx_want(len, H_SEED);
	ASSERT_NE(NULL, want);

	n0 = uf_faults(&self->t);
	for (i = 0; i < 4; i++) {
		void *b = a[i].write ? (void *)(self->src + a[i].off) : self->buf;

		memset(self->buf, 0xee, len);
		actual = ZX_SENTINEL;
		ASSERT_EQ(0, zx_mem(self->h, a[i].write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ,
				    r1 + a[i].off, b, a[i].len, a[i].flags, &actual))
			TH_LOG("zxproc access %zu", i);
		ASSERT_EQ(a[i].len, actual) TH_LOG("zxproc access %zu", i);
		if (a[i].write) {
			memcpy(want + a[i].off, self->src + a[i].off, a[i].len);
		} else {
			EXPECT_EQ(0, memcmp(self->buf, want + a[i].off, a[i].len))
				TH_LOG("zxproc read %zu: not the handler's bytes", i);
			EXPECT_EQ(-1, zx_not_all(self->buf + a[i].len, 0xee, len - a[i].len));
		}
	}
	n1 = uf_faults(&self->t);
	for (i = 0; i < 4; i++) {
		void *b = a[i].write ? (void *)(self->src + a[i].off) : self->buf2;

		memset(self->buf2, 0xee, len);
		ASSERT_EQ((ssize_t)a[i].len, pvm(self->t.pid, a[i].write, r2 + a[i].off,
						 b, a[i].len))
			TH_LOG("process_vm access %zu", i);
		if (!a[i].write) {
			/* What zxproc read from the twin range, byte for byte. */
			ASSERT_EQ(0, zx_read(self->h, r1 + a[i].off, self->buf, a[i].len, &actual));
			EXPECT_EQ(0, memcmp(self->buf2, self->buf, a[i].len))
				TH_LOG("process_vm read %zu differs from zxproc's", i);
		}
	}
	n2 = uf_faults(&self->t);

	expect_faults(_metadata, &self->t, n0, n1, r1, page, fault_pages,
		      fault_flags, 7, "zxproc");
	expect_faults(_metadata, &self->t, n1, n2, r2, page, fault_pages,
		      fault_flags, 7, "process_vm");
	/* Pages 0-6 are there now (page 7 was never touched: not read). */
	EXPECT_EQ(-1, zx_differs(self->t.pid, r1, want, 7 * page));
	EXPECT_EQ(-1, zx_differs(self->t.pid, r2, want, 7 * page));
	free(want);
}

/* A caller writing 2 pages less 200 bytes at @arg's offset 100. */
struct wp_job {
	int h;
	uint64_t addr;
	const uint8_t *src;
	size_t len;
	uint32_t flags;
	bool pvm;
	pid_t pid;
};

static void wp_write(void *arg, struct uf_res *res)
{
	struct wp_job *j = arg;
	ssize_t n;

	res->actual = ZX_SENTINEL;
	if (j->pvm) {
		n = pvm(j->pid, true, j->addr, (void *)j->src, j->len);
		res->ret = n < 0 ? (int32_t)n : 0;
		res->actual = n < 0 ? 0 : (uint64_t)n;
		return;
	}
	res->ret = zx_mem(j->h, ZXPROC_IOC_WRITE, j->addr, (void *)j->src, j->len,
			  j->flags, &res->actual);
}

/*
 * A write into write-protected pages, held at each fault: it waits,
 * nothing lands until the handler un-protects, then it lands.  @pvm:
 * process_vm_writev instead of zxproc.
 */
static void wp_held_write(struct __test_metadata *_metadata,
			  FIXTURE_DATA(uf) *self, bool use_pvm, uint32_t flags)
{
	size_t page = self->page, len = 4 * page;
	struct wp_job j = { .h = self->h, .src = self->src + 100,
			    .len = 2 * page - 200, .flags = flags,
			    .pvm = use_pvm, .pid = self->t.pid };
	const char *who = use_pvm ? "process_vm_writev" :
			  flags ? "zxproc all-or-nothing" : "zxproc";
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res;
	uint64_t r;
	uint8_t *want;
	unsigned int p;

	r = uf_map(&self->t, len, T_SEED);
	ASSERT_NE(0U, r);
	ASSERT_EQ(0, uf_reg(&self->t, r, len, UFFDIO_REGISTER_MODE_WP, UF_HOLD, 0));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_PROTECT, r, len, 0, NULL));
	want = zx_want(len, T_SEED);
	ASSERT_NE(NULL, want);
	j.addr = r + 100;

	ASSERT_EQ(0, uf_caller_start(&c, wp_write, &j));
	for (p = 0; p < 2; p++) {
		if (p == 0) {
			int first = uf_first(&self->t, &c, &f, &res);

			ASSERT_EQ(0, first)
				TH_LOG("%s: the caller answered %d (actual %llu) before its fault reached the handler",
				       who, res.ret, (unsigned long long)res.actual);
		} else {
			ASSERT_EQ(0, uf_held(&self->t, &f));
		}
		EXPECT_EQ(r + p * page, f.addr) TH_LOG("%s: fault %u", who, p);
		EXPECT_EQ(WRITE_FLAG | WP_FLAG, f.flags) TH_LOG("%s: fault %u", who, p);
		/* Waiting: not returned, and not a byte written yet. */
		EXPECT_FALSE(uf_returned(&c)) TH_LOG("%s returned while its fault was held", who);
		EXPECT_EQ(-1, zx_differs(self->t.pid, r, want, len))
			TH_LOG("%s wrote while page %u was still protected", who, p);
		ASSERT_EQ(0, uf_verdict(&self->t, true));
	}
	ASSERT_EQ(0, uf_result(&c, &res));
	EXPECT_EQ(0, res.ret) TH_LOG("%s", who);
	EXPECT_EQ(2 * page - 200, res.actual) TH_LOG("%s", who);
	memcpy(want + 100, self->src + 100, 2 * page - 200);
	EXPECT_EQ(-1, zx_differs(self->t.pid, r, want, len)) TH_LOG("%s", who);
	uf_caller_stop(&c);
	free(want);
}

TEST_F(uf, write_to_protected_pages_waits_for_the_handler)
{
	wp_held_write(_metadata, self, false, 0);
}

TEST_F(uf, all_or_nothing_write_to_protected_pages_waits_for_the_handler)
{
	wp_held_write(_metadata, self, false, ZXPROC_MEM_ALL_OR_NOTHING);
}

/* The same interleaving with the kernel's own cross-process write. */
TEST_F(uf, process_vm_writev_waits_the_same_way)
{
	wp_held_write(_metadata, self, true, 0);
}

/*
 * Reads of write-protected pages do not fault: zxproc (plain and all or
 * nothing) and process_vm_readv read the target's bytes at once, and the
 * handler sees nothing.
 */
TEST_F(uf, reads_of_protected_pages_do_not_wait)
{
	size_t page = self->page, len = 4 * page;
	uint64_t r, actual = ZX_SENTINEL;
	uint8_t *want = zx_want(len, T_SEED);
	uint32_t n0;

	ASSERT_NE(NULL, want);
	r = uf_map(&self->t, len, T_SEED);
	ASSERT_NE(0U, r);
	ASSERT_EQ(0, uf_reg(&self->t, r, len, UFFDIO_REGISTER_MODE_WP, UF_HOLD, 0));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_PROTECT, r, len, 0, NULL));
	n0 = uf_faults(&self->t);

	memset(self->buf, 0xee, len);
	ASSERT_EQ(0, zx_read(self->h, r + 10, self->buf, len - 10, &actual));
	EXPECT_EQ(len - 10, actual);
	EXPECT_EQ(0, memcmp(self->buf, want + 10, len - 10));
	memset(self->buf, 0xee, len);
	ASSERT_EQ(0, zx_mem(self->h, ZXPROC_IOC_READ, r, self->buf, len,
			    ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(len, actual);
	EXPECT_EQ(0, memcmp(self->buf, want, len));
	memset(self->buf2, 0xee, len);
	ASSERT_EQ((ssize_t)len, pvm(self->t.pid, false, r, self->buf2, len));
	EXPECT_EQ(0, memcmp(self->buf2, want, len));
	EXPECT_EQ(n0, uf_faults(&self->t));
	free(want);
}

/*
 * Write-protected pages served at once (UF_AUTO): a write through
 * zxproc and one through process_vm_writev into twin ranges fault the
 * same pages with the same flags, and leave the same bytes.
 */
TEST_F(uf, protected_pages_fault_for_zxproc_as_for_process_vm)
{
	static const unsigned int fault_pages[] = { 0, 1, 2, 3 };
	static const uint64_t fault_flags[] = {
		WRITE_FLAG | WP_FLAG, WRITE_FLAG | WP_FLAG,
		WRITE_FLAG | WP_FLAG, WRITE_FLAG | WP_FLAG,
	};
	size_t page = self->page, len = 4 * page, wlen = 2 * page + 10;
	uint64_t r1, r2, actual = ZX_SENTINEL;
	uint8_t *want = zx_want(len, T_SEED);
	uint32_t n0, n1, n2;

	ASSERT_NE(NULL, want);
	r1 = uf_map(&self->t, len, T_SEED);
	r2 = uf_map(&self->t, len, T_SEED);
	ASSERT_NE(0U, r1);
	ASSERT_NE(0U, r2);
	ASSERT_EQ(0, uf_reg(&self->t, r1, len, UFFDIO_REGISTER_MODE_WP, UF_AUTO, 0));
	ASSERT_EQ(0, uf_reg(&self->t, r2, len, UFFDIO_REGISTER_MODE_WP, UF_AUTO, 0));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_PROTECT, r1, len, 0, NULL));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_PROTECT, r2, len, 0, NULL));

	n0 = uf_faults(&self->t);
	ASSERT_EQ(0, zx_write(self->h, r1 + page - 5, self->src, wlen, &actual));
	EXPECT_EQ(wlen, actual);
	n1 = uf_faults(&self->t);
	ASSERT_EQ((ssize_t)wlen, pvm(self->t.pid, true, r2 + page - 5, self->src, wlen));
	n2 = uf_faults(&self->t);

	/* From the last 5 bytes of page 0 to the first 5 of page 3. */
	expect_faults(_metadata, &self->t, n0, n1, r1, page, fault_pages,
		      fault_flags, 4, "zxproc");
	expect_faults(_metadata, &self->t, n1, n2, r2, page, fault_pages,
		      fault_flags, 4, "process_vm_writev");
	memcpy(want + page - 5, self->src, wlen);
	EXPECT_EQ(-1, zx_differs(self->t.pid, r1, want, len));
	EXPECT_EQ(-1, zx_differs(self->t.pid, r2, want, len));
	free(want);
}

/* ---- compare-and-swap ------------------------------------------------- */

/* A missing page is served to a CAS as to a write; it then swaps. */
TEST_F(uf, cas_into_missing_page_is_served_then_swaps)
{
	size_t page = self->page;
	struct zxproc_cas cas = { .size = 8 };
	uint8_t *want = zx_want(page, H_SEED);
	uint32_t n0;
	uint64_t r;

	ASSERT_NE(NULL, want);
	r = uf_map(&self->t, page, 0);
	ASSERT_NE(0U, r);
	ASSERT_EQ(0, uf_reg(&self->t, r, page, UFFDIO_REGISTER_MODE_MISSING, UF_AUTO, H_SEED));
	n0 = uf_faults(&self->t);
	cas.addr = r + 64;
	memcpy(&cas.expected, want + 64, 8);
	cas.desired = ~cas.expected;
	ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_CAS, &cas));
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, cas.result);
	ASSERT_EQ(n0 + 1, uf_faults(&self->t));
	EXPECT_EQ(r, self->t.log->f[n0].addr);
	EXPECT_EQ(WRITE_FLAG, self->t.log->f[n0].flags);
	memcpy(want + 64, &cas.desired, 8);
	EXPECT_EQ(-1, zx_differs(self->t.pid, r, want, page));
	free(want);
}

struct cas_job {
	int h;
	uint64_t addr, expected, desired;
};

static void cas_call(void *arg, struct uf_res *res)
{
	struct cas_job *j = arg;
	struct zxproc_cas cas = {
		.addr = j->addr, .size = 4, .expected = j->expected,
		.desired = j->desired,
	};

	res->ret = zx_ioctl(j->h, ZXPROC_IOC_CAS, &cas);
	res->actual = cas.result;
}

/*
 * A write-protected page: the CAS waits for the handler like a write,
 * even one that will not swap (the page is made writable first), and
 * changes nothing until the page is un-protected.
 */
TEST_F(uf, cas_into_protected_page_waits_for_the_handler)
{
	size_t page = self->page;
	uint8_t *want = zx_want(page, T_SEED);
	struct cas_job j = { .h = self->h };
	struct uf_caller c;
	struct uf_fault f;
	struct uf_res res;
	uint32_t v;
	uint64_t r;

	ASSERT_NE(NULL, want);
	r = uf_map(&self->t, page, T_SEED);
	ASSERT_NE(0U, r);
	ASSERT_EQ(0, uf_reg(&self->t, r, page, UFFDIO_REGISTER_MODE_WP, UF_HOLD, 0));
	ASSERT_EQ(0, uf_cmd(&self->t, UF_PROTECT, r, page, 0, NULL));
	memcpy(&v, want + 128, 4);
	j.addr = r + 128;
	j.expected = v;
	j.desired = v ^ 0xffffffffu;

	ASSERT_EQ(0, uf_caller_start(&c, cas_call, &j));
	ASSERT_EQ(0, uf_first(&self->t, &c, &f, &res))
		TH_LOG("the CAS answered %d before its fault reached the handler", res.ret);
	EXPECT_EQ(r, f.addr);
	EXPECT_EQ(WRITE_FLAG | WP_FLAG, f.flags);
	EXPECT_FALSE(uf_returned(&c));
	EXPECT_EQ(-1, zx_differs(self->t.pid, r, want, page));
	ASSERT_EQ(0, uf_verdict(&self->t, true));
	ASSERT_EQ(0, uf_result(&c, &res));
	EXPECT_EQ(0, res.ret);
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, res.actual);
	uf_caller_stop(&c);
	v ^= 0xffffffffu;
	memcpy(want + 128, &v, 4);
	EXPECT_EQ(-1, zx_differs(self->t.pid, r, want, page));
	free(want);
}

TEST_HARNESS_MAIN

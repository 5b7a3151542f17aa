// SPDX-License-Identifier: GPL-2.0
/*
 * The protection modes of ZXPROC_IOC_WRITE, READ, WRITEV and READV:
 * without a mode, every access is forced (the host forces: "always" on
 * the kernels these suites boot); ZXPROC_MEM_NO_FORCE never forces;
 * ZXPROC_MEM_FORCE_EXEC forces only into executable mappings;
 * ZXPROC_MEM_FORCE_FIRST_EXEC only into the mapping that holds the first
 * byte, if it is executable.  The module parameter force_override=never
 * bounds all four.  Every refused
 * access is read back through /proc/PID/mem: nothing moved.
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define FORCE_OVERRIDE "/sys/module/zxproc/parameters/force_override"
#define HOST_FORCE "/sys/module/zxproc/parameters/host_force_override"
#define LEN 64
#define NO_FORCE ZXPROC_MEM_NO_FORCE
#define EXEC ZXPROC_MEM_FORCE_EXEC
#define ALL ZXPROC_MEM_ALL_OR_NOTHING
#define FIRST ZXPROC_MEM_FORCE_FIRST_EXEC

/* Seeds of the target's pages, and of what the tests try to write. */
enum { S_TEXT = 41, S_RO, S_NONE, S_RW, S_SRC, S_LAY };

/*
 * The pages of the fixture's "lay" mapping, each its own mapping (no two
 * neighbours share a protection, so none merge).
 */
enum { L_RW, L_RX, L_RWX, L_RX2, L_RO, L_RX3, L_PAGES };
static const int lay_prot[L_PAGES] = {
	PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
	PROT_READ | PROT_WRITE | PROT_EXEC, PROT_READ | PROT_EXEC, PROT_READ,
	PROT_READ | PROT_EXEC,
};

FIXTURE(mode) {
	int dev, h;
	pid_t target;
	size_t page;
	uint8_t *text;		/* PROT_READ | PROT_EXEC, then PROT_READ */
	uint8_t *ro;		/* PROT_READ */
	uint8_t *none;		/* PROT_NONE */
	uint8_t *rw;		/* PROT_READ | PROT_WRITE */
	uint8_t *lay;		/* L_PAGES pages of lay_prot[] */
	int cmd[2], rep[2];	/* commands to the target, its replies */
	uint8_t src[LEN];
};

/*
 * The target: waits for commands on a pipe; 'r' makes the text page
 * read-only data, 'x' executable again, each answered once done.
 */
static void target_loop(uint8_t *text, size_t page, int cmd, int rep)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		int prot = c == 'x' ? PROT_READ | PROT_EXEC : PROT_READ;
		char ok = mprotect(text, page, prot) ? 'e' : 'k';

		if (write(rep, &ok, 1) != 1)
			break;
	}
	_exit(0);
}

FIXTURE_SETUP(mode)
{
	char host[16] = "";

	self->page = zx_page();
	self->text = zx_map(2 * self->page, PROT_READ | PROT_WRITE, S_TEXT);
	ASSERT_NE(MAP_FAILED, self->text);
	/* Code followed directly by read-only data, as in a program image. */
	self->ro = self->text + self->page;
	zx_fill(self->ro, self->page, S_RO);
	ASSERT_EQ(0, mprotect(self->text, self->page, PROT_READ | PROT_EXEC));
	ASSERT_EQ(0, mprotect(self->ro, self->page, PROT_READ));
	self->none = zx_map(self->page, PROT_NONE, S_NONE);
	self->rw = zx_map(self->page, PROT_READ | PROT_WRITE, S_RW);
	ASSERT_NE(MAP_FAILED, self->none);
	ASSERT_NE(MAP_FAILED, self->rw);
	self->lay = zx_map(L_PAGES * self->page, PROT_READ | PROT_WRITE, S_LAY);
	ASSERT_NE(MAP_FAILED, self->lay);
	for (int i = 0; i < L_PAGES; i++)
		ASSERT_EQ(0, mprotect(self->lay + i * self->page, self->page, lay_prot[i]));
	zx_fill(self->src, LEN, S_SRC);
	ASSERT_EQ(0, pipe2(self->cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(self->rep, O_CLOEXEC));
	self->target = zx_fork_tied();
	ASSERT_LE(0, self->target);
	if (self->target == 0)
		target_loop(self->text, self->page, self->cmd[0], self->rep[1]);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);
	ASSERT_LT(0, zx_read_file(HOST_FORCE, host, sizeof(host)));
	/* The modes are shown against a host that forces everything. */
	if (strncmp(host, "always", 6))
		SKIP(return, "host_force_override is %s: booted with proc_mem.force_override=", host);
}

FIXTURE_TEARDOWN(mode)
{
	/* Whatever happened, a failed ASSERT too: forcing back to its default. */
	zx_write_file(FORCE_OVERRIDE, "always");
	zx_reap(self->target);
	close(self->h);
	close(self->dev);
}

/* Does the target's page at @p still hold pattern @seed? -1 if so. */
static long untouched(pid_t pid, const uint8_t *p, size_t page, unsigned int seed)
{
	uint8_t *want = zx_want(page, seed);
	long d = want ? zx_differs(pid, zx_ptr(p), want, page) : -2;

	free(want);
	return d;
}

#define ASSERT_UNTOUCHED(p, seed) \
	ASSERT_EQ(-1, untouched(self->target, (p), self->page, (seed)))

/* Does the target hold src at @p (and the rest of the page its pattern)? */
#define ASSERT_WRITTEN(p, seed) do { \
	ASSERT_EQ(-1, zx_differs(self->target, zx_ptr(p), self->src, LEN)); \
	uint8_t *want_ = zx_want(self->page, (seed)); \
	ASSERT_NE(NULL, want_); \
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(p) + LEN, want_ + LEN, \
				 self->page - LEN)); \
	free(want_); \
} while (0)

static int wr(FIXTURE_DATA(mode) *self, const void *at, uint32_t flags, uint64_t *actual)
{
	return zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(at), self->src, LEN, flags, actual);
}

/* A read of @at into a buffer of 0xee; 1 when the buffer was touched on failure. */
static int rd(FIXTURE_DATA(mode) *self, const void *at, uint32_t flags, uint64_t *actual,
	      uint8_t *buf)
{
	memset(buf, 0xee, LEN);
	return zx_mem(self->h, ZXPROC_IOC_READ, zx_ptr(at), buf, LEN, flags, actual);
}

/* Without a mode: forced everywhere, as before the modes existed. */
TEST_F(mode, default_forces_everywhere)
{
	uint8_t buf[LEN], *want = zx_want(LEN, S_NONE);
	uint64_t n;

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, wr(self, self->ro, 0, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->ro, S_RO);
	ASSERT_EQ(0, wr(self, self->text, ALL, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->text, S_TEXT);
	ASSERT_EQ(0, rd(self, self->none, 0, &n, buf));
	EXPECT_EQ(LEN, n);
	EXPECT_EQ(0, memcmp(buf, want, LEN));
	free(want);
}

/* NO_FORCE: the mapping's protection decides, for code too. */
TEST_F(mode, no_force_honours_protection)
{
	const uint32_t modes[] = { NO_FORCE, NO_FORCE | ALL };
	uint8_t buf[LEN];
	uint64_t n;

	for (int i = 0; i < 2; i++) {
		EXPECT_EQ(-EACCES, wr(self, self->ro, modes[i], &n));
		EXPECT_EQ(0, n);
		EXPECT_EQ(-EACCES, wr(self, self->text, modes[i], &n));
		EXPECT_EQ(0, n);
		EXPECT_EQ(-EACCES, wr(self, self->none, modes[i], &n));
		EXPECT_EQ(0, n);
		EXPECT_EQ(-EACCES, rd(self, self->none, modes[i], &n, buf));
		EXPECT_EQ(0, n);
		EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
		/* What the protection allows still works. */
		EXPECT_EQ(0, rd(self, self->ro, modes[i], &n, buf));
		EXPECT_EQ(LEN, n);
		EXPECT_EQ(0, rd(self, self->text, modes[i], &n, buf));
		EXPECT_EQ(LEN, n);
	}
	ASSERT_UNTOUCHED(self->ro, S_RO);
	ASSERT_UNTOUCHED(self->text, S_TEXT);
	ASSERT_UNTOUCHED(self->none, S_NONE);
	ASSERT_EQ(0, wr(self, self->rw, NO_FORCE, &n));
	ASSERT_WRITTEN(self->rw, S_RW);
}

/* FORCE_EXEC: code is written, read-only data and PROT_NONE are not. */
TEST_F(mode, force_exec_forces_only_code)
{
	uint8_t buf[LEN];
	uint64_t n;

	EXPECT_EQ(-EACCES, wr(self, self->ro, EXEC, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EACCES, wr(self, self->ro, EXEC | ALL, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EACCES, wr(self, self->none, EXEC, &n));
	EXPECT_EQ(-EACCES, rd(self, self->none, EXEC, &n, buf));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
	EXPECT_EQ(-EACCES, rd(self, self->none, EXEC | ALL, &n, buf));
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
	ASSERT_UNTOUCHED(self->ro, S_RO);
	ASSERT_UNTOUCHED(self->none, S_NONE);

	ASSERT_EQ(0, wr(self, self->text, EXEC | ALL, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->text, S_TEXT);
	ASSERT_EQ(0, rd(self, self->ro, EXEC, &n, buf));
	EXPECT_EQ(LEN, n);
}

/*
 * A range from code into read-only data: FORCE_EXEC decides per
 * mapping, so the code part is written and the copy stops where the
 * data begins (a short copy); all or nothing writes neither part.
 */
TEST_F(mode, force_exec_decides_per_mapping)
{
	uint8_t *at = self->ro - LEN / 2;
	uint64_t n;

	EXPECT_EQ(-EACCES, wr(self, at, EXEC | ALL, &n));
	EXPECT_EQ(0, n);
	ASSERT_UNTOUCHED(self->text, S_TEXT);
	ASSERT_UNTOUCHED(self->ro, S_RO);

	ASSERT_EQ(0, wr(self, at, EXEC, &n));
	EXPECT_EQ(LEN / 2, n);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(at), self->src, LEN / 2));
	ASSERT_UNTOUCHED(self->ro, S_RO);
}

/* Unknown bits and two modes at once: EINVAL, actual untouched, nothing moved. */
TEST_F(mode, bad_flags_are_einval)
{
	const uint32_t bad[] = {
		NO_FORCE | EXEC, NO_FORCE | EXEC | ALL, NO_FORCE | FIRST,
		EXEC | FIRST, EXEC | FIRST | ALL, ZXPROC_MEM_MODES, 1u << 5,
		1u << 31, EXEC | (1u << 8), ZXPROC_MEM_FLAGS,
	};
	struct zxproc_seg s;
	struct zxproc_memv v;
	uint8_t buf[LEN];
	uint64_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, wr(self, self->rw, bad[i], &n)) TH_LOG("flags %#x", bad[i]);
		EXPECT_EQ(ZX_SENTINEL, n);
		EXPECT_EQ(-EINVAL, rd(self, self->rw, bad[i], &n, buf));
		EXPECT_EQ(ZX_SENTINEL, n);
		EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
		for (int w = 0; w < 2; w++) {
			s = (struct zxproc_seg){ .addr = zx_ptr(self->rw), .buf = zx_ptr(w ? self->src : buf),
						 .len = LEN, .actual = ZX_SENTINEL, .status = 77 };
			v = (struct zxproc_memv){ .segs = zx_ptr(&s), .nr_segs = 1, .flags = bad[i],
						  .actual = ZX_SENTINEL, .done = 99,
						  .seg_size = sizeof(s) };
			EXPECT_EQ(-EINVAL, zx_ioctl(self->h, w ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV, &v));
			EXPECT_EQ(ZX_SENTINEL, v.actual);
			EXPECT_EQ(99, v.done);
			EXPECT_EQ(ZX_SENTINEL, s.actual);
			EXPECT_EQ(77, s.status);
		}
	}
	ASSERT_UNTOUCHED(self->rw, S_RW);
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
}

/* A batch applies the mode to each segment, each with its own status. */
TEST_F(mode, batches_apply_the_mode_per_segment)
{
	const uint32_t flags[] = { NO_FORCE, EXEC, EXEC | ALL };
	/* Expected status of the write into rw, ro, text, per mode. */
	const int want[3][3] = {
		{ 0, -EACCES, -EACCES }, { 0, -EACCES, 0 }, { 0, -EACCES, 0 },
	};
	struct zxproc_seg s[3];
	struct zxproc_memv v;
	uint8_t buf[LEN];

	for (int m = 0; m < 3; m++) {
		uint8_t *at[3] = { self->rw, self->ro, self->text };

		for (int i = 0; i < 3; i++)
			s[i] = (struct zxproc_seg){ .addr = zx_ptr(at[i]) + m * LEN,
						    .buf = zx_ptr(self->src), .len = LEN };
		v = (struct zxproc_memv){ .segs = zx_ptr(s), .nr_segs = 3, .flags = flags[m],
					  .seg_size = sizeof(s[0]) };
		ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &v)) TH_LOG("mode %#x", flags[m]);
		EXPECT_EQ(3, v.done);
		for (int i = 0; i < 3; i++) {
			EXPECT_EQ(want[m][i], s[i].status) TH_LOG("mode %#x seg %d", flags[m], i);
			EXPECT_EQ(want[m][i] ? 0 : LEN, s[i].actual);
		}
	}
	ASSERT_UNTOUCHED(self->ro, S_RO);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->text) + LEN, self->src, LEN));

	/* READV: PROT_NONE refused under both modes, code read. */
	for (int m = 0; m < 2; m++) {
		s[0] = (struct zxproc_seg){ .addr = zx_ptr(self->none), .buf = zx_ptr(buf), .len = LEN };
		s[1] = (struct zxproc_seg){ .addr = zx_ptr(self->text) + 3 * LEN, .buf = zx_ptr(buf),
					    .len = LEN };
		memset(buf, 0xee, LEN);
		v = (struct zxproc_memv){ .segs = zx_ptr(s), .nr_segs = 2, .flags = flags[m],
					  .seg_size = sizeof(s[0]) };
		ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_READV, &v));
		EXPECT_EQ(-EACCES, s[0].status);
		EXPECT_EQ(0, s[0].actual);
		EXPECT_EQ(0, s[1].status);
		EXPECT_EQ(LEN, s[1].actual);
	}
}

/*
 * force_override=never bounds every mode: without a mode and with
 * FORCE_EXEC or FORCE_FIRST_EXEC, code and read-only data and PROT_NONE
 * are all refused.  The teardown restores "always" on every path.
 */
TEST_F(mode, never_bounds_every_mode)
{
	const uint32_t modes[] = { 0, EXEC, NO_FORCE, ALL, EXEC | ALL, FIRST, FIRST | ALL };
	uint8_t buf[LEN];
	uint64_t n;

	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "never"));
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		EXPECT_EQ(-EACCES, wr(self, self->text, modes[i], &n)) TH_LOG("mode %#x", modes[i]);
		EXPECT_EQ(0, n);
		EXPECT_EQ(-EACCES, wr(self, self->ro, modes[i], &n));
		EXPECT_EQ(-EACCES, rd(self, self->none, modes[i], &n, buf));
		EXPECT_EQ(-1, zx_not_all(buf, 0xee, LEN));
	}
	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "always"));
	ASSERT_UNTOUCHED(self->text, S_TEXT);
	ASSERT_UNTOUCHED(self->ro, S_RO);
	/* And back: forced again. */
	ASSERT_EQ(0, wr(self, self->text, EXEC, &n));
	ASSERT_WRITTEN(self->text, S_TEXT);
	zx_fill(self->src, LEN, S_SRC + 1);
	ASSERT_EQ(0, wr(self, self->text, FIRST, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->text, S_TEXT);
}

/* Page @i of the lay mapping. */
#define LAY(i) (self->lay + (i) * self->page)

/* The target's lay page @i, from byte @from on, holds its own pattern? -1 if so. */
static long lay_untouched(FIXTURE_DATA(mode) *self, int i, size_t from)
{
	uint8_t *want = zx_want(L_PAGES * self->page, S_LAY);
	long d = want ? zx_differs(self->target, zx_ptr(LAY(i)) + from,
				   want + i * self->page + from, self->page - from) : -2;

	free(want);
	return d;
}

/* A write of @len bytes from src at @at; the source buffer is @len long. */
static int wr_len(FIXTURE_DATA(mode) *self, const void *at, const void *src,
		  uint64_t len, uint32_t flags, uint64_t *actual)
{
	return zx_mem(self->h, ZXPROC_IOC_WRITE, zx_ptr(at), (void *)src, len, flags, actual);
}

/*
 * FORCE_FIRST_EXEC: the mapping that holds the first byte decides, and
 * only it is forced.  Code first: forced up to its end; code into
 * read-only data (exec -> data) stops there, as FORCE_EXEC does.
 */
TEST_F(mode, first_exec_forces_the_first_mapping_only)
{
	uint64_t n;

	ASSERT_EQ(0, wr(self, self->text, FIRST, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->text, S_TEXT);
	/* exec -> data: the code part, then a short copy. */
	zx_fill(self->src, LEN, S_SRC + 1);
	ASSERT_EQ(0, wr(self, self->ro - LEN / 2, FIRST, &n));
	EXPECT_EQ(LEN / 2, n);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->ro) - LEN / 2, self->src, LEN / 2));
	ASSERT_UNTOUCHED(self->ro, S_RO);
	EXPECT_EQ(-EACCES, wr(self, self->ro - LEN / 2, FIRST | ALL, &n));
	EXPECT_EQ(0, n);
	/* Read-only data or PROT_NONE first: refused, nothing copied. */
	EXPECT_EQ(-EACCES, wr(self, self->ro, FIRST, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EACCES, wr(self, self->none, FIRST, &n));
	EXPECT_EQ(0, n);
	ASSERT_UNTOUCHED(self->ro, S_RO);
	ASSERT_UNTOUCHED(self->none, S_NONE);
	/* Writable memory is written as it is, unforced. */
	ASSERT_EQ(0, wr(self, self->rw, FIRST, &n));
	EXPECT_EQ(LEN, n);
}

/*
 * Where FORCE_EXEC goes on into code, FORCE_FIRST_EXEC stops: writable
 * memory into code (rw -> exec), and code made writable by its own
 * protection into code that is not (RWX -> RX, Wine's mixed case).
 * Read-only data into code (data -> exec) is refused at its first byte.
 */
TEST_F(mode, first_exec_never_forces_past_the_first_mapping)
{
	const struct {
		int page;		/* the range starts LEN/2 before this page */
		uint32_t flags;
		int ret;
		uint64_t n;
	} c[] = {
		{ L_RX, FIRST, 0, LEN / 2 },		/* rw -> exec */
		{ L_RX, FIRST | ALL, -EACCES, 0 },
		{ L_RX2, FIRST, 0, LEN / 2 },		/* rwx -> rx */
		{ L_RX2, FIRST | ALL, -EACCES, 0 },
		{ L_RX3, FIRST, -EACCES, 0 },		/* data -> exec */
		{ L_RX3, FIRST | ALL, -EACCES, 0 },
	};
	uint64_t n;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint8_t *at = LAY(c[i].page) - LEN / 2;

		EXPECT_EQ(c[i].ret, wr(self, at, c[i].flags, &n)) TH_LOG("case %zu", i);
		EXPECT_EQ(c[i].n, n) TH_LOG("case %zu", i);
		EXPECT_EQ(-1, lay_untouched(self, c[i].page, 0)) TH_LOG("case %zu", i);
		if (c[i].n)
			EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(at), self->src, c[i].n));
	}
	/* The same ranges under FORCE_EXEC: the code after the first mapping is written. */
	ASSERT_EQ(0, wr(self, LAY(L_RX) - LEN / 2, EXEC, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_EQ(0, wr(self, LAY(L_RX2) - LEN / 2, EXEC | ALL, &n));
	EXPECT_EQ(LEN, n);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(LAY(L_RX2)) - LEN / 2, self->src, LEN));
}

/*
 * Code first, then writable memory, then code again: forced in the first
 * mapping, written unforced in the second, stopped at the third.
 */
TEST_F(mode, first_exec_goes_on_into_writable_memory)
{
	size_t len = 2 * self->page + LEN;
	uint8_t *src = malloc(len);
	uint64_t n;

	ASSERT_NE(NULL, src);
	zx_fill(src, len, S_SRC + 2);
	/* From the middle of the RX page, through the RWX page, into RX2. */
	ASSERT_EQ(0, wr_len(self, LAY(L_RX) + self->page / 2, src, len, FIRST, &n));
	EXPECT_EQ(self->page + self->page / 2, n);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(LAY(L_RX)) + self->page / 2, src, n));
	EXPECT_EQ(-1, lay_untouched(self, L_RX2, 0));
	EXPECT_EQ(-1, lay_untouched(self, L_RW, 0));
	EXPECT_EQ(-EACCES, wr_len(self, LAY(L_RX) + self->page / 2, src, len, FIRST | ALL, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-1, lay_untouched(self, L_RX2, 0));
	free(src);
}

/* A batch decides by each segment's own first byte, in a group or alone. */
TEST_F(mode, first_exec_per_segment_in_batches)
{
	const uint32_t flags[] = { FIRST, FIRST | ALL };
	/* rw -> exec, code, read-only data, code at its page's end. */
	const int want_status[2][4] = { { 0, 0, -EACCES, 0 }, { -EACCES, 0, -EACCES, 0 } };
	const uint64_t want_n[2][4] = { { LEN / 2, LEN, 0, LEN }, { 0, LEN, 0, LEN } };
	struct zxproc_seg s[4];
	struct zxproc_memv v;

	for (int m = 0; m < 2; m++) {
		s[0] = (struct zxproc_seg){ .addr = zx_ptr(LAY(L_RX)) - LEN / 2,
					    .buf = zx_ptr(self->src), .len = LEN };
		s[1] = (struct zxproc_seg){ .addr = zx_ptr(self->text) + m * LEN,
					    .buf = zx_ptr(self->src), .len = LEN };
		s[2] = (struct zxproc_seg){ .addr = zx_ptr(self->ro), .buf = zx_ptr(self->src),
					    .len = LEN };
		s[3] = (struct zxproc_seg){ .addr = zx_ptr(LAY(L_RX2)) - LEN,
					    .buf = zx_ptr(self->src), .len = LEN };
		v = (struct zxproc_memv){ .segs = zx_ptr(s), .nr_segs = 4, .flags = flags[m],
					  .seg_size = sizeof(s[0]) };
		ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &v)) TH_LOG("mode %#x", flags[m]);
		EXPECT_EQ(4, v.done);
		for (int i = 0; i < 4; i++) {
			EXPECT_EQ(want_status[m][i], s[i].status) TH_LOG("mode %#x seg %d", flags[m], i);
			EXPECT_EQ(want_n[m][i], s[i].actual) TH_LOG("mode %#x seg %d", flags[m], i);
		}
	}
	EXPECT_EQ(-1, lay_untouched(self, L_RX, 0));
	ASSERT_UNTOUCHED(self->ro, S_RO);
}

/* Tell the target to mprotect its code page ('r' or 'x'); 0 once done. */
static int target_prot(FIXTURE_DATA(mode) *self, char c)
{
	char ok;

	if (write(self->cmd[1], &c, 1) != 1 || read(self->rep[0], &ok, 1) != 1)
		return -1;
	return ok == 'k' ? 0 : -1;
}

/*
 * The decision follows the mapping as it is at each call: code turned
 * into read-only data between two calls is refused, and written again
 * once executable again.
 */
TEST_F(mode, force_exec_follows_mprotect_between_calls)
{
	uint64_t n;

	ASSERT_EQ(0, wr(self, self->text, EXEC, &n));
	ASSERT_WRITTEN(self->text, S_TEXT);
	zx_fill(self->src, LEN, S_SRC + 1);
	ASSERT_EQ(0, target_prot(self, 'r'));
	EXPECT_EQ(-EACCES, wr(self, self->text, EXEC, &n));
	EXPECT_EQ(0, n);
	EXPECT_EQ(-EACCES, wr(self, self->text, EXEC | ALL, &n));
	EXPECT_EQ(0, n);
	zx_fill(self->src, LEN, S_SRC);
	ASSERT_WRITTEN(self->text, S_TEXT);	/* still the first write */
	zx_fill(self->src, LEN, S_SRC + 1);
	ASSERT_EQ(0, target_prot(self, 'x'));
	ASSERT_EQ(0, wr(self, self->text, EXEC, &n));
	EXPECT_EQ(LEN, n);
	ASSERT_WRITTEN(self->text, S_TEXT);
}

TEST_HARNESS_MAIN

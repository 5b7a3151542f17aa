// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_MEM_NO_FAULT: reads that copy only what the target's page
 * tables map, stop with the exact count at the first page that is not
 * there, and change nothing in the target.
 *
 * The target inherits, at known addresses:
 *  - ANON: 8 anonymous pages; the test wrote pages 0-2 before the fork
 *    (so the target maps them shared copy-on-write, which a read pin
 *    would have to unshare), the target writes page 5 itself; pages 3,
 *    4, 6 and 7 were never touched.
 *  - FILE: a shared memfd of FILE_PAGES pages: pages 0, 1 and CACHED
 *    written into the page cache, the rest holes; the target reads pages
 *    0 and 1, so page CACHED is in the page cache but not in the
 *    target's page tables (far enough from page 0 that the kernel's
 *    fault-around, which maps the cached neighbours of a faulting page,
 *    does not reach it).
 *  - UF: 4 anonymous pages, page 0 written before the fork, the whole
 *    range registered by the target with userfaultfd for missing pages,
 *    with no handler at all: a faulting read would wait forever.
 *
 * "Changes nothing" is read from the target's /proc files before and
 * after: minflt and majflt (stat), VmRSS (status) and Rss
 * (smaps_rollup, an exact walk of the page tables), and from the memfd:
 * its allocated blocks.  The same read without the flag is then seen to
 * change them, so the counters are known to notice a fault of ours.
 */
#include <linux/userfaultfd.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define ANON_PAGES 8
#define FILE_PAGES 68
#define CACHED 40
#define UF_PAGES 4
enum { SEED_ANON = 5, SEED_OWN = 6, SEED_FILE = 7, SEED_UF = 8 };

struct layout {
	size_t page;
	uint8_t *anon, *file, *uf;
};

/* The target's part: touch its own pages, register UF. */
static int target_prep(void *arg)
{
	struct layout *l = arg;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { zx_ptr(l->uf), UF_PAGES * l->page },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	volatile uint8_t sink;
	int uffd;

	zx_fill(l->anon + 5 * l->page, l->page, SEED_OWN);
	sink = l->file[0];
	sink = l->file[l->page];
	(void)sink;
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api) ||
	    ioctl(uffd, UFFDIO_REGISTER, &reg))
		return -1;
	return 0;	/* the descriptor stays open while the target waits */
}

/* What the target's /proc says about its memory. */
struct counters {
	unsigned long minflt, majflt, vmrss_kb, rss_kb;
};

static int read_counters(pid_t pid, struct counters *c)
{
	char path[64], line[512];
	unsigned long v;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	/* Fields 10 and 12, after the ")" that ends the command name. */
	if (fgets(line, sizeof(line), f)) {
		char *p = strrchr(line, ')');

		if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu",
				&c->minflt, &c->majflt) == 2)
			ok++;
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &v) == 1) {
			c->vmrss_kb = v;
			ok++;
		}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Rss: %lu kB", &v) == 1) {
			c->rss_kb = v;
			ok++;
		}
	fclose(f);
	return ok == 3 ? 0 : -EINVAL;
}

FIXTURE(nf) {
	struct layout l;
	pid_t target;
	int h, memfd;
	size_t page;
	uint8_t *buf;
	struct counters before;
	struct stat st;
};

FIXTURE_SETUP(nf)
{
	uint8_t *data;

	self->page = self->l.page = zx_page();
	self->buf = malloc(FILE_PAGES * self->page);
	ASSERT_NE(NULL, self->buf);

	self->l.anon = mmap(NULL, ANON_PAGES * self->page, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->l.anon);
	zx_fill(self->l.anon, 3 * self->page, SEED_ANON);

	self->memfd = memfd_create("zx-nofault", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, FILE_PAGES * self->page));
	data = zx_want((CACHED + 1) * self->page, SEED_FILE);
	ASSERT_NE(NULL, data);
	ASSERT_EQ((ssize_t)(2 * self->page),
		  pwrite(self->memfd, data, 2 * self->page, 0));
	ASSERT_EQ((ssize_t)self->page,
		  pwrite(self->memfd, data + CACHED * self->page, self->page,
			 CACHED * self->page));
	free(data);
	self->l.file = mmap(NULL, FILE_PAGES * self->page, PROT_READ,
			    MAP_SHARED, self->memfd, 0);
	ASSERT_NE(MAP_FAILED, self->l.file);

	self->l.uf = mmap(NULL, UF_PAGES * self->page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->l.uf);
	zx_fill(self->l.uf, self->page, SEED_UF);

	self->target = zx_target_prep(target_prep, &self->l);
	ASSERT_LT(0, self->target);
	self->h = zx_handle(self->target, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h);
	ASSERT_EQ(0, read_counters(self->target, &self->before));
	ASSERT_EQ(0, fstat(self->memfd, &self->st));
}

FIXTURE_TEARDOWN(nf)
{
	zx_reap(self->target);
	free(self->buf);
}

/* Nothing in the target changed: counters and the memfd's blocks. */
#define ASSERT_UNDISTURBED() do { \
	struct counters now; \
	struct stat st; \
	ASSERT_EQ(0, read_counters(self->target, &now)); \
	ASSERT_EQ(self->before.minflt, now.minflt); \
	ASSERT_EQ(self->before.majflt, now.majflt); \
	ASSERT_EQ(self->before.vmrss_kb, now.vmrss_kb); \
	ASSERT_EQ(self->before.rss_kb, now.rss_kb); \
	ASSERT_EQ(0, fstat(self->memfd, &st)); \
	ASSERT_EQ(self->st.st_blocks, st.st_blocks); \
} while (0)

static int nf_read(int h, const void *addr, void *buf, size_t len,
		   uint32_t flags, uint64_t *actual)
{
	return zx_mem(h, ZXPROC_IOC_READ, zx_ptr(addr), buf, len,
		      ZXPROC_MEM_NO_FAULT | flags, actual);
}

/* @buf holds pattern @seed from byte @from on, for @len bytes. */
static bool holds(const uint8_t *buf, size_t len, unsigned int seed,
		  size_t from)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != zx_pattern_byte(seed, from + i))
			return false;
	return true;
}

/* Anonymous memory: copy-on-write shared pages read, untouched ones not. */
TEST_F(nf, anon_stops_at_first_absent_page)
{
	size_t pg = self->page;
	uint64_t actual;

	memset(self->buf, 0xaa, ANON_PAGES * pg);
	ASSERT_EQ(0, nf_read(self->h, self->l.anon + 100, self->buf,
			     ANON_PAGES * pg - 100, 0, &actual));
	ASSERT_EQ(3 * pg - 100, actual);
	ASSERT_TRUE(holds(self->buf, actual, SEED_ANON, 100));
	ASSERT_EQ(-1, zx_not_all(self->buf + actual, 0xaa,
				 ANON_PAGES * pg - 100 - actual));
	/* First page absent: EAGAIN, nothing copied. */
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.anon + 3 * pg, self->buf,
				   pg, 0, &actual));
	ASSERT_EQ(0U, actual);
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.anon + 4 * pg + 8,
				   self->buf, 2 * pg, 0, &actual));
	/* The target's own page, then the absent one after it. */
	ASSERT_EQ(0, nf_read(self->h, self->l.anon + 5 * pg, self->buf, 3 * pg,
			     0, &actual));
	ASSERT_EQ(pg, actual);
	ASSERT_TRUE(holds(self->buf, pg, SEED_OWN, 0));
	ASSERT_UNDISTURBED();
}

/* A file page in the page cache but not in the target's page tables. */
TEST_F(nf, file_pages)
{
	size_t pg = self->page;
	uint64_t actual;

	ASSERT_EQ(0, nf_read(self->h, self->l.file, self->buf, 4 * pg, 0,
			     &actual));
	ASSERT_EQ(2 * pg, actual);
	ASSERT_TRUE(holds(self->buf, actual, SEED_FILE, 0));
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.file + CACHED * pg,
				   self->buf, pg, 0, &actual));
	/* Holes: a fault would allocate them; a no-fault read must not. */
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.file + 2 * pg, self->buf,
				   (FILE_PAGES - 2) * pg, 0, &actual));
	ASSERT_EQ(0U, actual);
	ASSERT_UNDISTURBED();
}

/* Userfaultfd with no handler: no-fault reads return, never wait. */
TEST_F(nf, uffd_missing_does_not_stall)
{
	size_t pg = self->page;
	uint64_t actual;

	ASSERT_EQ(0, nf_read(self->h, self->l.uf, self->buf, UF_PAGES * pg, 0,
			     &actual));
	ASSERT_EQ(pg, actual);
	ASSERT_TRUE(holds(self->buf, pg, SEED_UF, 0));
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.uf + pg, self->buf, pg, 0,
				   &actual));
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.uf + pg, self->buf, pg,
				   ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	ASSERT_UNDISTURBED();
}

/* Batches: each segment its own short count or EAGAIN. */
TEST_F(nf, batch_per_segment)
{
	size_t pg = self->page;
	struct zxproc_seg segs[6] = {
		{ .addr = zx_ptr(self->l.anon), .len = ANON_PAGES * pg },
		{ .addr = zx_ptr(self->l.anon + 4 * pg), .len = pg },
		{ .addr = zx_ptr(self->l.file), .len = 4 * pg },
		{ .addr = zx_ptr(self->l.uf), .len = UF_PAGES * pg },
		{ .addr = 0x1000, .len = pg },	/* never mapped */
		{ .addr = zx_ptr(self->l.anon + 5 * pg), .len = pg },
	};
	uint64_t want_actual[6] = { 3 * pg, 0, 2 * pg, pg, 0, pg };
	int32_t want_status[6] = { 0, -EAGAIN, 0, 0, -ENOMEM, 0 };
	struct zxproc_memv req = {
		.segs = zx_ptr(segs), .nr_segs = 6,
		.flags = ZXPROC_MEM_NO_FAULT, .seg_size = sizeof(segs[0]),
	};
	uint8_t *bufs = malloc(6 * ANON_PAGES * pg);
	int i;

	ASSERT_NE(NULL, bufs);
	for (i = 0; i < 6; i++)
		segs[i].buf = zx_ptr(bufs + i * ANON_PAGES * pg);
	ASSERT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_READV, &req));
	ASSERT_EQ(6U, req.done);
	ASSERT_EQ(7 * pg, req.actual);
	for (i = 0; i < 6; i++) {
		TH_LOG("segment %d", i);
		ASSERT_EQ(want_status[i], segs[i].status);
		ASSERT_EQ(want_actual[i], segs[i].actual);
	}
	ASSERT_TRUE(holds(bufs, 3 * pg, SEED_ANON, 0));
	ASSERT_TRUE(holds(bufs + 2 * ANON_PAGES * pg, 2 * pg, SEED_FILE, 0));
	ASSERT_TRUE(holds(bufs + 5 * ANON_PAGES * pg, pg, SEED_OWN, 0));
	free(bufs);
	ASSERT_UNDISTURBED();
}

/* All or nothing: every page present, or EAGAIN with nothing copied. */
TEST_F(nf, all_or_nothing)
{
	size_t pg = self->page;
	uint64_t actual;

	memset(self->buf, 0xaa, ANON_PAGES * pg);
	ASSERT_EQ(-EAGAIN, nf_read(self->h, self->l.anon, self->buf,
				   4 * pg, ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	ASSERT_EQ(0U, actual);
	ASSERT_EQ(-1, zx_not_all(self->buf, 0xaa, ANON_PAGES * pg));
	ASSERT_EQ(0, nf_read(self->h, self->l.anon, self->buf, 3 * pg,
			     ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	ASSERT_EQ(3 * pg, actual);
	ASSERT_TRUE(holds(self->buf, 3 * pg, SEED_ANON, 0));
	ASSERT_UNDISTURBED();
}

/* Writes refuse the flag, single and batched; nothing is written. */
TEST_F(nf, write_is_einval)
{
	struct zxproc_seg seg = {
		.addr = zx_ptr(self->l.anon), .buf = zx_ptr(self->buf),
		.len = 8, .actual = ZX_SENTINEL, .status = 77,
	};
	struct zxproc_memv req = {
		.segs = zx_ptr(&seg), .nr_segs = 1,
		.flags = ZXPROC_MEM_NO_FAULT, .seg_size = sizeof(seg),
	};
	uint64_t actual;

	memset(self->buf, 0xee, 8);
	ASSERT_EQ(-EINVAL, zx_mem(self->h, ZXPROC_IOC_WRITE,
				  zx_ptr(self->l.anon), self->buf, 8,
				  ZXPROC_MEM_NO_FAULT, &actual));
	ASSERT_EQ(ZX_SENTINEL, actual);
	ASSERT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &req));
	ASSERT_EQ(ZX_SENTINEL, seg.actual);
	ASSERT_EQ(77, seg.status);
	ASSERT_EQ(0, nf_read(self->h, self->l.anon, self->buf, 8, 0, &actual));
	ASSERT_TRUE(holds(self->buf, 8, SEED_ANON, 0));
}

/*
 * The counters notice our faults: the same reads without the flag map
 * the page-cache page and allocate the holes (so ASSERT_UNDISTURBED()
 * would fail if a no-fault read had faulted).
 */
TEST_F(nf, counters_see_faulting_reads)
{
	size_t pg = self->page;
	struct counters now;
	struct stat st;
	uint64_t actual;

	ASSERT_EQ(0, zx_read(self->h, zx_ptr(self->l.file + 2 * pg), self->buf,
			     (FILE_PAGES - 2) * pg, &actual));
	ASSERT_EQ((FILE_PAGES - 2) * pg, actual);
	ASSERT_EQ(0, read_counters(self->target, &now));
	ASSERT_LT(self->before.rss_kb, now.rss_kb);
	ASSERT_LT(self->before.vmrss_kb, now.vmrss_kb);
	ASSERT_EQ(0, fstat(self->memfd, &st));
	ASSERT_LT(self->st.st_blocks, st.st_blocks);
	/* And now present, the same range reads whole without faulting. */
	ASSERT_EQ(0, nf_read(self->h, self->l.file, self->buf, FILE_PAGES * pg,
			     0, &actual));
	ASSERT_EQ(FILE_PAGES * pg, actual);
}

/* A target that exited: ESTALE, as for every read. */
TEST_F(nf, stale)
{
	uint64_t actual;

	ASSERT_EQ(0, kill(self->target, SIGKILL));
	ASSERT_EQ(0, waitid(P_PID, self->target, NULL, WEXITED | WNOWAIT));
	ASSERT_EQ(-ESTALE, nf_read(self->h, self->l.anon, self->buf,
				   self->page, 0, &actual));
	ASSERT_EQ(0U, actual);
}

TEST_HARNESS_MAIN

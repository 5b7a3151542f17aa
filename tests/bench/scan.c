// SPDX-License-Identifier: GPL-2.0
/*
 * The scan of issue 19: a memory scanner reads 1 GiB of another process
 * in 64 KiB pieces.  zxproc reads them batched (ZXPROC_IOC_READV, 1024
 * segments of 64 KiB per call, ZXPROC_MEM_NO_FAULT); process_vm_readv
 * gets the same 1024 pieces per call as iovecs; /proc/PID/mem is read
 * with one pread per piece.  Two targets: every page written
 * (resident), and every other 64 KiB block written, the rest never
 * touched (half-resident).  zxproc then copies only the resident half
 * and changes nothing; the peers fault the other half in (the shared
 * zero page for anonymous memory: page tables, no memory), which is why
 * zxproc is measured first there.  The target's Rss (smaps_rollup) is
 * shown before and after each method.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define SCAN_LEN (1024 * MIB)
#define SCAN_PIECE (64 * KIB)
/* Pieces per call: 64 MiB, ZXPROC_MAX_TRANSFER; IOV_MAX iovecs. */
#define SCAN_BATCH 1024
#define SCAN_CALL (SCAN_BATCH * SCAN_PIECE)

struct scan {
	pid_t pid;
	uintptr_t base;
	int zxfd, memfd;
	unsigned char *buf;	/* SCAN_CALL bytes, every page written */
	struct zxproc_seg segs[SCAN_BATCH];
	struct iovec local[SCAN_BATCH], remote[SCAN_BATCH];
};

/* Fork the target: it writes every block, or every other one, then waits. */
static void scan_start(struct scan *s, bool half)
{
	struct zxproc_open req = { .rights = ZXPROC_RIGHT_READ };
	char path[64], ok;
	void *p;
	int fds[2], dev;

	p = mmap(NULL, SCAN_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap of the 1 GiB scan region: %m");
	/* A huge page would make a whole 2 MiB resident at the first write. */
	if (madvise(p, SCAN_LEN, MADV_NOHUGEPAGE))
		die("MADV_NOHUGEPAGE: %m");
	s->base = (uintptr_t)p;
	if (pipe(fds))
		die("pipe: %m");
	s->pid = fork();
	if (s->pid < 0)
		die("fork: %m");
	if (s->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (size_t off = 0; off < SCAN_LEN; off += SCAN_PIECE)
			if (!half || (off / SCAN_PIECE) % 2 == 0)
				memset((char *)p + off, (int)(off >> 16) | 1, SCAN_PIECE);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(fds[1]);
	if (read(fds[0], &ok, 1) != 1)
		die("the scan target did not start");
	close(fds[0]);
	munmap(p, SCAN_LEN);	/* ours was never touched */

	dev = open("/dev/" ZXPROC_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/zxproc: %m");
	req.pid = s->pid;
	s->zxfd = ioctl(dev, ZXPROC_IOC_PROCESS_OPEN, &req);
	if (s->zxfd < 0)
		die("ZXPROC_IOC_PROCESS_OPEN: %m");
	close(dev);
	snprintf(path, sizeof(path), "/proc/%d/mem", s->pid);
	s->memfd = open(path, O_RDONLY | O_CLOEXEC);
	if (s->memfd < 0)
		die("%s: %m", path);
}

static void scan_end(struct scan *s)
{
	close(s->zxfd);
	close(s->memfd);
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
}

/* The target's Rss in KiB, from smaps_rollup (an exact page-table walk). */
static long scan_rss(const struct scan *s)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", s->pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Rss: %ld kB", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* One whole scan by each method: the bytes it copied. */
static uint64_t scan_zx(struct scan *s)
{
	uint64_t total = 0;

	for (size_t call = 0; call < SCAN_LEN; call += SCAN_CALL) {
		struct zxproc_memv v = {
			.segs = (uintptr_t)s->segs, .nr_segs = SCAN_BATCH,
			.flags = ZXPROC_MEM_NO_FAULT,
			.seg_size = sizeof(s->segs[0]),
		};

		for (size_t i = 0; i < SCAN_BATCH; i++)
			s->segs[i] = (struct zxproc_seg){
				.addr = s->base + call + i * SCAN_PIECE,
				.buf = (uintptr_t)(s->buf + i * SCAN_PIECE),
				.len = SCAN_PIECE,
			};
		if (ioctl(s->zxfd, ZXPROC_IOC_READV, &v) || v.done != SCAN_BATCH)
			die("ZXPROC_IOC_READV of the scan: %m (done %u)", v.done);
		for (size_t i = 0; i < SCAN_BATCH; i++)
			if (s->segs[i].status && s->segs[i].status != -EAGAIN)
				die("scan segment status %d", s->segs[i].status);
		total += v.actual;
	}
	return total;
}

static uint64_t scan_pvm(struct scan *s)
{
	uint64_t total = 0;

	for (size_t call = 0; call < SCAN_LEN; call += SCAN_CALL) {
		ssize_t n;

		for (size_t i = 0; i < SCAN_BATCH; i++) {
			s->local[i] = (struct iovec){ s->buf + i * SCAN_PIECE, SCAN_PIECE };
			s->remote[i] = (struct iovec){
				(void *)(s->base + call + i * SCAN_PIECE), SCAN_PIECE };
		}
		n = process_vm_readv(s->pid, s->local, SCAN_BATCH, s->remote,
				     SCAN_BATCH, 0);
		if (n != (ssize_t)SCAN_CALL)
			die("process_vm_readv of the scan returned %zd: %m", n);
		total += (uint64_t)n;
	}
	return total;
}

static uint64_t scan_mem(struct scan *s)
{
	uint64_t total = 0;

	for (size_t off = 0; off < SCAN_LEN; off += SCAN_PIECE) {
		ssize_t n = pread(s->memfd, s->buf + off % SCAN_CALL, SCAN_PIECE,
				  (off_t)(s->base + off));

		if (n != (ssize_t)SCAN_PIECE)
			die("pread of /proc/PID/mem returned %zd: %m", n);
		total += (uint64_t)n;
	}
	return total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct scan_row {
	const char *label;
	uint64_t (*run)(struct scan *s);
	uint64_t bytes;
	long rss_before, rss_after;
	double median, min;
};

/* @n whole scans by @r: their median and minimum. */
static void scan_measure(struct scan *s, struct scan_row *r, size_t n)
{
	double *ns = calloc(n, sizeof(*ns));

	if (!ns)
		die("out of memory");
	r->rss_before = scan_rss(s);
	for (size_t i = 0; i < n; i++) {
		double t0 = now_ns();

		r->bytes = r->run(s);
		ns[i] = now_ns() - t0;
	}
	r->rss_after = scan_rss(s);
	qsort(ns, n, sizeof(*ns), cmp_double);
	r->median = ns[n / 2];
	r->min = ns[0];
	free(ns);
}

static void scan_table(FILE *f, const char *title, struct scan_row *r,
		       size_t nr)
{
	char a[32], b[32];

	fprintf(f, "### %s\n\n", title);
	fprintf(f, "| method | bytes copied per scan | median | min | target Rss before / after | ratio (median, min) |\n");
	fprintf(f, "|:--|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < nr; i++)
		fprintf(f, "| %s | %llu MiB | %s | %s | %ld / %ld MiB | %.2f, %.2f |\n",
			r[i].label, (unsigned long long)(r[i].bytes / MIB),
			fmt_time(a, sizeof(a), r[i].median),
			fmt_time(b, sizeof(b), r[i].min),
			r[i].rss_before / 1024, r[i].rss_after / 1024,
			r[i].median / r[0].median, r[i].min / r[0].min);
	fputs("\n", f);
}

void run_scan(FILE *f, size_t samples)
{
	static const char *const titles[] = {
		"Scan: 1 GiB in 64 KiB pieces, every page resident",
		"Scan: 1 GiB in 64 KiB pieces, every other 64 KiB block resident",
	};
	struct scan *s = malloc(sizeof(*s));

	if (!s)
		die("out of memory");
	s->buf = malloc(SCAN_CALL);
	if (!s->buf)
		die("out of memory");
	memset(s->buf, 0x5a, SCAN_CALL);
	fputs("## Scan (issue 19)\n\n"
	      "A ratio is the method's time over zxproc's (above 1, zxproc is faster).\n\n", f);
	for (int half = 0; half < 2; half++) {
		struct scan_row rows[] = {
			{ .label = "zxproc READV, NO_FAULT (1024 x 64 KiB per call)",
			  .run = scan_zx },
			{ .label = "process_vm_readv (1024 x 64 KiB per call)",
			  .run = scan_pvm },
			{ .label = "pread /proc/PID/mem (64 KiB per call)",
			  .run = scan_mem },
		};

		fprintf(stderr, "zxbench: scan, %s\n", half ? "half resident" : "resident");
		scan_start(s, half);
		/* zxproc first: the peers fault the absent half in. */
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			scan_measure(s, &rows[i], samples);
		scan_end(s);
		scan_table(f, titles[half], rows, sizeof(rows) / sizeof(rows[0]));
	}
	free(s->buf);
	free(s);
}

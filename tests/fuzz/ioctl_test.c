// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer for the ioctls of uapi/linux/zxproc.h, with oracles that let
 * it fail.
 *
 * Every command of the interface (GET_VERSION, PROCESS_OPEN, INFO,
 * DUPLICATE, WRITE, READ, WRITEV, READV) and commands that are none of
 * them go to the kernel with random and boundary values: struct sizes
 * encoded in the command below, at and above the struct (zero and
 * non-zero tails), wrong directions, struct pointers that are NULL,
 * unmapped, read-only, kernel addresses or cut short by a hole; every
 * flag bit, unknown bits and ~0; rights subsets, SAME_RIGHTS and unknown
 * bits; target addresses in a prepared window (read-write, read-only,
 * PROT_NONE, private file text, a shared read-only mapping, a page past
 * the end of its file, holes), NULL, kernel and non-canonical addresses,
 * the end of the user address space, ranges that wrap, the vDSO's
 * VM_PFNMAP data; lengths 0, 1, page-1/page/page+1, 64 MiB-1/64 MiB/
 * 64 MiB+1, 2^32, ~0; caller buffers that are NULL, unmapped, read-only,
 * PROT_NONE, kernel addresses, or end early; segment arrays of 0, 1, 1024
 * and 1025 entries, unreadable, cut short, read-only, totals over 64 MiB;
 * descriptors of the device used as a handle and the other way round,
 * closed descriptors, other kinds of file, dup(2)ed handles, handles
 * with fewer rights and handles whose process is gone.
 *
 * Oracles, checked after every call:
 *  (a) the result is success or an errno the header documents for that
 *      command (EBADF only for a closed descriptor);
 *  (b) a model of the contract predicts the outcome exactly: which
 *      errors are possible (several when several rules are broken at
 *      once: the header does not order them), and for a memory access
 *      the exact byte count, from the kinds of the pages on both sides;
 *  (c) the target's memory: a child holds the window; the fuzzer keeps a
 *      shadow copy, updated for exactly the bytes a write reports; every
 *      FZ_VERIFY_EVERY calls and at the end the whole window, read
 *      through /proc/PID/mem (never through zxproc), must equal the
 *      shadow, including two guard pages behind holes that nothing may
 *      reach, and the holes must still be holes; the files behind the
 *      text and the shared page never change;
 *  (d) reads return the shadow's bytes for exactly the reported count,
 *      and leave every other byte of the caller's memory alone;
 *  (e) structs: only the documented out fields change (actual, done, the
 *      results of the segments reported done), nothing around them;
 *      GET_VERSION and INFO report the truth and zero a longer tail;
 *  (f) every new handle is close-on-exec and INFO describes it;
 *  (g) no descriptor leaks; the fuzzer's own copy of the window is
 *      untouched, and so is a root-owned bystander process;
 *  (h) the kernel log is checked by tests/vm/run (any WARNING, BUG or
 *      KASAN report fails the run).
 *
 * Callers (tests): root with its own /dev/zxproc descriptor; nobody (uid
 * 65534, no capabilities) with a descriptor root opened before the drop;
 * nobody with a descriptor it opened itself (a private 0666 node of the
 * device); root using a descriptor nobody opened; root without
 * CAP_SYS_PTRACE.  An unprivileged caller must be refused (EPERM) every
 * process but its own, including its own child and root's processes;
 * it may open itself, and such a handle writes into it and nowhere else;
 * its target is its own child, which mints a handle to itself and hands
 * it over (a handle is a capability).
 *
 * The seed is printed; ZXPROC_FUZZ_SEED=N reproduces a run,
 * ZXPROC_FUZZ_ITERS=N sets the number of calls per test (default
 * FZ_DEFAULT_ITERS), ZXPROC_FUZZ_SECONDS=N the time after which a test
 * stops early and says so (default FZ_DEFAULT_SECONDS, for slow debug
 * kernels), and ZXPROC_FUZZ_ONLY=NAME runs one test only (the others
 * SKIP).  A failure prints the last calls made and how to reproduce it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define FZ_DEFAULT_ITERS	30000
/* ... unless a slow kernel (KASAN, lockdep) takes longer than this per
 * test: 5 tests fit in tests/run-suites' 300 s either way. */
#define FZ_DEFAULT_SECONDS	45
#define FZ_VERIFY_EVERY		16
/* x86-64's user address space ends here (4-level paging). */
#define FZ_USER_END		0x00007ffffffff000ULL
#define FZ_MAX			ZXPROC_MAX_TRANSFER

/* The window in the target, page by page. */
enum kind { K_HOLE, K_RW, K_RO, K_NONE, K_TEXT, K_SHRO, K_EOF, K_GUARD };
static const char *const kind_name[] = {
	"hole", "rw", "ro", "prot-none", "text", "shared-ro", "past-eof", "guard",
};
#define NPAGES 15
static const enum kind win_kind[NPAGES] = {
	K_GUARD, K_HOLE, K_RW, K_RW, K_RW, K_RW, K_RO, K_NONE, K_RW,
	K_TEXT, K_SHRO, K_RW, K_EOF, K_HOLE, K_GUARD,
};
/* Pages addresses are drawn from: the guards are reachable only by
 * jumping a hole. */
#define WIN_FIRST 1
#define WIN_LAST 13

#define CB_PAGES 16		/* caller buffers: then hole, ro, none, hole */
#define ARENA_PAGES 5		/* argument structs: then hole, ro */
/*
 * The hole is longer than the longest struct: the kernel reads a struct's
 * tail before its head (copy_struct_from_user()), so a struct that starts
 * in the hole must not reach readable memory behind it.
 */
#define ARENA_HOLE 5
_Static_assert(ARENA_HOLE * 4096 > _IOC_SIZEMASK + 4096, "the arena's hole covers any struct");
#define SEGS_MAX (ZXPROC_MAX_SEGMENTS + 1)
#define SEGS_PAGES 9		/* SEGS_MAX segments fit, then a hole */
#define ARG_MAX_SIZE _IOC_SIZEMASK
#define POOL_MAX 12
#define RING 40
#define ES_MAX 8

enum cmdi { C_VERSION, C_OPEN, C_INFO, C_DUP, C_WRITE, C_READ, C_WRITEV,
	    C_READV, C_UNKNOWN, NCMDS };
static const char *const cmd_name[NCMDS] = {
	"GET_VERSION", "PROCESS_OPEN", "INFO", "DUPLICATE", "WRITE", "READ",
	"WRITEV", "READV", "unknown",
};
static const unsigned long cmd_known[NCMDS] = {
	ZXPROC_IOC_GET_VERSION, ZXPROC_IOC_PROCESS_OPEN, ZXPROC_IOC_INFO,
	ZXPROC_IOC_DUPLICATE, ZXPROC_IOC_WRITE, ZXPROC_IOC_READ,
	ZXPROC_IOC_WRITEV, ZXPROC_IOC_READV, 0,
};

/*
 * The errors uapi/linux/zxproc.h documents per command.  GET_VERSION's
 * are not listed there; EFAULT (bad pointer) and ENOTTY (wrong
 * descriptor or command) are the ones every command has.
 */
static const int doc_version[] = { EFAULT, ENOTTY, 0 };
static const int doc_open[] = { EINVAL, ESRCH, EPERM, EOPNOTSUPP, ESTALE,
	EINTR, EMFILE, ENFILE, ENOMEM, EFAULT, E2BIG, ENOTTY, 0 };
static const int doc_info[] = { EFAULT, ENOTTY, 0 };
static const int doc_dup[] = { EACCES, EINVAL, EMFILE, ENFILE, ENOMEM,
	EFAULT, E2BIG, ENOTTY, 0 };
static const int doc_mem[] = { EACCES, EINVAL, ENOMEM, EIO, ESTALE, EFAULT,
	EINTR, ENOTTY, E2BIG, 0 };
static const int doc_unknown[] = { ENOTTY, 0 };
static const int *const cmd_doc[NCMDS] = {
	doc_version, doc_open, doc_info, doc_dup, doc_mem, doc_mem, doc_mem,
	doc_mem, doc_unknown,
};

/* Outcomes counted per command, for the summary and the coverage check. */
static const int tracked[] = { EINVAL, E2BIG, ENOTTY, EACCES, EFAULT, ENOMEM,
	EIO, ESTALE, EPERM, ESRCH, EOPNOTSUPP, EBADF };
#define NTRACKED (sizeof(tracked) / sizeof(tracked[0]))
enum { O_OK, O_SHORT, O_OTHER, O_ERR0 };
#define NOUT (O_ERR0 + NTRACKED)

/* Kinds of descriptor an ioctl can be sent to. */
enum fdk { FD_DEV, FD_HANDLE, FD_OTHER, FD_CLOSED };

struct hslot {
	int fd;
	uint32_t rights;
	bool stale;	/* its process is gone */
	bool fixed;	/* the main and the stale handle: closed at the end */
};

struct pick {
	int fd;
	enum fdk kind;
	struct hslot *slot;
};

/* A set of acceptable errnos. */
struct eset {
	int e[ES_MAX];
	int n;
};

/* An argument struct as passed: where, how big, what is accessible. */
struct arg {
	uint8_t *p;
	size_t usize;
	size_t rd, wr;		/* readable / writable bytes from p (<= usize) */
	uint8_t img[ARG_MAX_SIZE + 1];
	uint8_t *snap_at;	/* a copy of the memory around it */
	size_t snap_len;
	uint8_t snap[ARG_MAX_SIZE + 256];
};

/* The predicted outcome of one range (WRITE, READ, or one segment). */
struct rout {
	int err;		/* 0: success (complete or short) */
	int alt;		/* another acceptable errno, same effects */
	uint64_t lo, hi;	/* byte count, lo..hi inclusive */
};

/* Who calls, and with which descriptor of the device. */
enum who { W_ROOT, W_NOBODY, W_NOPTRACE };
enum devk { DEV_ROOT, DEV_OWN, DEV_NOBODY };
struct mode {
	const char *name;
	bool unpriv;		/* runs in a child, may open only itself */
	enum who who;		/* root, uid 65534, or root without CAP_SYS_PTRACE */
	enum devk dev;		/* who opened the device: root, the caller, nobody */
};

struct fuzzer {
	const struct mode *mode;
	uint64_t seed, iters, op;
	bool clean;		/* this call: valid arguments, one good handle */
	bool priv;		/* may open other processes */
	bool force_write;
	size_t pg;
	int dev;		/* /dev/zxproc as this caller holds it */
	pid_t target;		/* the shadowed process */
	int tmem;		/* its /proc/PID/mem */
	pid_t rootp;		/* a root-owned bystander (same window) */
	pid_t zombie;		/* a root-owned zombie */
	pid_t tid;		/* a second thread of ours */
	pid_t kthread;		/* kthreadd, or 0 */
	pid_t pid_max;
	uint8_t *win, *cb, *arena, *segs, *segs_ro;
	uint8_t *init;		/* the targets' window content */
	uint8_t *shadow;	/* what the target's window must hold */
	uint8_t *own;		/* what our own window must hold */
	uint8_t *cb_before, *cb_expect, *tmp;
	int mfd_text, mfd_shro, mfd_eof;
	uint64_t vvar;
	uint64_t outside[48];
	int nout;
	struct { uint64_t start, end; } maps[256];
	int nmaps;
	struct hslot pool[POOL_MAX];
	int npool;
	int other[8];
	int nother;
	int pidfd;		/* one of other[] */
	int closed_fd;
	long long budget_ms;
	bool stopped;		/* by the time budget */
	char ring[RING][320];
	unsigned int counts[NCMDS][NOUT];
	long long t0;
};

static struct fuzzer fz;
static struct arg A;
static struct zxproc_seg segv[SEGS_MAX];
static uint8_t selfbuf[256];
static uint64_t base_seed;

/* ---- randomness ---------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool pct(unsigned int p)
{
	return below(100) < p;
}

static void fill_random(void *p, size_t len)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t v = rnd();

		memcpy(b + i, &v, 8);
	}
	for (; i < len; i++)
		b[i] = (uint8_t)rnd();
}

static void __attribute__((constructor)) seed_once(void)
{
	const char *s = getenv("ZXPROC_FUZZ_SEED");
	struct timespec ts;

	if (s && *s) {
		base_seed = strtoull(s, NULL, 0);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	base_seed = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
		    ((uint64_t)getpid() << 16);
}

static uint64_t iterations(void)
{
	const char *s = getenv("ZXPROC_FUZZ_ITERS");

	return s && *s ? strtoull(s, NULL, 0) : FZ_DEFAULT_ITERS;
}

/* A test stops early, saying so, after this many seconds. */
static long long time_budget_ms(void)
{
	const char *s = getenv("ZXPROC_FUZZ_SECONDS");

	return (s && *s ? strtoll(s, NULL, 0) : FZ_DEFAULT_SECONDS) * 1000;
}

/* ---- reporting ----------------------------------------------------------- */

static char *ring_now(void)
{
	return fz.ring[fz.op % RING];
}

static void __attribute__((format(printf, 1, 2))) note(const char *fmt, ...)
{
	char *r = ring_now();
	size_t n = strlen(r);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r + n, sizeof(fz.ring[0]) - n, fmt, ap);
	va_end(ap);
}

static const char *ename(int e)
{
	static char buf[4][24];
	static int k;
	const char *n = e ? strerrorname_np(e) : "0";

	if (n)
		return n;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "errno %d", e);
	return buf[k];
}

static const char *rname(long ret)
{
	static char buf[4][24];
	static int k;

	if (ret < 0)
		return ename((int)-ret);
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%ld", ret);
	return buf[k];
}

static int __attribute__((format(printf, 2, 3))) fz_fail(int line, const char *fmt, ...)
{
	va_list ap;
	uint64_t i;

	fprintf(stderr, "# FAIL %s, op %llu (ioctl_test.c:%d): ", fz.mode->name,
		(unsigned long long)fz.op, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n# the last calls, oldest first:\n");
	for (i = fz.op >= RING ? fz.op - RING + 1 : 0; i <= fz.op; i++)
		if (fz.ring[i % RING][0])
			fprintf(stderr, "#   %s\n", fz.ring[i % RING]);
	fprintf(stderr, "# reproduce: ZXPROC_FUZZ_SEED=0x%llx ZXPROC_FUZZ_ITERS=%llu ZXPROC_FUZZ_ONLY=%s %s\n",
		(unsigned long long)base_seed, (unsigned long long)fz.iters,
		fz.mode->name, "build/tests/fuzz/ioctl_test");
	return -1;
}

#define CHECK(cond, ...) do { \
	if (!(cond)) \
		return fz_fail(__LINE__, __VA_ARGS__); \
} while (0)

static void count(enum cmdi c, long ret, bool shortened)
{
	size_t i;

	if (ret >= 0) {
		fz.counts[c][shortened ? O_SHORT : O_OK]++;
		return;
	}
	for (i = 0; i < NTRACKED; i++) {
		if (tracked[i] == -ret) {
			fz.counts[c][O_ERR0 + i]++;
			return;
		}
	}
	fz.counts[c][O_OTHER]++;
}

/* ---- error sets ---------------------------------------------------------- */

static void es_add(struct eset *s, int e)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return;
	if (s->n < ES_MAX)
		s->e[s->n++] = e;
}

static bool es_has(const struct eset *s, int e)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return true;
	return false;
}

static const char *es_str(const struct eset *s)
{
	static char buf[160];
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < s->n; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "|" : "",
			      ename(s->e[i]));
	return buf;
}

/* (a): success, or an errno the header lists for this command. */
static int check_doc(enum cmdi c, long ret, enum fdk kind)
{
	const int *d;

	if (ret >= 0 || (kind == FD_CLOSED && ret == -EBADF) ||
	    (kind == FD_OTHER && ret < 0))	/* another driver's answer */
		return 0;
	for (d = cmd_doc[c]; *d; d++)
		if (-ret == *d)
			return 0;
	return fz_fail(__LINE__, "%s returned %s, which uapi/linux/zxproc.h does not document for it",
		       cmd_name[c], rname(ret));
}

/* ---- the memory map ------------------------------------------------------ */

static uint64_t ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int kind_prot(enum kind k)
{
	switch (k) {
	case K_RO: return PROT_READ;
	case K_NONE: return PROT_NONE;
	case K_TEXT: return PROT_READ | PROT_EXEC;
	case K_SHRO: return PROT_READ;
	default: return PROT_READ | PROT_WRITE;
	}
}

static bool kind_anon(enum kind k)
{
	return k == K_RW || k == K_RO || k == K_NONE || k == K_GUARD;
}

static bool kind_data(enum kind k)
{
	return kind_anon(k) || k == K_TEXT || k == K_SHRO;
}

/* Map the window, the caller's buffers and the argument areas. */
static int map_all(void)
{
	size_t pg = fz.pg = zx_page(), i, n;
	uint8_t *w;

	fz.init = malloc(NPAGES * pg);
	fz.shadow = malloc(NPAGES * pg);
	fz.own = malloc(NPAGES * pg);
	fz.cb_before = malloc(CB_PAGES * pg);
	fz.cb_expect = malloc(CB_PAGES * pg);
	fz.tmp = malloc(CB_PAGES * pg);
	if (!fz.init || !fz.shadow || !fz.own || !fz.cb_before || !fz.cb_expect || !fz.tmp)
		return -ENOMEM;

	/* The files: text (mapped private, executable), shared, empty. */
	fz.mfd_text = memfd_create("zxfuzz-text", MFD_CLOEXEC);
	fz.mfd_shro = memfd_create("zxfuzz-shared", MFD_CLOEXEC);
	fz.mfd_eof = memfd_create("zxfuzz-eof", MFD_CLOEXEC);
	if (fz.mfd_text < 0 || fz.mfd_shro < 0 || fz.mfd_eof < 0)
		return -errno;
	fill_random(fz.init, NPAGES * pg);
	fill_random(fz.own, NPAGES * pg);
	if (pwrite(fz.mfd_text, fz.init + 9 * pg, pg, 0) != (ssize_t)pg ||
	    pwrite(fz.mfd_shro, fz.init + 10 * pg, pg, 0) != (ssize_t)pg)
		return -EIO;

	w = mmap(NULL, NPAGES * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w == MAP_FAILED)
		return -errno;
	fz.win = w;
	for (i = 0; i < NPAGES; i++) {
		uint8_t *p = w + i * pg;
		enum kind k = win_kind[i];
		void *m = p;

		if (k == K_HOLE) {
			if (munmap(p, pg))
				return -errno;
			continue;
		}
		if (kind_anon(k)) {
			m = mmap(p, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			if (m == p) {
				/* Ours differs from the target's. */
				memcpy(p, fz.own + i * pg, pg);
				if (mprotect(p, pg, kind_prot(k)))
					return -errno;
			}
		} else if (k == K_TEXT) {
			m = mmap(p, pg, kind_prot(k), MAP_PRIVATE | MAP_FIXED, fz.mfd_text, 0);
			memcpy(fz.own + i * pg, fz.init + i * pg, pg);
		} else if (k == K_SHRO) {
			m = mmap(p, pg, kind_prot(k), MAP_SHARED | MAP_FIXED, fz.mfd_shro, 0);
			memcpy(fz.own + i * pg, fz.init + i * pg, pg);
		} else if (k == K_EOF) {
			m = mmap(p, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
				 fz.mfd_eof, 0);
		}
		if (m != p)
			return -errno;
	}
	memcpy(fz.shadow, fz.init, NPAGES * pg);

	/* Caller buffers: CB_PAGES read-write, hole, read-only, none, hole. */
	n = CB_PAGES + 4;
	fz.cb = mmap(NULL, n * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.cb == MAP_FAILED)
		return -errno;
	fill_random(fz.cb, (CB_PAGES + 2) * pg);
	if (munmap(fz.cb + CB_PAGES * pg, pg) || munmap(fz.cb + (CB_PAGES + 3) * pg, pg) ||
	    mprotect(fz.cb + (CB_PAGES + 1) * pg, pg, PROT_READ) ||
	    mprotect(fz.cb + (CB_PAGES + 2) * pg, pg, PROT_NONE))
		return -errno;

	/* Argument structs: ARENA_PAGES read-write, hole, read-only. */
	fz.arena = mmap(NULL, (ARENA_PAGES + ARENA_HOLE + 1) * pg, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.arena == MAP_FAILED)
		return -errno;
	if (munmap(fz.arena + ARENA_PAGES * pg, ARENA_HOLE * pg) ||
	    mprotect(fz.arena + (ARENA_PAGES + ARENA_HOLE) * pg, pg, PROT_READ))
		return -errno;

	/* Segment arrays: SEGS_PAGES read-write, hole; SEGS_PAGES to make
	 * read-only when used. */
	fz.segs = mmap(NULL, (2 * SEGS_PAGES + 1) * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fz.segs == MAP_FAILED)
		return -errno;
	fz.segs_ro = fz.segs + (SEGS_PAGES + 1) * pg;
	if (munmap(fz.segs + SEGS_PAGES * pg, pg) ||
	    mprotect(fz.segs_ro, SEGS_PAGES * pg, PROT_READ))
		return -errno;
	return 0;
}

/* Our own mappings, from /proc/self/maps, and the vDSO's data page. */
static int read_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];

	if (!f)
		return -errno;
	fz.nmaps = 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char name[256] = "";

		if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %255s", &s, &e, name) < 2)
			continue;
		if (fz.nmaps < (int)(sizeof(fz.maps) / sizeof(fz.maps[0]))) {
			fz.maps[fz.nmaps].start = s;
			fz.maps[fz.nmaps].end = e;
			fz.nmaps++;
		}
		if (!fz.vvar && !strcmp(name, "[vvar]"))
			fz.vvar = s;
	}
	fclose(f);
	return 0;
}

static bool mapped_here(uint64_t a)
{
	int i;

	for (i = 0; i < fz.nmaps; i++)
		if (a >= fz.maps[i].start && a < fz.maps[i].end)
			return true;
	return false;
}

/* Addresses outside the window where nothing is mapped in the target. */
static void outside_addresses(void)
{
	const uint64_t pg = fz.pg;
	const uint64_t cand[] = {
		0, 1, 8, pg - 1, pg, 0x10000 - 1, 0x10000, 0x400000,
		FZ_USER_END - pg, FZ_USER_END - 1, FZ_USER_END - 8, FZ_USER_END,
		FZ_USER_END + pg, 0x0000800000000000ULL, 0x00ffffffffffffffULL,
		0x0100000000000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xffff800000000000ULL, 0xffff888000000000ULL, 0xffffc90000000000ULL,
		0xffffea0000000000ULL, 0xffffffff80000000ULL, 0xffffffff81000000ULL,
		0xffffffffff600000ULL, 0xfffffffffffff000ULL, ~0ULL - 63, ~0ULL - 7,
		~0ULL - 1, ~0ULL,
	};
	size_t i;

	fz.nout = 0;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++)
		if (!mapped_here(cand[i]))
			fz.outside[fz.nout++] = cand[i];
	/* The window's own holes, from outside. */
	fz.outside[fz.nout++] = ptr(fz.win + WIN_FIRST * pg);
	fz.outside[fz.nout++] = ptr(fz.win + WIN_LAST * pg + pg - 1);
}

/* The kind of the target page at @a (outside the window: a hole). */
static enum kind target_kind(uint64_t a)
{
	uint64_t w = ptr(fz.win);

	if (a >= w && a < w + NPAGES * fz.pg)
		return win_kind[(a - w) / fz.pg];
	return K_HOLE;
}

static bool in_vvar(uint64_t a)
{
	return fz.vvar && a >= fz.vvar && a < fz.vvar + fz.pg;
}

/*
 * How many bytes from @addr the target lets this access reach (at most
 * @len), and the errno of the first page it does not.
 */
static uint64_t target_span(uint64_t addr, uint64_t len, bool write, int *err)
{
	uint64_t done = 0;

	*err = 0;
	if (addr >= FZ_USER_END || addr + len < addr) {
		*err = ENOMEM;
		return 0;
	}
	if (in_vvar(addr)) {
		*err = EIO;
		return 0;
	}
	while (done < len) {
		uint64_t a = addr + done;
		uint64_t n = fz.pg - a % fz.pg;
		enum kind k = target_kind(a);
		bool ok;

		switch (k) {
		case K_RW: case K_GUARD: ok = true; break;
		case K_RO: case K_NONE: case K_TEXT: ok = !write || fz.force_write; break;
		case K_SHRO: ok = !write; break;
		default: ok = false; break;
		}
		if (!ok) {
			*err = (k == K_HOLE || k == K_EOF) ? ENOMEM : EACCES;
			break;
		}
		done += n;
	}
	return done < len ? done : len;
}

/* Kinds of our own buffer pages: 0 none, 1 readable, 3 read-write. */
static int caller_access(uint64_t a)
{
	uint64_t cb = ptr(fz.cb), ar = ptr(fz.arena), sg = ptr(fz.segs);
	const uint64_t pg = fz.pg;

	if (a >= cb && a < cb + CB_PAGES * pg)
		return 3;
	if (a >= cb + (CB_PAGES + 1) * pg && a < cb + (CB_PAGES + 2) * pg)
		return 1;
	if (a >= ar && a < ar + ARENA_PAGES * pg)
		return 3;
	if (a >= ar + (ARENA_PAGES + ARENA_HOLE) * pg &&
	    a < ar + (ARENA_PAGES + ARENA_HOLE + 1) * pg)
		return 1;
	if (a >= sg && a < sg + SEGS_PAGES * pg)
		return 3;
	if (a >= ptr(fz.segs_ro) && a < ptr(fz.segs_ro) + SEGS_PAGES * pg)
		return 1;
	return 0;
}

/*
 * Bytes of our buffer at @buf the kernel can read (@kernel_reads) or
 * write, at most @len; *@aok is access_ok() of the whole range.
 */
static uint64_t caller_span(uint64_t buf, uint64_t len, bool kernel_reads, bool *aok)
{
	int need = kernel_reads ? 1 : 3;
	uint64_t done = 0;

	*aok = buf + len >= buf && buf + len <= FZ_USER_END;
	if (!*aok)
		return 0;
	while (done < len) {
		uint64_t a = buf + done;

		if ((caller_access(a) & need) != need)
			break;
		done += fz.pg - a % fz.pg;
	}
	return done < len ? done : len;
}

/*
 * The smallest byte count a copy that faults on the caller's side at
 * @b bytes may report: a copy goes target page by target page, and
 * within one it may stop early but not store nothing when it could
 * store something (include/linux/uaccess.h).
 */
static uint64_t copy_floor(uint64_t addr, uint64_t b)
{
	uint64_t first = fz.pg - addr % fz.pg, cs;

	if (b < first)
		cs = 0;
	else
		cs = first + (b - first) / fz.pg * fz.pg;
	return b == cs ? b : cs + 1;
}

/* The outcome of one range with valid arguments and the right right. */
static struct rout model_range(uint64_t addr, uint64_t buf, uint64_t len,
			       bool write, bool all)
{
	struct rout o = { 0 };
	int terr;
	bool aok;
	uint64_t t = target_span(addr, len, write, &terr);
	uint64_t b = caller_span(buf, len, write, &aok);

	if (!aok) {
		/* access_ok() fails: nothing is tried. */
		o.err = EFAULT;
		o.alt = t < len ? terr : 0;
		return o;
	}
	if (all) {
		if (t < len) {
			o.err = terr;
			return o;
		}
		t = len;
	} else if (t == 0) {
		o.err = terr;
		return o;
	}
	if (b >= t) {
		o.lo = o.hi = t;
		return o;
	}
	o.err = EFAULT;
	o.lo = copy_floor(addr, b);
	o.hi = b;
	return o;
}

/* ---- generators ---------------------------------------------------------- */

static uint64_t gen_offset(void)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 25)
		return 0;
	if (r < 33)
		return 1;
	if (r < 48)
		return fz.pg - 1;
	if (r < 58)
		return fz.pg - 1 - below(16);
	return below(fz.pg);
}

static uint64_t gen_addr(void)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 80)
		return ptr(fz.win) + (WIN_FIRST + below(WIN_LAST - WIN_FIRST + 1)) * fz.pg +
		       gen_offset();
	if (r < 94 || (r < 97 && !fz.vvar))
		return fz.outside[below(fz.nout)];
	if (r < 97)
		return fz.vvar + below(fz.pg);
	for (;;) {
		uint64_t a = rnd();

		if (a >= FZ_USER_END || !mapped_here(a))
			return a;
	}
}

static uint64_t gen_len_any(uint64_t addr)
{
	static const uint64_t edge[] = {
		0, 1, 2, 7, 8, 4095, 4096, 4097, 8191, 8192, 65536,
		FZ_MAX - 1, FZ_MAX, FZ_MAX + 1, 2 * FZ_MAX, 1ULL << 31, 1ULL << 32,
		(1ULL << 32) + 1, ~0ULL >> 1, 1ULL << 63, ~0ULL - 4095, ~0ULL,
	};
	unsigned int r = (unsigned int)below(100);
	uint64_t end = ptr(fz.win) + (WIN_LAST + 1) * fz.pg;
	int64_t d;

	if (r < 35)
		return 1 + below(64);
	if (r < 55)
		return 1 + below(3 * fz.pg);
	if (r < 70) {
		d = (int64_t)(fz.pg - addr % fz.pg) + (int64_t)below(3) - 1;
		return d > 0 ? (uint64_t)d : 1;
	}
	if (r < 78 && addr < end) {
		d = (int64_t)(end - addr) - (int64_t)below(3 * fz.pg);
		return d > 0 ? (uint64_t)d : 1 + below(64);
	}
	if (r < 96)
		return edge[below(sizeof(edge) / sizeof(edge[0]))];
	return rnd();
}

/* A clean call's length is one the kernel accepts. */
static uint64_t gen_len(uint64_t addr)
{
	uint64_t len;

	do
		len = gen_len_any(addr);
	while (fz.clean && (!len || len > FZ_MAX));
	return len;
}

/* A caller buffer for @len bytes that the kernel may use whole. */
static uint64_t good_buf(uint64_t len)
{
	uint64_t room = CB_PAGES * fz.pg;

	if (len >= room)
		return ptr(fz.cb);
	return ptr(fz.cb) + below(room - len + 1);
}

static uint64_t gen_buf(uint64_t len)
{
	uint64_t cb = ptr(fz.cb), room = CB_PAGES * fz.pg;
	unsigned int r = (unsigned int)below(100);

	if (fz.clean)
		r = r < 90 ? 0 : 72;
	if (r < 72)
		return good_buf(len);
	if (r < 80)	/* ends early, at the hole */
		return cb + room - 1 - below(len < room ? len : room);
	if (r < 83)
		return cb + (CB_PAGES + 1) * fz.pg + gen_offset();	/* read-only */
	if (r < 86)
		return cb + (CB_PAGES + 2) * fz.pg + gen_offset();	/* PROT_NONE */
	if (r < 88)
		return cb + CB_PAGES * fz.pg + below(fz.pg);		/* hole */
	if (r < 92)
		return 0;
	if (r < 97) {
		static const uint64_t bad[] = {
			0xffff888000000000ULL, 0xffffffff81000000ULL, ~0ULL - 15,
			0x0000800000000000ULL, 0x8000000000000000ULL, FZ_USER_END,
		};
		return bad[below(sizeof(bad) / sizeof(bad[0]))];
	}
	return fz.pg + below(0x8000);	/* below mmap_min_addr: unmapped */
}

static uint32_t gen_flags(uint32_t known)
{
	unsigned int r = (unsigned int)below(fz.clean ? 90 : 100);

	if (r < 65)
		return 0;
	if (r < 90)
		return known;
	if (r < 95)
		return 1u << below(32);
	if (r < 97)
		return ~0u;
	return (uint32_t)rnd();
}

static uint32_t gen_reserved(void)
{
	if (fz.clean || !pct(5))
		return 0;
	return pct(50) ? 1u << below(32) : (uint32_t)rnd() | 1;
}

/* Rights for PROCESS_OPEN or DUPLICATE (@have: the source's). */
static uint32_t gen_rights(uint32_t have, bool dup)
{
	unsigned int r = (unsigned int)below(100);

	if (fz.clean) {
		if (r < 30)
			return dup ? ZXPROC_RIGHT_SAME_RIGHTS : have;
		return r < 45 ? have : (uint32_t)rnd() & have;
	}

	if (r < 40)
		return (uint32_t)rnd() & have;
	if (r < 52)
		return ZXPROC_RIGHT_SAME_RIGHTS;
	if (r < 64)
		return have;
	if (r < 72)
		return have | (1u << below(32));
	if (r < 80)
		return 0;
	if (r < 88)
		return (uint32_t)rnd() & ZXPROC_RIGHTS_ALL;
	if (r < 94)
		return ~0u;
	return (uint32_t)rnd();
}

/* A struct size to encode in the command, and what its tail holds. */
enum tailk { T_EXACT, T_SHORT, T_ZERO, T_NONZERO };

static size_t gen_size(size_t ksize, enum tailk *t)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 74 || fz.clean) {
		*t = T_EXACT;
		return ksize;
	}
	if (r < 80) {
		*t = T_SHORT;
		return below(ksize);
	}
	*t = r < 90 ? T_ZERO : T_NONZERO;
	if (r < 87 || (r >= 90 && r < 97))
		return ksize + 1 + below(64);
	return pct(50) ? ARG_MAX_SIZE : ksize + 1 + below(ARG_MAX_SIZE - ksize);
}

/* The command: @known, maybe in another direction, at @usize. */
static unsigned long gen_cmd(unsigned long known, size_t usize, bool *dir_ok)
{
	unsigned int dir = _IOC_DIR(known);

	*dir_ok = true;
	if (!fz.clean && pct(4)) {
		unsigned int nd = (unsigned int)below(4);

		*dir_ok = nd == dir;
		dir = nd;
	}
	return _IOC(dir, _IOC_TYPE(known), _IOC_NR(known), usize);
}

/* ---- argument structs ---------------------------------------------------- */

enum place { PL_OK, PL_END, PL_CROSS, PL_RO, PL_NULL, PL_HOLE, PL_KERNEL };

static enum place gen_place(size_t usize)
{
	unsigned int r = (unsigned int)below(100);

	if (r < 82 || !usize || fz.clean)
		return PL_OK;
	if (r < 86)
		return PL_END;
	if (r < 90)
		return PL_CROSS;
	if (r < 94)
		return usize <= fz.pg ? PL_RO : PL_OK;
	if (r < 96)
		return PL_NULL;
	if (r < 98)
		return PL_HOLE;
	return PL_KERNEL;
}

/* Where the struct goes, and what of it is accessible. */
static void arg_choose(struct arg *a, size_t usize, enum place pl)
{
	uint8_t *end = fz.arena + ARENA_PAGES * fz.pg;
	uint8_t *ro = end + ARENA_HOLE * fz.pg;
	size_t k;

	a->usize = usize;
	a->rd = a->wr = usize;
	switch (pl) {
	case PL_OK:
		a->p = fz.arena + below(ARENA_PAGES * fz.pg - usize + 1);
		break;
	case PL_END:
		a->p = end - usize;
		break;
	case PL_CROSS:
		k = 1 + below(usize);
		a->p = end - usize + k;
		a->rd = a->wr = usize - k;
		break;
	case PL_RO:
		a->p = ro + below(fz.pg - usize + 1);
		a->wr = 0;
		break;
	case PL_NULL:
		a->p = NULL;
		a->rd = a->wr = 0;
		break;
	case PL_HOLE:
		a->p = end + below(fz.pg);
		a->rd = a->wr = 0;
		break;
	case PL_KERNEL:
		a->p = (uint8_t *)(uintptr_t)0xffff888000001000ULL;
		a->rd = a->wr = 0;
		break;
	}
}

/* The struct's image: @known (@ksize bytes), then the tail. */
static void arg_image(struct arg *a, const void *known, size_t ksize, enum tailk t)
{
	size_t n = a->usize < ksize ? a->usize : ksize;

	memset(a->img, 0, a->usize);
	memcpy(a->img, known, n);
	if (t == T_NONZERO && a->usize > ksize) {
		int i, m = 1 + (int)below(3);

		for (i = 0; i < m; i++)
			a->img[ksize + below(a->usize - ksize)] = (uint8_t)(1 + below(255));
	}
}

/* Make a read-only page writable for a moment, to fill it. */
static void ro_write(uint8_t *page_ro, size_t npages, uint8_t *at, const void *src, size_t len)
{
	mprotect(page_ro, npages * fz.pg, PROT_READ | PROT_WRITE);
	memcpy(at, src, len);
	mprotect(page_ro, npages * fz.pg, PROT_READ);
}

/* Put the image where it goes, and keep a copy of the memory around. */
static void arg_fill(struct arg *a)
{
	uint8_t *lo, *hi, *area_lo, *area_hi;
	uint8_t *end = fz.arena + ARENA_PAGES * fz.pg, *ro = end + ARENA_HOLE * fz.pg;

	a->snap_len = 0;
	if (!a->rd)
		return;
	if (a->p >= ro) {
		area_lo = ro;
		area_hi = ro + fz.pg;
		mprotect(ro, fz.pg, PROT_READ | PROT_WRITE);
		fill_random(ro, fz.pg);
		memcpy(a->p, a->img, a->rd);
		mprotect(ro, fz.pg, PROT_READ);
	} else {
		area_lo = fz.arena;
		area_hi = end;
		lo = a->p >= area_lo + 64 ? a->p - 64 : area_lo;
		hi = a->p + a->usize + 64 <= area_hi ? a->p + a->usize + 64 : area_hi;
		fill_random(lo, (size_t)(hi - lo));
		memcpy(a->p, a->img, a->rd);
	}
	lo = a->p >= area_lo + 64 ? a->p - 64 : area_lo;
	hi = a->p + a->usize + 64 <= area_hi ? a->p + a->usize + 64 : area_hi;
	a->snap_at = lo;
	a->snap_len = (size_t)(hi - lo);
	memcpy(a->snap, lo, a->snap_len);
}

/*
 * Is the memory around and in the struct as it was, except bytes
 * [@from, @to) of the struct?  Returns the first differing offset from
 * the struct's start (may be negative), or LONG_MIN when all is equal.
 */
static long arg_changed(const struct arg *a, size_t from, size_t to)
{
	size_t i;

	for (i = 0; i < a->snap_len; i++) {
		long rel = (long)(a->snap_at + i - a->p);

		if (rel >= (long)from && rel < (long)to)
			continue;
		if (a->snap_at[i] != a->snap[i])
			return rel;
	}
	return LONG_MIN;
}

#define ARG_SAME(from, to, what) do { \
	long _d = arg_changed(&A, (from), (to)); \
	CHECK(_d == LONG_MIN, "%s: byte %ld of the argument struct (size %zu) changed", \
	      (what), _d, A.usize); \
} while (0)

/* Errors of reading the struct in: EFAULT, and E2BIG for a non-zero tail. */
static void args_in_errors(const struct arg *a, size_t ksize, struct eset *es)
{
	size_t i;

	if (a->rd < a->usize)
		es_add(es, EFAULT);
	for (i = ksize; i < a->rd; i++) {
		if (a->img[i]) {
			es_add(es, E2BIG);
			break;
		}
	}
}

/* ENOTTY/EBADF: a descriptor of the wrong kind, a command that is not it. */
static int front_error(enum fdk kind, enum fdk want, bool dir_ok, size_t usize, size_t ksize)
{
	if (kind == FD_CLOSED)
		return EBADF;
	if (kind != want || !dir_ok || usize < ksize)
		return ENOTTY;
	return 0;
}

/*
 * Is @ret the front error @front?  A descriptor of another kind answers
 * with its own driver's code: ENOTTY, except that 6.12's pidfd_ioctl()
 * refuses any non-zero argument with EINVAL before it looks at the
 * command.
 */
static bool front_is(int front, long ret, const struct pick *p)
{
	return ret == -front || (p->kind == FD_OTHER && p->fd == fz.pidfd && ret == -EINVAL);
}

static long fz_ioctl(int fd, unsigned long cmd, void *arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

/* ---- descriptors --------------------------------------------------------- */

static const char *fdk_name(const struct pick *p)
{
	static char buf[48];

	switch (p->kind) {
	case FD_DEV: return "dev";
	case FD_OTHER: return "other-file";
	case FD_CLOSED: return "closed";
	default:
		snprintf(buf, sizeof(buf), "handle(r=0x%x%s)", p->slot->rights,
			 p->slot->stale ? ",stale" : "");
		return buf;
	}
}

/*
 * A descriptor for a command that wants @want (and, on a handle, the
 * rights @need).  A clean call gets a live handle with those rights.
 */
static struct pick pick_fd(enum fdk want, uint32_t need)
{
	struct pick p = { .kind = want };
	unsigned int r = (unsigned int)below(100);

	if (fz.clean && want == FD_HANDLE) {
		int i, n = 0, which[POOL_MAX];

		for (i = 0; i < fz.npool; i++)
			if (!fz.pool[i].stale && (fz.pool[i].rights & need) == need)
				which[n++] = i;
		if (n) {
			p.slot = &fz.pool[which[below(n)]];
			p.fd = p.slot->fd;
			return p;
		}
	}
	if (r >= 90 && !fz.clean)
		p.kind = (enum fdk)below(4);
	switch (p.kind) {
	case FD_DEV:
		p.fd = fz.dev;
		break;
	case FD_HANDLE:
		p.slot = &fz.pool[below(fz.npool)];
		p.fd = p.slot->fd;
		break;
	case FD_OTHER:
		p.fd = fz.other[below(fz.nother)];
		break;
	case FD_CLOSED:
		p.fd = pct(50) ? fz.closed_fd : -1;
		break;
	}
	return p;
}

static int pool_add(int fd, uint32_t rights, bool stale, bool fixed)
{
	if (fz.npool == POOL_MAX)
		return -ENOSPC;
	fz.pool[fz.npool].fd = fd;
	fz.pool[fz.npool].rights = rights;
	fz.pool[fz.npool].stale = stale;
	fz.pool[fz.npool].fixed = fixed;
	fz.npool++;
	return 0;
}

static void pool_drop(struct hslot *s)
{
	close(s->fd);
	*s = fz.pool[--fz.npool];
}

/* (f): a new handle is close-on-exec, and INFO describes it. */
static int check_new_handle(int fd, uint32_t rights, pid_t pid, bool stale)
{
	struct zxproc_info info;
	int fl = fcntl(fd, F_GETFD);

	CHECK(fl >= 0 && (fl & FD_CLOEXEC), "new handle %d is not close-on-exec (flags %d)", fd, fl);
	CHECK(zx_info(fd, &info) == 0, "INFO on new handle %d failed: %s", fd, ename(errno));
	CHECK(info.rights == rights && info.type == ZXPROC_OBJ_TYPE_PROCESS &&
	      info.pid == (stale ? 0 : pid) && info.flags == (stale ? ZXPROC_INFO_STALE : 0),
	      "new handle's INFO {rights 0x%x, type %u, pid %d, flags 0x%x}, want {0x%x, 1, %d, 0x%x}",
	      info.rights, info.type, info.pid, info.flags, rights, stale ? 0 : pid,
	      stale ? ZXPROC_INFO_STALE : 0);
	return 0;
}

/* ---- verification -------------------------------------------------------- */

/* (c), (g): the target's window, the files, our holes and read-only page. */
static int verify_all(void)
{
	const size_t pg = fz.pg;
	size_t i;

	for (i = 0; i < NPAGES; i++) {
		uint64_t a = ptr(fz.win) + i * pg;
		ssize_t n = pread(fz.tmem, fz.tmp, pg, (off_t)a);

		if (!kind_data(win_kind[i])) {
			CHECK(n < 0, "target page %zu (%s) reads as mapped (%zd)", i,
			      kind_name[win_kind[i]], n);
			continue;
		}
		CHECK(n == (ssize_t)pg, "cannot read target page %zu (%s): %zd, %s", i,
		      kind_name[win_kind[i]], n, ename(errno));
		if (memcmp(fz.tmp, fz.shadow + i * pg, pg)) {
			size_t o;

			for (o = 0; fz.tmp[o] == fz.shadow[i * pg + o]; o++)
				;
			CHECK(0, "target page %zu (%s) byte %zu (0x%llx) is 0x%02x, the shadow says 0x%02x",
			      i, kind_name[win_kind[i]], o, (unsigned long long)(a + o),
			      fz.tmp[o], fz.shadow[i * pg + o]);
		}
	}
	CHECK(pread(fz.mfd_text, fz.tmp, pg, 0) == (ssize_t)pg &&
	      !memcmp(fz.tmp, fz.init + 9 * pg, pg), "the text page's file changed");
	CHECK(pread(fz.mfd_shro, fz.tmp, pg, 0) == (ssize_t)pg &&
	      !memcmp(fz.tmp, fz.init + 10 * pg, pg), "the shared read-only page's file changed");
	CHECK(msync(fz.cb + CB_PAGES * pg, pg, MS_ASYNC) && errno == ENOMEM &&
	      msync(fz.arena + ARENA_PAGES * pg, ARENA_HOLE * pg, MS_ASYNC) && errno == ENOMEM &&
	      msync(fz.segs + SEGS_PAGES * pg, pg, MS_ASYNC) && errno == ENOMEM,
	      "a hole in the caller's buffers got mapped: the layout is no longer what the model says");
	return 0;
}

/* (g): our own window was never written. */
static int verify_own(void)
{
	const size_t pg = fz.pg;
	size_t i;

	for (i = 0; i < NPAGES; i++) {
		if (!kind_data(win_kind[i]))
			continue;
		CHECK(zx_peek(getpid(), ptr(fz.win) + i * pg, fz.tmp, pg) == (ssize_t)pg,
		      "cannot read our own page %zu", i);
		CHECK(!memcmp(fz.tmp, fz.own + i * pg, pg),
		      "our own copy of window page %zu (%s) changed", i, kind_name[win_kind[i]]);
	}
	return 0;
}

/* ---- the commands -------------------------------------------------------- */

static int op_version(void)
{
	struct zxproc_version want = {
		ZXPROC_VERSION_MAJOR, ZXPROC_VERSION_MINOR, ZXPROC_VERSION_PATCH, 0,
	};
	struct zxproc_version junk;
	struct pick pk = pick_fd(FD_DEV, 0);
	enum tailk tk;
	size_t usize = gen_size(sizeof(want), &tk);
	bool dir_ok;
	unsigned long cmd = gen_cmd(ZXPROC_IOC_GET_VERSION, usize, &dir_ok);
	long ret;
	int front;

	fill_random(&junk, sizeof(junk));
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &junk, sizeof(junk), tk == T_ZERO ? T_NONZERO : tk);
	arg_fill(&A);
	note("GET_VERSION fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu)", fdk_name(&pk),
	     cmd, usize, (void *)A.p, A.rd, A.wr);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	note(" -> %s", rname(ret));
	count(C_VERSION, ret, false);
	if (check_doc(C_VERSION, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_DEV, dir_ok, usize, sizeof(want));
	if (front) {
		CHECK(front_is(front, ret, &pk), "GET_VERSION: %s, want %s", rname(ret), ename(front));
		ARG_SAME(0, 0, "GET_VERSION refused");
		return 0;
	}
	if (A.wr < usize) {
		CHECK(ret == -EFAULT, "GET_VERSION into %zu writable bytes of %zu: %s, want EFAULT",
		      A.wr, usize, rname(ret));
		ARG_SAME(0, A.wr, "GET_VERSION EFAULT");
		return 0;
	}
	CHECK(ret == 0, "GET_VERSION: %s, want success", rname(ret));
	CHECK(!memcmp(A.p, &want, sizeof(want)), "GET_VERSION says %u.%u.%u (reserved %u), want %u.%u.%u",
	      ((uint32_t *)A.p)[0], ((uint32_t *)A.p)[1], ((uint32_t *)A.p)[2],
	      ((uint32_t *)A.p)[3], want.major, want.minor, want.patch);
	CHECK(zx_not_all(A.p + sizeof(want), 0, usize - sizeof(want)) == -1,
	      "GET_VERSION left a non-zero byte in the %zu-byte tail", usize - sizeof(want));
	ARG_SAME(0, usize, "GET_VERSION");
	return 0;
}

static int op_info(void)
{
	struct zxproc_info junk;
	struct pick pk = pick_fd(FD_HANDLE, 0);
	enum tailk tk;
	size_t usize = gen_size(sizeof(junk), &tk);
	bool dir_ok;
	unsigned long cmd = gen_cmd(ZXPROC_IOC_INFO, usize, &dir_ok);
	struct zxproc_info got;
	long ret;
	int front;

	fill_random(&junk, sizeof(junk));
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &junk, sizeof(junk), tk == T_ZERO ? T_NONZERO : tk);
	arg_fill(&A);
	note("INFO fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu)", fdk_name(&pk), cmd,
	     usize, (void *)A.p, A.rd, A.wr);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	note(" -> %s", rname(ret));
	count(C_INFO, ret, false);
	if (check_doc(C_INFO, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(got));
	if (front) {
		CHECK(front_is(front, ret, &pk), "INFO: %s, want %s", rname(ret), ename(front));
		ARG_SAME(0, 0, "INFO refused");
		return 0;
	}
	if (A.wr < usize) {
		CHECK(ret == -EFAULT, "INFO into %zu writable bytes of %zu: %s, want EFAULT",
		      A.wr, usize, rname(ret));
		ARG_SAME(0, A.wr, "INFO EFAULT");
		return 0;
	}
	CHECK(ret == 0, "INFO: %s, want success", rname(ret));
	memcpy(&got, A.p, sizeof(got));
	CHECK(got.rights == pk.slot->rights && got.type == ZXPROC_OBJ_TYPE_PROCESS &&
	      got.pid == (pk.slot->stale ? 0 : fz.target) &&
	      got.flags == (pk.slot->stale ? ZXPROC_INFO_STALE : 0),
	      "INFO {rights 0x%x, type %u, pid %d, flags 0x%x}, want {0x%x, 1, %d, 0x%x}",
	      got.rights, got.type, got.pid, got.flags, pk.slot->rights,
	      pk.slot->stale ? 0 : fz.target, pk.slot->stale ? ZXPROC_INFO_STALE : 0);
	CHECK(zx_not_all(A.p + sizeof(got), 0, usize - sizeof(got)) == -1,
	      "INFO left a non-zero byte in the %zu-byte tail", usize - sizeof(got));
	ARG_SAME(0, usize, "INFO");
	return 0;
}

/* Processes PROCESS_OPEN is pointed at. */
enum pidc { P_SELF, P_TID, P_TARGET, P_ROOTP, P_INIT, P_KTHREAD, P_ZOMBIE,
	    P_NONE, P_BAD, NPIDC };
static const char *const pidc_name[NPIDC] = {
	"self", "own-thread", "target", "root-bystander", "init", "kthread",
	"zombie", "no-such-pid", "bad-pid",
};

/* A handle to ourselves writes into us, if it has the right, and only us. */
static int self_write_check(int h, uint32_t rights)
{
	uint8_t src[16], before[sizeof(selfbuf)];
	size_t off = below(sizeof(selfbuf) - sizeof(src));
	uint64_t actual = ZX_SENTINEL;
	int ret;

	fill_random(src, sizeof(src));
	memcpy(before, selfbuf, sizeof(selfbuf));
	ret = zx_write(h, ptr(selfbuf + off), src, sizeof(src), &actual);
	if (!(rights & ZXPROC_RIGHT_WRITE)) {
		CHECK(ret == -EACCES && actual == ZX_SENTINEL &&
		      !memcmp(before, selfbuf, sizeof(selfbuf)),
		      "a handle to ourselves without WRITE wrote: %s", ename(-ret));
		return 0;
	}
	CHECK(ret == 0 && actual == sizeof(src), "writing ourselves through our own handle: %s, actual %llu",
	      ename(-ret), (unsigned long long)actual);
	memcpy(before + off, src, sizeof(src));
	CHECK(!memcmp(before, selfbuf, sizeof(selfbuf)), "our own handle wrote the wrong bytes");
	return 0;
}

static int op_open(void)
{
	struct pick pk = pick_fd(FD_DEV, 0);
	enum pidc pc = (enum pidc)below(fz.clean ? P_BAD : NPIDC);
	struct zxproc_open o = { 0 };
	pid_t want_pid = 0;
	struct eset es = { .n = 0 };
	enum tailk tk;
	size_t usize;
	bool dir_ok;
	unsigned long cmd;
	long ret;
	int front, expect = 0, alt = 0;

	if (pc == P_KTHREAD && !fz.kthread)
		pc = P_NONE;
	switch (pc) {
	case P_SELF: o.pid = want_pid = getpid(); break;
	case P_TID: o.pid = fz.tid; want_pid = getpid(); break;
	case P_TARGET: o.pid = want_pid = fz.target; break;
	case P_ROOTP: o.pid = want_pid = fz.rootp; break;
	case P_INIT: o.pid = want_pid = 1; break;
	case P_KTHREAD: o.pid = fz.kthread; break;
	case P_ZOMBIE: o.pid = fz.zombie; break;
	case P_NONE: o.pid = pct(50) ? fz.pid_max : INT_MAX; break;
	default:
		o.pid = pct(40) ? 0 : pct(50) ? -1 : pct(50) ? INT_MIN :
			-(int)(1 + below(INT_MAX - 1));
		break;
	}
	o.rights = gen_rights(ZXPROC_RIGHTS_ALL, false);
	o.flags = gen_reserved();
	o.reserved = gen_reserved();
	usize = gen_size(sizeof(o), &tk);
	cmd = gen_cmd(ZXPROC_IOC_PROCESS_OPEN, usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &o, sizeof(o), tk);
	arg_fill(&A);
	note("PROCESS_OPEN fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu) pid=%d(%s) rights=0x%x flags=0x%x reserved=0x%x",
	     fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, o.pid, pidc_name[pc], o.rights,
	     o.flags, o.reserved);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	note(" -> %s", rname(ret));
	count(C_OPEN, ret, false);
	if (check_doc(C_OPEN, ret, pk.kind)) {
		if (ret >= 0)
			close((int)ret);
		return -1;
	}
	/* PROCESS_OPEN never writes its struct. */
	ARG_SAME(0, 0, "PROCESS_OPEN");

	front = front_error(pk.kind, FD_DEV, dir_ok, usize, sizeof(o));
	if (front) {
		CHECK(front_is(front, ret, &pk), "PROCESS_OPEN: %s, want %s", rname(ret), ename(front));
		return 0;
	}
	args_in_errors(&A, sizeof(o), &es);
	if (!es.n) {
		if ((o.rights & ~ZXPROC_RIGHTS_ALL) || o.flags || o.reserved || o.pid <= 0)
			es_add(&es, EINVAL);
	}
	if (es.n) {
		if (ret >= 0)
			close((int)ret);
		CHECK(ret < 0 && es_has(&es, (int)-ret), "PROCESS_OPEN: %s, want %s", rname(ret),
		      es_str(&es));
		return 0;
	}
	switch (pc) {
	case P_SELF: case P_TID: break;
	case P_TARGET: case P_ROOTP: case P_INIT: expect = fz.priv ? 0 : EPERM; break;
	case P_KTHREAD: expect = EOPNOTSUPP; break;
	case P_ZOMBIE: expect = ESTALE; alt = fz.priv ? 0 : EPERM; break;
	default: expect = ESRCH; break;
	}
	if (expect) {
		if (ret >= 0)
			close((int)ret);
		CHECK(ret == -expect || (alt && ret == -alt), "PROCESS_OPEN of %s (pid %d): %s, want %s",
		      pidc_name[pc], o.pid, rname(ret), ename(expect));
		return 0;
	}
	CHECK(ret >= 0, "PROCESS_OPEN of %s (pid %d, rights 0x%x): %s, want a handle",
	      pidc_name[pc], o.pid, o.rights, rname(ret));
	if (check_new_handle((int)ret, o.rights, want_pid, false)) {
		close((int)ret);
		return -1;
	}
	if ((pc == P_SELF || pc == P_TID) && self_write_check((int)ret, o.rights)) {
		close((int)ret);
		return -1;
	}
	if (pc != P_TARGET || pool_add((int)ret, o.rights, false, false))
		close((int)ret);
	return 0;
}

static int op_dup(void)
{
	struct pick pk = pick_fd(FD_HANDLE, ZXPROC_RIGHT_DUPLICATE);
	uint32_t have = pk.slot ? pk.slot->rights : ZXPROC_RIGHTS_ALL;
	struct zxproc_dup d = { 0 };
	struct eset es = { .n = 0 };
	enum tailk tk;
	size_t usize;
	bool dir_ok, stale;
	unsigned long cmd;
	uint32_t nr;
	long ret;
	int front;

	d.rights = gen_rights(have, true);
	d.flags = pct(25) ? ZXPROC_DUP_REPLACE : gen_flags(ZXPROC_DUP_REPLACE);
	usize = gen_size(sizeof(d), &tk);
	cmd = gen_cmd(ZXPROC_IOC_DUPLICATE, usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &d, sizeof(d), tk);
	arg_fill(&A);
	note("DUPLICATE fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu) rights=0x%x flags=0x%x",
	     fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, d.rights, d.flags);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	note(" -> %s", rname(ret));
	count(C_DUP, ret, false);
	if (check_doc(C_DUP, ret, pk.kind)) {
		if (ret >= 0)
			close((int)ret);
		return -1;
	}
	ARG_SAME(0, 0, "DUPLICATE");

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(d));
	if (front) {
		CHECK(front_is(front, ret, &pk), "DUPLICATE: %s, want %s", rname(ret), ename(front));
		return 0;
	}
	args_in_errors(&A, sizeof(d), &es);
	if (!es.n) {
		if (d.flags & ~ZXPROC_DUP_REPLACE)
			es_add(&es, EINVAL);
		if (!(d.flags & ZXPROC_DUP_REPLACE) && !(have & ZXPROC_RIGHT_DUPLICATE))
			es_add(&es, EACCES);
		if (d.rights != ZXPROC_RIGHT_SAME_RIGHTS && (d.rights & ~have))
			es_add(&es, EINVAL);
	}
	if (es.n) {
		if (ret >= 0)
			close((int)ret);
		CHECK(ret < 0 && es_has(&es, (int)-ret), "DUPLICATE: %s, want %s", rname(ret),
		      es_str(&es));
		return 0;
	}
	CHECK(ret >= 0, "DUPLICATE of rights 0x%x to 0x%x (flags 0x%x): %s, want a handle",
	      have, d.rights, d.flags, rname(ret));
	nr = d.rights == ZXPROC_RIGHT_SAME_RIGHTS ? have : d.rights;
	stale = pk.slot->stale;
	if (check_new_handle((int)ret, nr, fz.target, stale)) {
		close((int)ret);
		return -1;
	}
	/* A replacement's source is given up, as zx_handle_replace() does. */
	if ((d.flags & ZXPROC_DUP_REPLACE) && !pk.slot->fixed && pct(70))
		pool_drop(pk.slot);
	if (pool_add((int)ret, nr, stale, false))
		close((int)ret);
	return 0;
}

/* Unknown commands: ENOTTY on every kind of descriptor. */
static bool vfs_generic(unsigned long cmd)
{
	/* Types the VFS itself answers before any driver (do_vfs_ioctl()). */
	switch (_IOC_TYPE(cmd)) {
	case 'T': case 'X': case 'f': case 0x00: case 0x94: case 0x15:
		return true;
	}
	return false;
}

static bool is_known(unsigned long cmd)
{
	int c;

	for (c = 0; c < C_UNKNOWN; c++) {
		unsigned long k = cmd_known[c];

		if (_IOC_DIR(cmd) == _IOC_DIR(k) && _IOC_TYPE(cmd) == _IOC_TYPE(k) &&
		    _IOC_NR(cmd) == _IOC_NR(k) && _IOC_SIZE(cmd) >= _IOC_SIZE(k))
			return true;
	}
	return false;
}

static int op_unknown(void)
{
	struct pick pk = pick_fd(pct(50) ? FD_DEV : FD_HANDLE, 0);
	unsigned long cmd;
	uint8_t *arg;
	size_t usize = 64;
	long ret;

	for (;;) {
		unsigned int r = (unsigned int)below(100);

		if (r < 50 || pk.kind == FD_OTHER)
			cmd = _IOC(below(4), ZXPROC_IOC_MAGIC, below(256), below(ARG_MAX_SIZE + 1));
		else if (r < 80)
			cmd = (cmd_known[below(C_UNKNOWN)] & ~(0xffUL << _IOC_NRSHIFT)) |
			      (below(256) << _IOC_NRSHIFT);
		else
			cmd = (uint32_t)rnd();
		if (!is_known(cmd) && !vfs_generic(cmd))
			break;
	}
	arg_choose(&A, usize, gen_place(usize));
	fill_random(A.img, usize);
	arg_fill(&A);
	arg = A.p;
	note("unknown fd=%s cmd=0x%lx arg=%p", fdk_name(&pk), cmd, (void *)arg);
	ret = fz_ioctl(pk.fd, cmd, arg);
	note(" -> %s", rname(ret));
	count(C_UNKNOWN, ret, false);
	if (check_doc(C_UNKNOWN, ret, pk.kind))
		return -1;
	CHECK(front_is(pk.kind == FD_CLOSED ? EBADF : ENOTTY, ret, &pk),
	      "unknown command 0x%lx: %s, want %s",
	      cmd, rname(ret), pk.kind == FD_CLOSED ? "EBADF" : "ENOTTY");
	ARG_SAME(0, 0, "unknown command");
	return 0;
}

/* dup(2) and close(2) of handles. */
static int op_pool(void)
{
	struct hslot *s = &fz.pool[below(fz.npool)];
	int fd;

	if (pct(50) && fz.npool < POOL_MAX) {
		bool cloexec = pct(50);

		fd = cloexec ? fcntl(s->fd, F_DUPFD_CLOEXEC, 0) : dup(s->fd);
		note("dup(2) of handle(r=0x%x%s)%s -> %d", s->rights, s->stale ? ",stale" : "",
		     cloexec ? " F_DUPFD_CLOEXEC" : "", fd);
		CHECK(fd >= 0, "dup(2) of a handle failed: %s", ename(errno));
		pool_add(fd, s->rights, s->stale, false);
		return 0;
	}
	if (!s->fixed) {
		note("close(2) of handle(r=0x%x%s)", s->rights, s->stale ? ",stale" : "");
		pool_drop(s);
	}
	return 0;
}

/* ---- memory accesses ----------------------------------------------------- */

/* Apply a write of @n bytes from our @buf at target @addr to the shadow. */
static void shadow_write(uint64_t addr, uint64_t buf, uint64_t n)
{
	memcpy(fz.shadow + (addr - ptr(fz.win)), (const void *)(uintptr_t)buf, n);
}

/* ... and a read of @n bytes into our buffer, to the expected image. */
static void expect_read(uint64_t addr, uint64_t buf, uint64_t n)
{
	if (n)
		memcpy(fz.cb_expect + (buf - ptr(fz.cb)), fz.shadow + (addr - ptr(fz.win)), n);
}

/* (d): our caller buffers hold exactly what was expected. */
static int check_cb(const char *what)
{
	size_t len = CB_PAGES * fz.pg;

	if (memcmp(fz.cb, fz.cb_expect, len)) {
		size_t o;

		for (o = 0; fz.cb[o] == fz.cb_expect[o]; o++)
			;
		CHECK(0, "%s: caller buffer byte at cb+%zu is 0x%02x, want 0x%02x", what, o,
		      fz.cb[o], fz.cb_expect[o]);
	}
	return 0;
}

/* Fresh bytes at the start of a write's source (in our read-write buffers). */
static void refresh_source(uint64_t buf, uint64_t len)
{
	uint64_t cb = ptr(fz.cb), end = cb + CB_PAGES * fz.pg;

	if (buf >= cb && buf < end) {
		uint64_t n = len < 512 ? len : 512;

		if (n > end - buf)
			n = end - buf;
		fill_random((void *)(uintptr_t)buf, n);
	}
}

static bool ambiguous(const struct rout *o)
{
	return o->lo != o->hi;
}

static int op_mem(bool write)
{
	enum cmdi ci = write ? C_WRITE : C_READ;
	struct pick pk = pick_fd(FD_HANDLE, write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ);
	struct zxproc_mem m = { 0 };
	struct eset es = { .n = 0 };
	struct rout o = { 0 };
	enum tailk tk;
	enum place pl;
	size_t usize;
	bool dir_ok, valid, all;
	unsigned long cmd;
	uint64_t actual, n;
	long ret;
	int front;

	m.addr = gen_addr();
	m.len = gen_len(m.addr);
	m.buf = gen_buf(m.len);
	m.flags = gen_flags(ZXPROC_MEM_ALL_OR_NOTHING);
	m.reserved = gen_reserved();
	m.actual = ZX_SENTINEL;
	usize = gen_size(sizeof(m), &tk);
	cmd = gen_cmd(cmd_known[ci], usize, &dir_ok);
	pl = gen_place(usize);
	arg_choose(&A, usize, pl);
	all = m.flags & ZXPROC_MEM_ALL_OR_NOTHING;
	valid = !(m.flags & ~ZXPROC_MEM_ALL_OR_NOTHING) && !m.reserved && m.len &&
		m.len <= FZ_MAX && m.buf;
	if (valid) {
		o = model_range(m.addr, m.buf, m.len, write, all);
		/* Where actual cannot be written back, the count must be exact. */
		if (ambiguous(&o) && A.wr < usize) {
			m.buf = good_buf(m.len);
			o = model_range(m.addr, m.buf, m.len, write, all);
		}
	}
	if (write)
		refresh_source(m.buf, m.len);
	arg_image(&A, &m, sizeof(m), tk);
	arg_fill(&A);
	memcpy(fz.cb_before, fz.cb, CB_PAGES * fz.pg);
	memcpy(fz.cb_expect, fz.cb, CB_PAGES * fz.pg);

	note("%s fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu) addr=0x%llx len=0x%llx buf=0x%llx flags=0x%x reserved=0x%x",
	     cmd_name[ci], fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, A.wr,
	     (unsigned long long)m.addr, (unsigned long long)m.len,
	     (unsigned long long)m.buf, m.flags, m.reserved);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	actual = ZX_SENTINEL;
	if (A.rd >= sizeof(m))
		memcpy(&actual, A.p + offsetof(struct zxproc_mem, actual), 8);
	note(" -> %s actual=%lld", rname(ret), (long long)actual);
	count(ci, ret, ret == 0 && actual < m.len);
	if (check_doc(ci, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(m));
	if (front) {
		CHECK(front_is(front, ret, &pk), "%s: %s, want %s", cmd_name[ci], rname(ret), ename(front));
		ARG_SAME(0, 0, cmd_name[ci]);
		return check_cb(cmd_name[ci]);
	}
	args_in_errors(&A, sizeof(m), &es);
	if (!es.n) {
		if (!valid)
			es_add(&es, EINVAL);
		if (!(pk.slot->rights & (write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ)))
			es_add(&es, EACCES);
	}
	if (es.n) {
		/* Refused before anything: not even actual is written. */
		CHECK(ret < 0 && es_has(&es, (int)-ret), "%s: %s, want %s", cmd_name[ci],
		      rname(ret), es_str(&es));
		ARG_SAME(0, 0, cmd_name[ci]);
		return check_cb(cmd_name[ci]);
	}
	if (pk.slot->stale) {
		o.err = ESTALE;
		o.alt = 0;
		o.lo = o.hi = 0;
	}
	if (A.wr < usize) {
		/* The struct is read-only: the copy happens, actual cannot be told. */
		CHECK(ret == -EFAULT, "%s with a read-only struct: %s, want EFAULT (after the copy)",
		      cmd_name[ci], rname(ret));
		n = o.lo;
	} else {
		CHECK(ret == -o.err || (o.alt && ret == -o.alt),
		      "%s: %s, want %s%s%s (actual %llu..%llu)", cmd_name[ci], rname(ret),
		      o.err ? ename(o.err) : "success", o.alt ? " or " : "",
		      o.alt ? ename(o.alt) : "", (unsigned long long)o.lo,
		      (unsigned long long)o.hi);
		CHECK(actual >= o.lo && actual <= o.hi && actual <= m.len,
		      "%s: actual %llu, want %llu..%llu (len %llu)", cmd_name[ci],
		      (unsigned long long)actual, (unsigned long long)o.lo,
		      (unsigned long long)o.hi, (unsigned long long)m.len);
		ARG_SAME(offsetof(struct zxproc_mem, actual), sizeof(m), cmd_name[ci]);
		n = actual;
	}
	if (write)
		shadow_write(m.addr, m.buf, n);
	else
		expect_read(m.addr, m.buf, n);
	return check_cb(cmd_name[ci]);
}

/* ---- batches ------------------------------------------------------------- */

static uint32_t gen_nr(void)
{
	unsigned int r = (unsigned int)below(fz.clean ? 92 : 100);

	/* A clean batch has 1 to ZXPROC_MAX_SEGMENTS segments. */
	if (fz.clean && ((r >= 70 && r < 73) || (r >= 77 && r < 80)))
		r = 0;

	if (r < 70)
		return 1 + (uint32_t)below(8);
	if (r < 73)
		return 0;
	if (r < 77)
		return ZXPROC_MAX_SEGMENTS;
	if (r < 80)
		return ZXPROC_MAX_SEGMENTS + 1;
	if (r < 92)
		return 1 + (uint32_t)below(ZXPROC_MAX_SEGMENTS);
	if (r < 96)
		return ~0u;
	return (uint32_t)rnd();
}

/* struct zxproc_memv's out fields, actual and done, are adjacent. */
#define MEMV_OUT_FROM offsetof(struct zxproc_memv, actual)
#define MEMV_OUT_TO (offsetof(struct zxproc_memv, done) + sizeof(uint32_t))
_Static_assert(offsetof(struct zxproc_memv, done) == MEMV_OUT_FROM + 8,
	       "actual and done are adjacent");

static int op_memv(bool write)
{
	enum cmdi ci = write ? C_WRITEV : C_READV;
	struct pick pk = pick_fd(FD_HANDLE, write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ);
	struct zxproc_memv v = { 0 };
	static struct rout o[SEGS_MAX];
	static uint64_t done_i[SEGS_MAX];
	struct eset es = { .n = 0 };
	uint8_t *sp = NULL;
	uint32_t nr = gen_nr(), nimg = nr < SEGS_MAX ? nr : SEGS_MAX, i;
	size_t sbytes = (size_t)nimg * sizeof(struct zxproc_seg), srd = 0, usize;
	bool bulk = nr > 16, results_ok = false, dir_ok, valid, all, struct_ok;
	bool hdr_bad, seg_bad = false;
	uint64_t total = 0, sum = 0, actual, amb_i = UINT64_MAX;
	uint32_t done;
	enum tailk tk;
	unsigned int r;
	unsigned long cmd;
	long ret;
	int front, n_exec, want_ret;

	v.flags = gen_flags(ZXPROC_MEM_ALL_OR_NOTHING);
	v.reserved = gen_reserved();
	all = v.flags & ZXPROC_MEM_ALL_OR_NOTHING;
	for (i = 0; i < nimg; i++) {
		struct zxproc_seg *s = &segv[i];

		if (bulk && !pct(2)) {
			s->addr = ptr(fz.win) + (WIN_FIRST + below(WIN_LAST - WIN_FIRST + 1)) * fz.pg +
				  below(fz.pg);
			s->len = 1 + below(64);
			s->buf = good_buf(s->len);
		} else {
			s->addr = gen_addr();
			s->len = pct(70) ? 1 + below(2 * fz.pg) : gen_len(s->addr);
			if (fz.clean && s->len > FZ_MAX / SEGS_MAX)
				s->len = 1 + below(4 * fz.pg);
			s->buf = gen_buf(s->len);
		}
		s->result = (int64_t)ZX_SENTINEL;
	}
	/* Totals at and just over the limit. */
	if (nimg >= 2 && pct(6)) {
		uint64_t rest = 0;

		for (i = 1; i < nimg; i++) {
			segv[i].len = 1 + below(64);
			rest += segv[i].len;
		}
		segv[0].len = FZ_MAX - rest + (!fz.clean && pct(50) ? 1 : 0);
		segv[0].buf = good_buf(segv[0].len);
	}

	/* Where the array goes. */
	r = (unsigned int)below(100);
	if (r < 84 || !sbytes || fz.clean) {
		sp = fz.segs + below(SEGS_PAGES * fz.pg - sbytes + 1);
		srd = sbytes;
		results_ok = true;
	} else if (r < 88) {
		size_t k = 1 + below(sbytes);

		sp = fz.segs + SEGS_PAGES * fz.pg - sbytes + k;
		srd = sbytes - k;
		results_ok = false;
	} else if (r < 94) {
		sp = fz.segs_ro + below(SEGS_PAGES * fz.pg - sbytes + 1);
		srd = sbytes;
	} else if (r < 96) {
		sp = NULL;
	} else if (r < 98) {
		sp = fz.segs + SEGS_PAGES * fz.pg + below(fz.pg);
	} else {
		sp = (uint8_t *)(uintptr_t)0xffffc90000000000ULL;
	}

	usize = gen_size(sizeof(v), &tk);
	cmd = gen_cmd(cmd_known[ci], usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	struct_ok = A.wr == usize;

	/* The model, segment by segment; at most one count left to actual. */
	hdr_bad = (v.flags & ~ZXPROC_MEM_ALL_OR_NOTHING) || v.reserved || !nr ||
		  nr > ZXPROC_MAX_SEGMENTS;
	for (i = 0; i < nimg && i < ZXPROC_MAX_SEGMENTS; i++) {
		struct zxproc_seg *s = &segv[i];

		total += s->len;
		if (!s->len || s->len > FZ_MAX || !s->buf || total > FZ_MAX)
			seg_bad = true;
	}
	valid = !hdr_bad && !seg_bad;
	if (valid && srd == sbytes) {
		for (i = 0; i < nimg; i++) {
			struct zxproc_seg *s = &segv[i];

			o[i] = model_range(s->addr, s->buf, s->len, write, all);
			if (ambiguous(&o[i]) && (amb_i != UINT64_MAX || !results_ok || !struct_ok)) {
				s->buf = good_buf(s->len);
				o[i] = model_range(s->addr, s->buf, s->len, write, all);
			}
			if (ambiguous(&o[i]))
				amb_i = i;
		}
	}
	for (i = 0; i < nimg; i++)
		if (write)
			refresh_source(segv[i].buf, segv[i].len);
	if (srd) {
		if (sp >= fz.segs_ro)
			ro_write(fz.segs_ro, SEGS_PAGES, sp, segv, srd);
		else
			memcpy(sp, segv, srd);
	}
	v.segs = ptr(sp);
	v.nr_segs = nr;
	v.actual = ZX_SENTINEL;
	v.done = 0xa5a5a5a5;
	arg_image(&A, &v, sizeof(v), tk);
	arg_fill(&A);
	memcpy(fz.cb_before, fz.cb, CB_PAGES * fz.pg);
	memcpy(fz.cb_expect, fz.cb, CB_PAGES * fz.pg);

	note("%s fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu) segs=%p (%zu of %zu readable%s) nr=%u flags=0x%x reserved=0x%x",
	     cmd_name[ci], fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, A.wr, (void *)sp,
	     srd, sbytes, sp >= fz.segs_ro && sp < fz.segs_ro + SEGS_PAGES * fz.pg ? ", read-only" : "",
	     nr, v.flags, v.reserved);
	for (i = 0; i < nimg && i < 3; i++)
		note(" [%u: addr 0x%llx len 0x%llx buf 0x%llx]", i,
		     (unsigned long long)segv[i].addr, (unsigned long long)segv[i].len,
		     (unsigned long long)segv[i].buf);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	actual = ZX_SENTINEL;
	done = 0xa5a5a5a5;
	if (A.rd >= sizeof(v)) {
		memcpy(&actual, A.p + offsetof(struct zxproc_memv, actual), 8);
		memcpy(&done, A.p + offsetof(struct zxproc_memv, done), 4);
	}
	note(" -> %s actual=%lld done=%u", rname(ret), (long long)actual, done);
	count(ci, ret, false);
	if (check_doc(ci, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(v));
	if (front) {
		CHECK(front_is(front, ret, &pk), "%s: %s, want %s", cmd_name[ci], rname(ret), ename(front));
		goto unchanged;
	}
	args_in_errors(&A, sizeof(v), &es);
	if (!es.n) {
		/* The header, then the array (read in whole), then each segment. */
		if (hdr_bad)
			es_add(&es, EINVAL);
		if (nr && nr <= ZXPROC_MAX_SEGMENTS && srd < sbytes)
			es_add(&es, EFAULT);
		else if (nr && nr <= ZXPROC_MAX_SEGMENTS && seg_bad)
			es_add(&es, EINVAL);
		if (!(pk.slot->rights & (write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ)))
			es_add(&es, EACCES);
	}
	if (es.n) {
		CHECK(ret < 0 && es_has(&es, (int)-ret), "%s: %s, want %s", cmd_name[ci],
		      rname(ret), es_str(&es));
		goto unchanged;
	}
	if (pk.slot->stale) {
		if (struct_ok) {
			CHECK(ret == -ESTALE && actual == 0 && done == 0,
			      "%s on a stale handle: %s, actual %llu, done %u; want ESTALE, 0, 0",
			      cmd_name[ci], rname(ret), (unsigned long long)actual, done);
		} else {
			CHECK(ret == -EFAULT, "%s on a stale handle, read-only struct: %s, want EFAULT",
			      cmd_name[ci], rname(ret));
		}
		ARG_SAME(MEMV_OUT_FROM, MEMV_OUT_TO, cmd_name[ci]);
		for (i = 0; i < nimg; i++)
			CHECK(srd == 0 || !memcmp(sp + i * sizeof(segv[0]), &segv[i], sizeof(segv[0])),
			      "%s on a stale handle wrote segment %u", cmd_name[ci], i);
		return check_cb(cmd_name[ci]);
	}

	/* Executed: every segment, or with a read-only array only the first. */
	n_exec = results_ok ? (int)nr : 1;
	want_ret = results_ok && struct_ok ? 0 : EFAULT;
	CHECK(ret == -want_ret, "%s: %s, want %s", cmd_name[ci], rname(ret),
	      want_ret ? "EFAULT" : "success");
	for (i = 0; i < (uint32_t)n_exec; i++) {
		struct zxproc_seg got;

		done_i[i] = o[i].lo;
		if (!results_ok)
			continue;
		memcpy(&got, sp + i * sizeof(got), sizeof(got));
		CHECK(got.addr == segv[i].addr && got.buf == segv[i].buf && got.len == segv[i].len,
		      "%s changed the input fields of segment %u", cmd_name[ci], i);
		if (o[i].err) {
			CHECK(got.result == -o[i].err || (o[i].alt && got.result == -o[i].alt),
			      "%s segment %u of %u (addr 0x%llx len 0x%llx buf 0x%llx): result %lld, want -%s%s%s",
			      cmd_name[ci], i, nr, (unsigned long long)segv[i].addr,
			      (unsigned long long)segv[i].len, (unsigned long long)segv[i].buf,
			      (long long)got.result, ename(o[i].err), o[i].alt ? " or -" : "",
			      o[i].alt ? ename(o[i].alt) : "");
		} else {
			CHECK(got.result == (int64_t)o[i].lo,
			      "%s segment %u of %u (addr 0x%llx len 0x%llx buf 0x%llx): result %lld, want %llu",
			      cmd_name[ci], i, nr, (unsigned long long)segv[i].addr,
			      (unsigned long long)segv[i].len, (unsigned long long)segv[i].buf,
			      (long long)got.result, (unsigned long long)o[i].lo);
		}
		CHECK(got.result >= -4095 && got.result <= (int64_t)segv[i].len,
		      "%s segment %u: result %lld outside [-4095, len %llu]", cmd_name[ci], i,
		      (long long)got.result, (unsigned long long)segv[i].len);
		if (i != amb_i)
			sum += done_i[i];
	}
	for (i = n_exec; i < nimg; i++) {
		if (!results_ok || !srd)
			break;
		CHECK(!memcmp(sp + i * sizeof(segv[0]), &segv[i], sizeof(segv[0])),
		      "%s touched segment %u, past the %d executed", cmd_name[ci], i, n_exec);
	}
	if (struct_ok) {
		CHECK(done == (results_ok ? nr : 0), "%s: done %u, want %u", cmd_name[ci], done,
		      results_ok ? nr : 0);
		if (!results_ok) {
			/* Only the first segment ran; actual is its count. */
			CHECK(actual >= o[0].lo && actual <= o[0].hi,
			      "%s with a read-only array: actual %llu, want %llu..%llu",
			      cmd_name[ci], (unsigned long long)actual,
			      (unsigned long long)o[0].lo, (unsigned long long)o[0].hi);
			done_i[0] = actual;
		} else if (amb_i != UINT64_MAX) {
			CHECK(actual >= sum && actual - sum >= o[amb_i].lo && actual - sum <= o[amb_i].hi,
			      "%s: actual %llu; the other segments copied %llu, so segment %llu copied %lld, want %llu..%llu",
			      cmd_name[ci], (unsigned long long)actual, (unsigned long long)sum,
			      (unsigned long long)amb_i, (long long)(actual - sum),
			      (unsigned long long)o[amb_i].lo, (unsigned long long)o[amb_i].hi);
			done_i[amb_i] = actual - sum;
		} else {
			CHECK(actual == sum, "%s: actual %llu, the segments' results add up to %llu",
			      cmd_name[ci], (unsigned long long)actual, (unsigned long long)sum);
		}
		CHECK(actual <= total, "%s: actual %llu over the total %llu", cmd_name[ci],
		      (unsigned long long)actual, (unsigned long long)total);
		ARG_SAME(MEMV_OUT_FROM, MEMV_OUT_TO, cmd_name[ci]);
	}
	for (i = 0; i < (uint32_t)n_exec; i++) {
		if (write)
			shadow_write(segv[i].addr, segv[i].buf, done_i[i]);
		else
			expect_read(segv[i].addr, segv[i].buf, done_i[i]);
	}
	return check_cb(cmd_name[ci]);

unchanged:
	ARG_SAME(0, 0, cmd_name[ci]);
	if (srd && memcmp(sp, segv, srd))
		CHECK(0, "%s was refused but changed the segment array", cmd_name[ci]);
	return check_cb(cmd_name[ci]);
}

/* ---- the run ------------------------------------------------------------- */

static int fz_loop(void)
{
	for (fz.op = 1; fz.op <= fz.iters; fz.op++) {
		unsigned int r = (unsigned int)below(100);
		int ret;

		fz.ring[fz.op % RING][0] = '\0';
		fz.clean = pct(45);
		note("#%llu%s ", (unsigned long long)fz.op, fz.clean ? " clean" : "");
		if (r < 22)
			ret = op_mem(true);
		else if (r < 36)
			ret = op_mem(false);
		else if (r < 47)
			ret = op_memv(true);
		else if (r < 54)
			ret = op_memv(false);
		else if (r < 64)
			ret = op_open();
		else if (r < 72)
			ret = op_dup();
		else if (r < 78)
			ret = op_info();
		else if (r < 81)
			ret = op_version();
		else if (r < 88)
			ret = op_unknown();
		else
			ret = op_pool();
		if (ret)
			return ret;
		if (fz.op % FZ_VERIFY_EVERY == 0) {
			if (verify_all())
				return -1;
			if (zx_now_ms() - fz.t0 > fz.budget_ms) {
				fprintf(stderr, "# %s: time budget of %lld s spent after %llu of %llu calls (ZXPROC_FUZZ_SECONDS)\n",
					fz.mode->name, fz.budget_ms / 1000,
					(unsigned long long)fz.op, (unsigned long long)fz.iters);
				fz.iters = fz.op;
				fz.stopped = true;
				break;
			}
		}
	}
	return verify_all();
}

static void summary(void)
{
	long long ms = zx_now_ms() - fz.t0;
	int c;
	size_t i;

	fprintf(stderr, "# %s: %llu calls in %lld.%03lld s; outcomes per command:\n",
		fz.mode->name, (unsigned long long)(fz.op < fz.iters ? fz.op : fz.iters),
		ms / 1000, ms % 1000);
	for (c = 0; c < NCMDS; c++) {
		char line[512];
		size_t n = 0;

		n += snprintf(line + n, sizeof(line) - n, "#   %-12s ok:%u", cmd_name[c],
			      fz.counts[c][O_OK]);
		if (fz.counts[c][O_SHORT])
			n += snprintf(line + n, sizeof(line) - n, " short:%u", fz.counts[c][O_SHORT]);
		for (i = 0; i < NTRACKED; i++)
			if (fz.counts[c][O_ERR0 + i])
				n += snprintf(line + n, sizeof(line) - n, " %s:%u",
					      ename(tracked[i]), fz.counts[c][O_ERR0 + i]);
		if (fz.counts[c][O_OTHER])
			snprintf(line + n, sizeof(line) - n, " other:%u", fz.counts[c][O_OTHER]);
		fprintf(stderr, "%s\n", line);
	}
}

/*
 * With the default number of calls, every command must have been seen
 * to succeed and to fail in its main ways: a generator that drifted into
 * always-refused arguments fails here instead of passing vacuously.
 */
static int coverage(void)
{
	static const struct { enum cmdi c; int e; } need[] = {
		{ C_WRITE, EINVAL }, { C_WRITE, E2BIG }, { C_WRITE, ENOTTY },
		{ C_WRITE, EACCES }, { C_WRITE, EFAULT }, { C_WRITE, ENOMEM },
		{ C_WRITE, ESTALE }, { C_READ, EINVAL }, { C_READ, EFAULT },
		{ C_READ, ENOMEM }, { C_READ, ESTALE }, { C_WRITEV, EINVAL },
		{ C_WRITEV, EFAULT }, { C_WRITEV, ESTALE }, { C_READV, EINVAL },
		{ C_OPEN, EINVAL }, { C_OPEN, ESRCH }, { C_OPEN, ESTALE },
		{ C_OPEN, ENOTTY }, { C_DUP, EINVAL }, { C_DUP, ENOTTY },
		{ C_INFO, ENOTTY }, { C_UNKNOWN, ENOTTY },
	};
	size_t i, t;
	int c;

	if (fz.iters < FZ_DEFAULT_ITERS || fz.stopped)
		return 0;
	for (c = 0; c < C_UNKNOWN; c++)
		CHECK(fz.counts[c][O_OK], "coverage: %s never succeeded in %llu calls",
		      cmd_name[c], (unsigned long long)fz.iters);
	CHECK(fz.counts[C_WRITE][O_SHORT] && fz.counts[C_READ][O_SHORT],
	      "coverage: no short WRITE or READ in %llu calls", (unsigned long long)fz.iters);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		for (t = 0; tracked[t] != need[i].e; t++)
			;
		CHECK(fz.counts[need[i].c][O_ERR0 + t], "coverage: %s never failed with %s in %llu calls",
		      cmd_name[need[i].c], ename(need[i].e), (unsigned long long)fz.iters);
	}
	if (!fz.priv) {
		for (t = 0; tracked[t] != EPERM; t++)
			;
		CHECK(fz.counts[C_OPEN][O_ERR0 + t], "coverage: an unprivileged PROCESS_OPEN was never refused");
	}
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

/* zx_target_prep() callback: the target's window content; maybe a
 * handle to itself, sent back. */
static int prep_window(void *arg)
{
	int *sock = arg;
	size_t i;

	for (i = 0; i < NPAGES; i++) {
		uint8_t *p = fz.win + i * fz.pg;

		if (!kind_anon(win_kind[i]))
			continue;
		if (mprotect(p, fz.pg, PROT_READ | PROT_WRITE))
			return -1;
		memcpy(p, fz.init + i * fz.pg, fz.pg);
		if (mprotect(p, fz.pg, kind_prot(win_kind[i])))
			return -1;
	}
	if (sock) {
		int h = zx_open(fz.dev, getpid(), ZXPROC_RIGHTS_ALL);

		if (h < 0 || zx_send_fd(*sock, h))
			return -1;
		close(h);
	}
	return 0;
}

/* A handle whose process has exited and been reaped. */
static int stale_handle(void)
{
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid == 0) {
		int h = zx_open(fz.dev, getpid(), ZXPROC_RIGHTS_ALL);

		_exit(h < 0 || zx_send_fd(sv[1], h) ? 1 : 0);
	}
	close(sv[1]);
	fd = zx_recv_fd(sv[0]);
	close(sv[0]);
	waitpid(pid, &status, 0);
	return fd;
}

/* The helper thread says its id on one pipe and waits on the other. */
static int ready_pipe[2], release_pipe[2];

static void *helper_thread(void *unused)
{
	pid_t tid = gettid();
	char c;

	(void)unused;
	if (write(ready_pipe[1], &tid, sizeof(tid)) != sizeof(tid))
		return NULL;
	while (read(release_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

/* Descriptors of other kinds. */
static int other_fds(void)
{
	int p[2], s[2];

	fz.nother = 0;
	if (pipe2(p, O_CLOEXEC) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s))
		return -errno;
	fz.other[fz.nother++] = p[0];
	fz.other[fz.nother++] = p[1];
	fz.other[fz.nother++] = s[0];
	fz.other[fz.nother++] = s[1];
	fz.other[fz.nother++] = open("/dev/null", O_RDWR | O_CLOEXEC);
	fz.other[fz.nother++] = memfd_create("zxfuzz-other", MFD_CLOEXEC);
	fz.other[fz.nother++] = eventfd(0, EFD_CLOEXEC);
	fz.pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	fz.other[fz.nother++] = fz.pidfd;
	for (p[0] = 0; p[0] < fz.nother; p[0]++)
		if (fz.other[p[0]] < 0)
			return -EBADF;
	return 0;
}

/* The seed of one test, from the printed one and the test's name. */
static uint64_t test_seed(const char *name)
{
	uint64_t h = base_seed;

	while (*name)
		h = (h ^ (uint8_t)*name++) * 0x100000001b3ULL;
	return h;
}

/*
 * The fuzzing process: in root mode the test itself, otherwise the
 * caller with its privileges dropped.  @tmem_sock: where to ask for the
 * target's /proc/PID/mem (-1: open it ourselves).  Returns 0 on success.
 */
static int fuzz_here(int tmem_sock)
{
	pthread_t th;
	int sv[2], fds0, ret = -1, main_h, st;
	char c = 'x';
	long v;

	rng = test_seed(fz.mode->name);
	fz.seed = rng;
	fz.iters = iterations();
	fz.budget_ms = time_budget_ms();
	{
		char buf[16];

		fz.force_write = zx_read_file("/sys/module/zxproc/parameters/force_write",
					      buf, sizeof(buf)) > 0 ? buf[0] == 'Y' : true;
		v = zx_read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0 ?
		    strtol(buf, NULL, 10) : 4194304;
		fz.pid_max = (pid_t)v;
		fz.kthread = zx_read_file("/proc/2/stat", buf, sizeof(buf)) > 0 &&
			     !strncmp(buf, "2 (kthreadd)", 12) ? 2 : 0;
	}
	if (pipe2(ready_pipe, O_CLOEXEC) || pipe2(release_pipe, O_CLOEXEC) ||
	    pthread_create(&th, NULL, helper_thread, NULL) ||
	    read(ready_pipe[0], &fz.tid, sizeof(fz.tid)) != sizeof(fz.tid))
		return fz_fail(__LINE__, "cannot start the helper thread");
	if (other_fds())
		return fz_fail(__LINE__, "cannot open the other kinds of descriptor");
	fz.closed_fd = 1000;
	close(fz.closed_fd);
	if (read_maps())
		return fz_fail(__LINE__, "cannot read /proc/self/maps");
	outside_addresses();
	fds0 = zx_count_fds();

	/* The target, and its handle: minted by us, or by itself. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return fz_fail(__LINE__, "socketpair: %s", ename(errno));
	fz.target = zx_target_prep(prep_window, fz.priv ? NULL : &sv[1]);
	if (fz.target < 0)
		return fz_fail(__LINE__, "cannot start the target: %s", ename(-fz.target));
	main_h = fz.priv ? zx_open(fz.dev, fz.target, ZXPROC_RIGHTS_ALL) : zx_recv_fd(sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (main_h < 0) {
		fz_fail(__LINE__, "no handle to the target: %s", ename(-main_h));
		goto out_target;
	}
	pool_add(main_h, ZXPROC_RIGHTS_ALL, false, true);
	st = stale_handle();
	if (st < 0) {
		fz_fail(__LINE__, "no stale handle: %s", ename(-st));
		goto out_target;
	}
	pool_add(st, ZXPROC_RIGHTS_ALL, true, true);
	if (tmem_sock < 0) {
		char path[64];

		snprintf(path, sizeof(path), "/proc/%d/mem", fz.target);
		fz.tmem = open(path, O_RDONLY | O_CLOEXEC);
	} else {
		fz.tmem = write(tmem_sock, &fz.target, sizeof(fz.target)) == sizeof(fz.target) ?
			  zx_recv_fd(tmem_sock) : -EIO;
	}
	if (fz.tmem < 0) {
		fz_fail(__LINE__, "cannot open the target's /proc/PID/mem");
		goto out_target;
	}

	fprintf(stderr, "# %s: seed 0x%llx (ZXPROC_FUZZ_SEED=0x%llx), %llu calls, force_write=%c, vvar %s\n",
		fz.mode->name, (unsigned long long)fz.seed, (unsigned long long)base_seed,
		(unsigned long long)fz.iters, fz.force_write ? 'Y' : 'N',
		fz.vvar ? "found" : "not found");
	fz.t0 = zx_now_ms();
	if (verify_all())
		goto out_target;
	ret = fz_loop();
	summary();
	if (!ret)
		ret = coverage();
	if (!ret)
		ret = verify_own();

	/* (e): no descriptor leaked. */
	while (fz.npool)
		pool_drop(&fz.pool[0]);
	close(fz.tmem);
	if (!ret && zx_count_fds() != fds0)
		ret = fz_fail(__LINE__, "descriptors: %d before, %d after", fds0, zx_count_fds());
out_target:
	zx_reap(fz.target);
	if (write(release_pipe[1], &c, 1) == 1)
		pthread_join(th, NULL);
	return ret;
}

/* ---- callers ------------------------------------------------------------- */

static const struct mode modes[] = {
	{ "root", false, W_ROOT, DEV_ROOT },
	{ "nobody_kept_device", true, W_NOBODY, DEV_ROOT },
	{ "nobody_own_device", true, W_NOBODY, DEV_OWN },
	{ "root_unpriv_device", true, W_ROOT, DEV_NOBODY },
	{ "root_noptrace", true, W_NOPTRACE, DEV_ROOT },
};

/* A descriptor of @node opened by nobody, in a helper. */
static int nobody_opened(const char *node)
{
	int sv[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid == 0) {
		int d;

		close(sv[0]);
		d = zx_become_nobody() ? -1 : open(node, O_RDWR | O_CLOEXEC);
		_exit(d < 0 || zx_send_fd(sv[1], d) ? 1 : 0);
	}
	close(sv[1]);
	fd = zx_recv_fd(sv[0]);
	close(sv[0]);
	waitpid(pid, &status, 0);
	return fd;
}

/* The dropped caller: returns its exit status for the test. */
static int unpriv_child(const char *node, int rootdev, int nobodydev, int sock)
{
	if (fz.mode->who == W_NOBODY && zx_become_nobody())
		return 101;
	if (fz.mode->who == W_NOPTRACE && zx_drop_cap(CAP_SYS_PTRACE))
		return 102;
	/* A process started as nobody would be dumpable; ours must be, for
	 * its own /proc files. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 103;
	if (fz.mode->who != W_ROOT && zx_has_cap(CAP_SYS_PTRACE))
		return 104;
	switch (fz.mode->dev) {
	case DEV_ROOT:
		fz.dev = rootdev;
		break;
	case DEV_OWN:
		fz.dev = open(node, O_RDWR | O_CLOEXEC);
		break;
	case DEV_NOBODY:
		fz.dev = nobodydev;
		break;
	}
	if (fz.dev < 0)
		return 105;
	/* Nobody cannot open the device itself. */
	if (fz.mode->who == W_NOBODY && zx_dev() != -EACCES)
		return 106;
	fz.priv = false;
	return fuzz_here(sock) ? 1 : 0;
}

/* The whole test of one caller.  Returns 0, or a failed step. */
static int run_mode(const struct mode *m, char *msg, size_t msglen)
{
	char dir[128] = "", node[160] = "";
	struct stat st;
	int rootdev, nobodydev = -1, sv[2], status, ret = 0;
	pid_t child;
	size_t i;
	long d;

	fz.mode = m;
	if (map_all())
		return snprintf(msg, msglen, "cannot map the window"), 1;
	rootdev = zx_dev();
	if (rootdev < 0)
		return snprintf(msg, msglen, "cannot open %s: %s", ZX_DEV_PATH, ename(-rootdev)), 2;
	fz.dev = rootdev;
	/* The bystander and the zombie belong to root. */
	fz.rootp = zx_target_prep(prep_window, NULL);
	if (fz.rootp < 0)
		return snprintf(msg, msglen, "cannot start the bystander"), 3;
	fz.zombie = fork();
	if (fz.zombie == 0)
		_exit(0);
	waitid(P_PID, fz.zombie, &(siginfo_t){ 0 }, WEXITED | WNOWAIT);

	if (!m->unpriv) {
		fz.priv = true;
		ret = fuzz_here(-1) ? 4 : 0;
		if (ret)
			snprintf(msg, msglen, "the fuzzer failed (its report is above)");
		goto out;
	}

	if (m->dev != DEV_ROOT) {
		snprintf(dir, sizeof(dir), "%s/zxproc-fuzz-XXXXXX",
			 getenv("ZXPROC_VM_TMPDIR") ?: "/tmp");
		if (!mkdtemp(dir) || chmod(dir, 0755) || stat(ZX_DEV_PATH, &st))
			return snprintf(msg, msglen, "cannot make a private directory"), 5;
		snprintf(node, sizeof(node), "%s/zxproc", dir);
		if (mknod(node, S_IFCHR | 0666, st.st_rdev) || chmod(node, 0666)) {
			ret = 6;
			snprintf(msg, msglen, "mknod %s: %s", node, ename(errno));
			goto out;
		}
		if (m->dev == DEV_NOBODY) {
			nobodydev = nobody_opened(node);
			if (nobodydev < 0) {
				ret = 7;
				snprintf(msg, msglen, "nobody could not open %s", node);
				goto out;
			}
		}
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		ret = 8;
		goto out;
	}
	child = fork();
	if (child == 0) {
		close(sv[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(unpriv_child(node, rootdev, nobodydev, sv[1]));
	}
	close(sv[1]);
	/* Serve the target's /proc/PID/mem, which only root may open. */
	{
		pid_t t;
		char path[64];
		int mfd;

		if (read(sv[0], &t, sizeof(t)) == sizeof(t)) {
			snprintf(path, sizeof(path), "/proc/%d/mem", t);
			mfd = open(path, O_RDONLY | O_CLOEXEC);
			if (mfd >= 0) {
				zx_send_fd(sv[0], mfd);
				close(mfd);
			}
		}
	}
	close(sv[0]);
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		ret = 9;
		snprintf(msg, msglen, "the %s caller failed: %s %d (see above)", m->name,
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
out:
	/* (g): root's bystander was never written by anyone. */
	for (i = 0; i < NPAGES && !ret; i++) {
		if (!kind_data(win_kind[i]))
			continue;
		d = zx_differs(fz.rootp, ptr(fz.win) + i * fz.pg, fz.init + i * fz.pg, fz.pg);
		if (d != -1) {
			ret = 10;
			snprintf(msg, msglen, "root's bystander changed: page %zu, offset %ld", i, d);
		}
	}
	zx_reap(fz.rootp);
	zx_reap(fz.zombie);
	if (node[0])
		unlink(node);
	if (dir[0])
		rmdir(dir);
	if (nobodydev >= 0)
		close(nobodydev);
	close(rootdev);
	return ret;
}

FIXTURE(fuzz) {
	char msg[256];
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

#define FUZZ_TEST(idx, name) \
TEST_F_TIMEOUT(fuzz, name, 280) \
{ \
	int r; \
	if (access(ZX_DEV_PATH, F_OK)) \
		SKIP(return, "%s is missing: is zxproc.ko loaded?", ZX_DEV_PATH); \
	if (geteuid() != 0) \
		SKIP(return, "needs root (it drops privileges itself)"); \
	if (getenv("ZXPROC_FUZZ_ONLY") && *getenv("ZXPROC_FUZZ_ONLY") && \
	    strcmp(getenv("ZXPROC_FUZZ_ONLY"), #name)) \
		SKIP(return, "ZXPROC_FUZZ_ONLY=%s", getenv("ZXPROC_FUZZ_ONLY")); \
	r = run_mode(&modes[idx], self->msg, sizeof(self->msg)); \
	ASSERT_EQ(0, r) TH_LOG("%s", self->msg); \
}

FUZZ_TEST(0, root)
FUZZ_TEST(1, nobody_kept_device)
FUZZ_TEST(2, nobody_own_device)
FUZZ_TEST(3, root_unpriv_device)
FUZZ_TEST(4, root_noptrace)

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * A fuzzer for the ioctls of uapi/linux/zxproc.h, with oracles that let
 * it fail.
 *
 * Every command of the interface (GET_VERSION, PROCESS_OPEN, INFO,
 * DUPLICATE, MAPS, WRITE, READ, WRITEV, READV, CAS) and commands that are
 * none of them go to the kernel with random and boundary values: struct sizes
 * encoded in the command below, at and above the struct (zero and
 * non-zero tails), wrong directions, struct pointers that are NULL,
 * unmapped, read-only, kernel addresses or cut short by a hole; every
 * flag bit, unknown bits and ~0; rights subsets, SAME_RIGHTS and unknown
 * bits; target addresses in a prepared window (read-write, read-only,
 * PROT_NONE, private file text, a shared read-only mapping, a page past
 * the end of its file, read-write pages the target never touched, holes),
 * NULL, kernel and non-canonical addresses,
 * the end of the user address space, ranges that wrap, the vDSO's
 * VM_PFNMAP data; lengths 0, 1, page-1/page/page+1, 64 MiB-1/64 MiB/
 * 64 MiB+1, 2^32, ~0; caller buffers that are NULL, unmapped, read-only,
 * PROT_NONE, kernel addresses, or end early; segment arrays of 0, 1, 1024
 * and 1025 entries, unreadable, cut short, read-only, totals over 64 MiB,
 * with elements of today's struct, of a newer caller's (zero and non-zero
 * tails) and of sizes the kernel refuses, and non-zero reserved fields;
 * no-fault reads (ZXPROC_MEM_NO_FAULT), and writes that ask for it;
 * compare-and-swap of 1, 2, 4 and 8 bytes at aligned and unaligned
 * addresses, of other sizes, with values over their size, with the
 * value found or another, and every flag; MAPS from every boundary of
 * the target's mappings and others, into arrays of no, some and enough
 * room, of today's element size, larger ones and refused ones, NULL,
 * read-only, cut short by a hole or in the kernel;
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
 *      the exact byte count, from the kinds of the pages on both sides
 *      (a copy stops exactly where the caller's buffer stops; all or
 *      nothing covers the caller's buffer too), from whether the
 *      access is forced (the host's policy, host_force_override, and the
 *      module's, force_override, which root's test changes as it goes,
 *      as the target's tracer or not) and, for a no-fault read, from
 *      which pages the target's page tables map (a short count or
 *      EAGAIN at the first that is not); a CAS's old value and result
 *      from the shadow; MAPS's answer from the target's /proc/PID/maps,
 *      and its window page by page from the model (protection, file,
 *      holes in no mapping);
 *  (c) the target's memory: a child holds the window; the fuzzer keeps a
 *      shadow copy, updated for exactly the bytes a write reports and the
 *      value a CAS says it stored (none on an error); every
 *      FZ_VERIFY_EVERY calls and at the end the whole window, read
 *      through /proc/PID/mem (never through zxproc), must equal the
 *      shadow, including two guard pages behind holes that nothing may
 *      reach, and the holes must still be holes; the files behind the
 *      text and the shared page never change; after every call the
 *      target's /proc/PID/pagemap says which window pages are resident:
 *      a page becomes so only when the call may have faulted it in, and
 *      must be when it copied there, so a no-fault read faults nothing
 *      in (pages never touched are never read through /proc/PID/mem);
 *  (d) reads return the shadow's bytes for exactly the reported count,
 *      and leave every other byte of the caller's memory alone;
 *  (e) structs: only the documented out fields change (actual, done, the
 *      actual and status of the segments reported done, never a
 *      segment's input fields or the tail of a longer element; a CAS's
 *      old and result on success only; MAPS's actual and avail, and the
 *      elements it reports, their tails zero, nothing past them),
 *      nothing around them;
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
 * A sixth test, lifecycle, mints and uses handles (memory accesses, CAS
 * and MAPS among their calls) while their processes fork, exit, are
 * reaped, exec, change their maps and serve faults through userfaultfd
 * (see "the lifecycle test" below).
 *
 * The seed is FZ_DEFAULT_SEED unless ZXPROC_FUZZ_SEED=N gives another;
 * ZXPROC_SOAK=1 (make soak) draws a random one and runs longer.  Every
 * test prints it.  ZXPROC_FUZZ_ITERS=N sets the number of calls per test
 * (default FZ_DEFAULT_ITERS), ZXPROC_FUZZ_SECONDS=N the time after which
 * a test stops early and says so (default FZ_DEFAULT_SECONDS), and
 * ZXPROC_FUZZ_ONLY=NAME runs one test only (the others SKIP).  A test
 * that ran fewer than ZXPROC_FUZZ_MIN calls (FZ_MIN_CALLS) fails, and the
 * coverage check looks at exactly those first calls, on every run.  A
 * failure prints the last calls made and how to reproduce it.
 */
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/sysmacros.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

/*
 * The seed of every run that does not ask for another: a run is the same
 * sequence of calls each time, so what it covers (see coverage()) is a
 * property of this number, not of the machine's speed.
 */
#define FZ_DEFAULT_SEED		0x7c81075a5eedULL
#define FZ_DEFAULT_ITERS	12000
/*
 * A test stops early, saying so, when a slow kernel (KASAN, lockdep,
 * under load) takes longer than this; but one that ran fewer than
 * FZ_MIN_CALLS calls fails, and the coverage check always looks at the
 * first FZ_MIN_CALLS calls.  Sized for the debug kernel on a loaded
 * machine: about 40 calls a second there reach FZ_MIN_CALLS in 150 s,
 * and six tests of 150 s fit in run-suites' 1200 s for that kernel.
 * Debian's kernels run all FZ_DEFAULT_ITERS calls in a few seconds.
 */
#define FZ_MIN_CALLS		6000
#define FZ_DEFAULT_SECONDS	150
/*
 * On the debug kernel (tests/vm/run says ZXPROC_VM_KERNEL=debug) a call
 * costs five times as much, and KASAN and lockdep see every path within
 * the first calls: it runs only those the coverage check looks at.  The
 * long random runs are `make soak`'s (FZ_SOAK_ITERS); CI's are sized to
 * its 30-minute budget.
 */
#define FZ_DEBUG_ITERS		FZ_MIN_CALLS
/*
 * ZXPROC_SOAK=1 (make soak): a random seed and a longer run; six tests
 * of FZ_SOAK_SECONDS (and the harness's margin) fit SOAK_TIMEOUT's 7200 s.
 */
#define FZ_SOAK_ITERS		1000000
#define FZ_SOAK_SECONDS		1000
#define FZ_VERIFY_EVERY		16
/* x86-64's user address space ends here (4-level paging). */
#define FZ_USER_END		0x00007ffffffff000ULL
#define FZ_MAX			ZXPROC_MAX_TRANSFER

/* The window in the target, page by page. */
/*
 * K_LAZY: read-write anonymous memory the target never touched, so not
 * resident until an access faults it in; the text and shared pages are
 * not resident in the target either until then (fork(2) copies no page
 * table entries of a file mapping).
 */
enum kind { K_HOLE, K_RW, K_RO, K_NONE, K_TEXT, K_SHRO, K_EOF, K_GUARD, K_LAZY };
static const char *const kind_name[] = {
	"hole", "rw", "ro", "prot-none", "text", "shared-ro", "past-eof", "guard",
	"lazy",
};
#define NPAGES 17
static const enum kind win_kind[NPAGES] = {
	K_GUARD, K_HOLE, K_RW, K_RW, K_RW, K_RW, K_RO, K_NONE, K_RW,
	K_TEXT, K_SHRO, K_RW, K_LAZY, K_LAZY, K_EOF, K_HOLE, K_GUARD,
};
/* Pages addresses are drawn from: the guards are reachable only by
 * jumping a hole. */
#define WIN_FIRST 1
#define WIN_LAST 15

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
/* SEGS_MAX segments of ZXPROC_SEG_SIZE_MAX bytes fit, then a hole. */
#define SEGS_PAGES 129
_Static_assert(SEGS_PAGES * 4096 >= SEGS_MAX * ZXPROC_SEG_SIZE_MAX, "the segment area holds any array");
#define ARG_MAX_SIZE _IOC_SIZEMASK
#define POOL_MAX 12
#define FZ_REF_MAX 256
#define RING 40
#define ES_MAX 8

enum cmdi { C_VERSION, C_OPEN, C_INFO, C_DUP, C_WRITE, C_READ, C_WRITEV,
	    C_READV, C_MAPS, C_CAS, C_UNKNOWN, NCMDS };
static const char *const cmd_name[NCMDS] = {
	"GET_VERSION", "PROCESS_OPEN", "INFO", "DUPLICATE", "WRITE", "READ",
	"WRITEV", "READV", "MAPS", "CAS", "unknown",
};
static const unsigned long cmd_known[NCMDS] = {
	ZXPROC_IOC_GET_VERSION, ZXPROC_IOC_PROCESS_OPEN, ZXPROC_IOC_INFO,
	ZXPROC_IOC_DUPLICATE, ZXPROC_IOC_WRITE, ZXPROC_IOC_READ,
	ZXPROC_IOC_WRITEV, ZXPROC_IOC_READV, ZXPROC_IOC_MAPS, ZXPROC_IOC_CAS, 0,
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
static const int doc_mem[] = { EACCES, EINVAL, EAGAIN, ENOMEM, EIO, ESTALE,
	EFAULT, EINTR, ENOTTY, E2BIG, 0 };
static const int doc_maps[] = { EACCES, EINVAL, ESTALE, EINTR, EFAULT, ENOMEM,
	E2BIG, ENOTTY, 0 };
static const int doc_cas[] = { EACCES, EINVAL, ENOMEM, EIO, ESTALE, EINTR,
	EFAULT, ENOTTY, E2BIG, 0 };
static const int doc_unknown[] = { ENOTTY, 0 };
static const int *const cmd_doc[NCMDS] = {
	doc_version, doc_open, doc_info, doc_dup, doc_mem, doc_mem, doc_mem,
	doc_mem, doc_maps, doc_cas, doc_unknown,
};

/*
 * Outcomes counted per command, for the summary and the coverage check.
 * "short" is a READ or WRITE that copied less than asked, a MAPS whose
 * array had no room for every mapping, a CAS that found another value.
 */
static const int tracked[] = { EINVAL, E2BIG, ENOTTY, EACCES, EFAULT, ENOMEM,
	EIO, ESTALE, EPERM, ESRCH, EOPNOTSUPP, EBADF, EAGAIN };
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
	uint64_t n;		/* bytes copied */
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

/* Forcing policies, from the least to the most strict (module/force.c). */
enum force { F_ALWAYS, F_PTRACE, F_NEVER, NFORCE };
static const char *const force_name[NFORCE] = { "always", "ptrace", "never" };

struct fuzzer {
	const struct mode *mode;
	uint64_t seed, iters, min, op;
	bool clean;		/* this call: valid arguments, one good handle */
	bool priv;		/* may open other processes */
	enum force host_force;	/* host_force_override */
	enum force param_force;	/* force_override, as we set or found it */
	bool tracing;		/* we are the target's ptrace tracer */
	bool force;		/* so: accesses to the target are forced */
	bool set_force;		/* we change force_override (and restore it) */
	size_t pg;
	int dev;		/* /dev/zxproc as this caller holds it */
	pid_t target;		/* the shadowed process */
	int tmem;		/* its /proc/PID/mem */
	int tpagemap;		/* its /proc/PID/pagemap */
	int tmaps;		/* its /proc/PID/maps */
	bool res[NPAGES];	/* window pages the target's page tables map */
	bool may_fault[NPAGES];	/* this call may fault them in */
	bool must_res[NPAGES];	/* it must have: it copied to or from them */
	bool nofault_call;	/* this call was a no-fault read */
	struct zxproc_map ref[FZ_REF_MAX];	/* the target's maps, from /proc */
	int nref;
	struct stat st_text, st_shro, st_eof;
	unsigned int nf_short[2];	/* short NO_FAULT reads: all, first min calls */
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
	unsigned int cover[NCMDS][NOUT];	/* counts after the first min calls */
	bool covered;		/* ... taken */
	long long t0;
};

static struct fuzzer fz;
static struct arg A;
static struct zxproc_seg segv[SEGS_MAX];
static uint8_t segimg[SEGS_MAX * ZXPROC_SEG_SIZE_MAX];
static uint8_t selfbuf[256];
static uint64_t base_seed;
static bool soak;

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

/* An environment variable as a number, or @def when it is not set. */
static uint64_t env_num(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return s && *s ? strtoull(s, NULL, 0) : def;
}

/*
 * The seed: ZXPROC_FUZZ_SEED, else a random one under ZXPROC_SOAK=1, else
 * FZ_DEFAULT_SEED.  Every test prints it.
 */
static void __attribute__((constructor)) seed_once(void)
{
	soak = env_num("ZXPROC_SOAK", 0) != 0;
	base_seed = FZ_DEFAULT_SEED;
	if (getenv("ZXPROC_FUZZ_SEED") && *getenv("ZXPROC_FUZZ_SEED"))
		base_seed = env_num("ZXPROC_FUZZ_SEED", 0);
	else if (soak && getrandom(&base_seed, sizeof(base_seed), 0) != sizeof(base_seed))
		base_seed ^= (uint64_t)zx_now_ms() << 20 ^ (uint64_t)getpid();
}

static bool debug_kernel(void)
{
	return getenv("ZXPROC_VM_KERNEL") && !strcmp(getenv("ZXPROC_VM_KERNEL"), "debug");
}

static uint64_t iterations(void)
{
	return env_num("ZXPROC_FUZZ_ITERS", soak ? FZ_SOAK_ITERS :
				debug_kernel() ? FZ_DEBUG_ITERS : FZ_DEFAULT_ITERS);
}

static uint64_t min_calls(void)
{
	return env_num("ZXPROC_FUZZ_MIN", FZ_MIN_CALLS);
}

/* A test stops early, saying so, after this many seconds. */
static long long time_budget_ms(void)
{
	return (long long)env_num("ZXPROC_FUZZ_SECONDS",
				  soak ? FZ_SOAK_SECONDS : FZ_DEFAULT_SECONDS) * 1000;
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
	fprintf(stderr, "# reproduce: ZXPROC_FUZZ_SEED=0x%llx %s=%llu ZXPROC_FUZZ_ONLY=%s %s\n",
		(unsigned long long)base_seed,
		strcmp(fz.mode->name, "lifecycle") ? "ZXPROC_FUZZ_ITERS" : "ZXPROC_FUZZ_LC_STEPS",
		(unsigned long long)fz.iters, fz.mode->name, "build/tests/fuzz/ioctl_test");
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
	return kind_anon(k) || k == K_TEXT || k == K_SHRO || k == K_LAZY;
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
	for (i = 0; i < NPAGES; i++) {
		if (win_kind[i] == K_LAZY) {
			memset(fz.init + i * pg, 0, pg);
			memset(fz.own + i * pg, 0, pg);
		}
	}
	if (pwrite(fz.mfd_text, fz.init + 9 * pg, pg, 0) != (ssize_t)pg ||
	    pwrite(fz.mfd_shro, fz.init + 10 * pg, pg, 0) != (ssize_t)pg)
		return -EIO;
	if (fstat(fz.mfd_text, &fz.st_text) || fstat(fz.mfd_shro, &fz.st_shro) ||
	    fstat(fz.mfd_eof, &fz.st_eof))
		return -errno;

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
		if (kind_anon(k) || k == K_LAZY) {
			m = mmap(p, pg, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
			/* A lazy page is touched by nobody, ourselves included:
			 * fork(2) would copy our page into the target. */
			if (m == p && k != K_LAZY) {
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

/*
 * Window pages of [@addr, @addr + @len) in @set: those a call may fault
 * in (it reached them, or pinned them and then stopped), or must have
 * (it copied there).
 */
static void mark_pages(bool *set, uint64_t addr, uint64_t len)
{
	uint64_t w = ptr(fz.win), wend = w + NPAGES * fz.pg, a, end;

	if (!len || addr >= wend || addr + len < addr)
		return;
	end = addr + len < wend ? addr + len : wend;
	for (a = addr < w ? w : addr & ~(fz.pg - 1); a < end; a += fz.pg)
		set[(a - w) / fz.pg] = true;
}

/*
 * The target's page tables, from /proc/PID/pagemap (bit 63: present;
 * the zero page counts), against the model: a page becomes resident only
 * when this call may fault it in, and must be when it copied there;
 * nothing ever leaves (no swap, no reclaim of these pages in the test's
 * guests).  A no-fault read marks nothing: so it faulted nothing in.
 */
static int res_check(const char *what)
{
	uint64_t pm[NPAGES];
	size_t i;

	CHECK(pread(fz.tpagemap, pm, sizeof(pm), (off_t)(ptr(fz.win) / fz.pg * 8)) ==
	      (ssize_t)sizeof(pm), "cannot read the target's pagemap: %s", ename(errno));
	for (i = 0; i < NPAGES; i++) {
		bool now = pm[i] >> 63;

		CHECK(now || !fz.must_res[i],
		      "after %s, target page %zu (%s) is not resident, but the call copied there",
		      what, i, kind_name[win_kind[i]]);
		CHECK(now == fz.res[i] || (now && fz.may_fault[i]),
		      "after %s, target page %zu (%s) %s resident (the model: %s)", what, i,
		      kind_name[win_kind[i]], now ? "became" : "is no longer",
		      fz.res[i] ? "resident" : "never faulted in");
		fz.res[i] = now;
	}
	memset(fz.may_fault, 0, sizeof(fz.may_fault));
	memset(fz.must_res, 0, sizeof(fz.must_res));
	fz.nofault_call = false;
	return 0;
}

/*
 * Is /proc/PID/pagemap worth reading after this call?  After a no-fault
 * read always; after another call only if it may have faulted in a page
 * the model has not resident (pages never leave); and every
 * FZ_VERIFY_EVERY calls in any case (verify_all()'s turn).  On the debug
 * kernel a pagemap read after every call cost a third more time.
 */
static bool res_due(void)
{
	size_t i;

	if (fz.nofault_call || fz.op % FZ_VERIFY_EVERY == 0)
		return true;
	for (i = 0; i < NPAGES; i++)
		if (fz.may_fault[i] && !fz.res[i])
			return true;
	memset(fz.may_fault, 0, sizeof(fz.may_fault));
	memset(fz.must_res, 0, sizeof(fz.must_res));
	return false;
}

static bool in_vvar(uint64_t a)
{
	return fz.vvar && a >= fz.vvar && a < fz.vvar + fz.pg;
}

/*
 * Is an access to a page of kind @k forced, the range's first byte being
 * in a page of kind @first?  The host's and the module's policy first
 * (fz.force), then the call's protection mode, which can only take
 * forcing away: NO_FORCE everywhere, FORCE_EXEC outside executable
 * mappings (of the window's kinds, only K_TEXT is one), FORCE_FIRST_EXEC
 * also outside the mapping of the first byte (the window has one text
 * page, its own mapping: so both must be it).
 */
static bool page_forced(enum kind k, enum kind first, uint32_t flags)
{
	if (!fz.force || (flags & ZXPROC_MEM_NO_FORCE))
		return false;
	if (flags & ZXPROC_MEM_FORCE_FIRST_EXEC)
		return k == K_TEXT && first == K_TEXT;
	return !(flags & ZXPROC_MEM_FORCE_EXEC) || k == K_TEXT;
}

/*
 * The ZXPROC_MEM_* flags the kernel accepts: known bits, one mode at
 * most, no NO_FAULT on a write.
 */
static bool mem_flags_ok(uint32_t flags, bool write)
{
	return !(flags & ~ZXPROC_MEM_FLAGS) &&
	       __builtin_popcount(flags & ZXPROC_MEM_MODES) <= 1 &&
	       !(write && (flags & ZXPROC_MEM_NO_FAULT));
}

/*
 * How many bytes from @addr the target lets this access reach (at most
 * @len), and the errno of the first page it does not.  A no-fault read
 * also stops at a page the target's page tables do not map (EAGAIN),
 * once the page's protection let it in: a page past the end of its file
 * is never there.
 */
static uint64_t target_span(uint64_t addr, uint64_t len, bool write,
			    uint32_t flags, int *err)
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
		enum kind k = target_kind(a), first = target_kind(addr);
		bool ok;

		/* Forcing: writes through private read-only mappings by
		 * copy-on-write, reads of PROT_NONE ones; never a write to
		 * a shared read-only one. */
		switch (k) {
		case K_RW: case K_GUARD: case K_LAZY: ok = true; break;
		case K_RO: case K_TEXT: ok = !write || page_forced(k, first, flags); break;
		case K_NONE: ok = page_forced(k, first, flags); break;
		case K_SHRO: ok = !write; break;
		case K_EOF: ok = !write && (flags & ZXPROC_MEM_NO_FAULT); break;
		default: ok = false; break;
		}
		if (!ok) {
			*err = (k == K_HOLE || k == K_EOF) ? ENOMEM : EACCES;
			break;
		}
		if (!write && (flags & ZXPROC_MEM_NO_FAULT) &&
		    !fz.res[(a - ptr(fz.win)) / fz.pg]) {
			*err = EAGAIN;
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
 * The outcome of one range with valid arguments and the right right.
 * Counts are exact: a copy that meets an inaccessible page of the
 * caller's buffer faults it in and goes on up to the page's first byte
 * (module/copy.c), so it stops exactly where the buffer stops.  All or
 * nothing makes both the buffer and the target range accessible first.
 */
static struct rout model_range(uint64_t addr, uint64_t buf, uint64_t len,
			       bool write, uint32_t flags)
{
	bool all = flags & ZXPROC_MEM_ALL_OR_NOTHING;
	struct rout o = { 0 };
	int terr;
	bool aok;
	uint64_t t = target_span(addr, len, write, flags, &terr);
	uint64_t b = caller_span(buf, len, write, &aok);

	if (!aok) {
		/* access_ok() fails: nothing is tried. */
		o.err = EFAULT;
		o.alt = t < len ? terr : 0;
		return o;
	}
	if (all) {
		/* Either side may be found inaccessible first. */
		if (b < len) {
			o.err = EFAULT;
			o.alt = t < len ? terr : 0;
		} else if (t < len) {
			o.err = terr;
		} else {
			o.n = len;
		}
		return o;
	}
	if (t == 0) {
		o.err = terr;
		return o;
	}
	if (b >= t) {
		o.n = t;
		return o;
	}
	o.err = EFAULT;
	o.n = b;
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

/*
 * Flags of a WRITE, READ or batch: often a protection mode, sometimes
 * two; a read often does not fault (a write that asks is refused).
 */
static uint32_t gen_mem_flags(bool write)
{
	static const uint32_t mode[] = {
		0, 0, ZXPROC_MEM_NO_FORCE, ZXPROC_MEM_FORCE_EXEC,
		ZXPROC_MEM_FORCE_FIRST_EXEC,
		ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_EXEC,
		ZXPROC_MEM_FORCE_EXEC | ZXPROC_MEM_FORCE_FIRST_EXEC,
	};
	uint32_t f = gen_flags(ZXPROC_MEM_ALL_OR_NOTHING);

	if (!(f & ~ZXPROC_MEM_FLAGS) && write && fz.clean)
		f &= ~ZXPROC_MEM_NO_FAULT;
	if (!(f & ~(ZXPROC_MEM_ALL_OR_NOTHING | ZXPROC_MEM_NO_FAULT)) && pct(40))
		f |= mode[below(fz.clean ? 5 : 7)];
	if (!(f & ~ZXPROC_MEM_FLAGS) && (write ? !fz.clean && pct(4) : pct(35)))
		f |= ZXPROC_MEM_NO_FAULT;
	return f;
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
		ssize_t n;

		/*
		 * Reading would fault it in: its residency is checked instead
		 * (res_check()), and nothing wrote it.
		 */
		if (kind_data(win_kind[i]) && !fz.res[i])
			continue;
		n = pread(fz.tmem, fz.tmp, pg, (off_t)a);
		if (!kind_data(win_kind[i])) {
			CHECK(n < 0, "target page %zu (%s) reads as mapped (%zd)", i,
			      kind_name[win_kind[i]], n);
			continue;
		}
		/* A host that does not force /proc/PID/mem hides PROT_NONE. */
		if (win_kind[i] == K_NONE && fz.host_force != F_ALWAYS && n < 0)
			continue;
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

static bool cmd_matches(unsigned long cmd, unsigned long k)
{
	return _IOC_DIR(cmd) == _IOC_DIR(k) && _IOC_TYPE(cmd) == _IOC_TYPE(k) &&
	       _IOC_NR(cmd) == _IOC_NR(k) && _IOC_SIZE(cmd) >= _IOC_SIZE(k);
}

static bool is_known(unsigned long cmd)
{
	int c;

	for (c = 0; c < C_UNKNOWN; c++)
		if (cmd_matches(cmd, cmd_known[c]))
			return true;
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
	m.flags = gen_mem_flags(write);
	m.reserved = gen_reserved();
	m.actual = ZX_SENTINEL;
	usize = gen_size(sizeof(m), &tk);
	cmd = gen_cmd(cmd_known[ci], usize, &dir_ok);
	pl = gen_place(usize);
	arg_choose(&A, usize, pl);
	all = m.flags & ZXPROC_MEM_ALL_OR_NOTHING;
	valid = mem_flags_ok(m.flags, write) && !m.reserved && m.len &&
		m.len <= FZ_MAX && m.buf;
	if (valid)
		o = model_range(m.addr, m.buf, m.len, write, m.flags);
	if (!(m.flags & ZXPROC_MEM_NO_FAULT))
		mark_pages(fz.may_fault, m.addr, m.len);
	else
		fz.nofault_call = !write;
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
	if (ret == 0 && actual < m.len && (m.flags & ZXPROC_MEM_NO_FAULT))
		fz.nf_short[0]++;
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
		o.n = 0;
	}
	if (A.wr < usize) {
		/*
		 * The struct is read-only: actual cannot be written back, after
		 * the copy; all or nothing finds that out before (module/mem.c).
		 */
		CHECK(ret == -EFAULT, "%s with a read-only struct: %s, want EFAULT", cmd_name[ci],
		      rname(ret));
		n = all ? 0 : o.n;
	} else {
		CHECK(ret == -o.err || (o.alt && ret == -o.alt),
		      "%s: %s, want %s%s%s (actual %llu)", cmd_name[ci], rname(ret),
		      o.err ? ename(o.err) : "success", o.alt ? " or " : "",
		      o.alt ? ename(o.alt) : "", (unsigned long long)o.n);
		CHECK(actual == o.n && actual <= m.len,
		      "%s: actual %llu, want %llu (len %llu)", cmd_name[ci],
		      (unsigned long long)actual, (unsigned long long)o.n,
		      (unsigned long long)m.len);
		ARG_SAME(offsetof(struct zxproc_mem, actual), sizeof(m), cmd_name[ci]);
		n = actual;
	}
	mark_pages(fz.must_res, m.addr, n);
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

/*
 * An element size for a batch: the kernel's mostly; larger ones (a
 * newer caller's struct) with zero tails, or with one non-zero byte in
 * one element's tail (@bad_tail); and sizes the kernel refuses.
 */
static uint32_t gen_seg_size(bool *bad_tail)
{
	static const uint32_t refused[] = {
		0, 8, 32, ZXPROC_SEG_SIZE_VER0 - 8, ZXPROC_SEG_SIZE_VER0 - 1,
		ZXPROC_SEG_SIZE_VER0 + 1, ZXPROC_SEG_SIZE_VER0 + 4,
		ZXPROC_SEG_SIZE_MAX - 4, ZXPROC_SEG_SIZE_MAX + 8, 4096, ~0u,
	};
	const uint32_t steps = (ZXPROC_SEG_SIZE_MAX - ZXPROC_SEG_SIZE_VER0) / 8;
	unsigned int r = (unsigned int)below(fz.clean ? 85 : 100);

	*bad_tail = false;
	if (r < 70)
		return sizeof(struct zxproc_seg);
	if (r < 85)
		return pct(30) ? ZXPROC_SEG_SIZE_MAX :
		       ZXPROC_SEG_SIZE_VER0 + 8 * (1 + (uint32_t)below(steps));
	if (r < 92) {
		*bad_tail = true;
		return ZXPROC_SEG_SIZE_VER0 + 8 * (1 + (uint32_t)below(steps));
	}
	if (r < 98)
		return refused[below(sizeof(refused) / sizeof(refused[0]))];
	return (uint32_t)rnd();
}

static bool seg_size_ok(uint32_t ss)
{
	return ss >= ZXPROC_SEG_SIZE_VER0 && ss <= ZXPROC_SEG_SIZE_MAX && ss % 8 == 0;
}

/* Element @i of the array image, as the kernel sees it. */
static uint8_t *seg_elem(uint32_t ss, uint32_t i)
{
	return segimg + (size_t)i * ss;
}

static int op_memv(bool write)
{
	enum cmdi ci = write ? C_WRITEV : C_READV;
	struct pick pk = pick_fd(FD_HANDLE, write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ);
	struct zxproc_memv v = { 0 };
	static struct rout o[SEGS_MAX];
	struct eset es = { .n = 0 };
	uint8_t *sp = NULL;
	uint32_t nr = gen_nr(), nimg = nr < SEGS_MAX ? nr : SEGS_MAX, i, ss, done;
	uint32_t tail_i = UINT32_MAX;
	size_t sbytes, srd = 0, usize, tail_pos = 0;
	bool bulk = nr > 16, array_rw = false, dir_ok, valid, all, struct_ok;
	bool hdr_bad, seg_bad = false, bad_tail, ss_ok, zeroed;
	uint64_t total = 0, sum = 0, actual;
	enum tailk tk;
	unsigned int r;
	unsigned long cmd;
	long ret;
	int front, n_exec, want_ret;

	v.flags = gen_mem_flags(write);
	ss = gen_seg_size(&bad_tail);
	ss_ok = seg_size_ok(ss);
	/* A refused size is never used to lay out the array. */
	sbytes = (size_t)nimg * (ss_ok ? ss : sizeof(struct zxproc_seg));
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
		s->actual = ZX_SENTINEL;
		s->status = (int32_t)0xa5a5a5a5;
		s->reserved = nimg <= 16 || pct(1) ? gen_reserved() : 0;
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
		array_rw = true;
	} else if (r < 88) {
		size_t k = 1 + below(sbytes);

		sp = fz.segs + SEGS_PAGES * fz.pg - sbytes + k;
		srd = sbytes - k;
	} else if (r < 94) {
		sp = fz.segs_ro + below(SEGS_PAGES * fz.pg - sbytes + 1);
		srd = sbytes;
	} else if (r < 96) {
		sp = NULL;
	} else if (r < 98) {
		/*
		 * In the hole; a long array runs on into the read-only copy
		 * behind it, so the first element's tail (which the kernel
		 * reads before its head) must start in the hole too.
		 */
		sp = fz.segs + SEGS_PAGES * fz.pg + below(fz.pg - 64);
	} else {
		sp = (uint8_t *)(uintptr_t)0xffffc90000000000ULL;
	}

	usize = gen_size(sizeof(v), &tk);
	cmd = gen_cmd(cmd_known[ci], usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	/* With a read-only array, actual says which segments ran. */
	if (!array_rw && A.wr < usize)
		arg_choose(&A, usize, PL_OK);
	struct_ok = A.wr == usize;

	/* The array's image: the elements, their tails zero but maybe one. */
	memset(segimg, 0, sbytes);
	for (i = 0; i < nimg; i++)
		memcpy(seg_elem(ss_ok ? ss : sizeof(struct zxproc_seg), i), &segv[i],
		       sizeof(segv[i]));
	if (bad_tail && nimg) {
		tail_i = (uint32_t)below(nimg);
		tail_pos = (size_t)tail_i * ss + sizeof(struct zxproc_seg) +
			   below(ss - sizeof(struct zxproc_seg));
		segimg[tail_pos] = (uint8_t)(1 + below(255));
	}

	/* The model: the header, the array, each segment; then each range. */
	hdr_bad = !mem_flags_ok(v.flags, write) || !nr || nr > ZXPROC_MAX_SEGMENTS ||
		  !ss_ok;
	for (i = 0; i < nimg && i < ZXPROC_MAX_SEGMENTS; i++) {
		struct zxproc_seg *s = &segv[i];

		total += s->len;
		if (!s->len || s->len > FZ_MAX || !s->buf || s->reserved || total > FZ_MAX)
			seg_bad = true;
	}
	valid = !hdr_bad && !seg_bad && tail_i == UINT32_MAX;
	if (valid && srd == sbytes)
		for (i = 0; i < nimg; i++)
			o[i] = model_range(segv[i].addr, segv[i].buf, segv[i].len, write, v.flags);
	for (i = 0; i < nimg; i++) {
		if (write)
			refresh_source(segv[i].buf, segv[i].len);
		if (!(v.flags & ZXPROC_MEM_NO_FAULT))
			mark_pages(fz.may_fault, segv[i].addr, segv[i].len);
	}
	fz.nofault_call = !write && (v.flags & ZXPROC_MEM_NO_FAULT);
	if (srd) {
		if (sp >= fz.segs_ro)
			ro_write(fz.segs_ro, SEGS_PAGES, sp, segimg, srd);
		else
			memcpy(sp, segimg, srd);
	}
	v.segs = ptr(sp);
	v.nr_segs = nr;
	v.actual = ZX_SENTINEL;
	v.done = 0xa5a5a5a5;
	v.seg_size = ss;
	arg_image(&A, &v, sizeof(v), tk);
	arg_fill(&A);
	memcpy(fz.cb_before, fz.cb, CB_PAGES * fz.pg);
	memcpy(fz.cb_expect, fz.cb, CB_PAGES * fz.pg);

	note("%s fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu) segs=%p (%zu of %zu readable%s) nr=%u seg_size=%u%s flags=0x%x",
	     cmd_name[ci], fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, A.wr, (void *)sp,
	     srd, sbytes, sp >= fz.segs_ro && sp < fz.segs_ro + SEGS_PAGES * fz.pg ? ", read-only" : "",
	     nr, ss, tail_i != UINT32_MAX ? " (a non-zero tail)" : "", v.flags);
	for (i = 0; i < nimg && i < 3; i++)
		note(" [%u: addr 0x%llx len 0x%llx buf 0x%llx%s]", i,
		     (unsigned long long)segv[i].addr, (unsigned long long)segv[i].len,
		     (unsigned long long)segv[i].buf, segv[i].reserved ? " reserved" : "");
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
		/*
		 * The header, then the array (read whole, or element by
		 * element when its size is not the kernel's: each tail,
		 * then each head), then each segment, then the rights.
		 */
		if (hdr_bad)
			es_add(&es, EINVAL);
		if (!hdr_bad && ss == sizeof(struct zxproc_seg) && srd < sbytes)
			es_add(&es, EFAULT);
		if (!hdr_bad && ss != sizeof(struct zxproc_seg)) {
			for (i = 0; i < nimg; i++) {
				bool cut = (size_t)(i + 1) * ss > srd;
				bool nz = i == tail_i && tail_pos < srd;

				if (cut)
					es_add(&es, EFAULT);
				if (nz)
					es_add(&es, E2BIG);
				if (cut || nz)
					break;
			}
		}
		if (!hdr_bad && srd == sbytes && tail_i == UINT32_MAX && seg_bad)
			es_add(&es, EINVAL);
		if (!(pk.slot->rights & (write ? ZXPROC_RIGHT_WRITE : ZXPROC_RIGHT_READ)))
			es_add(&es, EACCES);
	}
	if (es.n) {
		CHECK(ret < 0 && es_has(&es, (int)-ret), "%s: %s, want %s", cmd_name[ci],
		      rname(ret), es_str(&es));
		goto unchanged;
	}
	/*
	 * What runs.  All or nothing first writes zeros into every outcome
	 * field (the struct's, then each segment's), and fails with EFAULT,
	 * having copied nothing, if one is not writable.  Otherwise, with a
	 * read-only struct everything is copied and the counts cannot be
	 * written (EFAULT); with a read-only array the first outcome cannot
	 * be written back (EFAULT, done 0), after some segments were copied
	 * in order: actual counts their bytes (how many is the kernel's
	 * business: a group), and says which.
	 */
	zeroed = all && struct_ok && array_rw;
	if (all && (!struct_ok || !array_rw)) {
		n_exec = 0;
		want_ret = EFAULT;
	} else if (pk.slot->stale) {
		n_exec = 0;
		want_ret = struct_ok ? ESTALE : EFAULT;
	} else {
		n_exec = (int)nr;
		want_ret = array_rw && struct_ok ? 0 : EFAULT;
		if (!array_rw) {
			uint64_t pre = 0;

			for (i = 0; i < nr; i++) {
				pre += o[i].n;
				if (pre >= actual)
					break;
			}
			CHECK(i < nr && pre == actual, "%s with a read-only array: actual %llu is no count of its first segments",
			      cmd_name[ci], (unsigned long long)actual);
			n_exec = (int)i + 1;
		}
	}
	CHECK(ret == -want_ret, "%s: %s, want %s", cmd_name[ci], rname(ret),
	      want_ret ? ename(want_ret) : "success");
	for (i = 0; i < nimg && srd; i++) {
		const uint8_t *e = sp + (size_t)i * ss;
		struct zxproc_seg got, want = segv[i];

		if (i < (uint32_t)n_exec)
			sum += o[i].n;
		if (array_rw && i < (uint32_t)n_exec) {
			want.actual = o[i].n;
			want.status = -o[i].err;
		} else if (zeroed) {
			want.actual = 0;
			want.status = 0;
		}
		memcpy(&got, e, sizeof(got));
		if (want.status != got.status && o[i].alt && got.status == -o[i].alt &&
		    array_rw && i < (uint32_t)n_exec)
			want.status = -o[i].alt;
		CHECK(!memcmp(&got, &want, sizeof(got)) &&
		      !memcmp(e + sizeof(got), seg_elem(ss, i) + sizeof(got), ss - sizeof(got)),
		      "%s segment %u of %u (addr 0x%llx len 0x%llx buf 0x%llx): status %d actual %lld, want %d, %lld%s",
		      cmd_name[ci], i, nr, (unsigned long long)segv[i].addr,
		      (unsigned long long)segv[i].len, (unsigned long long)segv[i].buf,
		      got.status, (long long)got.actual, want.status, (long long)want.actual,
		      i < (uint32_t)n_exec ? "" : " (not reported done)");
	}
	if (struct_ok) {
		uint32_t want_done = array_rw ? (uint32_t)n_exec : 0;

		CHECK(done == want_done, "%s: done %u, want %u", cmd_name[ci], done, want_done);
		CHECK(actual == sum, "%s: actual %llu, the segments copied %llu", cmd_name[ci],
		      (unsigned long long)actual, (unsigned long long)sum);
		ARG_SAME(MEMV_OUT_FROM, MEMV_OUT_TO, cmd_name[ci]);
	}
	for (i = 0; i < (uint32_t)n_exec; i++) {
		mark_pages(fz.must_res, segv[i].addr, o[i].n);
		if (write)
			shadow_write(segv[i].addr, segv[i].buf, o[i].n);
		else
			expect_read(segv[i].addr, segv[i].buf, o[i].n);
	}
	return check_cb(cmd_name[ci]);

unchanged:
	ARG_SAME(0, 0, cmd_name[ci]);
	if (srd && memcmp(sp, segimg, srd))
		CHECK(0, "%s was refused but changed the segment array", cmd_name[ci]);
	return check_cb(cmd_name[ci]);
}

/* ---- compare and swap ---------------------------------------------------- */

static bool cas_size_ok(uint32_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

static uint64_t cas_mask(uint32_t size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The @size-byte value the shadow holds at @addr (the machine's order). */
static uint64_t shadow_value(uint64_t addr, uint32_t size)
{
	uint64_t v = 0;

	memcpy(&v, fz.shadow + (addr - ptr(fz.win)), size);
	return v;
}

static int op_cas(void)
{
	static const uint32_t odd[] = { 0, 3, 5, 6, 7, 9, 16, 32, 0x80000001u, ~0u };
	static const uint32_t mode[] = {
		0, 0, ZXPROC_MEM_NO_FORCE, ZXPROC_MEM_FORCE_EXEC, ZXPROC_MEM_FORCE_FIRST_EXEC,
	};
	struct pick pk = pick_fd(FD_HANDLE, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	const size_t out_from = offsetof(struct zxproc_cas, old);
	const size_t out_to = offsetof(struct zxproc_cas, result) + sizeof(uint32_t);
	struct zxproc_cas c = { 0 }, got;
	struct eset es = { .n = 0 };
	enum tailk tk;
	size_t usize;
	bool dir_ok, valid, aligned;
	unsigned long cmd;
	uint64_t cur, mask;
	uint32_t want_result;
	unsigned int r;
	long ret;
	int front, terr = 0;

	c.size = fz.clean || pct(92) ? 1u << below(4) : odd[below(sizeof(odd) / sizeof(odd[0]))];
	c.addr = gen_addr();
	if (cas_size_ok(c.size) && (fz.clean || pct(90)))
		c.addr &= ~(uint64_t)(c.size - 1);
	aligned = cas_size_ok(c.size) && !(c.addr & (c.size - 1));
	mask = cas_size_ok(c.size) ? cas_mask(c.size) : ~0ULL;
	/* An aligned value never crosses a page: one kind holds it. */
	cur = aligned && kind_data(target_kind(c.addr)) ? shadow_value(c.addr, c.size) :
	      rnd() & mask;
	r = (unsigned int)below(100);
	c.expected = r < 50 ? cur : r < 75 && c.size ? cur ^ (1ULL << below(c.size * 8 > 64 ? 64 : c.size * 8)) :
		     rnd() & mask;
	c.desired = rnd() & mask;
	if (!fz.clean && c.size && c.size < 8 && pct(6)) {
		uint64_t bit = 1ULL << (c.size * 8 + below(64 - c.size * 8));

		if (pct(50))
			c.expected |= bit;
		else
			c.desired |= bit;
	}
	r = (unsigned int)below(fz.clean ? 80 : 100);
	if (r < 80)
		c.flags = mode[below(sizeof(mode) / sizeof(mode[0]))];
	else if (r < 85)
		c.flags = ZXPROC_MEM_ALL_OR_NOTHING | mode[below(sizeof(mode) / sizeof(mode[0]))];
	else if (r < 90)
		c.flags = ZXPROC_MEM_NO_FAULT;
	else if (r < 94)
		c.flags = ZXPROC_MEM_NO_FORCE | ZXPROC_MEM_FORCE_FIRST_EXEC;
	else
		c.flags = gen_flags(ZXPROC_MEM_MODES);
	c.reserved = gen_reserved();
	c.old = ZX_SENTINEL;
	c.result = 0xa5a5a5a5;
	valid = aligned && !((c.expected | c.desired) & ~mask) &&
		!(c.flags & ~ZXPROC_MEM_MODES) &&
		__builtin_popcount(c.flags & ZXPROC_MEM_MODES) <= 1 && !c.reserved;
	if (valid) {
		/* Made writable even when the values differ: faulted in. */
		mark_pages(fz.may_fault, c.addr, c.size);
		if (target_span(c.addr, c.size, true, c.flags, &terr) == c.size)
			terr = 0;
	}
	usize = gen_size(sizeof(c), &tk);
	cmd = gen_cmd(ZXPROC_IOC_CAS, usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &c, sizeof(c), tk);
	arg_fill(&A);

	note("CAS fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu) addr=0x%llx (%s) size=%u expected=0x%llx desired=0x%llx (holds 0x%llx) flags=0x%x reserved=0x%x",
	     fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, A.wr, (unsigned long long)c.addr,
	     kind_name[target_kind(c.addr)], c.size, (unsigned long long)c.expected,
	     (unsigned long long)c.desired, (unsigned long long)cur, c.flags, c.reserved);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	got = c;
	if (A.rd >= sizeof(got))
		memcpy(&got, A.p, sizeof(got));
	note(" -> %s old=0x%llx result=0x%x", rname(ret), (unsigned long long)got.old, got.result);
	count(C_CAS, ret, ret == 0 && !(got.result & ZXPROC_CAS_SWAPPED));
	if (check_doc(C_CAS, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(c));
	if (front) {
		CHECK(front_is(front, ret, &pk), "CAS: %s, want %s", rname(ret), ename(front));
		ARG_SAME(0, 0, "CAS refused");
		return 0;
	}
	args_in_errors(&A, sizeof(c), &es);
	if (!es.n) {
		if (!valid)
			es_add(&es, EINVAL);
		if ((pk.slot->rights & (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE)) !=
		    (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE))
			es_add(&es, EACCES);
	}
	if (es.n) {
		CHECK(ret < 0 && es_has(&es, (int)-ret), "CAS: %s, want %s", rname(ret), es_str(&es));
		ARG_SAME(0, 0, "CAS refused");
		return 0;
	}
	if (pk.slot->stale)
		terr = ESTALE;
	/*
	 * On every error nothing in the target changed and nothing was
	 * written back; a struct that cannot take the outcome is an error
	 * (EFAULT), so the value is not replaced (uapi/linux/zxproc.h).
	 */
	if (A.wr < usize) {
		CHECK(ret == -EFAULT || (terr && ret == -terr), "CAS with a read-only struct: %s, want EFAULT%s%s",
		      rname(ret), terr ? " or " : "", terr ? ename(terr) : "");
		ARG_SAME(0, 0, "CAS EFAULT");
		return 0;
	}
	if (terr) {
		CHECK(ret == -terr, "CAS: %s, want %s", rname(ret), ename(terr));
		ARG_SAME(0, 0, "CAS failed");
		return 0;
	}
	want_result = cur == c.expected ? ZXPROC_CAS_SWAPPED : 0;
	CHECK(ret == 0, "CAS of a %u-byte value at 0x%llx (%s): %s, want success", c.size,
	      (unsigned long long)c.addr, kind_name[target_kind(c.addr)], rname(ret));
	CHECK(got.old == cur && got.result == want_result,
	      "CAS at 0x%llx (%s): old 0x%llx result 0x%x, want old 0x%llx result 0x%x",
	      (unsigned long long)c.addr, kind_name[target_kind(c.addr)],
	      (unsigned long long)got.old, got.result, (unsigned long long)cur, want_result);
	/* Only old and result change: size and flags between them too stay. */
	ARG_SAME(out_from, out_to, "CAS");
	CHECK(!memcmp(A.p + out_from + 8, A.img + out_from + 8, out_to - out_from - 12),
	      "CAS changed the size or flags field of its struct");
	mark_pages(fz.must_res, c.addr, c.size);
	if (want_result)
		memcpy(fz.shadow + (c.addr - ptr(fz.win)), &c.desired, c.size);
	return 0;
}

/* ---- maps ---------------------------------------------------------------- */

/*
 * The target's mappings as /proc/PID/maps lists them, as struct
 * zxproc_map records (the name: a file's last component, without
 * " (deleted)"), but for the vsyscall page, which is no mapping of the
 * address space.  The target only sleeps: they do not change.
 */
static int read_ref_maps(void)
{
	char text[65536], *line, *save = NULL;
	ssize_t n, got = 0;

	while ((n = pread(fz.tmaps, text + got, sizeof(text) - 1 - (size_t)got, got)) > 0)
		got += n;
	CHECK(n == 0 && got < (ssize_t)sizeof(text) - 1, "cannot read the target's /proc/PID/maps: %s",
	      ename(errno));
	text[got] = '\0';
	fz.nref = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct zxproc_map *m = &fz.ref[fz.nref];
		unsigned long long s, e, off, ino;
		unsigned int maj, mnr;
		char perm[5];
		int pos = 0;
		const char *name, *slash;
		size_t len;

		CHECK(sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &s, &e, perm, &off, &maj,
			     &mnr, &ino, &pos) == 7 && pos, "cannot parse the target's maps line \"%s\"", line);
		name = line + pos;
		if (!strcmp(name, "[vsyscall]"))
			continue;
		CHECK(fz.nref < FZ_REF_MAX, "the target has more than %d mappings", FZ_REF_MAX);
		memset(m, 0, sizeof(*m));
		m->start = s;
		m->end = e;
		m->offset = off;
		m->inode = ino;
		m->dev_major = maj;
		m->dev_minor = mnr;
		m->flags = (perm[0] == 'r' ? ZXPROC_MAP_READ : 0) | (perm[1] == 'w' ? ZXPROC_MAP_WRITE : 0) |
			   (perm[2] == 'x' ? ZXPROC_MAP_EXEC : 0) | (perm[3] == 's' ? ZXPROC_MAP_SHARED : 0);
		slash = name[0] == '/' ? strrchr(name, '/') : NULL;
		if (slash)
			name = slash + 1;
		len = strlen(name);
		if (slash && len >= 10 && !strcmp(name + len - 10, " (deleted)"))
			len -= 10;
		if (len > ZXPROC_MAP_NAME_LEN - 1)
			len = ZXPROC_MAP_NAME_LEN - 1;
		memcpy(m->name, name, len);
		fz.nref++;
	}
	return 0;
}

/*
 * What the shadow knows of the window page by page: the protection, the
 * file (its name as the kernel's dentry has it, the inode) or none.  Holes
 * are in no mapping.
 */
static bool window_map_ok(const struct zxproc_map *m, char *why, size_t whylen)
{
	uint64_t w = ptr(fz.win), a;

	for (a = m->start > w ? m->start : w; a < m->end && a < w + NPAGES * fz.pg; a += fz.pg) {
		size_t i = (a - w) / fz.pg;
		enum kind k = win_kind[i];
		int prot = kind_prot(k);
		const struct stat *st = k == K_TEXT ? &fz.st_text : k == K_SHRO ? &fz.st_shro :
					k == K_EOF ? &fz.st_eof : NULL;
		const char *name = k == K_TEXT ? "memfd:zxfuzz-text" : k == K_SHRO ? "memfd:zxfuzz-shared" :
				   k == K_EOF ? "memfd:zxfuzz-eof" : "";
		uint32_t flags = (prot & PROT_READ ? ZXPROC_MAP_READ : 0) |
				 (prot & PROT_WRITE ? ZXPROC_MAP_WRITE : 0) |
				 (prot & PROT_EXEC ? ZXPROC_MAP_EXEC : 0) |
				 (k == K_SHRO ? ZXPROC_MAP_SHARED : 0);

		if (k == K_HOLE) {
			snprintf(why, whylen, "window page %zu is a hole", i);
			return false;
		}
		if (m->flags != flags || strcmp(m->name, name) || m->inode != (st ? st->st_ino : 0) ||
		    (st && (m->dev_major != major(st->st_dev) || m->dev_minor != minor(st->st_dev) ||
			    m->offset + (a - m->start))) ||
		    (!st && (m->offset || m->dev_major || m->dev_minor))) {
			snprintf(why, whylen, "window page %zu (%s) wants flags 0x%x name \"%s\" inode %llu",
				 i, kind_name[k], flags, name, st ? (unsigned long long)st->st_ino : 0ULL);
			return false;
		}
	}
	return true;
}

/* The window as /proc/PID/maps has it is the model's: a check of both. */
static int check_ref_maps(void)
{
	char why[160];
	size_t p;
	int i;

	for (i = 0; i < fz.nref; i++)
		CHECK(window_map_ok(&fz.ref[i], why, sizeof(why)),
		      "the target's /proc/PID/maps line %d (0x%llx-0x%llx flags 0x%x \"%s\"): %s", i,
		      (unsigned long long)fz.ref[i].start, (unsigned long long)fz.ref[i].end,
		      fz.ref[i].flags, fz.ref[i].name, why);
	for (p = 0; p < NPAGES; p++) {
		uint64_t a = ptr(fz.win) + p * fz.pg;

		for (i = 0; i < fz.nref && !(fz.ref[i].start <= a && a < fz.ref[i].end); i++)
			;
		CHECK(i < fz.nref || win_kind[p] == K_HOLE,
		      "window page %zu (%s) is in no mapping of the target's /proc/PID/maps", p,
		      kind_name[win_kind[p]]);
	}
	return 0;
}

static uint32_t gen_entry_size(void)
{
	static const uint32_t refused[] = {
		0, 8, ZXPROC_MAP_SIZE_VER0 - 8, ZXPROC_MAP_SIZE_VER0 - 1, ZXPROC_MAP_SIZE_VER0 + 1,
		ZXPROC_MAP_SIZE_VER0 + 4, ZXPROC_MAP_SIZE_MAX - 4, ZXPROC_MAP_SIZE_MAX + 8, 8192, ~0u,
	};
	const uint32_t steps = (ZXPROC_MAP_SIZE_MAX - ZXPROC_MAP_SIZE_VER0) / 8;
	unsigned int r = (unsigned int)below(fz.clean ? 88 : 100);

	if (r < 72)
		return sizeof(struct zxproc_map);
	/* Mostly a little larger: every byte of the array is checked. */
	if (r < 88)
		return pct(10) ? ZXPROC_MAP_SIZE_MAX : pct(30) ?
		       ZXPROC_MAP_SIZE_VER0 + 8 * (1 + (uint32_t)below(steps)) :
		       ZXPROC_MAP_SIZE_VER0 + 8 * (1 + (uint32_t)below(8));
	if (r < 97)
		return refused[below(sizeof(refused) / sizeof(refused[0]))];
	return (uint32_t)rnd();
}

static int op_maps(void)
{
	struct pick pk = pick_fd(FD_HANDLE, ZXPROC_RIGHT_INSPECT);
	const size_t area = SEGS_PAGES * fz.pg;
	const size_t out_from = offsetof(struct zxproc_maps, actual);
	struct zxproc_maps q = { 0 };
	struct eset es = { .n = 0 };
	uint32_t actual, avail, want_actual = 0, want_avail = 0, fit, i;
	static uint8_t maps_snap[SEGS_PAGES * 4096];
	size_t usize, need = 0, margin_lo, span;
	uint8_t *ep = NULL, *lo = NULL;
	bool dir_ok, valid, es_ok, arr_rw = false;
	enum tailk tk;
	unsigned long cmd;
	unsigned int r;
	long ret;
	int front, k0;
	char why[160];

	r = (unsigned int)below(100);
	if (r < 35)
		q.addr = 0;
	else if (r < 60)
		q.addr = ptr(fz.win) + below(NPAGES * fz.pg);
	else if (r < 85) {
		const struct zxproc_map *m = &fz.ref[below(fz.nref)];

		q.addr = pct(40) ? m->start : pct(50) ? m->end : m->end - 1;
	} else {
		q.addr = pct(70) ? fz.outside[below(fz.nout)] : rnd();
	}
	r = (unsigned int)below(fz.clean ? 95 : 100);
	q.count = r < 12 ? 0 : r < 45 ? 1 + (uint32_t)below(4) : r < 95 ?
		  1 + (uint32_t)below((uint64_t)fz.nref + 8) : pct(50) ? ~0u : (uint32_t)rnd();
	q.entry_size = gen_entry_size();
	es_ok = q.entry_size >= ZXPROC_MAP_SIZE_VER0 && q.entry_size <= ZXPROC_MAP_SIZE_MAX &&
		q.entry_size % 8 == 0;
	/* What the kernel will find: mappings that end above addr. */
	for (k0 = 0; k0 < fz.nref && fz.ref[k0].end <= q.addr; k0++)
		;
	want_avail = (uint32_t)(fz.nref - k0);
	want_actual = q.count < want_avail ? q.count : want_avail;
	if (es_ok)
		need = (size_t)want_actual * q.entry_size;

	/* The array: room for what it gets, read-only, cut short, none. */
	r = (unsigned int)below(fz.clean ? 80 : 100);
	if (q.count == 0 && pct(50)) {
		ep = NULL;
	} else if (r < 80 || !need || need > area) {
		ep = fz.segs + below(area - (need < area ? need : area) + 1);
		arr_rw = true;
	} else if (r < 86) {
		ep = fz.segs + area - need + 1 + below(need);	/* ends in the hole */
	} else if (r < 92) {
		ep = fz.segs_ro + below(area - need + 1);
	} else if (r < 96) {
		ep = NULL;
	} else {
		ep = (uint8_t *)(uintptr_t)0xffffc90000000000ULL;
	}
	q.entries = ptr(ep);
	q.flags = gen_reserved();
	q.reserved = gen_reserved();
	q.actual = 0xa5a5a5a5;
	q.avail = 0x5a5a5a5a;
	valid = es_ok && !q.flags && !q.reserved && !(q.count && !q.entries);
	/* Elements the array can take whole. */
	if (arr_rw)
		fit = want_actual;
	else if (ep >= fz.segs && ep < fz.segs + area && es_ok)
		fit = (uint32_t)((size_t)(fz.segs + area - ep) / q.entry_size);
	else
		fit = 0;
	/* A random image around the array, to see what else was written. */
	span = margin_lo = 0;
	if (ep >= fz.segs && ep < fz.segs + area) {
		lo = ep >= fz.segs + 64 ? ep - 64 : fz.segs;
		margin_lo = (size_t)(ep - lo);
		span = (size_t)((fz.segs + area) - lo);
		if (margin_lo + need + 64 < span)
			span = margin_lo + need + 64;
		fill_random(lo, span);
		memcpy(maps_snap, lo, span);
	}

	usize = gen_size(sizeof(q), &tk);
	cmd = gen_cmd(ZXPROC_IOC_MAPS, usize, &dir_ok);
	arg_choose(&A, usize, gen_place(usize));
	arg_image(&A, &q, sizeof(q), tk);
	arg_fill(&A);
	note("MAPS fd=%s cmd=0x%lx size=%zu arg=%p (rd %zu wr %zu) addr=0x%llx entries=%p (%s, %u fit) count=%u entry_size=%u flags=0x%x reserved=0x%x",
	     fdk_name(&pk), cmd, usize, (void *)A.p, A.rd, A.wr, (unsigned long long)q.addr,
	     (void *)ep, arr_rw ? "read-write" : "short", fit, q.count, q.entry_size, q.flags,
	     q.reserved);
	ret = fz_ioctl(pk.fd, cmd, A.p);
	actual = q.actual;
	avail = q.avail;
	if (A.rd >= sizeof(q)) {
		memcpy(&actual, A.p + offsetof(struct zxproc_maps, actual), 4);
		memcpy(&avail, A.p + offsetof(struct zxproc_maps, avail), 4);
	}
	note(" -> %s actual=%u avail=%u", rname(ret), actual, avail);
	count(C_MAPS, ret, ret == 0 && actual < avail);
	if (check_doc(C_MAPS, ret, pk.kind))
		return -1;

	front = front_error(pk.kind, FD_HANDLE, dir_ok, usize, sizeof(q));
	if (front) {
		CHECK(front_is(front, ret, &pk), "MAPS: %s, want %s", rname(ret), ename(front));
		goto unchanged;
	}
	args_in_errors(&A, sizeof(q), &es);
	if (!es.n) {
		if (!valid)
			es_add(&es, EINVAL);
		if (!(pk.slot->rights & ZXPROC_RIGHT_INSPECT))
			es_add(&es, EACCES);
	}
	if (es.n) {
		CHECK(ret < 0 && es_has(&es, (int)-ret), "MAPS: %s, want %s", rname(ret), es_str(&es));
		goto unchanged;
	}
	if (pk.slot->stale) {
		/* Nothing walked: the counts are written back as 0. */
		CHECK(ret == (A.wr < usize ? -EFAULT : -ESTALE), "MAPS through a stale handle: %s, want %s",
		      rname(ret), A.wr < usize ? "EFAULT" : "ESTALE");
		if (A.wr == usize) {
			CHECK(actual == 0 && avail == 0, "MAPS through a stale handle: actual %u avail %u, want 0, 0",
			      actual, avail);
			ARG_SAME(out_from, out_from + 8, "MAPS ESTALE");
		}
		goto unchanged_array;
	}
	if (fit < want_actual || A.wr < usize) {
		/* The array or the struct cannot take it: EFAULT, with the
		 * counts of what was written so far. */
		CHECK(ret == -EFAULT, "MAPS into an array with room for %u of %u or a struct of %zu writable bytes: %s, want EFAULT",
		      fit, want_actual, A.wr, rname(ret));
		if (A.wr == usize)
			CHECK(actual <= fit && actual <= avail && avail <= want_avail,
			      "MAPS EFAULT: actual %u avail %u, with room for %u of %u", actual, avail,
			      fit, want_avail);
		else
			actual = 0;	/* unknown: check nothing of the array */
	} else {
		CHECK(ret == 0, "MAPS: %s, want success", rname(ret));
		CHECK(actual == want_actual && avail == want_avail,
		      "MAPS from 0x%llx, count %u: actual %u avail %u, want %u, %u (the target has %d mappings)",
		      (unsigned long long)q.addr, q.count, actual, avail, want_actual, want_avail, fz.nref);
	}
	if (A.wr == usize)
		ARG_SAME(out_from, out_from + 8, "MAPS");
	for (i = 0; i < actual && i < want_actual; i++) {
		const uint8_t *e = ep + (size_t)i * q.entry_size;
		const struct zxproc_map *want = &fz.ref[k0 + (int)i];
		struct zxproc_map m;

		memcpy(&m, e, sizeof(m));
		CHECK(m.start == want->start && m.end == want->end && m.offset == want->offset &&
		      m.inode == want->inode && m.dev_major == want->dev_major &&
		      m.dev_minor == want->dev_minor && m.flags == want->flags && !m.reserved &&
		      memchr(m.name, 0, sizeof(m.name)) && !strcmp(m.name, want->name),
		      "MAPS entry %u: 0x%llx-0x%llx flags 0x%x off 0x%llx %x:%x ino %llu \"%.*s\", /proc/PID/maps says 0x%llx-0x%llx flags 0x%x off 0x%llx %x:%x ino %llu \"%s\"",
		      i, (unsigned long long)m.start, (unsigned long long)m.end, m.flags,
		      (unsigned long long)m.offset, m.dev_major, m.dev_minor,
		      (unsigned long long)m.inode, ZXPROC_MAP_NAME_LEN, m.name,
		      (unsigned long long)want->start, (unsigned long long)want->end, want->flags,
		      (unsigned long long)want->offset, want->dev_major, want->dev_minor,
		      (unsigned long long)want->inode, want->name);
		CHECK(window_map_ok(&m, why, sizeof(why)), "MAPS entry %u (0x%llx-0x%llx flags 0x%x \"%.*s\"): %s",
		      i, (unsigned long long)m.start, (unsigned long long)m.end, m.flags,
		      ZXPROC_MAP_NAME_LEN, m.name, why);
		CHECK(zx_not_all(e + sizeof(m), 0, q.entry_size - sizeof(m)) == -1,
		      "MAPS entry %u: a non-zero byte in its %zu-byte tail", i,
		      q.entry_size - sizeof(m));
	}
	/* Nothing before the array, nor past the elements it could get. */
	if (span) {
		size_t wend = margin_lo + (size_t)(fit < want_actual ? fit + 1 : want_actual) *
			      (es_ok ? q.entry_size : 0);

		if (wend > span)
			wend = span;
		CHECK(!memcmp(lo, maps_snap, margin_lo) &&
		      !memcmp(lo + wend, maps_snap + wend, span - wend),
		      "MAPS wrote outside the %u elements of its array it may write", want_actual);
	}
	return 0;

unchanged:
	ARG_SAME(0, 0, "MAPS refused");
unchanged_array:
	if (span && memcmp(lo, maps_snap, span))
		CHECK(0, "MAPS failed but wrote into its array");
	return 0;
}

/* ---- forcing ------------------------------------------------------------- */

#define FZ_PARAMS "/sys/module/zxproc/parameters/"

/* A forcing parameter of the module, or NFORCE when it cannot be read. */
static enum force read_force(const char *param)
{
	char buf[32];
	int f;

	if (zx_read_file(param, buf, sizeof(buf)) <= 0)
		return NFORCE;
	for (f = 0; f < NFORCE; f++) {
		size_t n = strlen(force_name[f]);

		if (!strncmp(buf, force_name[f], n) && (buf[n] == '\n' || !buf[n]))
			return (enum force)f;
	}
	return NFORCE;
}

/* Is an access to the target forced?  As module/force.c decides it. */
static void force_update(void)
{
	enum force f = fz.host_force > fz.param_force ? fz.host_force : fz.param_force;

	fz.force = f == F_ALWAYS || (f == F_PTRACE && fz.tracing);
}

static int set_tracing(bool on)
{
	int st;

	if (on == fz.tracing)
		return 0;
	if (on) {
		CHECK(!ptrace(PTRACE_SEIZE, fz.target, 0, 0), "PTRACE_SEIZE of the target: %s",
		      ename(errno));
	} else {
		/* Only a stopped tracee can be detached. */
		CHECK(!ptrace(PTRACE_INTERRUPT, fz.target, 0, 0) &&
		      waitpid(fz.target, &st, __WALL) == fz.target &&
		      !ptrace(PTRACE_DETACH, fz.target, 0, 0),
		      "detaching from the target: %s", ename(errno));
	}
	fz.tracing = on;
	return 0;
}

/*
 * Root's test also goes through the policies the module parameter can
 * set, as the tracer of the target and not, every FZ_FORCE_EVERY calls
 * (seeded); it restores the parameter at the end.
 */
#define FZ_FORCE_EVERY 1024

static int force_phase(void)
{
	static const struct { enum force f; bool trace; } phase[] = {
		{ F_ALWAYS, false }, { F_PTRACE, false }, { F_PTRACE, true },
		{ F_NEVER, false }, { F_NEVER, true },
	};
	unsigned int p = (unsigned int)below(sizeof(phase) / sizeof(phase[0]));

	if (zx_write_file(FZ_PARAMS "force_override", force_name[phase[p].f]))
		return fz_fail(__LINE__, "cannot write force_override");
	fz.param_force = read_force(FZ_PARAMS "force_override");
	CHECK(fz.param_force == phase[p].f, "force_override reads %s after writing %s",
	      fz.param_force < NFORCE ? force_name[fz.param_force] : "nothing",
	      force_name[phase[p].f]);
	if (set_tracing(phase[p].trace))
		return -1;
	force_update();
	note("force_override=%s%s: %sforced", force_name[fz.param_force],
	     fz.tracing ? ", tracing the target" : "", fz.force ? "" : "not ");
	return 0;
}

/* ---- the run ------------------------------------------------------------- */

static int fz_loop(void)
{
	for (fz.op = 1; fz.op <= fz.iters; fz.op++) {
		unsigned int r = (unsigned int)below(100);
		int ret;

		fz.ring[fz.op % RING][0] = '\0';
		if (fz.set_force && fz.op % FZ_FORCE_EVERY == 1 && force_phase())
			return -1;
		fz.clean = pct(45);
		note("#%llu%s ", (unsigned long long)fz.op, fz.clean ? " clean" : "");
		if (r < 20)
			ret = op_mem(true);
		else if (r < 33)
			ret = op_mem(false);
		else if (r < 43)
			ret = op_memv(true);
		else if (r < 50)
			ret = op_memv(false);
		else if (r < 58)
			ret = op_open();
		else if (r < 65)
			ret = op_dup();
		else if (r < 70)
			ret = op_info();
		else if (r < 73)
			ret = op_version();
		else if (r < 79)
			ret = op_unknown();
		else if (r < 86)
			ret = op_cas();
		else if (r < 91)
			ret = op_maps();
		else
			ret = op_pool();
		if (!ret && res_due())
			ret = res_check("this call");
		if (ret)
			return ret;
		if (fz.op == fz.min) {
			memcpy(fz.cover, fz.counts, sizeof(fz.cover));
			fz.nf_short[1] = fz.nf_short[0];
			fz.covered = true;
		}
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

static void summary(const char *unit)
{
	long long ms = zx_now_ms() - fz.t0;
	int c;
	size_t i;

	fprintf(stderr, "# %s: %llu %s in %lld.%03lld s; outcomes per command:\n",
		fz.mode->name, (unsigned long long)(fz.op < fz.iters ? fz.op : fz.iters),
		unit, ms / 1000, ms % 1000);
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
 * Coverage: in its first fz.min calls (FZ_MIN_CALLS), every command was
 * seen to succeed and to fail in its main ways, so that a generator that
 * drifted into always-refused arguments fails instead of passing
 * vacuously.  Those calls are the same for a given seed on any machine,
 * however fast, so this is checked on every run; a run cut short by its
 * time budget before fz.min calls fails instead.
 */
static int coverage(void)
{
	static const struct { enum cmdi c; int e; } need[] = {
		{ C_WRITE, EINVAL }, { C_WRITE, E2BIG }, { C_WRITE, ENOTTY },
		{ C_WRITE, EACCES }, { C_WRITE, EFAULT }, { C_WRITE, ENOMEM },
		{ C_WRITE, ESTALE }, { C_READ, EINVAL }, { C_READ, EFAULT },
		{ C_READ, ENOMEM }, { C_READ, ESTALE }, { C_WRITEV, EINVAL },
		{ C_WRITEV, EFAULT }, { C_WRITEV, ESTALE }, { C_WRITEV, E2BIG },
		{ C_READV, EINVAL }, { C_OPEN, EINVAL }, { C_OPEN, ESRCH },
		{ C_OPEN, ESTALE }, { C_OPEN, ENOTTY }, { C_DUP, EINVAL },
		{ C_DUP, ENOTTY }, { C_INFO, ENOTTY }, { C_UNKNOWN, ENOTTY },
		{ C_READ, EAGAIN }, { C_READ, EACCES }, { C_READ, EIO },
		{ C_MAPS, EINVAL }, { C_MAPS, E2BIG }, { C_MAPS, ENOTTY },
		{ C_MAPS, EACCES }, { C_MAPS, EFAULT }, { C_MAPS, ESTALE },
		{ C_CAS, EINVAL }, { C_CAS, E2BIG }, { C_CAS, ENOTTY },
		{ C_CAS, EACCES }, { C_CAS, EFAULT }, { C_CAS, ENOMEM },
		{ C_CAS, EIO }, { C_CAS, ESTALE },
	};
	size_t i, t;
	int c;

	CHECK(fz.covered, "only %llu calls ran, fewer than the minimum of %llu: the kernel is too slow for ZXPROC_FUZZ_SECONDS=%lld",
	      (unsigned long long)fz.iters, (unsigned long long)fz.min, fz.budget_ms / 1000);
	for (c = 0; c < C_UNKNOWN; c++)
		CHECK(fz.cover[c][O_OK], "coverage: %s never succeeded in the first %llu calls",
		      cmd_name[c], (unsigned long long)fz.min);
	CHECK(fz.cover[C_WRITE][O_SHORT] && fz.cover[C_READ][O_SHORT],
	      "coverage: no short WRITE or READ in the first %llu calls", (unsigned long long)fz.min);
	CHECK(fz.nf_short[1], "coverage: no short NO_FAULT READ in the first %llu calls",
	      (unsigned long long)fz.min);
	CHECK(fz.cover[C_MAPS][O_SHORT] && fz.cover[C_CAS][O_SHORT],
	      "coverage: no MAPS into too small an array, or no CAS that found another value, in the first %llu calls",
	      (unsigned long long)fz.min);
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		for (t = 0; tracked[t] != need[i].e; t++)
			;
		CHECK(fz.cover[need[i].c][O_ERR0 + t], "coverage: %s never failed with %s in the first %llu calls",
		      cmd_name[need[i].c], ename(need[i].e), (unsigned long long)fz.min);
	}
	if (!fz.priv) {
		for (t = 0; tracked[t] != EPERM; t++)
			;
		CHECK(fz.cover[C_OPEN][O_ERR0 + t], "coverage: an unprivileged PROCESS_OPEN was never refused in the first %llu calls",
		      (unsigned long long)fz.min);
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

/* The target's /proc/PID/@what, or -errno. */
static int open_target_proc(pid_t pid, const char *what)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
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
	fz.min = min_calls();
	fz.budget_ms = time_budget_ms();
	if (fz.iters < fz.min)
		return fz_fail(__LINE__, "ZXPROC_FUZZ_ITERS=%llu is below the minimum of %llu calls (ZXPROC_FUZZ_MIN)",
			       (unsigned long long)fz.iters, (unsigned long long)fz.min);
	/* Whether accesses are forced: the host's policy, and ours on top. */
	fz.host_force = read_force(FZ_PARAMS "host_force_override");
	fz.param_force = read_force(FZ_PARAMS "force_override");
	if (fz.host_force == NFORCE || fz.param_force == NFORCE)
		return fz_fail(__LINE__, "cannot read " FZ_PARAMS "host_force_override and force_override");
	fz.tracing = false;
	force_update();
	{
		char buf[16];

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
		fz.tmem = open_target_proc(fz.target, "mem");
		fz.tpagemap = open_target_proc(fz.target, "pagemap");
		fz.tmaps = open_target_proc(fz.target, "maps");
	} else {
		bool asked = write(tmem_sock, &fz.target, sizeof(fz.target)) == sizeof(fz.target);

		fz.tmem = asked ? zx_recv_fd(tmem_sock) : -EIO;
		fz.tpagemap = asked ? zx_recv_fd(tmem_sock) : -EIO;
		fz.tmaps = asked ? zx_recv_fd(tmem_sock) : -EIO;
	}
	if (fz.tmem < 0 || fz.tpagemap < 0 || fz.tmaps < 0) {
		fz_fail(__LINE__, "cannot open the target's /proc/PID/mem, pagemap and maps");
		goto out_target;
	}
	/* The target wrote its anonymous pages, and touched nothing else. */
	for (st = 0; st < NPAGES; st++)
		fz.res[st] = kind_anon(win_kind[st]);
	if (res_check("the target's start") || read_ref_maps() || check_ref_maps())
		goto out_target;

	fprintf(stderr, "# %s: seed 0x%llx (ZXPROC_FUZZ_SEED=0x%llx%s), %llu calls (at least %llu, %lld s at most), host_force_override=%s, force_override=%s%s, vvar %s\n",
		fz.mode->name, (unsigned long long)fz.seed, (unsigned long long)base_seed,
		soak ? ", random: ZXPROC_SOAK" : base_seed == FZ_DEFAULT_SEED ? ", the default" : "",
		(unsigned long long)fz.iters, (unsigned long long)fz.min, fz.budget_ms / 1000,
		force_name[fz.host_force], force_name[fz.param_force],
		fz.set_force ? " (changed as the test goes)" : "", fz.vvar ? "found" : "not found");
	fz.t0 = zx_now_ms();
	if (verify_all())
		goto out_target;
	ret = fz_loop();
	summary("calls");
	if (fz.set_force) {
		if (set_tracing(false))
			ret = -1;
		if (zx_write_file(FZ_PARAMS "force_override", force_name[F_ALWAYS]))
			ret = fz_fail(__LINE__, "cannot restore force_override");
	}
	if (!ret)
		ret = coverage();
	if (!ret)
		ret = verify_own();

	/* (e): no descriptor leaked. */
	while (fz.npool)
		pool_drop(&fz.pool[0]);
	close(fz.tmem);
	close(fz.tpagemap);
	close(fz.tmaps);
	if (!ret && zx_count_fds() != fds0)
		ret = fz_fail(__LINE__, "descriptors: %d before, %d after", fds0, zx_count_fds());
out_target:
	zx_reap(fz.target);
	if (write(release_pipe[1], &c, 1) == 1)
		pthread_join(th, NULL);
	return ret;
}

/* ---- the lifecycle test -------------------------------------------------- */

/*
 * Handles minted and used while their processes fork, exit, are reaped
 * (by the kernel with SIGCHLD ignored, or by an explicit wait), exec,
 * unmap, move and protect their pages, and serve page faults through
 * userfaultfd.
 *
 * The fuzzer runs as pid 1 of a new pid namespace (one per epoch), so
 * that PROCESS_OPEN names only its own processes and no pid number
 * serves twice: an epoch ends long before the numbers could wrap.
 * Targets are its children.  Each maps LC_PAGES pages at LC_WIN, a fixed
 * address nothing else uses, the same in every image, holding only its
 * tag byte or zeros; it obeys commands from a pipe and answers each with
 * one byte.  The fuzzer writes only a target's own tag into it (zeros
 * through a handle whose image it cannot know), and a target checks,
 * when told and before it exits, that its pages hold nothing else: a
 * byte of another tag means a write reached the wrong process, or the
 * image a target exec'd into (whose tag differs).
 *
 * The model of a target changes only at steps of the seeded sequence:
 * commands go out without waiting, and a "sync" collects their answers
 * (after an exit, also the process's end).  Between a command and its
 * sync the target is pending, and calls on it are checked against the
 * documentation only: an errno it lists, counts within bounds, bytes of
 * the right tags, ESTALE only as a batch's last segment.  Settled targets
 * are predicted exactly: which call succeeds and with how many bytes,
 * which CAS swaps (of the bytes it finds, which must be a tag or zero),
 * MAPS of the pages at LC_WIN as the model has them (protection, holes),
 * ESTALE after a confirmed exec or exit, INFO's pid kept after an exec
 * and 0 once our wait reaped the process, ESTALE and ESRCH from
 * PROCESS_OPEN of a zombie and of a reaped process.  Coverage counts only
 * those exact checks, on handles minted to settled targets, so it is a
 * property of the seed.
 *
 * Bursts aim at PROCESS_OPEN's race with reaping: children that exit
 * soon are opened as fast as possible while they die and are reaped (by
 * the kernel with SIGCHLD ignored, or by a thread waiting for each), and
 * every handle gets INFO (see lc_burst()).  A handle minted for a process
 * reaped during the rights check once had no pid, and INFO oopsed on it
 * (51312f4).
 */
#include <dirent.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <sys/syscall.h>

#define LC_WIN		0x200000000000ULL
#define LC_PAGES	16
#define LC_DATA_FIRST	2	/* pages 2..9 read-write, 10..13 userfaultfd */
#define LC_UFFD_FIRST	10
#define LC_UFFD_PAGES	4
#define LC_LAST		13	/* pages 0, 1, 14 and 15 are never mapped */
#define LC_RECS		24
#define LC_LIVE_MAX	4
#define LC_HANDLES	8
#define LC_PHASE	200	/* steps between changes of how children are reaped */
#define LC_BUF_PAGES	4
#define LC_CANARY	0xcc
#define LC_WAIT_MS	60000	/* bound on any wait for a target: a hang, not a proof */
#define LC_DEFAULT_STEPS 2000
#define LC_DEBUG_STEPS	LC_MIN_STEPS	/* as FZ_DEBUG_ITERS */
#define LC_MIN_STEPS	1000
#define LC_SOAK_STEPS	400000
#define LC_EXEC_ENV	"ZXPROC_FUZZ_LIFECYCLE_EXEC"

/* When the current step (or a burst's current child) began: lc_watchdog(). */
static volatile long long lc_step_ms;

enum lkind { LK_HOLE, LK_RW, LK_RO, LK_NONE, LK_UFFD };

/* ---- the target's side ---- */

static struct {
	int cmd, rep, uffd;
	uint8_t tag;
	size_t pg;
	enum lkind kind[LC_PAGES];
	volatile sig_atomic_t die;	/* exit at the next userfault */
	uint8_t *page;			/* a page of the tag, for UFFDIO_COPY */
} me;

static uint8_t *lc_addr(unsigned int p)
{
	return (uint8_t *)(uintptr_t)(LC_WIN + p * zx_page());
}

static int lc_read_full(int fd, void *p, size_t n)
{
	uint8_t *b = p;

	while (n) {
		ssize_t k = read(fd, b, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static void *lc_uffd_thread(void *unused)
{
	struct uffd_msg msg;

	(void)unused;
	for (;;) {
		struct uffdio_copy c = { 0 };
		ssize_t n = read(me.uffd, &msg, sizeof(msg));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != sizeof(msg))
			return NULL;
		if (msg.event != UFFD_EVENT_PAGEFAULT)
			continue;
		/* Die while a caller waits on this fault. */
		if (me.die)
			_exit(0);
		c.dst = msg.arg.pagefault.address & ~(uint64_t)(me.pg - 1);
		c.src = ptr(me.page);
		c.len = me.pg;
		/*
		 * A failed copy wakes nobody: the page may have been served
		 * already (EEXIST), or unmapped, moved or replaced by a command
		 * since the fault (ENOENT).  Wake the caller, whose fault then
		 * finds what is there now.
		 */
		if (ioctl(me.uffd, UFFDIO_COPY, &c)) {
			struct uffdio_range w = { .start = c.dst, .len = me.pg };

			ioctl(me.uffd, UFFDIO_WAKE, &w);
		}
	}
}

/* Do our pages hold only our tag and zeros?  Says where they do not. */
static int lc_self_check(void)
{
	unsigned int p;
	size_t i;

	for (p = 0; p < LC_PAGES; p++) {
		uint8_t *a = lc_addr(p);
		int bad = 0;

		if (me.kind[p] == LK_HOLE)
			continue;
		if (me.kind[p] == LK_NONE && mprotect(a, me.pg, PROT_READ))
			return -1;
		for (i = 0; i < me.pg && !bad; i++) {
			if (a[i] && a[i] != me.tag) {
				fprintf(stderr, "# lifecycle: process %d (tag 0x%02x): byte %zu of its page %u is 0x%02x\n",
					getpid(), me.tag, i, p, a[i]);
				bad = 1;
			}
		}
		if (me.kind[p] == LK_NONE && mprotect(a, me.pg, PROT_NONE))
			return -1;
		if (bad)
			return -1;
	}
	return 0;
}

static int lc_map(unsigned int p, bool fill, int flags)
{
	uint8_t *a = mmap(lc_addr(p), me.pg, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (a != lc_addr(p))
		return -1;
	if (fill)
		memset(a, me.tag, me.pg);
	me.kind[p] = LK_RW;
	return 0;
}

static const int lc_prot[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE };
static const enum lkind lc_prot_kind[] = { LK_RW, LK_RO, LK_NONE };

/* Obey commands until told to go; each gets one byte of answer. */
static void __attribute__((noreturn)) lc_serve(void)
{
	for (;;) {
		uint8_t c[3];
		char r = 'A';
		unsigned int p;
		pid_t pid;

		if (lc_read_full(me.cmd, c, sizeof(c)))
			_exit(3);
		switch (c[0]) {
		case 'u':	/* unmap page c[1] */
			if (munmap(lc_addr(c[1]), me.pg))
				r = 'F';
			me.kind[c[1]] = LK_HOLE;
			break;
		case 'm':	/* a fresh page at c[1], filled with the tag if c[2] */
			if (lc_map(c[1], c[2], MAP_FIXED))
				r = 'F';
			break;
		case 'r':	/* move page c[1] to c[2] (which it replaces) */
			if (mremap(lc_addr(c[1]), me.pg, me.pg, MREMAP_MAYMOVE | MREMAP_FIXED,
				   lc_addr(c[2])) != lc_addr(c[2]))
				r = 'F';
			/* A moved page leaves userfaultfd behind (no EVENT_REMAP). */
			me.kind[c[2]] = me.kind[c[1]] == LK_UFFD ? LK_RW : me.kind[c[1]];
			me.kind[c[1]] = LK_HOLE;
			break;
		case 'p':	/* protect page c[1] as lc_prot[c[2]] */
			if (mprotect(lc_addr(c[1]), me.pg, lc_prot[c[2]]))
				r = 'F';
			me.kind[c[1]] = lc_prot_kind[c[2]];
			break;
		case 'z':	/* let the userfaultfd pages fault again */
			for (p = LC_UFFD_FIRST; p < LC_UFFD_FIRST + LC_UFFD_PAGES; p++)
				if (me.kind[p] == LK_UFFD && madvise(lc_addr(p), me.pg, MADV_DONTNEED))
					r = 'F';
			break;
		case 'f':	/* a child, which leaves at once (SIGCHLD ignored) */
			pid = fork();
			if (pid == 0)
				_exit(0);
			if (pid < 0)
				r = 'F';
			break;
		case 'S':
			me.die = 1;
			break;
		case 'c':
			r = lc_self_check() ? 'B' : 'K';
			break;
		case 'x':
			r = lc_self_check() ? 'B' : 'K';
			if (write(me.rep, &r, 1) != 1)
				_exit(4);
			_exit(0);
		case 'X':
			_exit(0);
		case 'e': {
			char env[64];
			char *argv[] = { "ioctl_test-lifecycle", NULL };
			char *envp[] = { env, NULL };

			snprintf(env, sizeof(env), LC_EXEC_ENV "=%d,%d,%u", me.cmd, me.rep, me.tag);
			if (!fcntl(me.cmd, F_SETFD, 0) && !fcntl(me.rep, F_SETFD, 0))
				execve("/proc/self/exe", argv, envp);
			r = 'F';
			break;
		}
		default:
			r = 'F';
			break;
		}
		if (write(me.rep, &r, 1) != 1)
			_exit(4);
	}
}

/* A target: its pages, its userfaultfd and their server, then commands. */
static void __attribute__((noreturn)) lc_target(int cmd, int rep, uint8_t tag)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	unsigned int p;
	pthread_t th;
	char r[2] = { 'R', 'N' };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGCHLD, SIG_IGN);
	me.cmd = cmd;
	me.rep = rep;
	me.tag = tag;
	me.pg = zx_page();
	for (p = 0; p < LC_PAGES; p++)
		me.kind[p] = LK_HOLE;
	me.page = mmap(NULL, me.pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (me.page == MAP_FAILED)
		_exit(5);
	memset(me.page, tag, me.pg);
	for (p = LC_DATA_FIRST; p < LC_UFFD_FIRST + LC_UFFD_PAGES; p++)
		if (lc_map(p, p < LC_UFFD_FIRST, MAP_FIXED_NOREPLACE))
			_exit(6);
	me.uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	reg.range.start = ptr(lc_addr(LC_UFFD_FIRST));
	reg.range.len = LC_UFFD_PAGES * me.pg;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (me.uffd >= 0 && !ioctl(me.uffd, UFFDIO_API, &api) &&
	    !ioctl(me.uffd, UFFDIO_REGISTER, &reg) &&
	    !pthread_create(&th, NULL, lc_uffd_thread, NULL)) {
		for (p = LC_UFFD_FIRST; p < LC_UFFD_FIRST + LC_UFFD_PAGES; p++)
			me.kind[p] = LK_UFFD;
		r[1] = 'U';
	} else {
		/* No userfaultfd here: plain pages, and the model is told. */
		memset(lc_addr(LC_UFFD_FIRST), tag, LC_UFFD_PAGES * me.pg);
	}
	if (write(rep, r, 2) != 2)
		_exit(4);
	lc_serve();
}

/*
 * The image a target exec's into (/proc/self/exe, told by the
 * environment): the read-write pages again, with the tag's high bit set,
 * then commands.  Before main(), so that the harness never starts.
 */
static void __attribute__((constructor)) lc_exec_image(void)
{
	const char *e = getenv(LC_EXEC_ENV);
	unsigned int p, tag;
	int cmd, rep;
	char r = 'E';

	if (!e || sscanf(e, "%d,%d,%u", &cmd, &rep, &tag) != 3)
		return;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGCHLD, SIG_IGN);
	me.cmd = cmd;
	me.rep = rep;
	me.tag = (uint8_t)(tag | 0x80);
	me.pg = zx_page();
	for (p = 0; p < LC_PAGES; p++)
		me.kind[p] = LK_HOLE;
	for (p = LC_DATA_FIRST; p < LC_UFFD_FIRST; p++)
		if (lc_map(p, true, MAP_FIXED_NOREPLACE))
			r = 'F';
	if (write(rep, &r, 1) != 1)
		_exit(4);
	lc_serve();
}

/* ---- the fuzzer's side ---- */

/* A target, as the model knows it. */
struct lrec {
	pid_t pid;		/* 0: a free record */
	int pidfd, cmd, rep;
	uint8_t tag;
	int image;		/* 0, or 1 once an exec was confirmed */
	int acks;		/* answers owed */
	bool exec_sent, exit_sent, die_armed;	/* pending until a sync */
	bool exited;		/* confirmed: its pidfd is readable */
	bool autoreap;		/* ... while SIGCHLD was ignored */
	bool reaped;		/* confirmed: waited for, or PROCESS_OPEN said ESRCH */
	bool waited;		/* ... by our wait, which returns once it is released */
	bool uffd;
	enum lkind kind[LC_PAGES];	/* after every command sent */
	int handles;
};

/* A handle: to which record and image (-1: not known), and with what. */
struct lhand {
	int fd;			/* -1: empty */
	int rec;
	int image;
	uint32_t rights;
	bool loose;		/* minted to a pending target: no coverage */
};

/* Exact checks counted for the coverage check. */
enum lcov {
	V_WRITE, V_READ, V_UFFD, V_ENOMEM, V_EACCES, V_WRITEV, V_READV,
	V_STALE_EXEC, V_STALE_EXIT, V_INFO_EXEC, V_INFO_WAITED, V_INFO_AUTOREAPED,
	V_OPEN_ZOMBIE, V_OPEN_REAPED, V_EXEC, V_CHECKED, V_EXEC_CHECKED, V_UNMAP,
	V_MOVE, V_PROTECT, V_FORK, V_DIED_IN_FAULT, V_BURST_AUTOREAP, V_BURST_WAITED,
	V_CAS, V_CAS_STALE, V_MAPS, V_MAPS_STALE, NLCOV
};
static const char *const lcov_name[NLCOV] = {
	"WRITE into a live target", "READ of a live target",
	"an access served by the target's userfaultfd", "ENOMEM at an unmapped page",
	"EACCES at a page not forced", "WRITEV into a live target",
	"READV of a live target", "ESTALE after an exec", "ESTALE after an exit",
	"INFO: stale after an exec, pid kept", "INFO: pid 0 after a wait",
	"INFO: stale after the kernel reaped", "PROCESS_OPEN of a zombie: ESTALE",
	"PROCESS_OPEN of a reaped process: ESRCH", "an exec",
	"a target's own check", "an exec'd image's own check", "munmap",
	"mremap", "mprotect", "fork in a target", "a target dying in a userfault",
	"a burst reaped by the kernel", "a burst reaped by a wait",
	"CAS of a live target", "CAS: ESTALE", "MAPS of a live target", "MAPS: ESTALE",
};

static struct {
	struct lrec rec[LC_RECS];
	struct lhand h[LC_HANDLES];
	bool autoreap;		/* SIGCHLD ignored now */
	uint64_t steps, min, calls, forks, fork_cap, burst_children;
	uint8_t *buf;
	unsigned int cov[NLCOV], cov_at_min[NLCOV];
	bool covered;
	int reaper[2];		/* burst pids to the reaper thread */
} lc;

static bool lc_settled(const struct lrec *r)
{
	return !r->acks && !r->exec_sent && !r->exit_sent && !r->die_armed;
}

/* Is @h known to be stale: its image replaced, or its process gone? */
static bool lc_known_stale(const struct lhand *h)
{
	const struct lrec *r = &lc.rec[h->rec];

	return r->exited || (h->image >= 0 && r->image > h->image);
}

/* Is every outcome on @h predictable: a settled target still on h's image? */
static bool lc_exact(const struct lhand *h)
{
	const struct lrec *r = &lc.rec[h->rec];

	return lc_settled(r) && !r->exited && h->image == r->image;
}

static void lc_cover(enum lcov v, const struct lhand *h)
{
	if (!h || !h->loose)
		lc.cov[v]++;
}

/* The page kinds of @r's image @image. */
static enum lkind lc_kind(const struct lrec *r, int image, unsigned int p)
{
	if (image == 0)
		return r->kind[p];
	return p >= LC_DATA_FIRST && p < LC_UFFD_FIRST ? LK_RW : LK_HOLE;
}

static uint8_t lc_tag(const struct lrec *r, int image)
{
	return image ? (uint8_t)(r->tag | 0x80) : r->tag;
}

/* The bytes a target's page may hold, for a handle of image @image (-1: either). */
static bool lc_byte_ok(const struct lrec *r, int image, uint8_t b)
{
	return !b || (image != 1 && b == r->tag) || (image != 0 && b == (uint8_t)(r->tag | 0x80));
}

/*
 * Whether accesses are forced could not be told (the module has no
 * forcing parameters): the run goes on, predicting nothing that depends
 * on it, and fails at the end.
 */
static bool lc_force_unknown;

/*
 * As target_span(), for a settled target's image; UINT64_MAX when the
 * answer depends on forcing, which is not known.
 */
static uint64_t lc_span(const struct lrec *r, int image, uint64_t addr, uint64_t len,
			bool write, int *err)
{
	uint64_t done = 0;

	*err = 0;
	while (done < len) {
		uint64_t a = addr + done;
		uint64_t p = (a - LC_WIN) / fz.pg;
		enum lkind k = a >= LC_WIN && p < LC_PAGES ? lc_kind(r, image, (unsigned int)p) : LK_HOLE;
		bool ok;

		if (lc_force_unknown && (k == LK_NONE || (k == LK_RO && write)))
			return UINT64_MAX;
		switch (k) {
		case LK_RW: case LK_UFFD: ok = true; break;
		case LK_RO: ok = !write || fz.force; break;
		case LK_NONE: ok = fz.force; break;
		default: ok = false; break;
		}
		if (!ok) {
			*err = k == LK_HOLE ? ENOMEM : EACCES;
			break;
		}
		done += fz.pg - a % fz.pg;
	}
	return done < len ? done : len;
}

static bool lc_touches_uffd(const struct lrec *r, uint64_t addr, uint64_t n)
{
	uint64_t a;

	for (a = addr & ~(uint64_t)(fz.pg - 1); a < addr + n; a += fz.pg) {
		uint64_t p = (a - LC_WIN) / fz.pg;

		if (a >= LC_WIN && p < LC_PAGES && r->kind[p] == LK_UFFD)
			return true;
	}
	return false;
}

static long lc_ioctl(enum cmdi c, int fd, unsigned long cmd, void *arg)
{
	long ret = fz_ioctl(fd, cmd, arg);

	lc.calls++;
	count(c, ret, false);
	return ret;
}

static int lc_open_raw(pid_t pid, uint32_t rights)
{
	struct zxproc_open o = { .pid = pid, .rights = rights };

	return (int)lc_ioctl(C_OPEN, fz.dev, ZXPROC_IOC_PROCESS_OPEN, &o);
}

/* ---- answers, syncs, deaths and reaps ---- */

/* Wait for @fd to be readable (or @fd2, if not -1); a bound, not a proof. */
static int lc_wait(int fd, int fd2)
{
	struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = fd2, .events = POLLIN } };
	int n;

	do
		n = poll(p, fd2 >= 0 ? 2 : 1, LC_WAIT_MS);
	while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

static bool lc_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

/* One answer of record @r's target. */
static int lc_answer(struct lrec *r, char a)
{
	r->acks--;
	switch (a) {
	case 'A':
		return 0;
	case 'K':
		lc_cover(r->image ? V_EXEC_CHECKED : V_CHECKED, NULL);
		return 0;
	case 'E':
		CHECK(r->exec_sent, "process %d (tag 0x%02x) says it exec'd, unasked", r->pid, r->tag);
		r->image = 1;
		r->exec_sent = false;
		lc_cover(V_EXEC, NULL);
		return 0;
	case 'B':
		return fz_fail(__LINE__, "process %d (tag 0x%02x, image %d) holds a byte no handle of it may write (its report is above)",
			       r->pid, r->tag, r->image);
	default:
		return fz_fail(__LINE__, "process %d (tag 0x%02x) could not do a command: answer '%c'",
			       r->pid, r->tag, a);
	}
}

/* Its process ended (the pidfd says so). */
static void lc_ended(struct lrec *r)
{
	r->exited = true;
	r->autoreap = lc.autoreap;
	r->exit_sent = r->die_armed = r->exec_sent = false;
	r->acks = 0;
}

static int lc_send(struct lrec *r, uint8_t op, uint8_t a, uint8_t b);

/*
 * A target armed to die at its next userfault: empty its userfaultfd
 * pages, then read one, which the target's server answers by exiting
 * while our call waits on the fault.  It may have died already, in a
 * fault of an earlier call.  Either way it dies in a fault.
 */
static int lc_kill_by_fault(struct lrec *r)
{
	unsigned int p;
	uint64_t actual;
	uint8_t b;
	int h, ret;

	for (p = LC_UFFD_FIRST; r->kind[p] != LK_UFFD; p++)
		;
	if (lc_send(r, 'z', 0, 0))
		return -1;
	r->exit_sent = true;
	while (r->acks) {
		char a;

		CHECK(!lc_wait(r->rep, r->pidfd), "process %d does not answer", r->pid);
		if (!lc_readable(r->rep) || read(r->rep, &a, 1) != 1)
			break;
		if (lc_answer(r, a))
			return -1;
	}
	r->acks = 0;
	h = lc_open_raw(r->pid, ZXPROC_RIGHT_READ);
	note(" die-by-fault: open -> %s", rname(h));
	CHECK(h >= 0 || h == -ESTALE || h == -ESRCH, "PROCESS_OPEN of process %d: %s", r->pid, rname(h));
	if (h >= 0) {
		ret = zx_read(h, ptr(lc_addr(p)), &b, 1, &actual);
		lc.calls++;
		count(C_READ, ret, false);
		note(" READ of its userfaultfd page -> %s", rname(ret));
		if (check_doc(C_READ, ret, FD_HANDLE)) {
			close(h);
			return -1;
		}
		CHECK(ret || (actual == 1 && lc_byte_ok(r, 0, b)), "READ from a dying target: %s, actual %llu, byte 0x%02x",
		      rname(ret), (unsigned long long)actual, b);
		close(h);
	}
	lc_cover(V_DIED_IN_FAULT, NULL);
	return 0;
}

static int lc_info(struct lhand *h);

/* INFO on every handle to @r: after its exec or its end was confirmed. */
static int lc_info_all(struct lrec *r)
{
	int i;

	for (i = 0; i < LC_HANDLES; i++)
		if (lc.h[i].fd >= 0 && &lc.rec[lc.h[i].rec] == r && lc_info(&lc.h[i]))
			return -1;
	return 0;
}

/* Settle @r: every answer it owes, and its end if it was told to go. */
static int lc_sync(struct lrec *r)
{
	int image = r->image;

	if (!r->pid || r->exited)
		return 0;
	if (r->die_armed && !r->exit_sent && lc_kill_by_fault(r))
		return -1;
	while (r->acks) {
		char a;

		CHECK(!lc_wait(r->rep, r->pidfd), "process %d (tag 0x%02x) owes %d answers after %d s",
		      r->pid, r->tag, r->acks, LC_WAIT_MS / 1000);
		if (lc_readable(r->rep) && read(r->rep, &a, 1) == 1) {
			if (lc_answer(r, a))
				return -1;
			continue;
		}
		/* No answer left, and gone: only if it was told to go. */
		CHECK(r->exit_sent, "process %d (tag 0x%02x) ended with %d answers owed", r->pid,
		      r->tag, r->acks);
		r->acks = 0;
	}
	if (r->exit_sent) {
		CHECK(!lc_wait(r->pidfd, -1), "process %d does not end", r->pid);
		lc_ended(r);
		/* Nobody waits for it yet: a zombie, which has no address space. */
		if (!r->autoreap) {
			int h = lc_open_raw(r->pid, ZXPROC_RIGHTS_ALL);

			CHECK(h == -ESTALE, "PROCESS_OPEN of zombie %d: %s", r->pid, rname(h));
			lc_cover(V_OPEN_ZOMBIE, NULL);
		}
	}
	r->exec_sent = false;
	return r->exited || r->image != image ? lc_info_all(r) : 0;
}

static int lc_send(struct lrec *r, uint8_t op, uint8_t a, uint8_t b)
{
	uint8_t c[3] = { op, a, b };

	/* A target armed to die may be gone: the pipe then says EPIPE. */
	if (write(r->cmd, c, sizeof(c)) != sizeof(c)) {
		CHECK(r->die_armed && errno == EPIPE, "cannot send '%c' to process %d: %s", op,
		      r->pid, ename(errno));
		return 0;
	}
	if (op != 'X')
		r->acks++;
	return 0;
}

/*
 * Reap @r, which ended: wait for it, or, if the kernel reaps it (it
 * ended while SIGCHLD was ignored), open it until PROCESS_OPEN says
 * ESRCH.  Our wait returns once the process is released, so INFO on its
 * handles must then say pid 0.  The kernel's own reaping has no such
 * point: ESRCH says its thread's pid is detached, and the process's own
 * may be a moment behind (__unhash_process(), under a lock that INFO
 * does not take), so INFO's pid may still be the old number there.
 */
static int lc_reap(struct lrec *r)
{
	siginfo_t si = { 0 };
	long long t0 = zx_now_ms();
	int i, h;

	if (!r->exited || r->reaped)
		return 0;
	if (!r->autoreap) {
		CHECK(!waitid(P_PIDFD, (id_t)r->pidfd, &si, WEXITED), "waitid for process %d: %s",
		      r->pid, ename(errno));
		CHECK(si.si_code == CLD_EXITED && si.si_status == 0,
		      "process %d ended with code %d status %d", r->pid, si.si_code, si.si_status);
		r->waited = true;
	} else {
		for (;;) {
			h = lc_open_raw(r->pid, ZXPROC_RIGHT_READ);
			note(" reap-open %d -> %s", r->pid, rname(h));
			CHECK(h == -ESTALE || h == -ESRCH, "PROCESS_OPEN of process %d, which ended: %s",
			      r->pid, rname(h));
			if (h == -ESRCH)
				break;
			CHECK(zx_now_ms() - t0 < LC_WAIT_MS, "process %d is not reaped after %d s",
			      r->pid, LC_WAIT_MS / 1000);
		}
	}
	r->reaped = true;
	h = lc_open_raw(r->pid, ZXPROC_RIGHT_READ);
	CHECK(h == -ESRCH, "PROCESS_OPEN of process %d, reaped: %s", r->pid, rname(h));
	lc_cover(V_OPEN_REAPED, NULL);
	for (i = 0; i < LC_HANDLES; i++) {
		struct zxproc_info info;
		long ret;

		if (lc.h[i].fd < 0 || &lc.rec[lc.h[i].rec] != r)
			continue;
		ret = lc_ioctl(C_INFO, lc.h[i].fd, ZXPROC_IOC_INFO, &info);
		CHECK(ret == 0 && (info.pid == 0 || (!r->waited && info.pid == r->pid)) &&
		      info.flags == ZXPROC_INFO_STALE,
		      "INFO of a handle to process %d, reaped%s: %s, pid %d, flags 0x%x", r->pid,
		      r->waited ? " by our wait" : "", rname(ret), info.pid, info.flags);
		lc_cover(r->autoreap ? V_INFO_AUTOREAPED : V_INFO_WAITED, &lc.h[i]);
	}
	return 0;
}

/* Every target that is to end, ended and reaped: before a change of phase. */
static int lc_settle_ends(void)
{
	int i;

	for (i = 0; i < LC_RECS; i++) {
		struct lrec *r = &lc.rec[i];

		if (r->pid && (r->exit_sent || r->die_armed) && lc_sync(r))
			return -1;
		if (r->pid && r->exited && lc_reap(r))
			return -1;
	}
	return 0;
}

static int lc_burst(unsigned int n, unsigned int forked_pct, bool grid);

/*
 * How children are reaped from now on: by the kernel, or by waiting; and
 * a burst of dying children to open, under a timer grid.  An epoch
 * begins with a large one, reaped by the kernel: under TCG such a burst
 * met PROCESS_OPEN's race with reaping once in 10 to 40 children, so
 * LC_STORM of them leave a run next to no chance to miss it.
 */
#define LC_STORM	400
/* The debug kernel's children cost four times as much; its runs look for
 * other things (KASAN, lockdep), Debian's for this race. */
#define LC_STORM_DEBUG	200
#define LC_STORM_PHASE	40

static int lc_phase(bool first)
{
	/* Phases alternate, the first reaped by the kernel. */
	bool autoreap = first || !lc.autoreap;

	if (lc_settle_ends())
		return -1;
	lc.autoreap = autoreap;
	signal(SIGCHLD, autoreap ? SIG_IGN : SIG_DFL);
	note("phase: children reaped by %s", autoreap ? "the kernel (SIGCHLD ignored)" : "waiting");
	return lc_burst(!first ? LC_STORM_PHASE : debug_kernel() ? LC_STORM_DEBUG : LC_STORM, 10, true);
}

/* ---- steps ---- */

static void lc_hclose(struct lhand *h)
{
	if (h->fd < 0)
		return;
	close(h->fd);
	lc.rec[h->rec].handles--;
	h->fd = -1;
}

static int lc_spawn(void)
{
	int cp[2], rp[2], i, free_i = -1, live = 0;
	struct lrec *r;
	char ready[2];
	unsigned int p;
	pid_t pid;

	for (i = 0; i < LC_RECS; i++) {
		r = &lc.rec[i];
		if (r->pid && !r->exited)
			live++;
		/* A record is reused only once nothing refers to its process. */
		if (free_i < 0 && (!r->pid || (r->reaped && !r->handles)))
			free_i = i;
	}
	if (live >= LC_LIVE_MAX || free_i < 0 || lc.forks >= lc.fork_cap)
		return 0;
	r = &lc.rec[free_i];
	if (r->pid) {
		close(r->pidfd);
		close(r->cmd);
		close(r->rep);
	}
	memset(r, 0, sizeof(*r));
	r->tag = (uint8_t)(1 + free_i);
	if (pipe2(cp, O_CLOEXEC) || pipe2(rp, O_CLOEXEC))
		return fz_fail(__LINE__, "pipe: %s", ename(errno));
	pid = fork();
	if (pid < 0)
		return fz_fail(__LINE__, "fork: %s", ename(errno));
	if (pid == 0) {
		close(cp[1]);
		close(rp[0]);
		lc_target(cp[0], rp[1], r->tag);
	}
	lc.forks++;
	close(cp[0]);
	close(rp[1]);
	r->pid = pid;
	r->cmd = cp[1];
	r->rep = rp[0];
	r->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	CHECK(r->pidfd >= 0, "pidfd_open: %s", ename(errno));
	CHECK(!lc_wait(r->rep, -1) && read(r->rep, ready, 2) == 2 && ready[0] == 'R',
	      "process %d did not start", pid);
	r->uffd = ready[1] == 'U';
	for (p = 0; p < LC_PAGES; p++)
		r->kind[p] = p < LC_DATA_FIRST || p > LC_LAST ? LK_HOLE :
			     p >= LC_UFFD_FIRST && r->uffd ? LK_UFFD : LK_RW;
	note("spawn: process %d tag 0x%02x%s", pid, r->tag, r->uffd ? ", userfaultfd" : "");
	return 0;
}

/* Which records lc_pick() chooses among. */
enum lpick { PICK_LIVE, PICK_UNREAPED, PICK_ENDED };

static bool lc_pickable(const struct lrec *r, enum lpick which)
{
	if (!r->pid)
		return false;
	switch (which) {
	case PICK_LIVE: return !r->exited;
	case PICK_UNREAPED: return !r->reaped;
	default: return r->exited && !r->reaped;
	}
}

/*
 * A record, uniformly among those with a process that @which names, or
 * NULL.  The model decides which qualify, so the choice is the seed's.
 */
static struct lrec *lc_pick(enum lpick which)
{
	int i, n = 0, k;
	uint64_t x = rnd();

	for (i = 0; i < LC_RECS; i++)
		n += lc_pickable(&lc.rec[i], which);
	if (!n)
		return NULL;
	k = (int)(x % (uint64_t)n);
	for (i = 0; i < LC_RECS; i++)
		if (lc_pickable(&lc.rec[i], which) && !k--)
			return &lc.rec[i];
	return NULL;
}

/*
 * A handle slot: mostly one holding a handle minted to a settled target
 * (which slots do is the model's, so the choice is the seed's), else any.
 */
static struct lhand *lc_pick_hand(void)
{
	int i, n = 0, k;
	uint64_t x = rnd(), y = rnd();

	for (i = 0; i < LC_HANDLES; i++)
		n += lc.h[i].fd >= 0 && !lc.h[i].loose;
	if (!n || x % 100 < 20)
		return &lc.h[y % LC_HANDLES];
	k = (int)(y % (uint64_t)n);
	for (i = 0; i < LC_HANDLES; i++)
		if (lc.h[i].fd >= 0 && !lc.h[i].loose && !k--)
			return &lc.h[i];
	return NULL;
}

static bool lc_has_uffd(const struct lrec *r)
{
	unsigned int p;

	for (p = LC_UFFD_FIRST; p < LC_UFFD_FIRST + LC_UFFD_PAGES; p++)
		if (r->kind[p] == LK_UFFD)
			return true;
	return false;
}

/* A command to a target, maybe followed by its sync. */
static int lc_command(void)
{
	struct lrec *r = lc_pick(PICK_LIVE);
	unsigned int c = (unsigned int)below(100);
	uint8_t a = (uint8_t)(LC_DATA_FIRST + below(LC_LAST - LC_DATA_FIRST + 1));
	uint8_t b = (uint8_t)(LC_DATA_FIRST + below(LC_LAST - LC_DATA_FIRST + 1));
	uint8_t prot = (uint8_t)below(3);
	bool wait = pct(40), fill = pct(70);
	bool base;
	uint8_t op;

	if (!r || r->exit_sent || r->die_armed)
		return 0;
	base = r->image == 0 && !r->exec_sent;
	/* Only checks, forks and exits once an exec is under way. */
	if (!base)
		op = c < 12 ? 'x' : c < 20 ? 'X' : c < 50 ? 'f' : 'c';
	else if (c < 16)
		op = base && r->kind[a] != LK_HOLE ? 'u' : 'c';
	else if (c < 28)
		op = base ? 'm' : 'c';
	else if (c < 40)
		op = base && r->kind[a] != LK_HOLE && a != b ? 'r' : 'c';
	else if (c < 50)
		op = base && (r->kind[a] == LK_RW || r->kind[a] == LK_RO || r->kind[a] == LK_NONE) ?
		     'p' : 'c';
	else if (c < 57)
		op = base && r->uffd ? 'z' : 'c';
	else if (c < 64)
		op = 'f';
	else if (c < 70)
		op = 'c';
	else if (c < 76)
		op = base ? 'e' : 'c';
	else if (c < 82)
		op = 'x';
	else if (c < 85)
		op = 'X';
	else if (c < 91)
		op = base && lc_has_uffd(r) ? 'S' : 'c';
	else
		op = 'f';
	note("command '%c' %u %u to process %d", op, a, op == 'p' ? prot : b, r->pid);
	switch (op) {
	case 'u':
		r->kind[a] = LK_HOLE;
		lc_cover(V_UNMAP, NULL);
		break;
	case 'm':
		r->kind[a] = LK_RW;
		b = fill;
		break;
	case 'r':
		r->kind[b] = r->kind[a] == LK_UFFD ? LK_RW : r->kind[a];
		r->kind[a] = LK_HOLE;
		lc_cover(V_MOVE, NULL);
		break;
	case 'p':
		r->kind[a] = lc_prot_kind[prot];
		b = prot;
		lc_cover(V_PROTECT, NULL);
		break;
	case 'f':
		lc_cover(V_FORK, NULL);
		break;
	case 'e':
		r->exec_sent = true;
		break;
	case 'x': case 'X':
		r->exit_sent = true;
		break;
	case 'S':
		r->die_armed = true;
		break;
	}
	if (lc_send(r, op, a, b))
		return -1;
	return wait ? lc_sync(r) : 0;
}

/* An address in the window, and a length, for one range. */
static void lc_range(uint64_t *addr, uint64_t *len)
{
	unsigned int r = (unsigned int)below(100);

	*addr = LC_WIN + below(LC_PAGES) * fz.pg + gen_offset();
	if (r < 40)
		*len = 1 + below(64);
	else if (r < 80)
		*len = 1 + below(2 * fz.pg);
	else
		*len = 1 + below(LC_BUF_PAGES * fz.pg - 256);
}

/* Bytes read into lc.buf[off, off + n): of the target's tags; the rest untouched. */
static int lc_check_read(const struct lhand *h, size_t off, uint64_t n, uint64_t len)
{
	const struct lrec *r = &lc.rec[h->rec];
	size_t i;

	for (i = 0; i < n; i++)
		CHECK(lc_byte_ok(r, h->image, lc.buf[off + i]),
		      "READ of process %d (tag 0x%02x, image %d) returned byte 0x%02x at %zu",
		      r->pid, r->tag, h->image, lc.buf[off + i], i);
	for (i = n; i < len; i++)
		CHECK(lc.buf[off + i] == LC_CANARY, "READ of %llu bytes wrote byte %zu of the buffer",
		      (unsigned long long)n, i);
	return 0;
}

/* The byte a write through @h puts: its image's tag, or 0 if not known. */
static uint8_t lc_wbyte(const struct lhand *h)
{
	return h->image < 0 ? 0 : lc_tag(&lc.rec[h->rec], h->image);
}

static struct lhand *lc_pick_hand(void);

static int lc_mem(bool write)
{
	struct lhand *h = lc_pick_hand();
	uint64_t addr, len, want_n = 0, actual;
	bool all = pct(30), exact, stale;
	struct lrec *r;
	int want_err = 0;
	size_t off;
	long ret;

	lc_range(&addr, &len);
	off = below(256);
	if (!h || h->fd < 0)
		return 0;
	r = &lc.rec[h->rec];
	exact = lc_exact(h);
	stale = lc_known_stale(h);
	if ((write && !(h->rights & ZXPROC_RIGHT_WRITE)) || (!write && !(h->rights & ZXPROC_RIGHT_READ)))
		return 0;
	if (exact) {
		want_n = lc_span(r, h->image, addr, len, write, &want_err);
		exact = want_n != UINT64_MAX;
		if (all && want_n < len)
			want_n = 0;
		else if (want_n)
			want_err = 0;
	}
	memset(lc.buf, write ? lc_wbyte(h) : LC_CANARY, LC_BUF_PAGES * fz.pg);
	actual = ZX_SENTINEL;
	note("%s process %d image %d%s addr 0x%llx len %llu%s", write ? "WRITE" : "READ", r->pid,
	     h->image, exact ? " (settled)" : stale ? " (stale)" : " (pending)",
	     (unsigned long long)addr, (unsigned long long)len, all ? " all-or-nothing" : "");
	ret = zx_mem(h->fd, write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ, addr, lc.buf + off, len,
		     all ? ZXPROC_MEM_ALL_OR_NOTHING : 0, &actual);
	lc.calls++;
	count(write ? C_WRITE : C_READ, ret, ret == 0 && actual < len);
	note(" -> %s actual %lld", rname(ret), (long long)actual);
	if (check_doc(write ? C_WRITE : C_READ, ret, FD_HANDLE))
		return -1;
	CHECK(actual <= len, "actual %llu of %llu", (unsigned long long)actual, (unsigned long long)len);
	CHECK(!all || (ret ? actual == 0 : actual == len), "all or nothing: %s with actual %llu of %llu",
	      rname(ret), (unsigned long long)actual, (unsigned long long)len);
	CHECK(ret != -EINVAL && ret != -EFAULT && ret != -E2BIG && ret != -EIO,
	      "%s of valid arguments: %s", write ? "WRITE" : "READ", rname(ret));
	if (stale) {
		CHECK(ret == -ESTALE && actual == 0, "%s through a handle known stale: %s, actual %llu",
		      write ? "WRITE" : "READ", rname(ret), (unsigned long long)actual);
		lc_cover(r->exited ? V_STALE_EXIT : V_STALE_EXEC, h);
	} else if (exact) {
		CHECK(ret == -want_err && actual == want_n,
		      "%s of a settled target: %s, actual %llu; want %s, %llu", write ? "WRITE" : "READ",
		      rname(ret), (unsigned long long)actual, want_err ? ename(want_err) : "success",
		      (unsigned long long)want_n);
		if (!ret)
			lc_cover(write ? V_WRITE : V_READ, h);
		if (!ret && lc_touches_uffd(r, addr, actual) && h->image == 0)
			lc_cover(V_UFFD, h);
		if (ret == -ENOMEM)
			lc_cover(V_ENOMEM, h);
		if (ret == -EACCES)
			lc_cover(V_EACCES, h);
	}
	if (!write)
		return lc_check_read(h, off, actual, len);
	return 0;
}

/* A handle with the rights @need, mostly; else any, as lc_pick_hand(). */
static struct lhand *lc_pick_hand_with(uint32_t need)
{
	int i, n = 0, k;
	uint64_t y = rnd();

	for (i = 0; i < LC_HANDLES; i++)
		n += lc.h[i].fd >= 0 && !lc.h[i].loose && (lc.h[i].rights & need) == need;
	if (!n || pct(10))
		return lc_pick_hand();
	k = (int)(y % (uint64_t)n);
	for (i = 0; i < LC_HANDLES; i++)
		if (lc.h[i].fd >= 0 && !lc.h[i].loose && (lc.h[i].rights & need) == need && !k--)
			break;
	return &lc.h[i];
}

/*
 * A CAS of a value of the target's own tag bytes (zeros through a handle
 * whose image is not known): what it finds must be bytes the target may
 * hold, and it swaps exactly when they are the expected ones.
 */
static int lc_cas(void)
{
	const uint32_t both = ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE;
	struct lhand *h = lc_pick_hand_with(both);
	struct zxproc_cas c = { 0 };
	uint32_t i, size = 1u << below(4);
	uint64_t addr, len, pat;
	bool exact, stale;
	struct lrec *r;
	int want_err = 0;
	long ret;

	lc_range(&addr, &len);
	if (!h || h->fd < 0 || (h->rights & both) != both)
		return 0;
	r = &lc.rec[h->rec];
	exact = lc_exact(h);
	stale = lc_known_stale(h);
	pat = (0x0101010101010101ULL * lc_wbyte(h)) & cas_mask(size);
	c.addr = addr & ~(uint64_t)(size - 1);
	c.size = size;
	c.expected = pct(50) ? pat : 0;
	c.desired = pct(50) ? pat : 0;
	c.old = ZX_SENTINEL;
	c.result = 0xa5a5a5a5;
	if (exact && lc_span(r, h->image, c.addr, size, true, &want_err) == UINT64_MAX)
		exact = false;
	note("CAS process %d image %d%s addr 0x%llx size %u expected 0x%llx desired 0x%llx", r->pid,
	     h->image, exact ? " (settled)" : stale ? " (stale)" : " (pending)",
	     (unsigned long long)c.addr, size, (unsigned long long)c.expected,
	     (unsigned long long)c.desired);
	ret = lc_ioctl(C_CAS, h->fd, ZXPROC_IOC_CAS, &c);
	note(" -> %s old 0x%llx result 0x%x", rname(ret), (unsigned long long)c.old, c.result);
	if (check_doc(C_CAS, ret, FD_HANDLE))
		return -1;
	CHECK(ret != -EINVAL && ret != -EFAULT && ret != -E2BIG && ret != -EIO,
	      "CAS of valid arguments: %s", rname(ret));
	if (ret) {
		CHECK(c.old == ZX_SENTINEL && c.result == 0xa5a5a5a5,
		      "CAS failed with %s but wrote old 0x%llx result 0x%x", rname(ret),
		      (unsigned long long)c.old, c.result);
	} else {
		for (i = 0; i < size; i++)
			CHECK(lc_byte_ok(r, h->image, (uint8_t)(c.old >> (8 * i))),
			      "CAS found 0x%llx: a byte no write of ours put there",
			      (unsigned long long)c.old);
		CHECK(c.result == (c.old == c.expected ? ZXPROC_CAS_SWAPPED : 0),
		      "CAS found 0x%llx, expected 0x%llx, result 0x%x", (unsigned long long)c.old,
		      (unsigned long long)c.expected, c.result);
	}
	if (stale) {
		CHECK(ret == -ESTALE, "CAS through a handle known stale: %s", rname(ret));
		lc_cover(V_CAS_STALE, h);
	} else if (exact) {
		CHECK(ret == -want_err, "CAS of a settled target: %s, want %s", rname(ret),
		      want_err ? ename(want_err) : "success");
		if (!ret)
			lc_cover(V_CAS, h);
	}
	return 0;
}

/*
 * MAPS of the window: a settled target's pages, as its model has them
 * (protection, anonymous, holes in no mapping); ESTALE once it exec'd or
 * exited.
 */
static int lc_maps(void)
{
	struct lhand *h = lc_pick_hand_with(ZXPROC_RIGHT_INSPECT);
	struct zxproc_map e[LC_PAGES + 2];
	struct zxproc_maps q = { 0 };
	bool exact, stale;
	struct lrec *r;
	unsigned int p, i;
	long ret;

	if (!h || h->fd < 0 || !(h->rights & ZXPROC_RIGHT_INSPECT))
		return 0;
	r = &lc.rec[h->rec];
	exact = lc_exact(h);
	stale = lc_known_stale(h);
	q.addr = LC_WIN;
	q.entries = ptr(e);
	q.count = LC_PAGES + 2;
	q.entry_size = sizeof(e[0]);
	q.actual = q.avail = 0xa5a5a5a5;
	note("MAPS process %d image %d%s", r->pid, h->image,
	     exact ? " (settled)" : stale ? " (stale)" : " (pending)");
	ret = lc_ioctl(C_MAPS, h->fd, ZXPROC_IOC_MAPS, &q);
	note(" -> %s actual %u avail %u", rname(ret), q.actual, q.avail);
	if (check_doc(C_MAPS, ret, FD_HANDLE))
		return -1;
	CHECK(ret == 0 || ret == -ESTALE, "MAPS of valid arguments: %s", rname(ret));
	CHECK(q.actual <= q.count && q.actual <= q.avail, "MAPS: actual %u, avail %u, count %u",
	      q.actual, q.avail, q.count);
	if (stale) {
		CHECK(ret == -ESTALE && !q.actual && !q.avail,
		      "MAPS through a handle known stale: %s, actual %u avail %u", rname(ret),
		      q.actual, q.avail);
		lc_cover(V_MAPS_STALE, h);
		return 0;
	}
	if (!exact)
		return 0;
	CHECK(ret == 0, "MAPS of a settled target: %s", rname(ret));
	for (p = 0; p < LC_PAGES; p++) {
		uint64_t a = LC_WIN + p * fz.pg;
		enum lkind k = lc_kind(r, h->image, p);
		uint32_t want = k == LK_RW || k == LK_UFFD ? ZXPROC_MAP_READ | ZXPROC_MAP_WRITE :
				k == LK_RO ? ZXPROC_MAP_READ : 0;

		for (i = 0; i < q.actual && !(e[i].start <= a && a < e[i].end); i++)
			;
		if (k == LK_HOLE) {
			CHECK(i == q.actual, "MAPS: page %u of process %d is a hole, but 0x%llx-0x%llx holds it",
			      p, r->pid, (unsigned long long)e[i].start, (unsigned long long)e[i].end);
			continue;
		}
		CHECK(i < q.actual && e[i].flags == want && !e[i].inode && !e[i].name[0],
		      "MAPS: page %u of process %d (flags 0x%x, anonymous) is %s", p, r->pid, want,
		      i < q.actual ? "described otherwise" : "in no mapping");
	}
	lc_cover(V_MAPS, h);
	return 0;
}

static int lc_memv(bool write)
{
	struct lhand *h = lc_pick_hand();
	struct zxproc_seg s[8];
	uint8_t img[8 * 64];
	struct zxproc_memv v = { 0 };
	uint32_t nr = 1 + (uint32_t)below(8), ss = pct(70) ? sizeof(struct zxproc_seg) : 64, i;
	uint64_t want_n[8], want_err[8], sum = 0;
	bool all = pct(30), exact, stale;
	size_t off[8];
	struct lrec *r;
	long ret;

	for (i = 0; i < nr; i++) {
		uint64_t a, l;

		lc_range(&a, &l);
		s[i].addr = a;
		s[i].len = l;
		/* Each segment's part of the buffer is its own. */
		if (s[i].len > LC_BUF_PAGES * fz.pg / 8)
			s[i].len = 1 + below(LC_BUF_PAGES * fz.pg / 8);
		off[i] = i * (LC_BUF_PAGES * fz.pg / 8);
		s[i].buf = ptr(lc.buf + off[i]);
		s[i].actual = ZX_SENTINEL;
		s[i].status = (int32_t)0xa5a5a5a5;
		s[i].reserved = 0;
	}
	if (!h || h->fd < 0)
		return 0;
	r = &lc.rec[h->rec];
	exact = lc_exact(h);
	stale = lc_known_stale(h);
	if ((write && !(h->rights & ZXPROC_RIGHT_WRITE)) || (!write && !(h->rights & ZXPROC_RIGHT_READ)))
		return 0;
	for (i = 0; i < nr && exact; i++) {
		int e;

		want_n[i] = lc_span(r, h->image, s[i].addr, s[i].len, write, &e);
		exact = want_n[i] != UINT64_MAX;
		if (all && want_n[i] < s[i].len)
			want_n[i] = 0;
		else if (want_n[i])
			e = 0;
		want_err[i] = (uint64_t)e;
	}
	memset(lc.buf, write ? lc_wbyte(h) : LC_CANARY, LC_BUF_PAGES * fz.pg);
	memset(img, 0, sizeof(img));
	for (i = 0; i < nr; i++)
		memcpy(img + i * ss, &s[i], sizeof(s[i]));
	v.segs = ptr(img);
	v.nr_segs = nr;
	v.flags = all ? ZXPROC_MEM_ALL_OR_NOTHING : 0;
	v.actual = ZX_SENTINEL;
	v.done = 0xa5a5a5a5;
	v.seg_size = ss;
	note("%s process %d image %d%s nr %u seg_size %u%s", write ? "WRITEV" : "READV", r->pid,
	     h->image, exact ? " (settled)" : stale ? " (stale)" : " (pending)", nr, ss,
	     all ? " all-or-nothing" : "");
	ret = lc_ioctl(write ? C_WRITEV : C_READV, h->fd,
		       write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV, &v);
	note(" -> %s actual %lld done %u", rname(ret), (long long)v.actual, v.done);
	if (check_doc(write ? C_WRITEV : C_READV, ret, FD_HANDLE))
		return -1;
	CHECK(ret == 0 || ret == -ESTALE || ret == -EINTR, "%s of valid arguments: %s",
	      write ? "WRITEV" : "READV", rname(ret));
	CHECK(v.done <= nr && (ret || v.done == nr), "%s: %s with done %u of %u",
	      write ? "WRITEV" : "READV", rname(ret), v.done, nr);
	for (i = 0; i < nr; i++) {
		struct zxproc_seg g;

		memcpy(&g, img + i * ss, sizeof(g));
		CHECK(g.addr == s[i].addr && g.len == s[i].len && g.buf == s[i].buf && !g.reserved &&
		      zx_not_all(img + i * ss + sizeof(g), 0, ss - sizeof(g)) == -1,
		      "%s changed the input of segment %u", write ? "WRITEV" : "READV", i);
		if (i >= v.done) {
			/* All or nothing zeroes every outcome before it begins. */
			CHECK((g.actual == ZX_SENTINEL && g.status == (int32_t)0xa5a5a5a5) ||
			      (all && !g.actual && !g.status),
			      "segment %u past done %u was written: status %d actual %llu", i, v.done,
			      g.status, (unsigned long long)g.actual);
			if (!write)
				CHECK(zx_not_all(lc.buf + off[i], LC_CANARY, s[i].len) == -1,
				      "segment %u past done %u read bytes", i, v.done);
			continue;
		}
		CHECK(g.actual <= s[i].len && g.status <= 0 && g.status > -4096 &&
		      (g.status != -ESTALE || i == v.done - 1) &&
		      (!all || (g.status ? g.actual == 0 : g.actual == s[i].len)),
		      "segment %u of %u: status %d actual %llu of %llu", i, nr, g.status,
		      (unsigned long long)g.actual, (unsigned long long)s[i].len);
		if (exact)
			CHECK(g.status == -(int)want_err[i] && g.actual == want_n[i],
			      "segment %u of a settled target: status %d actual %llu; want -%s, %llu",
			      i, g.status, (unsigned long long)g.actual,
			      want_err[i] ? ename((int)want_err[i]) : "0", (unsigned long long)want_n[i]);
		if (!write && lc_check_read(h, off[i], g.actual, s[i].len))
			return -1;
		sum += g.actual;
	}
	CHECK(v.actual == sum, "%s: actual %llu, the segments' add to %llu", write ? "WRITEV" : "READV",
	      (unsigned long long)v.actual, (unsigned long long)sum);
	if (stale) {
		CHECK(ret == -ESTALE && v.actual == 0 && v.done <= 1,
		      "%s through a handle known stale: %s, actual %llu, done %u",
		      write ? "WRITEV" : "READV", rname(ret), (unsigned long long)v.actual, v.done);
		lc_cover(r->exited ? V_STALE_EXIT : V_STALE_EXEC, h);
	} else if (exact) {
		CHECK(ret == 0, "%s of a settled target: %s", write ? "WRITEV" : "READV", rname(ret));
		lc_cover(write ? V_WRITEV : V_READV, h);
		for (i = 0; i < nr && h->image == 0; i++)
			if (lc_touches_uffd(r, s[i].addr, want_n[i]))
				lc_cover(V_UFFD, h);
	}
	return 0;
}

/* INFO on a handle: what the model says, exactly when it is settled. */
static int lc_info(struct lhand *h)
{
	struct lrec *r = &lc.rec[h->rec];
	struct zxproc_info info;
	long ret;

	ret = lc_ioctl(C_INFO, h->fd, ZXPROC_IOC_INFO, &info);
	note(" INFO of process %d -> %s pid %d flags 0x%x", r->pid, rname(ret), info.pid, info.flags);
	CHECK(ret == 0 && info.rights == h->rights && info.type == ZXPROC_OBJ_TYPE_PROCESS &&
	      (info.pid == r->pid || info.pid == 0) && !(info.flags & ~ZXPROC_INFO_STALE) &&
	      (info.pid || info.flags == ZXPROC_INFO_STALE),
	      "INFO of a handle to process %d: %s {rights 0x%x, type %u, pid %d, flags 0x%x}",
	      r->pid, rname(ret), info.rights, info.type, info.pid, info.flags);
	if (r->waited)
		CHECK(info.pid == 0, "INFO of a handle to process %d, waited for: pid %d", r->pid, info.pid);
	if (r->reaped)
		lc_cover(r->waited ? V_INFO_WAITED : V_INFO_AUTOREAPED, h);
	if (lc_known_stale(h))
		CHECK(info.flags == ZXPROC_INFO_STALE, "INFO of a stale handle to process %d: flags 0x%x",
		      r->pid, info.flags);
	if (lc_exact(h))
		CHECK(info.pid == r->pid && !info.flags, "INFO of a handle to live process %d: pid %d flags 0x%x",
		      r->pid, info.pid, info.flags);
	if (lc_settled(r) && !r->exited && h->image >= 0 && r->image > h->image) {
		CHECK(info.pid == r->pid, "INFO of a handle to process %d, which exec'd: pid %d",
		      r->pid, info.pid);
		lc_cover(V_INFO_EXEC, h);
	}
	return 0;
}

/* PROCESS_OPEN of a record's process, into handle slot @h. */
static int lc_open(void)
{
	struct lrec *r = pct(85) ? lc_pick(PICK_UNREAPED) : &lc.rec[below(LC_RECS)];
	struct lhand *h = &lc.h[below(LC_HANDLES)];
	uint32_t rights = (uint32_t)rnd() & ZXPROC_RIGHTS_ALL;
	bool settled;

	if (pct(80))
		rights |= ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE;
	int fd;

	if (!r || !r->pid)
		return 0;
	settled = lc_settled(r);
	lc_hclose(h);
	note("PROCESS_OPEN of process %d rights 0x%x%s", r->pid, rights,
	     r->reaped ? " (reaped)" : r->exited ? " (ended)" : settled ? " (settled)" : " (pending)");
	fd = lc_open_raw(r->pid, rights);
	note(" -> %s", rname(fd));
	if (r->reaped) {
		CHECK(fd == -ESRCH, "PROCESS_OPEN of reaped process %d: %s, want ESRCH", r->pid, rname(fd));
		lc_cover(V_OPEN_REAPED, NULL);
	} else if (r->exited) {
		CHECK(fd == -ESTALE || (r->autoreap && fd == -ESRCH),
		      "PROCESS_OPEN of process %d, which ended: %s", r->pid, rname(fd));
		if (!r->autoreap)
			lc_cover(V_OPEN_ZOMBIE, NULL);
	} else if (settled) {
		CHECK(fd >= 0, "PROCESS_OPEN of live process %d: %s", r->pid, rname(fd));
	} else {
		CHECK(fd >= 0 || fd == -ESTALE || fd == -ESRCH, "PROCESS_OPEN of process %d: %s",
		      r->pid, rname(fd));
	}
	if (fd < 0)
		return 0;
	h->fd = fd;
	h->rec = (int)(r - lc.rec);
	h->image = r->exec_sent ? -1 : r->image;
	h->rights = rights;
	h->loose = !settled;
	r->handles++;
	return lc_info(h);
}

static int lc_dup(void)
{
	struct lhand *s = &lc.h[below(LC_HANDLES)], *d = &lc.h[below(LC_HANDLES)];
	struct zxproc_dup dp = { .rights = ZXPROC_RIGHT_SAME_RIGHTS };
	long fd;

	if (s->fd < 0 || s == d)
		return 0;
	lc_hclose(d);
	dp.flags = s->rights & ZXPROC_RIGHT_DUPLICATE ? 0 : ZXPROC_DUP_REPLACE;
	fd = lc_ioctl(C_DUP, s->fd, ZXPROC_IOC_DUPLICATE, &dp);
	note("DUPLICATE -> %s", rname(fd));
	CHECK(fd >= 0, "DUPLICATE of a handle to process %d: %s", lc.rec[s->rec].pid, rname(fd));
	*d = *s;
	d->fd = (int)fd;
	lc.rec[d->rec].handles++;
	return lc_info(d);
}

/* The reaper of a burst: waits for each child it is given. */
static void *lc_reaper(void *unused)
{
	pid_t pid;

	(void)unused;
	while (read(lc.reaper[0], &pid, sizeof(pid)) == sizeof(pid) && pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	return NULL;
}

/* A child sharing our memory (CLONE_VM): cheap to make; it only exits. */
static char lc_kid_stack[1 << 16] __attribute__((aligned(16)));

/*
 * The timer grid of a burst: LC_TIMERS POSIX timers on the opener's CPU,
 * all expiring together every LC_GRID_NS.  Their signal is ignored, so
 * the kernel re-arms them in the interrupt (posix_timer_fn()) and
 * delivers nothing: each grid point holds the opener's CPU in one long
 * timer interrupt, wherever the opener was.
 */
#define LC_TIMERS	3000
#define LC_TIMERS_DEBUG	600	/* each of its interrupts is slower */
#define LC_GRID_NS	5000000LL
#define LC_KEEP		256	/* handles kept per child, for INFO after */

/* Where a burst's children run, and until when they wait. */
static cpu_set_t lc_kid_cpu;
static bool lc_kid_pin;
static struct timespec lc_kid_until;
static long long lc_grid0;	/* a grid point, in ns of CLOCK_MONOTONIC */
static timer_t lc_timers[LC_TIMERS];
static int lc_ntimers;
static int lc_kept[LC_KEEP];

static long long lc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * A burst's child: on the other CPU, it waits for the next grid point
 * and exits then, while the opener's CPU is held in the timer interrupt
 * at a random point of the opener's loop.  Raw system calls only: a
 * CLONE_VM child shares our TLS (errno).
 */
static int lc_kid(void *unused)
{
	(void)unused;
	if (lc_kid_pin)
		syscall(SYS_sched_setaffinity, 0, sizeof(lc_kid_cpu), &lc_kid_cpu);
	syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &lc_kid_until, NULL);
	return 0;	/* clone()'s code calls exit */
}

static int lc_grid_start(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGURG };
	struct itimerspec its = { .it_interval.tv_nsec = LC_GRID_NS };
	int n = debug_kernel() ? LC_TIMERS_DEBUG : LC_TIMERS;

	signal(SIGURG, SIG_IGN);
	lc_grid0 = (lc_now_ns() / LC_GRID_NS + 2) * LC_GRID_NS;
	its.it_value.tv_sec = lc_grid0 / 1000000000LL;
	its.it_value.tv_nsec = lc_grid0 % 1000000000LL;
	for (lc_ntimers = 0; lc_ntimers < n; lc_ntimers++) {
		CHECK(!timer_create(CLOCK_MONOTONIC, &sev, &lc_timers[lc_ntimers]),
		      "timer_create: %s", ename(errno));
		CHECK(!timer_settime(lc_timers[lc_ntimers], TIMER_ABSTIME, &its, NULL),
		      "timer_settime: %s", ename(errno));
	}
	return 0;
}

static void lc_grid_stop(void)
{
	while (lc_ntimers)
		timer_delete(lc_timers[--lc_ntimers]);
	signal(SIGURG, SIG_DFL);
}

static int lc_burst_kids(unsigned int n, unsigned int forked_pct, uint32_t rights);

/*
 * @n children that exit soon, each opened as fast as possible until it
 * is gone, then INFO on each handle: PROCESS_OPEN's rights check races
 * with the child's exit and its reaping.  That race needs the opener to
 * stall inside the check while the child exits and is reaped, which
 * under TCG happened about once in a thousand children when the host
 * was idle (more often when the host descheduled the opener's virtual
 * CPU).  So the opener stays on one CPU, under the timer grid
 * (lc_grid_start()), and each child runs on another, where it exits at
 * the next grid point: then about one child in 30 met the race on an
 * idle host.  Keeping the handles open until the child is gone leaves
 * the loop little more than the checks.  Most children share our memory
 * and descriptors (CLONE_VM, CLONE_FILES: made in a fraction of a fork's
 * time, and quick to exit); the others are forked.  We are not dumpable
 * for the burst, nor is half of the forked children: the rights check
 * then also looks at the address space's namespace (and takes longer).
 * One stack serves every CLONE_VM child in turn: the next is made only
 * once PROCESS_OPEN says the last has left its memory.
 */
static int lc_burst(unsigned int n, unsigned int forked_pct, bool grid)
{
	uint32_t rights = ZXPROC_RIGHT_READ | ((uint32_t)rnd() & ZXPROC_RIGHTS_ALL);
	cpu_set_t all, mine;
	pthread_t th;
	pid_t end = -1;
	int cpu, c, ret = 0;

	if (lc.forks + n >= lc.fork_cap)
		return 0;
	/* Two CPUs of ours, if we have two: this one, and another. */
	CHECK(!sched_getaffinity(0, sizeof(all), &all), "sched_getaffinity: %s", ename(errno));
	cpu = sched_getcpu();
	CPU_ZERO(&mine);
	CPU_ZERO(&lc_kid_cpu);
	CPU_SET(cpu, &mine);
	for (c = 0; c < CPU_SETSIZE && !CPU_COUNT(&lc_kid_cpu); c++)
		if (c != cpu && CPU_ISSET(c, &all))
			CPU_SET(c, &lc_kid_cpu);
	lc_kid_pin = CPU_COUNT(&lc_kid_cpu) == 1;
	if (lc_kid_pin)
		CHECK(!sched_setaffinity(0, sizeof(mine), &mine), "sched_setaffinity: %s", ename(errno));
	CHECK(!prctl(PR_SET_DUMPABLE, 0), "PR_SET_DUMPABLE: %s", ename(errno));
	if (!lc.autoreap) {
		CHECK(!pipe2(lc.reaper, O_CLOEXEC) && !pthread_create(&th, NULL, lc_reaper, NULL),
		      "cannot start the reaper");
		if (lc_kid_pin)
			pthread_setaffinity_np(th, sizeof(lc_kid_cpu), &lc_kid_cpu);
	}
	note("burst of %u, reaped by %s", n, lc.autoreap ? "the kernel" : "a waiting thread");
	ret = grid ? lc_grid_start() : 0;
	if (!ret)
		ret = lc_burst_kids(n, forked_pct, rights);
	lc_grid_stop();
	if (!lc.autoreap) {
		if (write(lc.reaper[1], &end, sizeof(end)) != sizeof(end) && !ret)
			ret = fz_fail(__LINE__, "reaper pipe");
		pthread_join(th, NULL);
		close(lc.reaper[0]);
		close(lc.reaper[1]);
	}
	if (prctl(PR_SET_DUMPABLE, 1) && !ret)
		ret = fz_fail(__LINE__, "PR_SET_DUMPABLE: %s", ename(errno));
	if (lc_kid_pin && sched_setaffinity(0, sizeof(all), &all) && !ret)
		ret = fz_fail(__LINE__, "sched_setaffinity: %s", ename(errno));
	if (!ret)
		lc_cover(lc.autoreap ? V_BURST_AUTOREAP : V_BURST_WAITED, NULL);
	return ret;
}

/* INFO on a handle to burst child @pid, which may be dying or gone. */
static int lc_burst_info(int fd, pid_t pid, uint32_t rights, int gone)
{
	struct zxproc_info info;
	long ret = lc_ioctl(C_INFO, fd, ZXPROC_IOC_INFO, &info);

	/*
	 * Once PROCESS_OPEN said it was gone (@gone: ESTALE, or ESRCH: being
	 * reaped), it is stale; its pid may still show a moment (lc_reap()).
	 */
	CHECK(ret == 0 && info.rights == rights && info.type == ZXPROC_OBJ_TYPE_PROCESS &&
	      (info.pid == pid || info.pid == 0) && !(info.flags & ~ZXPROC_INFO_STALE) &&
	      (info.pid || info.flags == ZXPROC_INFO_STALE) && (!gone || info.flags),
	      "INFO of a handle to child %d%s%s: %s {rights 0x%x, type %u, pid %d, flags 0x%x}",
	      pid, gone ? ", after PROCESS_OPEN said " : "", gone ? ename(gone) : "", rname(ret),
	      info.rights, info.type, info.pid, info.flags);
	return 0;
}

static int lc_burst_kids(unsigned int n, unsigned int forked_pct, uint32_t rights)
{
	unsigned int k;

	for (k = 0; k < n; k++) {
		unsigned int kind = (unsigned int)below(100);
		int fd, tries = 0, nkept = 0, i;
		long long next;
		pid_t pid;

		lc_step_ms = zx_now_ms();
		/* The next grid point at least a millisecond away (a grid or not). */
		if (!lc_ntimers)
			lc_grid0 = lc_now_ns();
		next = lc_grid0 + ((lc_now_ns() + 1000000LL - lc_grid0) / LC_GRID_NS + 1) * LC_GRID_NS;
		lc_kid_until.tv_sec = next / 1000000000LL;
		lc_kid_until.tv_nsec = next % 1000000000LL;
		if (kind >= forked_pct) {
			pid = clone(lc_kid, lc_kid_stack + sizeof(lc_kid_stack),
				    CLONE_VM | CLONE_FILES | CLONE_FS | SIGCHLD, NULL);
		} else if ((pid = fork()) == 0) {
			prctl(PR_SET_DUMPABLE, kind % 2 ? 0 : 1);
			_exit(lc_kid(NULL));
		}
		CHECK(pid > 0, "fork: %s", ename(errno));
		lc.forks++;
		lc.burst_children++;
		if (!lc.autoreap)
			CHECK(write(lc.reaper[1], &pid, sizeof(pid)) == sizeof(pid), "reaper pipe");
		for (;;) {
			fd = lc_open_raw(pid, rights);
			if (fd < 0)
				break;
			if (nkept < LC_KEEP) {
				lc_kept[nkept++] = fd;
			} else {
				if (lc_burst_info(fd, pid, rights, 0))
					return -1;
				close(fd);
			}
			CHECK(++tries < 1000000, "child %d does not die", pid);
		}
		CHECK(fd == -ESTALE || fd == -ESRCH, "PROCESS_OPEN of dying child %d: %s", pid, rname(fd));
		for (i = 0; i < nkept; i++) {
			if (lc_burst_info(lc_kept[i], pid, rights, -fd))
				return -1;
			close(lc_kept[i]);
		}
	}
	return 0;
}

/* The end of an epoch: every target checked and gone, every handle closed. */
static int lc_finish(void)
{
	int i;

	for (i = 0; i < LC_HANDLES; i++)
		lc_hclose(&lc.h[i]);
	for (i = 0; i < LC_RECS; i++) {
		struct lrec *r = &lc.rec[i];

		if (!r->pid)
			continue;
		if (!r->exited && !r->exit_sent && !r->die_armed) {
			if (lc_send(r, 'x', 0, 0))
				return -1;
			r->exit_sent = true;
		}
		if (lc_sync(r) || lc_reap(r))
			return -1;
		close(r->pidfd);
		close(r->cmd);
		close(r->rep);
		r->pid = 0;
	}
	return 0;
}

/*
 * A step that never ends is a hang: a call that waits for ever (on a
 * target's page fault no one will serve) or a target that never answers.
 * No step takes LC_STALL_MS; past that, say where we are and end the
 * epoch (exit_group() takes even a thread waiting in a fault along).
 * A bound against hanging, not the proof of anything.
 */
#define LC_STALL_MS	90000

/*
 * Has our main thread died while we live on?  A kernel oops kills only
 * the thread in the faulting call; our group leader then waits as a
 * zombie ('Z') for this thread.
 */
static bool lc_main_died(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	bool dead = false;

	while (d && (e = readdir(d)) && !dead) {
		char path[300], buf[256], *p;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
		if (zx_read_file(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')')))
			dead = p[1] == ' ' && p[2] == 'Z';
	}
	if (d)
		closedir(d);
	return dead;
}

static void *lc_watchdog(void *unused)
{
	(void)unused;
	for (;;) {
		sleep(1);
		if (lc_main_died()) {
			fz_fail(__LINE__, "the fuzzing thread died in step %llu (killed by a kernel oops in its call? see the kernel's log)",
				(unsigned long long)fz.op);
			_exit(1);
		}
		if (zx_now_ms() - lc_step_ms > LC_STALL_MS) {
			fz_fail(__LINE__, "step %llu has not ended in %d s: a call or a target hangs",
				(unsigned long long)fz.op, LC_STALL_MS / 1000);
			_exit(1);
		}
	}
	return NULL;
}

/*
 * One epoch, as pid 1 of a new pid namespace: steps from @from on, until
 * @to, the time budget, or the fork cap.  Writes its counts to @out.
 */
struct lc_result {
	uint64_t steps, calls, forks, burst_children, rng;
	unsigned int cov[NLCOV], cov_at_min[NLCOV];
	bool covered, stopped, failed;
	unsigned int counts[NCMDS][NOUT];
};

static int lc_epoch(uint64_t from, uint64_t to, long long deadline, struct lc_result *res)
{
	pthread_t wd;
	long long t0;
	int i, fds0, ret = 0;
	char buf[32];

	memset(&lc, 0, sizeof(lc));
	for (i = 0; i < LC_HANDLES; i++)
		lc.h[i].fd = -1;
	lc.buf = mmap(NULL, LC_BUF_PAGES * fz.pg, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (lc.buf == MAP_FAILED)
		return fz_fail(__LINE__, "mmap: %s", ename(errno));
	/* Well short of pid_max, so that no number serves twice. */
	lc.fork_cap = zx_read_file("/proc/sys/kernel/pid_max", buf, sizeof(buf)) > 0 ?
		      strtoull(buf, NULL, 10) - 1000 : 31000;
	lc_step_ms = zx_now_ms();
	if (pthread_create(&wd, NULL, lc_watchdog, NULL))
		return fz_fail(__LINE__, "cannot start the watchdog");
	fds0 = zx_count_fds();
	lc.steps = from;
	/* As pid 1 of its namespace it would not die of SIGPIPE anyway. */
	signal(SIGPIPE, SIG_IGN);
	t0 = zx_now_ms();
	if (lc_phase(true))
		return -1;
	fprintf(stderr, "# lifecycle: the opening burst, %d children, took %lld ms\n",
		debug_kernel() ? LC_STORM_DEBUG : LC_STORM, zx_now_ms() - t0);
	for (; lc.steps < to; lc.steps++) {
		unsigned int r = (unsigned int)below(100);

		fz.op = lc.steps + 1;
		lc_step_ms = zx_now_ms();
		fz.ring[fz.op % RING][0] = '\0';
		note("#%llu ", (unsigned long long)fz.op);
		if (lc.steps % LC_PHASE == LC_PHASE - 1)
			ret = lc_phase(false);
		else if (r < 6)
			ret = lc_spawn();
		else if (r < 24)
			ret = lc_command();
		else if (r < 30) {
			struct lrec *t = lc_pick(PICK_LIVE);

			ret = t ? lc_sync(t) : 0;
		} else if (r < 34) {
			struct lrec *t = lc_pick(PICK_ENDED);

			ret = t ? lc_reap(t) : 0;
		} else if (r < 44)
			ret = lc_open();
		else if (r < 48) {
			struct lhand *h = lc_pick_hand();

			ret = h && h->fd >= 0 ? lc_info(h) : 0;
		} else if (r < 72)
			ret = lc_mem(pct(50));
		else if (r < 75)
			ret = lc_cas();
		else if (r < 78)
			ret = lc_maps();
		else if (r < 91)
			ret = lc_memv(pct(50));
		else if (r < 94)
			ret = lc_dup();
		else if (r < 97)
			lc_hclose(&lc.h[below(LC_HANDLES)]);
		else
			ret = lc_burst(2 + (unsigned int)below(5), 50, false);
		if (ret)
			break;
		if (lc.steps + 1 == fz.min) {
			memcpy(lc.cov_at_min, lc.cov, sizeof(lc.cov));
			lc.covered = true;
		}
		if (zx_now_ms() > deadline) {
			res->stopped = true;
			lc.steps++;
			break;
		}
		if (lc.forks + 16 >= lc.fork_cap) {
			lc.steps++;
			break;
		}
	}
	if (!ret)
		ret = lc_finish();
	if (!ret && zx_count_fds() != fds0)
		ret = fz_fail(__LINE__, "descriptors: %d before, %d after", fds0, zx_count_fds());
	res->steps = lc.steps;
	res->calls = lc.calls;
	res->forks = lc.forks;
	res->burst_children = lc.burst_children;
	memcpy(res->cov, lc.cov, sizeof(lc.cov));
	memcpy(res->cov_at_min, lc.cov_at_min, sizeof(lc.cov));
	res->covered = lc.covered;
	memcpy(res->counts, fz.counts, sizeof(fz.counts));
	res->rng = rng;
	res->failed = ret != 0;
	return ret;
}

/*
 * The lifecycle test: epochs, each in a new pid namespace (a helper
 * unshares it; its child is the namespace's pid 1), until the steps or
 * the time budget run out.  Returns 0, or a failed step for the message.
 */
static int run_lifecycle(char *msg, size_t msglen)
{
	static const struct mode lmode = { "lifecycle", false, W_ROOT, DEV_ROOT };
	struct lc_result tot = { 0 }, res;
	long long t0 = zx_now_ms(), deadline;
	uint64_t to;
	size_t i;
	int c;

	fz.mode = &lmode;
	fz.pg = zx_page();
	rng = test_seed(lmode.name);
	fz.seed = rng;
	fz.iters = env_num("ZXPROC_FUZZ_LC_STEPS", soak ? LC_SOAK_STEPS :
			   debug_kernel() ? LC_DEBUG_STEPS : LC_DEFAULT_STEPS);
	fz.min = env_num("ZXPROC_FUZZ_LC_MIN", LC_MIN_STEPS);
	fz.budget_ms = time_budget_ms();
	deadline = t0 + fz.budget_ms;
	fz.priv = true;
	if (fz.iters < fz.min)
		return snprintf(msg, msglen, "ZXPROC_FUZZ_LC_STEPS=%llu is below the minimum %llu (ZXPROC_FUZZ_LC_MIN)",
				(unsigned long long)fz.iters, (unsigned long long)fz.min), 1;
	fz.host_force = read_force(FZ_PARAMS "host_force_override");
	fz.param_force = read_force(FZ_PARAMS "force_override");
	lc_force_unknown = fz.host_force == NFORCE || fz.param_force == NFORCE;
	fz.tracing = false;
	if (!lc_force_unknown)
		force_update();
	fprintf(stderr, "# lifecycle: seed 0x%llx (ZXPROC_FUZZ_SEED=0x%llx%s), %llu steps (at least %llu, %lld s at most), %sforced\n",
		(unsigned long long)fz.seed, (unsigned long long)base_seed,
		soak ? ", random: ZXPROC_SOAK" : base_seed == FZ_DEFAULT_SEED ? ", the default" : "",
		(unsigned long long)fz.iters, (unsigned long long)fz.min, fz.budget_ms / 1000,
		lc_force_unknown ? "perhaps " : fz.force ? "" : "not ");
	for (to = 0; tot.steps < fz.iters && !tot.stopped;) {
		int p[2], status;
		pid_t helper;

		if (pipe2(p, O_CLOEXEC))
			return snprintf(msg, msglen, "pipe: %s", ename(errno)), 3;
		helper = zx_fork_tied();
		if (helper == 0) {
			pid_t init;

			close(p[0]);
			if (unshare(CLONE_NEWPID)) {
				fprintf(stderr, "# lifecycle: unshare(CLONE_NEWPID): %s\n", ename(errno));
				_exit(1);
			}
			/* Not zx_fork_tied(): its parent is outside, getppid() says 0. */
			init = fork();
			if (init == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				memset(&res, 0, sizeof(res));
				fz.dev = zx_dev();
				if (fz.dev < 0) {
					fprintf(stderr, "# lifecycle: cannot open %s\n", ZX_DEV_PATH);
					_exit(1);
				}
				lc_epoch(tot.steps, fz.iters, deadline, &res);
				_exit(write(p[1], &res, sizeof(res)) == sizeof(res) && !res.failed ? 0 : 1);
			}
			while (waitpid(init, &status, 0) < 0 && errno == EINTR)
				;
			if (WIFSIGNALED(status))
				fprintf(stderr, "# lifecycle: the namespace's pid 1 was killed by signal %d%s\n",
					WTERMSIG(status), WTERMSIG(status) == SIGKILL ?
					" (by a kernel oops in one of its calls? see the kernel's log)" : "");
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 2);
		}
		close(p[1]);
		memset(&res, 0, sizeof(res));
		if (read(p[0], &res, sizeof(res)) != sizeof(res))
			res.failed = true;
		close(p[0]);
		while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
			;
		if (res.failed || !WIFEXITED(status) || WEXITSTATUS(status))
			return snprintf(msg, msglen, "the lifecycle fuzzer failed%s (its report is above)",
					res.steps ? "" : ", or died"), 4;
		/* The first epoch holds the first fz.min steps (the fork cap is far). */
		if (!tot.steps) {
			memcpy(tot.cov_at_min, res.cov_at_min, sizeof(res.cov_at_min));
			tot.covered = res.covered;
		}
		for (i = 0; i < NLCOV; i++)
			tot.cov[i] += res.cov[i];
		for (c = 0; c < NCMDS; c++)
			for (i = 0; i < NOUT; i++)
				tot.counts[c][i] += res.counts[c][i];
		tot.calls += res.calls;
		tot.forks += res.forks;
		tot.burst_children += res.burst_children;
		if (res.steps <= tot.steps)
			return snprintf(msg, msglen, "an epoch made no progress"), 5;
		tot.steps = res.steps;
		tot.stopped = res.stopped;
		rng = res.rng;	/* the next epoch goes on with the sequence */
		to++;
	}
	memcpy(fz.counts, tot.counts, sizeof(fz.counts));
	fz.op = fz.iters = tot.steps;
	fz.t0 = t0;
	summary("steps");
	fprintf(stderr, "#   %llu ioctls in %llu steps, %llu epochs, %llu processes forked, %llu in bursts%s\n",
		(unsigned long long)tot.calls, (unsigned long long)tot.steps, (unsigned long long)to,
		(unsigned long long)tot.forks, (unsigned long long)tot.burst_children,
		tot.stopped ? "; stopped by the time budget (ZXPROC_FUZZ_SECONDS)" : "");
	for (i = 0; i < NLCOV; i++)
		fprintf(stderr, "#   %-46s %u (%u in the first %llu steps)\n", lcov_name[i], tot.cov[i],
			tot.cov_at_min[i], (unsigned long long)fz.min);
	if (lc_force_unknown)
		return snprintf(msg, msglen, "cannot read " FZ_PARAMS "host_force_override and force_override"), 8;
	if (!tot.covered)
		return snprintf(msg, msglen, "only %llu steps ran, fewer than the minimum of %llu: the kernel is too slow for ZXPROC_FUZZ_SECONDS=%lld",
				(unsigned long long)tot.steps, (unsigned long long)fz.min,
				fz.budget_ms / 1000), 6;
	for (i = 0; i < NLCOV; i++) {
		/* Not forced, a page is never refused: nothing to cover. */
		if (i == V_EACCES && fz.force)
			continue;
		if (!tot.cov_at_min[i])
			return snprintf(msg, msglen, "coverage: no %s in the first %llu steps",
					lcov_name[i], (unsigned long long)fz.min), 7;
	}
	return 0;
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
		fz.set_force = true;
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
	/* Serve the target's /proc/PID/mem, pagemap and maps, which only
	 * root may open. */
	{
		static const char *const what[] = { "mem", "pagemap", "maps" };
		pid_t t;
		int pfd;

		if (read(sv[0], &t, sizeof(t)) == sizeof(t)) {
			for (i = 0; i < sizeof(what) / sizeof(what[0]); i++) {
				pfd = open_target_proc(t, what[i]);
				if (pfd < 0)
					break;
				zx_send_fd(sv[0], pfd);
				close(pfd);
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

TEST_F_TIMEOUT(fuzz, lifecycle, 280)
{
	int r;

	if (access(ZX_DEV_PATH, F_OK))
		SKIP(return, "%s is missing: is zxproc.ko loaded?", ZX_DEV_PATH);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	if (getenv("ZXPROC_FUZZ_ONLY") && *getenv("ZXPROC_FUZZ_ONLY") &&
	    strcmp(getenv("ZXPROC_FUZZ_ONLY"), "lifecycle"))
		SKIP(return, "ZXPROC_FUZZ_ONLY=%s", getenv("ZXPROC_FUZZ_ONLY"));
	r = run_lifecycle(self->msg, sizeof(self->msg));
	ASSERT_EQ(0, r) TH_LOG("%s", self->msg);
}

/* A soak run's tests take longer than the harness's limit says above. */
static void __attribute__((constructor(200))) soak_timeouts(void)
{
	struct __test_metadata *const t[] = {
		&_fuzz_root_object, &_fuzz_nobody_kept_device_object,
		&_fuzz_nobody_own_device_object, &_fuzz_root_unpriv_device_object,
		&_fuzz_root_noptrace_object, &_fuzz_lifecycle_object,
	};
	size_t i;

	if (!env_num("ZXPROC_SOAK", 0))
		return;
	soak = true;	/* seed_once() may come later */
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		t[i]->timeout = (int)(time_budget_ms() / 1000) + 120;
}

TEST_HARNESS_MAIN

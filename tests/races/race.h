/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the race suites (tests/races/NAME_test.c, and the race tests of
 * tests/module, tests/lifetime and tests/userlib) share.
 *
 * Forced interleavings.  A race test says which interleavings it covers
 * and forces each one: it holds one side at a known point, makes the
 * other side do its part, then lets the first go on, and asserts the
 * safety property of that interleaving.  Nothing is left to timing:
 *
 *  - userfaultfd stalls.  A page registered with a userfaultfd (MISSING)
 *    and not yet present holds whoever touches it until the test serves
 *    it, and the test learns the moment: it reads the fault event.  A
 *    stalled page in the caller's own buffer holds a zxproc call after
 *    its arguments were copied in and its handle checked, and (for a
 *    copy) after the bytes before that page were copied, with no target
 *    page pinned (module/copy.c faults the caller's buffer in only after
 *    unpinning).  A stalled page of the target holds the call inside
 *    pin_user_pages_remote(), after the target check, with the target's
 *    mmap_lock dropped (module/pin.c).  uf_stall_*(), uf_new_missing()
 *    and uf_wait() (tests/races/uffd.h, the one userfaultfd toolkit), and
 *    ASSERT_HELD() below.
 *  - Pipes and sockets as barriers (race_target_*()): the other side
 *    acts on a command and says when it is done.
 *  - Close-on-exec descriptors: EOF on a pipe whose write end only the
 *    target holds, close-on-exec, says its exec is past the switch of
 *    address spaces (the kernel closes those descriptors after it).
 *  - seccomp user notification and ns_last_pid (tests/userlib/pidfd_test).
 *
 * Waits have no time limit of their own (uf_wait()): a side that never
 * gets to its point hangs the test until the harness's timeout, which is
 * the only bound, and never the proof.  A wait also watches the other
 * side's completion, so a call that returns without stalling fails at
 * once, with a message.
 *
 * Soak.  The random sweeps these suites used to rely on (at least
 * 10,000 iterations each, "both outcomes happened") are kept as stress
 * tests whose names start with "soak_".  They are registered only when
 * ZXPROC_SOAK=1 (make soak): without it they are not part of the suite
 * at all, neither run nor reported, so they count as neither passed nor
 * skipped.  Nothing the normal suite claims depends on them.  End a
 * suite with RACE_HARNESS_MAIN instead of TEST_HARNESS_MAIN.
 *
 * Payload slots (used by the sweeps): a byte that lands where it must
 * not is only visible if every byte can be traced back to the write that
 * stored it.  Each write stores whole 64-byte slots carrying its
 * sequence number and a checksum, so a checker can tell "zero (never
 * written)", "written by write k" and "garbage" apart.
 *
 * The raw interface helpers (zx_*) come from tests/module/helpers.h, so
 * the two families of suites speak to the module the same way.
 */
#ifndef ZXPROC_TESTS_RACES_RACE_H
#define ZXPROC_TESTS_RACES_RACE_H

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "../module/helpers.h"
#include "uffd.h"
#include "kselftest_harness.h"

/* ---- the soak switch ---------------------------------------------------- */

/* Is this a soak run (ZXPROC_SOAK=1, make soak)? */
static inline bool race_soak(void)
{
	const char *s = getenv("ZXPROC_SOAK");

	return s && !strcmp(s, "1");
}

/*
 * TEST_HARNESS_MAIN, but tests named soak_* are taken off the harness's
 * lists first unless race_soak(): not run, not counted, not in the plan.
 * (The list is the harness's own: next is NULL-terminated, prev of the
 * head points at the tail.)
 */
#define RACE_HARNESS_MAIN \
	static void __attribute__((constructor)) \
	__constructor_order_last(void) \
	{ \
		if (!__constructor_order) \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	} \
	static void race_unlink(struct __fixture_metadata *f, \
				struct __test_metadata *t) \
	{ \
		if (t == f->tests) { \
			f->tests = t->next; \
			if (f->tests) \
				f->tests->prev = t->prev; \
		} else { \
			t->prev->next = t->next; \
			if (t->next) \
				t->next->prev = t->prev; \
			else \
				f->tests->prev = t->prev; \
		} \
	} \
	int main(int argc, char **argv) \
	{ \
		struct __fixture_metadata *f; \
		struct __test_metadata *t, *next; \
		\
		for (f = __fixture_list; f && !race_soak(); f = f->next) \
			for (t = f->tests; t; t = next) { \
				next = t->next; \
				if (!strncmp(t->name, "soak_", 5)) \
					race_unlink(f, t); \
			} \
		return RACE_HARNESS_RUN(argc, argv); \
	}

/* The harness's runner: the project's wrapper's, when it is the one in use. */
#ifdef ZXPROC_KSELFTEST_HARNESS_H
#define RACE_HARNESS_RUN zxproc_harness_run
#else
#define RACE_HARNESS_RUN test_harness_run
#endif

/*
 * Iterations of each soak sweep.  At least 10,000; a bigger
 * ZXPROC_RACE_ITERATIONS runs longer (a smaller one is refused, so a
 * figure printed by a sweep always means what SECURITY.md says).
 */
#define RACE_MIN_ITERATIONS 10000UL

static inline unsigned long race_iterations(void)
{
	const char *s = getenv("ZXPROC_RACE_ITERATIONS");
	unsigned long n = s ? strtoul(s, NULL, 10) : 0;

	return n > RACE_MIN_ITERATIONS ? n : RACE_MIN_ITERATIONS;
}

/* Monotonic time in microseconds (logs, and the soak sweeps' phases). */
static inline long long race_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- a call in a thread of ours ----------------------------------------- */

/*
 * One zxproc call run by a thread, so that the test's own thread can act
 * while the call is held.  done[0] becomes readable when it returned.
 */
struct race_call {
	pthread_t thread;
	int done[2];
	int (*fn)(struct race_call *);
	/* The call's arguments and results, for fn to use. */
	int h;
	unsigned long cmd;
	uint64_t addr;
	const void *buf;
	uint64_t len;
	uint32_t flags;
	uint64_t actual;
	int ret;
	void *arg;
};

static inline void *race_call_main(void *p)
{
	struct race_call *c = p;

	c->ret = c->fn(c);
	if (write(c->done[1], "d", 1) != 1)
		c->ret = -EPIPE;
	return NULL;
}

/* A zxproc_mem call: c->cmd (WRITE or READ) with the fields above. */
static inline int race_call_mem(struct race_call *c)
{
	return zx_mem(c->h, c->cmd, c->addr, (void *)c->buf, c->len, c->flags,
		      &c->actual);
}

/* Start @fn (race_call_mem if NULL) in a new thread; 0 or -errno. */
static inline int race_call_start(struct race_call *c, int (*fn)(struct race_call *))
{
	c->fn = fn ? fn : race_call_mem;
	c->ret = -EINPROGRESS;
	c->actual = ZX_SENTINEL;
	if (pipe2(c->done, O_CLOEXEC))
		return -errno;
	return -pthread_create(&c->thread, NULL, race_call_main, c);
}

/* Start a write of @len bytes from @buf to @addr through @h. */
static inline int race_write_start(struct race_call *c, int h, uint64_t addr,
				   const void *buf, uint64_t len, uint32_t flags)
{
	c->h = h;
	c->cmd = ZXPROC_IOC_WRITE;
	c->addr = addr;
	c->buf = buf;
	c->len = len;
	c->flags = flags;
	return race_call_start(c, NULL);
}

/* Has the call returned already?  (Without waiting.) */
static inline bool race_call_returned(const struct race_call *c)
{
	struct pollfd p = { c->done[0], POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

/* Wait for the call to return; its result. */
static inline int race_call_join(struct race_call *c)
{
	pthread_join(c->thread, NULL);
	close(c->done[0]);
	close(c->done[1]);
	return c->ret;
}

/*
 * In a test: wait until call @c is held on userfaultfd @uffd (uf_wait())
 * at page @page; it must not return first.
 */
#define ASSERT_HELD(c, uffd, page) do { \
	uint64_t at_ = 0; \
	ASSERT_EQ(0, uf_wait((uffd), (c)->done[0], &at_)) \
		TH_LOG("the call returned (%d, actual %llu) before it was held", \
		       (c)->ret, (unsigned long long)(c)->actual); \
	ASSERT_EQ((uint64_t)(page), at_); \
} while (0)

/* ---- a process that acts on commands ------------------------------------ */

/*
 * A forked process (a target, or a caller) driven over a SOCK_SEQPACKET
 * socket: it runs @fn(0, @arg, &fd) once to set up, then @fn(c, ...)
 * for every command byte c the test sends, and answers each with fn's
 * int (and the descriptor fn put in fd, if any).  A command that ends
 * the process (exit, exec) has no answer.  The process dies with the
 * test (PR_SET_PDEATHSIG), and exits when the socket closes.
 */
typedef int (*race_proc_fn)(char cmd, void *arg, int *fd);

struct race_proc {
	pid_t pid;
	int sock;
};

static inline pid_t race_proc_start(struct race_proc *p, race_proc_fn fn, void *arg)
{
	pid_t parent = getpid();
	int sv[2];

	p->pid = -1;
	p->sock = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0) {
		char cmd = 0;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(sv[0]);
		for (;;) {
			int fd = -1, ret = fn(cmd, arg, &fd);

			if (zx_send_with_fd(sv[1], &ret, sizeof(ret),
					    fd >= 0 ? &fd : NULL, MSG_NOSIGNAL) != sizeof(ret))
				_exit(2);
			if (fd >= 0)
				close(fd);
			if (read(sv[1], &cmd, 1) != 1)
				_exit(0);
		}
	}
	close(sv[1]);
	p->sock = sv[0];
	return p->pid;
}

/*
 * The answer to the last command (or to the set-up): fn's int, and in
 * *@fd (if not NULL) the descriptor it sent, or -1.  0 or -errno
 * (-EPIPE: the process ended without answering).
 */
static inline int race_proc_answer(struct race_proc *p, int *result, int *fd)
{
	int got = -1;
	ssize_t n = zx_recv_with_fd(p->sock, result, sizeof(*result), &got);

	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	if (n == (ssize_t)sizeof(*result))
		return 0;
	return n == 0 ? -EPIPE : (n < 0 ? -errno : -EPROTO);
}

/*
 * race_proc_start(), then its set-up answer, which must be 0: returns 0,
 * else fn's int or a -errno of our own.  The descriptor the set-up sent
 * in *@fd (-1 when none), or closed when @fd is NULL.
 */
static inline int race_proc_ready(struct race_proc *p, race_proc_fn fn, void *arg, int *fd)
{
	pid_t pid = race_proc_start(p, fn, arg);
	int result, ret;

	if (pid < 0)
		return pid;
	ret = race_proc_answer(p, &result, fd);
	return ret ? ret : result;
}

/* Send command @cmd (no waiting); 0 or -errno. */
static inline int race_proc_send(struct race_proc *p, char cmd)
{
	return send(p->sock, &cmd, 1, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

/* Send @cmd and wait for its answer; fn's int, or a -errno of our own. */
static inline int race_proc_do(struct race_proc *p, char cmd, int *fd)
{
	int result, ret = race_proc_send(p, cmd);

	if (!ret)
		ret = race_proc_answer(p, &result, fd);
	return ret ? ret : result;
}

static inline void race_proc_end(struct race_proc *p)
{
	zx_reap(p->pid);
	p->pid = -1;
	if (p->sock >= 0)
		close(p->sock);
	p->sock = -1;
}

/*
 * The end of a fixture that held a write: its commanded target, our
 * stalling buffer, the userfaultfd the target handed over and the
 * handle (each -1 when unset).
 */
static inline void race_held_end(struct race_proc *p, struct uf_stall *st, int uffd, int h)
{
	race_proc_end(p);
	uf_stall_free(st);
	if (uffd >= 0)
		close(uffd);
	if (h >= 0)
		close(h);
}

/* ---- pids --------------------------------------------------------------- */

/* The next fork() in our pid namespace gets @pid if it is free (root). */
static inline int race_next_pid_is(pid_t pid)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", pid - 1);
	return zx_write_file("/proc/sys/kernel/ns_last_pid", buf);
}

/* ---- payload slots (the soak sweeps) ------------------------------------ */

#define RACE_SLOT 64
#define RACE_MAGIC 0x7a7870726f633a21ULL	/* "zxproc:!" */

struct race_slot {
	uint64_t magic;
	uint64_t seq;		/* the write that stored this slot, >= 1 */
	uint64_t word[6];	/* derived from seq: a checksum over 48 bytes */
};

_Static_assert(sizeof(struct race_slot) == RACE_SLOT, "slot is 64 bytes");

static inline uint64_t race_mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static inline void race_slot_make(struct race_slot *s, uint64_t seq)
{
	unsigned int i;

	s->magic = RACE_MAGIC;
	s->seq = seq;
	for (i = 0; i < 6; i++)
		s->word[i] = race_mix(seq * 8 + i);
}

/* 1: a whole slot of write s->seq; 0: all zero; -1: anything else. */
static inline int race_slot_kind(const struct race_slot *s)
{
	static const struct race_slot zero;
	unsigned int i;

	if (!memcmp(s, &zero, sizeof(zero)))
		return 0;
	if (s->magic != RACE_MAGIC || !s->seq)
		return -1;
	for (i = 0; i < 6; i++)
		if (s->word[i] != race_mix(s->seq * 8 + i))
			return -1;
	return 1;
}

/* ---- the writer's progress, in memory shared with the checker ---------- */

/*
 * started: sequence number of the write about to be issued (stored
 *	before the ioctl).
 * completed: sequence number of the last write whose ioctl returned
 *	(stored after it).  Writes are issued one at a time by one thread,
 *	so every write k <= completed had returned when completed was read.
 * stop: the checker asks the writer to finish.
 * stopped: the writer has finished (the checker waits for it before
 *	exiting, so no write races with the target's exit unless a test
 *	wants that race).
 * bad: violations found; the first one is described in msg.
 */
struct race_shared {
	_Atomic uint64_t started;
	_Atomic uint64_t completed;
	_Atomic int stop;
	_Atomic int stopped;
	_Atomic uint64_t bad;
	_Atomic uint64_t counts[16];	/* per-suite outcome counters */
	char msg[512];
	_Atomic int msg_taken;
};

static inline struct race_shared *race_shared_new(void)
{
	void *p = mmap(NULL, sizeof(struct race_shared), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Checker side: ask the writer to stop and wait (up to 60 s) until it has. */
static inline void race_stop_writer(struct race_shared *sh)
{
	long long end = race_now_us() + 60 * 1000000LL;

	atomic_store(&sh->stop, 1);
	while (!atomic_load(&sh->stopped) && race_now_us() < end)
		usleep(1000);
}

/* Record a violation; the first one's text is kept for the report. */
#define race_fail(sh, ...) do { \
	atomic_fetch_add(&(sh)->bad, 1); \
	if (!atomic_exchange(&(sh)->msg_taken, 1)) \
		snprintf((sh)->msg, sizeof((sh)->msg), __VA_ARGS__); \
} while (0)

/*
 * Could slot @slot have a write in flight?  The writer's write k covers
 * the slots that @slots_of(k) names; a checker that read a region
 * between loading @done (completed, before) and @issued (started,
 * after) must skip every slot of the writes done+1 .. issued: their
 * bytes may be half copied.  Returns false when too many writes ran for
 * the answer to be cheap (the caller then skips the whole check).
 */
typedef unsigned int (*race_slots_fn)(uint64_t seq, unsigned int *slots);

static inline bool race_in_flight(race_slots_fn slots_of, uint64_t done,
				  uint64_t issued, bool *busy, unsigned int nslots)
{
	unsigned int s[4], n, i;
	uint64_t k;

	memset(busy, 0, nslots * sizeof(*busy));
	if (issued - done > nslots)
		return false;
	for (k = done + 1; k <= issued; k++) {
		n = slots_of(k, s);
		for (i = 0; i < n; i++)
			busy[s[i] % nslots] = true;
	}
	return true;
}

/* ---- small things ----------------------------------------------------- */

/* xorshift64*: cheap per-thread randomness for delays and choices. */
static inline uint64_t race_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Spin for up to @max iterations: spreads the racing moments. */
static inline void race_spin(uint64_t *state, unsigned int max)
{
	unsigned int n = (unsigned int)(race_rand(state) % (max + 1));

	while (n--)
		atomic_signal_fence(memory_order_seq_cst);
}

/* A free address range of @len bytes, reserved and released again. */
static inline uint64_t race_free_range(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return zx_ptr(p);
}

#endif /* ZXPROC_TESTS_RACES_RACE_H */

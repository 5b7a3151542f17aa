/* SPDX-License-Identifier: GPL-2.0 */
/*
 * userfaultfd for the suites that make a fault wait: the one toolkit of
 * the race suites (tests/races, and the race tests of tests/module,
 * tests/lifetime and tests/userlib, through race.h) and of the suites of
 * targets whose memory is served by a handler thread of their own (as
 * CRIU's lazy pages, QEMU's post-copy and garbage collectors do).
 *
 * A fault message read from a userfaultfd is the proof that the faulting
 * task is blocked inside the kernel, waiting for that page: the suites
 * order their steps on such messages and on pipes between processes,
 * never on sleeps.
 *
 * What it holds:
 *  - raw userfaultfd: uf_new(), uf_register(), uf_copy(), uf_wake(),
 *    uf_protect(), and uf_new_missing() for a range of ours.
 *  - a buffer of ours that stalls (uf_stall_*()): one page of it not
 *    present and registered, so whatever reads it waits until the test
 *    serves it.  In the caller's own buffer it holds a zxproc call after
 *    its arguments were copied in and its handle checked, and (for a
 *    copy) after the bytes before that page were copied, with no target
 *    page pinned (module/copy.c faults the caller's buffer in only after
 *    unpinning).  A stalled page of the target holds the call inside
 *    pin_user_pages_remote(), after the target check, with the target's
 *    mmap_lock dropped (module/pin.c).  uf_wait() tells the test that
 *    the call is held there.
 *  - a target with a handler thread (uf_target_*()), and callers in
 *    processes of their own (uf_caller_*()).
 *
 * Two kinds of wait.  uf_wait() has no time limit of its own: a side
 * that never gets to its point hangs the test until the harness's
 * timeout, which is the only bound; it also watches the other side's
 * completion, so a call that returns without stalling fails at once.
 * The target's and callers' waits (uf_recv() and those built on it) are
 * bounded by UF_BOUND_MS, only so that a bug fails the test instead of
 * hanging it.  No bound is ever a proof of order.
 *
 * The target (uf_target_start()) is a forked child of the test.  Its
 * main thread maps, fills, registers, unmaps and remaps its own memory
 * on the test's commands (uf_cmd()); its handler thread reads the
 * userfaultfd and, per registered range, either serves every fault at
 * once (UF_AUTO) or forwards it to the test and serves it only when told
 * (UF_HOLD, uf_held() / uf_verdict()).  Serving a missing page copies in
 * the range's pattern (UFFDIO_COPY); serving a write-protect fault
 * un-protects the page (UFFDIO_WRITEPROTECT).  Every fault is recorded,
 * in order, in a log in memory shared with the test.
 *
 * Never read a registered page that is still missing through
 * /proc/PID/mem: the kernel faults it in without FAULT_FLAG_ALLOW_RETRY,
 * so userfaultfd fails it at once, with a stack trace on CONFIG_DEBUG_VM
 * kernels that fails the guest run.  The suites read back only pages the
 * handler has served or that were never registered.
 *
 * Registration never asks for UFFD_USER_MODE_ONLY: zxproc and
 * process_vm_readv fault the target's pages from the kernel, and such
 * faults would then get SIGBUS instead of a message (and so a new
 * userfaultfd needs CAP_SYS_PTRACE, or vm.unprivileged_userfaultfd).
 */
#ifndef ZXPROC_TESTS_RACES_UFFD_H
#define ZXPROC_TESTS_RACES_UFFD_H

#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include "../module/helpers.h"

/* Guards the bounded waits against hanging forever; never a proof of order. */
#define UF_BOUND_MS 60000

/* The page size of the stalling buffers (uf_stall_*()). */
#define UF_PAGE 4096UL

/* ---- raw userfaultfd -------------------------------------------------- */

/*
 * A new userfaultfd, close-on-exec, API handshake done; fd or -errno.
 * @flags: 0 (blocking, for a handler thread that only reads), or
 * O_NONBLOCK for uf_wait() (poll() answers EPOLLERR on a blocking one).
 */
static inline int uf_new(int flags)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | flags);

	if (fd < 0)
		return -errno;
	if (ioctl(fd, UFFDIO_API, &api)) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* UFFDIO_REGISTER of [@addr, @addr + @len) in @mode; 0 or -errno. */
static inline int uf_register(int uffd, uint64_t addr, uint64_t len, uint64_t mode)
{
	struct uffdio_register r = { .range = { addr, len }, .mode = mode };

	return ioctl(uffd, UFFDIO_REGISTER, &r) ? -errno : 0;
}

/*
 * A new userfaultfd (O_NONBLOCK, for uf_wait()) with [@addr, +@len) of
 * this process (page-aligned, not present) registered for missing
 * pages: whatever touches them waits until they are served.  fd or
 * -errno.
 */
static inline int uf_new_missing(const void *addr, size_t len)
{
	int fd = uf_new(O_NONBLOCK), ret;

	if (fd < 0)
		return fd;
	ret = uf_register(fd, zx_ptr(addr), len, UFFDIO_REGISTER_MODE_MISSING);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Fill the missing pages at @addr with @len bytes of @src (UFFDIO_COPY),
 * waking whoever waits for them.  Works on the userfaultfd's address
 * space from any process, for as long as anything holds that address
 * space's users (a zxproc call in it does).  0 or -errno (-EEXIST: a
 * page was there already).
 */
static inline int uf_copy(int uffd, uint64_t addr, const void *src, uint64_t len)
{
	struct uffdio_copy c = { .dst = addr, .src = zx_ptr(src), .len = len };

	return ioctl(uffd, UFFDIO_COPY, &c) ? -errno : 0;
}

/* Wake whoever waits on [@addr, +@len) without serving it; 0 or -errno. */
static inline int uf_wake(int uffd, uint64_t addr, uint64_t len)
{
	struct uffdio_range r = { .start = addr, .len = len };

	return ioctl(uffd, UFFDIO_WAKE, &r) ? -errno : 0;
}

/* Write-protect (@wp) or un-protect and wake [@addr, @addr + @len); 0 or -errno. */
static inline int uf_protect(int uffd, uint64_t addr, uint64_t len, bool wp)
{
	struct uffdio_writeprotect w = {
		.range = { addr, len },
		.mode = wp ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
	};

	return ioctl(uffd, UFFDIO_WRITEPROTECT, &w) ? -errno : 0;
}

/* ---- waits ------------------------------------------------------------ */

/*
 * Wait for the next fault on @uffd (made with O_NONBLOCK); its page
 * address in *@addr.  If @done (a descriptor that becomes readable, or
 * hangs up, when the side that should fault has finished instead; -1
 * for none) fires first: -ECANCELED.  No time limit (see the top of this
 * file).
 */
static inline int uf_wait(int uffd, int done, uint64_t *addr)
{
	struct uffd_msg msg;

	for (;;) {
		struct pollfd p[2] = { { uffd, POLLIN, 0 }, { done, POLLIN, 0 } };
		ssize_t n;

		if (poll(p, done >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (p[0].revents & POLLIN) {
			n = read(uffd, &msg, sizeof(msg));
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n != (ssize_t)sizeof(msg))
				return n < 0 ? -errno : -EIO;
			if (msg.event != UFFD_EVENT_PAGEFAULT)
				return -EPROTO;
			*addr = msg.arg.pagefault.address & ~(UF_PAGE - 1);
			return 0;
		}
		if (p[0].revents)
			return -EIO;
		if (done >= 0 && p[1].revents)
			return -ECANCELED;
	}
}

/* Is @fd readable within @ms?  1, 0 (not yet), or -errno. */
static inline int uf_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;

	do
		n = poll(&p, 1, ms);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : n;
}

/*
 * Read exactly @len bytes from @fd, waiting at most UF_BOUND_MS for each
 * piece.  0, -EPIPE at end of file, -ETIMEDOUT, or -errno.
 */
static inline int uf_recv(int fd, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		int r = uf_readable(fd, UF_BOUND_MS);
		ssize_t n;

		if (r <= 0)
			return r ? r : -ETIMEDOUT;
		n = read(fd, (char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		done += (size_t)n;
	}
	return 0;
}

/* The next message of @uffd (a caller's own userfaultfd), bounded. */
static inline int uf_msg(int uffd, struct uffd_msg *m)
{
	return uf_recv(uffd, m, sizeof(*m));
}

static inline void uf_alarm(int sig)
{
	(void)sig;
}

/*
 * waitpid() bounded by UF_BOUND_MS: the pid, -ETIMEDOUT, or -errno.  The
 * alarm only interrupts the wait (no SA_RESTART).
 */
static inline pid_t uf_waitpid(pid_t pid, int *status, int flags)
{
	struct sigaction sa = { .sa_handler = uf_alarm }, old;
	pid_t r;
	int err;

	sigaction(SIGALRM, &sa, &old);
	alarm(UF_BOUND_MS / 1000);
	r = waitpid(pid, status, flags);
	err = errno;
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	if (r < 0)
		return err == EINTR ? -ETIMEDOUT : -err;
	return r;
}

/* ---- a buffer of ours that stalls --------------------------------------- */

/*
 * @pages pages (UF_PAGE) of this process, pattern @seed, except page
 * @at: not present, registered with @uffd (O_NONBLOCK).  Whatever reads
 * page @at waits until uf_stall_serve() gives it its pattern bytes.
 */
struct uf_stall {
	int uffd;
	uint8_t *base;
	size_t pages;
	size_t at;
	unsigned int seed;
};

static inline int uf_stall_new(struct uf_stall *s, size_t pages, size_t at,
			       unsigned int seed)
{
	s->uffd = -1;
	s->pages = pages;
	s->at = at;
	s->seed = seed;
	s->base = mmap(NULL, pages * UF_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->base == MAP_FAILED)
		return -errno;
	zx_fill(s->base, pages * UF_PAGE, seed);
	if (madvise(s->base + at * UF_PAGE, UF_PAGE, MADV_DONTNEED))
		return -errno;
	s->uffd = uf_new_missing(s->base + at * UF_PAGE, UF_PAGE);
	return s->uffd < 0 ? s->uffd : 0;
}

/* The address of the page that stalls. */
static inline uint64_t uf_stall_page(const struct uf_stall *s)
{
	return zx_ptr(s->base + s->at * UF_PAGE);
}

/* What the whole buffer holds once served: its pattern. */
static inline void uf_stall_expect(const struct uf_stall *s, uint8_t *out)
{
	zx_fill(out, s->pages * UF_PAGE, s->seed);
}

/* Give the stalled page its pattern bytes; 0 or -errno. */
static inline int uf_stall_serve(const struct uf_stall *s)
{
	static uint8_t page[UF_PAGE];
	size_t i;

	for (i = 0; i < UF_PAGE; i++)
		page[i] = zx_pattern_byte(s->seed, s->at * UF_PAGE + i);
	return uf_copy(s->uffd, uf_stall_page(s), page, UF_PAGE);
}

static inline void uf_stall_free(struct uf_stall *s)
{
	if (s->uffd >= 0)
		close(s->uffd);
	if (s->base && s->base != MAP_FAILED)
		munmap(s->base, s->pages * UF_PAGE);
}

/* ---- the target ------------------------------------------------------- */

enum uf_policy {
	UF_AUTO,	/* serve each fault at once */
	UF_HOLD,	/* forward each fault to the test, serve on its verdict */
};

/* One fault, as the handler read it: the page and the message's flags. */
struct uf_fault {
	uint64_t addr;
	uint64_t flags;		/* UFFD_PAGEFAULT_FLAG_WRITE, _WP */
};

/* Every fault a target's handler read, in order; shared with the test. */
#define UF_LOG_MAX 512
struct uf_log {
	_Atomic uint32_t n;
	struct uf_fault f[UF_LOG_MAX];
};

enum uf_op {
	UF_MAP = 1,	/* mmap @len bytes anywhere (4 KiB pages): reply addr */
	UF_MAP_AT,	/* mmap @len fresh bytes at @addr, which must be free */
	UF_FILL,	/* the target writes pattern @seed over [addr, +len) */
	UF_REGISTER,	/* register [addr, +len) in @mode, with @policy, @seed */
	UF_PROTECT,	/* write-protect [addr, +len) */
	UF_UNMAP,	/* munmap [addr, +len) */
	UF_DROP,	/* MADV_DONTNEED [addr, +len) */
	UF_SERVE,	/* serve the page at @addr now (@mode: the fault's flags) */
	UF_EXIT,	/* _exit(@seed) at once, without a reply */
	UF_EXEC,	/* reply, then exec /bin/sleep (closing the userfaultfd) */
	UF_MPROTECT,	/* mprotect [addr, +len) to PROT_* @mode */
};

struct uf_req {
	uint32_t op;
	uint32_t policy;
	uint64_t addr;
	uint64_t len;
	uint64_t mode;
	uint32_t seed;
	uint32_t pad;
};

struct uf_rep {
	int64_t ret;	/* 0 or -errno */
	uint64_t addr;
};

/* The test's view of a target. */
struct uf_target {
	pid_t pid;
	int cmd, rep;	/* commands to its main thread, and the replies */
	int ev, ans;	/* held faults from its handler, and the verdicts */
	struct uf_log *log;
};

/* ---- inside the target ---- */

struct uf_range {
	uint64_t addr, len;
	uint32_t seed;
	int policy;
};

static struct {
	int uffd, ev, ans;
	size_t page;
	struct uf_log *log;
	pthread_mutex_t lock;
	struct uf_range r[32];
	unsigned int nr;
} uf_self __attribute__((unused)) = { .lock = PTHREAD_MUTEX_INITIALIZER };

/*
 * The range holding @addr, copied out (ranges are added by the main
 * thread while the handler reads them); false if none.
 */
static inline bool uf_range_of(uint64_t addr, struct uf_range *out)
{
	bool found = false;
	unsigned int i;

	pthread_mutex_lock(&uf_self.lock);
	for (i = 0; i < uf_self.nr; i++) {
		if (addr >= uf_self.r[i].addr &&
		    addr - uf_self.r[i].addr < uf_self.r[i].len) {
			*out = uf_self.r[i];
			found = true;
		}
	}
	pthread_mutex_unlock(&uf_self.lock);
	return found;
}

/*
 * Serve the fault on the page at @addr: un-protect it (a write-protect
 * fault), or copy in the range's pattern as if the whole range had been
 * filled with zx_fill(@seed).  0 or -errno.
 */
static inline int uf_serve_page(uint64_t addr, uint64_t flags)
{
	struct uf_range r;
	uint8_t *buf;
	size_t i;
	int ret;

	if (!uf_range_of(addr, &r))
		return -EINVAL;
	if (flags & UFFD_PAGEFAULT_FLAG_WP)
		return uf_protect(uf_self.uffd, addr, uf_self.page, false);
	buf = malloc(uf_self.page);
	if (!buf)
		return -ENOMEM;
	for (i = 0; i < uf_self.page; i++)
		buf[i] = zx_pattern_byte(r.seed, (size_t)(addr - r.addr) + i);
	ret = uf_copy(uf_self.uffd, addr, buf, uf_self.page);
	free(buf);
	/* Served already (a second fault on the page): only wake. */
	if (ret == -EEXIST)
		ret = uf_wake(uf_self.uffd, addr, uf_self.page);
	return ret;
}

/* The handler thread: read, record, serve or hold. */
static inline void *uf_handler(void *arg)
{
	(void)arg;
	for (;;) {
		struct uffd_msg m;
		struct uf_fault f;
		struct uf_range r;
		uint32_t n, serve = 1;
		ssize_t got = read(uf_self.uffd, &m, sizeof(m));

		if (got < 0 && errno == EINTR)
			continue;
		if (got != sizeof(m))
			_exit(90);
		if (m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		f.addr = m.arg.pagefault.address & ~(uint64_t)(uf_self.page - 1);
		f.flags = m.arg.pagefault.flags;
		n = atomic_load(&uf_self.log->n);
		if (n < UF_LOG_MAX) {
			uf_self.log->f[n] = f;
			atomic_store(&uf_self.log->n, n + 1);
		}
		if (!uf_range_of(f.addr, &r))
			_exit(91);
		if (r.policy == UF_HOLD) {
			if (write(uf_self.ev, &f, sizeof(f)) != sizeof(f) ||
			    read(uf_self.ans, &serve, sizeof(serve)) != sizeof(serve))
				_exit(92);
		}
		if (serve && uf_serve_page(f.addr, f.flags))
			_exit(93);
	}
	return NULL;
}

/* One command of the main thread; fills @rep.  false: exit now. */
static inline bool uf_do(const struct uf_req *q, struct uf_rep *rep)
{
	void *p, *at = (void *)(uintptr_t)q->addr;
	struct uf_range r;

	rep->ret = 0;
	rep->addr = 0;
	switch (q->op) {
	case UF_MAP:
	case UF_MAP_AT:
		p = mmap(q->op == UF_MAP ? NULL : at, q->len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS |
			 (q->op == UF_MAP ? 0 : MAP_FIXED_NOREPLACE), -1, 0);
		if (p == MAP_FAILED) {
			rep->ret = -errno;
			break;
		}
		if (q->op == UF_MAP_AT && p != at) {
			rep->ret = -EADDRINUSE;
			break;
		}
		/* One fault per 4 KiB page: no transparent huge pages. */
		madvise(p, q->len, MADV_NOHUGEPAGE);
		if (q->seed)
			zx_fill(p, q->len, q->seed);
		rep->addr = zx_ptr(p);
		break;
	case UF_FILL:
		zx_fill(at, q->len, q->seed);
		break;
	case UF_REGISTER:
		rep->ret = uf_register(uf_self.uffd, q->addr, q->len, q->mode);
		if (rep->ret)
			break;
		r = (struct uf_range){ q->addr, q->len, q->seed, (int)q->policy };
		pthread_mutex_lock(&uf_self.lock);
		if (uf_self.nr < sizeof(uf_self.r) / sizeof(uf_self.r[0]))
			uf_self.r[uf_self.nr++] = r;
		else
			rep->ret = -ENOSPC;
		pthread_mutex_unlock(&uf_self.lock);
		break;
	case UF_PROTECT:
		rep->ret = uf_protect(uf_self.uffd, q->addr, q->len, true);
		break;
	case UF_UNMAP:
		rep->ret = munmap(at, q->len) ? -errno : 0;
		break;
	case UF_DROP:
		rep->ret = madvise(at, q->len, MADV_DONTNEED) ? -errno : 0;
		break;
	case UF_SERVE:
		rep->ret = uf_serve_page(q->addr, q->mode);
		break;
	case UF_MPROTECT:
		rep->ret = mprotect(at, q->len, (int)q->mode) ? -errno : 0;
		break;
	case UF_EXIT:
		_exit((int)q->seed);
	case UF_EXEC:
		return false;
	default:
		rep->ret = -EINVAL;
	}
	return true;
}

/* The target's main thread, after fork(). */
static inline void uf_target_main(int cmd, int rep, int ev, int ans, struct uf_log *log)
{
	struct uf_rep r = { 0, 0 };
	pthread_t th;
	struct uf_req q;

	uf_self.page = zx_page();
	uf_self.ev = ev;
	uf_self.ans = ans;
	uf_self.log = log;
	uf_self.uffd = uf_new(0);
	if (uf_self.uffd < 0)
		r.ret = uf_self.uffd;
	else if (pthread_create(&th, NULL, uf_handler, NULL))
		r.ret = -EAGAIN;
	if (write(rep, &r, sizeof(r)) != sizeof(r) || r.ret)
		_exit(80);
	while (read(cmd, &q, sizeof(q)) == sizeof(q)) {
		bool go_on = uf_do(&q, &r);

		if (write(rep, &r, sizeof(r)) != sizeof(r))
			_exit(81);
		if (!go_on) {
			/* The pipes and the userfaultfd are close-on-exec. */
			execl("/bin/sleep", "sleep", "1000", (char *)NULL);
			_exit(82);
		}
	}
	_exit(0);
}

/* ---- the test's side ---- */

/*
 * Fork a target with a userfaultfd and a handler thread; it dies with
 * the test (PR_SET_PDEATHSIG).  0 or -errno.
 */
static inline int uf_target_start(struct uf_target *t)
{
	int cmd[2], rep[2], ev[2], ans[2];
	struct uf_rep r;
	pid_t pid;
	int err;

	*t = (struct uf_target){ .pid = -1, .cmd = -1, .rep = -1, .ev = -1, .ans = -1 };
	t->log = mmap(NULL, sizeof(*t->log), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (t->log == MAP_FAILED) {
		t->log = NULL;
		return -errno;
	}
	if (pipe2(cmd, O_CLOEXEC) || pipe2(rep, O_CLOEXEC) ||
	    pipe2(ev, O_CLOEXEC) || pipe2(ans, O_CLOEXEC))
		return -errno;
	pid = zx_fork_tied();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(cmd[1]);
		close(rep[0]);
		close(ev[0]);
		close(ans[1]);
		uf_target_main(cmd[0], rep[1], ev[1], ans[0], t->log);
	}
	close(cmd[0]);
	close(rep[1]);
	close(ev[1]);
	close(ans[0]);
	t->pid = pid;
	t->cmd = cmd[1];
	t->rep = rep[0];
	t->ev = ev[0];
	t->ans = ans[1];
	err = uf_recv(t->rep, &r, sizeof(r));
	return err ? err : (int)r.ret;
}

/* Kill and reap the target (unless already reaped: pid -1); close all. */
static inline void uf_target_stop(struct uf_target *t)
{
	int *fd[] = { &t->cmd, &t->rep, &t->ev, &t->ans };
	size_t i;

	zx_reap(t->pid);
	t->pid = -1;
	for (i = 0; i < sizeof(fd) / sizeof(fd[0]); i++) {
		if (*fd[i] >= 0)
			close(*fd[i]);
		*fd[i] = -1;
	}
	if (t->log)
		munmap(t->log, sizeof(*t->log));
	t->log = NULL;
}

/* Send @q; the reply's ret (0 or -errno), and its addr in *@out if not NULL. */
static inline int uf_send(struct uf_target *t, const struct uf_req *q, uint64_t *out)
{
	struct uf_rep r;
	int err;

	if (write(t->cmd, q, sizeof(*q)) != sizeof(*q))
		return -errno;
	if (q->op == UF_EXIT)
		return 0;
	err = uf_recv(t->rep, &r, sizeof(r));
	if (err)
		return err;
	if (out)
		*out = r.addr;
	return (int)r.ret;
}

/* A command without mode or policy (see enum uf_op). */
static inline int uf_cmd(struct uf_target *t, uint32_t op, uint64_t addr,
			 uint64_t len, uint32_t seed, uint64_t *out)
{
	struct uf_req q = { .op = op, .addr = addr, .len = len, .seed = seed };

	return uf_send(t, &q, out);
}

/* New anonymous memory in the target (@seed 0: untouched); its address or 0. */
static inline uint64_t uf_map(struct uf_target *t, uint64_t len, uint32_t seed)
{
	uint64_t addr = 0;

	return uf_cmd(t, UF_MAP, 0, len, seed, &addr) ? 0 : addr;
}

/* Register [@addr, +@len) of the target; faults get @seed's pattern. */
static inline int uf_reg(struct uf_target *t, uint64_t addr, uint64_t len,
			 uint64_t mode, int policy, uint32_t seed)
{
	struct uf_req q = {
		.op = UF_REGISTER, .policy = (uint32_t)policy, .addr = addr,
		.len = len, .mode = mode, .seed = seed,
	};

	return uf_send(t, &q, NULL);
}

/* mprotect [@addr, +@len) of the target to @prot (its main thread). */
static inline int uf_mprotect(struct uf_target *t, uint64_t addr, uint64_t len, int prot)
{
	struct uf_req q = { .op = UF_MPROTECT, .addr = addr, .len = len, .mode = (uint64_t)prot };

	return uf_send(t, &q, NULL);
}

/* Serve the page at @addr now, for a fault with @flags (main thread). */
static inline int uf_serve(struct uf_target *t, uint64_t addr, uint64_t flags)
{
	struct uf_req q = { .op = UF_SERVE, .addr = addr, .mode = flags };

	return uf_send(t, &q, NULL);
}

/* The next held fault of the target (bounded). */
static inline int uf_held(struct uf_target *t, struct uf_fault *f)
{
	return uf_recv(t->ev, f, sizeof(*f));
}

/* Tell the handler whether to serve the fault it holds (or leave it unanswered). */
static inline int uf_verdict(struct uf_target *t, bool serve)
{
	uint32_t v = serve;

	return write(t->ans, &v, sizeof(v)) == sizeof(v) ? 0 : -errno;
}

/*
 * Serve the fault the handler holds, and return once it is served: the
 * handler is told to leave it, and the main thread serves it (a verdict
 * alone is served by the handler some time later).
 */
static inline int uf_answer(struct uf_target *t, const struct uf_fault *f)
{
	int err = uf_verdict(t, false);

	return err ? err : uf_serve(t, f->addr, f->flags);
}

/* Faults the target's handler has read so far. */
static inline uint32_t uf_faults(const struct uf_target *t)
{
	return atomic_load(&t->log->n);
}

/* ---- callers ---------------------------------------------------------- */

/* What a caller's call answered, sent back over a pipe. */
struct uf_res {
	int32_t ret;		/* 0 or -errno */
	uint32_t pad;
	uint64_t actual;
};

struct uf_caller {
	pid_t pid;
	int res;		/* the struct uf_res arrives here */
};

/*
 * Fork a caller that runs @fn(@arg, &res) and sends res back; it dies
 * with the test.  0 or -errno.
 */
static inline int uf_caller_start(struct uf_caller *c,
				  void (*fn)(void *, struct uf_res *), void *arg)
{
	int p[2];

	c->pid = -1;
	c->res = -1;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	c->pid = zx_fork_tied();
	if (c->pid < 0)
		return -errno;
	if (c->pid == 0) {
		struct uf_res res = { .ret = -EPROTO, .actual = ZX_SENTINEL };

		close(p[0]);
		fn(arg, &res);
		_exit(write(p[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	c->res = p[0];
	return 0;
}

/*
 * Wait for the first of: a fault held by @t's handler (read into *@f:
 * 0), or the caller's answer (read into *@res: -EALREADY, the caller
 * was never blocked).  -ETIMEDOUT when neither comes.
 */
static inline int uf_first(struct uf_target *t, struct uf_caller *c,
			   struct uf_fault *f, struct uf_res *res)
{
	struct pollfd p[2] = {
		{ .fd = t->ev, .events = POLLIN },
		{ .fd = c->res, .events = POLLIN },
	};
	int n;

	do
		n = poll(p, 2, UF_BOUND_MS);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	if (p[0].revents & POLLIN)
		return uf_held(t, f);
	res->ret = -EPIPE;
	if (read(c->res, res, sizeof(*res)) < 0)
		res->ret = -errno;
	return -EALREADY;
}

/* The caller's answer, once it has one (bounded). */
static inline int uf_result(struct uf_caller *c, struct uf_res *res)
{
	return uf_recv(c->res, res, sizeof(*res));
}

/* Has the caller returned yet?  (An instant check, never a wait.) */
static inline bool uf_returned(struct uf_caller *c)
{
	return uf_readable(c->res, 0) != 0;
}

static inline void uf_caller_stop(struct uf_caller *c)
{
	zx_reap(c->pid);
	if (c->res >= 0)
		close(c->res);
}

/* ---- reading back ----------------------------------------------------- */

/*
 * Does the target's [@addr, +@len) hold pattern @seed from offset @from
 * of it (zx_pattern_byte(@seed, @from + i))?  -1 if so, else the offset
 * of the first difference, -2 if unreadable.  Read through /proc/PID/mem:
 * only for pages that are present or not registered.
 */
static inline long uf_differs_pattern(pid_t pid, uint64_t addr, size_t len,
				      unsigned int seed, size_t from)
{
	uint8_t *w = malloc(len);
	size_t i;
	long d;

	if (!w)
		return -2;
	for (i = 0; i < len; i++)
		w[i] = zx_pattern_byte(seed, from + i);
	d = zx_differs(pid, addr, w, len);
	free(w);
	return d;
}

#endif /* ZXPROC_TESTS_RACES_UFFD_H */

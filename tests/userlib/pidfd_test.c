// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_open_pidfd() through the real module: every status, and
 * the property it exists for: a pidfd whose process is gone is never
 * opened, even when its pid already belongs to another process.  Pids
 * are forced into reuse through /proc/sys/kernel/ns_last_pid (we are
 * root in the guest).  Each process carries a marker, read back through
 * the handle, that says which process a handle really names.
 *
 * The race is forced at every point of the call: a seccomp
 * user-notification filter holds each system call the library makes,
 * at its entry, and the pid is recycled (the process killed and reaped,
 * a new one forked onto its pid) while the Nth is held, for every N.
 * The old sweep (60 rounds with sleeps of -9 ms .. +9 ms between the
 * open and the recycling, asserting both outcomes happened) is
 * soak_open_during_pid_reuse, run only with ZXPROC_SOAK=1 (see
 * tests/races/race.h).
 */
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <time.h>

#include "kselftest_harness.h"
#include "target.h"
#include "../races/race.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

/* Set before each fork, so each child carries its own value. */
static volatile uint64_t marker;

static int pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* The marker of the process @h names, or 0 with *status set. */
static uint64_t marker_of(zx_handle_t h, zx_status_t *status)
{
	uint64_t v = 0;
	size_t actual;

	*status = zx_process_read_memory(h, (zx_vaddr_t)&marker, &v,
					 sizeof(v), &actual);
	return *status == ZX_OK ? v : 0;
}

/* The next fork() gets @pid (when it is free): 0 or -errno. */
static int next_pid_is(pid_t pid)
{
	return race_next_pid_is(pid);
}

static pid_t spawn_marked(uint64_t value)
{
	marker = value;
	return target_spawn();
}

TEST(open_ok)
{
	pid_t pid = spawn_marked(0xa11ce);
	int pidfd = pidfd_open(pid, 0);
	zx_handle_t h = ZX_HANDLE_INVALID;
	zx_status_t status;

	ASSERT_LE(0, pidfd);
	ASSERT_EQ(ZX_OK, zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	EXPECT_EQ((zx_koid_t)pid, koid_of(h));
	EXPECT_EQ(ZX_RIGHT_READ, rights_of(h));
	EXPECT_EQ(0xa11ceu, marker_of(h, &status));
	EXPECT_EQ(ZX_OK, status);
	/* The pidfd is not consumed. */
	EXPECT_LE(0, fcntl(pidfd, F_GETFD));
	zx_handle_close(h);
	close(pidfd);
	target_reap(pid);
}

/* A thread's pidfd (PIDFD_THREAD, Linux 6.9+) opens its process. */
TEST(thread_pidfd)
{
	pthread_t t;
	pid_t tid = 0;
	int pidfd;
	zx_handle_t h;
	char path[64];

	ASSERT_EQ(0, pthread_create(&t, NULL, target_sleeper, NULL));
	for (pid_t i = getpid() + 1; i < getpid() + 64 && !tid; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d", i);
		if (access(path, F_OK) == 0)
			tid = i;
	}
	ASSERT_NE(0, tid);
	pidfd = pidfd_open(tid, PIDFD_THREAD);
	if (pidfd < 0)
		SKIP(return, "no PIDFD_THREAD on this kernel");
	ASSERT_EQ(ZX_OK, zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	EXPECT_EQ((zx_koid_t)getpid(), koid_of(h));
	zx_handle_close(h);
	close(pidfd);
}

TEST(bad_handle_and_wrong_type)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	int kthreadd = pidfd_open(2, 0);
	zx_handle_t h = 77;

	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_open_pidfd(fd, ZX_RIGHT_READ, &h));
	close(fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_open_pidfd(fd, ZX_RIGHT_READ, &h));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_open_pidfd(-1, ZX_RIGHT_READ, &h));
	/* A kernel thread's pidfd. */
	ASSERT_LE(0, kthreadd);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_open_pidfd(kthreadd, ZX_RIGHT_READ, &h));
	close(kthreadd);
	EXPECT_EQ(77u, h);
}

TEST(invalid_args)
{
	int pidfd = pidfd_open(getpid(), 0);
	zx_handle_t h = 77;

	ASSERT_LE(0, pidfd);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_SAME_RIGHTS, &h));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_EXECUTE, &h));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, NULL));
	EXPECT_EQ(77u, h);
	close(pidfd);
}

TEST(zombie_and_reaped)
{
	pid_t pid = target_zombie();
	int pidfd = pidfd_open(pid, 0);
	zx_handle_t h = 77;

	ASSERT_LE(0, pidfd);
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
	close(pidfd);
}

TEST(no_resources)
{
	pid_t pid = target_spawn();
	int pidfd = pidfd_open(pid, 0);
	zx_handle_t h = 77;

	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, limit_fds(1));	/* the device opens, the handle not */
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	ASSERT_EQ(0, limit_fds(0));	/* not even /proc/self/fdinfo */
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
	target_reap(pid);
}

static int nobody_pidfd(void *arg)
{
	int pidfd = *(int *)arg;
	zx_handle_t h;

	if (drop_to_nobody())
		return 10;
	/* The guest's /dev/zxproc is root's alone (0600). */
	return zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h) ==
	       ZX_ERR_ACCESS_DENIED ? 0 : 11;
}

static int without_device(void *arg)
{
	int pidfd = *(int *)arg;
	zx_handle_t h;

	if (private_dev())
		return 10;
	return zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h) ==
	       ZX_ERR_NOT_SUPPORTED ? 0 : 11;
}

TEST(access_denied_and_not_supported)
{
	pid_t pid = target_spawn();
	int pidfd = pidfd_open(pid, 0);
	struct stat st;

	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, stat("/dev/zxproc", &st));
	if (!(st.st_mode & (S_IROTH | S_IWOTH))) {
		EXPECT_EQ(0, in_child(nobody_pidfd, &pidfd));
	}
	EXPECT_EQ(0, in_child(without_device, &pidfd));
	close(pidfd);
	target_reap(pid);
}

/*
 * The pid of a reaped process, given to a new one: opening by pid
 * names the stranger (the race this function exists to close), the
 * old pidfd opens nothing.
 */
TEST(reused_pid_is_not_opened)
{
	pid_t a, b;
	int pidfd;
	zx_handle_t naive = ZX_HANDLE_INVALID, h = 77;
	zx_status_t status;

	a = spawn_marked(1);
	ASSERT_LT(0, a);
	pidfd = pidfd_open(a, 0);
	ASSERT_LE(0, pidfd);
	target_reap(a);

	ASSERT_EQ(0, next_pid_is(a));
	b = spawn_marked(2);
	ASSERT_EQ(a, b);

	ASSERT_EQ(ZX_OK, zxproc_process_open(a, ZX_RIGHT_READ, &naive));
	EXPECT_EQ(2u, marker_of(naive, &status));
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
	zx_handle_close(naive);
	close(pidfd);
	target_reap(b);
}

struct recycle {
	pid_t old;		/* killed and reaped */
	pid_t fresh;		/* then forked onto the same pid */
	struct timespec wait;	/* before the kill */
};

static void *recycler(void *arg)
{
	struct recycle *r = arg;

	nanosleep(&r->wait, NULL);
	target_reap(r->old);
	next_pid_is(r->old);
	r->fresh = spawn_marked(2);
	return NULL;
}

FIXTURE(race) {
	int unused;
};

FIXTURE_SETUP(race)
{
}

FIXTURE_TEARDOWN(race)
{
}

/*
 * The same, racing: while one thread opens an old process, another
 * kills and reaps it and forks a new one onto the same pid; the open
 * starts at a different moment of that sequence in each round.  The
 * rounds sweep the offset between the two from the open leading by
 * ~9 ms to the recycling leading by ~9 ms, in steps that are finest
 * around zero, where the real race is: the ends make sure both
 * outcomes happen however fast or slow the machine is (a one-sided
 * sweep saw only refusals on a slow guest), the middle makes the
 * outcome depend on the scheduler.  The
 * handle is read after the recycling is over, when the old process is
 * gone: a handle that names it answers BAD_STATE, one that names the
 * stranger reads marker 2.  Through a pidfd the stranger must never be
 * reached; by pid (odd rounds, for comparison) it is, whenever the open
 * lands after the new fork.
 */
TEST_F_TIMEOUT(race, soak_open_during_pid_reuse, 600)
{
	const int rounds = 60;
	int pidfd_ok = 0, pidfd_refused = 0, naive_old = 0, naive_stranger = 0;

	for (int i = 0; i < rounds; i++) {
		/* -12..12, the same step for a pidfd round and a pid round */
		int k = (i / 2) % 25 - 12;
		long offset_ns = (long)k * abs(k) * 60000;
		struct recycle r = { 0 };
		struct timespec delay = { 0, offset_ns > 0 ? offset_ns : 0 };
		zx_handle_t h = ZX_HANDLE_INVALID;
		zx_status_t st, rs;
		uint64_t m;
		pthread_t t;
		int pidfd;

		r.old = spawn_marked(1);
		ASSERT_LT(0, r.old);
		pidfd = pidfd_open(r.old, 0);
		ASSERT_LE(0, pidfd);
		r.wait.tv_nsec = offset_ns < 0 ? -offset_ns : 0;
		ASSERT_EQ(0, pthread_create(&t, NULL, recycler, &r));
		nanosleep(&delay, NULL);
		if (i % 2 == 0)
			st = zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h);
		else
			st = zxproc_process_open(r.old, ZX_RIGHT_READ, &h);
		ASSERT_EQ(0, pthread_join(t, NULL));
		ASSERT_EQ(r.old, r.fresh) TH_LOG("pid not reused in round %d", i);

		m = st == ZX_OK ? marker_of(h, &rs) : 0;
		if (i % 2 == 0 && st == ZX_OK) {
			EXPECT_EQ(ZX_ERR_BAD_STATE, rs)
				TH_LOG("round %d: pidfd handle read marker %llu",
				       i, (unsigned long long)m);
			pidfd_ok++;
		} else if (i % 2 == 0) {
			EXPECT_TRUE(st == ZX_ERR_NOT_FOUND ||
				    st == ZX_ERR_BAD_STATE)
				TH_LOG("round %d: %s", i, zx_status_get_string(st));
			pidfd_refused++;
		} else if (st == ZX_OK && rs == ZX_OK && m == 2) {
			naive_stranger++;
		} else {
			naive_old++;
		}
		zx_handle_close(h);
		close(pidfd);
		target_reap(r.fresh);
	}
	TH_LOG("by pidfd: %d opened (all the old process), %d refused; "
	       "by pid: %d opened the stranger, %d did not",
	       pidfd_ok, pidfd_refused, naive_stranger, naive_old);
	/* Both outcomes of the race occurred, or it proved nothing. */
	EXPECT_LT(0, pidfd_ok);
	EXPECT_LT(0, pidfd_refused);
}

/*
 * Deterministic: stop the library inside the call, after it has read the
 * pid from fdinfo and just before it opens /dev/zxproc, and recycle the
 * pid right there.  A seccomp user-notification filter on openat(2) in
 * the calling thread hands each open to a supervisor thread (started
 * before the filter, so not subject to it), which recycles the pid when
 * the path is the device, then lets the open proceed.  By pid, the
 * library then opens the stranger; by pidfd it must notice and refuse.
 */
struct supervisor {
	int go[2];		/* passes the listener fd to the thread */
	int stop[2];		/* a byte on stop[1] ends the thread */
	pid_t old, fresh;
	int recycled;
};

static void *supervise(void *arg)
{
	struct supervisor *sv = arg;
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	int listener;

	if (read(sv->go[0], &listener, sizeof(listener)) != sizeof(listener))
		return NULL;
	for (;;) {
		struct pollfd p[2] = { { listener, POLLIN, 0 },
				       { sv->stop[0], POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 || p[1].revents)
			return NULL;
		memset(&req, 0, sizeof(req));
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req))
			continue;
		/* Same address space: the path is readable right here. */
		if (!sv->recycled &&
		    strcmp((const char *)(uintptr_t)req.data.args[1],
			   "/dev/zxproc") == 0) {
			target_reap(sv->old);
			next_pid_is(sv->old);
			sv->fresh = spawn_marked(2);
			sv->recycled = 1;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

/* Hands this thread's openat(2) calls to a new supervisor thread. */
static int supervise_openat(struct supervisor *sv, pthread_t *t)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_openat, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 4, .filter = code };
	int listener;

	if (pipe(sv->go) || pipe(sv->stop))
		return -1;
	if (pthread_create(t, NULL, supervise, sv))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
				SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0)
		return -1;
	return write(sv->go[1], &listener, sizeof(listener)) ==
	       sizeof(listener) ? 0 : -1;
}

/* A byte, not EOF: the children forked meanwhile hold stop[1] too. */
static void supervisor_end(struct supervisor *sv, pthread_t t)
{
	if (write(sv->stop[1], "", 1) == 1)
		pthread_join(t, NULL);
}

TEST(reuse_forced_mid_call_by_pid)
{
	struct supervisor sv = { 0 };
	zx_handle_t h = 77;
	zx_status_t st, rs;
	pthread_t t;

	sv.old = spawn_marked(1);
	ASSERT_LT(0, sv.old);
	ASSERT_EQ(0, supervise_openat(&sv, &t));
	st = zxproc_process_open(sv.old, ZX_RIGHT_READ, &h);
	supervisor_end(&sv, t);
	ASSERT_TRUE(sv.recycled);
	ASSERT_EQ(sv.old, sv.fresh);
	/* The danger: the handle names the new process. */
	ASSERT_EQ(ZX_OK, st);
	EXPECT_EQ(2u, marker_of(h, &rs));
	zx_handle_close(h);
	target_reap(sv.fresh);
}

TEST(reuse_forced_mid_call_by_pidfd)
{
	struct supervisor sv = { 0 };
	zx_handle_t h = 77;
	zx_status_t st, rs;
	pthread_t t;
	int pidfd;

	sv.old = spawn_marked(1);
	ASSERT_LT(0, sv.old);
	pidfd = pidfd_open(sv.old, 0);
	ASSERT_LE(0, pidfd);
	ASSERT_EQ(0, supervise_openat(&sv, &t));
	st = zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &h);
	supervisor_end(&sv, t);
	ASSERT_TRUE(sv.recycled);
	ASSERT_EQ(sv.old, sv.fresh);
	if (st == ZX_OK)
		TH_LOG("opened a handle reading marker %llu",
		       (unsigned long long)marker_of(h, &rs));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, st);
	EXPECT_EQ(77u, h);
	target_reap(sv.fresh);
}

/*
 * Every point of the call.  A thread of ours makes the call under a
 * seccomp filter that hands each of its system calls (all but those of
 * its own exit) to us, held at entry; we let them go one by one, and
 * while the @at-th is held, recycle the pid: kill and reap the process,
 * fork a new one onto its pid.  @at = -1: never (a dry run, which
 * records the calls); @at past the last: after the call returned.
 */
struct trap {
	/* The listener, from the calling thread (futexes: never held). */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int listener;		/* -2: not yet */
	bool by_pidfd;
	int pidfd;
	pid_t old, fresh;
	int at, seen;
	int nrs[64];
	zx_status_t st;
	zx_handle_t h;
};

/* Kill and reap @t->old, fork a process with marker 2 onto its pid. */
static int recycle(struct trap *t)
{
	int tries;

	target_reap(t->old);
	for (tries = 0; tries < 20; tries++) {
		if (next_pid_is(t->old))
			return -1;
		t->fresh = spawn_marked(2);
		if (t->fresh == t->old)
			return 0;
		target_reap(t->fresh);	/* someone else took it: again */
	}
	return -1;
}

static void *trapped_call(void *arg)
{
	static const int free_nrs[] = {
		__NR_exit, __NR_exit_group, __NR_futex, __NR_madvise,
		__NR_munmap, __NR_rt_sigprocmask, __NR_set_robust_list,
	};
	struct sock_filter code[16];
	struct sock_fprog prog = { .filter = code };
	struct trap *t = arg;
	unsigned int i, n = 0;
	int listener;

	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
						 offsetof(struct seccomp_data, nr));
	for (i = 0; i < sizeof(free_nrs) / sizeof(free_nrs[0]); i++)
		code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							 (unsigned int)free_nrs[i],
							 (uint8_t)(sizeof(free_nrs) / sizeof(free_nrs[0]) - i), 0);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		listener = -1;
	else
		listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
					SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	pthread_mutex_lock(&t->lock);
	t->listener = listener;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
	if (listener < 0)
		return NULL;
	t->h = 77;
	if (t->by_pidfd)
		t->st = zxproc_process_open_pidfd(t->pidfd, ZX_RIGHT_READ, &t->h);
	else
		t->st = zxproc_process_open(t->old, ZX_RIGHT_READ, &t->h);
	return NULL;
}

/* Run one call, this thread its supervisor.  0, or -1 when forcing failed. */
static int trapped_run(struct trap *t)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	pthread_t thread;
	int ret = 0;

	t->seen = 0;
	t->fresh = -1;
	t->listener = -2;
	pthread_mutex_init(&t->lock, NULL);
	pthread_cond_init(&t->cond, NULL);
	if (pthread_create(&thread, NULL, trapped_call, t))
		return -1;
	pthread_mutex_lock(&t->lock);
	while (t->listener == -2)
		pthread_cond_wait(&t->cond, &t->lock);
	pthread_mutex_unlock(&t->lock);
	/* Until the filter's only thread is gone (EPOLLHUP). */
	while (t->listener >= 0) {
		struct pollfd p = { t->listener, POLLIN, 0 };

		if (poll(&p, 1, -1) < 0)
			continue;
		if (!(p.revents & POLLIN)) {
			if (p.revents)
				break;
			continue;
		}
		memset(&req, 0, sizeof(req));
		if (ioctl(t->listener, SECCOMP_IOCTL_NOTIF_RECV, &req))
			continue;
		if (t->seen == t->at && recycle(t))
			ret = -1;
		if (t->seen < (int)(sizeof(t->nrs) / sizeof(t->nrs[0])))
			t->nrs[t->seen] = req.data.nr;
		t->seen++;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		ioctl(t->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	pthread_join(thread, NULL);
	if (t->listener < 0)
		return -1;
	close(t->listener);
	/* After the call returned. */
	if (t->at >= t->seen && recycle(t))
		ret = -1;
	return ret;
}

/* The system calls of the dry run, for the log. */
static const char *nr_list(const struct trap *t)
{
	static char text[512];
	size_t n = 0;
	int i;

	text[0] = '\0';
	for (i = 0; i < t->seen && i < 64 && n < sizeof(text) - 8; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %d", t->nrs[i]);
	return text;
}

/*
 * By pidfd, the pid recycled at each system call of the call (held at
 * its entry), and after it: refused (NOT_FOUND, nothing handed out)
 * wherever it happened during the call; a handle from before the
 * recycling names the old process (BAD_STATE), never the stranger.
 */
TEST_F_TIMEOUT(race, reuse_at_every_system_call_of_open_by_pidfd, 300)
{
	struct trap t = { .by_pidfd = true, .at = -1 };
	int calls, i;
	zx_status_t rs;

	/* The dry run: which calls, and the open works. */
	t.old = spawn_marked(1);
	ASSERT_LT(0, t.old);
	t.pidfd = pidfd_open(t.old, 0);
	ASSERT_LE(0, t.pidfd);
	t.at = 1000;
	ASSERT_EQ(0, trapped_run(&t));
	ASSERT_EQ(ZX_OK, t.st);
	EXPECT_EQ(ZX_ERR_BAD_STATE, (marker_of(t.h, &rs), rs));
	zx_handle_close(t.h);
	close(t.pidfd);
	target_reap(t.fresh);
	calls = t.seen;
	TH_LOG("zxproc_process_open_pidfd() makes %d system calls:%s", calls, nr_list(&t));
	ASSERT_LT(0, calls);

	for (i = 0; i < calls; i++) {
		t = (struct trap){ .by_pidfd = true, .at = i };
		t.old = spawn_marked(1);
		ASSERT_LT(0, t.old);
		t.pidfd = pidfd_open(t.old, 0);
		ASSERT_LE(0, t.pidfd);
		ASSERT_EQ(0, trapped_run(&t)) TH_LOG("call %d: could not recycle the pid", i);
		ASSERT_EQ(t.old, t.fresh);
		EXPECT_EQ(ZX_ERR_NOT_FOUND, t.st)
			TH_LOG("recycled at system call %d (nr %d): %s", i, t.nrs[i],
			       zx_status_get_string(t.st));
		EXPECT_EQ(77u, t.h);
		if (t.st == ZX_OK) {
			TH_LOG("the handle reads marker %llu",
			       (unsigned long long)marker_of(t.h, &rs));
			zx_handle_close(t.h);
		}
		close(t.pidfd);
		target_reap(t.fresh);
	}
}

/*
 * By pid, for comparison: recycled at or before the PROCESS_OPEN ioctl
 * (held at its entry), the handle names the stranger (marker 2); after
 * it, the old process (BAD_STATE).  Both sides of the race, each forced.
 */
TEST_F_TIMEOUT(race, reuse_at_every_system_call_of_open_by_pid, 300)
{
	struct trap t = { .at = 1000 };
	int calls, ioctl_at = -1, i;
	zx_status_t rs;
	uint64_t m;

	t.old = spawn_marked(1);
	ASSERT_LT(0, t.old);
	ASSERT_EQ(0, trapped_run(&t));
	ASSERT_EQ(ZX_OK, t.st);
	zx_handle_close(t.h);
	target_reap(t.fresh);
	calls = t.seen;
	for (i = 0; i < calls && ioctl_at < 0; i++)
		if (t.nrs[i] == __NR_ioctl)
			ioctl_at = i;
	TH_LOG("zxproc_process_open() makes %d system calls:%s; the ioctl is #%d",
	       calls, nr_list(&t), ioctl_at);
	ASSERT_LE(0, ioctl_at);

	for (i = 0; i <= calls; i++) {
		t = (struct trap){ .at = i };
		t.old = spawn_marked(1);
		ASSERT_LT(0, t.old);
		ASSERT_EQ(0, trapped_run(&t)) TH_LOG("call %d: could not recycle the pid", i);
		ASSERT_EQ(t.old, t.fresh);
		ASSERT_EQ(ZX_OK, t.st) TH_LOG("recycled at system call %d", i);
		m = marker_of(t.h, &rs);
		if (i <= ioctl_at) {
			EXPECT_EQ(2u, m) TH_LOG("recycled at system call %d: %s", i,
						zx_status_get_string(rs));
		} else {
			EXPECT_EQ(ZX_ERR_BAD_STATE, rs) TH_LOG("recycled at system call %d: marker %llu",
							      i, (unsigned long long)m);
		}
		zx_handle_close(t.h);
		target_reap(t.fresh);
	}
}

RACE_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_PROCESS_OPEN: what a handle is, which pids name which
 * process, which arguments are refused, and who may mint a handle
 * (CAP_SYS_PTRACE over the target's user namespace, in the caller's
 * credentials and in the opener's of /dev/zxproc; the caller's own
 * process always).  Refusals must leave no descriptor behind; grants are
 * proven by writing through the handle and reading the target back.
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define HANDLE_LINK "anon_inode:[zxproc-process]"

FIXTURE(open) {
	int dev;
	pid_t target;
	uint8_t *region;	/* one page, pattern 3, in every target */
	uint8_t *src;		/* one page, pattern 4 */
};

FIXTURE_SETUP(open)
{
	self->region = zx_map(zx_page(), PROT_READ | PROT_WRITE, 3);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(zx_page(), PROT_READ | PROT_WRITE, 4);
	ASSERT_NE(MAP_FAILED, self->src);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
}

FIXTURE_TEARDOWN(open)
{
	zx_reap(self->target);
	close(self->dev);
}

/*
 * Prove @h reaches process @pid (for /proc/@pid/mem: a live thread of
 * it, since a zombie leader's mem file reads nothing): write 64 bytes of the source into its
 * copy of the region, read them back through /proc/PID/mem, restore.
 * Returns 0 or a step number.
 */
static int reaches(FIXTURE_DATA(open) *self, int h, pid_t pid)
{
	uint8_t back[64];
	uint64_t actual = 0;

	if (zx_write(h, zx_ptr(self->region), self->src, 64, &actual) || actual != 64)
		return 1;
	if (zx_peek(pid, zx_ptr(self->region), back, 64) != 64 ||
	    memcmp(back, self->src, 64))
		return 2;
	if (zx_write(h, zx_ptr(self->region), self->region, 64, &actual))
		return 3;
	return zx_differs(pid, zx_ptr(self->region), self->region, zx_page()) == -1 ? 0 : 4;
}

TEST_F(open, handle_is_cloexec_anon_inode)
{
	struct zxproc_info info;
	char path[64], link[128];
	ssize_t n;
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);

	ASSERT_LE(0, h);
	EXPECT_EQ(FD_CLOEXEC, fcntl(h, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", h);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ(HANDLE_LINK, link);
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(self->target, info.pid);
	EXPECT_EQ(ZXPROC_RIGHTS_ALL, info.rights);
	EXPECT_EQ((__u32)ZXPROC_OBJ_TYPE_PROCESS, info.type);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(0, reaches(self, h, self->target));
	close(h);
}

/* A target with a second thread, whose id it reports over a pipe. */
struct threaded {
	int fd;
	bool leader_exits;
};

static void *thread_main(void *p)
{
	struct threaded *t = p;
	pid_t tid = gettid();

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (write(t->fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

static pid_t spawn_threaded(bool leader_exits, pid_t *tid)
{
	struct threaded t = { .leader_exits = leader_exits };
	pthread_t thread;
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		t.fd = p[1];
		if (pthread_create(&thread, NULL, thread_main, &t))
			_exit(1);
		if (t.leader_exits)
			pthread_exit(NULL);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], tid, sizeof(*tid)) != sizeof(*tid))
		*tid = -1;
	close(p[0]);
	return pid;
}

/* The state letter of /proc/PID/task/TID/stat. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	if (zx_read_file(path, buf, sizeof(buf)) <= 0)
		return '?';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : '?';
}

TEST_F(open, thread_id_names_its_process)
{
	struct zxproc_info info;
	pid_t tid, pid = spawn_threaded(false, &tid);
	int h;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, tid);
	ASSERT_NE(pid, tid);
	h = zx_open(self->dev, tid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h) TH_LOG("open tid %d: %s", tid, strerror(-h));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(0, reaches(self, h, pid));
	close(h);
	zx_reap(pid);
}

/* The main thread gone (a zombie leader), the process lives on. */
TEST_F(open, process_whose_leader_exited_still_opens)
{
	struct zxproc_info info;
	pid_t tid, pid = spawn_threaded(true, &tid);
	int h;

	ASSERT_LT(0, pid);
	ASSERT_LT(0, tid);
	/* A state to reach, not a race: the harness's timeout bounds it. */
	while (task_state(pid, pid) != 'Z')
		usleep(10000);
	h = zx_open(self->dev, pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h) TH_LOG("open %d: %s", pid, strerror(-h));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(pid, info.pid);
	EXPECT_EQ(0U, info.flags);
	EXPECT_EQ(0, reaches(self, h, tid));
	close(h);
	zx_reap(pid);
}

TEST_F(open, bad_arguments_are_einval)
{
	static const uint32_t bad_rights[] = {
		1u << 4, 1u << 14, 1u << 16, ZXPROC_RIGHT_SAME_RIGHTS,
		ZXPROC_RIGHT_SAME_RIGHTS | ZXPROC_RIGHT_READ, 0xffffffffu,
	};
	struct zxproc_open req;
	int before = zx_count_fds();
	size_t i;

	for (i = 0; i < sizeof(bad_rights) / sizeof(bad_rights[0]); i++)
		EXPECT_EQ(-EINVAL, zx_open(self->dev, self->target, bad_rights[i]))
			TH_LOG("rights %#x", bad_rights[i]);
	req = (struct zxproc_open){ .pid = self->target, .rights = ZXPROC_RIGHT_READ, .flags = 1 };
	EXPECT_EQ(-EINVAL, zx_ioctl(self->dev, ZXPROC_IOC_PROCESS_OPEN, &req));
	req = (struct zxproc_open){ .pid = self->target, .rights = ZXPROC_RIGHT_READ, .flags = 1u << 31 };
	EXPECT_EQ(-EINVAL, zx_ioctl(self->dev, ZXPROC_IOC_PROCESS_OPEN, &req));
	req = (struct zxproc_open){ .pid = self->target, .rights = ZXPROC_RIGHT_READ, .reserved = 1 };
	EXPECT_EQ(-EINVAL, zx_ioctl(self->dev, ZXPROC_IOC_PROCESS_OPEN, &req));
	EXPECT_EQ(-EINVAL, zx_open(self->dev, 0, ZXPROC_RIGHT_READ));
	EXPECT_EQ(-EINVAL, zx_open(self->dev, -1, ZXPROC_RIGHT_READ));
	EXPECT_EQ(-EINVAL, zx_open(self->dev, -self->target, ZXPROC_RIGHT_READ));
	EXPECT_EQ(-EINVAL, zx_open(self->dev, INT_MIN, ZXPROC_RIGHT_READ));
	EXPECT_EQ(before, zx_count_fds());
}

/* No rights at all is a valid (if useless) handle. */
TEST_F(open, no_rights_is_a_valid_handle)
{
	struct zxproc_info info;
	uint64_t actual = ZX_SENTINEL;
	int h = zx_open(self->dev, self->target, 0);

	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(0U, info.rights);
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->region), self->region, zx_page()));
	close(h);
}

TEST_F(open, nonexistent_pid_is_esrch)
{
	int before = zx_count_fds();
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	ASSERT_LT(0, gone);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	EXPECT_EQ(-ESRCH, zx_open(self->dev, gone, ZXPROC_RIGHT_READ));
	/* Above any pid_max the kernel allows (PID_MAX_LIMIT is 4M). */
	EXPECT_EQ(-ESRCH, zx_open(self->dev, 0x3fffffff, ZXPROC_RIGHT_READ));
	EXPECT_EQ(before, zx_count_fds());
}

TEST_F(open, kernel_thread_is_eopnotsupp)
{
	char status[256];
	int before = zx_count_fds();

	/* pid 2 is kthreadd in the initial pid namespace. */
	ASSERT_LT(0, zx_read_file("/proc/2/status", status, sizeof(status)));
	ASSERT_EQ(0, strncmp(status, "Name:\tkthreadd\n", 15)) TH_LOG("%s", status);
	EXPECT_EQ(-EOPNOTSUPP, zx_open(self->dev, 2, ZXPROC_RIGHT_READ));
	EXPECT_EQ(before, zx_count_fds());
}

TEST_F(open, zombie_is_estale)
{
	siginfo_t si;
	int before = zx_count_fds();
	pid_t z = fork();

	if (z == 0)
		_exit(0);
	ASSERT_LT(0, z);
	/* Wait for the exit, but leave it a zombie. */
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, z, &si, WEXITED | WNOWAIT));
	ASSERT_EQ(z, si.si_pid);
	EXPECT_EQ(-ESTALE, zx_open(self->dev, z, ZXPROC_RIGHT_READ));
	EXPECT_EQ(before, zx_count_fds());
	waitpid(z, NULL, 0);
}

static int prep_nobody(void *unused)
{
	(void)unused;
	return zx_become_nobody();
}

static int prep_nondumpable(void *unused)
{
	(void)unused;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return -1;
	return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1;
}

struct caller {
	FIXTURE_DATA(open) *self;
	int dev;		/* /dev/zxproc opened by the fully privileged test */
	pid_t other;		/* someone else's process */
};

/* Write through a handle to our own process, check it in our memory. */
static int reaches_self(struct caller *c, int h)
{
	uint64_t actual = 0;

	if (zx_write(h, zx_ptr(c->self->region), c->self->src, 64, &actual) ||
	    actual != 64)
		return 1;
	return memcmp(c->self->region, c->self->src, 64) ? 2 : 0;
}

static int unprivileged_caller(void *p)
{
	struct caller *c = p;
	int before, h;

	CHILD_CHECK(1, zx_become_nobody() == 0);
	CHILD_CHECK(2, open(ZX_DEV_PATH, O_RDWR) < 0 && errno == EACCES);
	before = zx_count_fds();
	CHILD_CHECK(3, zx_open(c->dev, c->other, ZXPROC_RIGHTS_ALL) == -EPERM);
	CHILD_CHECK(4, zx_open(c->dev, c->other, ZXPROC_RIGHT_READ) == -EPERM);
	CHILD_CHECK(5, zx_open(c->dev, getppid(), ZXPROC_RIGHTS_ALL) == -EPERM);
	CHILD_CHECK(6, zx_count_fds() == before);
	/* Its own process: always. */
	h = zx_open(c->dev, getpid(), ZXPROC_RIGHTS_ALL);
	CHILD_CHECK(7, h >= 0);
	CHILD_CHECK(8, reaches_self(c, h) == 0);
	return 0;
}

/* Unprivileged: not even a process of the same uid; its own, yes. */
TEST_F(open, unprivileged_caller_gets_eperm_but_opens_itself)
{
	struct caller c = { .self = self, .dev = self->dev };

	c.other = zx_target_prep(prep_nobody, NULL);
	ASSERT_LT(0, c.other);
	EXPECT_EQ(0, zx_in_child(unprivileged_caller, &c));
	EXPECT_EQ(-1, zx_differs(c.other, zx_ptr(self->region), self->region, zx_page()));
	zx_reap(c.other);
}

static int nocap_fresh_dev(void *p)
{
	struct caller *c = p;
	int dev, h;

	CHILD_CHECK(1, zx_drop_cap(CAP_SYS_PTRACE) == 0);
	CHILD_CHECK(2, !zx_has_cap(CAP_SYS_PTRACE) && getuid() == 0);
	dev = zx_dev();
	CHILD_CHECK(3, dev >= 0);
	CHILD_CHECK(4, zx_open(dev, c->other, ZXPROC_RIGHTS_ALL) == -EPERM);
	CHILD_CHECK(5, zx_open(dev, getppid(), ZXPROC_RIGHT_READ) == -EPERM);
	h = zx_open(dev, getpid(), ZXPROC_RIGHTS_ALL);
	CHILD_CHECK(6, h >= 0);
	CHILD_CHECK(7, reaches_self(c, h) == 0);
	return 0;
}

/* Root (uid 0, every other capability) without CAP_SYS_PTRACE. */
TEST_F(open, root_without_cap_sys_ptrace_gets_eperm)
{
	struct caller c = { .self = self, .dev = self->dev, .other = self->target };

	EXPECT_EQ(0, zx_in_child(nocap_fresh_dev, &c));
}

static int nocap_kept_dev(void *p)
{
	struct caller *c = p;

	CHILD_CHECK(1, zx_drop_cap(CAP_SYS_PTRACE) == 0);
	CHILD_CHECK(2, !zx_has_cap(CAP_SYS_PTRACE));
	CHILD_CHECK(3, zx_open(c->dev, c->other, ZXPROC_RIGHTS_ALL) == -EPERM);
	return 0;
}

/* A device fd opened with the capability does not carry it past a drop. */
TEST_F(open, device_fd_kept_across_capability_drop_gets_eperm)
{
	struct caller c = { .self = self, .dev = self->dev, .other = self->target };
	int h;

	EXPECT_EQ(0, zx_in_child(nocap_kept_dev, &c));
	/* The same fd still serves a caller that holds the capability. */
	h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	close(h);
}

static int nocap_opener(void *p)
{
	int sock = *(int *)p, dev;

	CHILD_CHECK(1, zx_drop_cap(CAP_SYS_PTRACE) == 0);
	dev = zx_dev();
	CHILD_CHECK(2, dev >= 0);
	CHILD_CHECK(3, zx_send_fd(sock, dev) == 0);
	return 0;
}

/* The file_ns_capable() rule: the opener's credentials count too. */
TEST_F(open, device_fd_from_capless_opener_gets_eperm_for_root)
{
	int sv[2], dev, h;
	int before;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, zx_in_child(nocap_opener, &sv[1]));
	dev = zx_recv_fd(sv[0]);
	ASSERT_LE(0, dev);
	ASSERT_TRUE(zx_has_cap(CAP_SYS_PTRACE));
	before = zx_count_fds();
	EXPECT_EQ(-EPERM, zx_open(dev, self->target, ZXPROC_RIGHTS_ALL));
	EXPECT_EQ(before, zx_count_fds());
	/* Our own process is still fine through it. */
	h = zx_open(dev, getpid(), ZXPROC_RIGHT_READ);
	EXPECT_LE(0, h);
	if (h >= 0)
		close(h);
	/* And the same request through our own device fd works. */
	h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	close(h);
	close(dev);
	close(sv[0]);
	close(sv[1]);
}

/* Root with CAP_SYS_PTRACE in the initial namespace opens anything. */
TEST_F(open, nondumpable_target_opens_for_root)
{
	pid_t nd = zx_target_prep(prep_nondumpable, NULL);
	int h;

	ASSERT_LT(0, nd);
	h = zx_open(self->dev, nd, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h) TH_LOG("open non-dumpable %d: %s", nd, strerror(-h));
	EXPECT_EQ(0, reaches(self, h, nd));
	close(h);
	zx_reap(nd);
}

static int userns_caller(void *p)
{
	struct caller *c = p;
	pid_t inside, nd;
	int h;

	/*
	 * The kernel refuses CLONE_NEWUSER in a chroot, and tests/vm/run's
	 * guest runs its commands chrooted into the host's tree: move to
	 * pid 1's root first (this child needs no file after that).
	 */
	if (zx_chrooted() && (chroot("/proc/1/root") || chdir("/")))
		return ZX_CHILD_SKIP;
	if (unshare(CLONE_NEWUSER)) {
		if (errno == EPERM && zx_chrooted())
			return ZX_CHILD_SKIP;
		CHILD_CHECK(1, !"unshare(CLONE_NEWUSER)");
	}
	CHILD_CHECK(2, zx_has_cap(CAP_SYS_PTRACE));	/* in the new namespace */
	/* The process outside: its user namespace is not ours. */
	CHILD_CHECK(3, zx_open(c->dev, c->other, ZXPROC_RIGHTS_ALL) == -EPERM);
	/* A process made inside: ours to open. */
	inside = zx_target();
	CHILD_CHECK(4, inside > 0);
	h = zx_open(c->dev, inside, ZXPROC_RIGHTS_ALL);
	CHILD_CHECK(5, h >= 0);
	close(h);
	/*
	 * A non-dumpable one made inside: its address space still belongs
	 * to the initial namespace (fork keeps the mm's user_ns), where we
	 * hold nothing.
	 */
	nd = zx_target_prep(prep_nondumpable, NULL);
	CHILD_CHECK(6, nd > 0);
	CHILD_CHECK(7, zx_open(c->dev, nd, ZXPROC_RIGHTS_ALL) == -EPERM);
	zx_reap(nd);
	zx_reap(inside);
	return 0;
}

/* Capabilities in a child user namespace reach only that namespace. */
TEST_F(open, user_namespace_capabilities_reach_only_their_namespace)
{
	struct caller c = { .self = self, .dev = self->dev, .other = self->target };
	int ret = zx_in_child(userns_caller, &c);

	if (ret == ZX_CHILD_SKIP)
		SKIP(return, "unshare(CLONE_NEWUSER) is refused in a chroot, and this test runs chrooted with no way out to pid 1's root");
	EXPECT_EQ(0, ret);
}

struct pidns {
	int dev;
	int sock;	/* the handle travels here */
	int pidpipe;	/* the outer pid travels here */
	int pipe;	/* a byte here lets pid 1 exit */
	uint8_t *region;
	uint8_t *src;
};

/* pid 1 of a new pid namespace. */
static int pidns_init(void *p)
{
	struct pidns *a = p;
	struct zxproc_info info;
	uint64_t actual = 0;
	char byte;
	int h;

	CHILD_CHECK(10, getpid() == 1);
	h = zx_open(a->dev, 1, ZXPROC_RIGHTS_ALL);
	CHILD_CHECK(11, h >= 0);
	CHILD_CHECK(12, zx_info(h, &info) == 0 && info.pid == 1);
	CHILD_CHECK(13, zx_write(h, zx_ptr(a->region), a->src, 64, &actual) == 0);
	CHILD_CHECK(14, actual == 64 && memcmp(a->region, a->src, 64) == 0);
	/* kthreadd's pid 2 is not in this namespace. */
	CHILD_CHECK(15, zx_open(a->dev, 2, ZXPROC_RIGHT_READ) == -ESRCH);
	CHILD_CHECK(16, zx_send_fd(a->sock, h) == 0);
	CHILD_CHECK(17, read(a->pipe, &byte, 1) == 1);
	return 0;
}

/* Pids are the caller's: pid 1 in a new namespace is that namespace's. */
TEST_F(open, pid_is_read_in_callers_pid_namespace)
{
	struct pidns a = { .dev = self->dev, .region = self->region, .src = self->src };
	struct zxproc_info info;
	int sv[2], p[2], pp[2], h;
	pid_t outer = 0;
	pid_t c;
	int status;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(pp));
	a.sock = sv[1];
	a.pidpipe = pp[1];
	a.pipe = p[0];
	c = fork();
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(zx_pidns_run(pidns_init, &a, a.pidpipe));
	}
	ASSERT_LT(0, c);
	ASSERT_EQ(sizeof(outer), (size_t)read(pp[0], &outer, sizeof(outer)));
	h = zx_recv_fd(sv[0]);
	ASSERT_LE(0, h);
	/* In our namespace the same handle names the outer pid. */
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(outer, info.pid);
	EXPECT_EQ(1, write(p[1], "x", 1));
	ASSERT_EQ(c, waitpid(c, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(h);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * A handle is bound to the address space it was checked against: after
 * the target execs or exits, every access fails with ESTALE, nothing is
 * written into the new image, and INFO reports ZXPROC_INFO_STALE (and
 * pid 0 once the process is reaped: its number may be reused).  This is
 * the /proc/PID/mem lesson (CVE-2012-0056).
 */
#include <pthread.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define NEW_IMAGE "/bin/sleep"

FIXTURE(exec) {
	int dev;
	size_t page;
	uint8_t *region;	/* 2 pages, pattern 91 */
	uint8_t *src;		/* 2 pages, pattern 92 */
	pid_t pid;
	int go;			/* a byte here: exec (or exit) now */
	int done;		/* EOF here: the exec happened */
};

FIXTURE_SETUP(exec)
{
	self->page = zx_page();
	self->region = zx_map(2 * self->page, PROT_READ | PROT_WRITE, 91);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(2 * self->page, PROT_READ, 92);
	ASSERT_NE(MAP_FAILED, self->src);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(exec)
{
	zx_reap(self->pid);
	close(self->dev);
}

struct exec_how {
	int go, done;
	bool from_thread;	/* exec from a second thread (de_thread) */
	bool exit_instead;
};

static void *exec_now(void *p)
{
	(void)p;
	execl(NEW_IMAGE, "sleep", "1000", (char *)NULL);
	_exit(127);
}

/*
 * Fork a target that, on a byte from us, execs NEW_IMAGE (or exits).
 * The done pipe is close-on-exec: EOF on it means the exec went through.
 */
static pid_t spawn(FIXTURE_DATA(exec) *self, bool from_thread, bool exit_instead)
{
	int go[2], done[2];
	pthread_t t;
	pid_t pid;
	char c;

	if (pipe2(go, O_CLOEXEC) || pipe2(done, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(done[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (exit_instead)
			_exit(0);
		if (from_thread) {
			if (pthread_create(&t, NULL, exec_now, NULL))
				_exit(1);
			for (;;)
				pause();
		}
		exec_now(NULL);
	}
	close(go[0]);
	close(done[1]);
	self->go = go[1];
	self->done = done[0];
	return pid;
}

/* Let the target go, and wait until it has exec'd NEW_IMAGE. */
static int wait_exec(FIXTURE_DATA(exec) *self)
{
	char comm[32], path[64], c;
	int i;

	if (write(self->go, "g", 1) != 1 || read(self->done, &c, 1) != 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/comm", self->pid);
	for (i = 0; i < 200; i++) {
		if (zx_read_file(path, comm, sizeof(comm)) > 0 && !strcmp(comm, "sleep\n"))
			return 0;
		usleep(10000);
	}
	return -1;
}

/* Start of the first private writable mapping of @pid (data of the new image). */
static uint64_t first_rw(pid_t pid)
{
	char path[64], line[512];
	unsigned long long s = 0, e;
	char perms[8];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) == 3 && !strcmp(perms, "rw-p"))
			break;
		else
			s = 0;
	fclose(f);
	return s;
}

/*
 * The exec'd target: stale handle refused both ways, the new image
 * unchanged at the address we tried, INFO says STALE; a handle made
 * now works (so the refusal is about staleness, not the address).
 */
static void check_stale_after_exec(struct __test_metadata *_metadata,
				   FIXTURE_DATA(exec) *self, int h)
{
	uint8_t before[64], after[64], buf[64];
	struct zxproc_info info;
	uint64_t addr = first_rw(self->pid), actual;
	int fresh;

	ASSERT_NE(0U, addr);
	ASSERT_EQ((ssize_t)sizeof(before), zx_peek(self->pid, addr, before, sizeof(before)));
	ASSERT_NE(0, memcmp(before, self->src, sizeof(before)));

	actual = 0;
	EXPECT_EQ(-ESTALE, zx_write(h, addr, self->src, sizeof(before), &actual));
	EXPECT_EQ(-ESTALE, zx_mem(h, ZXPROC_IOC_WRITE, addr, self->src, sizeof(before),
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	/* Where the old image had memory, too. */
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(-ESTALE, zx_read(h, addr, buf, sizeof(buf), &actual));
	EXPECT_EQ(-1, zx_not_all(buf, 0xaa, sizeof(buf)));
	ASSERT_EQ((ssize_t)sizeof(after), zx_peek(self->pid, addr, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));

	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
	EXPECT_EQ(self->pid, info.pid);
	EXPECT_EQ(ZXPROC_RIGHTS_ALL, info.rights);

	/* A duplicate of a stale handle is just as stale. */
	int d = zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0);

	if (d >= 0) {
		EXPECT_EQ(-ESTALE, zx_write(d, addr, self->src, 8, &actual));
		close(d);
	}

	fresh = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, fresh);
	ASSERT_EQ(0, zx_info(fresh, &info));
	EXPECT_EQ(0U, info.flags);
	ASSERT_EQ(0, zx_read(fresh, addr, buf, sizeof(buf), &actual));
	EXPECT_EQ(0, memcmp(buf, before, sizeof(buf)));
	close(fresh);
}

TEST_F(exec, handle_is_stale_after_exec)
{
	struct zxproc_info info;
	uint64_t actual = 0;
	int h;

	self->pid = spawn(self, false, false);
	ASSERT_LT(0, self->pid);
	h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	/* Before the exec the handle works. */
	ASSERT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(0U, info.flags);
	ASSERT_EQ(0, wait_exec(self));
	check_stale_after_exec(_metadata, self, h);
	close(h);
}

/* Exec from a thread other than the leader: same pid, new image. */
TEST_F(exec, handle_is_stale_after_exec_from_a_thread)
{
	int h;

	self->pid = spawn(self, true, false);
	ASSERT_LT(0, self->pid);
	h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, wait_exec(self));
	check_stale_after_exec(_metadata, self, h);
	close(h);
}

TEST_F(exec, handle_is_stale_after_exit)
{
	struct zxproc_info info;
	uint8_t buf[64];
	uint64_t actual = 0;
	siginfo_t si;
	int h;

	self->pid = spawn(self, false, true);
	ASSERT_LT(0, self->pid);
	h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	ASSERT_EQ(1, write(self->go, "g", 1));
	memset(&si, 0, sizeof(si));
	ASSERT_EQ(0, waitid(P_PID, self->pid, &si, WEXITED | WNOWAIT));

	/* A zombie: */
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(-ESTALE, zx_read(h, zx_ptr(self->region), buf, sizeof(buf), &actual));
	EXPECT_EQ(-1, zx_not_all(buf, 0xaa, sizeof(buf)));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
	EXPECT_EQ(self->pid, info.pid);

	/* Reaped: the number is free for reuse, so INFO no longer names it. */
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(-ESTALE, zx_read(h, zx_ptr(self->region), buf, sizeof(buf), &actual));
	EXPECT_EQ(-1, zx_not_all(buf, 0xaa, sizeof(buf)));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
	EXPECT_EQ(0, info.pid);
	self->pid = 0;
	close(h);
}

/*
 * ESTALE is an error "found after the arguments were accepted", so the
 * header says @actual is written back, counting what was copied: 0.
 */
TEST_F(exec, estale_writes_back_actual)
{
	uint8_t buf[64];
	uint64_t actual;
	int h;

	self->pid = spawn(self, false, false);
	ASSERT_LT(0, self->pid);
	h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, wait_exec(self));
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_read(h, zx_ptr(self->region), buf, sizeof(buf), &actual));
	EXPECT_EQ(0U, actual);
	close(h);
}

/*
 * Once the target is reaped its pid number is free, and the kernel may
 * give it to a new process (a held struct pid does not reserve the
 * number).  The old handle must never reach the newcomer.
 */
TEST_F(exec, handle_never_reaches_a_process_reusing_the_pid)
{
	struct zxproc_info info;
	uint64_t actual = 0;
	char last[32];
	pid_t old, reuse = -1;
	int h, i;

	old = zx_target();
	ASSERT_LT(0, old);
	h = zx_open(self->dev, old, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	zx_reap(old);
	/* ns_last_pid: the next fork gets old (checkpoint/restore's knob). */
	for (i = 0; i < 5 && reuse != old; i++) {
		zx_reap(reuse);
		snprintf(last, sizeof(last), "%d", old - 1);
		if (zx_write_file("/proc/sys/kernel/ns_last_pid", last))
			break;
		reuse = zx_target();
		ASSERT_LT(0, reuse);
	}
	if (reuse != old) {
		zx_reap(reuse);
		SKIP(return, "could not get pid %d again through ns_last_pid", old);
	}
	self->pid = reuse;
	TH_LOG("pid %d now names a new process", old);

	EXPECT_EQ(-ESTALE, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(-1, zx_differs(reuse, zx_ptr(self->region), self->region, 2 * self->page));
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(ZXPROC_INFO_STALE, info.flags);
	EXPECT_EQ(0, info.pid);	/* the number is the newcomer's now */
	/* A new handle does reach the newcomer. */
	close(h);
	h = zx_open(self->dev, reuse, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(64U, actual);
	close(h);
}

/* The effective uid in /proc/PID/status, or -1. */
static long euid_of(pid_t pid)
{
	char path[64], buf[2048], *p;
	long r, e;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (zx_read_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "\nUid:");
	if (!p || sscanf(p, "\nUid: %ld %ld", &r, &e) != 2)
		return -1;
	return e;
}

struct suid {
	int dev;	/* opened by root before the children dropped privileges */
	int sock, rsock;	/* the handle travels from sock to rsock */
	int stdin_fd;	/* the new image's stdin: a pipe nobody writes */
	int done;	/* close-on-exec: EOF means the exec happened */
	int go, result;	/* the holder's orders and answer */
	uint64_t addr;
};

/* Nobody opens its own process, hands the handle out, execs setuid root. */
static int suid_victim(void *p)
{
	struct suid *a = p;
	int h;

	CHILD_CHECK(1, zx_become_nobody() == 0);
	h = zx_open(a->dev, getpid(), ZXPROC_RIGHTS_ALL);
	CHILD_CHECK(2, h >= 0);
	CHILD_CHECK(3, zx_send_fd(a->sock, h) == 0);
	CHILD_CHECK(4, dup2(a->stdin_fd, 0) == 0);
	execl("/usr/bin/passwd", "passwd", (char *)NULL);
	return 5;
}

/* Another nobody process holds the handle and tries the new image. */
static int suid_holder(void *p)
{
	struct suid *a = p;
	uint8_t junk[64];
	uint64_t actual;
	int h, ret;

	memset(junk, 0xe7, sizeof(junk));
	CHILD_CHECK(1, zx_become_nobody() == 0);
	h = zx_recv_fd(a->rsock);
	CHILD_CHECK(2, h >= 0);
	CHILD_CHECK(3, read(a->go, &a->addr, sizeof(a->addr)) == sizeof(a->addr));
	ret = zx_write(h, a->addr, junk, sizeof(junk), &actual);
	CHILD_CHECK(4, write(a->result, &ret, sizeof(ret)) == sizeof(ret));
	return 0;
}

static pid_t fork_run(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(arg));
	}
	return pid;
}

/*
 * CVE-2012-0056's shape: an unprivileged process opens itself (always
 * allowed), gives the handle away, and execs a setuid-root program.  The
 * handle must not reach the privileged image.
 */
TEST_F(exec, own_handle_is_stale_after_setuid_exec)
{
	struct suid a = { .dev = self->dev };
	int sv[2], in[2], done[2], go[2], res[2], ret = 0;
	uint8_t before[64], after[64];
	pid_t holder;
	char c;

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(res));
	a.sock = sv[1];
	a.rsock = sv[0];
	a.stdin_fd = in[0];
	a.go = go[0];
	a.result = res[1];
	holder = fork_run(suid_holder, &a);
	ASSERT_LT(0, holder);
	/* Made after the holder's fork, so that only the victim has it. */
	ASSERT_EQ(0, pipe2(done, O_CLOEXEC));
	self->pid = fork_run(suid_victim, &a);
	ASSERT_LT(0, self->pid);
	close(done[1]);
	ASSERT_EQ(0, read(done[0], &c, 1));	/* exec'd (or died) */
	usleep(200 * 1000);
	if (euid_of(self->pid) != 0) {
		zx_reap(holder);
		SKIP(return, "/usr/bin/passwd did not stay running as root (euid %ld)",
		     euid_of(self->pid));
	}
	a.addr = first_rw(self->pid);
	ASSERT_NE(0U, a.addr);
	ASSERT_EQ((ssize_t)sizeof(before), zx_peek(self->pid, a.addr, before, sizeof(before)));
	ASSERT_EQ((ssize_t)sizeof(a.addr), write(go[1], &a.addr, sizeof(a.addr)));
	ASSERT_EQ((ssize_t)sizeof(ret), read(res[0], &ret, sizeof(ret)));
	EXPECT_EQ(-ESTALE, ret);
	ASSERT_EQ((ssize_t)sizeof(after), zx_peek(self->pid, a.addr, after, sizeof(after)));
	EXPECT_EQ(0, memcmp(before, after, sizeof(before)));
	EXPECT_EQ(0, euid_of(self->pid));	/* still the privileged image */
	zx_reap(holder);
}

TEST_HARNESS_MAIN

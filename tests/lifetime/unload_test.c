// SPDX-License-Identifier: GPL-2.0
/*
 * The module cannot be unloaded while anything can still reach its code,
 * and unloads once nothing can; then it is loaded again for the suites
 * that follow (this suite unloads the module, so it is a suite of its
 * own, and every test leaves the module loaded, even when it fails).
 *
 * Every file the module made holds a module reference (fops->owner):
 * /dev/zxproc opened, and each process handle.  So does, for as long as
 * it runs, every ioctl on such a file (it holds the file).  Tested,
 * with delete_module(O_NONBLOCK) as rmmod(8) calls it, for each holder
 * alone: the device descriptor; a handle; a handle whose target is
 * gone; a handle held only by a unix socket (in flight, not yet
 * received); a handle held only by a child that inherited it; an ioctl
 * still running after its descriptor was closed.  While held: EWOULDBLOCK,
 * and the holder still works.  Once released: the unload succeeds,
 * /dev/zxproc and /sys/module/zxproc disappear, and a reload brings both
 * back.
 *
 * The suites after this one share the guest, so the module is put back
 * whatever happens: by each test's teardown (which the harness runs
 * after a failed ASSERT too), and once more when the suite's own process
 * exits, for a test the harness killed (its timeout) before its
 * teardown could run.
 */
#include <pthread.h>
#include <sys/stat.h>

#include "../races/race.h"
#include "kselftest_harness.h"

ZX_RESTORE_MODULE_AT_EXIT

/* Wait (up to 10 s) for deferred releases to bring refcnt to @want. */
static int refcnt_becomes(int want)
{
	long long end = zx_now_ms() + 10000;
	int now;

	while ((now = zx_module_refcnt()) != want && zx_now_ms() < end)
		usleep(10000);
	return now;
}

/* Refused now, still loaded; then, after @release, unloaded for real. */
#define EXPECT_HELD() do { \
	EXPECT_EQ(-EWOULDBLOCK, zx_module_unload()); \
	EXPECT_TRUE(zx_module_loaded()); \
} while (0)

#define EXPECT_UNLOADS() do { \
	ASSERT_EQ(0, refcnt_becomes(0)); \
	ASSERT_EQ(0, zx_module_unload()); \
	EXPECT_FALSE(zx_module_loaded()); \
	EXPECT_NE(0, access(ZX_DEV_PATH, F_OK)); \
	ASSERT_EQ(0, zx_module_load()); \
	EXPECT_TRUE(zx_module_loaded()); \
	EXPECT_EQ(0, access(ZX_DEV_PATH, F_OK)); \
} while (0)

FIXTURE(unload) {
	pid_t target;
	uint8_t *region;	/* shared with the target: writes are visible */
	long long t0;
};

FIXTURE_SETUP(unload)
{
	self->t0 = zx_now_ms();
	if (!zx_module_loaded())
		ASSERT_EQ(0, zx_module_load());
	/* Nothing of an earlier test may still hold the module. */
	ASSERT_EQ(0, refcnt_becomes(0));
	self->region = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
}

FIXTURE_TEARDOWN(unload)
{
	zx_reap(self->target);
	/* Whatever happened, leave the module loaded for later suites. */
	if (!zx_module_loaded() && zx_module_load())
		TH_LOG("could not load %s again: later suites will fail", zx_module_path());
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* Write one byte through @h and see it land in the shared region. */
static bool handle_works(FIXTURE_DATA(unload) *self, int h, uint8_t v)
{
	uint64_t actual = 0;

	return zx_write(h, zx_ptr(self->region), &v, 1, &actual) == 0 &&
	       actual == 1 && self->region[0] == v;
}

TEST_F(unload, refcnt_counts_files_not_descriptors)
{
	int dev, h, copy, d;

	dev = zx_dev();
	ASSERT_LE(0, dev);
	EXPECT_EQ(1, zx_module_refcnt());
	h = zx_open(dev, self->target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	EXPECT_EQ(2, zx_module_refcnt());
	copy = dup(h);			/* the same file */
	EXPECT_EQ(2, zx_module_refcnt());
	d = zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0);	/* a new file */
	ASSERT_LE(0, d);
	EXPECT_EQ(3, zx_module_refcnt());
	close(copy);
	close(d);
	close(h);
	close(dev);
	EXPECT_EQ(0, refcnt_becomes(0));
}

TEST_F(unload, device_descriptor_blocks_unload)
{
	struct zxproc_version v;
	int dev = zx_dev();

	ASSERT_LE(0, dev);
	EXPECT_HELD();
	EXPECT_EQ(0, zx_ioctl(dev, ZXPROC_IOC_GET_VERSION, &v));
	close(dev);
	EXPECT_UNLOADS();
}

TEST_F(unload, handle_blocks_unload)
{
	int h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);

	ASSERT_LE(0, h);
	EXPECT_EQ(1, zx_module_refcnt());		/* the device is closed already */
	EXPECT_HELD();
	EXPECT_TRUE(handle_works(self, h, 0x11));
	close(h);
	EXPECT_UNLOADS();
}

TEST_F(unload, stale_handle_blocks_unload)
{
	int h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	struct zxproc_info info;

	ASSERT_LE(0, h);
	zx_reap(self->target);
	self->target = -1;
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_TRUE(info.flags & ZXPROC_INFO_STALE);
	EXPECT_HELD();
	close(h);
	EXPECT_UNLOADS();
}

TEST_F(unload, handle_in_flight_in_unix_socket_blocks_unload)
{
	int sv[2], h, got;

	/* In flight, then received: it still works after the refusal. */
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_send_fd(sv[0], h));
	close(h);
	EXPECT_EQ(1, zx_module_refcnt());
	EXPECT_HELD();
	got = zx_recv_fd(sv[1]);
	ASSERT_LE(0, got);
	EXPECT_TRUE(handle_works(self, got, 0x22));
	close(got);

	/* In flight, then dropped with the socket: released all the same. */
	h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_send_fd(sv[0], h));
	close(h);
	EXPECT_HELD();
	close(sv[0]);
	close(sv[1]);
	EXPECT_UNLOADS();
}

TEST_F(unload, handle_inherited_by_child_blocks_unload)
{
	int h, go[2], status;
	pid_t child;
	char c;

	h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, pipe(go));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		/* Uses the handle only after the parent's unload attempt. */
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(handle_works(self, h, 0x33) ? 0 : 2);
	}
	close(go[0]);
	close(h);			/* now only the child has it */
	EXPECT_HELD();
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[1]);
	EXPECT_UNLOADS();
}

/* How many zxproc handles does process @pid have open? */
static int handles_of(pid_t pid)
{
	char dir[64], path[128], link[128];
	int fd, n = 0;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", pid);
	for (fd = 0; fd < 64; fd++) {
		ssize_t len;

		snprintf(path, sizeof(path), "%s/%d", dir, fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		n += strstr(link, "zxproc-process") != NULL;
	}
	return n;
}

/*
 * A child whose write is held (its source is a userfaultfd page nobody
 * serves) closes its last descriptor of the handle from another thread
 * once the write is held (that thread reads the fault: the write is in
 * the ioctl, past taking its file): the running ioctl still holds the
 * file, so the module stays.
 */
struct closer_arg {
	int uffd;
	int fd;
	int ready;	/* 'c' here once the descriptor is closed */
};

static void *closer(void *p)
{
	struct closer_arg *a = p;
	uint64_t at;

	if (uf_wait(a->uffd, -1, &at) == 0 && close(a->fd) == 0 &&
	    write(a->ready, "c", 1) == 1)
		return NULL;
	_exit(6);
}

TEST_F(unload, running_ioctl_blocks_unload_after_close)
{
	int ready[2], status;
	pid_t child;
	char c;

	ASSERT_EQ(0, pipe(ready));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		struct uf_stall st = { .uffd = -1 };
		struct closer_arg a;
		uint64_t actual = 0;
		pthread_t t;
		int h;

		close(ready[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (uf_stall_new(&st, 1, 0, 0x12))
			_exit(1);
		h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
		if (h < 0)
			_exit(2);
		a = (struct closer_arg){ .uffd = st.uffd, .fd = h, .ready = ready[1] };
		if (pthread_create(&t, NULL, closer, &a))
			_exit(4);
		zx_write(h, zx_ptr(self->region), st.base, 64, &actual);
		_exit(5);
	}
	close(ready[1]);
	ASSERT_EQ(1, read(ready[0], &c, 1));
	ASSERT_EQ('c', c);
	close(ready[0]);
	/* The descriptor is closed, the write still runs: held. */
	ASSERT_EQ(0, handles_of(child));
	ASSERT_EQ(0, waitpid(child, &status, WNOHANG));
	EXPECT_EQ(1, zx_module_refcnt());
	EXPECT_HELD();
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_UNLOADS();
}

RACE_HARNESS_MAIN

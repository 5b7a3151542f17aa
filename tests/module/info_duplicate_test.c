// SPDX-License-Identifier: GPL-2.0
/*
 * Handles as objects: INFO, DUPLICATE (rights never grow), passing over
 * unix sockets (rights kept exactly, the handle outlives its minter and
 * its device fd), and what is not a handle (EBADF, ENOTTY).
 */
#include <sys/eventfd.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define HANDLE_LINK "anon_inode:[zxproc-process]"
#define RW (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE)

FIXTURE(handle) {
	int dev;
	pid_t target;
	size_t page;
	uint8_t *region;	/* a page of pattern 101, also in the target */
	uint8_t *src;		/* a page of pattern 102 */
};

FIXTURE_SETUP(handle)
{
	self->page = zx_page();
	self->region = zx_map(self->page, PROT_READ | PROT_WRITE, 101);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(self->page, PROT_READ, 102);
	ASSERT_NE(MAP_FAILED, self->src);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
}

FIXTURE_TEARDOWN(handle)
{
	zx_reap(self->target);
	close(self->dev);
}

static bool target_intact(FIXTURE_DATA(handle) *self)
{
	return zx_differs(self->target, zx_ptr(self->region), self->region, self->page) == -1;
}

/*
 * What handle @h can do, tried for real: bit READ if a read works, bit
 * WRITE if a write works (it writes the target's own bytes back, so it
 * changes nothing).  Other results (not EACCES) come back negative.
 */
static int can(FIXTURE_DATA(handle) *self, int h)
{
	uint8_t buf[64];
	uint64_t actual = 0;
	int r, w, got = 0;

	r = zx_read(h, zx_ptr(self->region), buf, sizeof(buf), &actual);
	if (r == 0)
		got |= ZXPROC_RIGHT_READ;
	else if (r != -EACCES)
		return r;
	w = zx_write(h, zx_ptr(self->region), self->region, 64, &actual);
	if (w == 0)
		got |= ZXPROC_RIGHT_WRITE;
	else if (w != -EACCES)
		return w;
	return got;
}

TEST_F(handle, info_reports_rights_type_pid)
{
	static const uint32_t sets[] = {
		0, ZXPROC_RIGHT_READ, ZXPROC_RIGHT_WRITE, ZXPROC_RIGHT_INSPECT,
		ZXPROC_RIGHT_DUPLICATE | ZXPROC_RIGHT_TRANSFER, ZXPROC_RIGHTS_ALL,
	};
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct zxproc_info info;
		int h = zx_open(self->dev, self->target, sets[i]);

		ASSERT_LE(0, h);
		ASSERT_EQ(0, zx_info(h, &info));
		EXPECT_EQ(sets[i], info.rights);
		EXPECT_EQ((__u32)ZXPROC_OBJ_TYPE_PROCESS, info.type);
		EXPECT_EQ(self->target, info.pid);
		EXPECT_EQ(0U, info.flags);
		/* And the rights are what the handle can actually do. */
		EXPECT_EQ((int)(sets[i] & RW), can(self, h));
		close(h);
	}
	EXPECT_TRUE(target_intact(self));
}

TEST_F(handle, duplicate_without_the_right_is_eacces)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL & ~ZXPROC_RIGHT_DUPLICATE);
	int before;

	ASSERT_LE(0, h);
	before = zx_count_fds();
	EXPECT_EQ(-EACCES, zx_dup(h, ZXPROC_RIGHT_READ, 0));
	EXPECT_EQ(-EACCES, zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0));
	EXPECT_EQ(-EACCES, zx_dup(h, 0, 0));
	EXPECT_EQ(before, zx_count_fds());
	close(h);
}

TEST_F(handle, duplicate_gives_exactly_the_subset)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	struct zxproc_info info;
	char path[64], link[128];
	ssize_t n;
	int d;

	ASSERT_LE(0, h);
	d = zx_dup(h, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_TRANSFER, 0);
	ASSERT_LE(0, d);
	EXPECT_EQ(FD_CLOEXEC, fcntl(d, F_GETFD) & FD_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", d);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ(HANDLE_LINK, link);
	ASSERT_EQ(0, zx_info(d, &info));
	EXPECT_EQ(ZXPROC_RIGHT_READ | ZXPROC_RIGHT_TRANSFER, info.rights);
	EXPECT_EQ(self->target, info.pid);
	EXPECT_EQ((int)ZXPROC_RIGHT_READ, can(self, d));
	/* The write it refused changed nothing. */
	uint64_t actual = ZX_SENTINEL;

	EXPECT_EQ(-EACCES, zx_write(d, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_TRUE(target_intact(self));
	/* The duplicate lacks DUPLICATE: it cannot be duplicated further. */
	EXPECT_EQ(-EACCES, zx_dup(d, ZXPROC_RIGHT_READ, 0));
	close(d);

	/* The original is unchanged by having been duplicated. */
	ASSERT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(ZXPROC_RIGHTS_ALL, info.rights);

	/* A duplicate with WRITE writes the same process. */
	d = zx_dup(h, ZXPROC_RIGHT_WRITE, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zx_write(d, zx_ptr(self->region), self->src, 64, &actual));
	uint8_t *want = malloc(self->page);

	ASSERT_NE(NULL, want);
	memcpy(want, self->region, self->page);
	memcpy(want, self->src, 64);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->region), want, self->page));
	free(want);
	close(d);
	close(h);
}

TEST_F(handle, duplicate_asking_for_more_rights_is_einval)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE);
	int before;

	ASSERT_LE(0, h);
	before = zx_count_fds();
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_WRITE, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_INSPECT, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHTS_ALL, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, 1u << 4, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS | ZXPROC_RIGHT_READ, 0));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_WRITE, ZXPROC_DUP_REPLACE));
	EXPECT_EQ(before, zx_count_fds());
	EXPECT_TRUE(target_intact(self));
	close(h);
}

TEST_F(handle, duplicate_same_rights)
{
	int h = zx_open(self->dev, self->target, RW | ZXPROC_RIGHT_DUPLICATE);
	struct zxproc_info info;
	int d;

	ASSERT_LE(0, h);
	d = zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zx_info(d, &info));
	EXPECT_EQ(RW | ZXPROC_RIGHT_DUPLICATE, info.rights);
	EXPECT_EQ((int)RW, can(self, d));
	close(d);
	close(h);
}

/* REPLACE needs no DUPLICATE, and still never grows rights. */
TEST_F(handle, replace_works_without_duplicate_right)
{
	int h = zx_open(self->dev, self->target, RW);
	struct zxproc_info info;
	int r;

	ASSERT_LE(0, h);
	r = zx_dup(h, ZXPROC_RIGHT_READ, ZXPROC_DUP_REPLACE);
	ASSERT_LE(0, r);
	EXPECT_EQ(FD_CLOEXEC, fcntl(r, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, zx_info(r, &info));
	EXPECT_EQ(ZXPROC_RIGHT_READ, info.rights);
	EXPECT_EQ((int)ZXPROC_RIGHT_READ, can(self, r));
	close(r);
	r = zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, ZXPROC_DUP_REPLACE);
	ASSERT_LE(0, r);
	ASSERT_EQ(0, zx_info(r, &info));
	EXPECT_EQ(RW, info.rights);
	close(r);
	EXPECT_EQ(-EINVAL, zx_dup(h, RW | ZXPROC_RIGHT_DUPLICATE, ZXPROC_DUP_REPLACE));
	close(h);
	EXPECT_TRUE(target_intact(self));
}

TEST_F(handle, duplicate_unknown_flags_are_einval)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	int before;

	ASSERT_LE(0, h);
	before = zx_count_fds();
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_READ, 2));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_READ, ZXPROC_DUP_REPLACE | 4));
	EXPECT_EQ(-EINVAL, zx_dup(h, ZXPROC_RIGHT_READ, 1u << 31));
	EXPECT_EQ(before, zx_count_fds());
	close(h);
}

/* A handle outlives the /dev/zxproc descriptor that minted it. */
TEST_F(handle, handle_outlives_its_device_fd)
{
	int h = zx_open(self->dev, self->target, RW);

	ASSERT_LE(0, h);
	close(self->dev);
	self->dev = zx_dev();	/* for the teardown */
	EXPECT_EQ((int)RW, can(self, h));
	close(h);
}

struct minter {
	int sock;
	pid_t target;
	uint32_t rights;
};

/* In a child: mint a handle, send it, exit (taking its own fds along). */
static int mint_and_send(void *p)
{
	struct minter *m = p;
	int h = zx_handle(m->target, m->rights);

	CHILD_CHECK(1, h >= 0);
	CHILD_CHECK(2, zx_send_fd(m->sock, h) == 0);
	return 0;
}

/* SCM_RIGHTS: the received handle has exactly its rights, minter gone. */
TEST_F(handle, passed_handle_keeps_rights_after_minter_exits)
{
	static const uint32_t sets[] = { ZXPROC_RIGHT_READ, ZXPROC_RIGHT_WRITE, RW | ZXPROC_RIGHT_TRANSFER };
	size_t i;
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		struct minter m = { .sock = sv[1], .target = self->target, .rights = sets[i] };
		struct zxproc_info info;
		int h;

		/* zx_in_child() returns once the minter has exited. */
		ASSERT_EQ(0, zx_in_child(mint_and_send, &m));
		h = zx_recv_fd(sv[0]);
		ASSERT_LE(0, h);
		ASSERT_EQ(0, zx_info(h, &info));
		EXPECT_EQ(sets[i], info.rights);
		EXPECT_EQ(self->target, info.pid);
		EXPECT_EQ(0U, info.flags);
		EXPECT_EQ((int)(sets[i] & RW), can(self, h));
		close(h);
	}
	EXPECT_TRUE(target_intact(self));
	close(sv[0]);
	close(sv[1]);
}

struct holder {
	int sock;
	uint8_t *region, *src;
};

/* In a child that drops every privilege, then receives a handle. */
static int unprivileged_holder(void *p)
{
	struct holder *a = p;
	struct zxproc_info info;
	uint64_t actual = 0;
	int h;

	CHILD_CHECK(1, zx_become_nobody() == 0);
	h = zx_recv_fd(a->sock);
	CHILD_CHECK(2, h >= 0);
	CHILD_CHECK(3, zx_info(h, &info) == 0 && info.rights == ZXPROC_RIGHT_WRITE);
	CHILD_CHECK(4, zx_write(h, zx_ptr(a->region), a->src, 32, &actual) == 0 && actual == 32);
	CHILD_CHECK(5, zx_dup(h, ZXPROC_RIGHT_WRITE, 0) == -EACCES);
	return 0;
}

/*
 * A handle is a capability: the process holding it may use its rights,
 * whoever it is (as with an open /proc/PID/mem); it cannot widen them.
 */
TEST_F(handle, handle_passed_to_unprivileged_process_is_usable_within_rights)
{
	struct holder a = { .region = self->region, .src = self->src };
	uint8_t *want = malloc(self->page);
	int sv[2], h;

	ASSERT_NE(NULL, want);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	a.sock = sv[1];
	h = zx_open(self->dev, self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_send_fd(sv[0], h));
	close(h);
	EXPECT_EQ(0, zx_in_child(unprivileged_holder, &a));
	memcpy(want, self->region, self->page);
	memcpy(want, self->src, 32);
	EXPECT_EQ(-1, zx_differs(self->target, zx_ptr(self->region), want, self->page));
	free(want);
	close(sv[0]);
	close(sv[1]);
}

TEST_F(handle, closed_fd_is_ebadf)
{
	int h = zx_open(self->dev, self->target, ZXPROC_RIGHTS_ALL);
	struct zxproc_info info;
	uint64_t actual = ZX_SENTINEL;
	uint8_t buf[16];

	ASSERT_LE(0, h);
	close(h);
	EXPECT_EQ(-EBADF, zx_write(h, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_EQ(-EBADF, zx_read(h, zx_ptr(self->region), buf, sizeof(buf), &actual));
	EXPECT_EQ(-EBADF, zx_info(h, &info));
	EXPECT_EQ(-EBADF, zx_dup(h, ZXPROC_RIGHT_SAME_RIGHTS, 0));
	EXPECT_EQ(-EBADF, zx_write(-1, zx_ptr(self->region), self->src, 64, &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_TRUE(target_intact(self));
}

/*
 * Descriptors that are not handles (a regular file, a pipe, an eventfd,
 * a character device): every handle command is ENOTTY.  (Not a pidfd:
 * 6.12's pidfs answers foreign ioctls with EINVAL itself.)
 */
TEST_F(handle, non_handle_fds_are_enotty)
{
	char path[] = "/dev/shm/zxproc-handle-XXXXXX";
	struct zxproc_info info;
	uint64_t actual;
	int fds[4], p[2], i;
	uint8_t buf[16];

	fds[0] = mkstemp(path);
	ASSERT_LE(0, fds[0]);
	unlink(path);
	ASSERT_EQ(0, pipe(p));
	fds[1] = p[0];
	fds[2] = eventfd(0, EFD_CLOEXEC);
	fds[3] = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (i = 0; i < 4; i++) {
		ASSERT_LE(0, fds[i]) TH_LOG("fd %d", i);
		actual = ZX_SENTINEL;
		EXPECT_EQ(-ENOTTY, zx_write(fds[i], zx_ptr(self->region), self->src, 64, &actual))
			TH_LOG("fd %d", i);
		EXPECT_EQ(ZX_SENTINEL, actual);
		EXPECT_EQ(-ENOTTY, zx_read(fds[i], zx_ptr(self->region), buf, sizeof(buf), &actual));
		EXPECT_EQ(-ENOTTY, zx_info(fds[i], &info)) TH_LOG("fd %d", i);
		EXPECT_EQ(-ENOTTY, zx_dup(fds[i], ZXPROC_RIGHT_SAME_RIGHTS, 0)) TH_LOG("fd %d", i);
		close(fds[i]);
	}
	close(p[1]);
	EXPECT_TRUE(target_intact(self));
}

TEST_HARNESS_MAIN

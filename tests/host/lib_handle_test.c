// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Handles on a machine without the module: the fd + 1 encoding, what
 * each function says about descriptors that are not zxproc handles
 * (and that it never closes them), and ZX_ERR_NOT_SUPPORTED when
 * /dev/zxproc does not exist.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"

#define SENTINEL ((size_t)0x5a5a5a5a)

static int fd_is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

TEST(handle_is_fd_plus_one)
{
	EXPECT_EQ(1u, zxproc_handle_from_fd(0));
	EXPECT_EQ(0, zxproc_handle_fd(1));
	EXPECT_EQ(43u, zxproc_handle_from_fd(42));
	EXPECT_EQ(42, zxproc_handle_fd(43));
	EXPECT_EQ((zx_handle_t)INT_MAX + 1, zxproc_handle_from_fd(INT_MAX));
	EXPECT_EQ(INT_MAX, zxproc_handle_fd((zx_handle_t)INT_MAX + 1));
	/* Values no descriptor has. */
	EXPECT_EQ(ZX_HANDLE_INVALID, zxproc_handle_from_fd(-1));
	EXPECT_EQ(ZX_HANDLE_INVALID, zxproc_handle_from_fd(INT_MIN));
	EXPECT_EQ(-1, zxproc_handle_fd(ZX_HANDLE_INVALID));
	EXPECT_EQ(-1, zxproc_handle_fd((zx_handle_t)INT_MAX + 2));
	EXPECT_EQ(-1, zxproc_handle_fd(UINT32_MAX));
}

/*
 * With fd 0 closed, the kernel gives 0 to the next open(); its handle
 * is 1, and ZX_HANDLE_INVALID still names nothing.
 */
TEST(invalid_handle_is_never_fd_0)
{
	char buf[8] = { 0 };
	size_t actual = SENTINEL;
	int fd;

	ASSERT_EQ(0, close(0));
	fd = open("/dev/null", O_RDWR);
	ASSERT_EQ(0, fd);
	EXPECT_EQ(1u, zxproc_handle_from_fd(fd));
	EXPECT_NE(ZX_HANDLE_INVALID, zxproc_handle_from_fd(fd));

	/* fd 0 (not a handle) answers WRONG_TYPE; ZX_HANDLE_INVALID not. */
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_read_memory(zxproc_handle_from_fd(0),
					 (zx_vaddr_t)buf, buf, 8, &actual));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_read_memory(ZX_HANDLE_INVALID, (zx_vaddr_t)buf,
					 buf, 8, &actual));
	EXPECT_EQ(ZX_OK, zx_handle_close(ZX_HANDLE_INVALID));
	EXPECT_TRUE(fd_is_open(0));
	EXPECT_EQ(SENTINEL, actual);
}

FIXTURE(foreign) {
	int fds[6];
	int nr;
};

/* Descriptors of every common kind, none of them a zxproc handle. */
FIXTURE_SETUP(foreign)
{
	int p[2], s[2];

	self->nr = 0;
	ASSERT_EQ(0, pipe2(p, O_CLOEXEC));
	self->fds[self->nr++] = p[0];
	self->fds[self->nr++] = p[1];
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s));
	self->fds[self->nr++] = s[0];
	self->fds[self->nr++] = eventfd(0, EFD_CLOEXEC);
	self->fds[self->nr++] = open("/dev/null", O_RDWR | O_CLOEXEC);
	self->fds[self->nr++] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < self->nr; i++) {
		ASSERT_LE(0, self->fds[i]);
	}
}

FIXTURE_TEARDOWN(foreign)
{
}

TEST_F(foreign, close_refuses_and_keeps_fd)
{
	for (int i = 0; i < self->nr; i++) {
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_close(zxproc_handle_from_fd(self->fds[i])));
		EXPECT_TRUE(fd_is_open(self->fds[i]));
	}
}

TEST_F(foreign, replace_refuses_and_keeps_fd)
{
	for (int i = 0; i < self->nr; i++) {
		zx_handle_t out = 77;

		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_replace(zxproc_handle_from_fd(self->fds[i]),
					    ZX_RIGHT_SAME_RIGHTS, &out));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_replace(zxproc_handle_from_fd(self->fds[i]),
					    ZX_RIGHT_SAME_RIGHTS, NULL));
		EXPECT_TRUE(fd_is_open(self->fds[i]));
		EXPECT_EQ(77u, out);
	}
}

TEST_F(foreign, duplicate_and_info_refuse)
{
	for (int i = 0; i < self->nr; i++) {
		zx_handle_t h = zxproc_handle_from_fd(self->fds[i]);
		zx_info_handle_basic_t info;
		size_t actual = SENTINEL, avail = SENTINEL;
		zx_handle_t out = 77;

		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &out));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info,
					     sizeof(info), &actual, &avail));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0,
					     NULL, NULL));
		EXPECT_EQ(77u, out);
		EXPECT_EQ(SENTINEL, actual);
		EXPECT_EQ(SENTINEL, avail);
	}
}

/* For memory access, an open descriptor of another kind is WRONG_TYPE. */
TEST_F(foreign, memory_wrong_type)
{
	char buf[16];

	memset(buf, 0x33, sizeof(buf));
	for (int i = 0; i < self->nr; i++) {
		zx_handle_t h = zxproc_handle_from_fd(self->fds[i]);
		size_t actual = SENTINEL;

		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_process_write_memory(h, (zx_vaddr_t)buf, "xxxx",
						  4, &actual));
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_process_read_memory(h, (zx_vaddr_t)buf, buf,
						 sizeof(buf), &actual));
		EXPECT_EQ(SENTINEL, actual);
	}
	for (size_t i = 0; i < sizeof(buf); i++) {
		EXPECT_EQ(0x33, buf[i]);
	}
}

/* A descriptor that is not open: BAD_HANDLE everywhere. */
TEST(closed_fd)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	zx_handle_t h, out = 77;
	size_t actual = SENTINEL;
	char buf[8];

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	h = zxproc_handle_from_fd(fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(h));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(h, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(h, ZX_INFO_HANDLE_VALID, NULL, 0, NULL,
				     NULL));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_write_memory(h, (zx_vaddr_t)buf, "x", 1,
					  &actual));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_read_memory(h, (zx_vaddr_t)buf, buf, 1, &actual));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_open_pidfd(fd, ZX_RIGHT_READ, &out));
	EXPECT_EQ(77u, out);
	EXPECT_EQ(SENTINEL, actual);
}

/* A descriptor that is not a pidfd has no "Pid:" in its fdinfo. */
TEST(pidfd_of_wrong_type)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	zx_handle_t out = 77;

	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_open_pidfd(fd, ZX_RIGHT_READ, &out));
	EXPECT_EQ(77u, out);
	EXPECT_TRUE(fd_is_open(fd));
}

FIXTURE(nodevice) {
	int unused;
};

FIXTURE_SETUP(nodevice)
{
	if (access("/dev/zxproc", F_OK) == 0)
		SKIP(return, "/dev/zxproc exists here; the guest tests cover it");
}

FIXTURE_TEARDOWN(nodevice)
{
}

TEST_F(nodevice, open_not_supported)
{
	zx_handle_t out = 77;

	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zxproc_process_open(getpid(), ZX_RIGHT_READ, &out));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zxproc_process_open(1, ZXPROC_PROCESS_RIGHTS, &out));
	EXPECT_EQ(77u, out);
}

TEST_F(nodevice, pidfd_open_not_supported)
{
	int pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	zx_handle_t out = 77;

	if (pidfd < 0)
		SKIP(return, "no pidfd_open on this kernel");
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zxproc_process_open_pidfd(pidfd, ZX_RIGHT_READ, &out));
	EXPECT_EQ(77u, out);
	close(pidfd);
}

TEST_F(nodevice, module_version_not_supported)
{
	uint32_t major = 7, minor = 7, patch = 7;

	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zxproc_module_version(&major, &minor, &patch));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED, zxproc_module_version(NULL, NULL, NULL));
	EXPECT_EQ(7u, major);
	EXPECT_EQ(7u, minor);
	EXPECT_EQ(7u, patch);
}

TEST_F(nodevice, process_self_invalid)
{
	EXPECT_EQ(ZX_HANDLE_INVALID, zx_process_self());
	EXPECT_EQ(ZX_HANDLE_INVALID, zx_process_self());
}

TEST_HARNESS_MAIN

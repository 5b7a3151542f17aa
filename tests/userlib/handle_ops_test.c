// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_handle_close(), zx_handle_duplicate(), zx_handle_replace() and
 * zx_object_get_info() through the real module: every status each can
 * return, the rights rules, and which calls consume their handle.
 */
#include <pthread.h>

#include "kselftest_harness.h"
#include "target.h"

#define SENTINEL ((size_t)0x5a5a5a5a)

FIXTURE(handle) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
};

FIXTURE_SETUP(handle)
{
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
}

FIXTURE_TEARDOWN(handle)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

TEST_F(handle, close_ok)
{
	EXPECT_TRUE(handle_is_open(self->h));
	EXPECT_EQ(ZX_OK, zx_handle_close(self->h));
	EXPECT_FALSE(handle_is_open(self->h));
	/* Closing it again: the value no longer names a handle. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(self->h));
	EXPECT_EQ(ZX_OK, zx_handle_close(ZX_HANDLE_INVALID));
	self->h = ZX_HANDLE_INVALID;
}

/* Descriptors that are not handles, the device among them, stay open. */
TEST_F(handle, close_refuses_non_handles)
{
	int fds[2] = { open("/dev/zxproc", O_RDWR | O_CLOEXEC),
		       open("/dev/null", O_RDWR | O_CLOEXEC) };

	for (int i = 0; i < 2; i++) {
		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_close(zxproc_handle_from_fd(fds[i])));
		EXPECT_LE(0, fcntl(fds[i], F_GETFD));
		close(fds[i]);
	}
}

TEST_F(handle, duplicate_same_rights)
{
	zx_handle_t dup = 77;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	EXPECT_NE(self->h, dup);
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, rights_of(dup));
	EXPECT_EQ((zx_koid_t)self->pid, koid_of(dup));
	/* Independent of the source: closing one leaves the other. */
	EXPECT_EQ(ZX_OK, zx_handle_close(self->h));
	self->h = dup;
	EXPECT_EQ(ZX_OK, zx_object_get_info(dup, ZX_INFO_HANDLE_VALID, NULL,
					    0, NULL, NULL));
}

TEST_F(handle, duplicate_subsets)
{
	const zx_rights_t subsets[] = {
		ZX_RIGHT_NONE, ZX_RIGHT_READ, ZX_RIGHT_WRITE,
		ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE,
		ZX_RIGHT_TRANSFER | ZX_RIGHT_INSPECT, ZXPROC_PROCESS_RIGHTS,
	};

	for (size_t i = 0; i < sizeof(subsets) / sizeof(subsets[0]); i++) {
		zx_handle_t dup;

		ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, subsets[i], &dup));
		EXPECT_EQ(subsets[i], rights_of(dup));
		EXPECT_EQ(ZX_OK, zx_handle_close(dup));
	}
}

/* Rights never grow, and DUPLICATE is needed to duplicate. */
TEST_F(handle, duplicate_refusals)
{
	zx_handle_t ro, nodup, out = 77;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h,
			ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE, &ro));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_READ,
				      &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_EXECUTE, &out));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_READ, NULL));

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &nodup));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_handle_duplicate(nodup, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_handle_duplicate(nodup, ZX_RIGHT_NONE, &out));
	EXPECT_EQ(77u, out);
	/* Refusals consume nothing. */
	EXPECT_TRUE(handle_is_open(ro));
	EXPECT_TRUE(handle_is_open(nodup));
	zx_handle_close(ro);
	zx_handle_close(nodup);
}

TEST_F(handle, duplicate_bad_handle)
{
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	zx_handle_t out = 77, gone;

	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_duplicate(zxproc_handle_from_fd(fd),
				      ZX_RIGHT_SAME_RIGHTS, &out));
	close(fd);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &gone));
	ASSERT_EQ(ZX_OK, zx_handle_close(gone));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_duplicate(gone, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_duplicate(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS,
				      &out));
	EXPECT_EQ(77u, out);
}

TEST_F(handle, duplicate_out_of_descriptors)
{
	zx_handle_t out = 77;

	ASSERT_EQ(0, limit_fds(0));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(77u, out);
}

TEST_F(handle, replace_ok)
{
	zx_handle_t ro;

	ASSERT_EQ(ZX_OK, zx_handle_replace(self->h, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_RIGHT_READ, rights_of(ro));
	EXPECT_EQ((zx_koid_t)self->pid, koid_of(ro));
	/* The source is gone (unless its number was reused for ro). */
	if (ro != self->h) {
		EXPECT_FALSE(handle_is_open(self->h));
	}
	self->h = ro;
}

/* Replacing needs no DUPLICATE right: it gives up the source. */
TEST_F(handle, replace_without_duplicate_right)
{
	zx_handle_t ro, same;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_replace(ro, ZX_RIGHT_SAME_RIGHTS, &same));
	EXPECT_EQ(ZX_RIGHT_READ, rights_of(same));
	zx_handle_close(same);
}

/* A failed replace still consumes the source, as in Zircon. */
TEST_F(handle, replace_failure_consumes)
{
	zx_handle_t ro, out = 77;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_replace(ro, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &out));
	EXPECT_FALSE(handle_is_open(ro));
	EXPECT_EQ(77u, out);

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_replace(ro, ZX_RIGHT_SAME_RIGHTS, NULL));
	EXPECT_FALSE(handle_is_open(ro));
}

TEST_F(handle, replace_out_of_descriptors_consumes)
{
	zx_handle_t ro, out = 77;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(0, limit_fds(0));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zx_handle_replace(ro, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_FALSE(handle_is_open(ro));
	EXPECT_EQ(77u, out);
}

/* What is not a handle is not consumed. */
TEST_F(handle, replace_bad_handle)
{
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	zx_handle_t out = 77, gone;

	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(zxproc_handle_from_fd(fd),
				    ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(zxproc_handle_from_fd(fd),
				    ZX_RIGHT_SAME_RIGHTS, NULL));
	EXPECT_LE(0, fcntl(fd, F_GETFD));
	close(fd);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &gone));
	ASSERT_EQ(ZX_OK, zx_handle_close(gone));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(gone, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(ZX_HANDLE_INVALID, ZX_RIGHT_SAME_RIGHTS,
				    &out));
	EXPECT_EQ(77u, out);
}

TEST_F(handle, info_basic)
{
	zx_info_handle_basic_t info;
	size_t actual = SENTINEL, avail = SENTINEL;
	zx_handle_t ro;

	memset(&info, 0xff, sizeof(info));
	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC,
					    &info, sizeof(info), &actual,
					    &avail));
	EXPECT_EQ(1u, actual);
	EXPECT_EQ(1u, avail);
	EXPECT_EQ((zx_koid_t)self->pid, info.koid);
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, info.rights);
	EXPECT_EQ(ZX_OBJ_TYPE_PROCESS, info.type);
	EXPECT_EQ(0u, info.related_koid);
	EXPECT_EQ(0u, info.reserved);
	EXPECT_EQ(0, info.padding1[0] | info.padding1[1] | info.padding1[2] |
		     info.padding1[3]);

	/* actual and avail are optional; rights are per handle. */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_object_get_info(ro, ZX_INFO_HANDLE_BASIC, &info,
					    sizeof(info), NULL, NULL));
	EXPECT_EQ(ZX_RIGHT_READ, info.rights);
	zx_handle_close(ro);
}

/* A thread id opens its process: the koid is the process id. */
TEST(info_koid_is_process_id)
{
	int ids[2];
	pid_t pid;
	zx_handle_t h;

	ASSERT_EQ(0, pipe(ids));
	pid = fork();
	if (pid == 0) {
		pthread_t t;
		pid_t tid;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_create(&t, NULL, target_sleeper, NULL);
		/* A second thread's id, found in /proc. */
		for (tid = 0; tid == 0;) {
			char path[64];

			for (pid_t i = getpid() + 1; i < getpid() + 64; i++) {
				snprintf(path, sizeof(path), "/proc/%d/task/%d",
					 getpid(), i);
				if (access(path, F_OK) == 0) {
					tid = i;
					break;
				}
			}
		}
		if (write(ids[1], &tid, sizeof(tid)) != sizeof(tid))
			_exit(1);
		for (;;)
			pause();
	}
	ASSERT_LT(0, pid);
	pid_t tid;

	ASSERT_EQ(sizeof(tid), read(ids[0], &tid, sizeof(tid)));
	ASSERT_NE(pid, tid);
	ASSERT_EQ(ZX_OK, zxproc_process_open(tid, ZX_RIGHT_READ, &h));
	EXPECT_EQ((zx_koid_t)pid, koid_of(h));
	zx_handle_close(h);
	target_reap(pid);
}

TEST_F(handle, info_buffer_too_small)
{
	uint8_t buf[sizeof(zx_info_handle_basic_t)];
	size_t actual = SENTINEL, avail = SENTINEL;

	memset(buf, 0xab, sizeof(buf));
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC, buf,
				     sizeof(buf) - 1, &actual, &avail));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(1u, avail);
	for (size_t i = 0; i < sizeof(buf); i++) {
		EXPECT_EQ(0xab, buf[i]);
	}
	/* A NULL buffer of size 0 is how a caller asks for the size. */
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC, NULL, 0,
				     &actual, &avail));
}

TEST_F(handle, info_other_statuses)
{
	zx_info_handle_basic_t info;
	size_t actual = SENTINEL, avail = SENTINEL;
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);

	EXPECT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_HANDLE_VALID,
					    NULL, 0, NULL, NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC, NULL,
				     sizeof(info), &actual, &avail));
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_object_get_info(self->h, 3 /* ZX_INFO_PROCESS */, &info,
				     sizeof(info), &actual, &avail));
	ASSERT_LE(0, fd);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(zxproc_handle_from_fd(fd),
				     ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
				     &actual, &avail));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(zxproc_handle_from_fd(fd),
				     ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
	close(fd);
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(SENTINEL, avail);
}

/*
 * A handle outlives its process: still valid, still answering info, but
 * once the process is reaped its pid may name another process, so the
 * koid is 0 (uapi: struct zxproc_info.pid).
 */
TEST_F(handle, info_after_exit)
{
	zx_info_handle_basic_t info;

	target_reap(self->pid);
	EXPECT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_HANDLE_VALID,
					    NULL, 0, NULL, NULL));
	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC,
					    &info, sizeof(info), NULL, NULL));
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, info.rights);
	EXPECT_EQ(ZX_OBJ_TYPE_PROCESS, info.type);
	EXPECT_EQ(ZX_KOID_INVALID, info.koid);
	self->pid = 0;
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzxproc's argument checks that need no kernel: a NULL buffer, a
 * zero or oversized length, a NULL actual or out pointer are refused
 * with ZX_ERR_INVALID_ARGS before any system call.
 *
 * "Before any system call" is proved twice: a seccomp filter turns
 * every system call the library could make into a counted SIGSYS (and
 * skips it), and the handles passed are ones that reach the kernel
 * would answer differently (a closed descriptor: BAD_HANDLE; /dev/null:
 * WRONG_TYPE).  Outputs must be left untouched.
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "syscall_trap.h"

#define MIB (1024 * 1024)
#define SENTINEL ((size_t)0x5a5a5a5a)

FIXTURE(nosyscall) {
	zx_handle_t closed;	/* a descriptor that is not open */
	zx_handle_t devnull;	/* an open descriptor, not a handle */
	char buf[64];
};

FIXTURE_SETUP(nosyscall)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->devnull = zxproc_handle_from_fd(fd);
	/* Opened after devnull, so its number stays free once closed. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	self->closed = zxproc_handle_from_fd(fd);
	memset(self->buf, 0x11, sizeof(self->buf));

	/* Without the filter, these handles reach the kernel. */
	size_t actual = SENTINEL;
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_process_read_memory(self->closed,
		  (zx_vaddr_t)self->buf, self->buf, 8, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_process_read_memory(self->devnull,
		  (zx_vaddr_t)self->buf, self->buf, 8, &actual));
	EXPECT_EQ(SENTINEL, actual);

	ASSERT_EQ(0, trap_library_syscalls());
	trapped = 0;
}

FIXTURE_TEARDOWN(nosyscall)
{
	/* Each test must leave the counter at zero. */
	EXPECT_EQ(0, trapped) TH_LOG("system call %d was made", trapped_nr);
}

/* The trap sees the library's system calls (here, its ioctl). */
TEST_F(nosyscall, trap_sees_library_calls)
{
	size_t actual = SENTINEL;

	EXPECT_NE(ZX_OK, zx_process_read_memory(self->devnull,
		  (zx_vaddr_t)self->buf, self->buf, 8, &actual));
	EXPECT_EQ(1, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	trapped = 0;
}

/* The bad arguments of a memory access, each with handle @h. */
static void memory_args(struct __test_metadata *_metadata, zx_handle_t h,
			char *buf)
{
	const size_t sizes[] = { 0, 64 * MIB + 1, 128 * MIB, SIZE_MAX };
	size_t i, actual = SENTINEL;
	zx_vaddr_t va = (zx_vaddr_t)buf;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(h, va, NULL, 8, &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_read_memory(h, va, NULL, 8, &actual));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zx_process_write_memory(h, va, buf, sizes[i], &actual))
			TH_LOG("write of %zu bytes", sizes[i]);
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zx_process_read_memory(h, va, buf, sizes[i], &actual))
			TH_LOG("read of %zu bytes", sizes[i]);
	}
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(h, va, buf, 8, NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_read_memory(h, va, buf, 8, NULL));
	/* actual is written only on success. */
	EXPECT_EQ(SENTINEL, actual);
}

TEST_F(nosyscall, memory_closed_handle)
{
	memory_args(_metadata, self->closed, self->buf);
}

TEST_F(nosyscall, memory_foreign_fd)
{
	memory_args(_metadata, self->devnull, self->buf);
}

TEST_F(nosyscall, memory_invalid_handle)
{
	memory_args(_metadata, ZX_HANDLE_INVALID, self->buf);
}

TEST_F(nosyscall, memory_buffer_untouched)
{
	char want[sizeof(self->buf)];

	memset(want, 0x11, sizeof(want));
	memory_args(_metadata, self->devnull, self->buf);
	EXPECT_EQ(0, memcmp(want, self->buf, sizeof(want)));
}

/* Handle values no descriptor can have: BAD_HANDLE with no lookup. */
TEST_F(nosyscall, impossible_handles)
{
	const zx_handle_t bad[] = { ZX_HANDLE_INVALID,
				    (zx_handle_t)INT_MAX + 2, UINT32_MAX };
	zx_info_handle_basic_t info;
	zx_handle_t out = 77;
	size_t i, actual = SENTINEL;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, zxproc_handle_fd(bad[i]));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_process_write_memory(bad[i], 0, self->buf, 8,
						  &actual));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_process_read_memory(bad[i], 0, self->buf, 8,
						 &actual));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_duplicate(bad[i], ZX_RIGHT_SAME_RIGHTS,
					      &out));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_handle_replace(bad[i], ZX_RIGHT_SAME_RIGHTS,
					    &out));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(bad[i], ZX_INFO_HANDLE_BASIC,
					     &info, sizeof(info), &actual,
					     NULL));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(bad[i], ZX_INFO_HANDLE_VALID,
					     NULL, 0, NULL, NULL));
	}
	/* Closing ZX_HANDLE_INVALID is not an error, as in Zircon. */
	EXPECT_EQ(ZX_OK, zx_handle_close(ZX_HANDLE_INVALID));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(UINT32_MAX));
	EXPECT_EQ(77u, out);
	EXPECT_EQ(SENTINEL, actual);
}

TEST_F(nosyscall, null_out_pointers)
{
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(self->devnull, ZX_RIGHT_SAME_RIGHTS,
				      NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open(1, ZX_RIGHT_READ, NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open_pidfd(0, ZX_RIGHT_READ, NULL));
}

TEST_F(nosyscall, pidfd_negative)
{
	zx_handle_t out = 77;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_open_pidfd(-1, ZX_RIGHT_READ, &out));
	EXPECT_EQ(77u, out);
}

TEST_F(nosyscall, get_info_args)
{
	zx_info_handle_basic_t info;
	size_t actual = SENTINEL, avail = SENTINEL;
	const uint32_t topics[] = { ZX_INFO_NONE, 3, 4, 28, UINT32_MAX };
	size_t i;

	/* A NULL buffer that claims to be big enough. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->devnull, ZX_INFO_HANDLE_BASIC,
				     NULL, sizeof(info), &actual, &avail));
	/* Topics a process handle does not answer. */
	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
			  zx_object_get_info(self->devnull, topics[i], &info,
					     sizeof(info), &actual, &avail))
			TH_LOG("topic %u", topics[i]);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(SENTINEL, avail);
}

/*
 * The limit is inclusive: exactly 64 MiB passes the argument check and
 * reaches the kernel (here: a closed descriptor, so BAD_HANDLE).
 */
TEST(limit_is_inclusive)
{
	static char big[64 * MIB];
	size_t actual = SENTINEL;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_write_memory(zxproc_handle_from_fd(fd),
					  (zx_vaddr_t)big, big, sizeof(big),
					  &actual));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_read_memory(zxproc_handle_from_fd(fd),
					 (zx_vaddr_t)big, big, sizeof(big),
					 &actual));
	EXPECT_EQ(SENTINEL, actual);
}

TEST_HARNESS_MAIN

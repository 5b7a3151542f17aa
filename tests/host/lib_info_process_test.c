// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_object_get_info(ZX_INFO_PROCESS) on the host (no module): Zircon's
 * topic value and record layout, the flag values, the argument check
 * that comes before any system call (the seccomp trap of
 * syscall_trap.h), and the answers for descriptors that are not process
 * handles: a VMO is WRONG_TYPE, anything else BAD_HANDLE, both before
 * the buffer's size is looked at.  tests/userlib/info_test.c has the
 * process handles, in the guest.
 */
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "nosyscall_fixture.h"

#define SENTINEL ((size_t)0x5a5a5a5a)

/*
 * Fuchsia's zircon/system/public/zircon/syscalls/object.h:
 * ZX_INFO_PROCESS is __ZX_INFO_TOPIC(3u, 1u), ((3) | ((1) << 28)), and
 * zx_info_process_t is { int64_t return_code; zx_time_t start_time;
 * zx_info_process_flags_t flags; uint8_t padding1[4]; }.
 */
TEST(zircon_values)
{
	zx_info_process_t info;

	EXPECT_EQ(0x10000003u, ZX_INFO_PROCESS);
	EXPECT_EQ(1u, ZX_INFO_PROCESS_FLAG_STARTED);
	EXPECT_EQ(2u, ZX_INFO_PROCESS_FLAG_EXITED);
	EXPECT_EQ(4u, ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED);
	EXPECT_EQ(24u, sizeof(zx_info_process_t));
	EXPECT_EQ(0u, offsetof(zx_info_process_t, return_code));
	EXPECT_EQ(8u, offsetof(zx_info_process_t, start_time));
	EXPECT_EQ(16u, offsetof(zx_info_process_t, flags));
	EXPECT_EQ(20u, offsetof(zx_info_process_t, padding1));
	EXPECT_EQ(8u, sizeof(info.return_code));
	EXPECT_EQ(8u, sizeof(zx_time_t));
	EXPECT_EQ(4u, sizeof(zx_info_process_flags_t));
	/* Signed, as in Zircon. */
	EXPECT_TRUE((zx_time_t)-1 < 0);
}

/* The trap sees the topic's ioctl. */
TEST_F(nosyscall, trap_sees_library_calls)
{
	zx_info_process_t info;

	EXPECT_NE(ZX_OK, zx_object_get_info(self->devnull, ZX_INFO_PROCESS,
					    &info, sizeof(info), NULL, NULL));
	EXPECT_LE(1, trapped);
	trapped = 0;
}

/* A NULL buffer that claims to be big enough; impossible handles. */
TEST_F(nosyscall, arguments)
{
	const zx_handle_t bad[] = { ZX_HANDLE_INVALID,
				    (zx_handle_t)INT_MAX + 2, UINT32_MAX };
	zx_info_process_t info;
	size_t actual = SENTINEL, avail = SENTINEL;

	memset(&info, 0x5a, sizeof(info));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->devnull, ZX_INFO_PROCESS, NULL,
				     sizeof(info), &actual, &avail));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(ZX_HANDLE_INVALID, ZX_INFO_PROCESS, NULL,
				     SIZE_MAX, &actual, &avail));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(bad[i], ZX_INFO_PROCESS, &info,
					     sizeof(info), &actual, &avail));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zx_object_get_info(bad[i], ZX_INFO_PROCESS, NULL, 0,
					     &actual, &avail));
	}
	/* The retired ZX_INFO_PROCESS_V1 (3) is not answered. */
	EXPECT_EQ(ZX_ERR_NOT_SUPPORTED,
		  zx_object_get_info(self->devnull, 3, &info, sizeof(info),
				     &actual, &avail));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(SENTINEL, avail);
	for (size_t i = 0; i < sizeof(info); i++)
		ASSERT_EQ(0x5a, ((uint8_t *)&info)[i]);
}

/*
 * Through the kernel: a VMO handle (with its rights, or O_PATH without
 * READ and WRITE) is of the wrong type; /dev/null and a closed
 * descriptor are no handles.  Both come before the buffer's size.
 */
TEST(not_process_handles)
{
	zx_handle_t vmo, vmo_path, devnull, closed;
	zx_info_process_t info;
	size_t actual = SENTINEL, avail = SENTINEL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	devnull = zxproc_handle_from_fd(fd);
	ASSERT_EQ(ZX_OK, zx_vmo_create(4096, 0, &vmo));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_DUPLICATE, &vmo_path));
	/* Made last, so no later descriptor takes its number. */
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	closed = zxproc_handle_from_fd(fd);
	memset(&info, 0x5a, sizeof(info));

	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(vmo, ZX_INFO_PROCESS, &info, sizeof(info),
				     &actual, &avail));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(vmo, ZX_INFO_PROCESS, &info, 1, &actual,
				     &avail));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_object_get_info(vmo_path, ZX_INFO_PROCESS, &info,
				     sizeof(info), &actual, &avail));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(devnull, ZX_INFO_PROCESS, &info,
				     sizeof(info), &actual, &avail));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(closed, ZX_INFO_PROCESS, NULL, 0, &actual,
				     &avail));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(SENTINEL, avail);
	for (size_t i = 0; i < sizeof(info); i++)
		ASSERT_EQ(0x5a, ((uint8_t *)&info)[i]);
	/* The VMO's own topic still works. */
	EXPECT_EQ(ZX_OK, zx_object_get_info(vmo, ZX_INFO_HANDLE_VALID, NULL,
					    0, NULL, NULL));
	EXPECT_EQ(ZX_OK, zx_handle_close(vmo_path));
	EXPECT_EQ(ZX_OK, zx_handle_close(vmo));
	close(zxproc_handle_fd(devnull));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * <zxproc/win32.h> on a machine without the module, under ASan and
 * UBSan: OpenProcess says ERROR_NOT_SUPPORTED, the arguments of
 * WriteProcessMemory and ReadProcessMemory are checked in their
 * documented order before any handle is used, the source buffer's
 * contents being left to the kernel, after the handle; CloseHandle
 * closes only libzxproc's handles, and the last error belongs to the
 * thread.  tests/win32/ has the rest, in the guest.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/win32.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"

#define PAGE 4096
#define SENTINEL ((SIZE_T)0x5a5a5a5a)
#define SENTINEL_ERROR 0x5a5au

static HANDLE handle_of_fd(int fd)
{
	return (HANDLE)(uintptr_t)zxproc_handle_from_fd(fd);
}

TEST(open_process_without_module)
{
	if (access("/dev/zxproc", F_OK) == 0)
		SKIP(return, "this machine has /dev/zxproc");
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)getpid()));
	EXPECT_EQ(ERROR_NOT_SUPPORTED, GetLastError());
	/* Argument errors come first. */
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
}

/* The order: handle value, size, buffer, then the kernel's answer. */
TEST(argument_order)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	HANDLE h = handle_of_fd(null_fd);
	uint8_t buf[16] = { 0 };
	SIZE_T n = SENTINEL;

	ASSERT_LE(0, null_fd);
	EXPECT_FALSE(WriteProcessMemory(NULL, buf, NULL, (SIZE_T)-1, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(0u, n);
	n = SENTINEL;
	EXPECT_FALSE(WriteProcessMemory(h, buf, NULL, (SIZE_T)-1, &n));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_FALSE(WriteProcessMemory(h, buf, NULL, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	EXPECT_FALSE(ReadProcessMemory(h, buf, NULL, 16, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	/* All fine but the handle, which is not a process handle. */
	EXPECT_FALSE(WriteProcessMemory(h, buf, buf, 16, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ReadProcessMemory(h, buf, buf, 16, NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ReadProcessMemory(h, buf, buf, 0, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(ReadProcessMemory((HANDLE)(uintptr_t)-1, buf, buf, 16,
				       &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_LE(0, fcntl(null_fd, F_GETFD));
	close(null_fd);
}

/*
 * Only a NULL source is refused before the handle: whether the rest of
 * it is readable is the kernel's to say (it pins the whole buffer before
 * copying, ERROR_NOACCESS), after the handle.  So with a descriptor that
 * is no process handle, an unreadable page anywhere in the source, or a
 * range that wraps, is ERROR_INVALID_HANDLE like a readable one, and no
 * byte of it is touched (no SIGSEGV under ASan).
 */
TEST(source_buffer_is_the_kernels_to_check)
{
	uint8_t *map = mmap(NULL, 3 * PAGE, PROT_READ,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	HANDLE h = handle_of_fd(null_fd);
	SIZE_T n;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_LE(0, null_fd);
	ASSERT_EQ(0, mprotect(map + PAGE, PAGE,
			      PROT_NONE));
	/* Readable throughout: the handle is what fails. */
	EXPECT_FALSE(WriteProcessMemory(h, map, map, PAGE, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* The middle page is PROT_NONE. */
	n = SENTINEL;
	EXPECT_FALSE(WriteProcessMemory(h, map, map,
					3 * PAGE, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_EQ(0u, n);
	EXPECT_FALSE(WriteProcessMemory(h, map, map + PAGE - 1,
					2, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(WriteProcessMemory(h, map, map + PAGE,
					1, &n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_FALSE(WriteProcessMemory(h, map, (void *)(UINTPTR_MAX - 3), 8,
					&n));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* NULL alone is refused first. */
	EXPECT_FALSE(WriteProcessMemory(h, map, NULL, 8, &n));
	EXPECT_EQ(ERROR_NOACCESS, GetLastError());
	munmap(map, 3 * PAGE);
	close(null_fd);
}

TEST(close_handle)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	zx_handle_t vmo;

	ASSERT_LE(0, null_fd);
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(CloseHandle(NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(CloseHandle(handle_of_fd(null_fd)));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_LE(0, fcntl(null_fd, F_GETFD));
	/* Any handle of libzxproc's: a VMO. */
	ASSERT_EQ(ZX_OK, zx_vmo_create(1, 0, &vmo));
	SetLastError(SENTINEL_ERROR);
	EXPECT_TRUE(CloseHandle((HANDLE)(uintptr_t)vmo));
	EXPECT_EQ(SENTINEL_ERROR, GetLastError());
	EXPECT_EQ(-1, fcntl(zxproc_handle_fd(vmo), F_GETFD));
	close(null_fd);
}

static void *thread_error(void *arg)
{
	DWORD *seen = arg;

	seen[0] = GetLastError();
	CloseHandle(NULL);
	seen[1] = GetLastError();
	return NULL;
}

TEST(last_error_per_thread)
{
	DWORD seen[2] = { 77, 77 };
	pthread_t thread;

	SetLastError(12345);
	ASSERT_EQ(0, pthread_create(&thread, NULL, thread_error, seen));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(ERROR_SUCCESS, seen[0]);
	EXPECT_EQ(ERROR_INVALID_HANDLE, seen[1]);
	EXPECT_EQ(12345u, GetLastError());
}

TEST_HARNESS_MAIN

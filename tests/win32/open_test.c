// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * OpenProcess(), CloseHandle(), GetLastError() and SetLastError() of
 * <zxproc/win32.h> through the real module: the Zircon rights each
 * Windows access mask becomes, inheritance across exec, every error
 * code, and that the last error belongs to the thread.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>

/* The standard rights' names are defined only on request. */
#define ZXPROC_WIN32_STANDARD_RIGHTS
#include <zxproc/win32.h>

#include "kselftest_harness.h"
#include "../userlib/target.h"

#define SENTINEL_ERROR 0x5a5au

/* The handle value a HANDLE carries, for the Zircon calls. */
static zx_handle_t zx_of(HANDLE h)
{
	return (zx_handle_t)(uintptr_t)h;
}

TEST(open_all_access)
{
	pid_t pid = target_spawn();
	HANDLE h;

	ASSERT_LT(0, pid);
	SetLastError(SENTINEL_ERROR);
	h = OpenProcess(PROCESS_ALL_ACCESS, FALSE, (DWORD)pid);
	ASSERT_NE(NULL, h);
	/* Success leaves the last error alone. */
	EXPECT_EQ(SENTINEL_ERROR, GetLastError());
	EXPECT_EQ(0x001FFFFFu, PROCESS_ALL_ACCESS);
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, rights_of(zx_of(h)));
	EXPECT_EQ((zx_koid_t)pid, koid_of(zx_of(h)));
	EXPECT_EQ(FD_CLOEXEC, fcntl(zxproc_handle_fd(zx_of(h)), F_GETFD));
	EXPECT_TRUE(CloseHandle(h));
	EXPECT_FALSE(handle_is_open(zx_of(h)));
	/* Closed: no longer a handle. */
	EXPECT_FALSE(CloseHandle(h));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	target_reap(pid);
}

/*
 * Each access mask and the rights the kernel is given: VM_WRITE counts
 * only with VM_OPERATION, and rights no call here uses grant nothing.
 */
TEST(access_becomes_rights)
{
	const zx_rights_t base = ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER;
	const struct { DWORD access; zx_rights_t rights; } cases[] = {
		{ 0, base },
		{ PROCESS_VM_READ, base | ZX_RIGHT_READ },
		{ PROCESS_VM_WRITE, base },
		{ PROCESS_VM_OPERATION, base },
		{ PROCESS_VM_WRITE | PROCESS_VM_OPERATION,
		  base | ZX_RIGHT_WRITE },
		{ PROCESS_VM_READ | PROCESS_VM_WRITE | PROCESS_VM_OPERATION,
		  base | ZX_RIGHT_READ | ZX_RIGHT_WRITE },
		{ PROCESS_QUERY_INFORMATION, base | ZX_RIGHT_INSPECT },
		{ PROCESS_QUERY_LIMITED_INFORMATION, base | ZX_RIGHT_INSPECT },
		{ PROCESS_TERMINATE | SYNCHRONIZE | PROCESS_DUP_HANDLE |
		  DELETE | READ_CONTROL | WRITE_DAC | WRITE_OWNER, base },
		/*
		 * Windows' generic mapping for processes: GENERIC_READ is
		 * READ_CONTROL | QUERY_INFORMATION | VM_READ, GENERIC_WRITE
		 * has VM_WRITE and VM_OPERATION (no VM_READ), GENERIC_EXECUTE
		 * QUERY_LIMITED_INFORMATION; GENERIC_ALL and MAXIMUM_ALLOWED
		 * are PROCESS_ALL_ACCESS.
		 */
		{ GENERIC_READ, base | ZX_RIGHT_READ | ZX_RIGHT_INSPECT },
		{ GENERIC_WRITE, base | ZX_RIGHT_WRITE },
		{ GENERIC_EXECUTE, base | ZX_RIGHT_INSPECT },
		{ GENERIC_READ | GENERIC_WRITE, ZXPROC_PROCESS_RIGHTS },
		{ GENERIC_ALL, ZXPROC_PROCESS_RIGHTS },
		{ MAXIMUM_ALLOWED, ZXPROC_PROCESS_RIGHTS },
		{ MAXIMUM_ALLOWED | PROCESS_VM_READ, ZXPROC_PROCESS_RIGHTS },
	};
	pid_t pid = target_spawn();

	ASSERT_LT(0, pid);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		HANDLE h = OpenProcess(cases[i].access, FALSE, (DWORD)pid);

		ASSERT_NE(NULL, h) TH_LOG("access %#x: error %u",
					  cases[i].access, GetLastError());
		EXPECT_EQ(cases[i].rights, rights_of(zx_of(h)))
			TH_LOG("access %#x", cases[i].access);
		EXPECT_TRUE(CloseHandle(h));
	}
	target_reap(pid);
}

/*
 * bInheritHandle: TRUE clears close-on-exec, so a program run by exec
 * still has the descriptor; FALSE keeps it, so it has not.
 */
static int survives_exec(HANDLE h)
{
	char script[128];
	int status;
	pid_t pid;

	snprintf(script, sizeof(script), "test -e /proc/$$/fd/%d",
		 zxproc_handle_fd(zx_of(h)));
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 0;
}

TEST(inherit_handle)
{
	HANDLE kept = OpenProcess(PROCESS_VM_READ, TRUE, (DWORD)getpid());
	HANDLE closed = OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)getpid());

	ASSERT_NE(NULL, kept);
	ASSERT_NE(NULL, closed);
	EXPECT_EQ(0, fcntl(zxproc_handle_fd(zx_of(kept)), F_GETFD));
	EXPECT_EQ(FD_CLOEXEC, fcntl(zxproc_handle_fd(zx_of(closed)), F_GETFD));
	EXPECT_EQ(1, survives_exec(kept));
	EXPECT_EQ(0, survives_exec(closed));
	CloseHandle(kept);
	CloseHandle(closed);
}

/* Windows: process id 0 and ids that name no process. */
TEST(invalid_parameter_process_id)
{
	pid_t gone = fork();

	if (gone == 0)
		_exit(0);
	ASSERT_LT(0, gone);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, 0));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)gone));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE,
				    (DWORD)INT_MAX + 1));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, 0xFFFFFFFFu));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
}

/* Exiting: no address space left to open. */
TEST(invalid_parameter_zombie)
{
	pid_t pid = target_zombie();

	ASSERT_LT(0, pid);
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)pid));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	waitpid(pid, NULL, 0);
}

/* ACCESS_SYSTEM_SECURITY and undefined bits are refused. */
TEST(invalid_parameter_access)
{
	const DWORD bad[] = {
		0x01000000u,	/* ACCESS_SYSTEM_SECURITY */
		GENERIC_ALL | 0x01000000u,
		0x00200000u, PROCESS_ALL_ACCESS | 0x00200000u,
		MAXIMUM_ALLOWED | 0x04000000u,
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		SetLastError(SENTINEL_ERROR);
		EXPECT_EQ(NULL, OpenProcess(bad[i], FALSE, (DWORD)getpid()))
			TH_LOG("access %#x", bad[i]);
		EXPECT_EQ(ERROR_INVALID_PARAMETER, GetLastError());
	}
}

/* kthreadd, as Windows' System process, cannot be opened. */
TEST(access_denied_kernel_thread)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "r");

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	ASSERT_EQ(0, strcmp(comm, "kthreadd\n"));
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, 2));
	EXPECT_EQ(ERROR_ACCESS_DENIED, GetLastError());
}

/* Root without CAP_SYS_PTRACE may open itself, not another process. */
static int without_ptrace(void *arg)
{
	pid_t target = *(pid_t *)arg;
	HANDLE h;

	if (drop_ptrace_cap())
		return 10;
	if (OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)target) != NULL)
		return 11;
	if (GetLastError() != ERROR_ACCESS_DENIED)
		return 12;
	h = OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)getpid());
	if (h == NULL)
		return 13;
	return CloseHandle(h) ? 0 : 14;
}

TEST(access_denied_without_ptrace)
{
	pid_t pid = target_spawn();

	ASSERT_LT(0, pid);
	EXPECT_EQ(0, in_child(without_ptrace, &pid));
	target_reap(pid);
}

/* No module: a private /dev without zxproc's node. */
static int no_module(void *arg)
{
	(void)arg;
	if (private_dev())
		return 10;
	if (OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)getpid()) != NULL)
		return 11;
	return GetLastError() == ERROR_NOT_SUPPORTED ? 0 : 12;
}

TEST(not_supported_without_module)
{
	EXPECT_EQ(0, in_child(no_module, NULL));
}

TEST(too_many_open_files)
{
	ASSERT_EQ(0, limit_fds(1));	/* the device, not the handle */
	SetLastError(SENTINEL_ERROR);
	EXPECT_EQ(NULL, OpenProcess(PROCESS_VM_READ, FALSE, (DWORD)getpid()));
	EXPECT_EQ(ERROR_TOO_MANY_OPEN_FILES, GetLastError());
}

TEST(close_handle_errors)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(CloseHandle(NULL));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* The pseudo-handle: closing it does nothing, and succeeds. */
	SetLastError(SENTINEL_ERROR);
	EXPECT_TRUE(CloseHandle(GetCurrentProcess()));
	EXPECT_TRUE(CloseHandle((HANDLE)(intptr_t)-1));
	EXPECT_EQ(SENTINEL_ERROR, GetLastError());
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(CloseHandle((HANDLE)(intptr_t)-2));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	/* Not a handle of the library's: refused, and left open. */
	ASSERT_LE(0, null_fd);
	SetLastError(SENTINEL_ERROR);
	EXPECT_FALSE(CloseHandle((HANDLE)(uintptr_t)
				 zxproc_handle_from_fd(null_fd)));
	EXPECT_EQ(ERROR_INVALID_HANDLE, GetLastError());
	EXPECT_LE(0, fcntl(null_fd, F_GETFD));
	close(null_fd);
}

/* Each thread has its own last error. */
static void *fail_in_thread(void *arg)
{
	DWORD *seen = arg;

	SetLastError(SENTINEL_ERROR);
	if (OpenProcess(PROCESS_VM_READ, FALSE, 0) == NULL)
		*seen = GetLastError();
	return NULL;
}

TEST(last_error_is_per_thread)
{
	DWORD seen = 0;
	pthread_t thread;

	SetLastError(12345);
	ASSERT_EQ(0, pthread_create(&thread, NULL, fail_in_thread, &seen));
	ASSERT_EQ(0, pthread_join(thread, NULL));
	EXPECT_EQ(ERROR_INVALID_PARAMETER, seen);
	EXPECT_EQ(12345u, GetLastError());
	SetLastError(ERROR_SUCCESS);
	EXPECT_EQ(ERROR_SUCCESS, GetLastError());
}

/* The values Windows' headers give (winnt.h, winerror.h). */
TEST(windows_values)
{
	EXPECT_EQ(0x0008u, PROCESS_VM_OPERATION);
	EXPECT_EQ(0x0010u, PROCESS_VM_READ);
	EXPECT_EQ(0x0020u, PROCESS_VM_WRITE);
	EXPECT_EQ(0x0400u, PROCESS_QUERY_INFORMATION);
	EXPECT_EQ(0x1000u, PROCESS_QUERY_LIMITED_INFORMATION);
	EXPECT_EQ(0x001FFFFFu, PROCESS_ALL_ACCESS);
	EXPECT_EQ(0x02000000u, MAXIMUM_ALLOWED);
	EXPECT_EQ(0x10000000u, GENERIC_ALL);
	EXPECT_EQ(0x20000000u, GENERIC_EXECUTE);
	EXPECT_EQ(0x40000000u, GENERIC_WRITE);
	EXPECT_EQ(0x80000000u, GENERIC_READ);
	EXPECT_EQ(0x00100000u, SYNCHRONIZE);
	EXPECT_EQ((HANDLE)(intptr_t)-1, GetCurrentProcess());
	EXPECT_EQ(5u, ERROR_ACCESS_DENIED);
	EXPECT_EQ(6u, ERROR_INVALID_HANDLE);
	EXPECT_EQ(87u, ERROR_INVALID_PARAMETER);
	EXPECT_EQ(299u, ERROR_PARTIAL_COPY);
	EXPECT_EQ(998u, ERROR_NOACCESS);
	EXPECT_EQ(4u, sizeof(DWORD));
	EXPECT_EQ(sizeof(void *), sizeof(SIZE_T));
}

TEST_HARNESS_MAIN

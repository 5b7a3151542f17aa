// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * <zxproc/win32.h>: OpenProcess, WriteProcessMemory, ReadProcessMemory,
 * CloseHandle, GetLastError and SetLastError over the zxproc module.
 *
 * A HANDLE is a zx_handle_t (a process handle's descriptor plus one)
 * carried in a pointer, so it is never NULL.  Windows' access mask is
 * not stored anywhere: OpenProcess turns it into the Zircon rights the
 * kernel enforces, and only those (rights_of_access() below).  So a
 * handle opened with PROCESS_VM_WRITE but without PROCESS_VM_OPERATION
 * has no ZX_RIGHT_WRITE, and the kernel refuses its writes.
 *
 * ReadProcessMemory asks the kernel for ZXPROC_MEM_ALL_OR_NOTHING and
 * ZXPROC_MEM_FORCE_EXEC: the caller's whole buffer and every page of the
 * target range are made accessible before one byte is copied, and if
 * one cannot be, nothing is (PAGE_NOACCESS memory is not read).
 *
 * WriteProcessMemory decides as Windows does, by the region at the base
 * address (write_copy() below): writable memory is written as it is,
 * code is made writable for the copy (that region only), anything else
 * is refused before a byte moves; past that, the copy stops at the first
 * page that cannot be written, with ERROR_PARTIAL_COPY and the count of
 * the bytes that were.  A bad source buffer still writes nothing
 * (ERROR_NOACCESS, count 0).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/win32.h>

#include "../src/internal.h"

/* Windows keeps the last error per thread. */
static _Thread_local DWORD last_error;

ZXP_EXPORT DWORD GetLastError(void)
{
	return last_error;
}

ZXP_EXPORT void SetLastError(DWORD dwErrCode)
{
	last_error = dwErrCode;
}

static BOOL fail(DWORD error)
{
	last_error = error;
	return FALSE;
}

/*
 * The Zircon rights that carry a Windows access mask.  PROCESS_VM_WRITE
 * means nothing without PROCESS_VM_OPERATION (WriteProcessMemory needs
 * both), so only the pair gives ZX_RIGHT_WRITE.  DUPLICATE and TRANSFER
 * are there because any Windows handle can be duplicated and inherited.
 * The other access rights name calls this library does not have; they
 * are accepted and grant nothing.
 */
static zx_rights_t rights_of_access(DWORD access)
{
	const DWORD write = PROCESS_VM_WRITE | PROCESS_VM_OPERATION;
	zx_rights_t rights = ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER;

	if (access & PROCESS_VM_READ)
		rights |= ZX_RIGHT_READ;
	if ((access & write) == write)
		rights |= ZX_RIGHT_WRITE;
	if (access & (PROCESS_QUERY_INFORMATION |
		      PROCESS_QUERY_LIMITED_INFORMATION))
		rights |= ZX_RIGHT_INSPECT;
	return rights;
}

/* What a failed call was doing: the columns of win32_errors. */
enum win32_op {
	WIN32_OPEN,
	WIN32_READ,
	WIN32_WRITE,
	WIN32_OP_COUNT
};

/*
 * Not an errno: EACCES from a memory access whose rights the kernel had
 * accepted (it wrote zxproc_mem.actual back), so the range, not the
 * handle, is at fault.  Windows' errors tell these apart, and ESTALE
 * from EIO, which one zx_status_t does not: so this file asks
 * zxp_memory_transfer() for the errno, not the public _ex calls for a
 * status.
 */
#define EACCES_RANGE (-1)

/*
 * The one table from the kernel's errnos (uapi/linux/zxproc.h) to
 * Windows' error codes.  An errno it lacks is ERROR_INTERNAL_ERROR.
 */
static const struct {
	int err;
	DWORD on[WIN32_OP_COUNT];	/* indexed by enum win32_op */
} win32_errors[] = {
	/* errno	OpenProcess			ReadProcessMemory	WriteProcessMemory */
	/* No such process: what Windows says for an unknown id. */
	{ ESRCH,	{ ERROR_INVALID_PARAMETER,	ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	/* Exiting at open; exited or exec'd since. */
	{ ESTALE,	{ ERROR_INVALID_PARAMETER,	ERROR_ACCESS_DENIED,	ERROR_ACCESS_DENIED } },
	/* The handle lacks the right; the caller may not open the target. */
	{ EACCES,	{ ERROR_ACCESS_DENIED,		ERROR_ACCESS_DENIED,	ERROR_ACCESS_DENIED } },
	{ EPERM,	{ ERROR_ACCESS_DENIED,		ERROR_ACCESS_DENIED,	ERROR_ACCESS_DENIED } },
	/* A kernel thread, which Windows' System process is to OpenProcess. */
	{ EOPNOTSUPP,	{ ERROR_ACCESS_DENIED,		ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	/*
	 * A page of the range is mapped but cannot be accessed: Windows
	 * fails reads of PAGE_NOACCESS memory with ERROR_PARTIAL_COPY and
	 * writes to read-only memory with ERROR_NOACCESS.
	 */
	{ EACCES_RANGE,	{ ERROR_INTERNAL_ERROR,		ERROR_PARTIAL_COPY,	ERROR_NOACCESS } },
	/*
	 * Opening: out of memory.  Memory access: a page of the range is
	 * not mapped ("crosses into an area of the process that is
	 * inaccessible"); nothing was copied.
	 */
	{ ENOMEM,	{ ERROR_NOT_ENOUGH_MEMORY,	ERROR_PARTIAL_COPY,	ERROR_PARTIAL_COPY } },
	/* Device memory (VM_IO, VM_PFNMAP), which is never copied. */
	{ EIO,		{ ERROR_INTERNAL_ERROR,		ERROR_NOACCESS,		ERROR_NOACCESS } },
	/* The caller's own buffer: Windows' access violation. */
	{ EFAULT,	{ ERROR_INTERNAL_ERROR,		ERROR_NOACCESS,		ERROR_NOACCESS } },
	/* Not open, or not a process handle. */
	{ EBADF,	{ ERROR_INTERNAL_ERROR,		ERROR_INVALID_HANDLE,	ERROR_INVALID_HANDLE } },
	{ ENOTTY,	{ ERROR_INTERNAL_ERROR,		ERROR_INVALID_HANDLE,	ERROR_INVALID_HANDLE } },
	{ EINVAL,	{ ERROR_INVALID_PARAMETER,	ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER } },
	{ EMFILE,	{ ERROR_TOO_MANY_OPEN_FILES,	ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	{ ENFILE,	{ ERROR_TOO_MANY_OPEN_FILES,	ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	/* /dev/zxproc is missing or answered by no driver: no module. */
	{ ENOENT,	{ ERROR_NOT_SUPPORTED,		ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	{ ENODEV,	{ ERROR_NOT_SUPPORTED,		ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
	{ ENXIO,	{ ERROR_NOT_SUPPORTED,		ERROR_INTERNAL_ERROR,	ERROR_INTERNAL_ERROR } },
};

static DWORD win32_error(enum win32_op op, int err)
{
	size_t i;

	for (i = 0; i < sizeof(win32_errors) / sizeof(win32_errors[0]); i++)
		if (win32_errors[i].err == err)
			return win32_errors[i].on[op];
	return ERROR_INTERNAL_ERROR;
}

/* Windows' pseudo-handle for the calling process, (HANDLE)-1. */
#define CURRENT_PROCESS ((HANDLE)(intptr_t)-1)

ZXP_EXPORT HANDLE GetCurrentProcess(void)
{
	return CURRENT_PROCESS;
}

/*
 * The descriptor a HANDLE stands for, or -1 (NULL among them).  The
 * pseudo-handle stands for zx_process_self()'s handle, which the
 * library keeps open and never lets the caller close.
 */
static int handle_fd(HANDLE handle)
{
	uintptr_t value = (uintptr_t)handle;

	if (handle == CURRENT_PROCESS)
		return zxp_handle_to_fd(zx_process_self());
	if (value > UINT32_MAX)
		return -1;
	return zxp_handle_to_fd((zx_handle_t)value);
}

/*
 * Windows' generic mapping for process objects (what the object manager
 * turns each GENERIC_* right into), and MAXIMUM_ALLOWED, which grants
 * every right the caller could be granted: here, every access right,
 * since whether the caller may open the process at all is the kernel's
 * one decision.
 */
static DWORD process_access(DWORD access)
{
	static const struct {
		DWORD generic, specific;
	} map[] = {
		{ GENERIC_READ, 0x00020410u },	/* READ_CONTROL, QUERY_INFORMATION, VM_READ */
		{ GENERIC_WRITE, 0x00020BEAu },	/* READ_CONTROL, CREATE_THREAD, VM_OPERATION, VM_WRITE, DUP_HANDLE,
						   CREATE_PROCESS, SET_QUOTA, SET_INFORMATION, SUSPEND_RESUME */
		{ GENERIC_EXECUTE, 0x00121000u },	/* READ_CONTROL, SYNCHRONIZE, QUERY_LIMITED_INFORMATION */
		{ GENERIC_ALL, PROCESS_ALL_ACCESS },
		{ MAXIMUM_ALLOWED, PROCESS_ALL_ACCESS },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (access & map[i].generic)
			access = (access & ~map[i].generic) | map[i].specific;
	return access;
}

ZXP_EXPORT HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle,
			      DWORD dwProcessId)
{
	int fd, flags, err;

	dwDesiredAccess = process_access(dwDesiredAccess);
	/* ACCESS_SYSTEM_SECURITY and the reserved bits. */
	if (dwDesiredAccess & ~(DWORD)PROCESS_ALL_ACCESS) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	/* Windows: 0 is the System Idle Process, which cannot be opened. */
	if (dwProcessId == 0 || dwProcessId > INT_MAX) {
		last_error = ERROR_INVALID_PARAMETER;
		return NULL;
	}
	fd = zxp_process_open_fd((pid_t)dwProcessId,
				 rights_of_access(dwDesiredAccess));
	if (fd < 0) {
		last_error = win32_error(WIN32_OPEN, -fd);
		return NULL;
	}
	/* Handles are close-on-exec; an inheritable one survives exec. */
	if (bInheritHandle) {
		flags = fcntl(fd, F_GETFD);
		if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0) {
			err = errno;
			close(fd);
			last_error = win32_error(WIN32_OPEN, err);
			return NULL;
		}
	}
	return (HANDLE)(uintptr_t)zxp_fd_to_handle(fd);
}

ZXP_EXPORT BOOL CloseHandle(HANDLE hObject)
{
	uintptr_t value = (uintptr_t)hObject;

	/* Windows: closing the pseudo-handle does nothing, and succeeds. */
	if (hObject == CURRENT_PROCESS)
		return TRUE;
	/* Windows: closing NULL is an invalid handle (Zircon's is not). */
	if (value == 0 || value > UINT32_MAX)
		return fail(ERROR_INVALID_HANDLE);
	/* Only a handle of libzxproc's is closed; see zx_handle_close(3). */
	if (zx_handle_close((zx_handle_t)value) != ZX_OK)
		return fail(ERROR_INVALID_HANDLE);
	return TRUE;
}

/*
 * nSize 0: nothing to copy, and Windows succeeds; the handle must still
 * be a process handle with the right, and its process alive.
 */
static BOOL zero_size(int fd, enum win32_op op)
{
	zx_rights_t need = op == WIN32_WRITE ? ZX_RIGHT_WRITE : ZX_RIGHT_READ;
	struct zxproc_info info;
	int ret = zxp_handle_info(fd, &info);

	if (ret < 0)
		return fail(win32_error(op, -ret));
	if (!(info.rights & need))
		return fail(ERROR_ACCESS_DENIED);
	if (info.flags & ZXPROC_INFO_STALE)
		return fail(win32_error(op, ESTALE));
	return TRUE;
}

/* Marks the byte count as not written back by the kernel. */
#define ACTUAL_UNSET UINT64_MAX

/*
 * One copy with the kernel's ZXPROC_MEM_* @flags.  Returns 0 or an errno
 * (EACCES_RANGE for a range the protection refused); *@copied as the
 * kernel left it.
 */
static int copy(int fd, enum win32_op op, uintptr_t addr, const void *buf,
		SIZE_T size, uint32_t flags, uint64_t *copied)
{
	int ret = zxp_memory_transfer(fd, op == WIN32_WRITE, addr, buf, size,
				      flags, copied);

	if (ret == -EACCES && *copied != ACTUAL_UNSET)
		return EACCES_RANGE;
	return -ret;
}

/*
 * WriteProcessMemory's copy, by Windows' rule (kernelbase's
 * WriteProcessMemory over NtWriteVirtualMemory; Wine's test_VirtualAllocEx
 * records Windows 10 and 11): the region at @addr decides.  Writable: a
 * plain write, forced nowhere.  Code (PAGE_EXECUTE, PAGE_EXECUTE_READ):
 * that region alone is made writable for the copy.  Anything else:
 * refused, nothing written.  The source is taken whole, so a bad source
 * writes nothing; the target is written up to the first page that
 * cannot be (a short copy: ERROR_PARTIAL_COPY with that count), so 0x2000
 * bytes of PAGE_EXECUTE_READWRITE followed by PAGE_EXECUTE_READ or
 * PAGE_READONLY take 0x2000 bytes and fail.
 *
 * The kernel's ZXPROC_MEM_FORCE_FIRST_EXEC is that rule, decided under
 * the target's mmap_lock against the handle's own address space.  The
 * source is taken whole by ZXPROC_MEM_ALL_OR_NOTHING, which pins the
 * caller's buffer before any target page; so the first call asks for
 * all or nothing, and only when the target range (not the source)
 * stopped it does a second call, without, write the part that can be.
 * Windows itself takes the source 64 KiB at a time, not whole; a caller
 * that unmaps its own buffer between the two calls gets a short write
 * and ERROR_NOACCESS, as it could on Windows.
 */
static int write_copy(int fd, uintptr_t addr, const void *buf, SIZE_T size,
		      uint64_t *copied)
{
	const uint32_t mode = ZXPROC_MEM_FORCE_FIRST_EXEC;
	int ret = copy(fd, WIN32_WRITE, addr, buf, size,
		       ZXPROC_MEM_ALL_OR_NOTHING | mode, copied);

	if (*copied == 0 &&
	    (ret == EACCES_RANGE || ret == ENOMEM || ret == EIO)) {
		*copied = ACTUAL_UNSET;
		ret = copy(fd, WIN32_WRITE, addr, buf, size, mode, copied);
	}
	return ret;
}

/*
 * WriteProcessMemory (from @src) and ReadProcessMemory (into @dst).
 * Arguments are checked before the handle is: NULL or out of range
 * handle values, then sizes and buffers, then the kernel.  *@count gets
 * the bytes copied (0 when nothing was), except where Windows leaves it
 * as it was: a write the protection at the base address refuses, which
 * Windows refuses before it writes anything, the count included.  A
 * write that stopped short fails with ERROR_PARTIAL_COPY and the count
 * of the bytes written.
 */
static BOOL transfer(enum win32_op op, HANDLE handle, uintptr_t addr,
		     void *dst, const void *src, SIZE_T size, SIZE_T *count)
{
	const void *buf = op == WIN32_WRITE ? src : dst;
	uint64_t copied = ACTUAL_UNSET;
	DWORD error = ERROR_SUCCESS;
	int fd, ret;

	fd = handle_fd(handle);
	if (fd < 0)
		error = ERROR_INVALID_HANDLE;
	else if (size == 0 && !zero_size(fd, op))
		error = last_error;
	/* The kernel's limit for one access, which Windows does not have. */
	else if (size > ZXPROC_MAX_TRANSFER)
		error = ERROR_INVALID_PARAMETER;
	/* The kernel's EINVAL for it would say ERROR_INVALID_PARAMETER. */
	else if (size != 0 && buf == NULL)
		error = ERROR_NOACCESS;
	else if (size != 0) {
		ret = op == WIN32_WRITE ?
			write_copy(fd, addr, buf, size, &copied) :
			copy(fd, op, addr, buf, size,
			     ZXPROC_MEM_ALL_OR_NOTHING | ZXPROC_MEM_FORCE_EXEC,
			     &copied);
		if (ret == EACCES_RANGE && op == WIN32_WRITE && copied == 0)
			return fail(win32_error(op, ret));
		if (ret)
			error = win32_error(op, ret);
		else if (copied < size)
			error = ERROR_PARTIAL_COPY;
	}
	if (count != NULL)
		*count = copied == ACTUAL_UNSET ? 0 : (SIZE_T)copied;
	return error == ERROR_SUCCESS ? TRUE : fail(error);
}

ZXP_EXPORT BOOL WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress,
				   LPCVOID lpBuffer, SIZE_T nSize,
				   SIZE_T *lpNumberOfBytesWritten)
{
	return transfer(WIN32_WRITE, hProcess, (uintptr_t)lpBaseAddress, NULL,
			lpBuffer, nSize, lpNumberOfBytesWritten);
}

ZXP_EXPORT BOOL ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress,
				  LPVOID lpBuffer, SIZE_T nSize,
				  SIZE_T *lpNumberOfBytesRead)
{
	return transfer(WIN32_READ, hProcess, (uintptr_t)lpBaseAddress,
			lpBuffer, NULL, nSize, lpNumberOfBytesRead);
}

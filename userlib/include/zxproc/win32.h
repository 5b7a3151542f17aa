/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Windows' process memory calls on Linux: OpenProcess, WriteProcessMemory,
 * ReadProcessMemory, CloseHandle, GetLastError and SetLastError, with
 * Windows' names, types and constant values, for tools ported from
 * Windows (trainers, injectors, test harnesses).  They run on the zxproc
 * kernel module, as the Zircon calls of <zircon/syscalls.h> do.
 *
 * A HANDLE from OpenProcess is a process handle of <zircon/types.h>: the
 * same value, (zx_handle_t)(uintptr_t)handle, works with the Zircon
 * calls, and never NULL.  Windows' access rights become Zircon rights
 * when the handle is opened, and the kernel enforces those (see
 * OpenProcess(3)).  ReadProcessMemory is all or nothing: the kernel
 * makes every page of the range accessible before it copies a byte, and
 * memory mapped PROT_NONE is not read.  WriteProcessMemory decides as
 * Windows does, by the mapping at lpBaseAddress: writable memory is
 * written as it is, code (PROT_EXEC) there is written by copy-on-write,
 * that mapping only, and anything else is refused (ERROR_NOACCESS, the
 * count left as it was); past it, the write stops at the first page it
 * cannot write (ERROR_PARTIAL_COPY, with the count of bytes written).  The functions live in libzxproc-win32
 * (pkg-config libzxproc-win32), not in libzxproc.
 *
 * Each function has a manual page in section 3.
 */
#ifndef ZXPROC_WIN32_H
#define ZXPROC_WIN32_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Windows' types, with Windows' widths. */
typedef void *HANDLE;
typedef uint32_t DWORD;
typedef int BOOL;
typedef void *LPVOID;
typedef const void *LPCVOID;
typedef size_t SIZE_T;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/*
 * Standard access rights (winnt.h).  Their names are common words (an
 * enum member DELETE, a SYNCHRONIZE of one's own), so they are defined
 * only for an includer that asks, with ZXPROC_WIN32_STANDARD_RIGHTS.
 */
#ifdef ZXPROC_WIN32_STANDARD_RIGHTS
#define DELETE				0x00010000u
#define READ_CONTROL			0x00020000u
#define WRITE_DAC			0x00040000u
#define WRITE_OWNER			0x00080000u
#define SYNCHRONIZE			0x00100000u
#define STANDARD_RIGHTS_REQUIRED	0x000F0000u
#endif

/* Generic rights and MAXIMUM_ALLOWED (winnt.h), mapped by OpenProcess. */
#define MAXIMUM_ALLOWED			0x02000000u
#define GENERIC_ALL			0x10000000u
#define GENERIC_EXECUTE			0x20000000u
#define GENERIC_WRITE			0x40000000u
#define GENERIC_READ			0x80000000u

/* Process access rights (winnt.h). */
#define PROCESS_TERMINATE			0x0001u
#define PROCESS_CREATE_THREAD			0x0002u
#define PROCESS_SET_SESSIONID			0x0004u
#define PROCESS_VM_OPERATION			0x0008u
#define PROCESS_VM_READ				0x0010u
#define PROCESS_VM_WRITE			0x0020u
#define PROCESS_DUP_HANDLE			0x0040u
#define PROCESS_CREATE_PROCESS			0x0080u
#define PROCESS_SET_QUOTA			0x0100u
#define PROCESS_SET_INFORMATION			0x0200u
#define PROCESS_QUERY_INFORMATION		0x0400u
#define PROCESS_SUSPEND_RESUME			0x0800u
#define PROCESS_QUERY_LIMITED_INFORMATION	0x1000u
#define PROCESS_SET_LIMITED_INFORMATION		0x2000u
/* Windows Vista and later: STANDARD_RIGHTS_REQUIRED | SYNCHRONIZE | 0xFFFF. */
#define PROCESS_ALL_ACCESS			0x001FFFFFu

/* System error codes (winerror.h) these functions set. */
#define ERROR_SUCCESS			0u
#define ERROR_TOO_MANY_OPEN_FILES	4u
#define ERROR_ACCESS_DENIED		5u
#define ERROR_INVALID_HANDLE		6u
#define ERROR_NOT_ENOUGH_MEMORY		8u
#define ERROR_NOT_SUPPORTED		50u
#define ERROR_INVALID_PARAMETER		87u
#define ERROR_PARTIAL_COPY		299u
#define ERROR_NOACCESS			998u
#define ERROR_INTERNAL_ERROR		1359u

HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle,
		   DWORD dwProcessId);

/*
 * By the region at lpBaseAddress (see the top of this file); a bad
 * lpBuffer writes nothing.
 */
BOOL WriteProcessMemory(HANDLE hProcess, LPVOID lpBaseAddress,
			LPCVOID lpBuffer, SIZE_T nSize,
			SIZE_T *lpNumberOfBytesWritten);

BOOL ReadProcessMemory(HANDLE hProcess, LPCVOID lpBaseAddress,
		       LPVOID lpBuffer, SIZE_T nSize,
		       SIZE_T *lpNumberOfBytesRead);

BOOL CloseHandle(HANDLE hObject);

/* The pseudo-handle (HANDLE)-1: the calling process, never closed. */
HANDLE GetCurrentProcess(void);

/* The calling thread's last error code. */
DWORD GetLastError(void);

void SetLastError(DWORD dwErrCode);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_WIN32_H */

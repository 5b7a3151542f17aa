// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one table that turns the kernel's errnos into Zircon statuses.
 * Every public function reports kernel failures through it.  The
 * meaning of each errno is the uapi header's (uapi/linux/zxproc.h) for
 * processes and handles, and that of the file calls vmo.c makes on a
 * memfd (pread, pwrite, ftruncate, fallocate, open) for VMOs.  An errno
 * a column never expects is ZX_ERR_INTERNAL there.
 */
#include <errno.h>
#include <stddef.h>

#include "internal.h"

static const struct {
	int err;
	zx_status_t on[ZXP_ON_COUNT];	/* indexed by enum zxp_on */
} errno_table[] = {
	/* errno	on a process		on any handle		on a VMO */
	/* No such process. */
	{ ESRCH,	{ ZX_ERR_NOT_FOUND,	ZX_ERR_NOT_FOUND,	ZX_ERR_INTERNAL } },
	/* The target exited or exec'd, or is exiting at open. */
	{ ESTALE,	{ ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE,	ZX_ERR_INTERNAL } },
	/*
	 * The memory is not cacheable (VM_IO, VM_PFNMAP); tmpfs documents
	 * no EIO, so on a VMO it is passed on as what it says.
	 */
	{ EIO,		{ ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE,	ZX_ERR_IO } },
	/*
	 * A no-fault read (ZXPROC_MEMORY_NO_FAULT) whose first page is not
	 * present: bringing it in is what the caller asked not to wait for.
	 */
	{ EAGAIN,	{ ZX_ERR_SHOULD_WAIT,	ZX_ERR_INTERNAL,	ZX_ERR_INTERNAL } },
	/* A kernel thread has no user memory to name. */
	{ EOPNOTSUPP,	{ ZX_ERR_WRONG_TYPE,	ZX_ERR_WRONG_TYPE,	ZX_ERR_NOT_SUPPORTED } },
	/*
	 * The descriptor does not speak zxproc's ioctls (the magic number
	 * is unique, so any other file answers ENOTTY): for a process
	 * operation it is a handle of the wrong type, and for a handle
	 * operation it is no handle at all.  vmo.c reports a descriptor
	 * that is not a VMO the same way.
	 */
	{ ENOTTY,	{ ZX_ERR_WRONG_TYPE,	ZX_ERR_BAD_HANDLE,	ZX_ERR_WRONG_TYPE } },
	/*
	 * Not open; or, from pread/pwrite on a descriptor already known to
	 * be a VMO, not open for that access: the kernel enforcing a
	 * VMO handle's READ or WRITE right.
	 */
	{ EBADF,	{ ZX_ERR_BAD_HANDLE,	ZX_ERR_BAD_HANDLE,	ZX_ERR_ACCESS_DENIED } },
	/*
	 * A right is missing, or the caller may not open the target; on a
	 * VMO, a seal (F_SEAL_WRITE) or the memfd's file mode refusing a
	 * reopen through /proc.
	 */
	{ EPERM,	{ ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED } },
	{ EACCES,	{ ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED } },
	/*
	 * Bad arguments; EFAULT is the caller's buffer being unreadable.
	 * On a VMO, zx_vmo_write's contract names that NOT_FOUND: "buffer
	 * address does not map to address in address space".
	 */
	{ EINVAL,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS } },
	{ E2BIG,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS } },
	{ EFAULT,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS,	ZX_ERR_NOT_FOUND } },
	/* A VMO larger than a file may be. */
	{ EFBIG,	{ ZX_ERR_INTERNAL,	ZX_ERR_INTERNAL,	ZX_ERR_OUT_OF_RANGE } },
	/* Nothing mapped at the address, or out of memory (tmpfs: ENOSPC). */
	{ ENOMEM,	{ ZX_ERR_NO_MEMORY,	ZX_ERR_NO_MEMORY,	ZX_ERR_NO_MEMORY } },
	{ ENOSPC,	{ ZX_ERR_INTERNAL,	ZX_ERR_INTERNAL,	ZX_ERR_NO_MEMORY } },
	{ EMFILE,	{ ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES } },
	{ ENFILE,	{ ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES } },
	/*
	 * Opening /dev/zxproc: the module is not loaded.  Reopening a VMO
	 * through /proc/thread-self/fd: no /proc; memfd_create(2): no
	 * memfds in this kernel (ENOSYS).
	 */
	{ ENOENT,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
	{ ENODEV,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
	{ ENXIO,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
	{ ENOSYS,	{ ZX_ERR_INTERNAL,	ZX_ERR_INTERNAL,	ZX_ERR_NOT_SUPPORTED } },
};

zx_status_t zxp_status_from_errno(enum zxp_on on, int err)
{
	size_t i;

	if ((unsigned int)on >= ZXP_ON_COUNT)
		return ZX_ERR_INTERNAL;
	for (i = 0; i < sizeof(errno_table) / sizeof(errno_table[0]); i++)
		if (errno_table[i].err == err)
			return errno_table[i].on[on];
	/* The kernel documents no other errno: a bug, not a caller error. */
	return ZX_ERR_INTERNAL;
}

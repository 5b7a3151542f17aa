// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one table that turns the kernel's errnos into Zircon statuses.
 * Every public function reports kernel failures through it.  The
 * meaning of each errno is the uapi header's (uapi/linux/zxproc.h).
 */
#include <errno.h>
#include <stddef.h>

#include "internal.h"

static const struct {
	int err;
	zx_status_t on[ZXP_ON_COUNT];	/* indexed by enum zxp_on */
} errno_table[] = {
	/* errno	on a process		on any handle */
	/* No such process. */
	{ ESRCH,	{ ZX_ERR_NOT_FOUND,	ZX_ERR_NOT_FOUND } },
	/* The target exited or exec'd, or is exiting at open. */
	{ ESTALE,	{ ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE } },
	/* The memory is not cacheable (VM_IO, VM_PFNMAP). */
	{ EIO,		{ ZX_ERR_BAD_STATE,	ZX_ERR_BAD_STATE } },
	/* A kernel thread has no user memory to name. */
	{ EOPNOTSUPP,	{ ZX_ERR_WRONG_TYPE,	ZX_ERR_WRONG_TYPE } },
	/*
	 * The descriptor does not speak zxproc's ioctls (the magic number
	 * is unique, so any other file answers ENOTTY): for a process
	 * operation it is a handle of the wrong type, and for a handle
	 * operation it is no handle at all.
	 */
	{ ENOTTY,	{ ZX_ERR_WRONG_TYPE,	ZX_ERR_BAD_HANDLE } },
	{ EBADF,	{ ZX_ERR_BAD_HANDLE,	ZX_ERR_BAD_HANDLE } },
	/* A right is missing, or the caller may not open the target. */
	{ EPERM,	{ ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED } },
	{ EACCES,	{ ZX_ERR_ACCESS_DENIED,	ZX_ERR_ACCESS_DENIED } },
	/* Bad arguments; EFAULT is the caller's buffer being unreadable. */
	{ EINVAL,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS } },
	{ E2BIG,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS } },
	{ EFAULT,	{ ZX_ERR_INVALID_ARGS,	ZX_ERR_INVALID_ARGS } },
	/* Nothing mapped at the address, or out of memory. */
	{ ENOMEM,	{ ZX_ERR_NO_MEMORY,	ZX_ERR_NO_MEMORY } },
	{ EMFILE,	{ ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES } },
	{ ENFILE,	{ ZX_ERR_NO_RESOURCES,	ZX_ERR_NO_RESOURCES } },
	/* Opening /dev/zxproc: the module is not loaded. */
	{ ENOENT,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
	{ ENODEV,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
	{ ENXIO,	{ ZX_ERR_NOT_SUPPORTED,	ZX_ERR_NOT_SUPPORTED } },
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

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_compare_exchange(): one ZXPROC_IOC_CAS, an atomic
 * compare-and-swap of a naturally aligned 1, 2, 4 or 8-byte value in
 * the target.  The arguments the kernel would refuse with EINVAL are
 * refused here first, without a system call, as Zircon checks them.
 */
#include <errno.h>
#include <stdint.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "internal.h"

/* The kernel's EINVAL cases, found before the call. */
static bool cas_args_valid(zx_vaddr_t vaddr, size_t size, uint64_t expected,
			   uint64_t desired)
{
	uint64_t mask;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		return false;
	if (vaddr & (size - 1))
		return false;
	mask = size == 8 ? UINT64_MAX : ((uint64_t)1 << (size * 8)) - 1;
	return ((expected | desired) & ~mask) == 0;
}

/*
 * A module older than ZXPROC_IOC_CAS answers a process handle with
 * ENOTTY, which on a process means a handle of the wrong type: tell
 * "a process handle, but no CAS in this module" apart by asking the
 * handle what it is.
 */
static zx_status_t cas_status(int fd, int err)
{
	struct zxproc_info info;

	/* A VMO handle without READ and WRITE: an O_PATH descriptor. */
	if (err == EBADF && zxp_vmo_check(fd) == 0)
		return ZX_ERR_WRONG_TYPE;
	if (err == ENOTTY && zxp_ioctl(fd, ZXPROC_IOC_INFO, &info) == 0)
		return ZX_ERR_NOT_SUPPORTED;
	return zxp_status_from_errno(ZXP_ON_PROCESS, err);
}

ZXP_EXPORT zx_status_t zxproc_process_compare_exchange(zx_handle_t handle,
						       zx_vaddr_t vaddr,
						       size_t size,
						       uint64_t expected,
						       uint64_t desired,
						       uint64_t *old)
{
	struct zxproc_cas cas = {
		.addr = vaddr,
		.expected = expected,
		.desired = desired,
		.size = (uint32_t)size,
	};
	int fd, ret;

	if (old == NULL || !cas_args_valid(vaddr, size, expected, desired))
		return ZX_ERR_INVALID_ARGS;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	ret = zxp_ioctl(fd, ZXPROC_IOC_CAS, &cas);
	if (ret < 0)
		return cas_status(fd, -ret);
	*old = cas.old;
	return ZX_OK;
}

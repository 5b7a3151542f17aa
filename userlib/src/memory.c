// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_process_write_memory() and zx_process_read_memory(): one ioctl on
 * the handle, which checks the handle's rights and the target's state.
 */
#include <errno.h>
#include <stdint.h>

#include <zircon/syscalls.h>

#include "internal.h"

/*
 * The checks that need no kernel come first, as in Zircon, so a bad
 * argument is reported before anything is looked up or copied.
 * *actual is written only on success.
 */
static zx_status_t transfer(unsigned long cmd, zx_handle_t handle,
			    zx_vaddr_t vaddr, const void *buffer,
			    size_t buffer_size, size_t *actual)
{
	struct zxproc_mem mem;
	int fd, ret;

	if (buffer == NULL || buffer_size == 0 ||
	    buffer_size > ZXPROC_MAX_TRANSFER || actual == NULL)
		return ZX_ERR_INVALID_ARGS;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	mem = (struct zxproc_mem) {
		.addr = vaddr,
		.buf = (uintptr_t)buffer,
		.len = buffer_size,
	};
	ret = zxp_ioctl(fd, cmd, &mem);
	/*
	 * A VMO handle without READ and WRITE is an O_PATH descriptor,
	 * which answers every ioctl with EBADF: still a handle, of the
	 * wrong type (other VMO handles answer ENOTTY, WRONG_TYPE too).
	 */
	if (ret == -EBADF && zxp_vmo_check(fd) == 0)
		return ZX_ERR_WRONG_TYPE;
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -ret);
	*actual = (size_t)mem.actual;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_process_write_memory(zx_handle_t handle,
					       zx_vaddr_t vaddr,
					       const void *buffer,
					       size_t buffer_size,
					       size_t *actual)
{
	return transfer(ZXPROC_IOC_WRITE, handle, vaddr, buffer, buffer_size,
			actual);
}

ZXP_EXPORT zx_status_t zx_process_read_memory(zx_handle_t handle,
					      zx_vaddr_t vaddr, void *buffer,
					      size_t buffer_size,
					      size_t *actual)
{
	return transfer(ZXPROC_IOC_READ, handle, vaddr, buffer, buffer_size,
			actual);
}

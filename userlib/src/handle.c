// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_handle_close(), zx_handle_duplicate() and zx_handle_replace().
 * The kernel checks rights; the library only turns handle values into
 * descriptors and never closes a descriptor that is not a zxproc
 * handle.
 */
#include <errno.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "internal.h"

/*
 * On Linux, close(2) releases the descriptor whatever it returns, unless
 * the descriptor was not open (EBADF: another thread closed it first).
 * It is never repeated: a retry after EINTR could close a descriptor
 * another thread has just been given.
 */
static zx_status_t close_fd(int fd)
{
	if (close(fd) < 0 && errno == EBADF)
		return ZX_ERR_BAD_HANDLE;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_handle_close(zx_handle_t handle)
{
	struct zxproc_info info;
	int fd, ret;

	/* Zircon: closing ZX_HANDLE_INVALID is not an error. */
	if (handle == ZX_HANDLE_INVALID)
		return ZX_OK;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	/* Only a descriptor that answers ZXPROC_IOC_INFO is ours to close. */
	ret = zxp_handle_info(fd, &info);
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -ret);
	return close_fd(fd);
}

/* ZXPROC_IOC_DUPLICATE: the new descriptor, or -errno. */
static int duplicate_fd(int fd, zx_rights_t rights, uint32_t flags)
{
	struct zxproc_dup dup = { .rights = rights, .flags = flags };

	return zxp_ioctl(fd, ZXPROC_IOC_DUPLICATE, &dup);
}

ZXP_EXPORT zx_status_t zx_handle_duplicate(zx_handle_t handle,
					   zx_rights_t rights,
					   zx_handle_t *out)
{
	int fd, new_fd;

	if (out == NULL)
		return ZX_ERR_INVALID_ARGS;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	new_fd = duplicate_fd(fd, rights, 0);
	if (new_fd < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	*out = zxp_fd_to_handle(new_fd);
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle,
					 zx_rights_t rights,
					 zx_handle_t *out)
{
	struct zxproc_info info;
	int fd, new_fd;

	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	if (out == NULL) {
		/*
		 * Zircon consumes the handle even when it cannot store the
		 * replacement; do the same, but only to a handle of ours.
		 */
		new_fd = zxp_handle_info(fd, &info);
		if (new_fd < 0)
			return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
		close_fd(fd);
		return ZX_ERR_INVALID_ARGS;
	}
	new_fd = duplicate_fd(fd, rights, ZXPROC_DUP_REPLACE);
	/* Not a handle (EBADF) or not ours (ENOTTY): nothing to consume. */
	if (new_fd == -EBADF || new_fd == -ENOTTY)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	/* Any other outcome consumes the source handle, as in Zircon. */
	close_fd(fd);
	if (new_fd < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	*out = zxp_fd_to_handle(new_fd);
	return ZX_OK;
}

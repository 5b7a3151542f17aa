// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_handle_close(), zx_handle_duplicate() and zx_handle_replace(), for
 * process handles and VMO handles alike.  A descriptor is asked first
 * whether it is a process handle (the kernel module checks the rights of
 * those); one that is not may be a VMO (vmo.c).  The library never
 * closes a descriptor that is neither.
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

/*
 * After a process handle's ioctl on @fd failed with @err: is @fd a VMO
 * handle instead?  Not a process handle is ENOTTY; EBADF is also what a
 * VMO handle without READ and WRITE (an O_PATH descriptor) answers.
 */
static int vmo_instead(int fd, int err)
{
	return (err == -ENOTTY || err == -EBADF) && zxp_vmo_check(fd) == 0;
}

/* 0 if @fd is a handle of ours (process or VMO), else -errno. */
static int check_ours(int fd)
{
	struct zxproc_info info;
	int ret = zxp_handle_info(fd, &info);

	return ret < 0 && vmo_instead(fd, ret) ? 0 : ret;
}

ZXP_EXPORT zx_status_t zx_handle_close(zx_handle_t handle)
{
	int fd, ret;

	/* Zircon: closing ZX_HANDLE_INVALID is not an error. */
	if (handle == ZX_HANDLE_INVALID)
		return ZX_OK;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	/* Only a process handle or a VMO is ours to close. */
	ret = check_ours(fd);
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
	if (new_fd < 0 && vmo_instead(fd, new_fd)) {
		zx_status_t status = zxp_vmo_duplicate(fd, rights, &new_fd);

		if (status != ZX_OK)
			return status;
	}
	if (new_fd < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	*out = zxp_fd_to_handle(new_fd);
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_handle_replace(zx_handle_t handle,
					 zx_rights_t rights,
					 zx_handle_t *out)
{
	zx_status_t status = ZX_OK;
	int fd, new_fd;

	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	if (out == NULL) {
		/*
		 * Zircon consumes the handle even when it cannot store the
		 * replacement; do the same, but only to a handle of ours.
		 */
		new_fd = check_ours(fd);
		if (new_fd < 0)
			return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
		close_fd(fd);
		return ZX_ERR_INVALID_ARGS;
	}
	new_fd = duplicate_fd(fd, rights, ZXPROC_DUP_REPLACE);
	if (new_fd < 0 && vmo_instead(fd, new_fd))
		status = zxp_vmo_duplicate(fd, rights, &new_fd);
	/* Not a handle (EBADF) or not ours (ENOTTY): nothing to consume. */
	else if (new_fd == -EBADF || new_fd == -ENOTTY)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	else if (new_fd < 0)
		status = zxp_status_from_errno(ZXP_ON_HANDLE, -new_fd);
	/*
	 * Any other outcome consumes the source handle, as in Zircon; but
	 * BAD_HANDLE from vmo.c means @fd no longer names the VMO it was
	 * checked as (another thread replaced it), so it is not ours.
	 */
	if (status != ZX_ERR_BAD_HANDLE)
		close_fd(fd);
	if (status != ZX_OK)
		return status;
	*out = zxp_fd_to_handle(new_fd);
	return ZX_OK;
}

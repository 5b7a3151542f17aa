// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Handle values and file descriptors.  A handle is its file descriptor
 * plus one: ZX_HANDLE_INVALID (0) then stands for fd -1, which the
 * kernel never hands out, so it can never name a live handle even while
 * fd 0 is closed.
 */
#include <errno.h>
#include <limits.h>
#include <sys/ioctl.h>

#include <zxproc/zxproc.h>

#include "internal.h"

int zxp_handle_to_fd(zx_handle_t handle)
{
	/* fds run from 0 to INT_MAX, so handles from 1 to INT_MAX + 1. */
	if (handle == ZX_HANDLE_INVALID || handle - 1 > (zx_handle_t)INT_MAX)
		return -1;
	return (int)(handle - 1);
}

zx_handle_t zxp_fd_to_handle(int fd)
{
	if (fd < 0)
		return ZX_HANDLE_INVALID;
	return (zx_handle_t)fd + 1;
}

ZXP_EXPORT int zxproc_handle_fd(zx_handle_t handle)
{
	return zxp_handle_to_fd(handle);
}

ZXP_EXPORT zx_handle_t zxproc_handle_from_fd(int fd)
{
	return zxp_fd_to_handle(fd);
}

int zxp_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	/*
	 * The kernel returns EINTR only when a fatal signal is pending, and
	 * then the process dies before it can retry; repeating stays right
	 * should any other EINTR ever arrive.
	 */
	do
		ret = ioctl(fd, cmd, arg);
	while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int zxp_handle_info(int fd, struct zxproc_info *info)
{
	int ret = zxp_ioctl(fd, ZXPROC_IOC_INFO, info);

	return ret < 0 ? ret : 0;
}

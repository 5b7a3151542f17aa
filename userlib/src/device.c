// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * /dev/zxproc: opened for each call that needs it and closed again, so
 * the library keeps no descriptor of its own and every call runs with
 * the caller's current credentials (the kernel checks those of the
 * opener too).
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <zxproc/zxproc.h>

#include "internal.h"

#define ZXP_DEVICE_PATH "/dev/" ZXPROC_DEVICE_NAME

int zxp_device_open(void)
{
	int fd;

	do
		fd = open(ZXP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	/* ENOENT, ENODEV, ENXIO: module not loaded (NOT_SUPPORTED). */
	return fd < 0 ? -errno : fd;
}

ZXP_EXPORT zx_status_t zxproc_module_version(uint32_t *major,
					     uint32_t *minor,
					     uint32_t *patch)
{
	struct zxproc_version version;
	int dev, ret;

	dev = zxp_device_open();
	if (dev < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -dev);
	ret = zxp_ioctl(dev, ZXPROC_IOC_GET_VERSION, &version);
	close(dev);
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -ret);
	if (major != NULL)
		*major = version.major;
	if (minor != NULL)
		*minor = version.minor;
	if (patch != NULL)
		*patch = version.patch;
	return ZX_OK;
}

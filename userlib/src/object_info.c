// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_object_get_info() for the topics a process or VMO handle can
 * answer: ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC, built from the
 * kernel's ZXPROC_IOC_INFO for a process handle and from the memfd for
 * a VMO (vmo.c).
 */
#include <errno.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "internal.h"

/* The handle's ZX_INFO_HANDLE_BASIC record, or a status. */
static zx_status_t basic_record(zx_handle_t handle,
				zx_info_handle_basic_t *record)
{
	int fd = zxp_handle_to_fd(handle);
	struct zxproc_info info;
	int ret;

	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	ret = zxp_handle_info(fd, &info);
	/* Not a process handle (an O_PATH VMO answers EBADF): a VMO? */
	if (ret == -ENOTTY || ret == -EBADF)
		return zxp_vmo_basic(fd, record);
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -ret);
	memset(record, 0, sizeof(*record));
	/* 0 once the process is gone from the caller's pid namespace. */
	record->koid = info.pid > 0 ? (zx_koid_t)info.pid : ZX_KOID_INVALID;
	record->rights = info.rights;
	record->type = info.type;
	record->related_koid = ZX_KOID_INVALID;
	return ZX_OK;
}

/*
 * One fixed-size record, the way Zircon's kernel returns one: when the
 * buffer is too small, *actual = 0 and *avail = 1 tell the caller what
 * was needed; the buffer is written only on success.
 */
static zx_status_t handle_basic(zx_handle_t handle, void *buffer,
				size_t buffer_size, size_t *actual,
				size_t *avail)
{
	zx_info_handle_basic_t record;
	zx_status_t status;

	if (buffer == NULL && buffer_size >= sizeof(record))
		return ZX_ERR_INVALID_ARGS;
	status = basic_record(handle, &record);
	if (status != ZX_OK)
		return status;
	if (avail != NULL)
		*avail = 1;
	if (buffer_size < sizeof(record)) {
		if (actual != NULL)
			*actual = 0;
		return ZX_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(buffer, &record, sizeof(record));
	if (actual != NULL)
		*actual = 1;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
					  void *buffer, size_t buffer_size,
					  size_t *actual, size_t *avail)
{
	zx_info_handle_basic_t record;

	switch (topic) {
	case ZX_INFO_HANDLE_VALID:
		return basic_record(handle, &record);
	case ZX_INFO_HANDLE_BASIC:
		return handle_basic(handle, buffer, buffer_size, actual, avail);
	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

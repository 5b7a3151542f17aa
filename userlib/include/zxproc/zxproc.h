/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What libzxproc offers on Linux that Zircon has no name for: opening a
 * process handle by process id or pidfd, asking for the kernel module's
 * version, and converting between handles and file descriptors.
 *
 * Each function has a manual page in section 3.
 */
#ifndef ZXPROC_ZXPROC_H
#define ZXPROC_ZXPROC_H

#include <stdint.h>
#include <sys/types.h>

#include <zircon/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every right a process handle can carry. */
#define ZXPROC_PROCESS_RIGHTS \
	(ZX_RIGHT_DUPLICATE | ZX_RIGHT_TRANSFER | ZX_RIGHT_READ | \
	 ZX_RIGHT_WRITE | ZX_RIGHT_INSPECT)

zx_status_t zxproc_process_open(pid_t pid, zx_rights_t rights,
				zx_handle_t *out);

zx_status_t zxproc_process_open_pidfd(int pidfd, zx_rights_t rights,
				      zx_handle_t *out);

zx_status_t zxproc_module_version(uint32_t *major, uint32_t *minor,
				  uint32_t *patch);

/* The file descriptor of a handle, or -1 for a value no fd can have. */
int zxproc_handle_fd(zx_handle_t handle);

/* The handle value of a file descriptor, or ZX_HANDLE_INVALID if fd < 0. */
zx_handle_t zxproc_handle_from_fd(int fd);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_ZXPROC_H */

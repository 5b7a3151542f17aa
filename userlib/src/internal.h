/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libzxproc's private interface: how a status is made from an errno,
 * how a handle becomes a file descriptor, and the kernel calls every
 * public function shares.  Nothing here is exported from the shared
 * library (see libzxproc.map).
 */
#ifndef LIBZXPROC_PRIVATE_H
#define LIBZXPROC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/zxproc.h>
#include <zircon/syscalls/object.h>
#include <zircon/types.h>

/* Marks the definition of a public function (built -fvisibility=hidden). */
#define ZXP_EXPORT __attribute__((visibility("default")))

/*
 * The columns of the errno table in status.c: what the failed call was
 * acting on, because one errno can mean different things there.
 *   ZXP_ON_PROCESS: a process (memory access, opening a process handle,
 *	the device).
 *   ZXP_ON_HANDLE: any handle, whatever its object (close, duplicate,
 *	replace, get_info): a descriptor that is no handle of ours is
 *	a bad handle, not a handle of the wrong type.
 *   ZXP_ON_VMO: a VMO's memfd (zx_vmo_*, and duplicating a VMO handle),
 *	once it is known to be one: EBADF there is the descriptor's
 *	access mode refusing the call, and EFAULT the caller's buffer.
 * A later object kind adds a column, not a table.
 */
enum zxp_on {
	ZXP_ON_PROCESS,
	ZXP_ON_HANDLE,
	ZXP_ON_VMO,
	ZXP_ON_COUNT
};

/* The status for errno @err from a call acting on @on (status.c). */
zx_status_t zxp_status_from_errno(enum zxp_on on, int err);

/*
 * The file descriptor a handle value stands for, or -1 when no
 * descriptor can have that value (ZX_HANDLE_INVALID among them).
 */
int zxp_handle_to_fd(zx_handle_t handle);
zx_handle_t zxp_fd_to_handle(int fd);

/*
 * ioctl(2), repeated while it fails with EINTR.  Returns its
 * non-negative result, or -errno.
 */
int zxp_ioctl(int fd, unsigned long cmd, void *arg);

/* ZXPROC_IOC_INFO on @fd: 0, or -errno (-ENOTTY: not a handle). */
int zxp_handle_info(int fd, struct zxproc_info *info);

/*
 * One range of process memory through ZXPROC_IOC_WRITE (@write) or
 * ZXPROC_IOC_READ on handle @fd, with the kernel's ZXPROC_MEM_* @flags,
 * and no check of its own (memory.c): the one copy every public memory
 * function makes.  Returns 0 or -errno.  *@copied receives the kernel's
 * zxproc_mem.actual when the kernel wrote it back (on success and on
 * every error found after it accepted the arguments and the handle's
 * rights), and keeps the caller's value otherwise.
 */
int zxp_memory_transfer(int fd, bool write, zx_vaddr_t vaddr,
			const void *buffer, size_t size, uint32_t flags,
			uint64_t *copied);

/*
 * Every mapping of the address space process handle @fd is bound to
 * (ZXPROC_IOC_MAPS, object_info.c): 0 with *@maps, malloc'd, and
 * *@count; or -errno.
 */
int zxp_process_maps(int fd, struct zxproc_map **maps, size_t *count);

/* Opens /dev/zxproc (O_RDWR | O_CLOEXEC): its fd, or -errno. */
int zxp_device_open(void);

/* Opens a process handle to @pid: its fd, or -errno. */
int zxp_process_open_fd(pid_t pid, zx_rights_t rights);

/*
 * VMO handles (vmo.c).  A VMO is a memfd; see zxp_vmo_check() for how
 * one is told from other descriptors.
 *
 * zxp_vmo_check(): 0 when @fd is a VMO, -EBADF when it is not open,
 * -ENOTTY when it is open but not a VMO (the errnos a process handle's
 * ioctls give in those cases), or another -errno from fstat(2).
 */
int zxp_vmo_check(int fd);

/* ZX_INFO_HANDLE_BASIC of VMO @fd, or a status (ZXP_ON_HANDLE's). */
zx_status_t zxp_vmo_basic(int fd, zx_info_handle_basic_t *record);

/*
 * A new descriptor for VMO @fd with @rights (ZX_RIGHT_SAME_RIGHTS, or a
 * subset of its own), stored in *@new_fd; or a status.
 */
zx_status_t zxp_vmo_duplicate(int fd, zx_rights_t rights, int *new_fd);

#endif /* LIBZXPROC_PRIVATE_H */

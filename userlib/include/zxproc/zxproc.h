/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What libzxproc offers on Linux that Zircon has no name for: opening a
 * process handle by process id or pidfd, asking for the kernel module's
 * version, converting between handles and file descriptors, process
 * memory access with options (all or nothing, no fault) and in batches,
 * and an atomic compare-and-swap in a process's memory.
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

/*
 * Options of the zxproc_process_*_memory_ex() and _batch() calls.
 * ALL_OR_NOTHING: every page of a range, and of the caller's buffer
 * for it, is made accessible before a byte of it is copied; if one
 * cannot be, nothing of the range is.
 */
#define ZXPROC_MEMORY_ALL_OR_NOTHING	((uint32_t)1u)
/*
 * NO_FAULT (reads only): copy only what the target's page tables map
 * now, never bringing a page in or allocating memory for the target;
 * the copy stops at the first page that is not present.
 */
#define ZXPROC_MEMORY_NO_FAULT		((uint32_t)0x10u)

/* Limits of one batch: segments, and bytes over all its segments. */
#define ZXPROC_MEMORY_MAX_SEGMENTS	((size_t)1024)
#define ZXPROC_MEMORY_MAX_BYTES		((size_t)64 << 20)

/*
 * One segment of a batch.  The caller fills vaddr, buffer and size;
 * the call fills status and actual (see the _batch man pages for when).
 * buffer is the source of a write and the destination of a read.
 * actual counts the bytes copied whatever the status: a segment that
 * failed partway reports the bytes it copied before it failed.
 */
typedef struct zxproc_memory_seg {
	zx_vaddr_t vaddr;	/* address in the target process */
	void *buffer;		/* the caller's bytes */
	size_t size;		/* 1 to ZXPROC_MEMORY_MAX_BYTES */
	zx_status_t status;	/* out: ZX_OK, or why this segment failed */
	uint8_t padding1[4];
	size_t actual;		/* out: bytes copied, also when it failed */
} zxproc_memory_seg_t;

zx_status_t zxproc_process_open(pid_t pid, zx_rights_t rights,
				zx_handle_t *out);

zx_status_t zxproc_process_open_pidfd(int pidfd, zx_rights_t rights,
				      zx_handle_t *out);

zx_status_t zxproc_module_version(uint32_t *major, uint32_t *minor,
				  uint32_t *patch);

zx_status_t zxproc_process_write_memory_ex(zx_handle_t handle,
					   zx_vaddr_t vaddr,
					   const void *buffer,
					   size_t buffer_size,
					   uint32_t options, size_t *actual);

zx_status_t zxproc_process_read_memory_ex(zx_handle_t handle,
					  zx_vaddr_t vaddr, void *buffer,
					  size_t buffer_size,
					  uint32_t options, size_t *actual);

zx_status_t zxproc_process_write_memory_batch(zx_handle_t handle,
					      zxproc_memory_seg_t *segs,
					      size_t count, uint32_t options,
					      size_t *actual);

zx_status_t zxproc_process_read_memory_batch(zx_handle_t handle,
					     zxproc_memory_seg_t *segs,
					     size_t count, uint32_t options,
					     size_t *actual);

zx_status_t zxproc_process_compare_exchange(zx_handle_t handle,
					    zx_vaddr_t vaddr, size_t size,
					    uint64_t expected,
					    uint64_t desired, uint64_t *old);

/* The file descriptor of a handle, or -1 for a value no fd can have. */
int zxproc_handle_fd(zx_handle_t handle);

/* The handle value of a file descriptor, or ZX_HANDLE_INVALID if fd < 0. */
zx_handle_t zxproc_handle_from_fd(int fd);

#ifdef __cplusplus
}
#endif

#endif /* ZXPROC_ZXPROC_H */

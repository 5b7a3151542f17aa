// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Process memory: zx_process_write_memory() and zx_process_read_memory(),
 * their forms with options, zxproc_process_{write,read}_memory_ex(), and
 * the batched zxproc_process_{write,read}_memory_batch().
 *
 * Every single range goes through zxp_memory_transfer(), one ioctl on
 * the handle, which checks the handle's rights and the target's state;
 * win32.c uses it too.  A batch is one ZXPROC_IOC_WRITEV or READV.  The
 * kernel's errnos become statuses through the one table in status.c,
 * for a whole call and for each segment of a batch alike.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "internal.h"

/* Every option bit the calls know. */
#define MEMORY_OPTIONS (ZXPROC_MEMORY_ALL_OR_NOTHING | ZXPROC_MEMORY_NO_FAULT)

/* Options a write refuses: it must fault (copy-on-write). */
#define WRITE_REFUSES ZXPROC_MEMORY_NO_FAULT

/* The kernel's ZXPROC_MEM_* flags for valid @options. */
static uint32_t kernel_flags(uint32_t options)
{
	uint32_t flags = 0;

	if (options & ZXPROC_MEMORY_ALL_OR_NOTHING)
		flags |= ZXPROC_MEM_ALL_OR_NOTHING;
	if (options & ZXPROC_MEMORY_NO_FAULT)
		flags |= ZXPROC_MEM_NO_FAULT;
	return flags;
}

int zxp_memory_transfer(int fd, bool write, zx_vaddr_t vaddr,
			const void *buffer, size_t size, uint32_t flags,
			uint64_t *copied)
{
	/* The kernel writes back only actual: the rest stays ours. */
	struct zxproc_mem mem = {
		.addr = vaddr,
		.buf = (uintptr_t)buffer,
		.len = size,
		.flags = flags,
		.actual = *copied,
	};
	int ret;

	ret = zxp_ioctl(fd, write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ, &mem);
	*copied = mem.actual;
	return ret < 0 ? ret : 0;
}

/*
 * Whether this process can read every page of [buf, buf + len): one
 * byte of each page, read through process_vm_readv(2) on ourselves,
 * which answers a page it cannot read with a short count or EFAULT
 * instead of SIGSEGV.  Returns true when readable, or when the kernel
 * refuses the probe itself (seccomp's EPERM, ENOSYS): the kernel's own
 * check of each segment's buffer then still fails that segment alone.
 *
 * Only an all-or-nothing batch write needs it: the kernel pins each
 * segment's buffer before it copies that segment, so a bad buffer
 * fails one segment, after the segments before it were written; the
 * batch's contract refuses the whole call first (see batch()).
 */
#define PROBE_BATCH 256

static bool readable(const void *buf, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t at = (uintptr_t)buf, end = at + len;
	struct iovec remote[PROBE_BATCH];
	char sink[PROBE_BATCH];
	struct iovec local = { .iov_base = sink };
	pid_t self = getpid();

	if (end < at)			/* wraps around: never mapped */
		return false;
	while (at < end) {
		unsigned long n = 0;
		ssize_t got;

		while (n < PROBE_BATCH && at < end && at != 0) {
			remote[n].iov_base = (void *)at;
			remote[n++].iov_len = 1;
			at = (at & ~(page - 1)) + page;	/* 0 past the top */
		}
		local.iov_len = n;
		got = process_vm_readv(self, &local, 1, remote, n, 0);
		if (got < 0 && errno != EFAULT)
			return true;
		if (got != (ssize_t)n)
			return false;
		if (at == 0)
			break;
	}
	return true;
}

/* The status of a call on handle @fd that the kernel failed with @err. */
static zx_status_t access_status(int fd, int err)
{
	/*
	 * A VMO handle without READ and WRITE is an O_PATH descriptor,
	 * which answers every ioctl with EBADF: still a handle, of the
	 * wrong type (other VMO handles answer ENOTTY, WRONG_TYPE too).
	 */
	if (err == EBADF && zxp_vmo_check(fd) == 0)
		return ZX_ERR_WRONG_TYPE;
	return zxp_status_from_errno(ZXP_ON_PROCESS, err);
}

/*
 * The checks that need no kernel come first, as in Zircon, so a bad
 * argument is reported before anything is looked up or copied.
 * *actual is written only on success.
 */
static zx_status_t transfer(bool write, zx_handle_t handle, zx_vaddr_t vaddr,
			    const void *buffer, size_t buffer_size,
			    uint32_t options, size_t *actual)
{
	uint64_t copied = 0;
	int fd, ret;

	if (buffer == NULL || buffer_size == 0 ||
	    buffer_size > ZXPROC_MAX_TRANSFER || actual == NULL ||
	    (options & ~(uint32_t)MEMORY_OPTIONS) ||
	    (write && (options & WRITE_REFUSES)))
		return ZX_ERR_INVALID_ARGS;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0)
		return ZX_ERR_BAD_HANDLE;
	/*
	 * All or nothing: the kernel pins the caller's whole buffer before
	 * the target range, so a buffer it cannot use is EFAULT with
	 * nothing copied, which status.c makes ZX_ERR_INVALID_ARGS.
	 */
	ret = zxp_memory_transfer(fd, write, vaddr, buffer, buffer_size,
				  kernel_flags(options), &copied);
	if (ret < 0)
		return access_status(fd, -ret);
	*actual = (size_t)copied;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zxproc_process_write_memory_ex(zx_handle_t handle,
						      zx_vaddr_t vaddr,
						      const void *buffer,
						      size_t buffer_size,
						      uint32_t options,
						      size_t *actual)
{
	return transfer(true, handle, vaddr, buffer, buffer_size, options,
			actual);
}

ZXP_EXPORT zx_status_t zxproc_process_read_memory_ex(zx_handle_t handle,
						     zx_vaddr_t vaddr,
						     void *buffer,
						     size_t buffer_size,
						     uint32_t options,
						     size_t *actual)
{
	return transfer(false, handle, vaddr, buffer, buffer_size, options,
			actual);
}

ZXP_EXPORT zx_status_t zx_process_write_memory(zx_handle_t handle,
					       zx_vaddr_t vaddr,
					       const void *buffer,
					       size_t buffer_size,
					       size_t *actual)
{
	return transfer(true, handle, vaddr, buffer, buffer_size, 0, actual);
}

ZXP_EXPORT zx_status_t zx_process_read_memory(zx_handle_t handle,
					      zx_vaddr_t vaddr, void *buffer,
					      size_t buffer_size,
					      size_t *actual)
{
	return transfer(false, handle, vaddr, buffer, buffer_size, 0, actual);
}

/*
 * The arguments of a batch, checked as the kernel will check them, so
 * that none of its EINVALs is ever reached: ZX_OK, INVALID_ARGS (a
 * segment, the array, the options) or OUT_OF_RANGE (a limit).
 */
static zx_status_t batch_args(bool write, const zxproc_memory_seg_t *segs,
			      size_t count, uint32_t options)
{
	uint64_t total = 0;
	size_t i;

	if (segs == NULL || count == 0 ||
	    (options & ~(uint32_t)MEMORY_OPTIONS) ||
	    (write && (options & WRITE_REFUSES)))
		return ZX_ERR_INVALID_ARGS;
	if (count > ZXPROC_MAX_SEGMENTS)
		return ZX_ERR_OUT_OF_RANGE;
	for (i = 0; i < count; i++) {
		if (segs[i].buffer == NULL || segs[i].size == 0 ||
		    segs[i].size > ZXPROC_MAX_TRANSFER)
			return ZX_ERR_INVALID_ARGS;
		total += segs[i].size;
	}
	return total > ZXPROC_MAX_TRANSFER ? ZX_ERR_OUT_OF_RANGE : ZX_OK;
}

/* Segments @from to @count - 1 were not copied, because of @status. */
static void batch_unreached(zxproc_memory_seg_t *segs, size_t from,
			    size_t count, zx_status_t status)
{
	for (size_t i = from; i < count; i++) {
		segs[i].status = status;
		segs[i].actual = 0;
	}
}

/*
 * The status of a segment the kernel reached: its zxproc_seg.status, 0
 * or a negative errno of the one table.
 */
static zx_status_t seg_status(int32_t status)
{
	if (status == 0)
		return ZX_OK;
	/* A positive status is none the kernel documents: a bug. */
	if (status < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -status);
	return ZX_ERR_INTERNAL;
}

/*
 * One ZXPROC_IOC_WRITEV or READV.  Past the argument checks, every
 * segment's status and actual are written, and *actual: the kernel's
 * status and count for each segment it reached (a count also when the
 * segment failed partway), the call's status and 0 for each one it did
 * not.
 */
static zx_status_t batch(bool write, zx_handle_t handle,
			 zxproc_memory_seg_t *segs, size_t count,
			 uint32_t options, size_t *actual)
{
	struct zxproc_memv memv;
	struct zxproc_seg *ksegs;
	zx_status_t status;
	size_t i;
	int fd, ret;

	status = batch_args(write, segs, count, options);
	if (status != ZX_OK)
		return status;
	fd = zxp_handle_to_fd(handle);
	if (fd < 0) {
		batch_unreached(segs, 0, count, ZX_ERR_BAD_HANDLE);
		if (actual != NULL)
			*actual = 0;
		return ZX_ERR_BAD_HANDLE;
	}
	/*
	 * All or nothing refuses the whole call when any source is
	 * unreadable, before a segment is written (see readable()).
	 */
	if (write && (options & ZXPROC_MEMORY_ALL_OR_NOTHING))
		for (i = 0; i < count; i++)
			if (!readable(segs[i].buffer, segs[i].size))
				return ZX_ERR_INVALID_ARGS;
	if (actual != NULL)
		*actual = 0;
	/* At most ZXPROC_MAX_SEGMENTS * 40 bytes: 40 KiB. */
	ksegs = malloc(count * sizeof(*ksegs));
	if (ksegs == NULL) {
		batch_unreached(segs, 0, count, ZX_ERR_NO_MEMORY);
		return ZX_ERR_NO_MEMORY;
	}
	for (i = 0; i < count; i++)
		ksegs[i] = (struct zxproc_seg) {
			.addr = segs[i].vaddr,
			.buf = (uintptr_t)segs[i].buffer,
			.len = segs[i].size,
		};
	memv = (struct zxproc_memv) {
		.segs = (uintptr_t)ksegs,
		.nr_segs = (uint32_t)count,
		.flags = kernel_flags(options),
		.seg_size = sizeof(*ksegs),
	};
	ret = zxp_ioctl(fd, write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV,
			&memv);
	status = ret < 0 ? access_status(fd, -ret) : ZX_OK;
	/* Success with segments left unreached: a kernel bug. */
	if (status == ZX_OK && memv.done != count)
		status = ZX_ERR_INTERNAL;
	for (i = 0; i < memv.done && i < count; i++) {
		segs[i].status = seg_status(ksegs[i].status);
		segs[i].actual = (size_t)ksegs[i].actual;
	}
	batch_unreached(segs, i, count, status);
	if (actual != NULL)
		*actual = (size_t)memv.actual;
	free(ksegs);
	return status;
}

ZXP_EXPORT zx_status_t zxproc_process_write_memory_batch(zx_handle_t handle,
							 zxproc_memory_seg_t *segs,
							 size_t count,
							 uint32_t options,
							 size_t *actual)
{
	return batch(true, handle, segs, count, options, actual);
}

ZXP_EXPORT zx_status_t zxproc_process_read_memory_batch(zx_handle_t handle,
							zxproc_memory_seg_t *segs,
							size_t count,
							uint32_t options,
							size_t *actual)
{
	return batch(false, handle, segs, count, options, actual);
}

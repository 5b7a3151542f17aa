// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_WRITE and ZXPROC_IOC_READ: one range of the target's memory,
 * and what every access shares (its rights, its setup and teardown).
 *
 * The engine is GUP underneath access_process_vm(), used directly with
 * one copy: pin_user_pages_remote() on the handle's own mm (pin.c), then
 * a copy straight between the pinned pages and the caller's buffer
 * (copy.c), as process_vm_writev() does, with FOLL_FORCE when the host's
 * policy allows it (force.c), as /proc/PID/mem does, and the call's
 * protection mode does not take it away.
 *
 * Why not access_process_vm(): it takes a task and resolves the task's
 * mm at call time, so it cannot be tied to the mm the handle was checked
 * against; it falls back to vm_ops->access() on VM_IO/VM_PFNMAP
 * mappings, which would write device memory the contract says to refuse
 * (ZX_ERR_BAD_STATE); it takes an int length and answers a byte count
 * with no errno, so neither the 64 MiB limit nor the contract's errors
 * can be kept; it faults without dropping the target's mmap_lock, so a
 * userfaultfd target could not be reached; and it copies twice, through
 * a kernel buffer, which halves throughput for large ranges.
 */
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/uaccess.h>

#include <kunit/visibility.h>

#include "trace.h"
#include "zxproc.h"

/**
 * zxproc_range_valid() - the rules every range shares
 * @buf: the caller's buffer address.
 * @len: the byte count.
 *
 * Checked for every range (every segment of a batch) before anything
 * is copied.
 *
 * Return: 0, or -EINVAL for a zero or oversized length or a NULL buffer.
 */
int zxproc_range_valid(u64 buf, u64 len)
{
	if (!len || len > ZXPROC_MAX_TRANSFER || !buf)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_range_valid);

/**
 * zxproc_mem_flags_valid() - the flags of one access, or of a batch
 * @flags: ZXPROC_MEM_* bits.
 * @write: a write (WRITE, WRITEV) or a read.
 *
 * Return: 0, or -EINVAL for flags zxproc_mem_flags_check() refuses, and
 * for ZXPROC_MEM_NO_FAULT on a write (a write must fault: copy-on-write).
 */
int zxproc_mem_flags_valid(u32 flags, bool write)
{
	if (zxproc_mem_flags_check(flags))
		return -EINVAL;
	if (write && (flags & ZXPROC_MEM_NO_FAULT))
		return -EINVAL;
	return 0;
}

/**
 * zxproc_xfer_begin() - set up an access through handle @h
 * @h: the handle, whose rights the caller has checked.
 * @write: copy into the target (true) or out of it.
 * @flags: ZXPROC_MEM_* bits.
 * @x: out: the access; end it with zxproc_xfer_end().
 *
 * Return: 0, or -ESTALE when the process or its address space is gone.
 */
int zxproc_xfer_begin(const struct zxproc_handle *h, bool write, u32 flags,
		      struct zxproc_xfer *x)
{
	bool host;
	int ret;

	ret = zxproc_target_get(h, &x->task);
	if (ret)
		return ret;
	if (!mmget_not_zero(h->mm)) {
		put_task_struct(x->task);
		return -ESTALE;		/* the address space is torn down */
	}
	x->h = h;
	x->mm = h->mm;
	x->write = write;
	x->nofault = !write && (flags & ZXPROC_MEM_NO_FAULT);
	x->all = flags & ZXPROC_MEM_ALL_OR_NOTHING;
	x->locked = 0;
	x->exec = false;
	x->flags = flags;
	x->gup_flags = write ? FOLL_WRITE : 0;
	host = zxproc_force(x->task, x->mm);
	/* Any mapping: VM_EXEC decides only under the FORCE_*EXEC modes. */
	if (zxproc_force_vma(flags, host, VM_EXEC))
		x->gup_flags |= FOLL_FORCE;
	x->per_vma = host && (flags & (ZXPROC_MEM_FORCE_EXEC |
				       ZXPROC_MEM_FORCE_FIRST_EXEC));
	return 0;
}

/**
 * zxproc_xfer_end() - drop what zxproc_xfer_begin() took
 * @x: the access.
 */
void zxproc_xfer_end(struct zxproc_xfer *x)
{
	mmput(x->mm);
	put_task_struct(x->task);
}

/* zxproc_mem_ioctl() once the struct is in: the access, traced after. */
static int zxproc_mem_checked(const struct zxproc_handle *h,
			      const struct zxproc_mem *req,
			      struct zxproc_mem __user *uarg, bool write,
			      size_t *done)
{
	struct zxproc_xfer x;
	int ret;

	if (zxproc_mem_flags_valid(req->flags, write) || req->reserved)
		return -EINVAL;
	ret = zxproc_range_valid(req->buf, req->len);
	if (ret)
		return ret;
	ret = zxproc_rights_check(h, write ? ZXPROC_RIGHT_WRITE :
					     ZXPROC_RIGHT_READ);
	if (ret)
		return ret;

	/*
	 * All or nothing: no failure may come after a byte reached the
	 * target, so @actual is found writable first.
	 */
	if ((req->flags & ZXPROC_MEM_ALL_OR_NOTHING) &&
	    put_user(0ULL, &uarg->actual))
		return -EFAULT;

	ret = zxproc_xfer_begin(h, write, req->flags, &x);
	if (!ret) {
		ret = zxproc_xfer_range(&x, req->addr,
					u64_to_user_ptr(req->buf), req->len,
					done);
		zxproc_xfer_end(&x);
	}

	/* Only @actual is written back: the rest of *uarg is the caller's. */
	if (put_user((u64)*done, &uarg->actual))
		return -EFAULT;
	return ret;
}

/**
 * zxproc_mem_ioctl() - ZXPROC_IOC_WRITE and ZXPROC_IOC_READ
 * @h: the handle.
 * @cmd: the command, for the argument size.
 * @arg: user pointer to struct zxproc_mem.
 * @write: WRITE (true) or READ.
 *
 * Return: 0 or a negative errno (see uapi header).
 */
long zxproc_mem_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		      unsigned long arg, bool write)
{
	struct zxproc_mem __user *uarg = u64_to_user_ptr((u64)arg);
	struct zxproc_mem req;
	size_t done = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	ret = zxproc_mem_checked(h, &req, uarg, write, &done);
	trace_zxproc_mem(h, write ? ZXPROC_OP_WRITE : ZXPROC_OP_READ, req.addr,
			 req.len, done, ret);
	return ret;
}

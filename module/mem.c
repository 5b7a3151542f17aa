// SPDX-License-Identifier: GPL-2.0
/*
 * The copy engine behind ZXPROC_IOC_WRITE/READ and their batched forms.
 *
 * It pins the target's pages (pin_user_pages_remote() on the handle's
 * own mm) and copies straight between them and the caller's buffer: one
 * copy, like process_vm_writev(), with FOLL_FORCE like /proc/PID/mem.
 *
 * Why not access_process_vm(): it takes a task and resolves the task's
 * mm at call time, so it cannot be tied to the mm the handle was checked
 * against; it falls back to vm_ops->access() on VM_IO/VM_PFNMAP
 * mappings, which would write device memory the contract says to refuse
 * (ZX_ERR_BAD_STATE); it takes an int length; and it copies twice,
 * through a kernel buffer, which halves throughput for large ranges.
 *
 * Memory: a normal copy pins ZXPROC_PIN_BATCH pages at a time through a
 * 512-byte array on the stack and allocates nothing.  An all-or-nothing
 * copy must hold every page pinned before it copies one byte, so it
 * allocates one page-pointer array for its range: at most 128 KiB + 8
 * bytes for ZXPROC_MAX_TRANSFER.  A batch also holds a copy of its
 * segment array, at most 32 KiB, and (not all-or-nothing) one struct
 * zxproc_group, 2.5 KiB.
 */
#include <kunit/visibility.h>
#include <linux/fault-inject-usercopy.h>
#include <linux/highmem.h>
#include <linux/instrumented.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "zxproc.h"

#define ZXPROC_PIN_BATCH 64

/**
 * struct zxproc_xfer - one access through a handle, in progress
 * @task: the target's thread-group leader, referenced.
 * @mm: the handle's mm, with an mm_users reference for the duration.
 * @gup_flags: FOLL_* flags for pinning.
 * @write: copy into the target (true) or out of it.
 * @all: ZXPROC_MEM_ALL_OR_NOTHING.
 */
struct zxproc_xfer {
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned int gup_flags;
	bool write;
	bool all;
};

/*
 * memfd_secret(2) memory, which GUP never pins.  Its test,
 * vma_is_secretmem(), is not available to modules on every kernel; the
 * file's filesystem says the same.
 */
static bool zxproc_vma_is_secret(const struct vm_area_struct *vma)
{
	return vma->vm_file &&
	       file_inode(vma->vm_file)->i_sb->s_magic == SECRETMEM_MAGIC;
}

/*
 * Would GUP's permission check (check_vma_flags()) let this access into
 * @vma?  Used only to name the error after a pin failed.  A forced
 * write reaches a read-only mapping only by copy-on-write, which GUP
 * does for private mappings and never for hugetlb ones.
 */
static bool zxproc_vma_permits(const struct vm_area_struct *vma,
			       unsigned int gup_flags)
{
	bool force = gup_flags & FOLL_FORCE;

	if (zxproc_vma_is_secret(vma))
		return false;
	if (gup_flags & FOLL_WRITE)
		return (vma->vm_flags & VM_WRITE) ||
		       (force && is_cow_mapping(vma->vm_flags) &&
			!(vma->vm_flags & VM_HUGETLB));
	return (vma->vm_flags & VM_READ) ||
	       (force && (vma->vm_flags & VM_MAYREAD));
}

/**
 * zxproc_vma_error() - the errno for a page at @addr that could not be pinned
 * @vma: find_vma(mm, @addr): the first mapping ending above @addr, or NULL.
 * @addr: the address of the page.
 * @gup_flags: the flags of the failed pin.
 *
 * Return: -ENOMEM (nothing mapped there, or nothing backs it, as past
 * the end of a file), -EIO (VM_IO/VM_PFNMAP: not cacheable), or -EACCES
 * (mapped, but not for this access).
 */
VISIBLE_IF_KUNIT int zxproc_vma_error(const struct vm_area_struct *vma,
				      unsigned long addr,
				      unsigned int gup_flags)
{
	if (!vma || vma->vm_start > addr)
		return -ENOMEM;
	if (vma->vm_flags & (VM_IO | VM_PFNMAP))
		return -EIO;
	if (!zxproc_vma_permits(vma, gup_flags))
		return -EACCES;
	return -ENOMEM;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_vma_error);

/*
 * Pin up to @nr pages from page-aligned @start; the caller holds the
 * target's exec lock (zxproc_target_lock()) and its mmap_lock for
 * reading.  Return: pages pinned (at least 1), or the errno that the
 * first page's failure means.  *@end tells which failures say that the
 * accessible memory ends at @start (a copy that got that far is a short
 * one), as opposed to failures of the whole call: a fatal signal, or the
 * kernel ran out of memory (both GUP's -ENOMEM and an unmapped page
 * become ENOMEM for the caller, and only *@end tells them apart).
 */
static long zxproc_pin_locked(struct zxproc_xfer *x, unsigned long start,
			      unsigned long nr, struct page **pages, bool *end)
{
	long pinned;

	mmap_assert_locked(x->mm);
	*end = false;
	pinned = zxproc_pin_user_pages_remote(x->mm, start, nr, x->gup_flags, pages);
	if (pinned == 0)
		pinned = -EFAULT;
	if (pinned < 0 && pinned != -EINTR && pinned != -ENOMEM) {
		pinned = zxproc_vma_error(find_vma(x->mm, start), start,
					  x->gup_flags);
		*end = true;
	}
	return pinned;
}

/* Take the locks zxproc_pin_locked() needs: 0, -EINTR or -ESTALE. */
static int zxproc_pin_lock(struct zxproc_xfer *x)
{
	int ret;

	ret = zxproc_target_lock(x->task, x->mm);
	if (ret)
		return ret;
	if (mmap_read_lock_killable(x->mm)) {
		zxproc_target_unlock(x->task);
		return -EINTR;
	}
	return 0;
}

static void zxproc_pin_unlock(struct zxproc_xfer *x)
{
	mmap_read_unlock(x->mm);
	zxproc_target_unlock(x->task);
}

/*
 * zxproc_pin_locked() under its own locks; also fails with -ESTALE when
 * the target exec'd or exited.
 */
static long zxproc_pin(struct zxproc_xfer *x, unsigned long start,
		       unsigned long nr, struct page **pages, bool *end)
{
	long pinned;
	int ret;

	*end = false;
	ret = zxproc_pin_lock(x);
	if (ret)
		return ret;
	pinned = zxproc_pin_locked(x, start, nr, pages, end);
	zxproc_pin_unlock(x);
	return pinned;
}

static void zxproc_unpin(struct zxproc_xfer *x, struct page **pages,
			 unsigned long nr)
{
	if (x->write)
		unpin_user_pages_dirty_lock(pages, nr, true);
	else
		unpin_user_pages(pages, nr);
}

/*
 * Copy @len bytes between the caller's buffer and pinned pages, starting
 * @off bytes into the first page; *@copied counts the bytes copied.
 * Return: 0, -EFAULT when the caller's buffer faults, or -EINTR on a
 * fatal signal (checked per page: an all-or-nothing copy holds up to
 * 64 MiB of pages and must not make a killed caller wait for all of it;
 * for the same reason it yields the CPU per page on kernels without
 * full preemption).
 *
 * The copy is lib/iov_iter.c's copyin()/copyout(), as for
 * process_vm_writev(): the raw copy with its sanitizer instrumentation,
 * after access_ok() of the whole buffer.  Not copy_from_user(): on a
 * fault it zero-fills the rest of its destination, which here is the
 * target's memory.  Nor __copy_from_user(): its hardened-usercopy check
 * proves nothing for a span inside one page from kmap_local_page(), and
 * costs more than a small copy.
 */
static int zxproc_copy_pages(const struct zxproc_xfer *x, struct page **pages,
			     size_t off, char __user *ubuf, size_t len,
			     size_t *copied)
{
	unsigned long i;

	*copied = 0;
	for (i = 0; *copied < len; i++) {
		size_t n = min_t(size_t, PAGE_SIZE - off, len - *copied);
		size_t left;
		char *kaddr;

		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
		if (should_fail_usercopy())
			return -EFAULT;
		might_fault();
		kaddr = kmap_local_page(pages[i]);
		if (x->write) {
			instrument_copy_from_user_before(kaddr + off,
							 ubuf + *copied, n);
			left = raw_copy_from_user(kaddr + off, ubuf + *copied, n);
			instrument_copy_from_user_after(kaddr + off,
							ubuf + *copied, n, left);
			flush_dcache_page(pages[i]);
		} else {
			instrument_copy_to_user(ubuf + *copied, kaddr + off, n);
			left = raw_copy_to_user(ubuf + *copied, kaddr + off, n);
		}
		kunmap_local(kaddr);
		*copied += n - left;
		if (left)
			return -EFAULT;
		off = 0;
	}
	return 0;
}

/**
 * zxproc_step() - the next batch of a copy
 * @addr: target address of the next byte to copy.
 * @remaining: bytes left to copy, at least 1.
 * @off: out: offset of @addr in its page.
 * @chunk: out: bytes this batch covers, at most ZXPROC_PIN_BATCH pages'
 *	worth less @off, and at most @remaining.
 *
 * Return: the number of pages the batch spans, 1 to ZXPROC_PIN_BATCH.
 */
VISIBLE_IF_KUNIT unsigned long zxproc_step(u64 addr, u64 remaining,
					   size_t *off, size_t *chunk)
{
	*off = offset_in_page(addr);
	*chunk = min_t(u64, remaining, ZXPROC_PIN_BATCH * PAGE_SIZE - *off);
	return DIV_ROUND_UP(*off + *chunk, PAGE_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_step);

/* Copy page batch by page batch; stop at the first inaccessible page. */
static int zxproc_xfer_some(struct zxproc_xfer *x, unsigned long addr,
			    char __user *ubuf, size_t len, size_t *done)
{
	struct page *pages[ZXPROC_PIN_BATCH];

	while (*done < len) {
		unsigned long start = addr + *done;
		size_t off, chunk, copied;
		unsigned long nr;
		long pinned;
		bool end;
		int ret;

		if (fatal_signal_pending(current))
			return -EINTR;
		nr = zxproc_step(start, len - *done, &off, &chunk);
		pinned = zxproc_pin(x, start & PAGE_MASK, nr, pages, &end);
		if (pinned < 0) {
			/* A short copy, unless nothing at all was copied. */
			if (*done && end)
				return 0;
			return pinned;
		}

		chunk = min_t(size_t, chunk, pinned * PAGE_SIZE - off);
		ret = zxproc_copy_pages(x, pages, off, ubuf + *done, chunk,
					&copied);
		zxproc_unpin(x, pages, pinned);
		*done += copied;
		if (ret)
			return ret;
	}
	return 0;
}

/* Pin the whole range, or fail having copied nothing; then copy. */
static int zxproc_xfer_all(struct zxproc_xfer *x, unsigned long addr,
			   char __user *ubuf, size_t len, size_t *done)
{
	unsigned long first = addr & PAGE_MASK;
	unsigned long nr = DIV_ROUND_UP(offset_in_page(addr) + len, PAGE_SIZE);
	unsigned long pinned = 0;
	struct page **pages;
	int ret = 0;

	pages = kvmalloc_array(nr, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	while (pinned < nr) {
		bool end;
		long n = zxproc_pin(x, first + pinned * PAGE_SIZE,
				    min_t(unsigned long, nr - pinned,
					  ZXPROC_PIN_BATCH),
				    pages + pinned, &end);

		if (n < 0) {
			ret = n;
			goto out_unpin;
		}
		pinned += n;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unpin;
		}
	}

	ret = zxproc_copy_pages(x, pages, offset_in_page(addr), ubuf, len, done);
out_unpin:
	zxproc_unpin(x, pages, pinned);
	kvfree(pages);
	return ret;
}

/**
 * zxproc_range_span() - how much of a range can possibly be mapped
 * @addr: target address.
 * @len: validated length.
 * @limit: the end of the target's user address space (mm->task_size).
 * @all: ZXPROC_MEM_ALL_OR_NOTHING: every byte must be reachable.
 * @span: out: the bytes below @limit, which a copy may reach.
 *
 * Return: 0, or -ENOMEM when the range starts past the user address
 * space, wraps around, or (with @all) does not fit below @limit: such
 * addresses are never mapped.
 */
VISIBLE_IF_KUNIT int zxproc_range_span(u64 addr, u64 len, u64 limit, bool all,
				       u64 *span)
{
	if (addr >= limit || addr + len < addr)
		return -ENOMEM;
	if (len > limit - addr) {
		if (all)
			return -ENOMEM;
		len = limit - addr;
	}
	*span = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_range_span);

/*
 * The checks of a range that come before any pin: the caller's buffer is
 * user memory, and the part of the target range that can be mapped at
 * all (*@span).  Return: 0, -EFAULT or -ENOMEM.
 */
static int zxproc_xfer_check(const struct zxproc_xfer *x, u64 addr,
			     const char __user *ubuf, u64 len, u64 *span)
{
	if (!access_ok(ubuf, len))
		return -EFAULT;
	return zxproc_range_span(addr, len, x->mm->task_size, x->all, span);
}

/**
 * zxproc_xfer_range() - copy one range, with the rules of ZXPROC_IOC_WRITE
 * @x: the access.
 * @addr: target address.
 * @ubuf: the caller's buffer.
 * @len: validated length.
 * @done: out: bytes copied, also on failure.
 *
 * Return: 0 (a complete or short copy; see *@done) or a negative errno.
 */
static int zxproc_xfer_range(struct zxproc_xfer *x, u64 addr,
			     char __user *ubuf, u64 len, size_t *done)
{
	u64 span;
	int ret;

	*done = 0;
	ret = zxproc_xfer_check(x, addr, ubuf, len, &span);
	if (ret)
		return ret;
	if (x->all)
		return zxproc_xfer_all(x, addr, ubuf, span, done);
	return zxproc_xfer_some(x, addr, ubuf, span, done);
}

/* The right each direction needs. */
static int zxproc_xfer_allowed(const struct zxproc_handle *h, bool write)
{
	return zxproc_rights_check(h, write ? ZXPROC_RIGHT_WRITE :
					      ZXPROC_RIGHT_READ);
}

static int zxproc_xfer_begin(const struct zxproc_handle *h, bool write,
			     u32 flags, struct zxproc_xfer *x)
{
	int ret;

	ret = zxproc_target_get(h, &x->task);
	if (ret)
		return ret;
	if (!mmget_not_zero(h->mm)) {
		put_task_struct(x->task);
		return -ESTALE;		/* the address space is torn down */
	}
	x->mm = h->mm;
	x->write = write;
	x->all = flags & ZXPROC_MEM_ALL_OR_NOTHING;
	x->gup_flags = FOLL_FORCE;
	if (write) {
		x->gup_flags = FOLL_WRITE;
		if (READ_ONCE(zxproc_force_write))
			x->gup_flags |= FOLL_FORCE;
	}
	return 0;
}

static void zxproc_xfer_end(struct zxproc_xfer *x)
{
	mmput(x->mm);
	put_task_struct(x->task);
}

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
VISIBLE_IF_KUNIT int zxproc_range_valid(u64 buf, u64 len)
{
	if (!len || len > ZXPROC_MAX_TRANSFER || !buf)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_range_valid);

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
	struct zxproc_xfer x;
	struct zxproc_mem req;
	size_t done = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if ((req.flags & ~ZXPROC_MEM_ALL_OR_NOTHING) || req.reserved)
		return -EINVAL;
	ret = zxproc_range_valid(req.buf, req.len);
	if (ret)
		return ret;
	ret = zxproc_xfer_allowed(h, write);
	if (ret)
		return ret;

	ret = zxproc_xfer_begin(h, write, req.flags, &x);
	if (!ret) {
		ret = zxproc_xfer_range(&x, req.addr, u64_to_user_ptr(req.buf),
					req.len, &done);
		zxproc_xfer_end(&x);
	}

	/* Only @actual is written back: the rest of *uarg is the caller's. */
	if (put_user((u64)done, &uarg->actual))
		return -EFAULT;
	return ret;
}

/* Copy a batch's segment array in once, and validate all of it. */
static struct zxproc_seg *zxproc_segs_in(const struct zxproc_memv *req)
{
	struct zxproc_seg *segs;
	u64 total = 0;
	u32 i;

	if (!req->nr_segs || req->nr_segs > ZXPROC_MAX_SEGMENTS)
		return ERR_PTR(-EINVAL);
	segs = kvmalloc_array(req->nr_segs, sizeof(*segs), GFP_KERNEL_ACCOUNT);
	if (!segs)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(segs, u64_to_user_ptr(req->segs),
			   array_size(req->nr_segs, sizeof(*segs)))) {
		kvfree(segs);
		return ERR_PTR(-EFAULT);
	}
	for (i = 0; i < req->nr_segs; i++) {
		total += segs[i].len;
		if (zxproc_range_valid(segs[i].buf, segs[i].len) ||
		    total > ZXPROC_MAX_TRANSFER) {
			kvfree(segs);
			return ERR_PTR(-EINVAL);
		}
	}
	return segs;
}

/*
 * Record segment *@i's outcome: its result in the caller's array, its
 * bytes in *@actual; *@i then counts it.  Return: 0 to go on, -EFAULT
 * when the result cannot be written, or @ret itself when it concerns
 * the whole target (ESTALE, EINTR) and so ends the batch.
 */
static int zxproc_seg_done(struct zxproc_seg __user *useg, u32 *i, int ret,
			   size_t done, u64 *actual)
{
	*actual += done;
	if (put_user(ret ? (s64)ret : (s64)done, &useg[*i].result))
		return -EFAULT;
	(*i)++;
	return ret == -ESTALE || ret == -EINTR ? ret : 0;
}

/**
 * struct zxproc_group - the first pages of a group of a batch's segments
 * @pages: the pinned pages, segment after segment.
 * @first: per segment of the group: @pinned pages (or the errno of its
 *	checks or of its first pin), @off and @chunk as zxproc_step()
 *	gives them, and @span, the bytes the segment may reach.
 */
struct zxproc_group {
	struct page *pages[ZXPROC_PIN_BATCH];
	struct {
		long pinned;
		size_t off;
		size_t chunk;
		u64 span;
	} first[ZXPROC_PIN_BATCH];
};

/*
 * Copy a group of a batch's segments, from segment *@i on, with the
 * rules of ZXPROC_IOC_WRITE for each.  A typical batch is many small
 * segments at scattered addresses (breakpoints, patched words), for
 * which locking the target (exec_update_lock, mmap_lock) once per
 * segment costs as much as the copy: so the first pages of as many
 * segments as ZXPROC_PIN_BATCH pages hold are pinned under one lock, the
 * segments are then copied one by one without it, and whatever a long
 * segment has past its first pages goes on through zxproc_xfer_some().
 * Return: 0 to go on with segment *@i, or the errno that ends the batch.
 */
static int zxproc_memv_group(struct zxproc_xfer *x, struct zxproc_group *g,
			     const struct zxproc_seg *segs, u32 nr_segs,
			     struct zxproc_seg __user *useg, u32 *i,
			     u64 *actual)
{
	unsigned long used = 0, at = 0;
	bool locked = false;
	int ret = 0;
	u32 m, k;

	for (m = 0; m < ZXPROC_PIN_BATCH && *i + m < nr_segs; m++) {
		const struct zxproc_seg *s = &segs[*i + m];
		unsigned long nr;
		bool end;

		g->first[m].pinned = zxproc_xfer_check(x, s->addr,
						       u64_to_user_ptr(s->buf),
						       s->len, &g->first[m].span);
		if (g->first[m].pinned)
			continue;
		nr = zxproc_step(s->addr, g->first[m].span, &g->first[m].off,
				 &g->first[m].chunk);
		/* Never true for the first segment: nr <= ZXPROC_PIN_BATCH. */
		if (used + nr > ZXPROC_PIN_BATCH)
			break;
		/*
		 * Locked only now, so a segment that fails its own checks
		 * gets its own error even when the target is gone: the lock's
		 * ESTALE or EINTR goes to the first segment that needs a pin,
		 * and ends the batch there.
		 */
		if (!locked) {
			g->first[m].pinned = zxproc_pin_lock(x);
			if (g->first[m].pinned) {
				m++;
				break;
			}
			locked = true;
		}
		g->first[m].pinned = zxproc_pin_locked(x, s->addr & PAGE_MASK, nr,
						       g->pages + used, &end);
		if (g->first[m].pinned > 0)
			used += g->first[m].pinned;
		if (g->first[m].pinned == -EINTR) {
			m++;	/* a fatal signal: this segment is the last */
			break;
		}
	}
	if (locked)
		zxproc_pin_unlock(x);

	for (k = 0; k < m && !ret; k++) {
		const struct zxproc_seg *s = &segs[*i];
		char __user *ubuf = u64_to_user_ptr(s->buf);
		long pinned = g->first[k].pinned;
		size_t done = 0;
		int err = 0;

		if (pinned < 0) {
			/* Nothing copied, so never a short copy. */
			err = pinned;
		} else {
			err = zxproc_copy_pages(x, g->pages + at, g->first[k].off,
						ubuf,
						min_t(size_t, g->first[k].chunk,
						      pinned * PAGE_SIZE -
						      g->first[k].off),
						&done);
			zxproc_unpin(x, g->pages + at, pinned);
			at += pinned;
			if (!err && done < g->first[k].span)
				err = zxproc_xfer_some(x, s->addr, ubuf,
						       g->first[k].span, &done);
		}
		ret = zxproc_seg_done(useg, i, err, done, actual);
	}
	/* Pages of the segments an error left uncopied. */
	if (at < used)
		zxproc_unpin(x, g->pages + at, used - at);
	return ret;
}

/**
 * zxproc_memv_ioctl() - ZXPROC_IOC_WRITEV and ZXPROC_IOC_READV
 * @h: the handle.
 * @cmd: the command, for the argument size.
 * @arg: user pointer to struct zxproc_memv.
 * @write: WRITEV (true) or READV.
 *
 * Return: 0 or a negative errno (see uapi header).
 */
long zxproc_memv_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg, bool write)
{
	struct zxproc_memv __user *uarg = u64_to_user_ptr((u64)arg);
	struct zxproc_group *g = NULL;
	struct zxproc_seg __user *useg;
	struct zxproc_seg *segs;
	struct zxproc_memv req;
	struct zxproc_xfer x;
	u64 actual = 0;
	u32 i = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if ((req.flags & ~ZXPROC_MEM_ALL_OR_NOTHING) || req.reserved)
		return -EINVAL;
	segs = zxproc_segs_in(&req);
	if (IS_ERR(segs))
		return PTR_ERR(segs);
	useg = u64_to_user_ptr(req.segs);
	ret = zxproc_xfer_allowed(h, write);
	if (ret)
		goto out_free;

	/*
	 * All-or-nothing pins each segment whole: it has no use for groups.
	 * Nor has a read from the caller's own address space: a segment's
	 * copy out may break copy-on-write on a page a later segment of its
	 * group already holds pinned (the zero page, a private file page),
	 * which would then read what was there before.
	 */
	if (!(req.flags & ZXPROC_MEM_ALL_OR_NOTHING) &&
	    (write || h->mm != current->mm)) {
		g = kmalloc(sizeof(*g), GFP_KERNEL_ACCOUNT);
		if (!g) {
			/* Nothing done yet: nothing to report back. */
			ret = -ENOMEM;
			goto out_free;
		}
	}
	ret = zxproc_xfer_begin(h, write, req.flags, &x);
	if (ret)
		goto out_counts;
	while (i < req.nr_segs && !ret) {
		size_t done;
		int err;

		if (g) {
			ret = zxproc_memv_group(&x, g, segs, req.nr_segs, useg,
						&i, &actual);
		} else {
			err = zxproc_xfer_range(&x, segs[i].addr,
						u64_to_user_ptr(segs[i].buf),
						segs[i].len, &done);
			ret = zxproc_seg_done(useg, &i, err, done, &actual);
		}
	}
	zxproc_xfer_end(&x);
out_counts:
	if (put_user(actual, &uarg->actual) || put_user(i, &uarg->done))
		ret = -EFAULT;
out_free:
	kfree(g);
	kvfree(segs);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_MAPS: the mappings of the handle's own address space, named
 * as /proc/PID/maps names them, for Zircon's ZX_INFO_PROCESS_MAPS.
 *
 * The walk is bound to the handle's mm, never to whatever the process
 * runs on now: it begins as the memory calls do (zxproc_xfer_begin():
 * the process looked up, an mm_users reference on the handle's mm) and
 * checks, for each piece, that the process still runs on that mm
 * (zxproc_pin_begin()), so an exec or an exit answers ESTALE, as the
 * memory calls do.
 *
 * Nothing is copied to the caller while the target's mmap_lock is held:
 * a fault on the caller's array could wait for as long as the caller
 * likes (a userfaultfd of its own), and a handle to one's own process
 * would fault on the very mm whose lock the walk holds, behind any
 * writer queued on it.  So each piece of at most ZXPROC_MAPS_CHUNK
 * mappings is described into a kernel buffer under the lock, and copied
 * out after the lock is released.
 *
 * Memory: one buffer of ZXPROC_MAPS_CHUNK records (5.5 KiB).
 */
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "zxproc.h"

/* Mappings described under one hold of the mmap_lock. */
#define ZXPROC_MAPS_CHUNK 32

/**
 * zxproc_map_size_valid() - is @size an element size the kernel takes?
 * @size: struct zxproc_maps's @entry_size.
 *
 * Return: 0, or -EINVAL unless it is a multiple of 8 from
 * ZXPROC_MAP_SIZE_VER0 to ZXPROC_MAP_SIZE_MAX.
 */
static int zxproc_map_size_valid(u32 size)
{
	if (size < ZXPROC_MAP_SIZE_VER0 || size > ZXPROC_MAP_SIZE_MAX ||
	    size % 8)
		return -EINVAL;
	return 0;
}

/* The name PR_SET_VMA_ANON_NAME gave @vma, or NULL (mmap_lock held). */
static const char *zxproc_anon_name(const struct vm_area_struct *vma)
{
#ifdef CONFIG_ANON_VMA_NAME
	return vma->anon_name ? vma->anon_name->name : NULL;
#else
	return NULL;
#endif
}

/*
 * @vma's name, as fs/proc/task_mmu.c names it, but for a file only its
 * last component (%pd of the path /proc shows): the caller's mount
 * namespace and root play no part, and a name fits a fixed record.
 */
static void zxproc_map_name(struct vm_area_struct *vma, char *buf, size_t len)
{
	const char *anon = zxproc_anon_name(vma);
	struct mm_struct *mm = vma->vm_mm;
	const char *name = NULL;

	if (vma->vm_file) {
		/* Only 6.12 and later name shared anonymous memory. */
		if (anon) {
			snprintf(buf, len, "[anon_shmem:%s]", anon);
			return;
		}
		snprintf(buf, len, "%pd",
			 zxproc_file_user_path(vma->vm_file)->dentry);
		/*
		 * Shared anonymous memory is a shmem file whose dentry is
		 * named "dev/zero": its last component, as for a path.
		 */
		name = strrchr(buf, '/');
		if (name) {
			size_t n = strlen(name + 1) + 1;

			/* The record is the same whatever the dentry was. */
			memmove(buf, name + 1, n);
			memset(buf + n, 0, len - n);
		}
		return;
	}
	if (vma->vm_ops && vma->vm_ops->name)
		name = vma->vm_ops->name(vma);
	if (!name && vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		name = "[heap]";
	if (!name && vma->vm_start <= mm->start_stack &&
	    vma->vm_end >= mm->start_stack)
		name = "[stack]";
	if (!name && anon) {
		snprintf(buf, len, "[anon:%s]", anon);
		return;
	}
	strscpy(buf, name ?: "", len);
}

/* Describe @vma into @m, from @clip on if it begins below (see below). */
static void zxproc_map_fill(struct vm_area_struct *vma, unsigned long clip,
			    struct zxproc_map *m)
{
	const struct inode *inode;

	memset(m, 0, sizeof(*m));
	m->start = max(vma->vm_start, clip);
	m->end = vma->vm_end;
	if (vma->vm_flags & VM_READ)
		m->flags |= ZXPROC_MAP_READ;
	if (vma->vm_flags & VM_WRITE)
		m->flags |= ZXPROC_MAP_WRITE;
	if (vma->vm_flags & VM_EXEC)
		m->flags |= ZXPROC_MAP_EXEC;
	if (vma->vm_flags & VM_MAYSHARE)
		m->flags |= ZXPROC_MAP_SHARED;
	if (vma->vm_file) {
		inode = zxproc_file_user_inode(vma->vm_file);
		m->inode = inode->i_ino;
		m->dev_major = MAJOR(inode->i_sb->s_dev);
		m->dev_minor = MINOR(inode->i_sb->s_dev);
		m->offset = ((u64)vma->vm_pgoff << PAGE_SHIFT) +
			    (m->start - vma->vm_start);
	}
	zxproc_map_name(vma, m->name, sizeof(m->name));
}

/**
 * struct zxproc_walk - a ZXPROC_IOC_MAPS walk, in progress
 * @from: the next piece describes the mappings that end above it.
 * @clip: mappings that begin below it are reported from it on: the
 *	previous piece ended there, and a mapping that grew across that
 *	point while the lock was released must not overlap it.  0 for the
 *	first piece, which reports the mapping holding @addr whole.
 * @left: room left in the caller's array, in elements.
 * @filled: records of the current piece.
 * @rest: mappings counted past the caller's array (the last piece).
 * @done: the walk reached the last mapping.
 */
struct zxproc_walk {
	unsigned long from;
	unsigned long clip;
	u32 left;
	u32 filled;
	u32 rest;
	bool done;
};

/*
 * One piece under one hold of the mmap_lock: describe up to
 * ZXPROC_MAPS_CHUNK mappings into @chunk; once the caller's array has no
 * room past this piece, count the mappings after it instead.
 */
static int zxproc_maps_piece(struct zxproc_xfer *x, struct zxproc_walk *w,
			     struct zxproc_map *chunk)
{
	u32 max = min_t(u32, w->left, ZXPROC_MAPS_CHUNK);
	bool last = w->left <= ZXPROC_MAPS_CHUNK;
	struct vm_area_struct *vma;
	int ret;

	w->filled = 0;
	w->rest = 0;
	ret = zxproc_pin_begin(x);
	if (ret)
		return ret;
	{
		VMA_ITERATOR(vmi, x->mm, w->from);

		w->done = true;
		for_each_vma(vmi, vma) {
			if (w->filled < max) {
				zxproc_map_fill(vma, w->clip,
						&chunk[w->filled++]);
				w->from = vma->vm_end;
			} else if (last) {
				w->rest++;
			} else {
				w->done = false;
				break;
			}
		}
	}
	zxproc_pin_end(x);
	w->clip = w->from;
	return 0;
}

/* Copy @n records to the caller's array at element @at. */
static int zxproc_maps_out(const struct zxproc_maps *req, u32 at,
			   const struct zxproc_map *chunk, u32 n)
{
	char __user *u = u64_to_user_ptr(req->entries +
					  (u64)at * req->entry_size);
	size_t tail = req->entry_size - sizeof(*chunk);
	u32 i;

	for (i = 0; i < n; i++, u += req->entry_size) {
		if (copy_to_user(u, &chunk[i], sizeof(*chunk)))
			return -EFAULT;
		if (tail && clear_user(u + sizeof(*chunk), tail))
			return -EFAULT;
	}
	return 0;
}

/**
 * zxproc_maps_ioctl() - ZXPROC_IOC_MAPS
 * @h: the handle.
 * @cmd: the command, for the argument size.
 * @arg: user pointer to struct zxproc_maps.
 *
 * Return: 0 or a negative errno (see uapi header).
 */
long zxproc_maps_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg)
{
	struct zxproc_maps __user *uarg = u64_to_user_ptr((u64)arg);
	struct zxproc_walk w = { .done = false };
	struct zxproc_map *chunk;
	struct zxproc_maps req;
	struct zxproc_xfer x;
	u32 actual = 0;
	u64 avail = 0;
	int ret;

	ret = zxproc_args_in(&req, sizeof(req), cmd, arg);
	if (ret)
		return ret;
	if (req.flags || req.reserved || zxproc_map_size_valid(req.entry_size) ||
	    (req.count && !req.entries))
		return -EINVAL;
	ret = zxproc_rights_check(h, ZXPROC_RIGHT_INSPECT);
	if (ret)
		return ret;

	chunk = kmalloc_array(ZXPROC_MAPS_CHUNK, sizeof(*chunk),
			      GFP_KERNEL_ACCOUNT);
	if (!chunk) {
		ret = -ENOMEM;
		goto out;
	}
	ret = zxproc_xfer_begin(h, false, 0, &x);
	if (ret)
		goto out_free;
	/* Nothing is mapped at or above the top of the user address space. */
	w.from = min_t(u64, req.addr, x.mm->task_size);
	w.left = req.count;
	while (!w.done) {
		ret = zxproc_maps_piece(&x, &w, chunk);
		if (!ret)
			ret = zxproc_maps_out(&req, actual, chunk, w.filled);
		if (ret)
			break;
		actual += w.filled;
		w.left -= w.filled;
		avail = (u64)actual + w.rest;
	}
	zxproc_xfer_end(&x);
out_free:
	kfree(chunk);
out:
	avail = max_t(u64, avail, actual);
	if (put_user(actual, &uarg->actual) ||
	    put_user((u32)min_t(u64, avail, U32_MAX), &uarg->avail))
		return -EFAULT;
	return ret;
}

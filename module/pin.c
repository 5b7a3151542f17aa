// SPDX-License-Identifier: GPL-2.0
/*
 * Pinning the target's pages: the only place that takes the target's
 * locks.
 *
 * Pages are pinned with pin_user_pages_remote() on the handle's own mm,
 * with a `locked` argument as process_vm_readv/writev pass it
 * (mm/process_vm_access.c): a fault may then drop the mmap_lock while
 * the page is brought in (a slow file, swap, a userfaultfd handler) and
 * waits killably.  So the target's own mmap/munmap/exec never wait
 * behind zxproc for longer than one fault's lock section, a caller
 * stuck on a page the target never serves dies on SIGKILL, and a
 * target whose faults are served by userfaultfd can be read and written
 * at all (without ALLOW_RETRY, handle_userfault() fails the fault).
 *
 * ZXPROC_MEM_NO_FAULT reads take page references with FOLL_NOFAULT
 * instead (zxproc_get_nofault()): GUP then never faults, so the
 * mmap_lock is never dropped and nothing is brought in.
 *
 * The exec_update_lock is held only to decide ESTALE
 * (zxproc_target_check()), never across a fault.
 *
 * ZXPROC_MEM_FORCE_EXEC decides forcing per mapping, under the
 * mmap_lock, against the mapping a pin starts in, when the page is
 * pinned; ZXPROC_MEM_FORCE_FIRST_EXEC likewise, and forces only in the
 * mapping that holds the range's first byte, looked up anew under the
 * same lock for every pin, so no decision outlives the lock it was made
 * under.  A forced pin that dropped the lock is checked again once the
 * lock is back, since GUP went on with the same FOLL_FORCE into whatever
 * the target mapped meanwhile.  As for process_vm_writev(), a page's
 * check holds when it is pinned: a target that mprotect()s or moves its
 * own pages while a call runs may see a byte land where the new
 * protection would refuse it, in its own private memory only (GUP never
 * forces a write into a shared mapping, nor before 7.2 a hugetlb one).
 */
#include <linux/hugetlb.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/sched/signal.h>

#include <kunit/visibility.h>

#include "compat.h"
#include "zxproc.h"

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
 * does for private mappings, hugetlb ones only from 7.2 on.
 */
static bool zxproc_vma_permits(const struct vm_area_struct *vma,
			       unsigned int gup_flags)
{
	bool force = gup_flags & FOLL_FORCE;

	if (zxproc_vma_is_secret(vma))
		return false;
	/* GUP writes a shadow stack only by force, as a read-only mapping. */
	if (gup_flags & FOLL_WRITE)
		return ((vma->vm_flags & VM_WRITE) &&
			!(vma->vm_flags & VM_SHADOW_STACK)) ||
		       (force && is_cow_mapping(vma->vm_flags) &&
			(ZXPROC_GUP_FORCES_HUGETLB || !(vma->vm_flags & VM_HUGETLB)));
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

/**
 * zxproc_vma_forced() - may a pin into a mapping be forced, by the mode?
 * @flags: the call's ZXPROC_MEM_* flags, on a call the host lets force.
 * @vma: the mapping the pin starts in.
 * @first: the mapping that holds the range's first byte, or NULL;
 *	looked up under the same hold of the mmap_lock as @vma.
 *
 * Under ZXPROC_MEM_FORCE_FIRST_EXEC only @first itself may be forced.
 *
 * Return: true if the pin may use FOLL_FORCE.
 */
VISIBLE_IF_KUNIT bool zxproc_vma_forced(u32 flags,
					const struct vm_area_struct *vma,
					const struct vm_area_struct *first)
{
	if ((flags & ZXPROC_MEM_FORCE_FIRST_EXEC) && vma != first)
		return false;
	return zxproc_force_vma(flags, true, vma->vm_flags);
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_vma_forced);

/*
 * The FOLL_* flags for an access into @vma (NULL: nothing mapped, where
 * nothing needs forcing), @first holding the range's first byte.  Only
 * the FORCE_*EXEC modes make them depend on the mapping; see
 * zxproc_force_vma() and zxproc_vma_forced().
 */
static unsigned int zxproc_vma_gup_flags(const struct zxproc_xfer *x,
					 const struct vm_area_struct *vma,
					 const struct vm_area_struct *first)
{
	if (!x->per_vma)
		return x->gup_flags;
	if (vma && zxproc_vma_forced(x->flags, vma, first))
		return x->gup_flags;
	return x->gup_flags & ~FOLL_FORCE;
}

/*
 * After a forced pin that dropped the mmap_lock: how many of the @nr
 * pages from @start still lie in mappings that the call's mode lets
 * this access reach (the target may have mprotect()ed or replaced them
 * while GUP waited for a fault, and GUP re-found the mapping with the
 * same FOLL_FORCE), the range's first byte being at @base.  Called with
 * the lock held again.
 */
static unsigned long zxproc_forced_still_ok(const struct zxproc_xfer *x,
					    unsigned long base,
					    unsigned long start,
					    unsigned long nr)
{
	struct vm_area_struct *first = vma_lookup(x->mm, base);
	struct vm_area_struct *vma = NULL;
	unsigned long i, addr;

	for (i = 0; i < nr; i++) {
		addr = start + i * PAGE_SIZE;
		if (!vma || addr >= vma->vm_end)
			vma = vma_lookup(x->mm, addr);
		if (!vma)
			break;
		if (!zxproc_vma_forced(x->flags, vma, first) &&
		    !zxproc_vma_permits(vma, x->gup_flags & ~FOLL_FORCE))
			break;
	}
	return i;
}

/*
 * How often a forced pin that the re-check took back is decided again
 * before the page is pinned unforced: each time needs the target to
 * change its mappings while a fault of ours waits, so a target cannot
 * keep the caller looping.
 */
#define ZXPROC_FORCE_REDECIDE 3

/*
 * ZXPROC_MEM_NO_FAULT: take the pages of @vma (found at @start) that the
 * target's page tables map now, from @start on, and fault nothing in.
 *
 * References (FOLL_GET), not pins: GUP unshares an anonymous page that
 * a read pin finds shared copy-on-write after a fork (gup_must_unshare()
 * in mm/internal.h), by a fault that allocates the target a copy; with
 * FOLL_NOFAULT the pin would instead fail on a page that is there.  A
 * reference only keeps the page while it is copied from, which is all a
 * read needs.  Nothing mapped at @start: GUP is not called at all, since
 * before 6.5 it grows a stack mapping to reach an address just below it.
 * Hugetlb pages on kernels where GUP faults them in despite FOLL_NOFAULT
 * are never asked for.
 *
 * Return: as pin_user_pages_remote(): pages taken, or -EFAULT when the
 * first page is not there (zxproc_pin_locked() names the error).
 */
static long zxproc_get_nofault(struct zxproc_xfer *x,
			       struct vm_area_struct *vma, unsigned long start,
			       unsigned long nr, unsigned int gup_flags,
			       struct page **pages)
{
	if (!vma)
		return -EFAULT;
	if (!ZXPROC_GUP_HUGETLB_NOFAULT && is_vm_hugetlb_page(vma))
		return -EFAULT;
	return zxproc_get_user_pages_remote(x->mm, start, nr,
					    gup_flags | FOLL_NOFAULT, pages,
					    &x->locked);
}

/* Hold the mmap_lock again if a fault dropped it: 0 or -EINTR. */
static int zxproc_relock(struct zxproc_xfer *x)
{
	if (x->locked)
		return 0;
	if (mmap_read_lock_killable(x->mm))
		return -EINTR;
	x->locked = 1;
	return 0;
}

/**
 * zxproc_pin_begin() - check the target and take its mmap_lock
 * @x: the access.
 *
 * Return: 0 with the lock held (release it with zxproc_pin_end()),
 * -ESTALE when the target exec'd or exited, or -EINTR.
 */
int zxproc_pin_begin(struct zxproc_xfer *x)
{
	int ret;

	x->locked = 0;
	ret = zxproc_target_check(x->task, x->mm);
	if (ret)
		return ret;
	return zxproc_relock(x);
}

/**
 * zxproc_pin_end() - release the mmap_lock, if a fault left it held
 * @x: the access.
 */
void zxproc_pin_end(struct zxproc_xfer *x)
{
	if (x->locked)
		mmap_read_unlock(x->mm);
	x->locked = 0;
}

/**
 * zxproc_pin_locked() - pin pages between zxproc_pin_begin() and _end()
 * @x: the access.
 * @base: the page of the range's first byte (ZXPROC_MEM_FORCE_FIRST_EXEC
 *	forces only in the mapping that holds it).
 * @start: page-aligned target address, at or after @base.
 * @nr: pages wanted, at least 1.
 * @pages: out: the pinned pages.
 * @end: out: whether a failure says that the accessible memory ends at
 *	@start (a copy that got that far is a short one), as opposed to a
 *	failure of the whole call: a fatal signal, or the kernel ran out of
 *	memory (both GUP's -ENOMEM and an unmapped page become ENOMEM for
 *	the caller, and only @end tells them apart).
 *
 * Return: pages pinned (1 to @nr), or the errno that the first page's
 * failure means; -ESTALE when a fault waited and the target exec'd or
 * exited meanwhile.
 */
long zxproc_pin_locked(struct zxproc_xfer *x, unsigned long base,
		       unsigned long start, unsigned long nr,
		       struct page **pages, bool *end)
{
	unsigned int gup_flags = x->gup_flags;
	unsigned int redecided = 0;
	struct vm_area_struct *vma, *first;
	unsigned long ok;
	long pinned;
	int ret;

	*end = false;
again:
	ret = zxproc_relock(x);
	if (ret)
		return ret;
	vma = NULL;
	if (x->per_vma || x->nofault) {
		/*
		 * FOLL_FORCE is one flag for the whole pin, and a no-fault
		 * pin must not run on into a mapping where GUP would fault:
		 * so one pin never spans two mappings, and the one at
		 * @start decides.
		 */
		vma = vma_lookup(x->mm, start);
		if (vma)
			nr = min(nr, (vma->vm_end - start) >> PAGE_SHIFT);
	}
	if (x->per_vma) {
		first = start == base ? vma : vma_lookup(x->mm, base);
		gup_flags = zxproc_vma_gup_flags(x, vma, first);
		if (redecided > ZXPROC_FORCE_REDECIDE)
			gup_flags &= ~FOLL_FORCE;
	}
	if (x->nofault)
		pinned = zxproc_get_nofault(x, vma, start, nr, gup_flags,
					    pages);
	else
		pinned = zxproc_pin_user_pages_remote(x->mm, start, nr,
						      gup_flags, pages,
						      &x->locked);
	if (pinned > 0 && !x->locked) {
		/*
		 * A fault waited with the lock dropped, for as long as the
		 * target took to serve it: it may have exec'd or exited
		 * meanwhile, and a copy into the address space it left would
		 * report a success that reached nothing.
		 */
		ret = zxproc_target_check(x->task, x->mm);
		if (!ret && x->per_vma && (gup_flags & FOLL_FORCE))
			ret = zxproc_relock(x);
		if (ret) {
			zxproc_unpin(x, pages, pinned, 0, 0);
			return ret;
		}
		if (x->per_vma && (gup_flags & FOLL_FORCE)) {
			ok = zxproc_forced_still_ok(x, base, start, pinned);
			zxproc_unpin(x, pages + ok, pinned - ok, 0, 0);
			pinned = ok;
			/* Decide again for the first page, under this lock. */
			if (!pinned) {
				if (fatal_signal_pending(current))
					return -EINTR;
				redecided++;
				goto again;
			}
		}
	}
	if (pinned > 0) {
		/*
		 * arm64: whether the write needs instruction-cache maintenance
		 * is decided under the lock (icache.c), retaken if a fault
		 * dropped it; a fatal signal meanwhile counts the pages as
		 * executable.  Nothing of this on x86.
		 */
		if (IS_ENABLED(CONFIG_ARM64) && x->write && !x->exec)
			zxproc_icache_note(x, start, pinned,
					   zxproc_relock(x) == 0);
		return pinned;
	}
	if (pinned == -EINTR || pinned == -ENOMEM)
		return pinned;
	/* The mapping may have changed while a fault had the lock dropped. */
	ret = zxproc_relock(x);
	if (ret)
		return ret;
	*end = true;
	vma = find_vma(x->mm, start);
	if (x->per_vma)
		gup_flags = zxproc_vma_gup_flags(x, vma && vma->vm_start <= start ?
						 vma : NULL,
						 vma_lookup(x->mm, base));
	ret = zxproc_vma_error(vma, start, gup_flags);
	/* Mapped, and the read may go there: the page is not present. */
	if (x->nofault && ret == -ENOMEM && vma && vma->vm_start <= start)
		return -EAGAIN;
	return ret;
}

/**
 * zxproc_pin() - zxproc_pin_locked() under its own zxproc_pin_begin()
 * @x: the access.
 * @base: the page of the range's first byte.
 * @start: page-aligned target address, at or after @base.
 * @nr: pages wanted, at least 1.
 * @pages: out: the pinned pages.
 * @end: out: as for zxproc_pin_locked().
 *
 * Return: pages pinned, or a negative errno; also -ESTALE when the
 * target exec'd or exited.
 */
long zxproc_pin(struct zxproc_xfer *x, unsigned long base, unsigned long start,
		unsigned long nr, struct page **pages, bool *end)
{
	long pinned;

	*end = false;
	pinned = zxproc_pin_begin(x);
	if (pinned)
		return pinned;
	pinned = zxproc_pin_locked(x, base, start, nr, pages, end);
	zxproc_pin_end(x);
	return pinned;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction-cache maintenance for writes into executable pages.
 *
 * arm64's instruction cache is not coherent with data writes: bytes a
 * write puts into a page of program text reach the data cache only, and
 * the target may go on fetching the old instructions (a breakpoint
 * never hit, a patch never run) until the lines are cleaned to the point
 * of unification and the instruction cache is invalidated.  The kernel's
 * own writes into another process's memory (/proc/PID/mem, ptrace) copy
 * through copy_to_user_page(), whose flush_ptrace_access() does that
 * maintenance when the mapping is VM_EXEC (arch/arm64/mm/flush.c).
 * Neither function is exported to modules, so zxproc does the same
 * through the one exported entry to it, __sync_icache_dcache(): after
 * flush_dcache_page() has marked the page's folio as not clean
 * (PG_dcache_clean), it runs sync_icache_aliases() over the folio (the
 * aliasing-icache case included, which a range maintenance through
 * caches_clean_inval_pou() would miss) and marks it clean again; it is
 * what set_pte_at() does when it maps a page executable.
 *
 * Whether a write needs it is decided as flush_ptrace_access() decides,
 * by VM_EXEC, but when the pages are pinned, under the mmap_lock: the
 * copy runs without it.  One flag per call: once a pin of the call
 * reaches an executable mapping, every page the call writes after that
 * gets the maintenance (a few data pages too much, at most, in a call
 * that also wrote text).  A mapping made executable after the pin and
 * before the copy is the target racing its own memory; its later
 * set_pte_at() does the maintenance for any page flush_dcache_page()
 * left marked.
 *
 * Only arm64 builds this file; on x86 the instruction cache is coherent
 * and the calls compile to nothing (zxproc.h).
 */
#include <linux/mm.h>
#include <linux/mmap_lock.h>

#include <asm/cacheflush.h>
#include <asm/pgtable.h>

#include "zxproc.h"

/**
 * zxproc_icache_note() - note whether pinned pages lie in executable mappings
 * @x: the access.
 * @start: page-aligned target address of the first pinned page.
 * @nr: pages pinned from @start.
 * @locked: whether @x->mm's mmap_lock is held; pin.c, which alone takes
 *	the target's locks, could not take it again after a fault dropped
 *	it only on a fatal signal.  Then the pages count as executable:
 *	never too little maintenance.
 */
void zxproc_icache_note(struct zxproc_xfer *x, unsigned long start,
			unsigned long nr, bool locked)
{
	unsigned long end = start + nr * PAGE_SIZE;
	struct vm_area_struct *vma;

	if (!x->write || x->exec)
		return;
	if (!locked) {
		x->exec = true;
		return;
	}
	mmap_assert_locked(x->mm);
	for (vma = find_vma(x->mm, start); vma && vma->vm_start < end;
	     vma = find_vma(x->mm, vma->vm_end)) {
		if (vma->vm_flags & VM_EXEC) {
			x->exec = true;
			return;
		}
	}
}

/**
 * zxproc_icache_sync() - make bytes written into @page visible to instruction fetch
 * @x: the access.
 * @page: a pinned target page that a write just changed, after its
 *	flush_dcache_page().
 */
void zxproc_icache_sync(const struct zxproc_xfer *x, struct page *page)
{
	if (x->exec)
		__sync_icache_dcache(mk_pte(page, PAGE_KERNEL));
}

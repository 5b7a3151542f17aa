/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels zxproc supports
 * (Debian's 6.1 and 6.12): pin_user_pages_remote() and
 * get_user_pages_remote() lost their vmas argument in 6.5, hugetlb
 * pages have heeded FOLL_NOFAULT only since 6.5, overlayfs mappings
 * hold a backing file since 6.8, and vm_flags became read-only in 6.3 (the KUnit
 * suite builds fake mappings).  An in-tree driver would not need this;
 * an out-of-tree module built by DKMS for several kernels does.
 */
#ifndef ZXPROC_COMPAT_H
#define ZXPROC_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* x86 user shadow stacks came with 6.6; mm.h defines VM_NONE without them. */
#ifndef VM_SHADOW_STACK
#define VM_SHADOW_STACK VM_NONE
#endif

static inline long zxproc_pin_user_pages_remote(struct mm_struct *mm,
						unsigned long start,
						unsigned long nr,
						unsigned int gup_flags,
						struct page **pages,
						int *locked)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     locked);
#else
	return pin_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/* ZXPROC_MEM_NO_FAULT takes references, never pins (pin.c). */
static inline long zxproc_get_user_pages_remote(struct mm_struct *mm,
						unsigned long start,
						unsigned long nr,
						unsigned int gup_flags,
						struct page **pages,
						int *locked)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, NULL,
				     locked);
#else
	return get_user_pages_remote(mm, start, nr, gup_flags, pages, locked);
#endif
}

/*
 * Before 6.5, GUP took hugetlb pages through follow_hugetlb_page(),
 * which faults them in whatever FOLL_NOFAULT says (mm/hugetlb.c).
 */
#define ZXPROC_GUP_HUGETLB_NOFAULT \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0))

/*
 * The file a mapping shows its users: since 6.8 a mapping of an
 * overlayfs file holds a backing file whose f_path is the real file,
 * and /proc/PID/maps names the overlay's path and inode instead.
 */
static inline const struct path *zxproc_file_user_path(struct file *f)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return file_user_path(f);
#else
	return &f->f_path;
#endif
}

static inline const struct inode *zxproc_file_user_inode(struct file *f)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	return file_user_inode(f);
#else
	return file_inode(f);
#endif
}

static inline void zxproc_vma_init_flags(struct vm_area_struct *vma,
					 vm_flags_t flags)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 3, 0)
	vma->vm_flags = flags;
#else
	vm_flags_init(vma, flags);
#endif
}

#endif /* ZXPROC_COMPAT_H */

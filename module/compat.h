/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel API differences between the kernels zxproc supports
 * (Debian's 6.1, 6.12 and 6.12-rt, and 7.2): pin_user_pages_remote()
 * and get_user_pages_remote() lost their vmas argument in 6.5, hugetlb
 * pages have heeded FOLL_NOFAULT only since 6.5, overlayfs mappings hold
 * a backing file since 6.8, vm_flags became read-only in 6.3 (the KUnit
 * suite builds fake mappings), and in 7.2 a process's dumpability and
 * exec user namespace moved from its mm to its tasks' exec_state.  An
 * in-tree driver would not need this; an out-of-tree module built by
 * DKMS for several kernels does.  PREEMPT_RT needs nothing of its own.
 */
#ifndef ZXPROC_COMPAT_H
#define ZXPROC_COMPAT_H

#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>
#include <linux/version.h>
#ifndef SUID_DUMP_USER
#include <linux/sched/exec_state.h>
#endif

/*
 * MODULE_IMPORT_NS() takes the namespace as a string literal since 6.13,
 * as a bare identifier before (the KUnit suite imports the namespace of
 * EXPORT_SYMBOL_IF_KUNIT()).
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define ZXPROC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#else
#define ZXPROC_IMPORT_KUNIT_NS() MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#endif

/*
 * GUP forces a write into a read-only private hugetlb mapping, by
 * copy-on-write, in 7.2: its check_vma_flags() no longer refuses
 * FOLL_FORCE | FOLL_WRITE there, as 6.12's did.  7.2 is the first
 * release tested that does.
 */
#define ZXPROC_GUP_FORCES_HUGETLB (LINUX_VERSION_CODE >= KERNEL_VERSION(7, 2, 0))

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

/*
 * Whether the process that @task belongs to and @mm is the address space
 * of is dumpable by its owner (not setuid, not PR_SET_DUMPABLE 0), and
 * the user namespace its exec belongs to: what __ptrace_may_access()
 * asks of a target.  Callers hold @task's exec_update_lock for reading,
 * with @mm its current mm.
 *
 * Up to 6.x both live in the mm: get_dumpable(@mm), @mm->user_ns.  In
 * 7.2 they are in @task->exec_state, shared by the CLONE_VM threads and
 * replaced by exec together with the mm, under exec_update_lock held for
 * writing (task_exec_state_replace()); the lock held for reading keeps
 * it, and the task reference the caller holds keeps it from being
 * freed.  Its accessors are not exported, so it is read directly, as
 * kernel/ptrace.c does.  SUID_DUMP_USER left with the move: that is
 * what is tested, not the version, since 7.2 is the first 7.x release
 * zxproc is tested on.
 */
#ifdef SUID_DUMP_USER
static inline bool zxproc_owner_dumpable(struct task_struct *task,
					 struct mm_struct *mm)
{
	return get_dumpable(mm) == SUID_DUMP_USER;
}

static inline struct user_namespace *
zxproc_exec_user_ns(struct task_struct *task, struct mm_struct *mm)
{
	return mm->user_ns;
}
#else
static inline struct task_exec_state *
zxproc_exec_state(struct task_struct *task)
{
	return rcu_dereference_protected(task->exec_state,
					 lockdep_is_held(&task->signal->exec_update_lock));
}

static inline bool zxproc_owner_dumpable(struct task_struct *task,
					 struct mm_struct *mm)
{
	return READ_ONCE(zxproc_exec_state(task)->dumpable) == TASK_DUMPABLE_OWNER;
}

static inline struct user_namespace *
zxproc_exec_user_ns(struct task_struct *task, struct mm_struct *mm)
{
	return zxproc_exec_state(task)->user_ns;
}
#endif

#endif /* ZXPROC_COMPAT_H */

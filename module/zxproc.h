/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zxproc internals shared between the module's files.
 *
 * main.c    module init/exit, the /dev/zxproc misc device, parameters
 * uargs.c   extensible ioctl argument structs (copy in, copy out)
 * rights.c  the one place that decides who may hold which right
 * handle.c  process handles: anon-inode files and their ioctls
 * target.c  finding the handle's process and locking it against exec
 * mem.c     the copy engine behind WRITE/READ and WRITEV/READV
 * kunit.c   KUnit suite of the pure logic above (zxproc_kunit.ko)
 */
#ifndef ZXPROC_INTERNAL_H
#define ZXPROC_INTERNAL_H

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/zxproc.h>

struct mm_struct;
struct pid;
struct task_struct;

/**
 * struct zxproc_handle - what a process handle file refers to
 * @pid: the process (its thread-group id), referenced; names the
 *	process for as long as the handle lives, even across pid reuse.
 * @mm: the address space the rights check was made against, grabbed
 *	(mm_count, not mm_users: the handle keeps the struct, not the
 *	memory).  Accesses succeed only while the process still runs on
 *	this very mm, which is what makes an exec invalidate the handle.
 * @rights: ZXPROC_RIGHT_* bits; never changes after creation, so
 *	concurrent ioctls need no lock to read it.
 */
struct zxproc_handle {
	struct pid *pid;
	struct mm_struct *mm;
	u32 rights;
};

/* main.c */
extern bool zxproc_force_write;

/* uargs.c */
bool zxproc_cmd_is(unsigned int cmd, unsigned int known);
int zxproc_args_in(void *karg, size_t ksize, unsigned int cmd,
		   unsigned long arg);
int zxproc_args_out(unsigned long arg, unsigned int cmd, const void *karg,
		    size_t ksize);

/* rights.c */
int zxproc_rights_for_open(u32 requested, u32 *rights);
int zxproc_rights_for_dup(u32 have, u32 requested, u32 *rights);
int zxproc_rights_check(const struct zxproc_handle *h, u32 needed);
int zxproc_may_open(const struct file *dev, struct task_struct *task,
		    struct mm_struct *mm);

/* handle.c */
int zxproc_handle_open(const struct file *dev, pid_t nr, u32 rights);

/* target.c */
struct mm_struct *zxproc_process_mm_get(struct task_struct *task);
bool zxproc_process_uses_mm(struct task_struct *task, struct mm_struct *mm);
int zxproc_target_get(const struct zxproc_handle *h,
		      struct task_struct **task);
int zxproc_target_lock(struct task_struct *task, struct mm_struct *mm);
void zxproc_target_unlock(struct task_struct *task);

/* mem.c */
long zxproc_mem_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		      unsigned long arg, bool write);
long zxproc_memv_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg, bool write);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * mem.c's pure logic, static on production kernels, visible to the
 * KUnit suite (kunit.c) on kernels built with CONFIG_KUNIT.
 */
struct vm_area_struct;
int zxproc_vma_error(const struct vm_area_struct *vma, unsigned long addr,
		     unsigned int gup_flags);
unsigned long zxproc_step(u64 addr, u64 remaining, size_t *off,
			  size_t *chunk);
int zxproc_range_span(u64 addr, u64 len, u64 limit, bool all, u64 *span);
int zxproc_range_valid(u64 buf, u64 len);
#endif

#endif /* ZXPROC_INTERNAL_H */

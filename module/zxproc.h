/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zxproc internals shared between the module's files.
 *
 * main.c    module init/exit, the /dev/zxproc misc device
 * uargs.c   extensible ioctl argument structs (copy in, copy out)
 * rights.c  the one place that decides who may hold which right
 * force.c   the one place that decides whether an access is forced
 * handle.c  process handles: anon-inode files and their ioctls
 * target.c  finding the handle's process, and whether it still runs
 *           on the handle's address space
 * pin.c     pinning the target's pages: the only place that takes the
 *           target's locks
 * icache.c  arm64 only: instruction-cache maintenance after a write
 *           into an executable mapping (x86 is coherent)
 * copy.c    copying between pinned pages and the caller's buffer, and
 *           the copy of one range (WRITE/READ and each batch segment)
 * mem.c     ZXPROC_IOC_WRITE/READ: one range
 * batch.c   ZXPROC_IOC_WRITEV/READV: many ranges
 * maps.c    ZXPROC_IOC_MAPS: the mappings of the handle's address space
 * cas.c     ZXPROC_IOC_CAS: compare and swap one aligned value
 * trace.h   the tracepoints: handle creation, every memory access
 * audit.c   audit records of handles to other processes; defines the
 *           tracepoints
 * kunit.c   KUnit suite of the pure logic above (zxproc_kunit.ko)
 */
#ifndef ZXPROC_INTERNAL_H
#define ZXPROC_INTERNAL_H

#include <linux/fs.h>
#include <linux/types.h>
#include <linux/zxproc.h>

struct mm_struct;
struct page;
struct pid;
struct task_struct;

/**
 * struct zxproc_handle - what a process handle file refers to
 * @pid: the process (its thread-group id), referenced; names the
 *	process for as long as the handle lives, even across pid reuse.
 *	Never NULL: a process reaped before its pid was taken gets no
 *	handle.
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

/* Pages pinned at a time, per range or per group of a batch. */
#define ZXPROC_PIN_BATCH 64

/**
 * struct zxproc_xfer - one access through a handle, in progress
 * @h: the handle it goes through (for the tracepoints).
 * @task: the target's thread-group leader, referenced.
 * @mm: the handle's mm, with an mm_users reference for the duration.
 * @gup_flags: FOLL_* flags for pinning (FOLL_WRITE, FOLL_FORCE).  With
 *	@per_vma, FOLL_FORCE is what the host allows, and each mapping
 *	decides whether it is used (pin.c).
 * @flags: the call's ZXPROC_MEM_* flags.
 * @write: copy into the target (true) or out of it.
 * @nofault: ZXPROC_MEM_NO_FAULT: pages are taken with FOLL_NOFAULT and
 *	a reference (FOLL_GET), never pinned (pin.c, zxproc_unpin()).
 * @all: ZXPROC_MEM_ALL_OR_NOTHING.
 * @per_vma: forcing depends on the mapping (ZXPROC_MEM_FORCE_EXEC or
 *	ZXPROC_MEM_FORCE_FIRST_EXEC on a call the host lets force).
 * @locked: whether this call holds @mm's mmap_lock (pin.c); GUP may
 *	drop it while it waits for a fault.
 * @exec: a write of this call pinned a page of an executable mapping:
 *	pages it writes need instruction-cache maintenance (icache.c;
 *	never set where the instruction cache is coherent).
 */
struct zxproc_xfer {
	const struct zxproc_handle *h;
	struct task_struct *task;
	struct mm_struct *mm;
	unsigned int gup_flags;
	u32 flags;
	bool write;
	bool nofault;
	bool all;
	bool per_vma;
	bool exec;
	int locked;
};

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

/* force.c: the forcing policies, from the loosest to the strictest. */
enum zxproc_force_policy {
	ZXPROC_FORCE_ALWAYS,
	ZXPROC_FORCE_PTRACE,
	ZXPROC_FORCE_NEVER,
};

void zxproc_force_init(void);
bool zxproc_force(struct task_struct *task, struct mm_struct *mm);
int zxproc_mem_flags_check(u32 flags);
bool zxproc_force_vma(u32 flags, bool host, unsigned long vm_flags);

/* handle.c */
int zxproc_handle_open(const struct file *dev, pid_t nr, u32 rights);

/* target.c */
struct mm_struct *zxproc_process_mm_get(struct task_struct *task);
bool zxproc_process_uses_mm(struct task_struct *task, struct mm_struct *mm);
int zxproc_target_get(const struct zxproc_handle *h,
		      struct task_struct **task);
int zxproc_target_check(struct task_struct *task, struct mm_struct *mm);

/* pin.c */
int zxproc_pin_begin(struct zxproc_xfer *x);
long zxproc_pin_locked(struct zxproc_xfer *x, unsigned long base,
		       unsigned long start, unsigned long nr,
		       struct page **pages, bool *end);
void zxproc_pin_end(struct zxproc_xfer *x);
long zxproc_pin(struct zxproc_xfer *x, unsigned long base, unsigned long start,
		unsigned long nr, struct page **pages, bool *end);

/* icache.c: only where instruction fetch does not see data writes. */
#ifdef CONFIG_ARM64
void zxproc_icache_note(struct zxproc_xfer *x, unsigned long start,
			unsigned long nr, bool locked);
void zxproc_icache_sync(const struct zxproc_xfer *x, struct page *page);
#else
static inline void zxproc_icache_note(struct zxproc_xfer *x,
				      unsigned long start, unsigned long nr,
				      bool locked)
{
}

static inline void zxproc_icache_sync(const struct zxproc_xfer *x,
				      struct page *page)
{
}
#endif

/* copy.c */
unsigned long zxproc_step(u64 addr, u64 remaining, size_t *off,
			  size_t *chunk);
int zxproc_copy_user(const struct zxproc_xfer *x, struct page **pages,
		     size_t off, char __user *ubuf, size_t len,
		     size_t *copied);
int zxproc_fault_in(const struct zxproc_xfer *x, char __user *ubuf,
		    size_t len);
void zxproc_unpin(const struct zxproc_xfer *x, struct page **pages,
		  unsigned long nr, size_t off, size_t copied);
int zxproc_xfer_some(struct zxproc_xfer *x, unsigned long addr,
		     char __user *ubuf, size_t len, size_t *done);
int zxproc_xfer_check(const struct zxproc_xfer *x, u64 addr,
		      const char __user *ubuf, u64 len, u64 *span);
int zxproc_xfer_range(struct zxproc_xfer *x, u64 addr, char __user *ubuf,
		      u64 len, size_t *done);

/* mem.c */
int zxproc_range_valid(u64 buf, u64 len);
int zxproc_mem_flags_valid(u32 flags, bool write);
int zxproc_xfer_begin(const struct zxproc_handle *h, bool write, u32 flags,
		      struct zxproc_xfer *x);
void zxproc_xfer_end(struct zxproc_xfer *x);
long zxproc_mem_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		      unsigned long arg, bool write);

/* batch.c */
long zxproc_memv_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg, bool write);

/* maps.c */
long zxproc_maps_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		       unsigned long arg);
/* cas.c */
long zxproc_cas_ioctl(const struct zxproc_handle *h, unsigned int cmd,
		      unsigned long arg);

/* audit.c */
void zxproc_audit_open(struct task_struct *target, u32 rights, int ret);

#if IS_ENABLED(CONFIG_KUNIT)
/*
 * Pure logic, static on production kernels, visible to the KUnit suite
 * (kunit.c) on kernels built with CONFIG_KUNIT.
 */
struct vm_area_struct;
int zxproc_vma_error(const struct vm_area_struct *vma, unsigned long addr,
		     unsigned int gup_flags);
bool zxproc_vma_forced(u32 flags, const struct vm_area_struct *vma,
		       const struct vm_area_struct *first);
int zxproc_range_span(u64 addr, u64 len, u64 limit, bool all, u64 *span);
unsigned long zxproc_dirty_pages(unsigned long nr, size_t off,
				 size_t copied);
enum zxproc_force_policy zxproc_force_parse(char *cmdline,
					    enum zxproc_force_policy initial);
int zxproc_seg_size_valid(u32 seg_size);
int zxproc_cas_valid(const struct zxproc_cas *req);
#endif

#endif /* ZXPROC_INTERNAL_H */

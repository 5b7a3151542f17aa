// SPDX-License-Identifier: GPL-2.0
/*
 * Rights: the one place that decides who may hold a handle, and what a
 * handle may do.
 *
 * Minting a handle to another process needs CAP_SYS_PTRACE, the
 * capability the kernel's own ptrace check accepts in place of matching
 * credentials (ptrace_has_cap()).  ptrace_may_access() itself, and with
 * it the LSM ptrace hooks (Yama, SELinux, AppArmor), is not exported to
 * modules, so this check is zxproc's own and deliberately stricter than
 * ptrace's: matching uids alone never suffice.  The README lists exactly
 * what is and is not checked.
 */
#include <kunit/visibility.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/sched/coredump.h>
#include <linux/sched/signal.h>

#include "compat.h"
#include "zxproc.h"

/**
 * zxproc_rights_for_open() - rights of a newly minted handle
 * @requested: ZXPROC_RIGHT_* bits the caller asked for.
 * @rights: out: the rights to give.
 *
 * Return: 0, or -EINVAL for bits that are not rights (SAME_RIGHTS
 * included: there is no source handle to take them from).
 */
int zxproc_rights_for_open(u32 requested, u32 *rights)
{
	if (requested & ~ZXPROC_RIGHTS_ALL)
		return -EINVAL;
	*rights = requested;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_rights_for_open);

/**
 * zxproc_rights_for_dup() - rights of a duplicate or replacement
 * @have: rights of the source handle.
 * @requested: ZXPROC_RIGHT_SAME_RIGHTS alone, or ZXPROC_RIGHT_* bits.
 * @rights: out: the rights to give.
 *
 * Rights never grow: asking for one the source lacks is -EINVAL, as
 * Zircon's zx_handle_duplicate() answers ZX_ERR_INVALID_ARGS.
 *
 * Return: 0 or -EINVAL.
 */
int zxproc_rights_for_dup(u32 have, u32 requested, u32 *rights)
{
	if (requested == ZXPROC_RIGHT_SAME_RIGHTS) {
		*rights = have;
		return 0;
	}
	if (requested & ~have)
		return -EINVAL;
	*rights = requested;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_rights_for_dup);

/**
 * zxproc_rights_check() - may handle @h do an operation needing @needed?
 * @h: the handle.
 * @needed: ZXPROC_RIGHT_* bits the operation needs, all of them.
 *
 * Return: 0 or -EACCES.
 */
int zxproc_rights_check(const struct zxproc_handle *h, u32 needed)
{
	return (h->rights & needed) == needed ? 0 : -EACCES;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_rights_check);

/*
 * CAP_SYS_PTRACE in @ns, held both now and by whoever opened the device:
 * a descriptor of /dev/zxproc passed to a less privileged process (or
 * kept across a privilege drop) must not carry its opener's power along,
 * and a privileged process must not be tricked into using a descriptor
 * an unprivileged one opened (the file_ns_capable() rule).
 */
static bool zxproc_ptrace_capable(const struct file *dev,
				  struct user_namespace *ns)
{
	return file_ns_capable(dev, ns, CAP_SYS_PTRACE) &&
	       ns_capable(ns, CAP_SYS_PTRACE);
}

/**
 * zxproc_may_open() - may the caller mint a handle to @task's process?
 * @dev: the caller's /dev/zxproc file.
 * @task: a thread of the target process.
 * @mm: the target's address space, the one the handle will be bound to.
 *
 * Called with the target's exec_update_lock held for reading, so @mm and
 * the target's credentials cannot change under the decision.
 *
 * Return: 0 or -EPERM.
 */
int zxproc_may_open(const struct file *dev, struct task_struct *task,
		    struct mm_struct *mm)
{
	const struct cred *tcred;
	bool ok;

	/* One's own process: no more than it could do to itself. */
	if (same_thread_group(task, current))
		return 0;

	tcred = get_task_cred(task);
	ok = zxproc_ptrace_capable(dev, tcred->user_ns);
	put_cred(tcred);

	/*
	 * A non-dumpable process (setuid, PR_SET_DUMPABLE 0) also needs the
	 * capability over the namespace its address space belongs to, as in
	 * __ptrace_may_access().
	 */
	if (ok && !zxproc_owner_dumpable(task, mm))
		ok = zxproc_ptrace_capable(dev, zxproc_exec_user_ns(task, mm));

	return ok ? 0 : -EPERM;
}

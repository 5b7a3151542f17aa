// SPDX-License-Identifier: GPL-2.0
/*
 * Process handles: anonymous-inode files, one per handle, in the manner
 * of KVM's VM descriptors.  A handle is a file so that the kernel's own
 * descriptor machinery gives it Zircon's handle semantics for free:
 * close, passing over unix sockets, O_CLOEXEC, and a module reference
 * (fops->owner) that keeps zxproc loaded while any handle is open.
 */
#include <linux/anon_inodes.h>
#include <linux/compat.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "trace.h"
#include "zxproc.h"

static const struct file_operations zxproc_handle_fops;

/*
 * Make a handle file for (@pid, @mm, @rights) and install it as a new
 * close-on-exec descriptor.  The handle takes its own references.
 */
static int zxproc_handle_install(struct pid *pid, struct mm_struct *mm,
				 u32 rights)
{
	struct zxproc_handle *h;
	int fd;

	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		return -ENOMEM;
	h->pid = get_pid(pid);
	mmgrab(mm);
	h->mm = mm;
	h->rights = rights;

	fd = anon_inode_getfd("[zxproc-process]", &zxproc_handle_fops, h,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No file was made, so ->release() will not run: undo here. */
		mmdrop(h->mm);
		put_pid(h->pid);
		kfree(h);
	}
	return fd;
}

static int zxproc_handle_release(struct inode *inode, struct file *file)
{
	struct zxproc_handle *h = file->private_data;

	mmdrop(h->mm);
	put_pid(h->pid);
	kfree(h);
	return 0;
}

/*
 * Mint a handle under the target's exec_update_lock, so that the check
 * and the mm the handle is bound to belong to the same program image.
 *
 * The thread-group pid is taken first: once the process has been
 * reaped, get_task_pid() finds none, and exec_update_lock does not hold
 * off exit or reaping.  Taken last, a target reaped during the check
 * left a handle with no pid.  A target reaped after this point leaves a
 * handle to a pid with no task, which every call answers as stale.
 */
static int zxproc_handle_mint(const struct file *dev, struct task_struct *task,
			      u32 rights)
{
	struct mm_struct *mm;
	struct pid *tgid;
	int ret;

	tgid = get_task_pid(task, PIDTYPE_TGID);
	if (!tgid)
		return -ESTALE;		/* reaped since it was looked up */

	if (down_read_killable(&task->signal->exec_update_lock)) {
		ret = -EINTR;
		goto out_put_pid;
	}

	mm = zxproc_process_mm_get(task);
	if (!mm) {
		ret = -ESTALE;	/* exiting: no address space left */
		goto out_unlock;
	}

	ret = zxproc_may_open(dev, task, mm);
	if (!ret)
		ret = zxproc_handle_install(tgid, mm, rights);

	mmput(mm);
out_unlock:
	up_read(&task->signal->exec_update_lock);
out_put_pid:
	put_pid(tgid);
	return ret;
}

/**
 * zxproc_handle_open() - ZXPROC_IOC_PROCESS_OPEN
 * @dev: the caller's /dev/zxproc file.
 * @nr: process or thread id in the caller's pid namespace.
 * @requested: rights asked for.
 *
 * Return: the new descriptor, or a negative errno (see uapi header).
 */
int zxproc_handle_open(const struct file *dev, pid_t nr, u32 requested)
{
	struct task_struct *task;
	struct pid *pid;
	u32 rights;
	int ret;

	ret = zxproc_rights_for_open(requested, &rights);
	if (!ret && nr <= 0)
		ret = -EINVAL;
	if (ret) {
		trace_zxproc_handle_open(nr, NULL, requested, ret);
		return ret;
	}

	/* A thread id is fine: PIDTYPE_PID finds threads too. */
	pid = find_get_pid(nr);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task) {
		trace_zxproc_handle_open(nr, NULL, rights, -ESRCH);
		return -ESRCH;
	}

	if (task->flags & PF_KTHREAD)
		ret = -EOPNOTSUPP;	/* no user address space, ever */
	else
		ret = zxproc_handle_mint(dev, task, rights);

	trace_zxproc_handle_open(nr, task, rights, ret);
	zxproc_audit_open(task, rights, ret);
	put_task_struct(task);
	return ret;
}

static long zxproc_handle_info(const struct zxproc_handle *h,
			       unsigned int cmd, unsigned long arg)
{
	struct zxproc_info info = {
		.rights = h->rights,
		.type = ZXPROC_OBJ_TYPE_PROCESS,
	};
	struct task_struct *task;

	/*
	 * Holding the struct pid does not hold its number: once the process
	 * is reaped the number may name another process, so it reads as 0.
	 * The number first, then the test: a pid once detached from its
	 * process never gets one again, so a number read before a test that
	 * finds the process still named it.
	 */
	info.pid = pid_vnr(h->pid);
	if (!pid_has_task(h->pid, PIDTYPE_TGID))
		info.pid = 0;

	if (zxproc_target_get(h, &task) ||
	    !zxproc_process_uses_mm(task, h->mm))
		info.flags |= ZXPROC_INFO_STALE;
	if (task)
		put_task_struct(task);

	return zxproc_args_out(arg, cmd, &info, sizeof(info));
}

static long zxproc_handle_dup(const struct zxproc_handle *h, unsigned int cmd,
			      unsigned long arg)
{
	struct zxproc_dup dup;
	u32 rights;
	int ret;

	ret = zxproc_args_in(&dup, sizeof(dup), cmd, arg);
	if (ret)
		return ret;
	if (dup.flags & ~ZXPROC_DUP_REPLACE)
		ret = -EINVAL;
	/* A replacement gives up the source, so it needs no DUPLICATE. */
	else if (!(dup.flags & ZXPROC_DUP_REPLACE))
		ret = zxproc_rights_check(h, ZXPROC_RIGHT_DUPLICATE);
	if (!ret)
		ret = zxproc_rights_for_dup(h->rights, dup.rights, &rights);
	if (!ret)
		ret = zxproc_handle_install(h->pid, h->mm, rights);
	trace_zxproc_handle_dup(h, dup.rights, ret);
	return ret;
}

static long zxproc_handle_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	const struct zxproc_handle *h = file->private_data;

	if (zxproc_cmd_is(cmd, ZXPROC_IOC_INFO))
		return zxproc_handle_info(h, cmd, arg);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_DUPLICATE))
		return zxproc_handle_dup(h, cmd, arg);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_MAPS))
		return zxproc_maps_ioctl(h, cmd, arg);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_WRITE))
		return zxproc_mem_ioctl(h, cmd, arg, true);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_READ))
		return zxproc_mem_ioctl(h, cmd, arg, false);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_WRITEV))
		return zxproc_memv_ioctl(h, cmd, arg, true);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_READV))
		return zxproc_memv_ioctl(h, cmd, arg, false);
	if (zxproc_cmd_is(cmd, ZXPROC_IOC_CAS))
		return zxproc_cas_ioctl(h, cmd, arg);
	return -ENOTTY;
}

static const struct file_operations zxproc_handle_fops = {
	.owner = THIS_MODULE,
	.release = zxproc_handle_release,
	.unlocked_ioctl = zxproc_handle_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

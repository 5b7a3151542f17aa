// SPDX-License-Identifier: GPL-2.0
/*
 * Forcing: the one place that decides whether an access may go where
 * the mapping's protection says no (FOLL_FORCE): a write through
 * read-only program text by copy-on-write, as debuggers plant
 * breakpoints, or a read of memory mapped without PROT_READ.
 *
 * zxproc follows the host's policy for /proc/PID/mem, so that loading it
 * never reopens what a hardened host closed: the kernel's choice among
 * CONFIG_PROC_MEM_{ALWAYS_FORCE,FORCE_PTRACE,NO_FORCE}, overridden by
 * proc_mem.force_override= on its command line (fs/proc/base.c).  That
 * setting is not exported to modules, so the module reads the command
 * line once, at load, from a procfs instance of its own (not through
 * the loader's view of the filesystem, which root can bind-mount over).
 * It takes the strictest of the configured policy and every value on
 * the command line: the kernel applies the last value, but /proc/cmdline
 * also shows bootconfig's kernel.* keys, which early parameters never
 * see, and nothing tells them apart.  So zxproc can be stricter than
 * /proc/PID/mem (a command line that loosens the configured policy), but
 * never looser.  The parameter force_override can make it stricter
 * still, never looser: a module parameter must not undo a boot-time
 * hardening choice that root may not be trusted to keep.
 */
#include <linux/bitops.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mount.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include <kunit/visibility.h>

#include "zxproc.h"

static const char * const zxproc_force_names[] = {
	[ZXPROC_FORCE_ALWAYS] = "always",
	[ZXPROC_FORCE_PTRACE] = "ptrace",
	[ZXPROC_FORCE_NEVER] = "never",
};

/* The host's policy, read at load; the kernel's default until then. */
static enum zxproc_force_policy zxproc_host_force =
	IS_ENABLED(CONFIG_PROC_MEM_NO_FORCE) ? ZXPROC_FORCE_NEVER :
	IS_ENABLED(CONFIG_PROC_MEM_FORCE_PTRACE) ? ZXPROC_FORCE_PTRACE :
	ZXPROC_FORCE_ALWAYS;

/* The administrator's restriction on top of it. */
static enum zxproc_force_policy zxproc_param_force = ZXPROC_FORCE_ALWAYS;

static int zxproc_force_param_set(const char *val,
				  const struct kernel_param *kp)
{
	int i = sysfs_match_string(zxproc_force_names, val);

	if (i < 0)
		return -EINVAL;
	WRITE_ONCE(*(enum zxproc_force_policy *)kp->arg, i);
	return 0;
}

static int zxproc_force_param_get(char *buf, const struct kernel_param *kp)
{
	enum zxproc_force_policy policy =
		READ_ONCE(*(enum zxproc_force_policy *)kp->arg);

	return sysfs_emit(buf, "%s\n", zxproc_force_names[policy]);
}

static const struct kernel_param_ops zxproc_force_param_ops = {
	.set = zxproc_force_param_set,
	.get = zxproc_force_param_get,
};

module_param_cb(force_override, &zxproc_force_param_ops, &zxproc_param_force,
		0644);
MODULE_PARM_DESC(force_override,
		 "Restrict forced accesses further than the host's /proc/PID/mem policy (host_force_override): always (no restriction, the default), ptrace (only the target's tracer), never");

/* Read-only, also at load: parse_one() calls ->set without a NULL check. */
static int zxproc_force_param_refuse(const char *val,
				     const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops zxproc_host_force_ops = {
	.set = zxproc_force_param_refuse,
	.get = zxproc_force_param_get,
};

module_param_cb(host_force_override, &zxproc_host_force_ops,
		&zxproc_host_force, 0444);
MODULE_PARM_DESC(host_force_override,
		 "The host's /proc/PID/mem forcing policy: the strictest of CONFIG_PROC_MEM_* and the proc_mem.force_override= values on the kernel command line (read-only)");

/* @param is @name, '-' and '_' being the same, as the kernel's parameq(). */
static bool zxproc_param_is(const char *param, const char *name)
{
	for (; *param || *name; param++, name++) {
		if (*param != *name &&
		    !((*param == '-' || *param == '_') &&
		      (*name == '-' || *name == '_')))
			return false;
	}
	return true;
}

/**
 * zxproc_force_parse() - the strictest policy a kernel command line names
 * @cmdline: the command line; parsed in place (next_arg() splits it).
 * @initial: the policy before the command line, from CONFIG_PROC_MEM_*.
 *
 * Parameters are split and matched as the kernel's early_param()
 * handling does (quotes stripped, '-' and '_' alike, nothing after
 * "--"), and a value that is not a policy's name is ignored; but where
 * the kernel applies the last value, this takes the strictest of
 * @initial and all of them (see the top of this file).
 *
 * Return: the resulting policy.
 */
VISIBLE_IF_KUNIT enum zxproc_force_policy
zxproc_force_parse(char *cmdline, enum zxproc_force_policy initial)
{
	enum zxproc_force_policy policy = initial;
	char *param, *val;
	int i;

	cmdline = skip_spaces(cmdline);
	while (*cmdline) {
		cmdline = next_arg(cmdline, &param, &val);
		if (!val && !strcmp(param, "--"))
			break;
		if (!val || !zxproc_param_is(param, "proc_mem.force_override"))
			continue;
		i = match_string(zxproc_force_names,
				 ARRAY_SIZE(zxproc_force_names), val);
		if (i >= 0)
			policy = max_t(enum zxproc_force_policy, policy, i);
	}
	return policy;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_force_parse);

/*
 * cmdline of a procfs mounted for this alone: a path looked up in the
 * loader's mount namespace could be a bind mount of any file root likes.
 */
static struct file *zxproc_open_cmdline(void)
{
	struct file_system_type *proc = get_fs_type("proc");
	struct vfsmount *mnt;
	struct file *file;

	if (!proc)
		return ERR_PTR(-ENODEV);
	mnt = vfs_kern_mount(proc, SB_KERNMOUNT, proc->name, NULL);
	/* put_filesystem(), which is not exported to modules. */
	module_put(proc->owner);
	if (IS_ERR(mnt))
		return ERR_CAST(mnt);
	/* The open file holds the mount; the last fput() unmounts it. */
	file = file_open_root_mnt(mnt, "cmdline", O_RDONLY, 0);
	mntput(mnt);
	return file;
}

/* The kernel's saved command line as /proc/cmdline shows it, or NULL. */
static char *zxproc_read_cmdline(int *err)
{
	const size_t size = 64 * 1024;
	struct file *file;
	size_t len = 0;
	loff_t pos = 0;
	ssize_t n;
	char *buf;

	file = zxproc_open_cmdline();
	if (IS_ERR(file)) {
		*err = PTR_ERR(file);
		return NULL;
	}
	buf = kvmalloc(size, GFP_KERNEL);
	*err = buf ? 0 : -ENOMEM;
	while (buf && len < size - 1) {
		n = kernel_read(file, buf + len, size - 1 - len, &pos);
		if (n <= 0) {
			*err = n;
			break;
		}
		len += n;
	}
	fput(file);
	if (*err || len == size - 1) {
		*err = *err ?: -E2BIG;
		kvfree(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/**
 * zxproc_force_init() - learn the host's policy, at module load
 *
 * A command line that cannot be read leaves the policy unknown, and an
 * unknown policy is taken as the strictest: forcing nothing is safe on
 * every host, forcing is not.
 */
void zxproc_force_init(void)
{
	char *cmdline;
	int err;

	cmdline = zxproc_read_cmdline(&err);
	if (!cmdline) {
		pr_warn("cannot read the kernel command line (%d) for proc_mem.force_override: forcing nothing\n",
			err);
		zxproc_host_force = ZXPROC_FORCE_NEVER;
		return;
	}
	zxproc_host_force = zxproc_force_parse(cmdline, zxproc_host_force);
	kvfree(cmdline);
}

/*
 * fs/proc/base.c's "ptrace" rule: the caller is the active tracer of
 * the target, which still runs on @mm.  /proc/PID/task/TID/mem applies
 * it to one thread; a handle names the whole process, so any thread the
 * caller traces will do.
 */
static bool zxproc_is_tracer(struct task_struct *task, struct mm_struct *mm)
{
	struct task_struct *t;
	bool tracer = false;

	rcu_read_lock();
	for_each_thread(task, t) {
		if (READ_ONCE(t->ptrace) && READ_ONCE(t->mm) == mm &&
		    rcu_access_pointer(t->parent) == current) {
			tracer = true;
			break;
		}
	}
	rcu_read_unlock();
	return tracer;
}

/**
 * zxproc_force() - is this access forced?
 * @task: the target's thread-group leader.
 * @mm: the handle's address space.
 *
 * Decided per call, as /proc/PID/mem decides per read or write: a tracer
 * may attach or detach between two calls.  One's own process gets no
 * exemption, as /proc/self/mem gets none.
 *
 * Return: true if the access may use FOLL_FORCE.
 */
bool zxproc_force(struct task_struct *task, struct mm_struct *mm)
{
	enum zxproc_force_policy policy = max(zxproc_host_force,
					      READ_ONCE(zxproc_param_force));

	switch (policy) {
	case ZXPROC_FORCE_NEVER:
		return false;
	case ZXPROC_FORCE_PTRACE:
		return zxproc_is_tracer(task, mm);
	default:
		return true;
	}
}

/**
 * zxproc_mem_flags_check() - are these ZXPROC_MEM_* flags acceptable?
 * @flags: struct zxproc_mem's or struct zxproc_memv's @flags.
 *
 * Return: 0, or -EINVAL for an unknown bit or two protection modes.
 */
int zxproc_mem_flags_check(u32 flags)
{
	if (flags & ~ZXPROC_MEM_FLAGS)
		return -EINVAL;
	if (hweight32(flags & ZXPROC_MEM_MODES) > 1)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_mem_flags_check);

/**
 * zxproc_force_vma() - is an access into a mapping forced?
 * @flags: the call's validated ZXPROC_MEM_* flags.
 * @host: whether the host's policy forces this call (zxproc_force()).
 * @vm_flags: the mapping's flags.
 *
 * The host's policy bounds every mode: a mode can take forcing away,
 * never grant it.  ZXPROC_MEM_FORCE_FIRST_EXEC is decided here as
 * ZXPROC_MEM_FORCE_EXEC; that it forces only in the mapping holding the
 * range's first byte is pin.c's to enforce.  Pure, so that the KUnit
 * suite covers every case.
 *
 * Return: true if the access into that mapping may use FOLL_FORCE.
 */
bool zxproc_force_vma(u32 flags, bool host, unsigned long vm_flags)
{
	if (!host || (flags & ZXPROC_MEM_NO_FORCE))
		return false;
	if (flags & (ZXPROC_MEM_FORCE_EXEC | ZXPROC_MEM_FORCE_FIRST_EXEC))
		return vm_flags & VM_EXEC;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(zxproc_force_vma);

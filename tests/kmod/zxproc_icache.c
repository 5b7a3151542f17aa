// SPDX-License-Identifier: GPL-2.0
/*
 * zxproc_icache: a test-only module (arm64) that counts the instruction-
 * cache maintenance the kernel does for user pages on behalf of one
 * thread, so that a suite can see whether a write of zxproc into program
 * text made the new bytes visible to instruction fetch.
 *
 * Why a probe: under QEMU's TCG the guest's instruction cache is not
 * modelled, and a store into a page holding translated code discards the
 * translations whatever the guest does, so a target executes what was
 * written even when no maintenance was done.  The probe sees the
 * maintenance itself.  It sits on sync_icache_aliases()
 * (arch/arm64/mm/flush.c), through which every clean-and-invalidate of a
 * user page for instruction fetch goes: the one that copy_to_user_page()
 * does for ptrace and /proc/PID/mem writes (flush_ptrace_access()), and
 * the one __sync_icache_dcache() does when a page is mapped executable
 * or, from zxproc, after a write into an executable mapping.
 *
 * Parameters:
 *   tid    (0644) the thread whose calls count; writing it (0: nobody)
 *          resets the counters
 *   calls  (0444) sync_icache_aliases() calls made by that thread
 *   bytes  (0444) the total length of the ranges they covered
 *
 * Built beside zxproc.ko on arm64 only, for the guest suites; never
 * shipped.
 */
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>

static int tid;
static unsigned int calls;
static unsigned long bytes;
module_param(calls, uint, 0444);
MODULE_PARM_DESC(calls, "sync_icache_aliases() calls by thread tid");
module_param(bytes, ulong, 0444);
MODULE_PARM_DESC(bytes, "bytes those calls covered");

/*
 * Only thread @tid's calls count, and a thread runs on one CPU at a
 * time: plain counters suffice; the reset comes before the new tid.
 */
static int zxproc_icache_set_tid(const char *val, const struct kernel_param *kp)
{
	int t, ret;

	ret = kstrtoint(val, 0, &t);
	if (ret)
		return ret;
	if (t < 0)
		return -EINVAL;
	WRITE_ONCE(tid, 0);
	synchronize_rcu();
	WRITE_ONCE(calls, 0);
	WRITE_ONCE(bytes, 0);
	WRITE_ONCE(tid, t);
	return 0;
}

static const struct kernel_param_ops zxproc_icache_tid_ops = {
	.set = zxproc_icache_set_tid,
	.get = param_get_int,
};
module_param_cb(tid, &zxproc_icache_tid_ops, &tid, 0644);
MODULE_PARM_DESC(tid, "thread whose calls count (0: none); resets the counters");

static int zxproc_icache_pre(struct kprobe *p, struct pt_regs *regs)
{
	int t = READ_ONCE(tid);

	if (t && current->pid == t) {
		WRITE_ONCE(calls, calls + 1);
		/* sync_icache_aliases(start, end) */
		WRITE_ONCE(bytes, bytes + (regs->regs[1] - regs->regs[0]));
	}
	return 0;
}

static struct kprobe zxproc_icache_kp = {
	.symbol_name = "sync_icache_aliases",
	.pre_handler = zxproc_icache_pre,
};

static int __init zxproc_icache_init(void)
{
	return register_kprobe(&zxproc_icache_kp);
}

static void __exit zxproc_icache_exit(void)
{
	unregister_kprobe(&zxproc_icache_kp);
}

module_init(zxproc_icache_init);
module_exit(zxproc_icache_exit);
MODULE_DESCRIPTION("zxproc test-only counter of arm64 instruction-cache maintenance");
MODULE_LICENSE("GPL");

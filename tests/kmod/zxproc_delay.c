// SPDX-License-Identifier: GPL-2.0
/*
 * zxproc_delay: a test-only module that holds a race window in zxproc
 * open, so that a race suite can force an interleaving instead of
 * hoping for it.
 *
 * Loaded with func=NAME, it puts a kprobe on zxproc's function NAME
 * (looked up as "zxproc:NAME": a name zxproc does not have fails the
 * load with ENOENT, so a suite never tests a window that is not there).
 * Armed through the parameter "arm" with "CALLER VICTIM ACTION", the
 * next call of NAME made by process CALLER first acts on process
 * VICTIM and only then runs NAME:
 *
 *   reap  SIGKILL the victim, then wait until its thread group has been
 *         reaped (no task left on its pid, PIDTYPE_TGID);
 *   exit  SIGKILL the victim, then wait until it has exited (its leader
 *         is a zombie or dead: its address space is gone).
 *
 * The wait spins in the kprobe's pre-handler, with preemption disabled;
 * probes at function entry are ftrace-based on the kernels the suites
 * boot (CONFIG_KPROBES_ON_FTRACE), so interrupts stay enabled, and the
 * suite runs the victim on another CPU.  The spin is bounded
 * (timeout_ms, at most ZXPROC_DELAY_MAX_MS), so a bug costs a few
 * seconds of one CPU, never a lockup.  Arming is one-shot: the first
 * call that acts disarms.
 *
 * Counters (read-only parameters, reset by each "arm"):
 *   hits      calls of NAME by CALLER
 *   fired     calls that acted (0 or 1 per arming)
 *   forced    the wait ended with the victim's state reached: the
 *             interleaving was forced
 *   early     the victim was already in that state when the call came
 *             (no window was held open)
 *   timeouts  the bound ended the wait first
 *   refused   the handler found interrupts disabled and did not spin
 *   last_us   how long the last window was held, in microseconds
 *
 * "off" disarms.  Only root writes parameters (0644), and the module is
 * never built into anything shipped: it is built beside zxproc.ko for
 * the guest suites only.
 */
#include <linux/atomic.h>
#include <linux/irqflags.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/processor.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/sysfs.h>

/* The longest a window is ever held open, whatever timeout_ms says. */
#define ZXPROC_DELAY_MAX_MS 10000U

enum zxproc_delay_action {
	ZXPROC_DELAY_REAP,
	ZXPROC_DELAY_EXIT,
};

static const char * const zxproc_delay_actions[] = {
	[ZXPROC_DELAY_REAP] = "reap",
	[ZXPROC_DELAY_EXIT] = "exit",
};

/* Armed -> firing (one handler won) -> idle; only "arm" leaves idle. */
enum zxproc_delay_state {
	ZXPROC_DELAY_IDLE,
	ZXPROC_DELAY_ARMED,
	ZXPROC_DELAY_FIRING,
};

static char *func;
module_param(func, charp, 0444);
MODULE_PARM_DESC(func, "zxproc function to probe (required, at load)");

static unsigned int timeout_ms = 5000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "Longest wait for the victim, in ms (capped at 10000)");

static DEFINE_MUTEX(zxproc_delay_lock);	/* serializes "arm" writers */
static atomic_t zxproc_delay_state = ATOMIC_INIT(ZXPROC_DELAY_IDLE);
/*
 * Written by "arm" only while the state is idle and published by the
 * release that sets it armed; the handler reads them only after
 * acquiring armed (the victim and action), or only to compare (caller).
 */
static struct pid *zxproc_delay_caller;
static struct pid *zxproc_delay_victim;
static enum zxproc_delay_action zxproc_delay_action;

static atomic_t zxproc_delay_hits;
static atomic_t zxproc_delay_fired;
static atomic_t zxproc_delay_forced;
static atomic_t zxproc_delay_early;
static atomic_t zxproc_delay_timeouts;
static atomic_t zxproc_delay_refused;
static atomic_t zxproc_delay_last_us;

/* Has the victim reached the state @action waits for? */
static bool zxproc_delay_reached(struct pid *victim,
				 enum zxproc_delay_action action)
{
	struct task_struct *task;
	bool reached;

	if (action == ZXPROC_DELAY_REAP)
		return !pid_has_task(victim, PIDTYPE_TGID);

	rcu_read_lock();
	task = pid_task(victim, PIDTYPE_TGID);
	reached = !task || READ_ONCE(task->exit_state);
	rcu_read_unlock();
	return reached;
}

/* Act on the victim and hold the window open until it is done, or the bound. */
static void zxproc_delay_fire(void)
{
	struct pid *victim = zxproc_delay_victim;
	enum zxproc_delay_action action = zxproc_delay_action;
	ktime_t start, deadline;
	bool reached;

	atomic_inc(&zxproc_delay_fired);
	if (irqs_disabled()) {
		/* Not an ftrace-based probe: spinning could hold off IPIs. */
		atomic_inc(&zxproc_delay_refused);
		return;
	}
	if (zxproc_delay_reached(victim, action)) {
		atomic_inc(&zxproc_delay_early);
		return;
	}

	start = ktime_get();
	deadline = ktime_add_ms(start, min(READ_ONCE(timeout_ms),
					   ZXPROC_DELAY_MAX_MS));
	kill_pid(victim, SIGKILL, 1);
	for (;;) {
		reached = zxproc_delay_reached(victim, action);
		if (reached || ktime_after(ktime_get(), deadline))
			break;
		cpu_relax();
	}
	atomic_set(&zxproc_delay_last_us,
		   (int)min_t(s64, ktime_us_delta(ktime_get(), start), INT_MAX));
	atomic_inc(reached ? &zxproc_delay_forced : &zxproc_delay_timeouts);
}

static int zxproc_delay_pre(struct kprobe *kp, struct pt_regs *regs)
{
	if (task_tgid(current) != READ_ONCE(zxproc_delay_caller))
		return 0;
	atomic_inc(&zxproc_delay_hits);
	if (atomic_cmpxchg_acquire(&zxproc_delay_state, ZXPROC_DELAY_ARMED,
				   ZXPROC_DELAY_FIRING) != ZXPROC_DELAY_ARMED)
		return 0;
	zxproc_delay_fire();
	atomic_set_release(&zxproc_delay_state, ZXPROC_DELAY_IDLE);
	return 0;
}

static struct kprobe zxproc_delay_kp = {
	.pre_handler = zxproc_delay_pre,
};

/* Drop the armed processes; called idle, under zxproc_delay_lock. */
static void zxproc_delay_forget(void)
{
	struct pid *caller = zxproc_delay_caller;

	WRITE_ONCE(zxproc_delay_caller, NULL);
	put_pid(caller);
	put_pid(zxproc_delay_victim);
	zxproc_delay_victim = NULL;
}

/* A live process's thread-group pid, referenced, or NULL. */
static struct pid *zxproc_delay_process(pid_t nr)
{
	struct pid *pid = nr > 0 ? find_get_pid(nr) : NULL;

	if (pid && !pid_has_task(pid, PIDTYPE_TGID)) {
		put_pid(pid);	/* a thread's id, or a process being reaped */
		pid = NULL;
	}
	return pid;
}

static void zxproc_delay_reset_counters(void)
{
	atomic_set(&zxproc_delay_hits, 0);
	atomic_set(&zxproc_delay_fired, 0);
	atomic_set(&zxproc_delay_forced, 0);
	atomic_set(&zxproc_delay_early, 0);
	atomic_set(&zxproc_delay_timeouts, 0);
	atomic_set(&zxproc_delay_refused, 0);
	atomic_set(&zxproc_delay_last_us, 0);
}

static int zxproc_delay_arm(const char *val, const struct kernel_param *kp)
{
	struct pid *caller, *victim;
	char action[8];
	pid_t c, v;
	int i, ret = 0;

	mutex_lock(&zxproc_delay_lock);
	/* A handler holding a window open keeps what it uses. */
	if (atomic_cmpxchg(&zxproc_delay_state, ZXPROC_DELAY_ARMED,
			   ZXPROC_DELAY_IDLE) == ZXPROC_DELAY_FIRING) {
		ret = -EBUSY;
		goto out;
	}
	zxproc_delay_forget();
	if (sysfs_streq(val, "off"))
		goto out;

	if (sscanf(val, "%d %d %7s", &c, &v, action) != 3) {
		ret = -EINVAL;
		goto out;
	}
	i = match_string(zxproc_delay_actions,
			 ARRAY_SIZE(zxproc_delay_actions), action);
	if (i < 0) {
		ret = -EINVAL;
		goto out;
	}
	caller = zxproc_delay_process(c);
	victim = zxproc_delay_process(v);
	if (!caller || !victim || caller == victim) {
		put_pid(caller);
		put_pid(victim);
		ret = -ESRCH;
		goto out;
	}

	zxproc_delay_reset_counters();
	zxproc_delay_victim = victim;
	zxproc_delay_action = i;
	WRITE_ONCE(zxproc_delay_caller, caller);
	atomic_set_release(&zxproc_delay_state, ZXPROC_DELAY_ARMED);
out:
	mutex_unlock(&zxproc_delay_lock);
	return ret;
}

static int zxproc_delay_arm_get(char *buf, const struct kernel_param *kp)
{
	int ret;

	mutex_lock(&zxproc_delay_lock);
	if (atomic_read(&zxproc_delay_state) == ZXPROC_DELAY_ARMED)
		ret = sysfs_emit(buf, "%d %d %s\n",
				 pid_vnr(zxproc_delay_caller),
				 pid_vnr(zxproc_delay_victim),
				 zxproc_delay_actions[zxproc_delay_action]);
	else
		ret = sysfs_emit(buf, "off\n");
	mutex_unlock(&zxproc_delay_lock);
	return ret;
}

static const struct kernel_param_ops zxproc_delay_arm_ops = {
	.set = zxproc_delay_arm,
	.get = zxproc_delay_arm_get,
};

module_param_cb(arm, &zxproc_delay_arm_ops, NULL, 0644);
MODULE_PARM_DESC(arm,
		 "\"CALLER VICTIM reap|exit\": the next call by CALLER kills VICTIM and waits; \"off\" disarms");

static int zxproc_delay_counter_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", atomic_read((atomic_t *)kp->arg));
}

static const struct kernel_param_ops zxproc_delay_counter_ops = {
	.get = zxproc_delay_counter_get,
};

module_param_cb(hits, &zxproc_delay_counter_ops, &zxproc_delay_hits, 0444);
MODULE_PARM_DESC(hits, "Calls of the probed function by the caller");
module_param_cb(fired, &zxproc_delay_counter_ops, &zxproc_delay_fired, 0444);
MODULE_PARM_DESC(fired, "Calls that acted on the victim");
module_param_cb(forced, &zxproc_delay_counter_ops, &zxproc_delay_forced, 0444);
MODULE_PARM_DESC(forced, "Windows in which the victim reached the state");
module_param_cb(early, &zxproc_delay_counter_ops, &zxproc_delay_early, 0444);
MODULE_PARM_DESC(early, "Calls that found the victim there already");
module_param_cb(timeouts, &zxproc_delay_counter_ops, &zxproc_delay_timeouts, 0444);
MODULE_PARM_DESC(timeouts, "Windows ended by timeout_ms");
module_param_cb(refused, &zxproc_delay_counter_ops, &zxproc_delay_refused, 0444);
MODULE_PARM_DESC(refused, "Calls with interrupts disabled (no wait)");
module_param_cb(last_us, &zxproc_delay_counter_ops, &zxproc_delay_last_us, 0444);
MODULE_PARM_DESC(last_us, "Length of the last window, in microseconds");

static int __init zxproc_delay_init(void)
{
	static char symbol[KSYM_NAME_LEN];
	int ret;

	if (!func || !*func || strchr(func, ':')) {
		pr_err("func=NAME (a function of zxproc) is required\n");
		return -EINVAL;
	}
	if (snprintf(symbol, sizeof(symbol), "zxproc:%s", func) >=
	    sizeof(symbol))
		return -ENAMETOOLONG;
	zxproc_delay_kp.symbol_name = symbol;
	ret = register_kprobe(&zxproc_delay_kp);
	if (ret) {
		pr_err("cannot probe %s: %d\n", symbol, ret);
		return ret;
	}
	pr_info("probing %s\n", symbol);
	return 0;
}

static void __exit zxproc_delay_exit(void)
{
	/* Waits for every running handler (synchronize_rcu()). */
	unregister_kprobe(&zxproc_delay_kp);
	mutex_lock(&zxproc_delay_lock);
	atomic_set(&zxproc_delay_state, ZXPROC_DELAY_IDLE);
	zxproc_delay_forget();
	mutex_unlock(&zxproc_delay_lock);
}

module_init(zxproc_delay_init);
module_exit(zxproc_delay_exit);

MODULE_DESCRIPTION("zxproc test-only race-window delay (kprobe)");
MODULE_AUTHOR("The zxproc developers");
MODULE_LICENSE("GPL");

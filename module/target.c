// SPDX-License-Identifier: GPL-2.0
/*
 * The target: the process a handle names, found afresh for every access.
 *
 * A handle keeps a struct pid and a grabbed mm_struct, never a task
 * pointer or a live address space.  Every access looks the process up
 * again and checks, under its exec_update_lock, that it still runs on
 * the handle's mm; the pages it then pins are that mm's.  This is the
 * /proc/PID/mem lesson (CVE-2012-0056): a right checked against one
 * program image must never reach the next one.
 */
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/rwsem.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>

#include "zxproc.h"

/**
 * zxproc_process_mm_get() - the address space of @task's process
 * @task: any thread of the process.
 *
 * Any live thread will do: the thread-group leader may have exited
 * while the others run on (its ->mm is then NULL).
 *
 * Return: the mm with a reference held (mmput() it), or NULL for a
 * process whose threads have all given up their address space (it is
 * exiting) and for kernel threads.
 */
struct mm_struct *zxproc_process_mm_get(struct task_struct *task)
{
	struct mm_struct *mm = NULL;
	struct task_struct *t;

	rcu_read_lock();
	for_each_thread(task, t) {
		mm = get_task_mm(t);
		if (mm)
			break;
	}
	rcu_read_unlock();
	return mm;
}

/**
 * zxproc_process_uses_mm() - does @task's process still run on @mm?
 * @task: any thread of the process.
 * @mm: the handle's address space.
 *
 * Only compares pointers; the caller holds @mm grabbed, so it cannot be
 * freed and reused for another process while the handle lives.
 *
 * Return: true if a thread of the process has @mm as its address space.
 */
bool zxproc_process_uses_mm(struct task_struct *task, struct mm_struct *mm)
{
	struct task_struct *t;
	bool found = false;

	rcu_read_lock();
	for_each_thread(task, t) {
		if (READ_ONCE(t->mm) == mm) {
			found = true;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/**
 * zxproc_target_get() - look up the process of handle @h
 * @h: the handle.
 * @task: out: the process's thread-group leader, referenced; drop it
 *	with put_task_struct().
 *
 * Return: 0, or -ESTALE when the process is gone.
 */
int zxproc_target_get(const struct zxproc_handle *h, struct task_struct **task)
{
	*task = get_pid_task(h->pid, PIDTYPE_TGID);
	return *task ? 0 : -ESTALE;
}

/**
 * zxproc_target_check() - does the process still run on the handle's mm?
 * @task: the target, from zxproc_target_get().
 * @mm: the handle's address space.
 *
 * Decided under the target's exec_update_lock, which exec holds for
 * writing while it switches address spaces, so the answer is never that
 * of an exec half done.  The lock is released before anything is pinned
 * or faulted: pages are pinned on @mm itself, never on whatever the
 * process runs on now, so an exec that follows this check cannot be
 * reached through them, and exec must not wait behind a fault.
 *
 * Return: 0, -EINTR on a fatal signal, or -ESTALE when the process no
 * longer runs on @mm (it exec'd or is exiting).
 */
int zxproc_target_check(struct task_struct *task, struct mm_struct *mm)
{
	bool uses;

	if (down_read_killable(&task->signal->exec_update_lock))
		return -EINTR;
	uses = zxproc_process_uses_mm(task, mm);
	up_read(&task->signal->exec_update_lock);
	return uses ? 0 : -ESTALE;
}

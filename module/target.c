// SPDX-License-Identifier: GPL-2.0
/*
 * The target: the process a handle names, found afresh for every access
 * and locked against exec while pages are pinned.
 *
 * A handle keeps a struct pid and a grabbed mm_struct, never a task
 * pointer or a live address space.  Every access looks the process up
 * again, takes its exec_update_lock for reading (exec takes it for
 * writing around the switch of address space, before mmap_lock), and
 * then checks that the process still runs on the handle's mm.  This is
 * the /proc/PID/mem lesson (CVE-2012-0056): a right checked against one
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
 * zxproc_target_lock() - hold off exec, and check the address space
 * @task: the target, from zxproc_target_get().
 * @mm: the handle's address space.
 *
 * On success the caller holds the target's exec_update_lock for reading
 * and must release it with zxproc_target_unlock().  Keep the section
 * short (pin pages, never copy): exec waits for it.
 *
 * Return: 0, -EINTR on a fatal signal, or -ESTALE when the process no
 * longer runs on @mm (it exec'd or is exiting).
 */
int zxproc_target_lock(struct task_struct *task, struct mm_struct *mm)
{
	if (down_read_killable(&task->signal->exec_update_lock))
		return -EINTR;
	if (!zxproc_process_uses_mm(task, mm)) {
		up_read(&task->signal->exec_update_lock);
		return -ESTALE;
	}
	return 0;
}

/**
 * zxproc_target_unlock() - let exec go ahead again
 * @task: the target locked by zxproc_target_lock().
 */
void zxproc_target_unlock(struct task_struct *task)
{
	up_read(&task->signal->exec_update_lock);
}

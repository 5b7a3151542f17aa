/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zxproc's tracepoints (tracefs: events/zxproc/), defined once, in
 * audit.c (CREATE_TRACE_POINTS).
 *
 * Off, each costs a static branch that is not taken: the arguments are
 * pointers and values the caller already holds, and every field (the
 * caller's pid and comm, the target's number) is read in TP_fast_assign,
 * so only when the event is on.  Pids are the init namespace's, as in
 * the trace's own common_pid; @pid is the caller's process (thread
 * group), common_pid its thread.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zxproc

#if !defined(ZXPROC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define ZXPROC_TRACE_H

#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "zxproc.h"

#ifndef ZXPROC_TRACE_OPS
#define ZXPROC_TRACE_OPS
/* The op of a zxproc_mem event: which ioctl made the access. */
enum zxproc_op {
	ZXPROC_OP_READ,
	ZXPROC_OP_WRITE,
	ZXPROC_OP_READV,
	ZXPROC_OP_WRITEV,
	ZXPROC_OP_CAS,
};
#endif

TRACE_DEFINE_ENUM(ZXPROC_OP_READ);
TRACE_DEFINE_ENUM(ZXPROC_OP_WRITE);
TRACE_DEFINE_ENUM(ZXPROC_OP_READV);
TRACE_DEFINE_ENUM(ZXPROC_OP_WRITEV);
TRACE_DEFINE_ENUM(ZXPROC_OP_CAS);

/**
 * zxproc_handle_open - ZXPROC_IOC_PROCESS_OPEN, whatever its outcome
 * @nr: the pid asked for, in the caller's pid namespace.
 * @target: the process found for it, or NULL (none, or not looked up).
 * @rights: the rights asked for (the handle's, on success).
 * @ret: the new descriptor, or a negative errno.
 */
TRACE_EVENT(zxproc_handle_open,
	    TP_PROTO(pid_t nr, struct task_struct *target, u32 rights, int ret),
	    TP_ARGS(nr, target, rights, ret),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, nr)
			     __field(pid_t, target)
			     __array(char, target_comm, TASK_COMM_LEN)
			     __field(u32, rights)
			     __field(int, ret)),
	    TP_fast_assign(__entry->pid = task_tgid_nr(current);
			   memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
			   __entry->nr = nr;
			   __entry->target = target ? task_tgid_nr(target) : 0;
			   strscpy_pad(__entry->target_comm,
				       target ? target->comm : "", TASK_COMM_LEN);
			   __entry->rights = rights;
			   __entry->ret = ret;),
	    TP_printk("pid=%d comm=%.16s nr=%d target=%d target_comm=%.16s rights=0x%x ret=%d",
		      __entry->pid, __entry->comm, __entry->nr,
		      __entry->target, __entry->target_comm, __entry->rights,
		      __entry->ret)
);

/**
 * zxproc_handle_dup - ZXPROC_IOC_DUPLICATE, whatever its outcome
 * @h: the source handle.
 * @rights: the rights asked for (ZXPROC_RIGHT_SAME_RIGHTS: the source's).
 * @ret: the new descriptor, or a negative errno.
 */
TRACE_EVENT(zxproc_handle_dup,
	    TP_PROTO(const struct zxproc_handle *h, u32 rights, int ret),
	    TP_ARGS(h, rights, ret),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, target)
			     __field(u32, from)
			     __field(u32, rights)
			     __field(int, ret)),
	    TP_fast_assign(__entry->pid = task_tgid_nr(current);
			   memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
			   __entry->target = pid_nr(h->pid);
			   __entry->from = h->rights;
			   __entry->rights = rights;
			   __entry->ret = ret;),
	    TP_printk("pid=%d comm=%.16s target=%d from=0x%x rights=0x%x ret=%d",
		      __entry->pid, __entry->comm, __entry->target,
		      __entry->from, __entry->rights, __entry->ret)
);

/**
 * zxproc_mem - one memory access: a READ or WRITE, a segment of a READV
 *	or WRITEV (a batch refused as a whole: one event with @addr and
 *	@len 0), or a CAS
 * @h: the handle.
 * @op: enum zxproc_op.
 * @addr: the target address.
 * @len: the byte count (a CAS: the value's size).
 * @actual: bytes that reached their destination (a CAS: @len when it
 *	swapped, else 0).
 * @ret: 0 or a negative errno.
 */
TRACE_EVENT(zxproc_mem,
	    TP_PROTO(const struct zxproc_handle *h, enum zxproc_op op,
		     u64 addr, u64 len, u64 actual, int ret),
	    TP_ARGS(h, op, addr, len, actual, ret),
	    TP_STRUCT__entry(__field(pid_t, pid)
			     __array(char, comm, TASK_COMM_LEN)
			     __field(pid_t, target)
			     __field(unsigned int, op)
			     __field(u64, addr)
			     __field(u64, len)
			     __field(u64, actual)
			     __field(int, ret)),
	    TP_fast_assign(__entry->pid = task_tgid_nr(current);
			   memcpy(__entry->comm, current->comm, TASK_COMM_LEN);
			   __entry->target = pid_nr(h->pid);
			   __entry->op = op;
			   __entry->addr = addr;
			   __entry->len = len;
			   __entry->actual = actual;
			   __entry->ret = ret;),
	    TP_printk("pid=%d comm=%.16s target=%d op=%s addr=0x%llx len=%llu actual=%llu ret=%d",
		      __entry->pid, __entry->comm, __entry->target,
		      __print_symbolic(__entry->op,
				       { ZXPROC_OP_READ, "read" },
				       { ZXPROC_OP_WRITE, "write" },
				       { ZXPROC_OP_READV, "readv" },
				       { ZXPROC_OP_WRITEV, "writev" },
				       { ZXPROC_OP_CAS, "cas" }),
		      __entry->addr, __entry->len, __entry->actual,
		      __entry->ret)
);

#endif /* ZXPROC_TRACE_H */

/* Outside the guard: define_trace.h reads this file again. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>

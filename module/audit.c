// SPDX-License-Identifier: GPL-2.0
/*
 * The audit trail: an audit record for each handle asked for to another
 * process, and the definition of the tracepoints (trace.h).
 *
 * The record's type is AUDIT_KERNEL_OTHER (1316), the one the audit
 * interface sets aside for third-party modules: no type of the kernel's
 * own says "a process was given access to another's memory" (the
 * ptrace and /proc/PID/mem paths leave no record of their own), and
 * borrowing one, such as an LSM's AVC or an anomaly type, would make
 * tools that know those types misread it.
 *
 * Every attempt on a process that was found is recorded, granted or
 * refused (res=1 or res=0 and errno=), so an administrator sees who
 * tried to open whom, not only who succeeded.  Handles to one's own
 * process are not recorded (they reach nothing the caller could not
 * touch already), nor are duplicates (they name the same process with
 * at most the same rights as a handle already recorded); both are in
 * the tracepoints.
 *
 * Records are logged whether or not the audit daemon runs or audit is
 * enabled, as the kernel logs LSM denials: kauditd sends each to the
 * daemon when one listens, to the AUDIT_NLGRP_READLOG multicast group,
 * and without a daemon to the kernel log ("audit: type=1316 ...",
 * subject to printk's rate limit).  An administrator silences them with
 * an exclude rule (auditctl -a exclude,never -F msgtype=1316) or audit=0
 * on the kernel command line.
 */
#include <linux/audit.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>

#include "zxproc.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/*
 * Log " @name=@str" as the audit subsystem logs untrusted strings
 * (audit_log_untrustedstring(), which is not exported): quoted when it
 * holds only printable characters other than '"' and space, else in hex,
 * so that a comm chosen by the process cannot forge a field.
 */
static void zxproc_audit_string(struct audit_buffer *ab, const char *name,
				const char *str, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = str[i];

		if (c == '"' || c < 0x21 || c > 0x7e)
			break;
	}
	if (i < len)
		audit_log_format(ab, " %s=%*phN", name, (int)len, str);
	else
		audit_log_format(ab, " %s=\"%.*s\"", name, (int)len, str);
}

/**
 * zxproc_audit_open() - record an attempt to open a handle to @target
 * @target: the process found for the pid asked for.
 * @rights: the rights asked for.
 * @ret: the outcome: the new descriptor, or a negative errno.
 *
 * The record holds the caller as audit_log_task_info() gives it (pid,
 * uid, auid, ses, comm, exe, LSM context), then op=zxproc_open,
 * target_pid= (in the initial pid namespace), target_comm=, rights=,
 * res= and, on failure, errno=.
 */
void zxproc_audit_open(struct task_struct *target, u32 rights, int ret)
{
	char comm[TASK_COMM_LEN];
	struct audit_buffer *ab;

	if (same_thread_group(target, current))
		return;
	ab = audit_log_start(audit_context(), GFP_KERNEL, AUDIT_KERNEL_OTHER);
	if (!ab)
		return;		/* audit=0, an exclude rule, or no memory */
	audit_log_format(ab, "op=zxproc_open");
	audit_log_task_info(ab);
	audit_log_format(ab, " target_pid=%d", task_tgid_nr(target));
	strscpy_pad(comm, target->comm, sizeof(comm));
	zxproc_audit_string(ab, "target_comm", comm, strnlen(comm, sizeof(comm)));
	audit_log_format(ab, " rights=0x%x res=%d", rights, ret >= 0);
	if (ret < 0)
		audit_log_format(ab, " errno=%d", -ret);
	audit_log_end(ab);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For host suites that prove an argument check happens before any
 * system call: trap_library_syscalls() installs a seccomp filter that
 * turns every system call libzxproc makes into a SIGSYS, which is
 * counted in `trapped` (the last one's number in `trapped_nr`) and made
 * to fail with ENOSYS.  The filter stays for the rest of the process,
 * so call it from a fixture's setup (each kselftest test is a child).
 */
#ifndef ZXPROC_TESTS_HOST_SYSCALL_TRAP_H
#define ZXPROC_TESTS_HOST_SYSCALL_TRAP_H

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static volatile sig_atomic_t trapped;
static volatile sig_atomic_t trapped_nr;

/* Counts the trapped call and makes it fail with ENOSYS. */
static void on_sigsys(int sig, siginfo_t *info, void *uc)
{
	ucontext_t *ctx = uc;

	(void)sig;
	trapped++;
	trapped_nr = info->si_syscall;
	ctx->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

/* Every system call libzxproc makes, in any of its functions. */
static const int library_syscalls[] = {
	__NR_ioctl, __NR_open, __NR_openat, __NR_close, __NR_fcntl,
	__NR_read, __NR_readlink, __NR_readlinkat, __NR_getpid,
	__NR_pidfd_send_signal, __NR_dup, __NR_dup2, __NR_dup3,
	__NR_process_vm_readv,
};
#define NR_SYSCALLS (sizeof(library_syscalls) / sizeof(library_syscalls[0]))

/* From here on, each of those system calls raises a counted SIGSYS. */
static int trap_library_syscalls(void)
{
	struct sock_filter code[4 + NR_SYSCALLS * 2 + 1];
	struct sock_fprog prog = { .filter = code };
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };
	size_t i, n = 0;

	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, arch));
	code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			AUDIT_ARCH_X86_64, 1, 0);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			SECCOMP_RET_KILL_PROCESS);
	code[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			offsetof(struct seccomp_data, nr));
	for (i = 0; i < NR_SYSCALLS; i++) {
		code[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
				BPF_K, library_syscalls[i], 0, 1);
		code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
				SECCOMP_RET_TRAP);
	}
	code[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
			SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)n;

	if (sigaction(SIGSYS, &sa, NULL))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

#endif /* ZXPROC_TESTS_HOST_SYSCALL_TRAP_H */

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the libzxproc guest suites: target processes, an
 * independent way to look at their memory (process_vm_readv(2), so a
 * test never trusts the library to check the library), privilege drops,
 * a private /dev for device-node experiments, and a lower descriptor
 * limit.
 *
 * Include after kselftest_harness.h.
 */
#ifndef ZXPROC_TESTS_USERLIB_TARGET_H
#define ZXPROC_TESTS_USERLIB_TARGET_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#define PAGE 4096
#define NOBODY 65534

/*
 * The region every target carries at the same address as its parent
 * (fork copies it): a known pattern that tests write into, then read
 * back independently.
 */
static uint8_t target_region[2 * PAGE] __attribute__((aligned(PAGE)));

static inline uint8_t target_pattern(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static inline void target_region_fill(void)
{
	for (size_t i = 0; i < sizeof(target_region); i++)
		target_region[i] = target_pattern(i);
}

/*
 * A child that sleeps until killed, or until its parent dies.  The
 * parent-death signal fires when the forking *thread* exits, so it is
 * armed only for children of the main thread: a target forked by a
 * helper thread must outlive that thread.
 */
static inline pid_t target_spawn(void)
{
	pid_t parent = getpid();
	int main_thread = syscall(SYS_gettid) == parent;
	pid_t pid;

	target_region_fill();
	pid = fork();
	if (pid == 0) {
		if (main_thread)
			prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		for (;;)
			pause();
	}
	return pid;
}

static inline void target_reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* A thread that sleeps until its process ends. */
static inline void *target_sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* Kill @pid and wait until it is a zombie (exited, not reaped): 0 or -1. */
static inline int target_kill_unreaped(pid_t pid)
{
	siginfo_t si;

	if (kill(pid, SIGKILL))
		return -1;
	return waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
}

/* A child that has exited but is not reaped: a zombie. */
static inline pid_t target_zombie(void)
{
	siginfo_t si;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	return pid;
}

/* Reads @len bytes at @addr of @pid without libzxproc: 0 or -errno. */
static inline int peek(pid_t pid, uintptr_t addr, void *buf, size_t len)
{
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);

	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

/* Does @pid's target_region still hold the pattern, byte for byte? */
static inline int target_untouched(pid_t pid)
{
	static uint8_t copy[sizeof(target_region)];

	if (peek(pid, (uintptr_t)target_region, copy, sizeof(copy)))
		return 0;
	for (size_t i = 0; i < sizeof(copy); i++)
		if (copy[i] != target_pattern(i))
			return 0;
	return 1;
}

static inline zx_handle_t open_or_die(pid_t pid, zx_rights_t rights)
{
	zx_handle_t h = ZX_HANDLE_INVALID;

	if (zxproc_process_open(pid, rights, &h) != ZX_OK)
		return ZX_HANDLE_INVALID;
	return h;
}

/*
 * A target (target_spawn()) in *@pid and, in *@h, a handle to it with
 * every process right: 0, or -1 (*@pid may then still be a target to
 * reap).
 */
static inline int target_spawn_open(pid_t *pid, zx_handle_t *h)
{
	*h = ZX_HANDLE_INVALID;
	*pid = target_spawn();
	if (*pid <= 0)
		return -1;
	*h = open_or_die(*pid, ZXPROC_PROCESS_RIGHTS);
	return *h == ZX_HANDLE_INVALID ? -1 : 0;
}

static inline zx_rights_t rights_of(zx_handle_t h)
{
	zx_info_handle_basic_t info;

	if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
			       NULL, NULL) != ZX_OK)
		return ~0u;
	return info.rights;
}

static inline zx_koid_t koid_of(zx_handle_t h)
{
	zx_info_handle_basic_t info;

	if (zx_object_get_info(h, ZX_INFO_HANDLE_BASIC, &info, sizeof(info),
			       NULL, NULL) != ZX_OK)
		return ZX_KOID_INVALID;
	return info.koid;
}

static inline int handle_is_open(zx_handle_t h)
{
	return fcntl(zxproc_handle_fd(h), F_GETFD) >= 0;
}

/*
 * Become uid/gid 65534 with no supplementary groups: the kernel clears
 * every capability when all uids leave 0.  Returns 0 once no capability
 * is left in any set.
 */
static inline int drop_to_nobody(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	return data[0].effective | data[0].permitted |
	       data[1].effective | data[1].permitted ? -1 : 0;
}

/* Stay root, but without CAP_SYS_PTRACE in any set. */
static inline int drop_ptrace_cap(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0))
		return -1;
	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~(1u << CAP_SYS_PTRACE);
	data[0].permitted &= ~(1u << CAP_SYS_PTRACE);
	data[0].inheritable &= ~(1u << CAP_SYS_PTRACE);
	return (int)syscall(SYS_capset, &hdr, data);
}

/*
 * A private /dev for the calling process (which should be a child made
 * for the purpose): a tmpfs mount in a new mount namespace, so device
 * nodes can be made, removed and chmod'ed without touching the guest's
 * /dev.  Returns 0 or -errno.
 */
static inline int private_dev(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	if (mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755"))
		return -errno;
	return 0;
}

/* The real /dev/zxproc's device number, or 0. */
static inline dev_t zxproc_devno(void)
{
	struct stat st;

	return stat("/dev/zxproc", &st) == 0 ? st.st_rdev : 0;
}

/*
 * Lowers this process's descriptor limit so that only @free_slots more
 * descriptors can open: 0 or -1.
 */
static inline int limit_fds(int free_slots)
{
	struct rlimit rl;
	int next = open("/dev/null", O_RDONLY);

	if (next < 0 || getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	close(next);
	rl.rlim_cur = (rlim_t)(next + free_slots);
	return setrlimit(RLIMIT_NOFILE, &rl);
}

/*
 * Runs @fn(@arg) in a child and returns its exit status (0 = pass), or
 * -1 if it died of a signal.  Lets a test change its privileges or
 * namespaces without affecting the rest.
 */
static inline int in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#endif /* ZXPROC_TESTS_USERLIB_TARGET_H */

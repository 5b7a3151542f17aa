/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving the test-only delay module (tests/kmod/zxproc_delay.c) from a
 * guest suite: load it on one zxproc function, arm it, read its
 * counters, unload it.
 *
 * The module is built beside zxproc.ko ($BUILD/kernel/RELEASE/), so a
 * suite finds it next to $ZXPROC_VM_MODULE, the module tests/vm/run
 * loaded; $ZXPROC_DELAY_MODULE names another one (tests/vm/run passes
 * every ZXPROC_* variable into the guest), e.g. to drive an older
 * zxproc.ko loaded with --module.
 *
 * Functions return 0 (or a value) or a negative errno, and never use the
 * harness's ASSERTs, so they work in forked children too.
 */
#ifndef ZXPROC_TESTS_KMOD_DELAY_H
#define ZXPROC_TESTS_KMOD_DELAY_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#define DELAY_NAME "zxproc_delay"
#define DELAY_PARAMS "/sys/module/" DELAY_NAME "/parameters/"

/* Where zxproc_delay.ko is: 0 with its path in @buf, or -errno. */
static inline int delay_path(char *buf, size_t len)
{
	const char *env = getenv("ZXPROC_DELAY_MODULE");
	const char *zx = getenv("ZXPROC_VM_MODULE");
	const char *slash;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
	} else {
		if (!zx || !(slash = strrchr(zx, '/')))
			return -ENOENT;
		snprintf(buf, len, "%.*s/%s.ko", (int)(slash - zx), zx,
			 DELAY_NAME);
	}
	return access(buf, R_OK) ? -errno : 0;
}

/* rmmod zxproc_delay, if loaded: 0 or -errno. */
static inline int delay_unload(void)
{
	if (!syscall(SYS_delete_module, DELAY_NAME, O_NONBLOCK))
		return 0;
	return errno == ENOENT ? 0 : -errno;
}

/*
 * insmod zxproc_delay.ko func=@func (after unloading any earlier one).
 * A function zxproc does not have fails with -ENOENT: the window a
 * suite asks for must exist.  @path (of @len bytes) receives the
 * module's path, for messages.
 */
static inline int delay_load(const char *func, char *path, size_t len)
{
	char params[256];
	int fd, ret;

	ret = delay_path(path, len);
	if (ret)
		return ret;
	ret = delay_unload();
	if (ret)
		return ret;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(params, sizeof(params), "func=%s", func);
	ret = syscall(SYS_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static inline int delay_param_write(const char *name, const char *val)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DELAY_PARAMS "%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	if (n < 0) {
		n = -errno;
		close(fd);
		return (int)n;
	}
	close(fd);
	return 0;
}

/*
 * Arm: the next call of the probed function by process @caller SIGKILLs
 * process @victim and waits (in the kernel) until @action ("reap": its
 * thread group reaped; "exit": it has exited) has happened.
 */
static inline int delay_arm(pid_t caller, pid_t victim, const char *action)
{
	char val[64];

	snprintf(val, sizeof(val), "%d %d %s", caller, victim, action);
	return delay_param_write("arm", val);
}

static inline int delay_disarm(void)
{
	return delay_param_write("arm", "off");
}

/* A counter of the module (hits, fired, forced, ...), or -errno. */
static inline long delay_counter(const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DELAY_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/*
 * Two distinct CPUs this process may run on, so the caller (whose CPU
 * spins while a window is held open) and the victim never share one.
 */
static inline int delay_two_cpus(int *caller, int *victim)
{
	cpu_set_t set;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++) {
		if (!CPU_ISSET(cpu, &set))
			continue;
		if (n++ == 0)
			*caller = cpu;
		else
			*victim = cpu;
	}
	return n == 2 ? 0 : -ENODEV;
}

/* Pin the calling thread to @cpu. */
static inline int delay_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

#endif /* ZXPROC_TESTS_KMOD_DELAY_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Target processes: children that map a region, write every page of it
 * (so no method is timed taking page faults), report its address and
 * sleep.  Each is opened by every method once, before any timing.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zircon/rights.h>
#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "bench.h"

unsigned char *buffer_placed(size_t len, int fill, bool no_thp, uintptr_t base,
			     size_t pages)
{
	const size_t frame = 2 * MIB;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *m = mmap(NULL, len + frame, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *p;

	if (m == MAP_FAILED)
		die("mmap of %zu bytes: %m", len + frame);
	p = m + ((base + pages * page - (uintptr_t)m) % frame);
	if (no_thp && madvise(p, len, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE): %m");
	memset(p, fill, len);
	return p;
}

static void target_main(int report_fd, pid_t parent, size_t len, bool no_thp)
{
	unsigned char *region;

	/* Never outlive the benchmark, even if it is killed. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(1);
	region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		_exit(1);
	if (no_thp && madvise(region, len, MADV_NOHUGEPAGE))
		_exit(1);
	memset(region, 0x5a, len);
	if (write(report_fd, &region, sizeof(region)) != sizeof(region))
		_exit(1);
	close(report_fd);
	for (;;)
		pause();
}

void target_start(struct target *t, size_t len, bool no_thp)
{
	pid_t parent = getpid();
	unsigned char *region;
	int fds[2];
	ssize_t n;

	*t = (struct target){ .len = len, .zxfd = -1, .memfd = -1,
			      .zxh = ZX_HANDLE_INVALID };
	if (pipe2(fds, O_CLOEXEC))
		die("pipe: %m");
	t->pid = fork();
	if (t->pid < 0)
		die("fork: %m");
	if (t->pid == 0) {
		close(fds[0]);
		target_main(fds[1], parent, len, no_thp);
	}
	close(fds[1]);
	do
		n = read(fds[0], &region, sizeof(region));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	if (n != sizeof(region))
		die("target %d did not start (no memory for %zu bytes?)", t->pid, len);
	t->base = (uintptr_t)region;
}

long target_huge_kib(const struct target *t)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", t->pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Every way in, opened once: opening is not what is measured. */
void target_open(struct target *t)
{
	struct zxproc_open arg = {
		.pid = t->pid,
		.rights = ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE,
	};
	char path[64];
	zx_status_t st;
	int dev;

	dev = open("/dev/" ZXPROC_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("/dev/" ZXPROC_DEVICE_NAME ": %m (is zxproc.ko loaded?)");
	t->zxfd = ioctl(dev, ZXPROC_IOC_PROCESS_OPEN, &arg);
	if (t->zxfd < 0)
		die("ZXPROC_IOC_PROCESS_OPEN of %d: %m", t->pid);
	close(dev);

	st = zxproc_process_open(t->pid, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &t->zxh);
	if (st != ZX_OK)
		die("zxproc_process_open(%d): status %d", t->pid, st);

	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	t->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0)
		die("%s: %m", path);
}

/* Make @t a stopped tracee: PTRACE_POKEDATA/PEEKDATA need one. */
void target_stop(struct target *t)
{
	int status;

	if (ptrace(PTRACE_SEIZE, t->pid, NULL, NULL))
		die("PTRACE_SEIZE of %d: %m", t->pid);
	if (ptrace(PTRACE_INTERRUPT, t->pid, NULL, NULL))
		die("PTRACE_INTERRUPT of %d: %m", t->pid);
	if (waitpid(t->pid, &status, __WALL) != t->pid || !WIFSTOPPED(status))
		die("target %d did not stop (status %#x)", t->pid, status);
	t->stopped = true;
}

void target_end(struct target *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, NULL, __WALL) < 0 && errno == EINTR)
		;
	if (t->zxfd >= 0)
		close(t->zxfd);
	if (t->zxh != ZX_HANDLE_INVALID)
		zx_handle_close(t->zxh);
	if (t->memfd >= 0)
		close(t->memfd);
	t->pid = 0;
}

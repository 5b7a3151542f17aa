/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * More helpers for the guest suites of the memory calls (memory_test.c,
 * with options, in batches; win32's too) and ZX_INFO_PROCESS
 * (info_test.c): checking what the target and a buffer hold, a file to
 * map read-only, device memory to map, and a target that execs once a
 * handle to it is open.
 *
 * Include after target.h.
 */
#ifndef ZXPROC_TESTS_USERLIB_READBACK_H
#define ZXPROC_TESTS_USERLIB_READBACK_H

#include <sys/mman.h>

/* Do @len bytes at @addr in @pid all hold @byte (read independently)? */
static inline int holds(pid_t pid, uintptr_t addr, size_t len, uint8_t byte)
{
	static uint8_t got[4 * PAGE];

	if (len > sizeof(got) || peek(pid, addr, got, len))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (got[i] != byte)
			return 0;
	return 1;
}

/* Does @buf hold @byte throughout? */
static inline int filled(const uint8_t *buf, size_t len, uint8_t byte)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != byte)
			return 0;
	return 1;
}

/* A new file of one page of 'F', unlinked, open read-only; or -1. */
static inline int page_file(void)
{
	char path[] = "/tmp/zxproc-page-XXXXXX";
	static char page[PAGE];
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	memset(page, 'F', sizeof(page));
	if (write(fd, page, PAGE) != PAGE) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	unlink(path);
	return fd;
}

/*
 * One page of device memory (VM_IO | VM_PFNMAP): /dev/mem's BIOS area,
 * read-only, at @at (MAP_FIXED) or anywhere (NULL).  MAP_FAILED with
 * errno set when this machine has none to give.
 */
static inline void *device_page(void *at)
{
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	void *map;
	int err;

	if (fd < 0)
		return MAP_FAILED;
	map = mmap(at, PAGE, PROT_READ, MAP_SHARED | (at ? MAP_FIXED : 0),
		   fd, 0xf0000);
	err = errno;
	close(fd);
	errno = err;
	return map;
}

/*
 * A child stopped (SIGSTOP) before it execs /bin/sleep, so the caller
 * can open it first: returns its pid, or -1, and in *@ready the read end
 * of a pipe that reaches EOF once the exec is done (the write end is
 * close-on-exec).  exec_go() lets it exec.
 */
static inline pid_t exec_stopped(int *ready)
{
	int p[2];
	pid_t pid;

	*ready = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		raise(SIGSTOP);		/* until the parent has a handle */
		execl("/bin/sleep", "sleep", "60", (char *)NULL);
		_exit(1);
	}
	close(p[1]);
	if (pid < 0 || waitpid(pid, NULL, WUNTRACED) != pid) {
		close(p[0]);
		target_reap(pid);
		return -1;
	}
	*ready = p[0];
	return pid;
}

/* Let exec_stopped()'s child exec; 0 once the exec is done, else -1. */
static inline int exec_go(pid_t pid, int ready)
{
	char c;

	kill(pid, SIGCONT);
	/* EOF: the write end closed on exec. */
	return read(ready, &c, 1) == 0 ? 0 : -1;
}

/*
 * A child that execs /bin/sleep once the caller holds a handle to it
 * with @rights (in *@h): returns its pid when the exec is done (the
 * caller reaps it), or -1.
 */
static inline pid_t exec_after_open(zx_rights_t rights, zx_handle_t *h)
{
	int ready;
	pid_t pid = exec_stopped(&ready);

	*h = ZX_HANDLE_INVALID;
	if (pid < 0)
		return -1;
	*h = open_or_die(pid, rights);
	if (*h == ZX_HANDLE_INVALID || exec_go(pid, ready))
		goto fail;
	close(ready);
	return pid;
fail:
	close(ready);
	zx_handle_close(*h);
	*h = ZX_HANDLE_INVALID;
	target_reap(pid);
	return -1;
}

#endif /* ZXPROC_TESTS_USERLIB_READBACK_H */

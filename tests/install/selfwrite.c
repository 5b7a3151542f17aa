// SPDX-License-Identifier: GPL-2.0
/*
 * A libzxproc user as a tool author writes one: built by the install
 * suites with nothing but `pkg-config --cflags --libs libzxproc` against
 * an installed (or staged) copy of the library, then run in the guest.
 *
 *   selfwrite          open a handle to our own process (by pid, and
 *                      zx_process_self()), write our own memory through
 *                      it, read it back, and print the module's version
 *   selfwrite PID      only try to open a handle to process PID
 *
 * Each step prints one line "STEP: RESULT", RESULT being "ok", the
 * ZX_ERR_* name of the failure, or a description of a wrong value.  The
 * exit status is 0 when every step succeeded, 1 otherwise; the suites
 * compare the lines with what they expect (permission tests expect
 * ZX_ERR_ACCESS_DENIED lines).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

static int failed;

static void report(const char *step, zx_status_t st)
{
	printf("%s: %s\n", step, st == ZX_OK ? "ok" : zx_status_get_string(st));
	if (st != ZX_OK)
		failed = 1;
}

/* Write a pattern into buf through the handle, read it back, compare. */
static void write_own_memory(const char *step, zx_handle_t proc)
{
	static volatile unsigned char buf[4096];
	unsigned char src[sizeof(buf)], back[sizeof(buf)];
	size_t actual = 0, i;
	zx_status_t st;

	for (i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 7 + 1);
	memset((void *)buf, 0, sizeof(buf));
	st = zx_process_write_memory(proc, (zx_vaddr_t)buf, src, sizeof(src), &actual);
	if (st == ZX_OK && actual != sizeof(src)) {
		printf("%s: wrote %zu of %zu bytes\n", step, actual, sizeof(src));
		failed = 1;
		return;
	}
	if (st == ZX_OK && memcmp((const void *)buf, src, sizeof(src)) != 0) {
		printf("%s: memory does not hold what was written\n", step);
		failed = 1;
		return;
	}
	if (st == ZX_OK) {
		st = zx_process_read_memory(proc, (zx_vaddr_t)buf, back, sizeof(back), &actual);
		if (st == ZX_OK && (actual != sizeof(back) || memcmp(back, src, sizeof(src)))) {
			printf("%s: read back %zu bytes that differ from what was written\n",
			       step, actual);
			failed = 1;
			return;
		}
	}
	report(step, st);
}

int main(int argc, char **argv)
{
	uint32_t major = 0, minor = 0, patch = 0;
	zx_handle_t proc = ZX_HANDLE_INVALID;
	zx_status_t st;
	char *end;
	long pid;

	if (argc > 2 || (argc == 2 && (pid = strtol(argv[1], &end, 10), *end || pid <= 0))) {
		fprintf(stderr, "usage: selfwrite [PID]\n");
		return 2;
	}
	if (argc == 2) {
		st = zxproc_process_open((pid_t)pid, ZX_RIGHT_READ | ZX_RIGHT_WRITE, &proc);
		report("open other", st);
		if (st == ZX_OK)
			zx_handle_close(proc);
		return failed;
	}

	st = zxproc_module_version(&major, &minor, &patch);
	report("module version", st);
	if (st == ZX_OK)
		printf("version: %u.%u.%u\n", major, minor, patch);

	st = zxproc_process_open(getpid(), ZX_RIGHT_READ | ZX_RIGHT_WRITE, &proc);
	report("open self", st);
	if (st == ZX_OK) {
		write_own_memory("write self", proc);
		report("close", zx_handle_close(proc));
	}

	proc = zx_process_self();
	if (proc == ZX_HANDLE_INVALID) {
		printf("zx_process_self: no handle\n");
		failed = 1;
	} else {
		write_own_memory("write via zx_process_self", proc);
	}
	return failed;
}

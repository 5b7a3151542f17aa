// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Facts about a target read from /proc and /sys, only to tell the user
 * why something failed: a status like ZX_ERR_BAD_STATE covers "exited",
 * "exec'd" and "device memory", and the user needs to know which.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

enum zxc_proc_state zxc_proc_state(pid_t pid)
{
	char path[64], buf[512], *paren;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return errno == ENOENT || errno == ESRCH ? ZXC_PROC_GONE : ZXC_PROC_ALIVE;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* "pid (comm) S ...": comm may hold ')', so take the last one. */
	paren = strrchr(buf, ')');
	if (paren != NULL && (paren[2] == 'Z' || paren[2] == 'X'))
		return ZXC_PROC_ZOMBIE;
	return ZXC_PROC_ALIVE;
}

bool zxc_proc_addr_is_io(pid_t pid, uint64_t addr)
{
	char path[64], line[512];
	bool inside = false, io = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long long start, end;

		/* Only a mapping's header line starts "start-end". */
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2) {
			inside = addr >= start && addr < end;
			continue;
		}
		/* VmFlags "io" is VM_IO, "pf" is VM_PFNMAP. */
		if (inside && strncmp(line, "VmFlags:", 8) == 0) {
			io = strstr(line, " io") != NULL || strstr(line, " pf") != NULL;
			break;
		}
	}
	fclose(f);
	return io;
}

int zxc_force_write(void)
{
	char value[8] = "";
	FILE *f;

	f = fopen("/sys/module/" ZXC_MODULE_NAME "/parameters/force_write", "re");
	if (f == NULL)
		return -1;
	if (fgets(value, sizeof(value), f) == NULL)
		value[0] = '\0';
	fclose(f);
	if (value[0] == 'Y' || value[0] == '1')
		return 1;
	if (value[0] == 'N' || value[0] == '0')
		return 0;
	return -1;
}

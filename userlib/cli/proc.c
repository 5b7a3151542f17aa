// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Facts about a target read from /proc and /sys, only to tell the user
 * why something failed.  ZX_ERR_BAD_STATE covers "exited", "exec'd" and
 * "device memory": the handle says whether its process has ended
 * (ZX_INFO_PROCESS, in errors.c), and /proc then says whether it
 * exited or exec'd, which the handle cannot tell.
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

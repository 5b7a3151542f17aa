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

/* The policies' names, strictest last, as the module's force.c has them. */
enum force_policy { FORCE_UNKNOWN = -1, FORCE_ALWAYS, FORCE_PTRACE, FORCE_NEVER };

static enum force_policy read_policy(const char *param)
{
	static const char *const names[] = { "always", "ptrace", "never" };
	char path[128], value[16] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/" ZXC_MODULE_NAME "/parameters/%s",
		 param);
	f = fopen(path, "re");
	if (f == NULL)
		return FORCE_UNKNOWN;
	if (fgets(value, sizeof(value), f) == NULL)
		value[0] = '\0';
	fclose(f);
	value[strcspn(value, "\n")] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(value, names[i]) == 0)
			return (enum force_policy)i;
	return FORCE_UNKNOWN;
}

/*
 * The module forces an access only when the stricter of the two
 * policies allows it; "ptrace" allows only the target's tracer, which
 * this command never is.  The host's policy is named first when it is
 * at least as strict, since force_override cannot loosen it.
 */
const char *zxc_unforced_why(void)
{
	enum force_policy host = read_policy("host_force_override");
	enum force_policy param = read_policy("force_override");

	if (host == FORCE_UNKNOWN || param == FORCE_UNKNOWN)
		return NULL;
	if (host == FORCE_NEVER)
		return "the host's proc_mem.force_override policy is never (host_force_override)";
	if (param == FORCE_NEVER)
		return "the module's force_override parameter is never";
	if (host == FORCE_PTRACE)
		return "the host's proc_mem.force_override policy is ptrace (host_force_override), and zxproc is not the process's tracer";
	if (param == FORCE_PTRACE)
		return "the module's force_override parameter is ptrace, and zxproc is not the process's tracer";
	return NULL;
}

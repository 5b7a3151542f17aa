// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The process a subcommand works on: a PID argument, or --name NAME.
 * The syntax is checked with the other arguments; a name is looked up
 * (pidname.c) only once every argument has passed, right before the
 * target is opened, and must name exactly one process.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Candidates listed for an ambiguous name before "... and N more". */
#define MAX_LISTED 10

int zxc_who_arg(const char *cmd, struct zxc_who *who, const char *text)
{
	if (!zxc_parse_pid(text, &who->pid))
		return zxc_usage_err(cmd, "bad PID \"%s\": give a process id (decimal, above 0) or --name NAME",
				     text);
	return ZXC_EXIT_OK;
}

/* "1234 /usr/bin/game --level 3", or the comm in brackets. */
static void describe(pid_t pid, char *out, size_t size)
{
	char path[64], buf[256];
	size_t n = 0, i;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	f = fopen(path, "re");
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	if (n == 0) {
		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		f = fopen(path, "re");
		buf[0] = '\0';
		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) == NULL)
				buf[0] = '\0';
			fclose(f);
		}
		buf[strcspn(buf, "\n")] = '\0';
		snprintf(out, size, "%d [%s]", (int)pid, buf);
		return;
	}
	snprintf(out, size, "%d %s", (int)pid, buf);
}

int zxc_who_resolve(struct zxc_who *who)
{
	struct zxc_pidlist pids;
	char line[320];
	size_t i;
	int ret;

	if (who->name == NULL)
		return ZXC_EXIT_OK;
	ret = zxc_pids_named(who->name, &pids);
	if (ret < 0) {
		zxc_err("cannot list the processes in /proc: %s", strerror(-ret));
		return ZXC_EXIT_FAILURE;
	}
	if (pids.n == 1) {
		who->pid = pids.v[0];
		zxc_pidlist_free(&pids);
		return ZXC_EXIT_OK;
	}
	if (pids.n == 0) {
		zxc_err("no process named \"%s\" (neither a name ps shows nor a program's file name)",
			who->name);
		return ZXC_EXIT_NO_PROCESS;
	}
	zxc_err("%zu processes are named \"%s\": give one's PID instead of --name:",
		pids.n, who->name);
	for (i = 0; i < pids.n && i < MAX_LISTED; i++) {
		describe(pids.v[i], line, sizeof(line));
		fprintf(stderr, "  %s\n", line);
	}
	if (pids.n > MAX_LISTED)
		fprintf(stderr, "  ... and %zu more\n", pids.n - MAX_LISTED);
	zxc_pidlist_free(&pids);
	return ZXC_EXIT_USAGE;
}

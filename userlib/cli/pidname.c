// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Processes by name, for --name: what a user calls a process is what ps
 * and top show (its comm, cut by the kernel to 15 characters) or the
 * file name of its program (its /proc/PID/exe, or argv[0] for scripts
 * run by an interpreter).  zxproc itself is never a candidate.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static bool read_small(const char *path, char *buf, size_t size, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	*len = (size_t)n;
	return true;
}

static bool named(const char *dir, const char *name)
{
	char path[64], buf[PATH_MAX + 1];
	size_t len;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/comm", dir);
	if (read_small(path, buf, sizeof(buf), &len)) {
		buf[strcspn(buf, "\n")] = '\0';
		/*
		 * A longer name's comm is cut to 15 characters: its
		 * program's file name below still has the whole of it.
		 */
		if (strcmp(buf, name) == 0)
			return true;
	}
	snprintf(path, sizeof(path), "/proc/%s/exe", dir);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		if (strcmp(base_name(buf), name) == 0)
			return true;
	}
	/* argv[0]: the script's name for "python3 game.py" is not argv[0]. */
	snprintf(path, sizeof(path), "/proc/%s/cmdline", dir);
	if (read_small(path, buf, sizeof(buf), &len) && len > 0)
		return strcmp(base_name(buf), name) == 0;
	return false;
}

int zxc_pids_named(const char *name, struct zxc_pidlist *out)
{
	pid_t self = getpid();
	struct dirent *d;
	size_t cap = 0;
	DIR *proc;

	out->v = NULL;
	out->n = 0;
	proc = opendir("/proc");
	if (proc == NULL)
		return -errno;
	while ((d = readdir(proc)) != NULL) {
		pid_t pid;

		if (!isdigit((unsigned char)d->d_name[0]) ||
		    !zxc_parse_pid(d->d_name, &pid) || pid == self ||
		    !named(d->d_name, name))
			continue;
		if (out->n == cap) {
			size_t want = cap ? cap * 2 : 16;
			pid_t *v = realloc(out->v, want * sizeof(*v));

			if (v == NULL) {
				closedir(proc);
				zxc_pidlist_free(out);
				return -ENOMEM;
			}
			out->v = v;
			cap = want;
		}
		out->v[out->n++] = pid;
	}
	closedir(proc);
	return 0;
}

void zxc_pidlist_free(struct zxc_pidlist *list)
{
	free(list->v);
	list->v = NULL;
	list->n = 0;
}

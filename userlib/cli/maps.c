// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A snapshot of /proc/PID/maps: what ADDR names resolve against and what
 * `patch` checks every range against before it writes anything.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void zxc_maps_free(struct zxc_maps *maps)
{
	size_t i;

	for (i = 0; i < maps->n; i++)
		free(maps->v[i].name);
	free(maps->v);
	maps->v = NULL;
	maps->n = 0;
}

int zxc_maps_add(struct zxc_maps *maps, size_t *alloc,
		 const struct zxc_mapping *m, const char *name)
{
	struct zxc_mapping *slot;

	if (maps->n == *alloc) {
		size_t want = *alloc ? *alloc * 2 : 64;
		struct zxc_mapping *v = realloc(maps->v, want * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		maps->v = v;
		*alloc = want;
	}
	slot = &maps->v[maps->n];
	*slot = *m;
	slot->name = strdup(name);
	if (slot->name == NULL)
		return -ENOMEM;
	maps->n++;
	return 0;
}

/*
 * One line: "start-end perms offset major:minor inode   name".  The name
 * runs to the end of the line and may hold spaces; @name points into
 * @line.
 */
static int parse_line(char *line, struct zxc_mapping *m, const char **name)
{
	unsigned long long start, end, offset;
	unsigned long inode;
	int name_at = -1;
	size_t len;

	if (sscanf(line, "%llx-%llx %4s %llx %*x:%*x %lu %n", &start, &end,
		   m->perms, &offset, &inode, &name_at) < 5 || name_at < 0)
		return -EINVAL;
	len = strlen(line + name_at);
	if (len > 0 && line[name_at + len - 1] == '\n')
		line[name_at + --len] = '\0';
	*name = line + name_at;
	m->start = start;
	m->end = end;
	m->offset = offset;
	m->inode = inode;
	return 0;
}

int zxc_maps_read(pid_t pid, struct zxc_maps *maps)
{
	char path[64], *line = NULL;
	size_t cap = 0, alloc = 0;
	FILE *f;
	int ret = 0;

	maps->v = NULL;
	maps->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		struct zxc_mapping m;
		const char *name;

		ret = parse_line(line, &m, &name);
		if (ret == 0)
			ret = zxc_maps_add(maps, &alloc, &m, name);
		if (ret < 0)
			break;
	}
	/* Reading the maps of a process that is going away fails with EIO/ESRCH. */
	if (ret == 0 && ferror(f))
		ret = -errno;
	free(line);
	fclose(f);
	if (ret < 0)
		zxc_maps_free(maps);
	return ret;
}

const struct zxc_mapping *zxc_maps_find(const struct zxc_maps *maps,
					uint64_t addr)
{
	size_t i;

	for (i = 0; i < maps->n; i++)
		if (addr >= maps->v[i].start && addr < maps->v[i].end)
			return &maps->v[i];
	return NULL;
}

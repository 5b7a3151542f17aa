// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where the target's mappings come from: the one place that decides.
 * The list is the handle's answer to ZX_INFO_PROCESS_MAPS, so it is
 * bound to the address space the handle was opened on (after an exec
 * the call fails instead of describing the new program) and needs no
 * access to /proc.  Zircon's record lacks two things /proc/PID/maps
 * gives, and every user (ADDR names, `maps`, `find`, `patch`'s checks)
 * expects: the full path of a file (it has only its last component, cut
 * to 31 bytes) and whether a mapping is shared.  Those are taken from
 * /proc/PID/maps for each mapping found there with the same range and
 * inode; a mapping the target made between the two reads keeps the
 * handle's name and shows '?' for private/shared.  The vsyscall page,
 * which /proc lists but which is no part of the address space, is taken
 * from /proc as it is.  A module without ZX_INFO_PROCESS_MAPS (0.2,
 * ZX_ERR_NOT_SUPPORTED) leaves /proc/PID/maps alone as the source.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>
#include <zircon/syscalls/object.h>

#include "cli.h"

static int from_errno_status(zx_status_t status)
{
	switch (status) {
	case ZX_ERR_NO_MEMORY:
		return -ENOMEM;
	case ZX_ERR_BAD_STATE:
		return -ESRCH;
	case ZX_ERR_ACCESS_DENIED:
		return -EACCES;
	default:
		return -EIO;
	}
}

/* The handle's records, ASPACE and VMAR nodes included. */
static zx_status_t handle_records(zx_handle_t handle, zx_info_maps_t **out,
				  size_t *count)
{
	size_t actual = 0, avail = 0, room;
	zx_info_maps_t *v = NULL, *grown;
	zx_status_t status;

	status = zx_object_get_info(handle, ZX_INFO_PROCESS_MAPS, NULL, 0,
				    NULL, &avail);
	/* The target may map more between two calls: ask until it fits. */
	while (status == ZX_OK) {
		room = avail + 16;
		grown = realloc(v, room * sizeof(*v));
		if (grown == NULL) {
			status = ZX_ERR_NO_MEMORY;
			break;
		}
		v = grown;
		status = zx_object_get_info(handle, ZX_INFO_PROCESS_MAPS, v,
					    room * sizeof(*v), &actual, &avail);
		if (status == ZX_OK && avail <= room) {
			*out = v;
			*count = actual;
			return ZX_OK;
		}
	}
	free(v);
	return status;
}

static const struct zxc_mapping *proc_match(const struct zxc_maps *proc,
					    const zx_info_maps_t *r)
{
	size_t i;

	for (i = 0; i < proc->n; i++)
		if (proc->v[i].start == r->base &&
		    proc->v[i].end == r->base + r->size &&
		    proc->v[i].inode == r->u.mapping.vmo_koid)
			return &proc->v[i];
	return NULL;
}

int zxc_regions_read(pid_t pid, zx_handle_t handle, struct zxc_maps *maps)
{
	struct zxc_maps proc = { NULL, 0 };
	zx_info_maps_t *recs = NULL;
	size_t n = 0, alloc = 0, i;
	zx_status_t status;
	int ret = 0;

	maps->v = NULL;
	maps->n = 0;
	status = handle_records(handle, &recs, &n);
	if (status == ZX_ERR_NOT_SUPPORTED)
		return zxc_maps_read(pid, maps);
	if (status != ZX_OK)
		return from_errno_status(status);
	/* Only to complete the records: unreadable, it adds nothing. */
	if (zxc_maps_read(pid, &proc) < 0)
		proc.n = 0;
	for (i = 0; i < n && ret == 0; i++) {
		const zx_info_maps_t *r = &recs[i];
		const zx_info_maps_mapping_t *mm = &r->u.mapping;
		const struct zxc_mapping *p;
		struct zxc_mapping m;

		if (r->type != ZX_INFO_MAPS_TYPE_MAPPING)
			continue;
		p = proc_match(&proc, r);
		m.start = r->base;
		m.end = r->base + r->size;
		m.offset = mm->vmo_offset;
		m.inode = (unsigned long)mm->vmo_koid;
		m.perms[0] = mm->mmu_flags & ZX_VM_PERM_READ ? 'r' : '-';
		m.perms[1] = mm->mmu_flags & ZX_VM_PERM_WRITE ? 'w' : '-';
		m.perms[2] = mm->mmu_flags & ZX_VM_PERM_EXECUTE ? 'x' : '-';
		m.perms[3] = p ? p->perms[3] : '?';
		m.perms[4] = '\0';
		ret = zxc_maps_add(maps, &alloc, &m, p ? p->name : r->name);
	}
	for (i = 0; i < proc.n && ret == 0; i++)
		if (strcmp(proc.v[i].name, "[vsyscall]") == 0)
			ret = zxc_maps_add(maps, &alloc, &proc.v[i],
					   proc.v[i].name);
	free(recs);
	zxc_maps_free(&proc);
	if (ret < 0)
		zxc_maps_free(maps);
	return ret;
}

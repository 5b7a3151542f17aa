// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Opening the target of `write`, `read` and `patch`, in the order that
 * gives the user the right message: the device first (module missing is
 * not the process's fault), then the process, then its maps.
 *
 * The maps are read after the handle is opened: the handle is bound to
 * the address space it was opened on, so if the target execs in between,
 * the maps describe the new program and every access through the handle
 * fails (ZX_ERR_BAD_STATE) instead of landing in it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

int zxc_target_open(struct zxc_target *t, pid_t pid, zx_rights_t rights)
{
	zx_status_t status;
	int ret;

	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->handle = ZX_HANDLE_INVALID;
	status = zxproc_module_version(NULL, NULL, NULL);
	if (status != ZX_OK)
		return zxc_status_fail(ZXC_OP_DEVICE, status, pid,
				       ZX_HANDLE_INVALID, 0);
	/* INSPECT: errors.c asks the handle whether its process ended. */
	status = zxproc_process_open(pid, rights | ZX_RIGHT_INSPECT,
				     &t->handle);
	if (status != ZX_OK)
		return zxc_status_fail(ZXC_OP_OPEN, status, pid,
				       ZX_HANDLE_INVALID, 0);
	ret = zxc_regions_read(pid, t->handle, &t->maps);
	/* Numeric addresses need no maps: only name lookups report this. */
	t->maps_errno = ret < 0 ? -ret : 0;
	return ZXC_EXIT_OK;
}

void zxc_target_close(struct zxc_target *t)
{
	if (t->handle != ZX_HANDLE_INVALID)
		zx_handle_close(t->handle);
	t->handle = ZX_HANDLE_INVALID;
	zxc_maps_free(&t->maps);
}

int zxc_target_addr(const struct zxc_target *t, const char *text,
		    uint64_t *addr)
{
	enum zxc_addr_result res;
	char why[512];

	res = zxc_addr_resolve(text, &t->maps, addr, why, sizeof(why));
	if (res == ZXC_ADDR_OK)
		return ZXC_EXIT_OK;
	if (res == ZXC_ADDR_UNKNOWN && t->maps_errno != 0) {
		zxc_err("cannot resolve \"%s\": the mappings of process %d cannot be read (%s)",
			text, (int)t->pid, strerror(t->maps_errno));
		return t->maps_errno == ENOENT || t->maps_errno == ESRCH ?
		       ZXC_EXIT_GONE : ZXC_EXIT_PERMISSION;
	}
	zxc_err("bad address \"%s\" for process %d: %s", text, (int)t->pid, why);
	return zxc_addr_exit(res);
}

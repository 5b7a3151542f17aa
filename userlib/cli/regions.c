// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Where the target's mappings come from: the one place that decides.
 * Today that is /proc/PID/maps (maps.c), read after the handle was
 * opened (target.c says why).  Once the module answers
 * zx_object_get_info(ZX_INFO_PROCESS_MAPS) on a handle, this function
 * asks the handle instead, which also binds the list to the address
 * space the handle was opened on; every user (ADDR names, `maps`,
 * `find`, `patch`'s checks) follows.
 */
#include <zircon/types.h>

#include "cli.h"

int zxc_regions_read(pid_t pid, zx_handle_t handle, struct zxc_maps *maps)
{
	(void)handle;
	return zxc_maps_read(pid, maps);
}

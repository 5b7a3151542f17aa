// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writes that check the old bytes first (`patch --expect`, undo files):
 * the one place that decides how.  1, 2, 4 or 8 bytes at an address that
 * is a multiple of their size go through the kernel's compare-and-swap
 * (zxproc_process_compare_exchange), atomic with respect to the target:
 * a value the target stores in between is never overwritten.  Any other
 * range, and every range on a module without the call (0.2), is read,
 * compared and written through the same handle, where a write the target
 * makes between the read and the write is overwritten.
 */
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

/*
 * The @len bytes at @p as the integer the target sees there: the target
 * runs on this machine, so its byte order is ours.
 */
static uint64_t load(const uint8_t *p, size_t len)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (len) {
	case 1:
		v8 = *p;
		return v8;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	default:
		memcpy(&v64, p, 8);
		return v64;
	}
}

static void store(uint8_t *p, size_t len, uint64_t v)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (len) {
	case 1:
		*p = v8;
		break;
	case 2:
		memcpy(p, &v16, 2);
		break;
	case 4:
		memcpy(p, &v32, 4);
		break;
	default:
		memcpy(p, &v, 8);
		break;
	}
}

static bool atomic_size(uint64_t addr, uint64_t len)
{
	return (len == 1 || len == 2 || len == 4 || len == 8) &&
	       addr % len == 0;
}

/* ZX_ERR_NOT_SUPPORTED (a 0.2 module) when the caller must fall back. */
static zx_status_t compare_exchange(const struct zxc_target *t,
				    uint64_t addr, const uint8_t *expect,
				    const uint8_t *data, size_t len,
				    uint8_t *current, bool *differs,
				    struct zxc_xfer *x)
{
	uint64_t old = 0;
	zx_status_t status;

	status = zxproc_process_compare_exchange(t->handle, addr, len,
						 load(expect, len),
						 load(data, len), &old);
	if (status == ZX_ERR_NOT_SUPPORTED)
		return status;
	x->status = status;
	if (status != ZX_OK)
		return status;
	if (old != load(expect, len)) {
		store(current, len, old);
		*differs = true;
		return ZX_OK;
	}
	x->done = len;
	return ZX_OK;
}

void zxc_write_if_equal(const struct zxc_target *t, uint64_t addr,
			const uint8_t *expect, const uint8_t *data,
			uint64_t len, uint8_t *current, bool *differs,
			struct zxc_xfer *x)
{
	size_t actual = 0;

	*differs = false;
	x->done = 0;
	x->stop = addr;
	if (atomic_size(addr, len) &&
	    compare_exchange(t, addr, expect, data, (size_t)len, current,
			     differs, x) != ZX_ERR_NOT_SUPPORTED)
		return;
	x->status = zxproc_process_read_memory_ex(t->handle, addr, current, len,
						  0, &actual);
	if (x->status == ZX_OK && actual < len)
		x->stop = addr + actual;
	if (x->status != ZX_OK || actual < len)
		return;
	if (memcmp(current, expect, len) != 0) {
		*differs = true;
		return;
	}
	zxc_write_range(t, addr, data, len, NULL, x);
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Writes that check the old bytes first (`patch --expect`, undo files):
 * the one place that decides how.  Today the bytes are read, compared,
 * and written through the same handle: a write the target makes between
 * the read and the write is overwritten.  When the module offers a
 * compare-and-swap (ZXPROC_IOC_CAS), 1 to 8 aligned bytes go through it
 * here, atomic with respect to the target, and only longer or unaligned
 * ranges keep the read-compare-write.
 */
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

void zxc_write_if_equal(const struct zxc_target *t, uint64_t addr,
			const uint8_t *expect, const uint8_t *data,
			uint64_t len, uint8_t *current, bool *differs,
			struct zxc_xfer *x)
{
	size_t actual = 0;

	*differs = false;
	x->done = 0;
	x->stop = addr;
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

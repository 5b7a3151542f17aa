// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Transfers of any size: split into chunks of ZXC_CHUNK bytes, each one
 * zx_process_{write,read}_memory() through the same handle, so the
 * progress bar moves and a range larger than ZXPROC_MAX_TRANSFER works.
 * A transfer stops at the first chunk that comes back short or failed;
 * what was copied until then is reported, never retried or undone.
 * An all-or-nothing write is one zxproc_process_write_memory_ex() call.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

#define ZXC_CHUNK ((uint64_t)1 << 20)

void zxc_write_range(const struct zxc_target *t, uint64_t addr,
		     const uint8_t *buf, uint64_t len,
		     struct zxc_progress *progress, struct zxc_xfer *x)
{
	x->done = 0;
	x->status = ZX_OK;
	x->stop = addr;
	while (x->done < len) {
		uint64_t n = len - x->done < ZXC_CHUNK ? len - x->done : ZXC_CHUNK;
		size_t actual = 0;

		x->status = zx_process_write_memory(t->handle, addr + x->done,
						    buf + x->done, n, &actual);
		if (x->status != ZX_OK)
			break;
		x->done += actual;
		if (progress != NULL)
			zxc_progress_add(progress, actual);
		if (actual < n)
			break;
	}
	x->stop = addr + x->done;
}

/*
 * The kernel reports why an all-or-nothing write failed, not where:
 * the first address of the range that the maps say is unmapped (or,
 * for ACCESS_DENIED, not writable), so the message names the culprit
 * rather than the start.  The range's start when the maps cannot tell.
 */
static uint64_t first_blocker(const struct zxc_target *t, uint64_t addr,
			      uint64_t len, zx_status_t status)
{
	bool unforced = zxc_unforced_why() != NULL;
	uint64_t at = addr;

	while (at - addr < len) {
		const struct zxc_mapping *m = zxc_maps_find(&t->maps, at);

		if (m == NULL)
			return t->maps.n ? at : addr;
		if (status == ZX_ERR_ACCESS_DENIED && m->perms[1] != 'w' &&
		    (m->perms[3] == 's' || unforced))
			return at;
		at = m->end;
	}
	return addr;
}

void zxc_write_all_or_nothing(const struct zxc_target *t, uint64_t addr,
			      const uint8_t *buf, uint64_t len,
			      struct zxc_xfer *x)
{
	size_t actual = 0;

	x->status = zxproc_process_write_memory_ex(t->handle, addr, buf, len,
						   ZXPROC_MEMORY_ALL_OR_NOTHING,
						   &actual);
	x->done = x->status == ZX_OK ? actual : 0;
	x->stop = addr + x->done;
	if (x->status != ZX_OK)
		x->stop = first_blocker(t, addr, len, x->status);
}

void zxc_read_range(const struct zxc_target *t, uint64_t addr, uint64_t len,
		    int (*sink)(void *ctx, uint64_t addr, const uint8_t *buf,
				size_t len),
		    void *ctx, struct zxc_xfer *x)
{
	uint64_t bufsize = len < ZXC_CHUNK ? len : ZXC_CHUNK;
	uint8_t *buf = malloc(bufsize);

	x->done = 0;
	x->status = ZX_OK;
	x->stop = addr;
	if (buf == NULL) {
		x->status = ZX_ERR_NO_MEMORY;
		return;
	}
	while (x->done < len) {
		uint64_t n = len - x->done < bufsize ? len - x->done : bufsize;
		size_t actual = 0;

		x->status = zx_process_read_memory(t->handle, addr + x->done,
						   buf, n, &actual);
		if (x->status != ZX_OK)
			break;
		if (sink(ctx, addr + x->done, buf, actual) < 0) {
			x->status = ZX_ERR_IO;
			break;
		}
		x->done += actual;
		if (actual < n)
			break;
	}
	x->stop = addr + x->done;
	free(buf);
}

int zxc_xfer_fail(const struct zxc_target *t, enum zxc_op op, uint64_t addr,
		  uint64_t len, const struct zxc_xfer *x)
{
	const char *verb = op == ZXC_OP_WRITE ? "wrote" : "read";
	const struct zxc_mapping *m;
	int code;

	if (x->status == ZX_ERR_IO && op == ZXC_OP_READ) {
		/* Our own output failed (sink), not the target. */
		zxc_err("cannot write the data read to standard output");
		return ZXC_EXIT_FAILURE;
	}
	if (x->status != ZX_OK) {
		code = zxc_status_fail(op, x->status, t->pid, t->handle,
				       x->stop);
		if (x->done == 0)
			return code;
		zxc_err("%s %" PRIu64 " of %" PRIu64 " bytes at 0x%" PRIx64 " before that",
			verb, x->done, len, addr);
		return ZXC_EXIT_PARTIAL;
	}
	/* A short copy: the range ran past accessible memory at x->stop. */
	m = zxc_maps_find(&t->maps, x->stop);
	if (x->done == 0)
		return zxc_status_fail(op, m == NULL ? ZX_ERR_NO_MEMORY :
				       ZX_ERR_ACCESS_DENIED, t->pid, t->handle,
				       x->stop);
	if (m == NULL)
		zxc_err("%s %" PRIu64 " of %" PRIu64 " bytes: the range runs past mapped memory at 0x%" PRIx64,
			verb, x->done, len, x->stop);
	else
		zxc_err("%s %" PRIu64 " of %" PRIu64 " bytes: the memory at 0x%" PRIx64 " (%s %s) cannot be %s",
			verb, x->done, len, x->stop, m->perms,
			m->name[0] ? m->name : "anonymous",
			op == ZXC_OP_WRITE ? "written" : "read");
	return ZXC_EXIT_PARTIAL;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading many regions of the target for `find`: in batches of
 * SCAN_SEGS segments of up to SCAN_SEG bytes, one
 * zxproc_process_read_memory_batch() call each, so a scan of a large
 * address space costs a system call per 16 MiB, not per region.
 *
 * A segment that cannot be read (unmapped or made inaccessible since
 * the maps were read, device memory) is counted as skipped and the scan
 * goes on; the target exiting or exec'ing ends it.
 *
 * SCAN_READ_OPTIONS is the one place for the read flags: once the module
 * has no-fault reads (ZXPROC_MEM_NO_FAULT), they go here, so a scan
 * neither pages in swapped-out memory nor allocates zero pages for
 * never-touched anonymous memory.
 */
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

#define SCAN_SEG	((size_t)1 << 20)
#define SCAN_SEGS	16
#define SCAN_READ_OPTIONS 0u

struct scan {
	const struct zxc_target *t;
	zxproc_memory_seg_t segs[SCAN_SEGS];
	size_t n;
	uint8_t *buf;
	struct zxc_progress *progress;
	int (*chunk)(void *ctx, uint64_t addr, const uint8_t *buf, size_t len);
	void *ctx;
	struct zxc_scan_stats *stats;
	bool stop;
};

/* Whether a BAD_STATE means the target ended (not device memory). */
static bool ended(const struct zxc_target *t)
{
	zx_info_process_t info;

	if (zx_object_get_info(t->handle, ZX_INFO_PROCESS, &info, sizeof(info),
			       NULL, NULL) != ZX_OK)
		return true;
	return info.flags & ZX_INFO_PROCESS_FLAG_EXITED;
}

static int flush(struct scan *s)
{
	zx_status_t status;
	size_t i;
	int ret;

	if (s->n == 0)
		return ZXC_EXIT_OK;
	status = zxproc_process_read_memory_batch(s->t->handle, s->segs, s->n,
						  SCAN_READ_OPTIONS, NULL);
	if (status != ZX_OK && (status != ZX_ERR_BAD_STATE || ended(s->t)))
		return zxc_status_fail(ZXC_OP_READ, status, s->t->pid,
				       s->t->handle, s->segs[0].vaddr);
	for (i = 0; i < s->n; i++) {
		zxproc_memory_seg_t *g = &s->segs[i];

		if (g->status == ZX_ERR_BAD_STATE && ended(s->t))
			return zxc_status_fail(ZXC_OP_READ, g->status, s->t->pid,
					       s->t->handle, g->vaddr + g->actual);
		ret = g->actual > 0 ? s->chunk(s->ctx, g->vaddr, g->buffer,
					       g->actual) : 0;
		if (ret < 0) {
			zxc_err("cannot write the matches to standard output");
			return ZXC_EXIT_FAILURE;
		}
		s->stats->bytes += g->actual;
		s->stats->skipped += g->size - g->actual;
		zxc_progress_add(s->progress, g->size);
		if (ret > 0) {
			s->stop = true;
			break;
		}
	}
	s->n = 0;
	return ZXC_EXIT_OK;
}

int zxc_scan(const struct zxc_target *t, const struct zxc_maps *regions,
	     struct zxc_progress *progress,
	     int (*chunk)(void *ctx, uint64_t addr, const uint8_t *buf,
			  size_t len),
	     void *ctx, struct zxc_scan_stats *stats)
{
	struct scan s = {
		.t = t, .progress = progress, .chunk = chunk, .ctx = ctx,
		.stats = stats,
	};
	int code = ZXC_EXIT_OK;
	size_t r;

	memset(stats, 0, sizeof(*stats));
	s.buf = malloc(SCAN_SEG * SCAN_SEGS);
	if (s.buf == NULL) {
		zxc_err("out of memory");
		return ZXC_EXIT_FAILURE;
	}
	for (r = 0; r < regions->n && code == ZXC_EXIT_OK && !s.stop; r++) {
		const struct zxc_mapping *m = &regions->v[r];
		uint64_t at;

		for (at = m->start; at < m->end && code == ZXC_EXIT_OK && !s.stop;) {
			zxproc_memory_seg_t *g = &s.segs[s.n];
			uint64_t left = m->end - at;

			g->vaddr = at;
			g->buffer = s.buf + s.n * SCAN_SEG;
			g->size = left < SCAN_SEG ? (size_t)left : SCAN_SEG;
			at += g->size;
			if (++s.n == SCAN_SEGS)
				code = flush(&s);
		}
	}
	if (code == ZXC_EXIT_OK && !s.stop)
		code = flush(&s);
	free(s.buf);
	return code;
}

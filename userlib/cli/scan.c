// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading many regions of the target for `find`: in batches of
 * SCAN_SEGS segments of up to SCAN_SEG bytes, one
 * zxproc_process_read_memory_batch() call each, so a scan of a large
 * address space costs a system call per 16 MiB, not per region.
 *
 * Reads are no-fault (ZXPROC_MEMORY_NO_FAULT) unless the caller asks to
 * fault: a scan then neither pages in swapped-out memory nor allocates
 * memory for what the target never touched, and the target's RSS and
 * fault counts stay as they were.  A segment stops short at its first
 * page that is not resident; the rest of it is read again page by page
 * in one batch, so the resident pages after a hole are still searched
 * and the holes are counted (not_resident), not taken for errors.  A
 * module without no-fault reads (0.2) refuses the flag: the scan then
 * reads every page, and says so once.
 *
 * A segment that cannot be read (unmapped or made inaccessible since
 * the maps were read, device memory) is counted as skipped and the scan
 * goes on; the target exiting or exec'ing ends it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "cli.h"

#define SCAN_SEG	((size_t)1 << 20)
#define SCAN_SEGS	16

struct scan {
	const struct zxc_target *t;
	zxproc_memory_seg_t segs[SCAN_SEGS];
	size_t n;
	uint8_t *buf;
	zxproc_memory_seg_t *pages;	/* a segment's rest, page by page */
	size_t page;
	uint32_t options;
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

/* The batch call; falls back to faulting reads on a module without them. */
static zx_status_t read_batch(struct scan *s, zxproc_memory_seg_t *segs,
			      size_t n)
{
	zx_status_t status;

	status = zxproc_process_read_memory_batch(s->t->handle, segs, n,
						  s->options, NULL);
	if (status == ZX_ERR_INVALID_ARGS &&
	    (s->options & ZXPROC_MEMORY_NO_FAULT)) {
		zxc_note("the loaded module has no no-fault reads (0.2): every page is read, faulting in those not resident");
		s->options &= ~ZXPROC_MEMORY_NO_FAULT;
		status = zxproc_process_read_memory_batch(s->t->handle, segs, n,
							  s->options, NULL);
	}
	return status;
}

/* 0, or 1 when @chunk says stop, -1 when it failed. */
static int emit(struct scan *s, uint64_t addr, const uint8_t *buf, size_t len)
{
	int ret;

	if (len == 0)
		return 0;
	ret = s->chunk(s->ctx, addr, buf, len);
	if (ret >= 0)
		s->stats->bytes += len;
	return ret;
}

/*
 * @g stopped short at a page that is not resident (no-fault reads): the
 * bytes before it are in its buffer; read the rest page by page.  An
 * exit code; s->stop set when @chunk says stop.
 */
static int rest_by_page(struct scan *s, const zxproc_memory_seg_t *g)
{
	uint64_t at = g->vaddr + g->actual, end = g->vaddr + g->size;
	/* Where the bytes not yet passed on start: @g's own, read already. */
	uint64_t run = g->vaddr;
	zx_status_t status;
	size_t n = 0, i;
	int ret;

	while (at < end) {
		uint64_t next = (at / s->page + 1) * s->page;

		s->pages[n] = (zxproc_memory_seg_t){
			.vaddr = at,
			.buffer = (uint8_t *)g->buffer + (at - g->vaddr),
			.size = (size_t)((next < end ? next : end) - at),
		};
		at += s->pages[n++].size;
	}
	/*
	 * The first page too: what stopped @g may have been something
	 * else (unmapped meanwhile), which its own status then tells.
	 */
	status = read_batch(s, s->pages, n);
	if (status != ZX_OK && (status != ZX_ERR_BAD_STATE || ended(s->t)))
		return zxc_status_fail(ZXC_OP_READ, status, s->t->pid,
				       s->t->handle, s->pages[0].vaddr);
	for (i = 0; i < n; i++) {
		zxproc_memory_seg_t *p = &s->pages[i];

		if (p->status == ZX_ERR_BAD_STATE && ended(s->t))
			return zxc_status_fail(ZXC_OP_READ, p->status, s->t->pid,
					       s->t->handle, p->vaddr);
		if (p->status == ZX_OK && p->actual == p->size)
			continue;
		/* A gap: pass on the run of pages read before it. */
		ret = emit(s, run, (uint8_t *)g->buffer + (run - g->vaddr),
			   (size_t)(p->vaddr - run));
		if (ret == 0)
			ret = emit(s, p->vaddr, p->buffer, p->actual);
		if (ret != 0)
			goto stopped;
		if (p->status == ZX_ERR_SHOULD_WAIT || p->status == ZX_OK)
			s->stats->not_resident += p->size - p->actual;
		else
			s->stats->skipped += p->size - p->actual;
		run = p->vaddr + p->size;
	}
	ret = emit(s, run, (uint8_t *)g->buffer + (run - g->vaddr),
		   (size_t)(end - run));
	if (ret == 0)
		return ZXC_EXIT_OK;
stopped:
	if (ret < 0) {
		zxc_err("cannot write the matches to standard output");
		return ZXC_EXIT_FAILURE;
	}
	s->stop = true;
	return ZXC_EXIT_OK;
}

static int flush(struct scan *s)
{
	zx_status_t status;
	size_t i;
	int ret, code;

	if (s->n == 0)
		return ZXC_EXIT_OK;
	status = read_batch(s, s->segs, s->n);
	if (status != ZX_OK && (status != ZX_ERR_BAD_STATE || ended(s->t)))
		return zxc_status_fail(ZXC_OP_READ, status, s->t->pid,
				       s->t->handle, s->segs[0].vaddr);
	for (i = 0; i < s->n && !s->stop; i++) {
		zxproc_memory_seg_t *g = &s->segs[i];

		if (g->status == ZX_ERR_BAD_STATE && ended(s->t))
			return zxc_status_fail(ZXC_OP_READ, g->status, s->t->pid,
					       s->t->handle, g->vaddr + g->actual);
		zxc_progress_add(s->progress, g->size);
		if (g->actual < g->size &&
		    (s->options & ZXPROC_MEMORY_NO_FAULT) &&
		    (g->status == ZX_OK || g->status == ZX_ERR_SHOULD_WAIT)) {
			code = rest_by_page(s, g);
			if (code != ZXC_EXIT_OK)
				return code;
			continue;
		}
		ret = emit(s, g->vaddr, g->buffer, g->actual);
		if (ret < 0) {
			zxc_err("cannot write the matches to standard output");
			return ZXC_EXIT_FAILURE;
		}
		s->stats->skipped += g->size - g->actual;
		if (ret > 0)
			s->stop = true;
	}
	s->n = 0;
	return ZXC_EXIT_OK;
}

int zxc_scan(const struct zxc_target *t, const struct zxc_maps *regions,
	     bool fault, struct zxc_progress *progress,
	     int (*chunk)(void *ctx, uint64_t addr, const uint8_t *buf,
			  size_t len),
	     void *ctx, struct zxc_scan_stats *stats)
{
	struct scan s = {
		.t = t, .progress = progress, .chunk = chunk, .ctx = ctx,
		.stats = stats, .page = (size_t)sysconf(_SC_PAGESIZE),
		.options = fault ? 0 : ZXPROC_MEMORY_NO_FAULT,
	};
	int code = ZXC_EXIT_OK;
	size_t r;

	memset(stats, 0, sizeof(*stats));
	s.buf = malloc(SCAN_SEG * SCAN_SEGS);
	/* One segment, page by page: at most SCAN_SEG / page + 1 pieces. */
	s.pages = calloc(SCAN_SEG / s.page + 1, sizeof(*s.pages));
	if (s.buf == NULL || s.pages == NULL) {
		zxc_err("out of memory");
		code = ZXC_EXIT_FAILURE;
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
	free(s.pages);
	free(s.buf);
	return code;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Batch segments for the suites of zxproc_process_*_memory_batch(), on
 * the host (tests/host/lib_memory_args_test.c) and in the guest
 * (batch_test.c): filling one in with sentinels in its out-fields, and
 * checking what a call wrote back.
 */
#ifndef ZXPROC_TESTS_USERLIB_SEGS_H
#define ZXPROC_TESTS_USERLIB_SEGS_H

#include <stddef.h>

#include <zxproc/zxproc.h>

#define SEG_SENTINEL ((size_t)0x5a5a5a5a)
#define SEG_SENTINEL_STATUS ((zx_status_t)0x5a5a)

/* A segment, with sentinels in status and actual. */
static inline void seg_set(zxproc_memory_seg_t *seg, zx_vaddr_t vaddr,
			   void *buffer, size_t size)
{
	*seg = (zxproc_memory_seg_t) {
		.vaddr = vaddr,
		.buffer = buffer,
		.size = size,
		.status = SEG_SENTINEL_STATUS,
		.actual = SEG_SENTINEL,
	};
}

/* No out-field of the @n segments written. */
static inline int segs_untouched(const zxproc_memory_seg_t *segs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (segs[i].status != SEG_SENTINEL_STATUS ||
		    segs[i].actual != SEG_SENTINEL)
			return 0;
	return 1;
}

/* Every one of the @n segments says @status, with nothing copied. */
static inline int segs_all(const zxproc_memory_seg_t *segs, size_t n,
			   zx_status_t status)
{
	for (size_t i = 0; i < n; i++)
		if (segs[i].status != status || segs[i].actual != 0)
			return 0;
	return 1;
}

#endif /* ZXPROC_TESTS_USERLIB_SEGS_H */

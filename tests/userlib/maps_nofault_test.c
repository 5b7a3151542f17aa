// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libzxproc's ZX_INFO_PROCESS_MAPS and ZXPROC_MEMORY_NO_FAULT, through
 * the public API, in the guest: the Zircon tree (address space, root
 * region, then each mapping) against the kernel's ZXPROC_IOC_MAPS on
 * the same stopped target, Zircon's buffer/actual/avail rules, the
 * rights and a gone target; and no-fault reads' statuses (SHOULD_WAIT
 * for an absent first page, a short count after a present one, per
 * segment in a batch), writes refusing the option.
 */
#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define MAX 512

FIXTURE(lm) {
	pid_t target;
	zx_handle_t h;
	size_t page;
	uint8_t *anon;		/* 4 pages: page 0 written before the fork */
	zx_info_maps_t *rec;
	struct zxproc_map *raw;
};

FIXTURE_SETUP(lm)
{
	self->page = zx_page();
	self->anon = mmap(NULL, 4 * self->page, PROT_READ | PROT_WRITE | PROT_EXEC,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->anon);
	zx_fill(self->anon, self->page, 9);
	self->rec = calloc(MAX, sizeof(*self->rec));
	self->raw = calloc(MAX, sizeof(*self->raw));
	ASSERT_TRUE(self->rec && self->raw);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
	ASSERT_EQ(ZX_OK, zxproc_process_open(self->target, ZXPROC_PROCESS_RIGHTS,
					     &self->h));
}

FIXTURE_TEARDOWN(lm)
{
	zx_handle_close(self->h);
	zx_reap(self->target);
	free(self->rec);
	free(self->raw);
}

/* The kernel's own answer on the same handle: the count. */
static uint32_t raw_maps(int fd, struct zxproc_map *raw)
{
	struct zxproc_maps req = {
		.entries = zx_ptr(raw), .count = MAX, .entry_size = sizeof(*raw),
	};

	if (zx_ioctl(fd, ZXPROC_IOC_MAPS, &req))
		return 0;
	return req.actual;
}

TEST_F(lm, tree_matches_kernel)
{
	size_t actual = 0, avail = 0, i;
	uint32_t n = raw_maps(zxproc_handle_fd(self->h), self->raw);
	bool found = false;

	ASSERT_LT(8U, n);
	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS,
					    self->rec, MAX * sizeof(*self->rec),
					    &actual, &avail));
	ASSERT_EQ(n + 2, actual);
	ASSERT_EQ(n + 2, avail);
	ASSERT_EQ(ZX_INFO_MAPS_TYPE_ASPACE, self->rec[0].type);
	ASSERT_EQ(0U, self->rec[0].depth);
	ASSERT_EQ(ZX_INFO_MAPS_TYPE_VMAR, self->rec[1].type);
	ASSERT_EQ(1U, self->rec[1].depth);
	ASSERT_EQ(self->raw[0].start, self->rec[1].base);
	ASSERT_EQ(self->raw[n - 1].end - self->raw[0].start, self->rec[1].size);
	for (i = 0; i < n; i++) {
		const zx_info_maps_t *r = &self->rec[i + 2];
		const struct zxproc_map *m = &self->raw[i];
		zx_vm_option_t want = 0;

		if (m->flags & ZXPROC_MAP_READ)
			want |= ZX_VM_PERM_READ;
		if (m->flags & ZXPROC_MAP_WRITE)
			want |= ZX_VM_PERM_WRITE;
		if (m->flags & ZXPROC_MAP_EXEC)
			want |= ZX_VM_PERM_EXECUTE;
		ASSERT_EQ(ZX_INFO_MAPS_TYPE_MAPPING, r->type);
		ASSERT_EQ(2U, r->depth);
		ASSERT_EQ(m->start, r->base);
		ASSERT_EQ(m->end - m->start, r->size);
		ASSERT_EQ(want, r->u.mapping.mmu_flags);
		ASSERT_EQ(m->inode, r->u.mapping.vmo_koid);
		ASSERT_EQ(m->offset, r->u.mapping.vmo_offset);
		ASSERT_EQ(0U, r->u.mapping.committed_pages);
		ASSERT_EQ(0, strncmp(m->name, r->name, ZX_MAX_NAME_LEN - 1));
		ASSERT_EQ(0, r->name[ZX_MAX_NAME_LEN - 1]);
		if (r->base == (zx_vaddr_t)self->anon) {
			ASSERT_EQ(4 * self->page, r->size);
			ASSERT_EQ(ZX_VM_PERM_READ | ZX_VM_PERM_WRITE |
				  ZX_VM_PERM_EXECUTE, r->u.mapping.mmu_flags);
			found = true;
		}
	}
	ASSERT_TRUE(found);
}

/* NULL and 0 for the count; a short buffer is no error. */
TEST_F(lm, buffer_rules)
{
	size_t actual = 99, avail = 0, all;

	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS, NULL,
					    0, &actual, &avail));
	ASSERT_EQ(0U, actual);
	all = avail;
	ASSERT_LT(10U, all);
	memset(self->rec, 0x5a, 4 * sizeof(*self->rec));
	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS,
					    self->rec, 3 * sizeof(*self->rec) + 95,
					    &actual, &avail));
	ASSERT_EQ(3U, actual);
	ASSERT_EQ(all, avail);
	ASSERT_EQ(ZX_INFO_MAPS_TYPE_MAPPING, self->rec[2].type);
	ASSERT_EQ(-1, zx_not_all(&self->rec[3], 0x5a, sizeof(self->rec[3])));
	ASSERT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS,
					    self->rec, MAX * sizeof(*self->rec),
					    NULL, NULL));
	ASSERT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS, NULL, 96,
				     &actual, &avail));
}

TEST_F(lm, rights_and_gone_target)
{
	size_t actual, avail;
	zx_handle_t h;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE,
					     &h));
	ASSERT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_object_get_info(h, ZX_INFO_PROCESS_MAPS, NULL, 0, &actual,
				     &avail));
	zx_handle_close(h);
	zx_reap(self->target);
	self->target = 0;
	ASSERT_EQ(ZX_ERR_BAD_STATE,
		  zx_object_get_info(self->h, ZX_INFO_PROCESS_MAPS, self->rec,
				     MAX * sizeof(*self->rec), &actual, &avail));
}

TEST_F(lm, no_fault_reads)
{
	size_t pg = self->page, actual = 77;
	uint8_t *buf = malloc(4 * pg);
	zxproc_memory_seg_t segs[3] = {
		{ .vaddr = (zx_vaddr_t)self->anon, .buffer = buf, .size = 2 * pg },
		{ .vaddr = (zx_vaddr_t)self->anon + pg, .buffer = buf + 2 * pg,
		  .size = pg },
		{ .vaddr = 0x1000, .buffer = buf + 3 * pg, .size = pg },
	};

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(ZX_OK, zxproc_process_read_memory_ex(self->h,
			(zx_vaddr_t)self->anon, buf, 4 * pg,
			ZXPROC_MEMORY_NO_FAULT, &actual));
	ASSERT_EQ(pg, actual);
	ASSERT_EQ(-1, zx_differs(getpid(), zx_ptr(buf), self->anon, pg));
	actual = 77;
	ASSERT_EQ(ZX_ERR_SHOULD_WAIT, zxproc_process_read_memory_ex(self->h,
			(zx_vaddr_t)self->anon + pg, buf, pg,
			ZXPROC_MEMORY_NO_FAULT, &actual));
	ASSERT_EQ(77U, actual);
	ASSERT_EQ(ZX_ERR_SHOULD_WAIT, zxproc_process_read_memory_ex(self->h,
			(zx_vaddr_t)self->anon, buf, 2 * pg,
			ZXPROC_MEMORY_NO_FAULT | ZXPROC_MEMORY_ALL_OR_NOTHING,
			&actual));
	ASSERT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 3,
			ZXPROC_MEMORY_NO_FAULT, &actual));
	ASSERT_EQ(ZX_OK, segs[0].status);
	ASSERT_EQ(pg, segs[0].actual);
	ASSERT_EQ(ZX_ERR_SHOULD_WAIT, segs[1].status);
	ASSERT_EQ(0U, segs[1].actual);
	ASSERT_EQ(ZX_ERR_NO_MEMORY, segs[2].status);
	ASSERT_EQ(pg, actual);
	ASSERT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_write_memory_ex(self->h,
			(zx_vaddr_t)self->anon, buf, 8, ZXPROC_MEMORY_NO_FAULT,
			&actual));
	free(buf);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_write_memory_batch() and _read_memory_batch() through
 * the real module: each segment gets its own status and count, in
 * order, whatever the others do; the call's own errors (rights, handle,
 * a target that is gone) mark every segment; the limits are the
 * kernel's, and a refused call writes nothing anywhere.  Every claim is
 * checked by reading the target back independently (process_vm_readv).
 */
#include "kselftest_harness.h"
#include "target.h"
#include "readback.h"
#include "segs.h"

#define SENTINEL SEG_SENTINEL
#define AON ZXPROC_MEMORY_ALL_OR_NOTHING

FIXTURE(batch) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
	zx_vaddr_t va;		/* target_region in the target */
	uint8_t data[4][64];	/* one source per segment */
};

FIXTURE_SETUP(batch)
{
	self->pid = 0;
	self->h = ZX_HANDLE_INVALID;
	self->va = (zx_vaddr_t)target_region;
	for (int i = 0; i < 4; i++)
		memset(self->data[i], 0xa0 + i, sizeof(self->data[i]));
}

FIXTURE_TEARDOWN(batch)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

/* Three segments, one across the page boundary; then read them back. */
TEST_F(batch, write_and_read_back)
{
	zxproc_memory_seg_t segs[3];
	uint8_t got[3][64];
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	seg_set(&segs[0], self->va + 16, self->data[0], 10);
	seg_set(&segs[1], self->va + PAGE - 32, self->data[1], 64);
	seg_set(&segs[2], self->va + PAGE + 200, self->data[2], 1);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 3, 0,
							   &actual));
	EXPECT_EQ(75u, actual);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(ZX_OK, segs[i].status);
		EXPECT_EQ(segs[i].size, segs[i].actual);
	}
	EXPECT_TRUE(holds(self->pid, self->va + 16, 10, 0xa0));
	EXPECT_TRUE(holds(self->pid, self->va + PAGE - 32, 64, 0xa1));
	EXPECT_TRUE(holds(self->pid, self->va + PAGE + 200, 1, 0xa2));
	/* The bytes between them are the target's own. */
	ASSERT_EQ(0, peek(self->pid, self->va, got[0], 16));
	for (size_t i = 0; i < 16; i++)
		EXPECT_EQ(target_pattern(i), got[0][i]);

	memset(got, 0, sizeof(got));
	seg_set(&segs[0], self->va + 16, got[0], 10);
	seg_set(&segs[1], self->va + PAGE - 32, got[1], 64);
	seg_set(&segs[2], self->va + PAGE + 200, got[2], 1);
	actual = SENTINEL;
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 3,
							  AON, &actual));
	EXPECT_EQ(75u, actual);
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(ZX_OK, segs[i].status);
		EXPECT_EQ(segs[i].size, segs[i].actual);
		EXPECT_TRUE(filled(got[i], segs[i].size, 0xa0 + i));
	}
	/* actual is optional. */
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 3, 0,
							  NULL));
}

/* Segments run in order: the last one to write a byte wins. */
TEST_F(batch, segments_run_in_order)
{
	zxproc_memory_seg_t segs[3];

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	seg_set(&segs[0], self->va + 100, self->data[0], 8);
	seg_set(&segs[1], self->va + 100, self->data[1], 8);
	seg_set(&segs[2], self->va + 104, self->data[2], 2);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 3, 0,
							   NULL));
	EXPECT_TRUE(holds(self->pid, self->va + 100, 4, 0xa1));
	EXPECT_TRUE(holds(self->pid, self->va + 104, 2, 0xa2));
	EXPECT_TRUE(holds(self->pid, self->va + 106, 2, 0xa1));
}

/*
 * One batch, one segment of each kind: a good one, nothing mapped, a
 * read-only shared file page, a range running into a hole (short, with
 * options 0), a source buffer the caller cannot read, another good
 * one.  The call is ZX_OK; each segment says what happened to it, and
 * the target shows exactly that.
 */
TEST_F(batch, statuses_per_segment)
{
	uint8_t *map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = page_file();
	uint8_t *ro;
	zxproc_memory_seg_t segs[6];
	size_t actual = SENTINEL;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	memset(map, 0x55, PAGE);
	ASSERT_LE(0, fd);
	ro = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));

	seg_set(&segs[0], self->va, self->data[0], 16);
	seg_set(&segs[1], 0x1000, self->data[1], 16);
	seg_set(&segs[2], (zx_vaddr_t)ro + 8, self->data[2], 16);
	seg_set(&segs[3], (zx_vaddr_t)map + PAGE - 8, self->data[3], 16);
	seg_set(&segs[4], self->va + 64, (void *)16, 16);
	seg_set(&segs[5], self->va + PAGE, self->data[1], 32);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 6, 0,
							   &actual));
	EXPECT_EQ(ZX_OK, segs[0].status);
	EXPECT_EQ(16u, segs[0].actual);
	EXPECT_EQ(ZX_ERR_NO_MEMORY, segs[1].status);
	EXPECT_EQ(0u, segs[1].actual);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, segs[2].status);
	EXPECT_EQ(0u, segs[2].actual);
	EXPECT_EQ(ZX_OK, segs[3].status);
	EXPECT_EQ(8u, segs[3].actual);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, segs[4].status);
	EXPECT_EQ(0u, segs[4].actual);
	EXPECT_EQ(ZX_OK, segs[5].status);
	EXPECT_EQ(32u, segs[5].actual);
	EXPECT_EQ(16u + 8 + 32, actual);

	EXPECT_TRUE(holds(self->pid, self->va, 16, 0xa0));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)ro, PAGE, 'F'));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE - 8, 0x55));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + PAGE - 8, 8, 0xa3));
	EXPECT_TRUE(holds(self->pid, self->va + PAGE, 32, 0xa1));
	{
		uint8_t got[16];

		ASSERT_EQ(0, peek(self->pid, self->va + 64, got, 16));
		for (size_t i = 0; i < 16; i++)
			EXPECT_EQ(target_pattern(64 + i), got[i]);
	}
	munmap(ro, PAGE);
	close(fd);
	munmap(map, PAGE);
}

/*
 * A segment that copies some bytes and then fails reports both: its
 * status and, in its actual, the bytes it moved, which *actual counts
 * too.  Writing, the source runs from a readable page into a hole;
 * reading, the destination runs from a writable page into a read-only
 * one.  All or nothing, the same reads move nothing (the kernel pins
 * the buffer before it copies).
 */
TEST_F(batch, segment_failing_partway_reports_its_bytes)
{
	uint8_t *src = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *dst = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zxproc_memory_seg_t segs[3];
	size_t actual = SENTINEL;
	uint8_t got[24];

	ASSERT_NE(MAP_FAILED, src);
	ASSERT_NE(MAP_FAILED, dst);
	memset(src, 0x66, PAGE);
	ASSERT_EQ(0, munmap(src + PAGE, PAGE));
	memset(dst, 0xee, 2 * PAGE);
	ASSERT_EQ(0, mprotect(dst + PAGE, PAGE, PROT_READ));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));

	seg_set(&segs[0], self->va, self->data[0], 8);
	seg_set(&segs[1], self->va + 100, src + PAGE - 16, 24);
	seg_set(&segs[2], self->va + 200, self->data[2], 8);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 3, 0,
							   &actual));
	EXPECT_EQ(ZX_OK, segs[0].status);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, segs[1].status);
	EXPECT_EQ(16u, segs[1].actual);
	EXPECT_EQ(ZX_OK, segs[2].status);
	EXPECT_EQ(8u + 16 + 8, actual);
	EXPECT_TRUE(holds(self->pid, self->va + 100, 16, 0x66));
	ASSERT_EQ(0, peek(self->pid, self->va + 116, got, 8));
	for (size_t i = 0; i < 8; i++)
		EXPECT_EQ(target_pattern(116 + i), got[i]);

	seg_set(&segs[0], self->va + 300, dst + PAGE - 16, 24);
	seg_set(&segs[1], self->va + 400, self->data[3], 8);
	actual = SENTINEL;
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 2, 0,
							  &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, segs[0].status);
	EXPECT_EQ(16u, segs[0].actual);
	EXPECT_EQ(ZX_OK, segs[1].status);
	EXPECT_EQ(16u + 8, actual);
	for (size_t i = 0; i < 16; i++)
		EXPECT_EQ(target_pattern(300 + i), dst[PAGE - 16 + i]);
	EXPECT_TRUE(filled(dst + PAGE, PAGE, 0xee));

	memset(dst, 0xee, PAGE);
	seg_set(&segs[0], self->va + 300, dst + PAGE - 16, 24);
	seg_set(&segs[1], self->va + 400, self->data[3], 8);
	actual = SENTINEL;
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 2,
							  AON, &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, segs[0].status);
	EXPECT_EQ(0u, segs[0].actual);
	EXPECT_EQ(ZX_OK, segs[1].status);
	EXPECT_EQ(8u, actual);
	EXPECT_TRUE(filled(dst, 2 * PAGE, 0xee));
	munmap(src, PAGE);
	munmap(dst, 2 * PAGE);
}

/*
 * All or nothing applies to each segment: the segment running into the
 * hole now writes nothing (NO_MEMORY); its neighbours are unaffected.
 */
TEST_F(batch, all_or_nothing_per_segment)
{
	uint8_t *map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zxproc_memory_seg_t segs[3];
	size_t actual = SENTINEL;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));	/* a hole in the middle */
	memset(map, 0x55, PAGE);
	memset(map + 2 * PAGE, 0x55, PAGE);
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));

	seg_set(&segs[0], self->va + 8, self->data[0], 8);
	/* From the first page, over the hole, into the third. */
	seg_set(&segs[1], (zx_vaddr_t)map + PAGE - 8, target_region, PAGE + 16);
	seg_set(&segs[2], self->va + 32, self->data[2], 8);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 3,
							   AON, &actual));
	EXPECT_EQ(ZX_OK, segs[0].status);
	EXPECT_EQ(ZX_ERR_NO_MEMORY, segs[1].status);
	EXPECT_EQ(0u, segs[1].actual);
	EXPECT_EQ(ZX_OK, segs[2].status);
	EXPECT_EQ(16u, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE, 0x55));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 2 * PAGE, PAGE, 0x55));
	EXPECT_TRUE(holds(self->pid, self->va + 8, 8, 0xa0));
	EXPECT_TRUE(holds(self->pid, self->va + 32, 8, 0xa2));

	/* Reading: the same, and the failed segment's buffer untouched. */
	{
		uint8_t got[2][PAGE + 16];

		memset(got, 0xee, sizeof(got));
		seg_set(&segs[0], (zx_vaddr_t)map + PAGE - 8, got[0],
			PAGE + 16);
		seg_set(&segs[1], (zx_vaddr_t)map + PAGE - 8, got[1], 8);
		EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h,
				segs, 2, AON, &actual));
		EXPECT_EQ(ZX_ERR_NO_MEMORY, segs[0].status);
		EXPECT_TRUE(filled(got[0], sizeof(got[0]), 0xee));
		EXPECT_EQ(ZX_OK, segs[1].status);
		EXPECT_EQ(8u, segs[1].actual);
		EXPECT_TRUE(filled(got[1], 8, 0x55));
		EXPECT_EQ(8u, actual);
		/* Options 0: the first segment is short instead. */
		EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h,
				segs, 2, 0, &actual));
		EXPECT_EQ(ZX_OK, segs[0].status);
		EXPECT_EQ(8u, segs[0].actual);
		EXPECT_EQ(16u, actual);
	}
	munmap(map, PAGE);
	munmap(map + 2 * PAGE, PAGE);
}

/* Device memory in one segment: BAD_STATE there, the others copied. */
TEST_F(batch, device_memory_segment)
{
	void *dev = device_page(NULL);
	zxproc_memory_seg_t segs[2];
	uint8_t got[2][8];

	if (dev == MAP_FAILED)
		SKIP(return, "no device memory: %s", strerror(errno));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	memset(got, 0xee, sizeof(got));
	seg_set(&segs[0], (zx_vaddr_t)dev, got[0], 8);
	seg_set(&segs[1], self->va, got[1], 8);
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, segs, 2, 0,
							  NULL));
	EXPECT_EQ(ZX_ERR_BAD_STATE, segs[0].status);
	EXPECT_TRUE(filled(got[0], 8, 0xee));
	EXPECT_EQ(ZX_OK, segs[1].status);
	EXPECT_EQ(target_pattern(0), got[1][0]);
	seg_set(&segs[0], (zx_vaddr_t)dev, self->data[0], 8);
	seg_set(&segs[1], self->va, self->data[1], 8);
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, 2,
							   AON, NULL));
	EXPECT_EQ(ZX_ERR_BAD_STATE, segs[0].status);
	EXPECT_EQ(ZX_OK, segs[1].status);
	EXPECT_TRUE(holds(self->pid, self->va, 8, 0xa1));
	munmap(dev, PAGE);
}

/*
 * Errors of the whole call: every segment gets the call's status and a
 * count of 0, and the target is untouched.
 */
TEST_F(batch, call_errors_mark_every_segment)
{
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	zxproc_memory_seg_t segs[3];
	zx_handle_t ro, wo, dup;
	uint8_t got[3][16];
	size_t actual;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_WRITE, &wo));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	for (int i = 0; i < 3; i++)
		seg_set(&segs[i], self->va + 16 * i, self->data[i], 16);

	actual = SENTINEL;
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_write_memory_batch(ro, segs, 3, 0, &actual));
	EXPECT_TRUE(segs_all(segs, 3, ZX_ERR_ACCESS_DENIED));
	EXPECT_EQ(0u, actual);
	actual = SENTINEL;
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_write_memory_batch(dup, segs, 3, AON,
						    &actual));
	EXPECT_TRUE(segs_all(segs, 3, ZX_ERR_BAD_HANDLE));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_batch(zxproc_handle_from_fd(fd),
						    segs, 3, 0, &actual));
	EXPECT_TRUE(segs_all(segs, 3, ZX_ERR_WRONG_TYPE));
	EXPECT_TRUE(target_untouched(self->pid));

	memset(got, 0xee, sizeof(got));
	for (int i = 0; i < 3; i++)
		seg_set(&segs[i], self->va + 16 * i, got[i], 16);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_read_memory_batch(wo, segs, 3, 0, &actual));
	EXPECT_TRUE(segs_all(segs, 3, ZX_ERR_ACCESS_DENIED));
	EXPECT_TRUE(filled(&got[0][0], sizeof(got), 0xee));
	zx_handle_close(ro);
	zx_handle_close(wo);
	close(fd);
}

/* The target exited (a zombie), or another one exec'd: BAD_STATE. */
TEST_F(batch, bad_state_after_exit_and_exec)
{
	zxproc_memory_seg_t segs[2];
	size_t actual = SENTINEL;
	zx_handle_t h;
	pid_t pid;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	ASSERT_EQ(0, target_kill_unreaped(self->pid));
	seg_set(&segs[0], self->va, self->data[0], 8);
	seg_set(&segs[1], self->va + 8, self->data[1], 8);
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_write_memory_batch(self->h, segs, 2, 0,
						    &actual));
	EXPECT_TRUE(segs_all(segs, 2, ZX_ERR_BAD_STATE));
	EXPECT_EQ(0u, actual);

	pid = exec_after_open(ZXPROC_PROCESS_RIGHTS, &h);
	ASSERT_LT(0, pid);
	seg_set(&segs[0], self->va, self->data[0], 8);
	seg_set(&segs[1], self->va + 8, self->data[1], 8);
	actual = SENTINEL;
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_read_memory_batch(h, segs, 2, AON, &actual));
	EXPECT_TRUE(segs_all(segs, 2, ZX_ERR_BAD_STATE));
	EXPECT_EQ(0u, actual);
	EXPECT_TRUE(filled(self->data[0], 8, 0xa0));
	zx_handle_close(h);
	target_reap(pid);
}

/*
 * The limits: 1024 one-byte segments work; 1025 segments, a total of
 * 64 MiB + 1, a bad last segment or (all or nothing) an unreadable
 * source in the last segment refuse the whole call, and nothing is
 * written, not even by the first segments.
 */
TEST_F(batch, limits_and_refusals)
{
	static zxproc_memory_seg_t segs[ZXPROC_MEMORY_MAX_SEGMENTS + 1];
	static uint8_t src[ZXPROC_MEMORY_MAX_SEGMENTS];
	uint8_t *hole = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t got[ZXPROC_MEMORY_MAX_SEGMENTS];
	size_t actual = SENTINEL;
	size_t n = ZXPROC_MEMORY_MAX_SEGMENTS;

	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole + PAGE, PAGE));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	for (size_t i = 0; i <= n; i++) {
		src[i % n] = (uint8_t)~i;
		seg_set(&segs[i], self->va + i % n, &src[i % n], 1);
	}

	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zxproc_process_write_memory_batch(self->h, segs, n + 1, 0,
						    &actual));
	EXPECT_TRUE(segs_untouched(segs, n + 1));
	segs[n - 1].size = 64 << 20;	/* 1023 + 64 MiB */
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zxproc_process_write_memory_batch(self->h, segs, n, 0,
						    &actual));
	segs[n - 1].size = 0;
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_batch(self->h, segs, n, 0,
						    &actual));
	segs[n - 1].size = 1;
	segs[n - 1].buffer = hole + PAGE;
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_batch(self->h, segs, n, AON,
						    &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(segs_untouched(segs, n));
	EXPECT_TRUE(target_untouched(self->pid));

	segs[n - 1].buffer = &src[n - 1];
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, segs, n, 0,
							   &actual));
	EXPECT_EQ(n, actual);
	for (size_t i = 0; i < n; i++) {
		ASSERT_EQ(ZX_OK, segs[i].status);
		ASSERT_EQ(1u, segs[i].actual);
	}
	ASSERT_EQ(0, peek(self->pid, self->va, got, n));
	EXPECT_EQ(0, memcmp(got, src, n));
	munmap(hole, PAGE);
}

TEST_HARNESS_MAIN

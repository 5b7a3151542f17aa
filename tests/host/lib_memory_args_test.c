// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The argument checks of zxproc_process_{write,read}_memory_ex() and
 * zxproc_process_{write,read}_memory_batch(), on the host (no module):
 * unknown option bits, bad buffers and sizes, the batch's limits, each
 * refused before any system call (the seccomp trap of syscall_trap.h
 * counts every call the library could make), with the caller's outputs
 * left as they were.  Then the checks that do reach the kernel or the
 * caller's own memory: the limits are inclusive, a descriptor that is
 * not a process handle is WRONG_TYPE for every segment, and an
 * all-or-nothing batch refuses an unreadable source buffer before the
 * handle is used (a single all-or-nothing write leaves that to the
 * kernel, after the handle).  And zxproc_process_compare_exchange()'s:
 * size, alignment, values wider than the size, a NULL *old.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>

#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "syscall_trap.h"
#include "../userlib/segs.h"

#define MIB ((size_t)1024 * 1024)
#define PAGE 4096
#define SENTINEL SEG_SENTINEL
#define NSEGS 4

/* Segments over @buf, 8 bytes each, out-fields set to sentinels. */
static void segs_init(zxproc_memory_seg_t *segs, size_t n, char *buf)
{
	for (size_t i = 0; i < n; i++)
		seg_set(&segs[i], (zx_vaddr_t)(buf + 8 * (i % NSEGS)),
			buf + 8 * (i % NSEGS), 8);
}

typedef zx_status_t (*batch_fn)(zx_handle_t, zxproc_memory_seg_t *, size_t,
				uint32_t, size_t *);
static const batch_fn batches[] = {
	zxproc_process_write_memory_batch,
	zxproc_process_read_memory_batch,
};

FIXTURE(nosyscall) {
	zx_handle_t closed;	/* a descriptor that is not open */
	zx_handle_t devnull;	/* an open descriptor, not a handle */
	char buf[NSEGS * 8];
};

FIXTURE_SETUP(nosyscall)
{
	zxproc_memory_seg_t segs[NSEGS];
	size_t actual = SENTINEL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->devnull = zxproc_handle_from_fd(fd);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	self->closed = zxproc_handle_from_fd(fd);
	memset(self->buf, 0x11, sizeof(self->buf));

	/* Without the filter, these handles reach the kernel. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_read_memory_ex(self->closed,
			(zx_vaddr_t)self->buf, self->buf, 8,
			ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(self->devnull,
			(zx_vaddr_t)self->buf, self->buf, 8,
			ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(SENTINEL, actual);
	segs_init(segs, NSEGS, self->buf);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_batch(self->devnull, segs, NSEGS,
						    0, &actual));
	EXPECT_TRUE(segs_all(segs, NSEGS, ZX_ERR_WRONG_TYPE));
	EXPECT_EQ(0u, actual);
	{
		uint64_t old = SENTINEL;

		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zxproc_process_compare_exchange(self->closed, 0x1000,
							  8, 0, 0, &old));
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zxproc_process_compare_exchange(self->devnull, 0x1000,
							  8, 0, 0, &old));
		EXPECT_EQ((uint64_t)SENTINEL, old);
	}

	ASSERT_EQ(0, trap_library_syscalls());
	trapped = 0;
}

FIXTURE_TEARDOWN(nosyscall)
{
	EXPECT_EQ(0, trapped) TH_LOG("system call %d was made", trapped_nr);
}

/*
 * The trap sees these functions' system calls: one ioctl for a single
 * range, all or nothing or not (the kernel checks the caller's buffer);
 * for an all-or-nothing batch write, the probe of the sources before
 * it.
 */
TEST_F(nosyscall, trap_sees_library_calls)
{
	zxproc_memory_seg_t segs[NSEGS];
	size_t actual = SENTINEL;

	EXPECT_NE(ZX_OK, zxproc_process_read_memory_ex(self->devnull,
		  (zx_vaddr_t)self->buf, self->buf, 8,
		  ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(1, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	trapped = 0;
	EXPECT_NE(ZX_OK, zxproc_process_write_memory_ex(self->devnull,
		  (zx_vaddr_t)self->buf, self->buf, 8,
		  ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(1, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	trapped = 0;
	segs_init(segs, NSEGS, self->buf);
	EXPECT_NE(ZX_OK, zxproc_process_read_memory_batch(self->devnull, segs,
							  NSEGS, 0, NULL));
	EXPECT_EQ(1, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	trapped = 0;
	segs_init(segs, NSEGS, self->buf);
	EXPECT_NE(ZX_OK, zxproc_process_write_memory_batch(self->devnull, segs,
		  NSEGS, ZXPROC_MEMORY_ALL_OR_NOTHING, NULL));
	/* getpid() and process_vm_readv() for the probe, then the ioctl. */
	EXPECT_LE(2, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	trapped = 0;
}

/* Every _ex argument error, with handle @h. */
static void ex_args(struct __test_metadata *_metadata, zx_handle_t h,
		    char *buf)
{
	const size_t sizes[] = { 0, 64 * MIB + 1, SIZE_MAX };
	const uint32_t good[] = { 0, ZXPROC_MEMORY_ALL_OR_NOTHING };
	zx_vaddr_t va = (zx_vaddr_t)buf;
	size_t actual = SENTINEL;
	unsigned int bit;

	/*
	 * Every option bit but the known ones, alone and with one; a write
	 * refuses NO_FAULT too (lib_maps_nofault_args_test.c has its cases).
	 */
	for (bit = 1; bit < 32; bit++) {
		uint32_t bad = (uint32_t)1 << bit;

		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_write_memory_ex(h, va, buf, 8, bad,
							 &actual))
			TH_LOG("option bit %u", bit);
		if (bad == ZXPROC_MEMORY_NO_FAULT)
			continue;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_read_memory_ex(h, va, buf, 8,
				bad | ZXPROC_MEMORY_ALL_OR_NOTHING, &actual))
			TH_LOG("option bit %u", bit);
	}
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(h, va, buf, 8, UINT32_MAX,
						 &actual));
	for (size_t o = 0; o < sizeof(good) / sizeof(good[0]); o++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_write_memory_ex(h, va, NULL, 8,
							 good[o], &actual));
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_read_memory_ex(h, va, NULL, 8,
							good[o], &actual));
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  zxproc_process_write_memory_ex(h, va, buf,
					sizes[i], good[o], &actual))
				TH_LOG("%zu bytes, options %u", sizes[i], good[o]);
			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  zxproc_process_read_memory_ex(h, va, buf,
					sizes[i], good[o], &actual))
				TH_LOG("%zu bytes, options %u", sizes[i], good[o]);
		}
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_write_memory_ex(h, va, buf, 8,
							 good[o], NULL));
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_read_memory_ex(h, va, buf, 8,
							good[o], NULL));
	}
	EXPECT_EQ(SENTINEL, actual);
}

TEST_F(nosyscall, ex_args_closed_handle)
{
	ex_args(_metadata, self->closed, self->buf);
}

TEST_F(nosyscall, ex_args_foreign_fd)
{
	ex_args(_metadata, self->devnull, self->buf);
}

TEST_F(nosyscall, ex_args_invalid_handle)
{
	ex_args(_metadata, ZX_HANDLE_INVALID, self->buf);
}

/*
 * Every zxproc_process_compare_exchange() argument error, with handle
 * @h: no system call, *old untouched.  The kernel's EINVAL cases are
 * all refused here first.
 */
static void cas_args(struct __test_metadata *_metadata, zx_handle_t h)
{
	const size_t bad_sizes[] = { 0, 3, 5, 6, 7, 9, 16, SIZE_MAX };
	const size_t sizes[] = { 1, 2, 4, 8 };
	uint64_t old = SENTINEL;

	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_compare_exchange(h, 0x1000, bad_sizes[i],
							  0, 0, &old))
			TH_LOG("size %zu", bad_sizes[i]);
	}
	for (size_t i = 0; i < 4; i++) {
		size_t size = sizes[i];

		/* Every misalignment. */
		for (size_t off = 1; off < size; off++) {
			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  zxproc_process_compare_exchange(h, 0x1000 + off,
								  size, 0, 0, &old))
				TH_LOG("size %zu, offset %zu", size, off);
		}
		/* A bit above the value's bytes, in either value. */
		if (size < 8) {
			uint64_t over = (uint64_t)1 << (size * 8);

			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  zxproc_process_compare_exchange(h, 0x1000, size,
								  over, 0, &old));
			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  zxproc_process_compare_exchange(h, 0x1000, size,
								  0, UINT64_MAX, &old));
		}
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_compare_exchange(h, 0x1000, size, 0, 0,
							  NULL));
	}
	EXPECT_EQ((uint64_t)SENTINEL, old);
}

TEST_F(nosyscall, cas_args_closed_handle)
{
	cas_args(_metadata, self->closed);
}

TEST_F(nosyscall, cas_args_foreign_fd)
{
	cas_args(_metadata, self->devnull);
}

TEST_F(nosyscall, cas_args_invalid_handle)
{
	cas_args(_metadata, ZX_HANDLE_INVALID);
}

/* The trap sees its one ioctl, and the handles it cannot use. */
TEST_F(nosyscall, cas_reaches_the_kernel)
{
	uint64_t old = SENTINEL;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_compare_exchange(ZX_HANDLE_INVALID, 0x1000, 8,
						  0, 0, &old));
	EXPECT_EQ(0, trapped);
	/* /dev/null: ENOTTY, then INFO (ENOTTY too): not a process handle. */
	EXPECT_NE(ZX_OK, zxproc_process_compare_exchange(self->devnull, 0x1000,
							 8, 0, 0, &old));
	EXPECT_LE(1, trapped);
	EXPECT_EQ(__NR_ioctl, trapped_nr);
	EXPECT_EQ((uint64_t)SENTINEL, old);
	trapped = 0;
}

/* Every batch argument error, with handle @h: nothing written back. */
static void batch_args(struct __test_metadata *_metadata, zx_handle_t h,
		       char *buf)
{
	static zxproc_memory_seg_t many[ZXPROC_MEMORY_MAX_SEGMENTS + 1];
	zxproc_memory_seg_t segs[NSEGS];
	size_t actual = SENTINEL;
	unsigned int bit;

	for (size_t b = 0; b < 2; b++) {
		batch_fn fn = batches[b];

		segs_init(segs, NSEGS, buf);
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, NULL, NSEGS, 0, &actual));
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, segs, 0, 0, &actual));
		for (bit = 1; bit < 32; bit++) {
			/* A read's known option; a write refuses it. */
			if (((uint32_t)1 << bit) == ZXPROC_MEMORY_NO_FAULT &&
			    fn == zxproc_process_read_memory_batch)
				continue;
			EXPECT_EQ(ZX_ERR_INVALID_ARGS,
				  fn(h, segs, NSEGS, (uint32_t)1 << bit,
				     &actual)) TH_LOG("option bit %u", bit);
		}
		/* A bad last segment: every segment is checked first. */
		segs[NSEGS - 1].buffer = NULL;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, segs, NSEGS, 0, &actual));
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  fn(h, segs, NSEGS, ZXPROC_MEMORY_ALL_OR_NOTHING,
			     &actual));
		segs[NSEGS - 1].buffer = buf;
		segs[NSEGS - 1].size = 0;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, segs, NSEGS, 0, &actual));
		segs[NSEGS - 1].size = 64 * MIB + 1;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, segs, NSEGS, 0, &actual));
		segs[NSEGS - 1].size = SIZE_MAX;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, fn(h, segs, NSEGS, 0, &actual));
		/* Each segment within its limit, the sum over the batch's. */
		segs[NSEGS - 1].size = 64 * MIB - 8 * (NSEGS - 1) + 1;
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, fn(h, segs, NSEGS, 0, &actual));
		segs[0].size = 64 * MIB;
		segs[1].size = 64 * MIB;
		segs[NSEGS - 1].size = 8;
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, fn(h, segs, NSEGS, 0, &actual));
		/* One segment too many. */
		segs_init(many, ZXPROC_MEMORY_MAX_SEGMENTS + 1, buf);
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
			  fn(h, many, ZXPROC_MEMORY_MAX_SEGMENTS + 1, 0,
			     &actual));
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, fn(h, many, SIZE_MAX, 0,
						  &actual));
		EXPECT_TRUE(segs_untouched(many, ZXPROC_MEMORY_MAX_SEGMENTS + 1));
		segs[0].size = segs[1].size = 8;
		EXPECT_TRUE(segs_untouched(segs, NSEGS));
	}
	EXPECT_EQ(SENTINEL, actual);
}

TEST_F(nosyscall, batch_args_closed_handle)
{
	batch_args(_metadata, self->closed, self->buf);
}

TEST_F(nosyscall, batch_args_foreign_fd)
{
	batch_args(_metadata, self->devnull, self->buf);
}

TEST_F(nosyscall, batch_args_invalid_handle)
{
	batch_args(_metadata, ZX_HANDLE_INVALID, self->buf);
}

/*
 * Handle values no descriptor can have: BAD_HANDLE with no system
 * call; a batch still writes every segment's result (and the total).
 */
TEST_F(nosyscall, impossible_handles)
{
	const zx_handle_t bad[] = { ZX_HANDLE_INVALID,
				    (zx_handle_t)INT_MAX + 2, UINT32_MAX };
	zxproc_memory_seg_t segs[NSEGS];
	size_t actual;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		actual = SENTINEL;
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zxproc_process_write_memory_ex(bad[i], 0, self->buf,
				8, ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  zxproc_process_read_memory_ex(bad[i], 0, self->buf,
							8, 0, &actual));
		EXPECT_EQ(SENTINEL, actual);
		for (size_t b = 0; b < 2; b++) {
			segs_init(segs, NSEGS, self->buf);
			EXPECT_EQ(ZX_ERR_BAD_HANDLE,
				  batches[b](bad[i], segs, NSEGS,
					     ZXPROC_MEMORY_ALL_OR_NOTHING,
					     &actual));
			EXPECT_TRUE(segs_all(segs, NSEGS, ZX_ERR_BAD_HANDLE));
			EXPECT_EQ(0u, actual);
			/* actual is optional. */
			segs_init(segs, NSEGS, self->buf);
			EXPECT_EQ(ZX_ERR_BAD_HANDLE,
				  batches[b](bad[i], segs, NSEGS, 0, NULL));
			EXPECT_TRUE(segs_all(segs, NSEGS, ZX_ERR_BAD_HANDLE));
		}
	}
}

/* The caller's bytes are never touched by a refused call. */
TEST_F(nosyscall, buffers_untouched)
{
	char want[sizeof(self->buf)];

	memset(want, 0x11, sizeof(want));
	ex_args(_metadata, self->devnull, self->buf);
	batch_args(_metadata, self->devnull, self->buf);
	EXPECT_EQ(0, memcmp(want, self->buf, sizeof(want)));
}

/*
 * The limits are inclusive: 1024 segments, and 64 MiB over a batch,
 * pass the checks and reach the kernel (a closed descriptor: every
 * segment BAD_HANDLE).
 */
TEST(batch_limits_are_inclusive)
{
	static zxproc_memory_seg_t segs[ZXPROC_MEMORY_MAX_SEGMENTS];
	static char big[64 * MIB];
	char buf[NSEGS * 8];
	size_t actual = SENTINEL;
	zx_handle_t closed;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, close(fd));
	closed = zxproc_handle_from_fd(fd);
	for (size_t b = 0; b < 2; b++) {
		segs_init(segs, ZXPROC_MEMORY_MAX_SEGMENTS, buf);
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  batches[b](closed, segs, ZXPROC_MEMORY_MAX_SEGMENTS,
				     0, &actual));
		EXPECT_TRUE(segs_all(segs, ZXPROC_MEMORY_MAX_SEGMENTS,
				     ZX_ERR_BAD_HANDLE));
		EXPECT_EQ(0u, actual);
		/* 32 + 31 MiB + 1 MiB: exactly the total limit. */
		segs_init(segs, 3, buf);
		segs[0].buffer = big;
		segs[0].size = 32 * MIB;
		segs[1].buffer = big;
		segs[1].size = 31 * MIB;
		segs[2].buffer = big;
		segs[2].size = MIB;
		actual = SENTINEL;
		EXPECT_EQ(ZX_ERR_BAD_HANDLE,
			  batches[b](closed, segs, 3,
				     ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
		EXPECT_TRUE(segs_all(segs, 3, ZX_ERR_BAD_HANDLE));
		segs[2].size = MIB + 1;
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
			  batches[b](closed, segs, 3, 0, &actual));
	}
}

/*
 * Descriptors that are not process handles, through the kernel: every
 * segment carries the call's WRONG_TYPE, nothing is copied.
 */
TEST(not_process_handles)
{
	zx_handle_t handles[3], vmo, vmo_path;
	zxproc_memory_seg_t segs[NSEGS];
	char buf[NSEGS * 8];
	size_t actual;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	/* Without READ and WRITE: an O_PATH descriptor (EBADF to ioctls). */
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(vmo, ZX_RIGHT_DUPLICATE, &vmo_path));
	handles[0] = zxproc_handle_from_fd(fd);
	handles[1] = vmo;
	handles[2] = vmo_path;
	memset(buf, 0x22, sizeof(buf));
	for (size_t h = 0; h < 3; h++) {
		actual = SENTINEL;
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zxproc_process_read_memory_ex(handles[h],
				(zx_vaddr_t)buf, buf, 8,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual))
			TH_LOG("handle %zu", h);
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zxproc_process_write_memory_ex(handles[h],
				(zx_vaddr_t)buf, buf, 8, 0, &actual))
			TH_LOG("handle %zu", h);
		EXPECT_EQ(SENTINEL, actual);
		for (size_t b = 0; b < 2; b++) {
			segs_init(segs, NSEGS, buf);
			EXPECT_EQ(ZX_ERR_WRONG_TYPE,
				  batches[b](handles[h], segs, NSEGS, 0,
					     &actual)) TH_LOG("handle %zu", h);
			EXPECT_TRUE(segs_all(segs, NSEGS, ZX_ERR_WRONG_TYPE));
			EXPECT_EQ(0u, actual);
		}
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		ASSERT_EQ(0x22, buf[i]);
	EXPECT_EQ(ZX_OK, zx_handle_close(vmo_path));
	EXPECT_EQ(ZX_OK, zx_handle_close(vmo));
	close(fd);
}

/*
 * An all-or-nothing batch write refuses a source buffer that is not
 * readable throughout before the handle is used (here /dev/null, which
 * would say WRONG_TYPE), so that no segment is written; a readable one
 * goes on to the handle.  A single all-or-nothing write leaves the
 * check to the kernel, which pins the whole buffer after checking the
 * handle: WRONG_TYPE here, whatever the buffer.  Reads need no such
 * check: the target is not changed by them.
 */
TEST(all_or_nothing_source_checks)
{
	uint8_t *map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	zxproc_memory_seg_t segs[NSEGS];
	size_t actual = SENTINEL;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	zx_handle_t h = zxproc_handle_from_fd(fd);

	ASSERT_LE(0, fd);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	memset(map, 0x33, PAGE);

	/* The last 8 bytes of the page, then 8 in the hole. */
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(h, 0x1000, map + PAGE - 8, 16,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(h, 0x1000, map + PAGE, 1,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	/* Wrapping around the address space. */
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(h, 0x1000,
				(void *)(UINTPTR_MAX - 7), 16,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(h, 0x1000, map + PAGE - 8, 8,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	/* Without the option, or reading: the kernel is asked. */
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(h, 0x1000, map + PAGE - 8, 16,
						 0, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_read_memory_ex(h, 0x1000, map + PAGE - 8, 16,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(SENTINEL, actual);

	/* A batch: one bad segment, the last, fails the whole call. */
	segs_init(segs, NSEGS, (char *)map);
	segs[NSEGS - 1].buffer = map + PAGE - 4;
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_batch(h, segs, NSEGS,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	EXPECT_TRUE(segs_untouched(segs, NSEGS));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_batch(h, segs, NSEGS, 0, &actual));
	EXPECT_TRUE(segs_all(segs, NSEGS, ZX_ERR_WRONG_TYPE));
	segs_init(segs, NSEGS, (char *)map);
	segs[NSEGS - 1].buffer = map + PAGE - 4;
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_read_memory_batch(h, segs, NSEGS,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	segs_init(segs, NSEGS, (char *)map);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_batch(h, segs, NSEGS,
				ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	for (size_t i = 0; i < PAGE; i++)
		ASSERT_EQ(0x33, map[i]);
	munmap(map, PAGE);
	close(fd);
}

/* The segment record: no hidden padding, the fields where documented. */
TEST(segment_layout)
{
	EXPECT_EQ(0u, offsetof(zxproc_memory_seg_t, vaddr));
	EXPECT_EQ(sizeof(void *), offsetof(zxproc_memory_seg_t, buffer));
	EXPECT_EQ(2 * sizeof(void *), offsetof(zxproc_memory_seg_t, size));
	EXPECT_EQ(3 * sizeof(void *), offsetof(zxproc_memory_seg_t, status));
	EXPECT_EQ(3 * sizeof(void *) + 4,
		  offsetof(zxproc_memory_seg_t, padding1));
	EXPECT_EQ(3 * sizeof(void *) + 8,
		  offsetof(zxproc_memory_seg_t, actual));
	EXPECT_EQ(4 * sizeof(void *) + 8, sizeof(zxproc_memory_seg_t));
	EXPECT_EQ(1u, ZXPROC_MEMORY_ALL_OR_NOTHING);
	EXPECT_EQ(1024u, ZXPROC_MEMORY_MAX_SEGMENTS);
	EXPECT_EQ(64 * MIB, ZXPROC_MEMORY_MAX_BYTES);
}

TEST_HARNESS_MAIN

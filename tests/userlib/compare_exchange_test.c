// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_compare_exchange() through the real module: swap and
 * no swap at every size, and every status it can return, each refused
 * call followed by an independent read of the target (process_vm_readv)
 * proving that nothing changed and that *old was not written.
 */
#include "kselftest_harness.h"
#include "target.h"

#define SENTINEL UINT64_C(0x5a5a5a5a5a5a5a5a)

FIXTURE(cmpxchg) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
	zx_vaddr_t va;		/* target_region in the target */
};

FIXTURE_SETUP(cmpxchg)
{
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	self->va = (zx_vaddr_t)target_region;
	ASSERT_TRUE(target_untouched(self->pid));
}

FIXTURE_TEARDOWN(cmpxchg)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

/* The @size-byte value of the pattern at offset @off. */
static uint64_t pattern_value(size_t off, size_t size)
{
	uint8_t b[8];
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		b[i] = target_pattern(off + i);
	memcpy(&v, b, size);		/* little-endian: the low bytes */
	return v;
}

TEST_F(cmpxchg, swap_and_no_swap_every_size)
{
	static const size_t sizes[] = { 1, 2, 4, 8 };

	for (size_t i = 0; i < 4; i++) {
		size_t size = sizes[i], off = 64 * (i + 1);
		uint64_t found = pattern_value(off, size);
		uint64_t mask = size == 8 ? UINT64_MAX :
			(UINT64_C(1) << (size * 8)) - 1;
		uint64_t desired = ~found & mask, old = SENTINEL, got = 0;

		/* Not equal: nothing stored, the value reported. */
		EXPECT_EQ(ZX_OK, zxproc_process_compare_exchange(self->h,
				self->va + off, size, desired, found, &old));
		EXPECT_EQ(found, old);
		EXPECT_TRUE(target_untouched(self->pid));
		/* Equal: stored. */
		EXPECT_EQ(ZX_OK, zxproc_process_compare_exchange(self->h,
				self->va + off, size, found, desired, &old));
		EXPECT_EQ(found, old);
		ASSERT_EQ(0, peek(self->pid, self->va + off, &got, size));
		EXPECT_EQ(desired, got);
		/* And back, so the region holds its pattern again. */
		EXPECT_EQ(ZX_OK, zxproc_process_compare_exchange(self->h,
				self->va + off, size, desired, found, &old));
		EXPECT_EQ(desired, old);
		EXPECT_TRUE(target_untouched(self->pid));
	}
}

TEST_F(cmpxchg, invalid_args)
{
	uint64_t old = SENTINEL;

	/* Size, alignment, upper bits, NULL old. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va, 3, 0, 0, &old));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va, 16, 0, 0, &old));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va + 2, 4, pattern_value(2, 4), 0, &old));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va, 1, pattern_value(0, 1) | 0x100, 0, &old));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va, 2, pattern_value(0, 2), 0x10000, &old));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zxproc_process_compare_exchange(self->h,
			self->va, 4, pattern_value(0, 4), 0, NULL));
	EXPECT_EQ(SENTINEL, old);
	EXPECT_TRUE(target_untouched(self->pid));
}

TEST_F(cmpxchg, handles_and_rights)
{
	int fds[2] = { open("/dev/null", O_RDWR | O_CLOEXEC),
		       open("/dev/zxproc", O_RDWR | O_CLOEXEC) };
	static const zx_rights_t lacking[] = { ZX_RIGHT_READ, ZX_RIGHT_WRITE };
	uint64_t old = SENTINEL, v = pattern_value(0, 8);
	zx_handle_t h;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zxproc_process_compare_exchange(
			ZX_HANDLE_INVALID, self->va, 8, v, ~v, &old));
	for (int i = 0; i < 2; i++) {
		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(ZX_ERR_WRONG_TYPE, zxproc_process_compare_exchange(
				zxproc_handle_from_fd(fds[i]), self->va, 8, v, ~v,
				&old));
		close(fds[i]);
	}
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, lacking[i], &h));
		EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zxproc_process_compare_exchange(
				h, self->va, 8, v, ~v, &old));
		zx_handle_close(h);
	}
	EXPECT_EQ(SENTINEL, old);
	EXPECT_TRUE(target_untouched(self->pid));
}

TEST_F(cmpxchg, memory_and_state)
{
	uint64_t old = SENTINEL;

	/* Nothing mapped at page 0 of the target. */
	EXPECT_EQ(ZX_ERR_NO_MEMORY, zxproc_process_compare_exchange(self->h,
			0, 8, 0, 1, &old));
	target_reap(self->pid);
	EXPECT_EQ(ZX_ERR_BAD_STATE, zxproc_process_compare_exchange(self->h,
			self->va, 8, 0, 1, &old));
	EXPECT_EQ(SENTINEL, old);
}

TEST_HARNESS_MAIN

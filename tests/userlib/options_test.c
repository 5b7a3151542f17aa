// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_write_memory_ex() and zxproc_process_read_memory_ex()
 * through the real module, above all ZXPROC_MEMORY_ALL_OR_NOTHING: a
 * range with an inaccessible page anywhere in it (unmapped, read-only
 * shared, device memory) copies nothing at all, where options 0 copies
 * the part before it, which shows that the range really is half
 * accessible.  Every refused call is followed by an independent read of
 * the target (process_vm_readv) proving that nothing changed.
 */
#include "kselftest_harness.h"
#include "target.h"
#include "readback.h"

#define SENTINEL ((size_t)0x5a5a5a5a)
#define AON ZXPROC_MEMORY_ALL_OR_NOTHING

/* Three read-write pages of 0x55, to be given a bad middle page. */
static uint8_t *three_pages(void)
{
	uint8_t *map = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (map == MAP_FAILED)
		return NULL;
	memset(map, 0x55, 3 * PAGE);
	return map;
}

FIXTURE(opt) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
	uint8_t buf[4 * PAGE];
	zx_vaddr_t va;		/* target_region in the target */
};

FIXTURE_SETUP(opt)
{
	self->pid = 0;
	self->h = ZX_HANDLE_INVALID;
	memset(self->buf, 0xee, sizeof(self->buf));
	self->va = (zx_vaddr_t)target_region;
}

FIXTURE_TEARDOWN(opt)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

TEST_F(opt, all_or_nothing_success)
{
	uint8_t in[100], got[100];
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i ^ 0xa5);
	/* Across the page boundary of target_region. */
	ASSERT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h,
			self->va + PAGE - 50, in, sizeof(in), AON, &actual));
	EXPECT_EQ(sizeof(in), actual);
	ASSERT_EQ(0, peek(self->pid, self->va + PAGE - 50, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	memset(got, 0, sizeof(got));
	actual = SENTINEL;
	ASSERT_EQ(ZX_OK, zxproc_process_read_memory_ex(self->h,
			self->va + PAGE - 50, got, sizeof(got), AON, &actual));
	EXPECT_EQ(sizeof(got), actual);
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	/* The bytes around it are untouched. */
	ASSERT_EQ(0, peek(self->pid, self->va + PAGE - 60, got, 10));
	for (size_t i = 0; i < 10; i++)
		EXPECT_EQ(target_pattern(PAGE - 60 + i), got[i]);
}

/*
 * The range starts in a mapped page, crosses an unmapped one and ends
 * in a mapped one.  All or nothing: NO_MEMORY, nothing written or
 * read.  Options 0, as zx_process_write_memory(): the 8 bytes before
 * the hole.
 */
TEST_F(opt, unmapped_page_in_the_middle)
{
	uint8_t *map = three_pages(), in[PAGE + 16];
	zx_vaddr_t at;
	size_t actual = SENTINEL;

	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	at = (zx_vaddr_t)map + PAGE - 8;
	memset(in, 0x99, sizeof(in));

	EXPECT_EQ(ZX_ERR_NO_MEMORY,
		  zxproc_process_write_memory_ex(self->h, at, in, sizeof(in),
						 AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE, 0x55));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 2 * PAGE, PAGE, 0x55));
	EXPECT_EQ(ZX_ERR_NO_MEMORY,
		  zxproc_process_read_memory_ex(self->h, at, self->buf,
						sizeof(in), AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(self->buf, sizeof(self->buf), 0xee));

	/* Without the option: a short copy, up to the hole. */
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_ex(self->h, at, self->buf,
						       sizeof(in), 0, &actual));
	EXPECT_EQ(8u, actual);
	EXPECT_TRUE(filled(self->buf, 8, 0x55));
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h, at, in,
							sizeof(in), 0, &actual));
	EXPECT_EQ(8u, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE - 8, 0x55));
	EXPECT_TRUE(holds(self->pid, at, 8, 0x99));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 2 * PAGE, PAGE, 0x55));
	munmap(map, PAGE);
	munmap(map + 2 * PAGE, PAGE);
}

/* A range whose last page is unmapped: nothing of it is written. */
TEST_F(opt, unmapped_page_at_the_end)
{
	uint8_t *map = three_pages(), in[2 * PAGE];
	size_t actual = SENTINEL;

	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, munmap(map + 2 * PAGE, PAGE));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	memset(in, 0x99, sizeof(in));
	EXPECT_EQ(ZX_ERR_NO_MEMORY,
		  zxproc_process_write_memory_ex(self->h, (zx_vaddr_t)map + 8,
						 in, sizeof(in), AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, 2 * PAGE, 0x55));
	/* Up to the last mapped byte it works, whole. */
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h,
			(zx_vaddr_t)map + 8, in, 2 * PAGE - 8, AON, &actual));
	EXPECT_EQ(2 * PAGE - 8, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 8, 2 * PAGE - 8, 0x99));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, 8, 0x55));
	munmap(map, 2 * PAGE);
}

/*
 * The middle page is a read-only shared file mapping, which no write
 * may reach: ACCESS_DENIED, and neither the other pages nor the file
 * change.  It can be read, so a read of the range works, whole.
 */
TEST_F(opt, read_only_shared_page_in_the_middle)
{
	uint8_t *map = three_pages(), in[PAGE + 16], got[16];
	int fd = page_file();
	zx_vaddr_t at;
	size_t actual = SENTINEL;

	ASSERT_NE(NULL, map);
	ASSERT_LE(0, fd);
	ASSERT_EQ(map + PAGE, mmap(map + PAGE, PAGE, PROT_READ,
				   MAP_SHARED | MAP_FIXED, fd, 0));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	at = (zx_vaddr_t)map + PAGE - 8;
	memset(in, 0x99, sizeof(in));

	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_write_memory_ex(self->h, at, in, sizeof(in),
						 AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE, 0x55));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + PAGE, PAGE, 'F'));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 2 * PAGE, PAGE, 0x55));
	ASSERT_EQ(16, pread(fd, got, 16, 0));
	EXPECT_TRUE(filled(got, 16, 'F'));

	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_ex(self->h, at, self->buf,
						       sizeof(in), AON,
						       &actual));
	EXPECT_EQ(sizeof(in), actual);
	EXPECT_TRUE(filled(self->buf, 8, 0x55));
	EXPECT_TRUE(filled(self->buf + 8, PAGE, 'F'));
	EXPECT_TRUE(filled(self->buf + 8 + PAGE, 8, 0x55));

	/* Options 0: the 8 bytes before the read-only page, a short write. */
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h, at, in,
							sizeof(in), 0, &actual));
	EXPECT_EQ(8u, actual);
	EXPECT_TRUE(holds(self->pid, at, 8, 0x99));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + PAGE, PAGE, 'F'));
	close(fd);
}

/*
 * The middle page is device memory (VM_IO | VM_PFNMAP, /dev/mem's BIOS
 * area): BAD_STATE, nothing written or read.
 */
TEST_F(opt, device_page_in_the_middle)
{
	uint8_t *map = three_pages(), in[PAGE + 16];
	zx_vaddr_t at;
	size_t actual = SENTINEL;

	ASSERT_NE(NULL, map);
	if (device_page(map + PAGE) != map + PAGE)
		SKIP(return, "no device memory: %s", strerror(errno));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	at = (zx_vaddr_t)map + PAGE - 8;
	memset(in, 0x99, sizeof(in));

	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_write_memory_ex(self->h, at, in, sizeof(in),
						 AON, &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_read_memory_ex(self->h, at, self->buf,
						sizeof(in), AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(self->buf, sizeof(self->buf), 0xee));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map, PAGE, 0x55));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + 2 * PAGE, PAGE, 0x55));
	/* Options 0: a short copy of the 8 bytes before it. */
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_ex(self->h, at, self->buf,
						       sizeof(in), 0, &actual));
	EXPECT_EQ(8u, actual);
}

/* Ranges that cannot be mapped at all. */
TEST_F(opt, no_memory)
{
	const zx_vaddr_t bad[] = {
		0,
		(zx_vaddr_t)0x7ffffffff000ull,	/* top of user space */
		(zx_vaddr_t)0x7fffffffff00ull,	/* runs past it */
		(zx_vaddr_t)0xffff888000000000ull, /* kernel address */
		UINTPTR_MAX - 3,		/* wraps around */
	};
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(ZX_ERR_NO_MEMORY,
			  zxproc_process_write_memory_ex(self->h, bad[i],
				self->buf, PAGE, AON, &actual))
			TH_LOG("write at %#lx", (unsigned long)bad[i]);
		EXPECT_EQ(ZX_ERR_NO_MEMORY,
			  zxproc_process_read_memory_ex(self->h, bad[i],
				self->buf, PAGE, AON, &actual))
			TH_LOG("read at %#lx", (unsigned long)bad[i]);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(self->buf, sizeof(self->buf), 0xee));
	EXPECT_TRUE(target_untouched(self->pid));
}

/*
 * The caller's source buffer ends in a hole.  All or nothing: the kernel
 * pins the whole buffer before it copies, so INVALID_ARGS (its EFAULT)
 * with the target untouched; and it checks the handle first, so a
 * handle without ZX_RIGHT_WRITE is ACCESS_DENIED whatever the buffer.
 * Options 0 lets the kernel copy until the fault, as
 * zx_process_write_memory() does: the first 8 bytes land, which shows
 * what all or nothing prevents.
 */
TEST_F(opt, unreadable_source_buffer)
{
	uint8_t *src = three_pages(), got[16];
	size_t actual = SENTINEL;
	zx_handle_t ro;

	ASSERT_NE(NULL, src);
	ASSERT_EQ(0, munmap(src + PAGE, 2 * PAGE));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->h, self->va,
				src + PAGE - 8, 16, AON, &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->h, self->va, src + PAGE,
						 16, AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_write_memory_ex(ro, self->va, src + PAGE - 8,
						 16, AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	zx_handle_close(ro);
	EXPECT_TRUE(target_untouched(self->pid));

	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->h, self->va,
				src + PAGE - 8, 16, 0, &actual));
	ASSERT_EQ(0, peek(self->pid, self->va, got, 16));
	EXPECT_TRUE(filled(got, 8, 0x55));
	for (size_t i = 8; i < 16; i++)
		EXPECT_EQ(target_pattern(i), got[i]);
	munmap(src, PAGE);
}

/*
 * A destination the caller cannot write: the target is only read.  One
 * that turns read-only part way is pinned whole first with all or
 * nothing, so not a byte is stored in it; options 0 fills the writable
 * part before the call fails.
 */
TEST_F(opt, unwritable_destination_buffer)
{
	uint8_t *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	uint8_t *half = three_pages();
	size_t actual = SENTINEL;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(NULL, half);
	ASSERT_EQ(0, mprotect(half + PAGE, PAGE, PROT_READ));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->h, self->va, ro, 16, AON,
						&actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(0, ro[0]);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->h, self->va,
				half + PAGE - 8, 16, AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(half, 3 * PAGE, 0x55));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_read_memory_ex(self->h, self->va,
				half + PAGE - 8, 16, 0, &actual));
	for (size_t i = 0; i < 8; i++)
		EXPECT_EQ(target_pattern(i), half[PAGE - 8 + i]);
	EXPECT_TRUE(target_untouched(self->pid));
	munmap(ro, PAGE);
	munmap(half, 3 * PAGE);
}

/* Unknown option bits, with a handle that would otherwise succeed. */
TEST_F(opt, unknown_options)
{
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	for (unsigned int bit = 1; bit < 32; bit++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_write_memory_ex(self->h, self->va,
				self->buf, 8, AON | (uint32_t)1 << bit,
				&actual)) TH_LOG("bit %u", bit);
		/* A read's option (maps_nofault_test.c); a write refuses it. */
		if (((uint32_t)1 << bit) == ZXPROC_MEMORY_NO_FAULT)
			continue;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_read_memory_ex(self->h, self->va,
				self->buf, 8, (uint32_t)1 << bit, &actual))
			TH_LOG("bit %u", bit);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(self->buf, sizeof(self->buf), 0xee));
	EXPECT_TRUE(target_untouched(self->pid));
}

/* Rights are the kernel's to check, with or without the option. */
TEST_F(opt, access_denied_without_rights)
{
	zx_handle_t ro, wo;
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_WRITE, &wo));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_write_memory_ex(ro, self->va, self->buf, 64,
						 AON, &actual));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_read_memory_ex(wo, self->va, self->buf, 64,
						AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
	EXPECT_TRUE(filled(self->buf, 64, 0xee));
	zx_handle_close(ro);
	zx_handle_close(wo);
}

/* Not a handle, not a process handle. */
TEST_F(opt, bad_and_wrong_handles)
{
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	zx_handle_t dup;
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zxproc_process_write_memory_ex(dup, self->va, self->buf, 8,
						 AON, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zxproc_process_write_memory_ex(zxproc_handle_from_fd(fd),
				self->va, self->buf, 8, AON, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
	close(fd);
}

/* The target exited, then exec'd (another one): BAD_STATE. */
TEST_F(opt, bad_state_after_exit_and_exec)
{
	size_t actual = SENTINEL;
	zx_handle_t h;
	pid_t pid;

	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	ASSERT_EQ(0, target_kill_unreaped(self->pid));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_write_memory_ex(self->h, self->va, self->buf,
						 8, AON, &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_read_memory_ex(self->h, self->va, self->buf,
						8, AON, &actual));

	pid = exec_after_open(ZXPROC_PROCESS_RIGHTS, &h);
	ASSERT_LT(0, pid);
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_write_memory_ex(h, self->va, self->buf, 8,
						 AON, &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_read_memory_ex(h, self->va, self->buf, 8, 0,
						&actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(filled(self->buf, sizeof(self->buf), 0xee));
	zx_handle_close(h);
	target_reap(pid);
}

/* Options 0 is zx_process_write_memory()/read_memory() exactly. */
TEST_F(opt, zero_options_is_the_zircon_call)
{
	uint8_t *map = three_pages(), in[32];
	size_t a = SENTINEL, b = SENTINEL;

	ASSERT_NE(NULL, map);
	ASSERT_EQ(0, munmap(map + PAGE, 2 * PAGE));
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	memset(in, 0x77, sizeof(in));
	EXPECT_EQ(ZX_OK, zx_process_write_memory(self->h,
			(zx_vaddr_t)map + PAGE - 8, in, sizeof(in), &a));
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h,
			(zx_vaddr_t)map + PAGE - 4, in, sizeof(in), 0, &b));
	EXPECT_EQ(8u, a);
	EXPECT_EQ(4u, b);
	EXPECT_EQ(zx_process_read_memory(self->h, 0, self->buf, 8, &a),
		  zxproc_process_read_memory_ex(self->h, 0, self->buf, 8, 0,
						&b));
	EXPECT_TRUE(holds(self->pid, (uintptr_t)map + PAGE - 8, 8, 0x77));
	munmap(map, PAGE);
}

/* The largest all-or-nothing write: 64 MiB, every page pinned first. */
TEST_F_TIMEOUT(opt, largest_all_or_nothing, 120)
{
	const size_t size = 64 << 20;
	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *src = malloc(size), ends[2];
	size_t actual = SENTINEL;

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(NULL, src);
	memset(src, 0x6b, size);
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_ex(self->h,
			(zx_vaddr_t)map, src, size, AON, &actual));
	EXPECT_EQ(size, actual);
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)map, &ends[0], 1));
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)map + size - 1, &ends[1], 1));
	EXPECT_EQ(0x6b, ends[0]);
	EXPECT_EQ(0x6b, ends[1]);
	/* One byte more is refused before anything is pinned. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_write_memory_ex(self->h, (zx_vaddr_t)map, src,
						 size + 1, AON, &actual));
	free(src);
	munmap(map, size);
}

TEST_HARNESS_MAIN

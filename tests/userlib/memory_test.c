// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_process_write_memory() and zx_process_read_memory() through the real
 * module: every status each can return.  Every refused call is followed
 * by an independent read of the target (process_vm_readv) proving that
 * nothing changed.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "target.h"
#include "readback.h"

#define SENTINEL ((size_t)0x5a5a5a5a)

FIXTURE(mem) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
	uint8_t buf[PAGE];
	zx_vaddr_t va;		/* target_region in the target */
};

FIXTURE_SETUP(mem)
{
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
	memset(self->buf, 0xee, sizeof(self->buf));
	self->va = (zx_vaddr_t)target_region;
	ASSERT_TRUE(target_untouched(self->pid));
}

FIXTURE_TEARDOWN(mem)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

TEST_F(mem, write_and_read_back)
{
	uint8_t in[100], got[100];
	size_t actual = SENTINEL;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)~i;
	ASSERT_EQ(ZX_OK, zx_process_write_memory(self->h, self->va + 10, in,
						 sizeof(in), &actual));
	EXPECT_EQ(sizeof(in), actual);
	/* Independently, then through the library. */
	ASSERT_EQ(0, peek(self->pid, self->va + 10, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	memset(got, 0, sizeof(got));
	actual = SENTINEL;
	ASSERT_EQ(ZX_OK, zx_process_read_memory(self->h, self->va + 10, got,
						sizeof(got), &actual));
	EXPECT_EQ(sizeof(got), actual);
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	/* The bytes around it are untouched. */
	ASSERT_EQ(0, peek(self->pid, self->va, got, 10));
	for (size_t i = 0; i < 10; i++) {
		EXPECT_EQ(target_pattern(i), got[i]);
	}
}

/* Across a page boundary, and the whole region at once. */
TEST_F(mem, whole_region)
{
	static uint8_t in[sizeof(target_region)], got[sizeof(target_region)];
	size_t actual = SENTINEL;

	memset(in, 0x42, sizeof(in));
	ASSERT_EQ(ZX_OK, zx_process_write_memory(self->h, self->va, in,
						 sizeof(in), &actual));
	EXPECT_EQ(sizeof(in), actual);
	ASSERT_EQ(0, peek(self->pid, self->va, got, sizeof(got)));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
}

/*
 * A range that runs off the end of the mapping is ZX_OK with a short
 * actual, and nothing past the end is touched.
 */
TEST_F(mem, short_at_end_of_mapping)
{
	uint8_t in[32], got[32];
	size_t actual = SENTINEL;
	uint8_t *map;
	pid_t pid;
	zx_handle_t h;

	/* Two pages, the second unmapped again: a hole after the first. */
	map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	memset(map, 0x55, PAGE);
	ASSERT_EQ(0, target_spawn_open(&pid, &h));

	memset(in, 0x99, sizeof(in));
	EXPECT_EQ(ZX_OK, zx_process_write_memory(h, (zx_vaddr_t)map + PAGE - 8,
						 in, sizeof(in), &actual));
	EXPECT_EQ(8u, actual);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map + PAGE - 16, got, 16));
	for (int i = 0; i < 8; i++) {
		EXPECT_EQ(0x55, got[i]);
	}
	for (int i = 8; i < 16; i++) {
		EXPECT_EQ(0x99, got[i]);
	}

	actual = SENTINEL;
	memset(got, 0, sizeof(got));
	EXPECT_EQ(ZX_OK, zx_process_read_memory(h, (zx_vaddr_t)map + PAGE - 4,
						got, sizeof(got), &actual));
	EXPECT_EQ(4u, actual);
	EXPECT_EQ(0x99, got[0]);
	EXPECT_EQ(0, got[4]);	/* past actual: not written */
	zx_handle_close(h);
	target_reap(pid);
}

/* Read-only private memory (a const object) is written copy-on-write. */
static const uint64_t constant = 0x1122334455667788ull;

TEST_F(mem, writes_through_read_only_private_mapping)
{
	uint64_t v = 0xdeadbeefcafef00dull, got;
	size_t actual = SENTINEL;

	ASSERT_EQ(ZX_OK, zx_process_write_memory(self->h,
						 (zx_vaddr_t)&constant, &v,
						 sizeof(v), &actual));
	EXPECT_EQ(sizeof(v), actual);
	ASSERT_EQ(0, peek(self->pid, (uintptr_t)&constant, &got, sizeof(got)));
	EXPECT_EQ(v, got);
	/* Ours is unchanged: only the target's copy was written. */
	EXPECT_EQ(0x1122334455667788ull, constant);
}

TEST_F(mem, access_denied_without_rights)
{
	zx_handle_t ro, wo;
	size_t actual = SENTINEL;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_WRITE, &wo));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_process_write_memory(ro, self->va, self->buf, 64, &actual));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_process_read_memory(wo, self->va, self->buf, 64, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
	/* The buffer of the refused read was not written either. */
	for (size_t i = 0; i < 64; i++) {
		EXPECT_EQ(0xee, self->buf[i]);
	}
	/* And each works for what it does have. */
	EXPECT_EQ(ZX_OK, zx_process_read_memory(ro, self->va, self->buf, 64,
						&actual));
	EXPECT_EQ(target_pattern(5), self->buf[5]);
	zx_handle_close(ro);
	zx_handle_close(wo);
}

/* A shared read-only file mapping can never be written: not even forced. */
TEST_F(mem, access_denied_shared_read_only)
{
	char path[] = "/tmp/zxproc-mem-XXXXXX";
	char got[16];
	size_t actual = SENTINEL;
	int fd = mkstemp(path);
	void *map;
	pid_t pid;
	zx_handle_t h;

	ASSERT_LE(0, fd);
	ASSERT_EQ(16, write(fd, "file contents 16", 16));
	close(fd);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, target_spawn_open(&pid, &h));

	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zx_process_write_memory(h, (zx_vaddr_t)map, "XXXX", 4,
					  &actual));
	EXPECT_EQ(SENTINEL, actual);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map, got, 16));
	EXPECT_EQ(0, memcmp(got, "file contents 16", 16));
	ASSERT_EQ(16, pread(fd, got, 16, 0));
	EXPECT_EQ(0, memcmp(got, "file contents 16", 16));
	zx_handle_close(h);
	target_reap(pid);
	close(fd);
	unlink(path);
}

TEST_F(mem, bad_handle)
{
	zx_handle_t dup;
	size_t actual = SENTINEL;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_write_memory(ZX_HANDLE_INVALID, self->va,
					  self->buf, 8, &actual));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_write_memory(dup, self->va, self->buf, 8,
					  &actual));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_process_read_memory(dup, self->va, self->buf, 8, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
}

/* Open descriptors that are not process handles, the device included. */
TEST_F(mem, wrong_type)
{
	int fds[2] = { open("/dev/null", O_RDWR | O_CLOEXEC),
		       open("/dev/zxproc", O_RDWR | O_CLOEXEC) };
	size_t actual = SENTINEL;

	for (int i = 0; i < 2; i++) {
		zx_handle_t h = zxproc_handle_from_fd(fds[i]);

		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_process_write_memory(h, self->va, self->buf, 8,
						  &actual));
		EXPECT_EQ(ZX_ERR_WRONG_TYPE,
			  zx_process_read_memory(h, self->va, self->buf, 8,
						 &actual));
		close(fds[i]);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
}

TEST_F(mem, invalid_args)
{
	size_t actual = SENTINEL;
	void *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	/* Checked by the library. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(self->h, self->va, NULL, 8, &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(self->h, self->va, self->buf, 0,
					  &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(self->h, self->va, self->buf,
					  (64 << 20) + 1, &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(self->h, self->va, self->buf, 8,
					  NULL));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_read_memory(self->h, self->va, NULL, 8, &actual));
	/* Checked by the kernel: the caller's buffer is not accessible. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_write_memory(self->h, self->va, (void *)16, 8,
					  &actual));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_process_read_memory(self->h, self->va, ro, 8, &actual));
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
	munmap(ro, PAGE);
}

TEST_F(mem, no_memory)
{
	const zx_vaddr_t bad[] = {
		0,				/* NULL page */
		0x1000,				/* below mmap_min_addr */
		(zx_vaddr_t)0x7ffffffff000ull,	/* top of user space, unmapped */
		(zx_vaddr_t)0xffff888000000000ull, /* kernel address */
		UINTPTR_MAX - 3,		/* wraps around */
	};
	size_t actual = SENTINEL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(ZX_ERR_NO_MEMORY,
			  zx_process_write_memory(self->h, bad[i], self->buf,
						  8, &actual))
			TH_LOG("write at %#lx", (unsigned long)bad[i]);
		EXPECT_EQ(ZX_ERR_NO_MEMORY,
			  zx_process_read_memory(self->h, bad[i], self->buf, 8,
						 &actual))
			TH_LOG("read at %#lx", (unsigned long)bad[i]);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_TRUE(target_untouched(self->pid));
}

/* The target exited: first a zombie, then reaped. */
TEST_F(mem, bad_state_after_exit)
{
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_kill_unreaped(self->pid));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_write_memory(self->h, self->va, self->buf, 8,
					  &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_read_memory(self->h, self->va, self->buf, 8,
					 &actual));
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	self->pid = 0;
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_write_memory(self->h, self->va, self->buf, 8,
					  &actual));
	EXPECT_EQ(SENTINEL, actual);
}

/*
 * The target exec'd: the handle stays bound to the old image, so
 * nothing reaches the new one, not even at an address that exists there.
 */
TEST_F(mem, bad_state_after_exec)
{
	int ready;
	size_t actual = SENTINEL;
	pid_t pid;
	zx_handle_t h;
	zx_vaddr_t stack;

	pid = exec_stopped(&ready);
	ASSERT_LT(0, pid);
	h = open_or_die(pid, ZXPROC_PROCESS_RIGHTS);
	ASSERT_NE(ZX_HANDLE_INVALID, h);
	EXPECT_EQ(ZX_OK, zx_process_read_memory(h, self->va, self->buf, 8,
						&actual));
	ASSERT_EQ(0, exec_go(pid, ready));

	actual = SENTINEL;
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_read_memory(h, self->va, self->buf, 8, &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_write_memory(h, self->va, self->buf, 8, &actual));
	EXPECT_EQ(SENTINEL, actual);
	/* A fresh handle reaches the new image's stack; the old one not. */
	{
		zx_handle_t fresh = open_or_die(pid, ZX_RIGHT_READ);
		char line[256] = "";
		FILE *maps;

		ASSERT_NE(ZX_HANDLE_INVALID, fresh);
		snprintf(line, sizeof(line), "/proc/%d/maps", pid);
		maps = fopen(line, "r");
		ASSERT_NE(NULL, maps);
		stack = 0;
		while (fgets(line, sizeof(line), maps))
			if (strstr(line, "[stack]"))
				stack = (zx_vaddr_t)strtoull(line, NULL, 16);
		fclose(maps);
		ASSERT_NE(0u, stack);
		EXPECT_EQ(ZX_OK, zx_process_read_memory(fresh, stack, self->buf,
							8, &actual));
		EXPECT_EQ(ZX_ERR_BAD_STATE,
			  zx_process_read_memory(h, stack, self->buf, 8,
						 &actual));
		zx_handle_close(fresh);
	}
	zx_handle_close(h);
	target_reap(pid);
	close(ready);
}

/*
 * Memory that is not cacheable (a VM_IO | VM_PFNMAP mapping of
 * /dev/mem, here the BIOS area) answers BAD_STATE.
 */
TEST_F(mem, bad_state_uncached)
{
	void *map = device_page(NULL);
	size_t actual = SENTINEL;
	pid_t pid;
	zx_handle_t h;

	if (map == MAP_FAILED)
		SKIP(return, "no device memory: %s", strerror(errno));
	ASSERT_EQ(0, target_spawn_open(&pid, &h));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_read_memory(h, (zx_vaddr_t)map, self->buf, 8,
					 &actual));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_write_memory(h, (zx_vaddr_t)map, self->buf, 8,
					  &actual));
	EXPECT_EQ(SENTINEL, actual);
	zx_handle_close(h);
	target_reap(pid);
	munmap(map, PAGE);
}

/* The largest single access, 64 MiB, works. */
TEST_F_TIMEOUT(mem, largest_access, 120)
{
	const size_t size = 64 << 20;
	uint8_t *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *src = malloc(size);
	size_t actual = SENTINEL;
	pid_t pid;
	zx_handle_t h;
	uint8_t tail[16];

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_NE(NULL, src);
	memset(src, 0x6b, size);
	ASSERT_EQ(0, target_spawn_open(&pid, &h));
	EXPECT_EQ(ZX_OK, zx_process_write_memory(h, (zx_vaddr_t)map, src,
						 size, &actual));
	EXPECT_EQ(size, actual);
	ASSERT_EQ(0, peek(pid, (uintptr_t)map + size - 16, tail, 16));
	EXPECT_EQ(0x6b, tail[15]);
	zx_handle_close(h);
	target_reap(pid);
	free(src);
	munmap(map, size);
}

TEST_HARNESS_MAIN

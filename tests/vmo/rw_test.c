// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_vmo_write() and zx_vmo_read() against the seed's rules: exactly
 * buffer_size bytes or an error; OUT_OF_RANGE when offset + size passes
 * the VMO's size (offset + size == size is in range, one byte more is
 * not, and an offset + size that overflows is not either); NOT_FOUND for
 * an unmapped buffer; INVALID_ARGS for NULL; ACCESS_DENIED without the
 * right; WRONG_TYPE and BAD_HANDLE.  Every refused call is followed by a
 * look at the memfd itself (pread) proving nothing changed.
 */
#include "kselftest_harness.h"
#include "vmo.h"

#define SIZE (2 * PAGE)

FIXTURE(rw) {
	zx_handle_t h;		/* 2 pages of vmo_pattern(), every right */
	uint8_t buf[SIZE + 1];
};

FIXTURE_SETUP(rw)
{
	self->h = vmo_new(SIZE, 0);
	ASSERT_NE(ZX_HANDLE_INVALID, self->h);
	memset(self->buf, 0xab, sizeof(self->buf));
}

FIXTURE_TEARDOWN(rw)
{
	zx_handle_close(self->h);
}

TEST_F(rw, write_then_read_back)
{
	uint8_t in[300], got[300];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)~i;
	/* Across the page boundary. */
	ASSERT_EQ(ZX_OK, zx_vmo_write(self->h, in, PAGE - 100, sizeof(in)));
	ASSERT_EQ(0, raw_read(self->h, got, sizeof(got), PAGE - 100));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	memset(got, 0, sizeof(got));
	ASSERT_EQ(ZX_OK, zx_vmo_read(self->h, got, PAGE - 100, sizeof(got)));
	EXPECT_EQ(0, memcmp(in, got, sizeof(in)));
	/* Neighbours untouched. */
	EXPECT_TRUE(vmo_untouched(self->h, 0, PAGE - 100));
	EXPECT_TRUE(vmo_untouched(self->h, PAGE + 200, SIZE - PAGE - 200));
}

/* offset + size == the VMO's size: the last bytes, and the whole VMO. */
TEST_F(rw, up_to_the_end_succeeds)
{
	uint8_t got[SIZE];

	ASSERT_EQ(ZX_OK, zx_vmo_write(self->h, self->buf, SIZE - 7, 7));
	ASSERT_EQ(0, raw_read(self->h, got, 7, SIZE - 7));
	EXPECT_EQ(0, memcmp(self->buf, got, 7));
	ASSERT_EQ(ZX_OK, zx_vmo_write(self->h, self->buf, 0, SIZE));
	EXPECT_EQ(ZX_OK, zx_vmo_read(self->h, got, 0, SIZE));
	EXPECT_EQ(0, memcmp(self->buf, got, SIZE));
	EXPECT_EQ(ZX_OK, zx_vmo_read(self->h, got, SIZE - 1, 1));
	/* Zero bytes at the very end are in range too. */
	EXPECT_EQ(ZX_OK, zx_vmo_write(self->h, self->buf, SIZE, 0));
	EXPECT_EQ(ZX_OK, zx_vmo_read(self->h, got, SIZE, 0));
	EXPECT_EQ(SIZE, raw_size(self->h));
}

/* One byte more is OUT_OF_RANGE, and nothing at all is written or read. */
TEST_F(rw, one_byte_past_the_end)
{
	uint8_t got[8];

	memset(got, 0xcd, sizeof(got));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_write(self->h, self->buf, SIZE - 7, 8));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_write(self->h, self->buf, 0, SIZE + 1));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_write(self->h, self->buf, SIZE, 1));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_write(self->h, self->buf, SIZE + 1, 0));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(self->h, got, SIZE - 7, 8));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(self->h, got, SIZE + 1, 0));
	for (size_t i = 0; i < sizeof(got); i++) {
		EXPECT_EQ(0xcd, got[i]);
	}
	/* Not written, and the VMO did not grow. */
	EXPECT_EQ(SIZE, raw_size(self->h));
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
}

/* offset + size overflows 64 bits: out of range, not wrapped to 0. */
TEST_F(rw, overflow_is_out_of_range)
{
	const uint64_t offsets[] = {
		UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - SIZE + 1,
		(uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1,
	};

	for (size_t i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
			  zx_vmo_write(self->h, self->buf, offsets[i], 2))
			TH_LOG("offset %#llx", (unsigned long long)offsets[i]);
		EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
			  zx_vmo_read(self->h, self->buf, offsets[i], 2));
	}
	/* A length that wraps offset 1 back to 0. */
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_write(self->h, self->buf, 1, SIZE_MAX));
	EXPECT_EQ(SIZE, raw_size(self->h));
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
}

TEST_F(rw, null_buffer_is_invalid_args)
{
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_write(self->h, NULL, 0, 1));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_read(self->h, NULL, 0, 1));
	/* Range first, as Zircon checks it before copying. */
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(self->h, NULL, SIZE, 1));
	/* Nothing to copy: no buffer needed. */
	EXPECT_EQ(ZX_OK, zx_vmo_write(self->h, NULL, 0, 0));
	EXPECT_EQ(ZX_OK, zx_vmo_read(self->h, NULL, 5, 0));
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
}

/* A buffer address that maps to nothing: NOT_FOUND. */
TEST_F(rw, unmapped_buffer_is_not_found)
{
	uint8_t *hole = mmap(NULL, PAGE, PROT_NONE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, PAGE));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmo_write(self->h, hole, 0, 16));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmo_read(self->h, hole, 0, 16));
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmo_write(self->h, (void *)16, 0, 16));
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
}

/*
 * A read into memory the caller may not write is NOT_FOUND too, and the
 * read-only page is left as it was.
 */
TEST_F(rw, read_into_read_only_buffer)
{
	uint8_t *ro = mmap(NULL, PAGE, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zx_vmo_read(self->h, ro, 0, 16));
	EXPECT_EQ(0, ro[0]);
	munmap(ro, PAGE);
}

/*
 * A buffer whose second half is unmapped: the write stops at the hole
 * and fails (the seed leaves the bytes written before it undefined);
 * nothing past the buffer's mapped part reaches the VMO.
 */
TEST_F(rw, buffer_ending_in_a_hole)
{
	uint8_t *map = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t got[16];

	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, munmap(map + PAGE, PAGE));
	memset(map, 0x77, PAGE);
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zx_vmo_write(self->h, map + PAGE - 8, 100, 16));
	ASSERT_EQ(0, raw_read(self->h, got, 16, 100));
	for (int i = 8; i < 16; i++) {
		EXPECT_EQ(vmo_pattern(100 + i), got[i]);
	}
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zx_vmo_read(self->h, map + PAGE - 8, 100, 16));
	EXPECT_EQ(SIZE, raw_size(self->h));
	munmap(map, PAGE);
}

/*
 * ACCESS_DENIED without the right, before the range is looked at; and
 * the kernel refuses the same descriptor when used raw.
 */
TEST_F(rw, access_denied_without_right)
{
	zx_handle_t ro, wo, none;
	uint8_t got[8];

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_WRITE, &wo));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_DUPLICATE,
					     &none));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, self->buf, 0, 8));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, self->buf, SIZE, 8));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, NULL, 0, 8));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(none, self->buf, 0, 8));
	memset(got, 0xcd, sizeof(got));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_read(wo, got, 0, 8));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_read(none, got, 0, 8));
	EXPECT_EQ(0xcd, got[0]);
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));

	/* Each works for what it has. */
	EXPECT_EQ(ZX_OK, zx_vmo_read(ro, got, 3, 1));
	EXPECT_EQ(vmo_pattern(3), got[0]);
	EXPECT_EQ(ZX_OK, zx_vmo_write(wo, "W", 5, 1));
	ASSERT_EQ(0, raw_read(self->h, got, 1, 5));
	EXPECT_EQ('W', got[0]);
	zx_handle_close(ro);
	zx_handle_close(wo);
	zx_handle_close(none);
}

/*
 * The kernel, not the library, keeps a read-only handle from writing:
 * its descriptor refuses pwrite(2) and a shared writable mapping, and
 * a write-only one refuses pread(2) and any mapping.
 */
TEST_F(rw, raw_descriptor_enforces_rights)
{
	zx_handle_t ro, wo, none;
	int fd;
	void *map;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_WRITE, &wo));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_DUPLICATE,
					     &none));
	fd = zxproc_handle_fd(ro);
	EXPECT_EQ(O_RDONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(-1, pwrite(fd, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);
	/* Reading and mapping for reading are what it may do. */
	map = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(vmo_pattern(9), ((uint8_t *)map)[9]);
	munmap(map, PAGE);

	fd = zxproc_handle_fd(wo);
	EXPECT_EQ(O_WRONLY, fcntl(fd, F_GETFL) & O_ACCMODE);
	EXPECT_EQ(-1, pread(fd, self->buf, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(EACCES, errno);

	fd = zxproc_handle_fd(none);
	EXPECT_NE(0, fcntl(fd, F_GETFL) & O_PATH);
	EXPECT_EQ(-1, pwrite(fd, "x", 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(-1, pread(fd, self->buf, 1, 0));
	EXPECT_EQ(EBADF, errno);
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
	zx_handle_close(ro);
	zx_handle_close(wo);
	zx_handle_close(none);
}

TEST_F(rw, bad_handle)
{
	zx_handle_t dup;

	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmo_write(ZX_HANDLE_INVALID, self->buf, 0, 1));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_vmo_read(ZX_HANDLE_INVALID, self->buf, 0, 1));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_write(UINT32_MAX, self->buf, 0, 1));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_write(dup, self->buf, 0, 1));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_read(dup, self->buf, 0, 1));
	EXPECT_TRUE(vmo_untouched(self->h, 0, SIZE));
}

/*
 * Descriptors that are not VMOs: /dev/null (which would swallow any
 * pwrite), a pipe, a file with a name, and a procfs file.
 */
TEST_F(rw, wrong_type)
{
	char path[] = "/tmp/zxproc-vmo-XXXXXX";
	int pipefd[2], fds[4];

	ASSERT_EQ(0, pipe2(pipefd, O_CLOEXEC));
	fds[0] = open("/dev/null", O_RDWR | O_CLOEXEC);
	fds[1] = pipefd[1];
	fds[2] = mkstemp(path);
	fds[3] = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	for (int i = 0; i < 4; i++) {
		zx_handle_t h = zxproc_handle_from_fd(fds[i]);
		uint64_t size;

		ASSERT_LE(0, fds[i]);
		EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_write(h, "abc", 0, 3))
			TH_LOG("descriptor %d", i);
		EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_read(h, self->buf, 0, 3));
		EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_get_size(h, &size));
	}
	/* The named file was not written. */
	EXPECT_EQ(0, lseek(fds[2], 0, SEEK_END));
	unlink(path);
	for (int i = 0; i < 4; i++)
		close(fds[i]);
	close(pipefd[0]);
}

TEST_HARNESS_MAIN

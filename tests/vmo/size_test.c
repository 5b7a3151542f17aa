// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_vmo_create(), zx_vmo_get_size() and zx_vmo_set_size(): Zircon's
 * page rounding, every status each documents, and that the memfd behind
 * a VMO is what vmo.c says (size, seals, mode, close-on-exec), checked
 * on the descriptor itself.
 */
#include <signal.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "vmo.h"

#define SENTINEL ((uint64_t)0x5a5a5a5a5a5a5a5aull)

/* The largest size whose page rounding still fits off_t. */
#define MAX_VMO_SIZE ((uint64_t)INT64_MAX - (PAGE - 1))

TEST(create_rounds_up_to_pages)
{
	const struct { uint64_t ask, want; } sizes[] = {
		{ 0, 0 }, { 1, PAGE }, { PAGE - 1, PAGE }, { PAGE, PAGE },
		{ PAGE + 1, 2 * PAGE }, { 5000, 2 * PAGE },
		{ 10 * PAGE, 10 * PAGE },
	};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		zx_handle_t h = ZX_HANDLE_INVALID;
		uint64_t size = SENTINEL;

		ASSERT_EQ(ZX_OK, zx_vmo_create(sizes[i].ask, 0, &h));
		EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
		EXPECT_EQ(sizes[i].want, size)
			TH_LOG("zx_vmo_create(%llu)",
			       (unsigned long long)sizes[i].ask);
		/* Independently: the memfd's own size. */
		EXPECT_EQ((off_t)sizes[i].want, raw_size(h));
		EXPECT_EQ(ZX_OK, zx_handle_close(h));
	}
}

/* A new VMO reads as zeros, through the library and the descriptor. */
TEST(create_zero_filled)
{
	static uint8_t got[3 * PAGE], raw[3 * PAGE], zero[3 * PAGE];
	zx_handle_t h;

	ASSERT_EQ(ZX_OK, zx_vmo_create(sizeof(got), 0, &h));
	memset(got, 0xee, sizeof(got));
	ASSERT_EQ(ZX_OK, zx_vmo_read(h, got, 0, sizeof(got)));
	EXPECT_EQ(0, memcmp(got, zero, sizeof(got)));
	ASSERT_EQ(0, raw_read(h, raw, sizeof(raw), 0));
	EXPECT_EQ(0, memcmp(raw, zero, sizeof(raw)));
	zx_handle_close(h);
}

/* The largest size that rounds within off_t works (sparse); one more not. */
TEST(create_size_limits)
{
	zx_handle_t h = 77;
	uint64_t size = SENTINEL;
	uint8_t byte = 0x42, got = 0;

	ASSERT_EQ(ZX_OK, zx_vmo_create(MAX_VMO_SIZE, 0, &h));
	EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
	EXPECT_EQ(MAX_VMO_SIZE, size);
	/* Its last byte is there to write. */
	EXPECT_EQ(ZX_OK, zx_vmo_write(h, &byte, MAX_VMO_SIZE - 1, 1));
	ASSERT_EQ(0, raw_read(h, &got, 1, (off_t)(MAX_VMO_SIZE - 1)));
	EXPECT_EQ(0x42, got);
	zx_handle_close(h);

	h = 77;
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(MAX_VMO_SIZE + 1, 0, &h));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_create(UINT64_MAX, 0, &h));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE,
		  zx_vmo_create(UINT64_MAX - PAGE + 2, 0, &h));
	EXPECT_EQ(77u, h);
}

/*
 * Past RLIMIT_FSIZE the kernel would kill the caller with SIGXFSZ; the
 * VMO is out of range instead, and nothing is created.
 */
static int fsize_limit_child(void)
{
	struct rlimit lim = { .rlim_cur = 16 * PAGE, .rlim_max = 16 * PAGE };
	zx_handle_t h = ZX_HANDLE_INVALID, r = ZX_HANDLE_INVALID;

	signal(SIGXFSZ, SIG_DFL);
	if (setrlimit(RLIMIT_FSIZE, &lim))
		return 10;
	if (zx_vmo_create(17 * PAGE, 0, &h) != ZX_ERR_OUT_OF_RANGE)
		return 11;
	if (h != ZX_HANDLE_INVALID)
		return 12;
	if (zx_vmo_create(16 * PAGE, ZX_VMO_RESIZABLE, &r) != ZX_OK)
		return 13;
	if (zx_vmo_set_size(r, 16 * PAGE + 1) != ZX_ERR_OUT_OF_RANGE)
		return 14;
	if (raw_size(r) != 16 * PAGE)
		return 15;
	return 0;
}

TEST(create_beyond_fsize_limit)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(fsize_limit_child());
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status)) TH_LOG("killed by signal %d",
					      WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST(create_invalid_args)
{
	zx_handle_t h = 77;

	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, 0, NULL));
	/* Every option but ZX_VMO_RESIZABLE, one bit at a time. */
	for (int bit = 0; bit < 32; bit++) {
		uint32_t option = 1u << bit;

		if (option == ZX_VMO_RESIZABLE)
			continue;
		EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_create(PAGE, option, &h))
			TH_LOG("option %#x", option);
	}
	EXPECT_EQ(77u, h);
}

/*
 * The memfd: close-on-exec, mode 0600, sealed so that only a resizable
 * VMO changes size and nobody can add seals, and not executable where
 * the kernel knows MFD_NOEXEC_SEAL (6.3 and later).
 */
TEST(create_memfd_properties)
{
	zx_handle_t fixed, resizable;
	struct stat st;
	int seals;

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &fixed));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, ZX_VMO_RESIZABLE, &resizable));

	EXPECT_EQ(FD_CLOEXEC, fcntl(zxproc_handle_fd(fixed), F_GETFD));
	ASSERT_EQ(0, fstat(zxproc_handle_fd(fixed), &st));
	EXPECT_EQ(0600u, st.st_mode & 07777);
	EXPECT_EQ(O_RDWR, fcntl(zxproc_handle_fd(fixed), F_GETFL) & O_ACCMODE);

	seals = fcntl(zxproc_handle_fd(fixed), F_GET_SEALS);
	ASSERT_LE(0, seals);
	EXPECT_EQ(F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK,
		  seals & (F_SEAL_SEAL | F_SEAL_GROW | F_SEAL_SHRINK |
			   F_SEAL_WRITE));
	seals = fcntl(zxproc_handle_fd(resizable), F_GET_SEALS);
	ASSERT_LE(0, seals);
	EXPECT_EQ(F_SEAL_SEAL, seals & (F_SEAL_SEAL | F_SEAL_GROW |
					F_SEAL_SHRINK | F_SEAL_WRITE));
	/* Nobody can seal writes away: F_SEAL_SEAL. */
	EXPECT_EQ(-1, fcntl(zxproc_handle_fd(resizable), F_ADD_SEALS,
			    F_SEAL_WRITE));
	EXPECT_EQ(EPERM, errno);
	zx_handle_close(fixed);
	zx_handle_close(resizable);
}

TEST(get_size_errors)
{
	uint64_t size = SENTINEL;
	zx_handle_t h, closed;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &h));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, zx_vmo_get_size(h, NULL));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(ZX_HANDLE_INVALID, &size));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &closed));
	ASSERT_EQ(ZX_OK, zx_handle_close(closed));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(closed, &size));
	/* The handle is checked before the pointer, as in Zircon. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_get_size(closed, NULL));
	ASSERT_LE(0, null_fd);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_get_size(zxproc_handle_from_fd(null_fd), &size));
	EXPECT_EQ(SENTINEL, size);
	close(null_fd);
	zx_handle_close(h);
}

/* A VMO made without ZX_VMO_RESIZABLE keeps its size, even to raw calls. */
TEST(set_size_unavailable)
{
	zx_handle_t h = vmo_new(2 * PAGE, 0);

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	EXPECT_EQ(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(h, PAGE));
	EXPECT_EQ(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(h, 4 * PAGE));
	EXPECT_EQ(ZX_ERR_UNAVAILABLE, zx_vmo_set_size(h, 2 * PAGE));
	EXPECT_EQ(2 * PAGE, raw_size(h));
	/* The kernel refuses the descriptor itself: the seals. */
	EXPECT_EQ(-1, ftruncate(zxproc_handle_fd(h), PAGE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-1, ftruncate(zxproc_handle_fd(h), 4 * PAGE));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(2 * PAGE, raw_size(h));
	EXPECT_TRUE(vmo_untouched(h, 0, 2 * PAGE));
	zx_handle_close(h);
}

TEST(set_size_grows_and_shrinks)
{
	zx_handle_t h = vmo_new(2 * PAGE, ZX_VMO_RESIZABLE);
	uint64_t size = SENTINEL;
	uint8_t got[PAGE], zero[PAGE] = { 0 };

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	/* Grow: rounded up, old bytes kept, new ones zero. */
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(h, 3 * PAGE + 1));
	EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
	EXPECT_EQ(4u * PAGE, size);
	EXPECT_EQ(4 * PAGE, raw_size(h));
	EXPECT_TRUE(vmo_untouched(h, 0, 2 * PAGE));
	ASSERT_EQ(0, raw_read(h, got, PAGE, 3 * PAGE));
	EXPECT_EQ(0, memcmp(got, zero, PAGE));
	/* Shrink to whole pages: the rest is gone. */
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(h, PAGE));
	EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
	EXPECT_EQ((uint64_t)PAGE, size);
	EXPECT_TRUE(vmo_untouched(h, 0, PAGE));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_read(h, got, PAGE, 1));
	/* To zero. */
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(h, 0));
	EXPECT_EQ(0, raw_size(h));
	zx_handle_close(h);
}

/*
 * Zircon zeroes from the requested size to the page boundary: shrinking
 * to 5000 bytes keeps 0..4999 and clears 5000..8191, so growing back
 * never shows the old bytes.
 */
TEST(set_size_zeroes_the_tail)
{
	zx_handle_t h = vmo_new(3 * PAGE, ZX_VMO_RESIZABLE);
	uint8_t got[2 * PAGE];

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(h, 5000));
	EXPECT_EQ(2 * PAGE, raw_size(h));
	EXPECT_TRUE(vmo_untouched(h, 0, 5000));
	ASSERT_EQ(0, raw_read(h, got, sizeof(got), 0));
	for (size_t i = 5000; i < sizeof(got); i++) {
		ASSERT_EQ(0, got[i]) TH_LOG("byte %zu", i);
	}
	/* Growing within the same pages changes nothing. */
	ASSERT_EQ(ZX_OK, zx_vmo_set_size(h, 6000));
	EXPECT_TRUE(vmo_untouched(h, 0, 5000));
	zx_handle_close(h);
}

TEST(set_size_errors)
{
	zx_handle_t h = vmo_new(PAGE, ZX_VMO_RESIZABLE), ro, closed;
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(h, ZX_RIGHT_READ, &ro));
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_set_size(ro, 2 * PAGE));
	/* The kernel refuses the read-only descriptor on its own. */
	EXPECT_EQ(-1, ftruncate(zxproc_handle_fd(ro), 2 * PAGE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(h, MAX_VMO_SIZE + 1));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_set_size(h, UINT64_MAX));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_set_size(ZX_HANDLE_INVALID, 0));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &closed));
	ASSERT_EQ(ZX_OK, zx_handle_close(closed));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_set_size(closed, 0));
	ASSERT_LE(0, null_fd);
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_vmo_set_size(zxproc_handle_from_fd(null_fd), 0));
	EXPECT_EQ(PAGE, raw_size(h));
	EXPECT_TRUE(vmo_untouched(h, 0, PAGE));
	close(null_fd);
	zx_handle_close(ro);
	zx_handle_close(h);
}

TEST_HARNESS_MAIN

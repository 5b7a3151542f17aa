// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VMO handles through zx_handle_duplicate(), zx_handle_replace(),
 * zx_handle_close() and zx_object_get_info(): the rights each reports
 * and really has (the descriptor's access mode), which calls consume
 * their handle, what another user id can regain by reopening the memfd,
 * and that VMO and process handles refuse each other's calls with
 * ZX_ERR_WRONG_TYPE (those tests need the zxproc module and skip
 * without it).
 */
#include <grp.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmo.h"

#define NOBODY 65534

FIXTURE(vmoh) {
	zx_handle_t h;		/* a page of vmo_pattern(), every right */
};

FIXTURE_SETUP(vmoh)
{
	self->h = vmo_new(PAGE, 0);
	ASSERT_NE(ZX_HANDLE_INVALID, self->h);
}

FIXTURE_TEARDOWN(vmoh)
{
	zx_handle_close(self->h);
}

static int is_open(zx_handle_t h)
{
	return fcntl(zxproc_handle_fd(h), F_GETFD) >= 0;
}

static ino_t inode_of(zx_handle_t h)
{
	struct stat st;

	return fstat(zxproc_handle_fd(h), &st) < 0 ? 0 : st.st_ino;
}

TEST_F(vmoh, get_info)
{
	zx_info_handle_basic_t info = basic_of(self->h);
	zx_handle_t other;
	size_t actual = 9, avail = 9;

	EXPECT_EQ(ZX_OBJ_TYPE_VMO, info.type);
	EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS, info.rights);
	EXPECT_EQ((zx_koid_t)inode_of(self->h), info.koid);
	EXPECT_NE(ZX_KOID_INVALID, info.koid);
	EXPECT_EQ(ZX_KOID_INVALID, info.related_koid);
	EXPECT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_HANDLE_VALID,
					    NULL, 0, NULL, NULL));
	/* Too small a buffer: the same rules as for a process handle. */
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(self->h, ZX_INFO_HANDLE_BASIC, &info, 8,
				     &actual, &avail));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(1u, avail);
	/* Another VMO is another object. */
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &other));
	EXPECT_NE(basic_of(self->h).koid, basic_of(other).koid);
	zx_handle_close(other);
}

TEST_F(vmoh, duplicate_same_rights)
{
	zx_handle_t dup = 77;
	uint8_t got;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	EXPECT_NE(self->h, dup);
	EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS, basic_of(dup).rights);
	EXPECT_EQ(basic_of(self->h).koid, basic_of(dup).koid);
	EXPECT_EQ(FD_CLOEXEC, fcntl(zxproc_handle_fd(dup), F_GETFD));
	/* The same memory: written through one, seen through the other. */
	ASSERT_EQ(ZX_OK, zx_vmo_write(dup, "D", 10, 1));
	ASSERT_EQ(0, raw_read(self->h, &got, 1, 10));
	EXPECT_EQ('D', got);
	/* Independent handles: closing one leaves the other. */
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	EXPECT_TRUE(is_open(self->h));
	EXPECT_EQ(ZX_OK, zx_vmo_read(self->h, &got, 10, 1));
}

/* Zircon's idiom for a read-only VMO handle gives exactly that. */
TEST_F(vmoh, duplicate_without_write)
{
	const zx_rights_t want = ZX_DEFAULT_VMO_RIGHTS & ~ZX_RIGHT_WRITE;
	zx_handle_t ro, ro2;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, want, &ro));
	EXPECT_EQ(want, basic_of(ro).rights);
	EXPECT_EQ(basic_of(self->h).koid, basic_of(ro).koid);
	EXPECT_EQ(O_RDONLY, fcntl(zxproc_handle_fd(ro), F_GETFL) & O_ACCMODE);
	EXPECT_EQ(FD_CLOEXEC, fcntl(zxproc_handle_fd(ro), F_GETFD));
	/* A duplicate of it can never get WRITE back. */
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_DEFAULT_VMO_RIGHTS, &ro2));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(ro, ZX_RIGHT_WRITE, &ro2));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(ro, ZX_RIGHT_SAME_RIGHTS, &ro2));
	EXPECT_EQ(want, basic_of(ro2).rights);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro2, "x", 0, 1));
	EXPECT_TRUE(vmo_untouched(self->h, 0, PAGE));
	zx_handle_close(ro);
	zx_handle_close(ro2);
}

/*
 * Rights the kernel cannot take from a descriptor stay with it whatever
 * was asked; READ and WRITE are exactly as asked, MAP goes with READ.
 */
TEST_F(vmoh, duplicate_reports_what_it_has)
{
	const struct { zx_rights_t ask, have; int mode; } cases[] = {
		{ ZX_RIGHT_READ, CARRIED | ZX_RIGHT_READ | ZX_RIGHT_MAP,
		  O_RDONLY },
		{ ZX_RIGHT_READ | ZX_RIGHT_MAP,
		  CARRIED | ZX_RIGHT_READ | ZX_RIGHT_MAP, O_RDONLY },
		{ ZX_RIGHT_WRITE, CARRIED | ZX_RIGHT_WRITE, O_WRONLY },
		{ ZX_RIGHT_WRITE | ZX_RIGHT_MAP, CARRIED | ZX_RIGHT_WRITE,
		  O_WRONLY },
		{ ZX_RIGHTS_IO, CARRIED | ZX_RIGHTS_IO | ZX_RIGHT_MAP, O_RDWR },
		{ ZX_RIGHT_DUPLICATE, CARRIED, O_PATH },
		{ ZX_RIGHT_NONE, CARRIED, O_PATH },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		zx_handle_t dup;
		int flags;

		ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, cases[i].ask,
						     &dup))
			TH_LOG("rights %#x", cases[i].ask);
		EXPECT_EQ(cases[i].have, basic_of(dup).rights)
			TH_LOG("rights %#x", cases[i].ask);
		flags = fcntl(zxproc_handle_fd(dup), F_GETFL);
		if (cases[i].mode == O_PATH) {
			EXPECT_NE(0, flags & O_PATH);
		} else {
			EXPECT_EQ(0, flags & O_PATH);
			EXPECT_EQ(cases[i].mode, flags & O_ACCMODE);
		}
		EXPECT_EQ(ZX_OBJ_TYPE_VMO, basic_of(dup).type);
		EXPECT_EQ(ZX_OK, zx_handle_close(dup));
	}
}

TEST_F(vmoh, duplicate_errors)
{
	const zx_rights_t bad[] = {
		ZX_RIGHT_EXECUTE, ZX_RIGHT_MANAGE_PROCESS,
		ZX_DEFAULT_VMO_RIGHTS | ZX_RIGHT_EXECUTE,
		ZX_RIGHT_SAME_RIGHTS | ZX_RIGHT_READ, ~0u,
	};
	zx_handle_t dup = 77, closed;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zx_handle_duplicate(self->h, bad[i], &dup))
			TH_LOG("rights %#x", bad[i]);
	}
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS, NULL));
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &closed));
	ASSERT_EQ(ZX_OK, zx_handle_close(closed));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_duplicate(closed, ZX_RIGHT_SAME_RIGHTS, &dup));
	EXPECT_EQ(77u, dup);
}

/* Out of descriptors: both ways of duplicating say NO_RESOURCES. */
TEST_F(vmoh, duplicate_no_resources)
{
	struct rlimit rl;
	int next = open("/dev/null", O_RDONLY);
	zx_handle_t dup = 77;

	ASSERT_LE(0, next);
	close(next);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	rl.rlim_cur = (rlim_t)next;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS, &dup));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zx_handle_duplicate(self->h, ZX_RIGHT_READ, &dup));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES, zx_vmo_create(PAGE, 0, &dup));
	EXPECT_EQ(77u, dup);
}

TEST_F(vmoh, replace_consumes)
{
	zx_handle_t ro = 77, again = 77;
	uint8_t got;

	ASSERT_EQ(ZX_OK, zx_handle_replace(self->h, ZX_RIGHT_READ, &ro));
	EXPECT_FALSE(is_open(self->h));
	EXPECT_EQ(CARRIED | ZX_RIGHT_READ | ZX_RIGHT_MAP, basic_of(ro).rights);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, zx_vmo_write(ro, "x", 0, 1));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_vmo_read(self->h, &got, 0, 1));
	/* Same rights: a new handle, the old one gone. */
	ASSERT_EQ(ZX_OK, zx_handle_replace(ro, ZX_RIGHT_SAME_RIGHTS, &again));
	EXPECT_NE(ro, again);
	EXPECT_FALSE(is_open(ro));
	EXPECT_EQ(CARRIED | ZX_RIGHT_READ | ZX_RIGHT_MAP,
		  basic_of(again).rights);
	EXPECT_EQ(ZX_OK, zx_vmo_read(again, &got, 7, 1));
	EXPECT_EQ(vmo_pattern(7), got);
	self->h = again;
}

/* Zircon consumes the handle even when the replacement fails. */
TEST_F(vmoh, replace_failures_consume)
{
	zx_handle_t dup, out = 77;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_replace(dup, ZX_RIGHT_EXECUTE, &out));
	EXPECT_EQ(77u, out);
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(dup));

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &dup));
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, NULL));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(dup));
	/* A handle that is not one is not consumed. */
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_handle_replace(dup, ZX_RIGHT_SAME_RIGHTS, &out));
	EXPECT_TRUE(is_open(self->h));
}

TEST_F(vmoh, close)
{
	zx_handle_t none;

	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_NONE, &none));
	EXPECT_TRUE(is_open(none));
	EXPECT_EQ(ZX_OK, zx_handle_close(none));
	EXPECT_FALSE(is_open(none));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_handle_close(none));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, zx_object_get_info(none,
							ZX_INFO_HANDLE_VALID,
							NULL, 0, NULL, NULL));
	EXPECT_EQ(ZX_OK, zx_handle_close(self->h));
	EXPECT_FALSE(is_open(self->h));
	self->h = ZX_HANDLE_INVALID;
}

/*
 * The memfd's mode (0600) keeps another user id from reopening it
 * through /proc with more access than its descriptor has, and so from
 * making a duplicate that needs a reopen (ACCESS_DENIED); a memfd with
 * the kernel's default mode lets it, which is what the mode is for.
 */
static int reopen_as_nobody(zx_handle_t rw, zx_handle_t ro, int plain_memfd)
{
	char path[64];
	zx_handle_t dup;
	int fd;

	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return 10;
	/* Changing uid made us non-dumpable, which hides /proc/self/fd. */
	if (prctl(PR_SET_DUMPABLE, 1))
		return 11;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", zxproc_handle_fd(ro));
	fd = open(path, O_RDWR);
	if (fd >= 0 || errno != EACCES)
		return 12;
	fd = open(path, O_RDONLY);
	if (fd >= 0 || errno != EACCES)
		return 13;
	if (zx_handle_duplicate(rw, ZX_RIGHT_READ, &dup) !=
	    ZX_ERR_ACCESS_DENIED)
		return 14;
	/* What needs no reopen works for anybody: dup(2), and O_PATH. */
	if (zx_handle_duplicate(ro, ZX_RIGHT_SAME_RIGHTS, &dup) != ZX_OK)
		return 15;
	if (zx_handle_duplicate(ro, ZX_RIGHT_NONE, &dup) != ZX_OK)
		return 16;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", plain_memfd);
	fd = open(path, O_RDWR);
	if (fd < 0)
		return 17;
	return 0;
}

TEST_F(vmoh, other_user_cannot_reopen)
{
	zx_handle_t ro;
	int plain, status;
	pid_t pid;

	if (geteuid() != 0)
		SKIP(return, "needs root to become another user");
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	plain = memfd_create("plain", MFD_CLOEXEC);
	ASSERT_LE(0, plain);
	pid = fork();
	if (pid == 0)
		_exit(reopen_as_nobody(self->h, ro, plain));
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_TRUE(vmo_untouched(self->h, 0, PAGE));
	close(plain);
	zx_handle_close(ro);
}

/* A memfd made elsewhere is a VMO too, with the rights of its mode. */
TEST(foreign_memfd_is_a_vmo)
{
	int fd = memfd_create("foreign", MFD_CLOEXEC);
	zx_handle_t h = zxproc_handle_from_fd(fd);
	uint64_t size = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 100));
	EXPECT_EQ(ZX_OBJ_TYPE_VMO, basic_of(h).type);
	EXPECT_EQ(ZX_DEFAULT_VMO_RIGHTS, basic_of(h).rights);
	EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
	EXPECT_EQ(100u, size);
	EXPECT_EQ(ZX_OK, zx_vmo_write(h, "abc", 97, 3));
	EXPECT_EQ(ZX_ERR_OUT_OF_RANGE, zx_vmo_write(h, "abcd", 97, 4));
	/* Unsealed, so resizable. */
	EXPECT_EQ(ZX_OK, zx_vmo_set_size(h, 100));
	EXPECT_EQ(ZX_OK, zx_vmo_get_size(h, &size));
	EXPECT_EQ((uint64_t)PAGE, size);
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
	EXPECT_EQ(-1, fcntl(fd, F_GETFD));
}

/* --- VMO and process handles refuse each other's calls ---------------- */

static int have_module(void)
{
	return access("/dev/zxproc", F_OK) == 0;
}

TEST_F(vmoh, process_calls_refuse_vmos)
{
	static uint8_t target[16];
	zx_handle_t ro, none;
	size_t actual = 99;

	if (!have_module())
		SKIP(return, "no zxproc module");
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_READ, &ro));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_NONE, &none));
	/* Read-write, read-only (ENOTTY) and O_PATH (EBADF) descriptors. */
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_write_memory(self->h, (zx_vaddr_t)target, "x", 1,
					  &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_read_memory(self->h, (zx_vaddr_t)target, target,
					 1, &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_write_memory(ro, (zx_vaddr_t)target, "x", 1,
					  &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_write_memory(none, (zx_vaddr_t)target, "x", 1,
					  &actual));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE,
		  zx_process_read_memory(none, (zx_vaddr_t)target, target, 1,
					 &actual));
	EXPECT_EQ(99u, actual);
	EXPECT_EQ(0, target[0]);
	zx_handle_close(ro);
	zx_handle_close(none);
}

TEST(vmo_calls_refuse_processes)
{
	zx_handle_t proc;
	uint8_t buf[8] = { 0 };
	uint64_t size = 99;

	if (!have_module())
		SKIP(return, "no zxproc module");
	ASSERT_EQ(ZX_OK, zxproc_process_open(getpid(), ZXPROC_PROCESS_RIGHTS,
					     &proc));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_write(proc, buf, 0, 1));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_read(proc, buf, 0, 1));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_get_size(proc, &size));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zx_vmo_set_size(proc, PAGE));
	EXPECT_EQ(99u, size);
	/* And the process handle is still the process's. */
	EXPECT_EQ(ZX_OBJ_TYPE_PROCESS, basic_of(proc).type);
	EXPECT_EQ(ZX_OK, zx_handle_close(proc));
}

TEST_HARNESS_MAIN

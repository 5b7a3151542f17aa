// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_object_get_info(ZX_INFO_PROCESS) through the real module: STARTED
 * for every process a handle names; EXITED once the handle's address
 * space is gone, after the target exits (a zombie, then reaped) and
 * after it execs, while a new handle to the exec'd process is not
 * EXITED; ZX_RIGHT_INSPECT required; Zircon's buffer rules.  And the
 * use it was made for: telling a BAD_STATE from memory access apart,
 * a process gone (EXITED) from device memory (not EXITED).
 */
#include "kselftest_harness.h"
#include "target.h"
#include "readback.h"

#define SENTINEL ((size_t)0x5a5a5a5a)

/* The record of @h, or all 0xff bytes when the call fails. */
static zx_status_t info_of(zx_handle_t h, zx_info_process_t *info)
{
	size_t actual = SENTINEL, avail = SENTINEL;
	zx_status_t status;

	memset(info, 0xff, sizeof(*info));
	status = zx_object_get_info(h, ZX_INFO_PROCESS, info, sizeof(*info),
				    &actual, &avail);
	if (status == ZX_OK && (actual != 1 || avail != 1))
		return ZX_ERR_INTERNAL;
	return status;
}

/* The record of a live process: only STARTED, and zeros elsewhere. */
static int live_record(const zx_info_process_t *info)
{
	static const uint8_t zero[4];

	return info->flags == ZX_INFO_PROCESS_FLAG_STARTED &&
	       info->return_code == 0 && info->start_time == 0 &&
	       memcmp(info->padding1, zero, sizeof(zero)) == 0;
}

static int ended_record(const zx_info_process_t *info)
{
	return info->flags == (ZX_INFO_PROCESS_FLAG_STARTED |
			       ZX_INFO_PROCESS_FLAG_EXITED) &&
	       info->return_code == 0 && info->start_time == 0;
}

FIXTURE(info) {
	pid_t pid;
	zx_handle_t h;		/* every process right */
};

FIXTURE_SETUP(info)
{
	ASSERT_EQ(0, target_spawn_open(&self->pid, &self->h));
}

FIXTURE_TEARDOWN(info)
{
	zx_handle_close(self->h);
	target_reap(self->pid);
}

TEST_F(info, running)
{
	zx_info_process_t info;

	ASSERT_EQ(ZX_OK, info_of(self->h, &info));
	EXPECT_TRUE(live_record(&info));
	/* actual and avail are optional. */
	memset(&info, 0xff, sizeof(info));
	EXPECT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS, &info,
					    sizeof(info), NULL, NULL));
	EXPECT_TRUE(live_record(&info));
	/* A larger buffer holds one record; the rest is not written. */
	{
		uint8_t big[sizeof(info) + 8];
		size_t actual = SENTINEL, avail = SENTINEL;

		memset(big, 0xcc, sizeof(big));
		EXPECT_EQ(ZX_OK, zx_object_get_info(self->h, ZX_INFO_PROCESS,
						    big, sizeof(big), &actual,
						    &avail));
		EXPECT_EQ(1u, actual);
		EXPECT_EQ(1u, avail);
		for (size_t i = sizeof(info); i < sizeof(big); i++)
			EXPECT_EQ(0xcc, big[i]);
	}
	/* The caller's own process, too. */
	ASSERT_EQ(ZX_OK, info_of(zx_process_self(), &info));
	EXPECT_TRUE(live_record(&info));
	EXPECT_TRUE(target_untouched(self->pid));
}

/* A zombie has ended; so has a reaped process. */
TEST_F(info, exited_after_exit)
{
	zx_info_process_t info;
	size_t actual = SENTINEL;

	ASSERT_EQ(0, target_kill_unreaped(self->pid));
	ASSERT_EQ(ZX_OK, info_of(self->h, &info));
	EXPECT_TRUE(ended_record(&info));
	/* What a memory call then says, and what it means. */
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_read_memory(self->h, (zx_vaddr_t)target_region,
					 &info, 8, &actual));
	ASSERT_EQ(self->pid, waitpid(self->pid, NULL, 0));
	self->pid = 0;
	ASSERT_EQ(ZX_OK, info_of(self->h, &info));
	EXPECT_TRUE(ended_record(&info));
}

/* A target that exits by itself, with a status: EXITED, code unknown. */
TEST(exited_by_itself)
{
	zx_info_process_t info;
	int go[2];
	zx_handle_t h;
	pid_t pid;
	char c = 'x';

	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		_exit(42);
	}
	ASSERT_LT(0, pid);
	close(go[0]);
	h = open_or_die(pid, ZX_RIGHT_INSPECT);
	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, info_of(h, &info));
	EXPECT_TRUE(live_record(&info));
	ASSERT_EQ(1, write(go[1], &c, 1));
	{
		int status;

		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		ASSERT_EQ(42, WEXITSTATUS(status));
	}
	ASSERT_EQ(ZX_OK, info_of(h, &info));
	EXPECT_TRUE(ended_record(&info));
	zx_handle_close(h);
	close(go[1]);
}

/*
 * The target execs: for the handle, its process has ended (the handle
 * is bound to the address space it was opened on), while the process
 * lives on and a new handle to it is not EXITED.
 */
TEST(exited_after_exec)
{
	zx_info_process_t info;
	zx_handle_t old, fresh;
	pid_t pid;

	pid = exec_after_open(ZX_RIGHT_INSPECT | ZX_RIGHT_DUPLICATE, &old);
	ASSERT_LT(0, pid);
	ASSERT_EQ(ZX_OK, info_of(old, &info));
	EXPECT_TRUE(ended_record(&info));
	EXPECT_EQ(0, kill(pid, 0));		/* the process lives on */
	fresh = open_or_die(pid, ZX_RIGHT_INSPECT);
	ASSERT_NE(ZX_HANDLE_INVALID, fresh);
	ASSERT_EQ(ZX_OK, info_of(fresh, &info));
	EXPECT_TRUE(live_record(&info));
	/* A duplicate of the old handle is bound to the old image too. */
	{
		zx_handle_t dup;

		ASSERT_EQ(ZX_OK, zx_handle_duplicate(old, ZX_RIGHT_SAME_RIGHTS,
						     &dup));
		ASSERT_EQ(ZX_OK, info_of(dup, &info));
		EXPECT_TRUE(ended_record(&info));
		zx_handle_close(dup);
	}
	zx_handle_close(fresh);
	zx_handle_close(old);
	target_reap(pid);
}

/*
 * Device memory answers BAD_STATE as a gone process does; EXITED tells
 * them apart (what the zxproc command relies on).
 */
TEST_F(info, bad_state_of_device_memory_is_not_exited)
{
	void *map = device_page(NULL);
	zx_info_process_t info;
	uint8_t buf[8];
	size_t actual = SENTINEL;
	pid_t pid;
	zx_handle_t h;

	if (map == MAP_FAILED)
		SKIP(return, "no device memory: %s", strerror(errno));
	ASSERT_EQ(0, target_spawn_open(&pid, &h));
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zx_process_read_memory(h, (zx_vaddr_t)map, buf, 8, &actual));
	ASSERT_EQ(ZX_OK, info_of(h, &info));
	EXPECT_TRUE(live_record(&info));
	zx_handle_close(h);
	target_reap(pid);
	munmap(map, PAGE);
}

/* ZX_RIGHT_INSPECT is needed, and enough. */
TEST_F(info, rights)
{
	const zx_rights_t without[] = {
		ZX_RIGHT_NONE, ZX_RIGHT_READ | ZX_RIGHT_WRITE,
		ZXPROC_PROCESS_RIGHTS & ~ZX_RIGHT_INSPECT,
	};
	zx_info_process_t info;
	size_t actual = SENTINEL, avail = SENTINEL;
	zx_handle_t h;

	for (size_t i = 0; i < sizeof(without) / sizeof(without[0]); i++) {
		ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, without[i], &h));
		memset(&info, 0xff, sizeof(info));
		EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
			  zx_object_get_info(h, ZX_INFO_PROCESS, &info,
					     sizeof(info), &actual, &avail))
			TH_LOG("rights %#x", without[i]);
		/* Rights come before the buffer's size. */
		EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
			  zx_object_get_info(h, ZX_INFO_PROCESS, NULL, 0,
					     &actual, &avail));
		EXPECT_EQ(-1, info.return_code);
		/* The topics that need no right still answer. */
		EXPECT_EQ(ZX_OK, zx_object_get_info(h, ZX_INFO_HANDLE_VALID,
						    NULL, 0, NULL, NULL));
		zx_handle_close(h);
	}
	EXPECT_EQ(SENTINEL, actual);
	EXPECT_EQ(SENTINEL, avail);
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_INSPECT, &h));
	ASSERT_EQ(ZX_OK, info_of(h, &info));
	EXPECT_TRUE(live_record(&info));
	zx_handle_close(h);
}

/* Zircon's buffer rules for a one-record topic. */
TEST_F(info, buffer_too_small)
{
	uint8_t buf[sizeof(zx_info_process_t)];
	size_t actual = SENTINEL, avail = SENTINEL;

	memset(buf, 0xcc, sizeof(buf));
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(self->h, ZX_INFO_PROCESS, buf,
				     sizeof(buf) - 1, &actual, &avail));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(1u, avail);
	for (size_t i = 0; i < sizeof(buf); i++)
		EXPECT_EQ(0xcc, buf[i]);
	/* NULL with no size: how a caller asks how many records there are. */
	actual = avail = SENTINEL;
	EXPECT_EQ(ZX_ERR_BUFFER_TOO_SMALL,
		  zx_object_get_info(self->h, ZX_INFO_PROCESS, NULL, 0,
				     &actual, &avail));
	EXPECT_EQ(0u, actual);
	EXPECT_EQ(1u, avail);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zx_object_get_info(self->h, ZX_INFO_PROCESS, NULL,
				     sizeof(buf), &actual, &avail));
	EXPECT_TRUE(target_untouched(self->pid));
}

/* Not a process handle: a VMO is WRONG_TYPE, the device no handle. */
TEST_F(info, not_process_handles)
{
	int fd = open("/dev/zxproc", O_RDWR | O_CLOEXEC);
	zx_info_process_t info;
	zx_handle_t vmo, dup;

	ASSERT_LE(0, fd);
	ASSERT_EQ(ZX_OK, zx_vmo_create(PAGE, 0, &vmo));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, info_of(vmo, &info));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, info_of(zxproc_handle_from_fd(fd), &info));
	ASSERT_EQ(ZX_OK, zx_handle_duplicate(self->h, ZX_RIGHT_SAME_RIGHTS,
					     &dup));
	ASSERT_EQ(ZX_OK, zx_handle_close(dup));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, info_of(dup, &info));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE, info_of(ZX_HANDLE_INVALID, &info));
	zx_handle_close(vmo);
	close(fd);
}

TEST_HARNESS_MAIN

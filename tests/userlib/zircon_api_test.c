// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A program written against <zircon/syscalls.h> alone patches a live
 * child process and reads the result back.
 *
 * The first part of this file is that program's code: it includes
 * nothing but <zircon/syscalls.h>, before any other header, so it
 * compiles only because libzxproc's Zircon headers are complete for it;
 * it is what a Zircon tool would contain, unchanged.  The Linux glue
 * after it does what Zircon does by other means: it forks the child
 * and opens a handle to it (the one Linux-only call, since a Zircon
 * process gets its handles when it creates its children).
 */
#include <zircon/syscalls.h>

/* ---- Zircon code: <zircon/syscalls.h> only ---- */

/*
 * Writes @value at @addr in @process and reads it back into *@readback.
 */
static zx_status_t patch_u64(zx_handle_t process, zx_vaddr_t addr,
			     uint64_t value, uint64_t *readback)
{
	zx_info_handle_basic_t info;
	size_t actual = 0;
	zx_status_t status;

	status = zx_object_get_info(process, ZX_INFO_HANDLE_BASIC, &info,
				    sizeof(info), NULL, NULL);
	if (status != ZX_OK)
		return status;
	if (info.type != ZX_OBJ_TYPE_PROCESS)
		return ZX_ERR_WRONG_TYPE;
	status = zx_process_write_memory(process, addr, &value, sizeof(value),
					 &actual);
	if (status != ZX_OK)
		return status;
	if (actual != sizeof(value))
		return ZX_ERR_IO;
	status = zx_process_read_memory(process, addr, readback,
					sizeof(*readback), &actual);
	if (status == ZX_OK && actual != sizeof(*readback))
		return ZX_ERR_IO;
	return status;
}

/* Hands out a read-only copy of @process, as a Zircon tool would. */
static zx_status_t read_only_copy(zx_handle_t process, zx_handle_t *out)
{
	zx_handle_t copy;
	zx_status_t status;

	status = zx_handle_duplicate(process, ZX_RIGHT_SAME_RIGHTS, &copy);
	if (status != ZX_OK)
		return status;
	return zx_handle_replace(copy, ZX_RIGHT_READ | ZX_RIGHT_INSPECT, out);
}

/* ---- Linux glue ---- */

#include <unistd.h>

#include <zxproc/zxproc.h>

#include "kselftest_harness.h"

#define MAGIC 0x600dc0de12345678ull

static volatile uint64_t flag;

/*
 * The child spins until its flag changes, reports what it saw, and lives
 * on until @done is closed: the parent reads the patch back after it
 * landed, and a child that had exited would answer ZX_ERR_BAD_STATE.
 */
static void child_wait_for_patch(int report, int done)
{
	uint64_t seen;
	char c;

	while (flag != MAGIC)
		usleep(1000);
	seen = flag;
	if (write(report, &seen, sizeof(seen)) != sizeof(seen))
		_exit(2);
	if (read(done, &c, 1) != 0)
		_exit(3);
	_exit(0);
}

TEST(patch_live_child)
{
	int report[2], done[2], status;
	uint64_t readback = 0, seen = 0;
	zx_handle_t child, ro;
	pid_t pid;

	flag = 0;
	ASSERT_EQ(0, pipe(report));
	ASSERT_EQ(0, pipe(done));
	pid = fork();
	if (pid == 0) {
		close(done[1]);
		child_wait_for_patch(report[1], done[0]);
	}
	ASSERT_LT(0, pid);
	close(report[1]);
	close(done[0]);
	ASSERT_EQ(ZX_OK, zxproc_process_open(pid, ZXPROC_PROCESS_RIGHTS, &child));

	/* Zircon code, on a read-only copy: refused, nothing changes. */
	ASSERT_EQ(ZX_OK, read_only_copy(child, &ro));
	EXPECT_STREQ("ZX_ERR_ACCESS_DENIED",
		     zx_status_get_string(patch_u64(ro, (zx_vaddr_t)&flag,
						    MAGIC, &readback)));
	EXPECT_EQ(ZX_OK, zx_handle_close(ro));

	/* Zircon code, on the full handle: the child sees the patch. */
	EXPECT_STREQ("ZX_OK",
		     zx_status_get_string(patch_u64(child, (zx_vaddr_t)&flag,
						    MAGIC, &readback)));
	EXPECT_EQ(MAGIC, readback);
	ASSERT_EQ(sizeof(seen), read(report[0], &seen, sizeof(seen)));
	EXPECT_EQ(MAGIC, seen);
	close(done[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Our own flag was never touched. */
	EXPECT_EQ(0u, flag);
	EXPECT_EQ(ZX_OK, zx_handle_close(child));
}

/* The same Zircon code on zx_process_self(), which needs no glue. */
TEST(patch_self)
{
	uint64_t readback = 0;

	flag = 0;
	ASSERT_EQ(ZX_OK, patch_u64(zx_process_self(), (zx_vaddr_t)&flag,
				   MAGIC, &readback));
	EXPECT_EQ(MAGIC, readback);
	EXPECT_EQ(MAGIC, flag);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_process_self() through the real module: a handle to the caller
 * with every right, one per process however many threads ask, a
 * child's own after fork() (and after a raw clone(2) that skips the
 * fork handlers), and a fresh one if the caller closed it anyway.
 */
#include <pthread.h>
#include <dirent.h>

#include "kselftest_harness.h"
#include "target.h"

static volatile uint64_t cell = 0x1111;

/* How many of our descriptors are zxproc handles. */
static int count_handles(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		n += zx_object_get_info(zxproc_handle_from_fd(fd),
					ZX_INFO_HANDLE_VALID, NULL, 0, NULL,
					NULL) == ZX_OK;
	}
	closedir(d);
	return n;
}

TEST(handle_to_self)
{
	zx_handle_t h = zx_process_self();
	uint64_t v = 0x2222, got = 0;
	size_t actual;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	EXPECT_EQ(h, zx_process_self());
	EXPECT_EQ((zx_koid_t)getpid(), koid_of(h));
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, rights_of(h));
	ASSERT_EQ(ZX_OK, zx_process_write_memory(h, (zx_vaddr_t)&cell, &v,
						 sizeof(v), &actual));
	EXPECT_EQ(0x2222u, cell);
	ASSERT_EQ(ZX_OK, zx_process_read_memory(h, (zx_vaddr_t)&cell, &got,
						sizeof(got), &actual));
	EXPECT_EQ(0x2222u, got);
	EXPECT_EQ(1, count_handles());
}

#define THREADS 8

static void *ask(void *arg)
{
	*(zx_handle_t *)arg = zx_process_self();
	return NULL;
}

/* The first call races in many threads: one handle comes out. */
TEST(one_handle_for_all_threads)
{
	pthread_t t[THREADS];
	zx_handle_t got[THREADS];

	for (int i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, ask, &got[i]));
	for (int i = 0; i < THREADS; i++)
		ASSERT_EQ(0, pthread_join(t[i], NULL));
	for (int i = 0; i < THREADS; i++) {
		EXPECT_NE(ZX_HANDLE_INVALID, got[i]);
		EXPECT_EQ(got[0], got[i]);
	}
	EXPECT_EQ(1, count_handles());
}

/* What a child checks about its own zx_process_self(): exit status. */
static int child_checks_self(pid_t parent)
{
	zx_handle_t h = zx_process_self();
	uint64_t v = 0x3333;
	size_t actual;

	if (h == ZX_HANDLE_INVALID)
		return 10;
	if (koid_of(h) != (zx_koid_t)getpid())
		return 11;
	if (rights_of(h) != ZXPROC_PROCESS_RIGHTS)
		return 12;
	if (zx_process_write_memory(h, (zx_vaddr_t)&cell, &v, sizeof(v),
				    &actual) != ZX_OK || cell != 0x3333)
		return 13;
	(void)parent;
	return 0;
}

TEST(fork_child_gets_its_own)
{
	zx_handle_t parent_h = zx_process_self();
	int status;
	pid_t pid;

	ASSERT_NE(ZX_HANDLE_INVALID, parent_h);
	cell = 0x1111;
	pid = fork();
	if (pid == 0) {
		int ret = child_checks_self(getppid());

		/* The parent's handle did not stay behind in the child. */
		if (!ret && count_handles() != 1)
			ret = 20;
		_exit(ret);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The child wrote its own memory, not ours. */
	EXPECT_EQ(0x1111u, cell);
	EXPECT_EQ(parent_h, zx_process_self());
	EXPECT_EQ((zx_koid_t)getpid(), koid_of(parent_h));
}

/*
 * A raw clone(2) runs no fork handlers: the library notices that the
 * kept handle names another process, and opens the child's own.  The
 * parent's descriptor is left open (the descriptor table might be
 * shared), naming the parent.
 */
TEST(raw_clone_child_gets_its_own)
{
	zx_handle_t parent_h = zx_process_self();
	int status;
	pid_t pid, parent = getpid();

	ASSERT_NE(ZX_HANDLE_INVALID, parent_h);
	cell = 0x1111;
	pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0) {
		int ret = child_checks_self(parent);

		if (!ret && zx_process_self() == parent_h)
			ret = 30;
		if (!ret && koid_of(parent_h) != (zx_koid_t)parent)
			ret = 31;
		syscall(SYS_exit_group, ret);
	}
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0x1111u, cell);
}

/*
 * Closing the library's handle is a caller bug, but a safe one: the
 * descriptor number, reused for another file, is never taken for the
 * handle, and the next call opens a new one.
 */
TEST(closed_by_mistake)
{
	zx_handle_t h = zx_process_self(), again;
	int fd;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, zx_handle_close(h));
	/* Another file takes the handle's number. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(zxproc_handle_fd(h), dup2(fd, zxproc_handle_fd(h)));
	close(fd);
	fd = zxproc_handle_fd(h);
	again = zx_process_self();
	ASSERT_NE(ZX_HANDLE_INVALID, again);
	EXPECT_NE(h, again);
	EXPECT_EQ((zx_koid_t)getpid(), koid_of(again));
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, rights_of(again));
	/* /dev/null is still open, and still not a handle. */
	EXPECT_LE(0, fcntl(fd, F_GETFD));
	EXPECT_EQ(ZX_ERR_BAD_HANDLE,
		  zx_object_get_info(zxproc_handle_from_fd(fd),
				     ZX_INFO_HANDLE_VALID, NULL, 0, NULL, NULL));
	EXPECT_EQ(again, zx_process_self());
}

/* Replaced by a handle of ours with fewer rights: not taken either. */
TEST(replaced_by_lesser_handle)
{
	zx_handle_t h = zx_process_self(), ro, again;

	ASSERT_NE(ZX_HANDLE_INVALID, h);
	ASSERT_EQ(ZX_OK, zx_handle_replace(h, ZX_RIGHT_READ, &ro));
	again = zx_process_self();
	EXPECT_NE(ro, again);
	EXPECT_EQ(ZXPROC_PROCESS_RIGHTS, rights_of(again));
	EXPECT_EQ(ZX_RIGHT_READ, rights_of(ro));
}

static volatile int hammering = 1;

static void *hammer(void *arg)
{
	(void)arg;
	while (hammering)
		if (zx_process_self() == ZX_HANDLE_INVALID)
			return (void *)1;
	return NULL;
}

/* fork() while other threads use zx_process_self(): no deadlock. */
TEST(fork_while_threads_ask)
{
	pthread_t t[2];
	void *ret;

	for (int i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer, NULL));
	for (int i = 0; i < 15; i++) {
		int status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(child_checks_self(0));
		ASSERT_LT(0, pid);
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, WEXITSTATUS(status)) TH_LOG("round %d", i);
	}
	hammering = 0;
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pthread_join(t[i], &ret));
		EXPECT_EQ(NULL, ret);
	}
}

TEST_HARNESS_MAIN

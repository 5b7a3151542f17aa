// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_open() and zxproc_module_version() through the real
 * module: every status.  Privilege and device-node experiments run in
 * child processes (a private /dev in a new mount namespace, uid 65534
 * with no capabilities, root without CAP_SYS_PTRACE), so the guest's own
 * /dev/zxproc is never changed.
 */
#include <limits.h>
#include <stdio.h>

#include <linux/zxproc.h>

#include "kselftest_harness.h"
#include "target.h"

TEST(open_ok)
{
	const zx_rights_t rights[] = {
		ZX_RIGHT_NONE, ZX_RIGHT_DUPLICATE, ZX_RIGHT_TRANSFER,
		ZX_RIGHT_READ, ZX_RIGHT_WRITE, ZX_RIGHT_INSPECT,
		ZXPROC_PROCESS_RIGHTS,
	};
	pid_t pid = target_spawn();

	ASSERT_LT(0, pid);
	for (size_t i = 0; i < sizeof(rights) / sizeof(rights[0]); i++) {
		const pid_t who[] = { getpid(), pid, 1 };

		for (int j = 0; j < 3; j++) {
			zx_handle_t h = ZX_HANDLE_INVALID;

			ASSERT_EQ(ZX_OK, zxproc_process_open(who[j], rights[i],
							     &h));
			EXPECT_EQ(rights[i], rights_of(h));
			EXPECT_EQ((zx_koid_t)who[j], koid_of(h));
			EXPECT_EQ(ZX_OK, zx_handle_close(h));
		}
	}
	target_reap(pid);
}

TEST(invalid_args)
{
	const zx_rights_t bad_rights[] = {
		ZX_RIGHT_SAME_RIGHTS, ZX_DEFAULT_PROCESS_RIGHTS,
		ZX_RIGHT_EXECUTE, ZX_RIGHT_READ | ZX_RIGHT_WAIT, 1u << 30,
	};
	const pid_t bad_pids[] = { 0, -1, INT_MIN };
	zx_handle_t h = 77;

	for (size_t i = 0; i < sizeof(bad_rights) / sizeof(bad_rights[0]); i++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_open(getpid(), bad_rights[i], &h))
			TH_LOG("rights %#x", bad_rights[i]);
	}
	for (size_t i = 0; i < sizeof(bad_pids) / sizeof(bad_pids[0]); i++) {
		EXPECT_EQ(ZX_ERR_INVALID_ARGS,
			  zxproc_process_open(bad_pids[i], ZX_RIGHT_READ, &h))
			TH_LOG("pid %d", bad_pids[i]);
	}
	EXPECT_EQ(ZX_ERR_INVALID_ARGS,
		  zxproc_process_open(getpid(), ZX_RIGHT_READ, NULL));
	EXPECT_EQ(77u, h);
}

TEST(not_found)
{
	zx_handle_t h = 77;
	pid_t pid = target_spawn();

	ASSERT_LT(0, pid);
	target_reap(pid);
	ASSERT_EQ(-1, kill(pid, 0));	/* gone, and not reused */
	EXPECT_EQ(ZX_ERR_NOT_FOUND, zxproc_process_open(pid, ZX_RIGHT_READ, &h));
	/* Beyond any pid_max. */
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zxproc_process_open(4194304 + 1, ZX_RIGHT_READ, &h));
	EXPECT_EQ(ZX_ERR_NOT_FOUND,
		  zxproc_process_open(INT_MAX, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
}

/* A kernel thread has no user memory: kthreadd is pid 2. */
TEST(wrong_type_kernel_thread)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "r");
	zx_handle_t h = 77;

	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, fgets(comm, sizeof(comm), f));
	fclose(f);
	ASSERT_EQ(0, strcmp(comm, "kthreadd\n"));
	EXPECT_EQ(ZX_ERR_WRONG_TYPE, zxproc_process_open(2, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
}

TEST(bad_state_zombie)
{
	zx_handle_t h = 77;
	pid_t pid = target_zombie();

	ASSERT_LT(0, pid);
	EXPECT_EQ(ZX_ERR_BAD_STATE, zxproc_process_open(pid, ZX_RIGHT_READ, &h));
	EXPECT_EQ(77u, h);
	waitpid(pid, NULL, 0);
}

TEST(no_resources)
{
	zx_handle_t h = 77;
	uint32_t major = 7;

	/* One descriptor left: the device opens, the handle finds no slot. */
	ASSERT_EQ(0, limit_fds(1));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zxproc_process_open(getpid(), ZX_RIGHT_READ, &h));
	/* None left, not even for the device. */
	ASSERT_EQ(0, limit_fds(0));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES,
		  zxproc_process_open(getpid(), ZX_RIGHT_READ, &h));
	EXPECT_EQ(ZX_ERR_NO_RESOURCES, zxproc_module_version(&major, NULL, NULL));
	EXPECT_EQ(77u, h);
	EXPECT_EQ(7u, major);
}

TEST(module_version)
{
	uint32_t major = 77, minor = 77, patch = 77;

	ASSERT_EQ(ZX_OK, zxproc_module_version(&major, &minor, &patch));
	EXPECT_EQ(ZXPROC_VERSION_MAJOR, major);
	EXPECT_EQ(ZXPROC_VERSION_MINOR, minor);
	EXPECT_EQ(ZXPROC_VERSION_PATCH, patch);
	EXPECT_EQ(ZX_OK, zxproc_module_version(NULL, NULL, NULL));
	minor = 77;
	EXPECT_EQ(ZX_OK, zxproc_module_version(NULL, &minor, NULL));
	EXPECT_EQ(ZXPROC_VERSION_MINOR, minor);
}

/* uid 65534, no capabilities, the guest's own /dev/zxproc (0600). */
static int nobody_default_device(void *arg)
{
	zx_handle_t h;
	uint32_t major;

	(void)arg;
	if (drop_to_nobody())
		return 10;
	if (zxproc_process_open(getpid(), ZX_RIGHT_READ, &h) !=
	    ZX_ERR_ACCESS_DENIED)
		return 11;
	if (zxproc_module_version(&major, NULL, NULL) != ZX_ERR_ACCESS_DENIED)
		return 12;
	if (zx_process_self() != ZX_HANDLE_INVALID)
		return 13;
	return 0;
}

TEST(access_denied_device_mode)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/zxproc", &st));
	if (st.st_mode & (S_IROTH | S_IWOTH))
		SKIP(return, "/dev/zxproc is open to others here (%o)",
		     st.st_mode & 0777);
	EXPECT_EQ(0, in_child(nobody_default_device, NULL));
}

struct unpriv {
	dev_t dev;
	pid_t root_target;
};

/*
 * uid 65534 with a device node it may open: its own process yes; a
 * root process, init, or even a process of its own uid no (matching
 * uids never suffice without CAP_SYS_PTRACE).
 */
static int nobody_open_device(void *arg)
{
	struct unpriv *u = arg;
	zx_handle_t h;
	uint64_t v = 0x1234, got = 0;
	size_t actual;
	pid_t sibling;
	int ret = 0;

	if (private_dev())
		return 10;
	if (mknod("/dev/zxproc", S_IFCHR | 0600, u->dev) ||
	    chmod("/dev/zxproc", 0666))
		return 11;
	if (drop_to_nobody())
		return 12;
	if (zxproc_process_open(getpid(), ZXPROC_PROCESS_RIGHTS, &h) != ZX_OK)
		return 13;
	if (zx_process_read_memory(h, (zx_vaddr_t)&v, &got, sizeof(got),
				   &actual) != ZX_OK || got != v)
		return 14;
	zx_handle_close(h);
	if (zxproc_process_open(u->root_target, ZX_RIGHT_READ, &h) !=
	    ZX_ERR_ACCESS_DENIED)
		return 15;
	if (zxproc_process_open(1, ZX_RIGHT_READ, &h) != ZX_ERR_ACCESS_DENIED)
		return 16;
	sibling = target_spawn();	/* same uid, same everything */
	if (sibling < 0)
		return 17;
	if (zxproc_process_open(sibling, ZX_RIGHT_READ, &h) !=
	    ZX_ERR_ACCESS_DENIED)
		ret = 18;
	target_reap(sibling);
	return ret;
}

TEST(access_denied_unprivileged)
{
	struct unpriv u = { .dev = zxproc_devno() };

	ASSERT_NE(0u, u.dev);
	u.root_target = target_spawn();
	ASSERT_LT(0, u.root_target);
	EXPECT_EQ(0, in_child(nobody_open_device, &u));
	EXPECT_TRUE(target_untouched(u.root_target));
	target_reap(u.root_target);
}

/* Root, but without CAP_SYS_PTRACE: only its own process. */
static int root_without_ptrace(void *arg)
{
	pid_t *target = arg;
	zx_handle_t h;

	if (drop_ptrace_cap())
		return 10;
	if (zxproc_process_open(getpid(), ZX_RIGHT_READ, &h) != ZX_OK)
		return 11;
	zx_handle_close(h);
	if (zxproc_process_open(*target, ZX_RIGHT_READ, &h) !=
	    ZX_ERR_ACCESS_DENIED)
		return 12;
	return 0;
}

TEST(access_denied_without_cap_sys_ptrace)
{
	pid_t pid = target_spawn();

	ASSERT_LT(0, pid);
	EXPECT_EQ(0, in_child(root_without_ptrace, &pid));
	target_reap(pid);
}

/* A char device major with no driver behind it (ENXIO), from 240-254. */
static dev_t unregistered_chrdev(void)
{
	char line[128];
	int used[256] = { 0 };
	FILE *f = fopen("/proc/devices", "r");
	int major;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && strncmp(line, "Block", 5))
		if (sscanf(line, "%d", &major) == 1 && major < 256)
			used[major] = 1;
	fclose(f);
	for (major = 240; major <= 254; major++)
		if (!used[major])
			return makedev(major, 0);
	return 0;
}

/* A misc minor nobody registered: misc_open() answers ENODEV. */
static dev_t unregistered_misc(void)
{
	char line[128];
	int used[256] = { 0 };
	FILE *f = fopen("/proc/misc", "r");
	int minor;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%d", &minor) == 1 && minor < 256)
			used[minor] = 1;
	fclose(f);
	for (minor = 250; minor > 100; minor--)
		if (!used[minor])
			return makedev(10, minor);
	return 0;
}

struct nodes {
	dev_t enxio, enodev;
};

/*
 * Without a working /dev/zxproc: no node (ENOENT), a node of no driver
 * (ENXIO), a node of a misc minor nobody owns (ENODEV): NOT_SUPPORTED.
 */
static int no_device(void *arg)
{
	struct nodes *n = arg;
	const dev_t devs[] = { 0, n->enxio, n->enodev };
	zx_handle_t h = 77;
	uint32_t major = 77;

	if (private_dev())
		return 10;
	for (int i = 0; i < 3; i++) {
		unlink("/dev/zxproc");
		if (devs[i] && mknod("/dev/zxproc", S_IFCHR | 0600, devs[i]))
			return 11;
		if (zxproc_process_open(getpid(), ZX_RIGHT_READ, &h) !=
		    ZX_ERR_NOT_SUPPORTED)
			return 20 + i;
		if (zxproc_module_version(&major, NULL, NULL) !=
		    ZX_ERR_NOT_SUPPORTED)
			return 30 + i;
		if (zx_process_self() != ZX_HANDLE_INVALID)
			return 40 + i;
	}
	return h == 77 && major == 77 ? 0 : 50;
}

TEST(not_supported)
{
	struct nodes n = { unregistered_chrdev(), unregistered_misc() };

	ASSERT_NE(0u, n.enxio);
	ASSERT_NE(0u, n.enodev);
	EXPECT_EQ(0, in_child(no_device, &n));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The module cannot be unloaded while anything of it is open: the
 * device, or a handle (which outlives the device fd and may live in
 * another process).  Once all is closed, rmmod works; the test then
 * loads the module again.
 *
 * The suites after this one share the guest, so the module (and with it
 * /dev/zxproc) is put back whatever happens: by each test's teardown
 * (which the harness runs after a failed ASSERT too), and once more when
 * the suite's own process exits, for a test the harness killed (its
 * timeout) before its teardown could run.  A test that finds the module
 * not loaded fails: tests/vm/run loads it, and nothing here leaves it
 * unloaded.
 */
#include <sys/stat.h>

#include "helpers.h"
#include "kselftest_harness.h"

ZX_RESTORE_MODULE_AT_EXIT

/* Run a command; its exit status (or -1), its output in @out. */
static int run(char *const argv[], char *out, size_t outlen)
{
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while (n + 1 < outlen && (r = read(p[0], out + n, outlen - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int rmmod(char *out, size_t len)
{
	char *argv[] = { "rmmod", "zxproc", NULL };

	return run(argv, out, len);
}

static int insmod(char *out, size_t len)
{
	char *argv[] = { "insmod", (char *)zx_module_path(), NULL };

	return run(argv, out, len);
}

FIXTURE(unload) {
	pid_t target;
	uint8_t *region;
	uint8_t *src;
};

FIXTURE_SETUP(unload)
{
	ASSERT_TRUE(zx_module_loaded())
		TH_LOG("zxproc is not loaded: tests/vm/run loads it, and every test here loads it again");
	self->region = zx_map(zx_page(), PROT_READ | PROT_WRITE, 131);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(zx_page(), PROT_READ, 132);
	ASSERT_NE(MAP_FAILED, self->src);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
}

FIXTURE_TEARDOWN(unload)
{
	zx_reap(self->target);
	/* Whatever happened, leave the module loaded for the next suites. */
	zx_module_restore();
}

/* A refused unload: both ways of asking, and the module still there. */
static void expect_refused(struct __test_metadata *_metadata)
{
	char out[512];

	EXPECT_EQ(-EWOULDBLOCK, zx_module_unload());
	EXPECT_NE(0, rmmod(out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "in use")) TH_LOG("rmmod said: %s", out);
	EXPECT_TRUE(zx_module_loaded());
}

/* @h still writes the target (checked through /proc/PID/mem). */
static bool still_writes(FIXTURE_DATA(unload) *self, int h, size_t off)
{
	uint8_t back[16];
	uint64_t actual = 0;

	return zx_write(h, zx_ptr(self->region + off), self->src + off, 16, &actual) == 0 &&
	       actual == 16 &&
	       zx_peek(self->target, zx_ptr(self->region + off), back, 16) == 16 &&
	       !memcmp(back, self->src + off, 16);
}

TEST_F(unload, refused_while_device_is_open)
{
	struct zxproc_version v;
	int dev = zx_dev();

	ASSERT_LE(0, dev);
	expect_refused(_metadata);
	EXPECT_EQ(0, zx_ioctl(dev, ZXPROC_IOC_GET_VERSION, &v));
	close(dev);
}

TEST_F(unload, refused_while_a_handle_is_open)
{
	int h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);

	ASSERT_LE(0, h);	/* the device fd is already closed */
	expect_refused(_metadata);
	EXPECT_TRUE(still_writes(self, h, 0));
	close(h);
}

/* The handle lives in another process only: still refused. */
TEST_F(unload, refused_while_another_process_holds_a_handle)
{
	int h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	pid_t holder;

	ASSERT_LE(0, h);
	holder = fork();
	if (holder == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	ASSERT_LT(0, holder);
	close(h);
	expect_refused(_metadata);
	zx_reap(holder);
}

TEST_F(unload, unloads_once_all_is_closed_and_loads_again)
{
	char out[512];
	struct stat st;
	int h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);

	ASSERT_LE(0, h);
	close(h);
	ASSERT_EQ(0, rmmod(out, sizeof(out))) TH_LOG("rmmod: %s", out);
	EXPECT_FALSE(zx_module_loaded());
	EXPECT_NE(0, stat(ZX_DEV_PATH, &st));
	EXPECT_EQ(-ENOENT, zx_dev());

	ASSERT_EQ(0, insmod(out, sizeof(out))) TH_LOG("insmod %s: %s", zx_module_path(), out);
	EXPECT_TRUE(zx_module_loaded());
	ASSERT_EQ(0, stat(ZX_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	EXPECT_TRUE(still_writes(self, h, 100));
	close(h);
}

TEST_HARNESS_MAIN

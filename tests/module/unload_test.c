// SPDX-License-Identifier: GPL-2.0
/*
 * The module cannot be unloaded while anything of it is open: the
 * device, or a handle (which outlives the device fd and may live in
 * another process).  Once all is closed, rmmod works; the test then
 * loads the module again, so that the suites run after it in the same
 * guest still have it (the teardown reloads it whatever happened).
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define SYS_MODULE "/sys/module/zxproc"

static bool loaded(void)
{
	return access(SYS_MODULE, F_OK) == 0;
}

/* The .ko tests/vm/run loaded (it says where), or the tree's own build. */
static const char *module_path(void)
{
	static char path[4096];
	const char *env = getenv("ZXPROC_VM_MODULE");
	const char *top = getenv("ZXPROC_TOP");
	struct utsname u;

	if (env && *env)
		return env;
	if (uname(&u))
		return NULL;
	snprintf(path, sizeof(path), "%s/build/kernel/%s/zxproc.ko", top ? top : ".", u.release);
	return path;
}

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
	char *argv[] = { "insmod", (char *)module_path(), NULL };

	return run(argv, out, len);
}

/* delete_module(2) without waiting: the errno of a refused unload. */
static int try_delete(void)
{
	return syscall(SYS_delete_module, "zxproc", O_NONBLOCK) ? -errno : 0;
}

FIXTURE(unload) {
	pid_t target;
	uint8_t *region;
	uint8_t *src;
};

FIXTURE_SETUP(unload)
{
	if (!loaded())
		SKIP(return, "zxproc is not loaded (run under tests/vm/run)");
	self->region = zx_map(zx_page(), PROT_READ | PROT_WRITE, 131);
	ASSERT_NE(MAP_FAILED, self->region);
	self->src = zx_map(zx_page(), PROT_READ, 132);
	ASSERT_NE(MAP_FAILED, self->src);
	self->target = zx_target();
	ASSERT_LT(0, self->target);
}

FIXTURE_TEARDOWN(unload)
{
	char out[512];

	zx_reap(self->target);
	/* Whatever happened, leave the module loaded for the next suites. */
	if (!loaded() && insmod(out, sizeof(out)) != 0)
		fprintf(stderr, "# could not load %s again: %s\n", module_path(), out);
}

/* A refused unload: both ways of asking, and the module still there. */
static void expect_refused(struct __test_metadata *_metadata)
{
	char out[512];

	EXPECT_EQ(-EWOULDBLOCK, try_delete());
	EXPECT_NE(0, rmmod(out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "in use")) TH_LOG("rmmod said: %s", out);
	EXPECT_TRUE(loaded());
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
	EXPECT_FALSE(loaded());
	EXPECT_NE(0, stat(ZX_DEV_PATH, &st));
	EXPECT_EQ(-ENOENT, zx_dev());

	ASSERT_EQ(0, insmod(out, sizeof(out))) TH_LOG("insmod %s: %s", module_path(), out);
	EXPECT_TRUE(loaded());
	ASSERT_EQ(0, stat(ZX_DEV_PATH, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	h = zx_handle(self->target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	EXPECT_TRUE(still_writes(self, h, 100));
	close(h);
}

TEST_HARNESS_MAIN

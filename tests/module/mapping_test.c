// SPDX-License-Identifier: GPL-2.0
/*
 * Writes and reads by kind of mapping: private mappings are written
 * whatever their protection (copy-on-write, as /proc/PID/mem does), so a
 * running program's text can be patched while the file on disk never
 * changes; force_override=never turns that forcing off (and forced reads
 * of PROT_NONE memory with it); shared mappings are written only when
 * writable; VM_IO/VM_PFNMAP memory is refused with EIO.
 *
 * The text target is this very program, copied to a tmpfs file (whose
 * page cache is the file, so a write that leaked into it would show in
 * read(2)) and run again with ZXPROC_TEXT_TARGET set: a constructor then
 * serves requests instead of running the tests (text_target_main()).
 */
#include "helpers.h"
#include "kselftest_harness.h"

#define FORCE_OVERRIDE "/sys/module/zxproc/parameters/force_override"
#define SHM_DIR "/dev/shm"

/* ---- the text target ----------------------------------------------------- */

/* What the target runs on request; the test patches its first bytes. */
__attribute__((noinline)) int text_victim(void)
{
	return 7;
}

/* mov eax, 42; ret */
static const uint8_t patch42[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

/*
 * In the text target: report text_victim's address, then answer every
 * request byte with text_victim()'s result, called through a volatile
 * pointer so that the compiler cannot fold the call.
 */
__attribute__((constructor)) static void text_target_main(void)
{
	int (*volatile fn)(void) = text_victim;
	const char *env = getenv("ZXPROC_TEXT_TARGET");
	uint64_t addr;
	int in, out;
	char c;

	if (!env || sscanf(env, "%d,%d", &in, &out) != 2)
		return;
	addr = (uintptr_t)fn;
	if (write(out, &addr, sizeof(addr)) != sizeof(addr))
		_exit(1);
	while (read(in, &c, 1) == 1) {
		int v = fn();

		if (write(out, &v, sizeof(v)) != sizeof(v))
			_exit(1);
	}
	_exit(0);
}

struct text_target {
	pid_t pid;
	int req, resp;
	uint64_t victim;
};

/* Run @path as a text target. */
static int text_target_start(const char *path, struct text_target *t)
{
	int req[2], resp[2];
	char env[64];

	if (pipe(req) || pipe(resp))
		return -errno;
	t->pid = fork();
	if (t->pid < 0)
		return -errno;
	if (t->pid == 0) {
		char *argv[] = { (char *)path, NULL };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		snprintf(env, sizeof(env), "ZXPROC_TEXT_TARGET=%d,%d", req[0], resp[1]);
		char *envp[] = { env, NULL };

		execve(path, argv, envp);
		_exit(127);
	}
	close(req[0]);
	close(resp[1]);
	t->req = req[1];
	t->resp = resp[0];
	if (read(t->resp, &t->victim, sizeof(t->victim)) != sizeof(t->victim))
		return -EIO;
	return 0;
}

/* Ask the target to run text_victim(); its result, or -1. */
static int text_target_call(struct text_target *t)
{
	int v;

	if (write(t->req, "x", 1) != 1 || read(t->resp, &v, sizeof(v)) != sizeof(v))
		return -1;
	return v;
}

static void text_target_stop(struct text_target *t)
{
	if (t->pid > 0) {
		close(t->req);
		close(t->resp);
		zx_reap(t->pid);
		t->pid = 0;
	}
}

/* Whole contents of a file, malloc()ed; NULL on failure. */
static uint8_t *slurp(const char *path, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (!buf || fd < 0) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while ((r = read(fd, buf + n, cap - n)) > 0) {
		n += (size_t)r;
		if (n == cap) {
			uint8_t *b = realloc(buf, cap *= 2);

			if (!b) {
				free(buf);
				close(fd);
				return NULL;
			}
			buf = b;
		}
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* A tmpfs file of @len bytes holding @data, opened with @flags. */
static int shm_file(char *path, size_t pathlen, const void *data, size_t len, int mode)
{
	snprintf(path, pathlen, SHM_DIR "/zxproc-mapping-XXXXXX");
	return zx_make_file(path, data, len, mode);
}

FIXTURE(text) {
	char path[64];
	uint8_t *image;		/* this program's bytes */
	size_t image_len;
	struct text_target t, fresh;
	int dev, h;
	char force_was[16];
};

FIXTURE_SETUP(text)
{
	self->image = slurp("/proc/self/exe", &self->image_len);
	ASSERT_NE(NULL, self->image);
	ASSERT_EQ(0, shm_file(self->path, sizeof(self->path), self->image,
			      self->image_len, 0755));
	ASSERT_EQ(0, text_target_start(self->path, &self->t));
	ASSERT_EQ(7, text_target_call(&self->t));
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = zx_open(self->dev, self->t.pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);
	ASSERT_LT(0, zx_read_file(FORCE_OVERRIDE, self->force_was, sizeof(self->force_was)));
}

FIXTURE_TEARDOWN(text)
{
	/* Whatever happened (a failed ASSERT too), forcing back to its default. */
	zx_write_file(FORCE_OVERRIDE, "always");
	text_target_stop(&self->t);
	text_target_stop(&self->fresh);
	close(self->h);
	close(self->dev);
	unlink(self->path);
}

/* The file on tmpfs, read through its page cache, is still our image. */
static bool file_unchanged(FIXTURE_DATA(text) *self)
{
	size_t len = 0;
	uint8_t *now = slurp(self->path, &len);
	bool same = now && len == self->image_len && !memcmp(now, self->image, len);

	free(now);
	return same;
}

TEST_F(text, write_into_running_text_is_executed_and_file_unchanged)
{
	uint8_t back[sizeof(patch42)], orig[sizeof(patch42)];
	uint64_t actual = ZX_SENTINEL;

	ASSERT_EQ(0, strcmp(self->force_was, "always\n")) TH_LOG("force_override is %s", self->force_was);
	ASSERT_EQ((ssize_t)sizeof(orig), zx_peek(self->t.pid, self->t.victim, orig, sizeof(orig)));
	ASSERT_NE(0, memcmp(orig, patch42, sizeof(orig)));

	ASSERT_EQ(0, zx_write(self->h, self->t.victim, patch42, sizeof(patch42), &actual));
	EXPECT_EQ(sizeof(patch42), actual);
	/* The running program executes the new bytes. */
	EXPECT_EQ(42, text_target_call(&self->t));
	ASSERT_EQ((ssize_t)sizeof(back), zx_peek(self->t.pid, self->t.victim, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(back, patch42, sizeof(back)));
	/* The handle reads back what it wrote. */
	memset(back, 0, sizeof(back));
	ASSERT_EQ(0, zx_read(self->h, self->t.victim, back, sizeof(back), &actual));
	EXPECT_EQ(0, memcmp(back, patch42, sizeof(back)));

	/* The file did not change, and a new run of it still answers 7. */
	EXPECT_TRUE(file_unchanged(self));
	ASSERT_EQ(0, text_target_start(self->path, &self->fresh));
	EXPECT_EQ(7, text_target_call(&self->fresh));
	ASSERT_EQ((ssize_t)sizeof(back), zx_peek(self->fresh.pid, self->fresh.victim, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(back, orig, sizeof(back)));
	/* Undo through the handle: the program answers 7 again. */
	ASSERT_EQ(0, zx_write(self->h, self->t.victim, orig, sizeof(orig), &actual));
	EXPECT_EQ(7, text_target_call(&self->t));
	EXPECT_TRUE(file_unchanged(self));
}

/*
 * force_override=never: no access is forced, so writes to text and to
 * PROT_NONE memory and reads of PROT_NONE memory are EACCES with nothing
 * moved, through a handle to another process and to one's own alike;
 * unforced accesses go on as before.  Back at "always", the same write
 * goes through.
 */
TEST_F(text, force_override_never_refuses_forced_accesses)
{
	uint8_t back[sizeof(patch42)], orig[sizeof(patch42)], buf[64];
	uint64_t actual = ZX_SENTINEL;
	size_t page = zx_page();
	uint8_t *none = zx_map(page, PROT_NONE, 61);
	uint8_t *src = zx_map(page, PROT_READ, 62);
	uint8_t *rw = zx_map(page, PROT_READ | PROT_WRITE, 63);
	uint8_t *want_none = zx_want(page, 61), *want_src = zx_want(page, 62);
	pid_t t;
	int h, me;

	ASSERT_NE(MAP_FAILED, none);
	ASSERT_NE(MAP_FAILED, src);
	ASSERT_NE(MAP_FAILED, rw);
	ASSERT_NE(NULL, want_none);
	ASSERT_NE(NULL, want_src);
	t = zx_target();
	ASSERT_LT(0, t);
	h = zx_open(self->dev, t, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	me = zx_open(self->dev, getpid(), ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, me);
	ASSERT_EQ((ssize_t)sizeof(orig), zx_peek(self->t.pid, self->t.victim, orig, sizeof(orig)));

	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "never"));
	EXPECT_EQ(-EACCES, zx_write(self->h, self->t.victim, patch42, sizeof(patch42), &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(7, text_target_call(&self->t));
	ASSERT_EQ((ssize_t)sizeof(back), zx_peek(self->t.pid, self->t.victim, back, sizeof(back)));
	EXPECT_EQ(0, memcmp(back, orig, sizeof(back)));
	EXPECT_TRUE(file_unchanged(self));

	/* PROT_NONE and read-only private memory of another process. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(none), rw, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(src), rw, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	memset(buf, 0xee, sizeof(buf));
	EXPECT_EQ(-EACCES, zx_read(h, zx_ptr(none), buf, sizeof(buf), &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, sizeof(buf)));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(none), want_none, page));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(src), want_src, page));
	/* And of our own: a self handle gets no exemption. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(me, zx_ptr(src), rw, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_read(me, zx_ptr(none), buf, sizeof(buf), &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_not_all(buf, 0xee, sizeof(buf)));
	EXPECT_EQ(0, memcmp(src, want_src, page));
	EXPECT_EQ(-1, zx_differs(getpid(), zx_ptr(none), want_none, page));
	/* Unforced accesses are not affected: text is readable, rw writable. */
	ASSERT_EQ(0, zx_read(self->h, self->t.victim, back, sizeof(back), &actual));
	EXPECT_EQ(0, memcmp(back, orig, sizeof(back)));
	ASSERT_EQ(0, zx_write(h, zx_ptr(rw), src, 64, &actual));
	EXPECT_EQ(64U, actual);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(rw), src, 64));

	/* Back to always: the same accesses go through. */
	ASSERT_EQ(0, zx_write_file(FORCE_OVERRIDE, "always"));
	ASSERT_EQ(0, zx_write(self->h, self->t.victim, patch42, sizeof(patch42), &actual));
	EXPECT_EQ(42, text_target_call(&self->t));
	EXPECT_TRUE(file_unchanged(self));
	ASSERT_EQ(0, zx_read(h, zx_ptr(none), buf, sizeof(buf), &actual));
	EXPECT_EQ(sizeof(buf), actual);
	EXPECT_EQ(0, memcmp(buf, want_none, sizeof(buf)));
	free(want_none);
	free(want_src);
	close(me);
	close(h);
	zx_reap(t);
}

/* ---- other mappings ------------------------------------------------------- */

FIXTURE(map) {
	int dev;
	size_t page;
	uint8_t *src;		/* 4 pages, pattern 71 */
	uint8_t *data;		/* 2 pages, pattern 72: the files' contents */
	char path[64];
	int rdonly, rdwr;	/* the file opened both ways */
};

FIXTURE_SETUP(map)
{
	self->page = zx_page();
	self->src = zx_map(4 * self->page, PROT_READ, 71);
	ASSERT_NE(MAP_FAILED, self->src);
	self->data = zx_want(2 * self->page, 72);
	ASSERT_NE(NULL, self->data);
	ASSERT_EQ(0, shm_file(self->path, sizeof(self->path), self->data, 2 * self->page, 0600));
	self->rdonly = open(self->path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->rdonly);
	self->rdwr = open(self->path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->rdwr);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(map)
{
	close(self->dev);
	unlink(self->path);
}

/* The file still holds pattern 72, read with pread(2). */
static bool file_intact(FIXTURE_DATA(map) *self)
{
	uint8_t *now = malloc(2 * self->page);
	bool same;

	same = now && pread(self->rdonly, now, 2 * self->page, 0) == (ssize_t)(2 * self->page) &&
	       !memcmp(now, self->data, 2 * self->page);
	free(now);
	return same;
}

/* Fork a target that inherits whatever we mapped; open it. */
static pid_t map_target(FIXTURE_DATA(map) *self, int *h)
{
	pid_t t = zx_target();

	*h = t > 0 ? zx_open(self->dev, t, ZXPROC_RIGHTS_ALL) : -1;
	return t;
}

TEST_F(map, prot_none_private_is_written_by_force)
{
	uint8_t *none = zx_map(2 * self->page, PROT_NONE, 73);
	uint8_t *want = zx_want(2 * self->page, 73);
	uint8_t back[100];
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, none);
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(none + self->page - 50), self->src, 100, &actual));
	EXPECT_EQ(100U, actual);
	memcpy(want + self->page - 50, self->src, 100);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(none), want, 2 * self->page));
	/* And read by force too. */
	ASSERT_EQ(0, zx_read(h, zx_ptr(none + self->page - 50), back, 100, &actual));
	EXPECT_EQ(100U, actual);
	EXPECT_EQ(0, memcmp(back, self->src, 100));
	close(h);
	zx_reap(t);
}

/* A read-only private file mapping: written by copy-on-write. */
TEST_F(map, read_only_private_file_mapping_is_cow)
{
	uint8_t *m = mmap(NULL, 2 * self->page, PROT_READ, MAP_PRIVATE, self->rdonly, 0);
	uint8_t *want = zx_want(2 * self->page, 72);
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, m);
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(m + 10), self->src, self->page, &actual));
	EXPECT_EQ(self->page, actual);
	memcpy(want + 10, self->src, self->page);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(m), want, 2 * self->page));
	EXPECT_TRUE(file_intact(self));
	EXPECT_EQ(0, memcmp(m, self->data, 2 * self->page));	/* our mapping too */
	close(h);
	zx_reap(t);
}

/* Shared and read-only: never written, however the file was opened. */
TEST_F(map, read_only_shared_file_mapping_is_eacces)
{
	uint8_t *ro = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->rdonly, 0);
	uint8_t *mw = mmap(NULL, 2 * self->page, PROT_READ, MAP_SHARED, self->rdwr, 0);
	uint8_t back[64];
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, mw);	/* VM_MAYWRITE, but not VM_WRITE */
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(ro), self->src, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(mw + self->page), self->src, 64, &actual));
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_mem(h, ZXPROC_IOC_WRITE, zx_ptr(mw), self->src, 64,
				  ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_TRUE(file_intact(self));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(ro), self->data, 2 * self->page));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(mw), self->data, 2 * self->page));
	/* Reading them is fine. */
	ASSERT_EQ(0, zx_read(h, zx_ptr(ro + 5), back, sizeof(back), &actual));
	EXPECT_EQ(0, memcmp(back, self->data + 5, sizeof(back)));
	close(h);
	zx_reap(t);
}

/* Shared anonymous memory: the same rule. */
TEST_F(map, read_only_shared_anonymous_mapping_is_eacces)
{
	uint8_t *sh = mmap(NULL, self->page, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *want = zx_want(self->page, 74);
	uint64_t actual = ZX_SENTINEL;
	uint8_t back[32];
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, sh);
	zx_fill(sh, self->page, 74);
	ASSERT_EQ(0, mprotect(sh, self->page, PROT_READ));
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(sh), self->src, 64, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(0, memcmp(sh, want, self->page));	/* shared: ours is theirs */
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(sh), want, self->page));
	/* PROT_NONE shared: no write either, but a forced read. */
	ASSERT_EQ(0, mprotect(sh, self->page, PROT_NONE));
	zx_reap(t);
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	EXPECT_EQ(-EACCES, zx_write(h, zx_ptr(sh), self->src, 64, &actual));
	ASSERT_EQ(0, zx_read(h, zx_ptr(sh), back, sizeof(back), &actual));
	EXPECT_EQ(0, memcmp(back, want, sizeof(back)));
	ASSERT_EQ(0, mprotect(sh, self->page, PROT_READ));
	EXPECT_EQ(0, memcmp(sh, want, self->page));
	close(h);
	zx_reap(t);
}

/* Shared and writable: written, and the file changes (that is the point). */
TEST_F(map, writable_shared_file_mapping_is_written)
{
	uint8_t *m = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED, self->rdwr, 0);
	uint8_t *want = zx_want(2 * self->page, 72);
	uint8_t *now = malloc(2 * self->page);
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(NULL, now);
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(m + 3), self->src, 200, &actual));
	EXPECT_EQ(200U, actual);
	memcpy(want + 3, self->src, 200);
	ASSERT_EQ((ssize_t)(2 * self->page), pread(self->rdonly, now, 2 * self->page, 0));
	EXPECT_EQ(0, memcmp(now, want, 2 * self->page));
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(m), want, 2 * self->page));
	close(h);
	zx_reap(t);
}

/*
 * A writable page, then a shared read-only one: the write stops at the
 * first byte it may not write (short success); all-or-nothing writes
 * nothing at all.
 */
TEST_F(map, write_stops_where_a_shared_read_only_mapping_begins)
{
	uint8_t *m = zx_map(2 * self->page, PROT_READ | PROT_WRITE, 75);
	uint8_t *want = zx_want(2 * self->page, 75);
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(m + self->page, mmap(m + self->page, self->page, PROT_READ,
				       MAP_SHARED | MAP_FIXED, self->rdonly, 0));
	memcpy(want + self->page, self->data, self->page);
	t = map_target(self, &h);
	ASSERT_LE(0, h);

	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_mem(h, ZXPROC_IOC_WRITE, zx_ptr(m + 100), self->src,
				  2 * self->page - 200, ZXPROC_MEM_ALL_OR_NOTHING, &actual));
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(m), want, 2 * self->page));

	ASSERT_EQ(0, zx_write(h, zx_ptr(m + 100), self->src, 2 * self->page - 200, &actual));
	EXPECT_EQ(self->page - 100, actual);
	memcpy(want + 100, self->src, self->page - 100);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(m), want, 2 * self->page));
	EXPECT_TRUE(file_intact(self));
	close(h);
	zx_reap(t);
}

/* A shared mapping longer than its file: the write stops at end of file. */
TEST_F(map, write_stops_at_end_of_file)
{
	uint8_t *m;
	uint8_t *want = zx_want(2 * self->page, 72);
	uint64_t actual = ZX_SENTINEL;
	pid_t t;
	int h;

	ASSERT_EQ(0, ftruncate(self->rdwr, self->page));
	m = mmap(NULL, 2 * self->page, PROT_READ | PROT_WRITE, MAP_SHARED, self->rdwr, 0);
	ASSERT_NE(MAP_FAILED, m);
	t = map_target(self, &h);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(m + 8), self->src, 2 * self->page - 8, &actual));
	EXPECT_EQ(self->page - 8, actual);
	memcpy(want + 8, self->src, self->page - 8);
	EXPECT_EQ(-1, zx_differs(t, zx_ptr(m), want, self->page));
	/* The file did not grow. */
	EXPECT_EQ((off_t)self->page, lseek(self->rdwr, 0, SEEK_END));
	close(h);
	zx_reap(t);
}

/* Find a mapping named @name in process @pid's maps: its start, or 0. */
static uint64_t find_mapping(pid_t pid, const char *name, uint64_t *end)
{
	char path[64], line[512];
	uint64_t start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char *nm = strrchr(line, ' ');

		if (!nm || sscanf(line, "%llx-%llx", &s, &e) != 2)
			continue;
		nm[strcspn(nm, "\n")] = '\0';
		if (!strcmp(nm + 1, name)) {
			start = s;
			*end = e;
			break;
		}
	}
	fclose(f);
	return start;
}

/* EIO both ways at @start; the read leaves the caller's buffer alone. */
static void expect_eio(struct __test_metadata *_metadata, int h, uint64_t start,
		       const char *name, const uint8_t *src)
{
	uint64_t actual = ZX_SENTINEL;
	uint8_t buf[64];

	EXPECT_EQ(-EIO, zx_write(h, start, src, 8, &actual)) TH_LOG("%s", name);
	EXPECT_EQ(0U, actual);
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EIO, zx_mem(h, ZXPROC_IOC_WRITE, start, (void *)src, 8,
			       ZXPROC_MEM_ALL_OR_NOTHING, &actual)) TH_LOG("%s", name);
	actual = ZX_SENTINEL;
	memset(buf, 0xaa, sizeof(buf));
	EXPECT_EQ(-EIO, zx_read(h, start + 16, buf, sizeof(buf), &actual)) TH_LOG("%s", name);
	EXPECT_EQ(0U, actual);
	EXPECT_EQ(-EIO, zx_mem(h, ZXPROC_IOC_READ, start, buf, sizeof(buf),
			       ZXPROC_MEM_ALL_OR_NOTHING, &actual)) TH_LOG("%s", name);
	EXPECT_EQ(-1, zx_not_all(buf, 0xaa, sizeof(buf)));
}

/*
 * VM_IO | VM_PFNMAP memory (the vDSO's data pages, [vvar], on x86): EIO
 * both ways.  Its contents are the kernel's clock, changing all the
 * time, so the write side is checked by the error alone; the read side
 * by the caller's buffer staying untouched.
 */
TEST_F(map, pfnmap_memory_is_eio)
{
	uint64_t start, end;
	int found = 0;
	pid_t t;
	int h;

	t = map_target(self, &h);
	ASSERT_LE(0, h);
	start = find_mapping(t, "[vvar]", &end);
	if (start) {
		found++;
		expect_eio(_metadata, h, start, "[vvar]", self->src);
	}
	start = find_mapping(t, "[vvar_vclock]", &end);
	if (start) {
		found++;
		expect_eio(_metadata, h, start, "[vvar_vclock]", self->src);
	}
	close(h);
	zx_reap(t);
	if (!found)
		SKIP(return, "no [vvar] mapping in this kernel's processes");
}

TEST_HARNESS_MAIN

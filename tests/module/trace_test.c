// SPDX-License-Identifier: GPL-2.0
/*
 * The tracepoints (events/zxproc/ in tracefs), seen through a trace
 * instance of the test's own: their fields as the format files declare
 * them, and one event per handle creation and per memory access, with
 * the values of the call that made it: the caller's pid and comm, the
 * target, the rights or the address, length and bytes moved, the op,
 * and the result (successes and failures alike).  With the events off,
 * nothing is recorded.
 *
 * tracefs is mounted at /sys/kernel/tracing when it is not already
 * there, and unmounted again after.
 */
#include <sys/mount.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define TRACEFS "/sys/kernel/tracing"

FIXTURE(trace) {
	bool mounted;
	char inst[128];		/* our instance's directory */
	char comm[17];
	size_t page;
	uint8_t *buf;		/* 2 pages, read-write */
	uint8_t *hole;		/* the page after them, unmapped */
	pid_t pid;
	int dev, h;
};

/* @path under our instance, into @out. */
static void inst_path(FIXTURE_DATA(trace) *self, const char *path, char *out,
		      size_t len)
{
	snprintf(out, len, "%s/%s", self->inst, path);
}

static int inst_write(FIXTURE_DATA(trace) *self, const char *path,
		      const char *text)
{
	char p[512];

	inst_path(self, path, p, sizeof(p));
	return zx_write_file(p, text);
}

/* The whole of our instance's trace, malloc()ed, NUL-terminated. */
static char *inst_trace(FIXTURE_DATA(trace) *self)
{
	size_t cap = 1 << 20, n = 0;
	char *text = malloc(cap + 1);
	char p[512];
	ssize_t got;
	int fd;

	inst_path(self, "trace", p, sizeof(p));
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (!text || fd < 0) {
		free(text);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (n < cap && (got = read(fd, text + n, cap - n)) > 0)
		n += (size_t)got;
	close(fd);
	text[n] = '\0';
	return text;
}

FIXTURE_SETUP(trace)
{
	self->page = zx_page();
	ASSERT_EQ(0, prctl(PR_GET_NAME, self->comm));
	if (access(TRACEFS "/instances", F_OK)) {
		ASSERT_EQ(0, mount("nodev", TRACEFS, "tracefs", 0, NULL))
			TH_LOG("mount tracefs: %s", strerror(errno));
		self->mounted = true;
	}
	snprintf(self->inst, sizeof(self->inst), TRACEFS "/instances/zxproc-%d",
		 getpid());
	ASSERT_EQ(0, mkdir(self->inst, 0700)) TH_LOG("%s: %s", self->inst,
						   strerror(errno));
	/* Two pages and the hole after them, made right before the fork. */
	self->buf = zx_map(3 * self->page, PROT_READ | PROT_WRITE, 5);
	ASSERT_NE(MAP_FAILED, self->buf);
	self->hole = self->buf + 2 * self->page;
	ASSERT_EQ(0, munmap(self->hole, self->page));
	self->pid = zx_target();
	ASSERT_LT(0, self->pid);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	self->h = -1;
}

FIXTURE_TEARDOWN(trace)
{
	if (self->h >= 0)
		close(self->h);
	close(self->dev);
	zx_reap(self->pid);
	inst_write(self, "events/zxproc/enable", "0");
	rmdir(self->inst);
	if (self->mounted)
		umount(TRACEFS);
}

/* Does the trace hold a line with this event text? */
#define EXPECT_TRACED(text, ...) do { \
	char _want[512]; \
	snprintf(_want, sizeof(_want), __VA_ARGS__); \
	EXPECT_NE(NULL, strstr(text, _want)) TH_LOG("no \"%s\" in the trace:\n%s", \
						    _want, text); \
} while (0)

/* Every field, with its C type, as tools that parse the format see it. */
TEST_F(trace, formats)
{
	static const struct {
		const char *event;
		const char *fields[9];
	} want[] = {
		{ "zxproc_handle_open", { "pid_t pid;", "char comm[16];",
		  "pid_t nr;", "pid_t target;", "char target_comm[16];",
		  "u32 rights;", "int ret;" } },
		{ "zxproc_handle_dup", { "pid_t pid;", "char comm[16];",
		  "pid_t target;", "u32 from;", "u32 rights;", "int ret;" } },
		{ "zxproc_mem", { "pid_t pid;", "char comm[16];",
		  "pid_t target;", "unsigned int op;", "u64 addr;", "u64 len;",
		  "u64 actual;", "int ret;" } },
	};
	size_t i, j;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char rel[128], path[512], text[4096], field[64];

		snprintf(rel, sizeof(rel), "events/zxproc/%s/format",
			 want[i].event);
		inst_path(self, rel, path, sizeof(path));
		ASSERT_LT(0, zx_read_file(path, text, sizeof(text)))
			TH_LOG("%s", path);
		for (j = 0; want[i].fields[j]; j++) {
			snprintf(field, sizeof(field), "field:%s", want[i].fields[j]);
			EXPECT_NE(NULL, strstr(text, field))
				TH_LOG("%s: no %s in\n%s", want[i].event, field, text);
		}
	}
}

/* Handle creation: opens (granted and refused) and duplicates. */
TEST_F(trace, handle_events)
{
	const uint32_t rights = ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE;
	pid_t gone;
	char *text;
	int h2;

	ASSERT_EQ(0, inst_write(self, "events/zxproc/enable", "1"));
	self->h = zx_open(self->dev, self->pid, rights);
	ASSERT_LE(0, self->h);
	h2 = zx_dup(self->h, ZXPROC_RIGHT_READ, 0);
	ASSERT_LE(0, h2);
	EXPECT_EQ(-EINVAL, zx_dup(self->h, ZXPROC_RIGHT_WRITE, 0));
	/* A pid with no process: a child reaped. */
	gone = zx_target();
	ASSERT_LT(0, gone);
	zx_reap(gone);
	EXPECT_EQ(-ESRCH, zx_open(self->dev, gone, rights));
	EXPECT_EQ(-EINVAL, zx_open(self->dev, self->pid, 0x40000000));
	ASSERT_EQ(0, inst_write(self, "events/zxproc/enable", "0"));

	text = inst_trace(self);
	ASSERT_NE(NULL, text);
	EXPECT_TRACED(text, "zxproc_handle_open: pid=%d comm=%s nr=%d target=%d target_comm=%s rights=0x%x ret=%d",
		      getpid(), self->comm, self->pid, self->pid, self->comm,
		      rights, self->h);
	EXPECT_TRACED(text, "zxproc_handle_dup: pid=%d comm=%s target=%d from=0x%x rights=0x%x ret=%d",
		      getpid(), self->comm, self->pid, rights,
		      ZXPROC_RIGHT_READ, h2);
	EXPECT_TRACED(text, "zxproc_handle_dup: pid=%d comm=%s target=%d from=0x%x rights=0x%x ret=%d",
		      getpid(), self->comm, self->pid, rights,
		      ZXPROC_RIGHT_WRITE, -EINVAL);
	EXPECT_TRACED(text, "zxproc_handle_open: pid=%d comm=%s nr=%d target=0 target_comm= rights=0x%x ret=%d",
		      getpid(), self->comm, gone, rights, -ESRCH);
	EXPECT_TRACED(text, "zxproc_handle_open: pid=%d comm=%s nr=%d target=0 target_comm= rights=0x40000000 ret=%d",
		      getpid(), self->comm, self->pid, -EINVAL);
	free(text);
	close(h2);
}

/* Every memory access, each op, with its outcome. */
TEST_F(trace, memory_events)
{
	uint64_t a = zx_ptr(self->buf), actual;
	uint8_t bytes[64];
	struct zxproc_seg segs[2] = {
		{ .addr = a + 100, .buf = zx_ptr(bytes), .len = 10 },
		{ .addr = zx_ptr(self->hole), .buf = zx_ptr(bytes), .len = 20 },
	};
	struct zxproc_memv memv = {
		.segs = zx_ptr(segs), .nr_segs = 2, .seg_size = sizeof(segs[0]),
	};
	struct zxproc_cas cas = { .addr = a + 8, .size = 8 };
	int ro;
	char *text;

	self->h = zx_open(self->dev, self->pid, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, self->h);
	ro = zx_dup(self->h, ZXPROC_RIGHT_READ, 0);
	ASSERT_LE(0, ro);
	memcpy(&cas.expected, self->buf + 8, 8);
	cas.desired = ~cas.expected;
	memset(bytes, 0x11, sizeof(bytes));

	ASSERT_EQ(0, inst_write(self, "events/zxproc/enable", "1"));
	EXPECT_EQ(0, zx_write(self->h, a + 1000, bytes, 16, &actual));
	EXPECT_EQ(0, zx_read(self->h, a + 2 * self->page - 5, bytes, 64, &actual));
	EXPECT_EQ(5u, actual);
	EXPECT_EQ(-ENOMEM, zx_read(self->h, zx_ptr(self->hole), bytes, 8, &actual));
	EXPECT_EQ(-EACCES, zx_write(ro, a, bytes, 8, &actual));
	EXPECT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_READV, &memv));
	EXPECT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &memv));
	memv.flags = 0x80000000;
	EXPECT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_WRITEV, &memv));
	EXPECT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_CAS, &cas));
	EXPECT_EQ(ZXPROC_CAS_SWAPPED, cas.result);
	EXPECT_EQ(0, zx_ioctl(self->h, ZXPROC_IOC_CAS, &cas));	/* no swap now */
	EXPECT_EQ(0u, cas.result);
	EXPECT_EQ(-EACCES, zx_ioctl(ro, ZXPROC_IOC_CAS, &cas));
	ASSERT_EQ(0, inst_write(self, "events/zxproc/enable", "0"));
	/* Off: not recorded. */
	EXPECT_EQ(0, zx_write(self->h, a + 3000, bytes, 3, &actual));

	text = inst_trace(self);
	ASSERT_NE(NULL, text);
#define MEM "zxproc_mem: pid=%d comm=%s target=%d op="
#define WHO getpid(), self->comm, self->pid
	EXPECT_TRACED(text, MEM "write addr=0x%llx len=16 actual=16 ret=0", WHO,
		      (unsigned long long)a + 1000);
	EXPECT_TRACED(text, MEM "read addr=0x%llx len=64 actual=5 ret=0", WHO,
		      (unsigned long long)(a + 2 * self->page - 5));
	EXPECT_TRACED(text, MEM "read addr=0x%llx len=8 actual=0 ret=%d", WHO,
		      (unsigned long long)zx_ptr(self->hole), -ENOMEM);
	EXPECT_TRACED(text, MEM "write addr=0x%llx len=8 actual=0 ret=%d", WHO,
		      (unsigned long long)a, -EACCES);
	EXPECT_TRACED(text, MEM "readv addr=0x%llx len=10 actual=10 ret=0", WHO,
		      (unsigned long long)a + 100);
	EXPECT_TRACED(text, MEM "readv addr=0x%llx len=20 actual=0 ret=%d", WHO,
		      (unsigned long long)zx_ptr(self->hole), -ENOMEM);
	EXPECT_TRACED(text, MEM "writev addr=0x%llx len=10 actual=10 ret=0", WHO,
		      (unsigned long long)a + 100);
	EXPECT_TRACED(text, MEM "writev addr=0x%llx len=20 actual=0 ret=%d", WHO,
		      (unsigned long long)zx_ptr(self->hole), -ENOMEM);
	EXPECT_TRACED(text, MEM "writev addr=0x0 len=0 actual=0 ret=%d", WHO,
		      -EINVAL);
	EXPECT_TRACED(text, MEM "cas addr=0x%llx len=8 actual=8 ret=0", WHO,
		      (unsigned long long)a + 8);
	EXPECT_TRACED(text, MEM "cas addr=0x%llx len=8 actual=0 ret=0", WHO,
		      (unsigned long long)a + 8);
	EXPECT_TRACED(text, MEM "cas addr=0x%llx len=8 actual=0 ret=%d", WHO,
		      (unsigned long long)a + 8, -EACCES);
	{
		char off[64];

		snprintf(off, sizeof(off), "addr=0x%llx len=3 ",
			 (unsigned long long)a + 3000);
		EXPECT_EQ(NULL, strstr(text, off)) TH_LOG("traced while off");
	}
	free(text);
	close(ro);
}

TEST_HARNESS_MAIN

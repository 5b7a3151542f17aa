// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_IOC_MAPS: the mappings of the handle's address space, checked
 * against /proc/PID/maps of the same stopped process (the kernel's own
 * description, by its own code): every range, protection, sharing,
 * offset, device, inode and name, in the same order; then the rules of
 * the array (count only, a short array, a longer element, resuming from
 * an address), every bad argument, the right it needs, and a handle
 * whose process exited or exec'd.
 *
 * The target is a child stopped in pause() with extra mappings of every
 * kind inherited from the test: a file mapped shared at an offset, a
 * private file mapping, PROT_NONE, write-only-execute memory, a named
 * memfd that was unlinked, and a hole between two anonymous mappings.
 */
#include <libgen.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define MAX_MAPS 512

/* One line of /proc/PID/maps, in struct zxproc_map's terms. */
struct proc_map {
	uint64_t start, end, offset, inode;
	unsigned int major, minor;
	uint32_t flags;
	char name[ZXPROC_MAP_NAME_LEN];
};

/*
 * /proc/PID/maps of @pid into @m, without the vsyscall page (not a
 * mapping of the address space; see the uapi header).  Names become what
 * ZXPROC_IOC_MAPS reports: a path's last component without " (deleted)".
 * Returns the count, or -errno.
 */
static int proc_maps(pid_t pid, struct proc_map *m, int max)
{
	char path[64], line[4096 + 256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		char perms[8], name[4096] = "";
		unsigned long long start, end, off, ino;
		unsigned int major, minor;
		int used = 0;
		char *p;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start,
			   &end, perms, &off, &major, &minor, &ino, &used) < 7) {
			fclose(f);
			return -EINVAL;
		}
		snprintf(name, sizeof(name), "%s", used ? line + used : "");
		if (!strcmp(name, "[vsyscall]"))
			continue;
		p = strstr(name, " (deleted)");
		if (p && !p[10])
			*p = 0;
		memset(&m[n], 0, sizeof(m[n]));
		m[n].start = start;
		m[n].end = end;
		m[n].offset = off;
		m[n].inode = ino;
		m[n].major = major;
		m[n].minor = minor;
		m[n].flags = (perms[0] == 'r' ? ZXPROC_MAP_READ : 0) |
			     (perms[1] == 'w' ? ZXPROC_MAP_WRITE : 0) |
			     (perms[2] == 'x' ? ZXPROC_MAP_EXEC : 0) |
			     (perms[3] == 's' ? ZXPROC_MAP_SHARED : 0);
		snprintf(m[n].name, sizeof(m[n].name), "%s",
			 name[0] == '/' ? basename(name) : name);
		n++;
	}
	fclose(f);
	return n;
}

/* ZXPROC_IOC_MAPS with an element size of @size; 0 or -errno. */
static int maps(int h, uint64_t addr, void *entries, uint32_t count,
		uint32_t size, uint32_t *actual, uint32_t *avail)
{
	struct zxproc_maps req = {
		.addr = addr, .entries = zx_ptr(entries), .count = count,
		.entry_size = size, .actual = 0xdead, .avail = 0xbeef,
	};
	int ret = zx_ioctl(h, ZXPROC_IOC_MAPS, &req);

	*actual = req.actual;
	*avail = req.avail;
	return ret;
}

FIXTURE(mp) {
	pid_t target;
	int h;
	size_t page;
	int fd, memfd;
	char file[64];
	struct zxproc_map *got;
	struct proc_map *want;
};

FIXTURE_SETUP(mp)
{
	uint8_t *a;

	self->page = zx_page();
	self->got = calloc(MAX_MAPS, sizeof(*self->got));
	self->want = calloc(MAX_MAPS, sizeof(*self->want));
	ASSERT_TRUE(self->got && self->want);

	/* A file of 4 pages, mapped shared from its second page. */
	snprintf(self->file, sizeof(self->file), "/tmp/zxproc-maps-%d", getpid());
	self->fd = open(self->file, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ftruncate(self->fd, 4 * self->page));
	ASSERT_NE(MAP_FAILED, mmap(NULL, 2 * self->page, PROT_READ,
				   MAP_SHARED, self->fd, self->page));
	ASSERT_NE(MAP_FAILED, mmap(NULL, self->page, PROT_READ | PROT_EXEC,
				   MAP_PRIVATE, self->fd, 3 * self->page));
	/* An unlinked named memfd: /proc says "/memfd:zx-maps (deleted)". */
	self->memfd = memfd_create("zx-maps", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, self->page));
	ASSERT_NE(MAP_FAILED, mmap(NULL, self->page, PROT_READ | PROT_WRITE,
				   MAP_SHARED, self->memfd, 0));
	/* Shared anonymous memory: a shmem file whose dentry is "dev/zero". */
	ASSERT_NE(MAP_FAILED, mmap(NULL, self->page, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0));
	/* PROT_NONE, write+exec, and a hole between two anonymous pieces. */
	a = mmap(NULL, 5 * self->page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, a);
	ASSERT_EQ(0, mprotect(a + self->page, self->page, PROT_WRITE | PROT_EXEC));
	ASSERT_EQ(0, munmap(a + 3 * self->page, self->page));

	self->target = zx_target();
	ASSERT_LT(0, self->target);
	self->h = zx_handle(self->target, ZXPROC_RIGHT_INSPECT);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(mp)
{
	zx_reap(self->target);
	unlink(self->file);
	free(self->got);
	free(self->want);
}

/* Every mapping, as /proc/PID/maps of the same stopped process has it. */
TEST_F(mp, matches_proc_maps)
{
	uint32_t actual, avail;
	int n, i;

	n = proc_maps(self->target, self->want, MAX_MAPS);
	ASSERT_LT(8, n);
	ASSERT_EQ(0, maps(self->h, 0, self->got, MAX_MAPS, sizeof(*self->got),
			  &actual, &avail));
	ASSERT_EQ((uint32_t)n, actual);
	ASSERT_EQ(actual, avail);
	for (i = 0; i < n; i++) {
		const struct zxproc_map *g = &self->got[i];
		const struct proc_map *w = &self->want[i];

		TH_LOG("%d: %llx-%llx %x %s", i, (unsigned long long)g->start,
		       (unsigned long long)g->end, g->flags, g->name);
		ASSERT_EQ(w->start, g->start);
		ASSERT_EQ(w->end, g->end);
		ASSERT_EQ(w->flags, g->flags);
		ASSERT_EQ(w->offset, g->offset);
		ASSERT_EQ(w->inode, g->inode);
		ASSERT_EQ(w->major, g->dev_major);
		ASSERT_EQ(w->minor, g->dev_minor);
		ASSERT_EQ(0U, g->reserved);
		ASSERT_STREQ(w->name, g->name);
	}
}

/*
 * The names of every kind, and the kinds of the test's own mappings; the
 * bytes after each name's NUL are zero.
 */
TEST_F(mp, names)
{
	bool heap = false, stack = false, vdso = false, exe = false;
	bool shared = false, memfd = false, shmem = false;
	uint32_t actual, avail, i;
	size_t at;
	char self_exe[4096];
	ssize_t len;

	len = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);
	ASSERT_LT(0, len);
	self_exe[len] = 0;
	ASSERT_EQ(0, maps(self->h, 0, self->got, MAX_MAPS, sizeof(*self->got),
			  &actual, &avail));
	for (i = 0; i < actual; i++) {
		const struct zxproc_map *g = &self->got[i];

		heap |= !strcmp(g->name, "[heap]");
		stack |= !strcmp(g->name, "[stack]");
		vdso |= !strcmp(g->name, "[vdso]");
		exe |= !strcmp(g->name, basename(self_exe)) &&
		       (g->flags & ZXPROC_MAP_EXEC);
		if (!strcmp(g->name, basename(self->file)) &&
		    g->flags == (ZXPROC_MAP_READ | ZXPROC_MAP_SHARED)) {
			ASSERT_EQ(self->page, g->offset);
			ASSERT_EQ(2 * self->page, g->end - g->start);
			shared = true;
		}
		memfd |= !strcmp(g->name, "memfd:zx-maps") &&
			 (g->flags & ZXPROC_MAP_SHARED);
		shmem |= !strcmp(g->name, "zero") && (g->flags & ZXPROC_MAP_SHARED);
		for (at = strlen(g->name); at < sizeof(g->name); at++)
			ASSERT_EQ(0, g->name[at]) TH_LOG("%s: byte %zu", g->name, at);
	}
	EXPECT_TRUE(heap);
	EXPECT_TRUE(stack);
	EXPECT_TRUE(vdso);
	EXPECT_TRUE(exe);
	EXPECT_TRUE(shared);
	EXPECT_TRUE(memfd);
	EXPECT_TRUE(shmem);
}

/* Count only; a short array; a longer element; resuming from an address. */
TEST_F(mp, array_rules)
{
	uint32_t actual, avail, all, i;
	uint8_t *big;
	size_t esz = sizeof(struct zxproc_map) + 24;

	ASSERT_EQ(0, maps(self->h, 0, NULL, 0, sizeof(*self->got), &actual,
			  &all));
	ASSERT_EQ(0U, actual);
	ASSERT_LT(8U, all);

	/* A short array: the first ones, every one counted; no write past. */
	memset(self->got, 0x5a, MAX_MAPS * sizeof(*self->got));
	ASSERT_EQ(0, maps(self->h, 0, self->got, 3, sizeof(*self->got),
			  &actual, &avail));
	ASSERT_EQ(3U, actual);
	ASSERT_EQ(all, avail);
	ASSERT_EQ(-1, zx_not_all(&self->got[3], 0x5a, sizeof(self->got[3])));

	/* Past a piece of the kernel's walk (32 records), and one less. */
	ASSERT_EQ(0, maps(self->h, 0, self->got, all - 1, sizeof(*self->got),
			  &actual, &avail));
	ASSERT_EQ(all - 1, actual);
	ASSERT_EQ(all, avail);

	/* A longer element: the tail past the known struct reads as zero. */
	big = malloc(all * esz);
	ASSERT_NE(NULL, big);
	memset(big, 0x5a, all * esz);
	ASSERT_EQ(0, maps(self->h, 0, big, all, esz, &actual, &avail));
	ASSERT_EQ(all, actual);
	ASSERT_EQ(0, maps(self->h, 0, self->got, all, sizeof(*self->got),
			  &actual, &avail));
	for (i = 0; i < all; i++) {
		ASSERT_EQ(0, memcmp(big + i * esz, &self->got[i],
				    sizeof(self->got[i])));
		ASSERT_EQ(-1, zx_not_all(big + i * esz + sizeof(self->got[i]),
					 0, 24));
	}
	free(big);

	/* From the end of the third: the fourth on; from inside it: whole. */
	ASSERT_EQ(0, maps(self->h, 0, self->got, all, sizeof(*self->got),
			  &actual, &avail));
	{
		struct zxproc_map third = self->got[2], fourth = self->got[3];

		ASSERT_EQ(0, maps(self->h, third.end, self->got, 1,
				  sizeof(*self->got), &actual, &avail));
		ASSERT_EQ(1U, actual);
		ASSERT_EQ(all - 3, avail);
		ASSERT_EQ(fourth.start, self->got[0].start);
		ASSERT_EQ(0, maps(self->h, fourth.end - 1, self->got, 1,
				  sizeof(*self->got), &actual, &avail));
		ASSERT_EQ(fourth.start, self->got[0].start);
		ASSERT_EQ(fourth.end, self->got[0].end);
	}
	/* Past the top of the address space: nothing. */
	ASSERT_EQ(0, maps(self->h, UINT64_MAX, self->got, 4,
			  sizeof(*self->got), &actual, &avail));
	ASSERT_EQ(0U, actual);
	ASSERT_EQ(0U, avail);
}

/* Every bad argument: EINVAL or EFAULT, and nothing written. */
TEST_F(mp, bad_inputs)
{
	uint32_t sizes[] = { 0, 8, ZXPROC_MAP_SIZE_VER0 - 8,
			     ZXPROC_MAP_SIZE_VER0 + 4,
			     ZXPROC_MAP_SIZE_MAX + 8 };
	struct zxproc_maps req;
	uint32_t actual, avail;
	void *ro;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(self->got, 0x5a, sizeof(*self->got));
		ASSERT_EQ(-EINVAL, maps(self->h, 0, self->got, 1, sizes[i],
					&actual, &avail));
		ASSERT_EQ(0xdeadU, actual);
		ASSERT_EQ(-1, zx_not_all(self->got, 0x5a, sizeof(*self->got)));
	}
	ASSERT_EQ(-EINVAL, maps(self->h, 0, NULL, 1, sizeof(*self->got),
				&actual, &avail));
	req = (struct zxproc_maps){ .entry_size = sizeof(*self->got), .flags = 1 };
	ASSERT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_MAPS, &req));
	req = (struct zxproc_maps){ .entry_size = sizeof(*self->got), .reserved = 1 };
	ASSERT_EQ(-EINVAL, zx_ioctl(self->h, ZXPROC_IOC_MAPS, &req));
	/* The struct itself, and an array the kernel cannot write. */
	ASSERT_EQ(-EFAULT, zx_ioctl(self->h, ZXPROC_IOC_MAPS, NULL));
	ro = mmap(NULL, self->page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(-EFAULT, maps(self->h, 0, ro, 4, sizeof(*self->got), &actual,
				&avail));
	ASSERT_EQ(0U, actual);
	ASSERT_EQ(-1, zx_not_all(ro, 0, self->page));
	munmap(ro, self->page);
	/* The device is no handle. */
	{
		int dev = zx_dev();

		ASSERT_LE(0, dev);
		ASSERT_EQ(-ENOTTY, maps(dev, 0, self->got, 1,
					sizeof(*self->got), &actual, &avail));
		close(dev);
	}
}

/* ZXPROC_RIGHT_INSPECT, and no other right, is what it takes. */
TEST_F(mp, rights)
{
	uint32_t actual, avail;
	int h;

	h = zx_handle(self->target, ZXPROC_RIGHTS_ALL & ~ZXPROC_RIGHT_INSPECT);
	ASSERT_LE(0, h);
	ASSERT_EQ(-EACCES, maps(h, 0, self->got, 4, sizeof(*self->got),
				&actual, &avail));
	ASSERT_EQ(0xdeadU, actual);
	close(h);
	h = zx_dup(self->h, ZXPROC_RIGHT_INSPECT, 0);
	ASSERT_EQ(-EACCES, h);
	h = zx_dup(self->h, ZXPROC_RIGHT_SAME_RIGHTS, ZXPROC_DUP_REPLACE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, maps(h, 0, self->got, 4, sizeof(*self->got), &actual,
			  &avail));
	ASSERT_EQ(4U, actual);
	close(h);
}

/* A target that exited, reaped or not, answers ESTALE as memory calls do. */
TEST_F(mp, stale_after_exit)
{
	uint32_t actual, avail;

	ASSERT_EQ(0, kill(self->target, SIGKILL));
	ASSERT_EQ(0, waitid(P_PID, self->target, NULL, WEXITED | WNOWAIT));
	ASSERT_EQ(-ESTALE, maps(self->h, 0, self->got, 4, sizeof(*self->got),
				&actual, &avail));
	ASSERT_EQ(0U, actual);
	zx_reap(self->target);
	self->target = 0;
	ASSERT_EQ(-ESTALE, maps(self->h, 0, self->got, 4, sizeof(*self->got),
				&actual, &avail));
	{
		int h = zx_handle(getpid(), ZXPROC_RIGHT_READ | ZXPROC_RIGHT_INSPECT);

		ASSERT_LE(0, h);
		/* Our own handle still works: the errno is the target's. */
		ASSERT_EQ(0, maps(h, 0, NULL, 0, sizeof(*self->got), &actual,
				  &avail));
		ASSERT_LT(0U, avail);
		close(h);
	}
}

/* After an exec, the handle's address space is gone: ESTALE. */
TEST_F(mp, stale_after_exec)
{
	uint32_t actual, avail;
	int p[2], h;
	pid_t pid;
	char c;

	/* The target execs a shell that waits on a pipe, on our word. */
	ASSERT_EQ(0, pipe2(p, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(1);
		dup2(p[0], 0);
		execl("/bin/sh", "sh", "-c", "read x", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	h = zx_handle(pid, ZXPROC_RIGHT_INSPECT);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, maps(h, 0, NULL, 0, sizeof(*self->got), &actual, &avail));
	/* Let it exec, and wait until the new image runs on its own mm. */
	ASSERT_EQ(1, write(p[1], "x", 1));
	for (;;) {
		struct zxproc_info info;

		ASSERT_EQ(0, zx_info(h, &info));
		if (info.flags & ZXPROC_INFO_STALE)
			break;
		sched_yield();
	}
	ASSERT_EQ(-ESTALE, maps(h, 0, self->got, 4, sizeof(*self->got),
				&actual, &avail));
	close(p[1]);
	close(h);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

TEST_HARNESS_MAIN

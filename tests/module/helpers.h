/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the module's behaviour suites (tests/module/NAME_test.c).
 *
 * These suites talk to the kernel interface directly, through the raw
 * ioctls of <linux/zxproc.h>, never through libzxproc.  Every test reads
 * the target's memory back through a second, independent channel
 * (/proc/PID/mem, which the kernel serves with its own code) so that a
 * wrong byte count or a stray write cannot hide behind the module's own
 * answer.
 *
 * Targets are children forked from the test process: mappings made
 * before the fork are inherited at the same addresses, so the test knows
 * the target's layout without asking it, and the test's own copy of a
 * region is the expected content of the target's copy.
 *
 * Helpers return 0 or a negative errno and never use the harness's
 * ASSERT macros, so they are safe in forked children too.
 */
#ifndef ZXPROC_TESTS_MODULE_HELPERS_H
#define ZXPROC_TESTS_MODULE_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/zxproc.h>

#define ZX_DEV_PATH "/dev/" ZXPROC_DEVICE_NAME
#define ZX_NOBODY 65534

/* A value no kernel answer produces: fields the kernel must not touch. */
#define ZX_SENTINEL 0x5a5a5a5a5a5a5a5aULL

/* The lowest ZXPROC_MEM_* bit the header does not define: EINVAL. */
#define ZX_MEM_UNKNOWN_FLAG (~ZXPROC_MEM_FLAGS & (ZXPROC_MEM_FLAGS + 1))

static inline size_t zx_page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static inline uint64_t zx_ptr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/* ---- the raw interface ------------------------------------------------ */

/* /dev/zxproc, close-on-exec; returns the fd or -errno. */
static inline int zx_dev(void)
{
	int fd = open(ZX_DEV_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

/* ioctl() as 0-or-result / -errno. */
static inline int zx_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* ZXPROC_IOC_PROCESS_OPEN; returns the handle fd or -errno. */
static inline int zx_open(int dev, pid_t pid, uint32_t rights)
{
	struct zxproc_open req = { .pid = pid, .rights = rights };

	return zx_ioctl(dev, ZXPROC_IOC_PROCESS_OPEN, &req);
}

/* Open /dev/zxproc, mint a handle, close the device; fd or -errno. */
static inline int zx_handle(pid_t pid, uint32_t rights)
{
	int dev = zx_dev();
	int h;

	if (dev < 0)
		return dev;
	h = zx_open(dev, pid, rights);
	close(dev);
	return h;
}

/*
 * ZXPROC_IOC_WRITE (@cmd) or ZXPROC_IOC_READ; 0 or -errno.  The struct's
 * actual field goes in as ZX_SENTINEL and comes back in *@actual (if
 * not NULL): ZX_SENTINEL there means the kernel did not write it back.
 */
static inline int zx_mem(int h, unsigned long cmd, uint64_t addr, void *buf,
			 uint64_t len, uint32_t flags, uint64_t *actual)
{
	struct zxproc_mem req = {
		.addr = addr, .buf = zx_ptr(buf), .len = len, .flags = flags,
		.actual = ZX_SENTINEL,
	};
	int ret = zx_ioctl(h, cmd, &req);

	if (actual)
		*actual = req.actual;
	return ret;
}

static inline int zx_write(int h, uint64_t addr, const void *buf,
			   uint64_t len, uint64_t *actual)
{
	return zx_mem(h, ZXPROC_IOC_WRITE, addr, (void *)buf, len, 0, actual);
}

static inline int zx_read(int h, uint64_t addr, void *buf, uint64_t len,
			  uint64_t *actual)
{
	return zx_mem(h, ZXPROC_IOC_READ, addr, buf, len, 0, actual);
}

static inline int zx_info(int h, struct zxproc_info *info)
{
	memset(info, 0xa5, sizeof(*info));
	return zx_ioctl(h, ZXPROC_IOC_INFO, info);
}

/* ZXPROC_IOC_DUPLICATE; the new fd or -errno. */
static inline int zx_dup(int h, uint32_t rights, uint32_t flags)
{
	struct zxproc_dup req = { .rights = rights, .flags = flags };

	return zx_ioctl(h, ZXPROC_IOC_DUPLICATE, &req);
}

/* ---- memory patterns and the second channel --------------------------- */

/* A position-dependent byte pattern: a shifted copy never matches. */
static inline uint8_t zx_pattern_byte(unsigned int seed, size_t i)
{
	return (uint8_t)(seed * 131u + i * 7u + (i >> 8) * 13u + (i >> 16));
}

static inline void zx_fill(void *p, size_t len, unsigned int seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = zx_pattern_byte(seed, i);
}

/*
 * Anonymous private pages filled with a pattern, then given @prot.
 * Returns MAP_FAILED on failure.
 */
static inline void *zx_map(size_t len, int prot, unsigned int seed)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return p;
	zx_fill(p, len, seed);
	if (mprotect(p, len, prot)) {
		munmap(p, len);
		return MAP_FAILED;
	}
	return p;
}

/*
 * Read @len bytes of process @pid at @addr through /proc/PID/mem (the
 * second channel).  Returns bytes read or -errno.
 */
static inline ssize_t zx_peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	char path[64];
	size_t done = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(addr + done));
		if (n < 0) {
			int err = errno;

			close(fd);
			return done ? (ssize_t)done : -err;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	return (ssize_t)done;
}

/*
 * Compare the target's memory at @addr with @expect.  Returns -1 when
 * equal, the offset of the first difference otherwise, or -2 when the
 * memory cannot be read.  Reads in slices, so 64 MiB needs no 64 MiB
 * scratch buffer.
 */
static inline long zx_differs(pid_t pid, uint64_t addr, const void *expect,
			      size_t len)
{
	static uint8_t slice[1 << 20];
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < sizeof(slice) ? len - off : sizeof(slice);
		size_t i;

		if (zx_peek(pid, addr + off, slice, n) != (ssize_t)n)
			return -2;
		if (memcmp(slice, (const uint8_t *)expect + off, n)) {
			for (i = 0; i < n; i++)
				if (slice[i] != ((const uint8_t *)expect)[off + i])
					return (long)(off + i);
		}
		off += n;
	}
	return -1;
}

/* Index of the first byte of @p not equal to @c, or -1. */
static inline long zx_not_all(const void *p, int c, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (uint8_t)c)
			return (long)i;
	return -1;
}

/* ---- targets ---------------------------------------------------------- */

/*
 * Fork a target: it runs @prep(@arg) (if any; 0 means ready), tells us
 * over a pipe, then only waits to be killed.  It dies with the test
 * process (PR_SET_PDEATHSIG, set after @prep because a credential change
 * clears it), so no target outlives a failed test.  Returns the pid, or
 * -errno (-EIO when @prep failed).
 */
static inline pid_t zx_target_prep(int (*prep)(void *), void *arg)
{
	pid_t parent = getpid();
	char ok = 0;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(p[0]);
		ok = prep ? prep(arg) == 0 : 1;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (write(p[1], &ok, 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &ok, 1) != 1 || !ok) {
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -EIO;
	}
	close(p[0]);
	return pid;
}

static inline pid_t zx_target(void)
{
	return zx_target_prep(NULL, NULL);
}

/*
 * In a forked child, harness ASSERTs cannot be used: check, say what
 * failed, and return the step number as the child's exit status.
 */
#define CHILD_CHECK(step, cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "# child %d: step %d failed: %s (errno %d)\n", \
			getpid(), (step), #cond, errno); \
		return (step); \
	} \
} while (0)

/* A child's exit status meaning "cannot run here" (the test SKIPs). */
#define ZX_CHILD_SKIP 200

/*
 * Are we in a chroot below pid 1's root?  (The guest harness chroots
 * into the host's tree; the kernel refuses CLONE_NEWUSER there.)
 */
static inline bool zx_chrooted(void)
{
	struct stat ours, init;

	if (stat("/", &ours) || stat("/proc/1/root/", &init))
		return false;
	return ours.st_dev != init.st_dev || ours.st_ino != init.st_ino;
}

/* Kill and reap a child; harmless on one already gone. */
static inline void zx_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * fork(), the child tied to us: it gets SIGKILL when we die
 * (PR_SET_PDEATHSIG) and exits at once if we died before that was set,
 * so no child of a failed test lives on.  Returns what fork() returns.
 */
static inline pid_t zx_fork_tied(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

/*
 * Run @fn(@arg) in a forked child and return its exit status (0..255),
 * or -1000 - signal when it was killed.  Children report a small code
 * (0, or an errno) through their exit status.
 */
static inline int zx_in_child(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(fn(arg) & 0xff);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return -1000 - WTERMSIG(status);
	return WEXITSTATUS(status);
}

/*
 * In a forked child: unshare(CLONE_NEWPID), fork @init(@arg) as pid 1
 * of the new pid namespace, write its pid in our namespace to @pidfd (if
 * >= 0), and wait for it.  Returns its exit status (99 when it did not
 * exit), or a CHILD_CHECK step of ours.
 */
static inline int zx_pidns_run(int (*init)(void *), void *arg, int pidfd)
{
	int status;
	pid_t g;

	CHILD_CHECK(1, unshare(CLONE_NEWPID) == 0);
	g = fork();
	if (g == 0)
		_exit(init(arg));
	CHILD_CHECK(2, g > 0);
	/* fork() answers in our namespace: the outer pid. */
	CHILD_CHECK(3, pidfd < 0 || write(pidfd, &g, sizeof(g)) == sizeof(g));
	CHILD_CHECK(4, waitpid(g, &status, 0) == g);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
}

/* Monotonic time in milliseconds. */
static inline long long zx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the standard target layout -------------------------------------- */

/*
 * Mappings made by the test process and inherited by a target, where the
 * target overwrites them with its own patterns (so a read that returned
 * the caller's copy, or a write that landed in it, shows):
 *   region  ZX_REGION_PAGES read-write pages        target pattern 77
 *   gap     a page, an unmapped page, a page        78 | hole | 79
 *   big     ZX_BIG_PAGES pages, then a hole         80
 * In the test process they hold pattern 1, 2, 3, 4.  Map every buffer of
 * the test's own before this, and fork the target right after, so that
 * no later mapping of ours can fill a hole the target inherits.
 */
#define ZX_REGION_PAGES 4
#define ZX_BIG_PAGES 100
enum { ZX_T_REGION = 77, ZX_T_GAP_A, ZX_T_GAP_C, ZX_T_BIG };

struct zx_layout {
	size_t page;
	uint8_t *region;
	uint8_t *gap;
	uint8_t *big;
};

static inline int zx_layout_map(struct zx_layout *l)
{
	l->page = zx_page();
	l->region = zx_map(ZX_REGION_PAGES * l->page, PROT_READ | PROT_WRITE, 1);
	l->gap = zx_map(3 * l->page, PROT_READ | PROT_WRITE, 2);
	l->big = zx_map((ZX_BIG_PAGES + 1) * l->page, PROT_READ | PROT_WRITE, 4);
	if (l->region == MAP_FAILED || l->gap == MAP_FAILED || l->big == MAP_FAILED)
		return -ENOMEM;
	zx_fill(l->gap + 2 * l->page, l->page, 3);
	if (munmap(l->gap + l->page, l->page) ||
	    munmap(l->big + ZX_BIG_PAGES * l->page, l->page))
		return -errno;
	return 0;
}

/* zx_target_prep() callback: the target writes its own patterns. */
static inline int zx_layout_prep(void *p)
{
	struct zx_layout *l = p;

	zx_fill(l->region, ZX_REGION_PAGES * l->page, ZX_T_REGION);
	zx_fill(l->gap, l->page, ZX_T_GAP_A);
	zx_fill(l->gap + 2 * l->page, l->page, ZX_T_GAP_C);
	zx_fill(l->big, ZX_BIG_PAGES * l->page, ZX_T_BIG);
	return 0;
}

/* A pattern in a fresh malloc()ed buffer (the expected content). */
static inline uint8_t *zx_want(size_t len, unsigned int seed)
{
	uint8_t *w = malloc(len);

	if (w)
		zx_fill(w, len, seed);
	return w;
}

/*
 * Is the layout in process @pid as the target wrote it (@target) or as
 * the test process did?  Returns NULL if so, else the name of the first
 * part that differs.
 */
static inline const char *zx_layout_differs(pid_t pid, const struct zx_layout *l,
					    bool target)
{
	static const struct {
		const char *name;
		size_t off, pages;
		int which, seed[2];
	} part[] = {
		{ "region", 0, ZX_REGION_PAGES, 0, { 1, ZX_T_REGION } },
		{ "gap[0]", 0, 1, 1, { 2, ZX_T_GAP_A } },
		{ "gap[2]", 2, 1, 1, { 3, ZX_T_GAP_C } },
		{ "big", 0, ZX_BIG_PAGES, 2, { 4, ZX_T_BIG } },
	};
	size_t i;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		uint8_t *base = part[i].which == 0 ? l->region :
				part[i].which == 1 ? l->gap : l->big;
		size_t len = part[i].pages * l->page;
		uint8_t *w = zx_want(len, part[i].seed[target]);
		long d;

		if (!w)
			return "(out of memory)";
		d = zx_differs(pid, zx_ptr(base + part[i].off * l->page), w, len);
		free(w);
		if (d != -1)
			return part[i].name;
	}
	return NULL;
}

/*
 * The end of the read, write and batch suites' fixture set-up, in the
 * order the layout needs: the layout mapped after the fixture's own
 * buffers, the target forked right after it (so that no mapping of ours
 * fills a hole the target inherits), then /dev/zxproc and a handle with
 * every right.  0 or -errno; on failure the test ends, and the target
 * dies with it.
 */
static inline int zx_layout_target_open(struct zx_layout *l, pid_t *target,
					int *dev, int *h)
{
	int err = zx_layout_map(l);

	if (err)
		return err;
	*target = zx_target_prep(zx_layout_prep, l);
	if (*target < 0)
		return *target;
	*dev = zx_dev();
	if (*dev < 0)
		return *dev;
	*h = zx_open(*dev, *target, ZXPROC_RIGHTS_ALL);
	return *h < 0 ? *h : 0;
}

/* The fixture teardown matching zx_layout_target_open(). */
static inline void zx_layout_target_close(pid_t target, int dev, int h)
{
	zx_reap(target);
	close(h);
	close(dev);
}

/*
 * What the target's layout must hold, as the write and batch suites
 * track it: the target's own patterns at first, then every byte a test
 * writes copied in where it wrote it, so that one comparison checks both
 * what changed and that nothing else did.
 */
struct zx_layout_want {
	uint8_t *region, *gap_a, *gap_c, *big;
};

/* Start @w as the target's own patterns (zx_layout_prep); 0 or -ENOMEM. */
static inline int zx_layout_want_init(struct zx_layout_want *w, size_t page)
{
	w->region = zx_want(ZX_REGION_PAGES * page, ZX_T_REGION);
	w->gap_a = zx_want(page, ZX_T_GAP_A);
	w->gap_c = zx_want(page, ZX_T_GAP_C);
	w->big = zx_want(ZX_BIG_PAGES * page, ZX_T_BIG);
	return w->region && w->gap_a && w->gap_c && w->big ? 0 : -ENOMEM;
}

/*
 * Does the layout in process @pid hold exactly @w?  NULL if so, else the
 * name of the first part that differs (as zx_layout_differs() names it).
 */
static inline const char *zx_layout_want_differs(pid_t pid, const struct zx_layout *l,
						 const struct zx_layout_want *w)
{
	if (zx_differs(pid, zx_ptr(l->region), w->region, ZX_REGION_PAGES * l->page) != -1)
		return "region";
	if (zx_differs(pid, zx_ptr(l->gap), w->gap_a, l->page) != -1)
		return "gap[0]";
	if (zx_differs(pid, zx_ptr(l->gap + 2 * l->page), w->gap_c, l->page) != -1)
		return "gap[2]";
	if (zx_differs(pid, zx_ptr(l->big), w->big, ZX_BIG_PAGES * l->page) != -1)
		return "big";
	return NULL;
}

/* ---- privileges ------------------------------------------------------- */

/*
 * Remove capability @cap from the bounding set and from the effective,
 * permitted and inheritable sets (raw capset: no libcap).  0 or -errno.
 */
static inline int zx_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	int i = cap / 32;
	uint32_t bit = 1u << (cap % 32);

	if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
		return -errno;
	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[i].effective &= ~bit;
	data[i].permitted &= ~bit;
	data[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}

/* Is @cap in our effective set? */
static inline bool zx_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

/*
 * Become nobody:nogroup with no capabilities anywhere: the bounding set
 * emptied first (needs CAP_SETPCAP), then the ids (a uid change from 0
 * clears the permitted and effective sets), then the ambient set.
 */
static inline int zx_become_nobody(void)
{
	gid_t none[1] = { ZX_NOBODY };
	int cap;

	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			return -errno;
	if (setgroups(1, none) || setresgid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY) ||
	    setresuid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY))
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return -errno;
	return zx_has_cap(CAP_SYS_PTRACE) ? -EPERM : 0;
}

/* ---- descriptors over unix sockets ------------------------------------ */

/*
 * Send @len bytes of @data with the descriptor *@fd attached (none when
 * @fd is NULL): the one place that builds an SCM_RIGHTS message, for
 * zx_send_fd() and for suites that pass a descriptor with a message of
 * their own.  Returns what sendmsg() does.
 */
static inline ssize_t zx_send_with_fd(int sock, const void *data, size_t len,
				      const int *fd, int flags)
{
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	if (fd) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), fd, sizeof(int));
	}
	return sendmsg(sock, &msg, flags);
}

/*
 * Receive up to @len bytes into @data, and in *@fd the descriptor passed
 * with them (close-on-exec), or -1 when none came: the receiving half of
 * zx_send_with_fd().  Returns what recvmsg() does.
 */
static inline ssize_t zx_recv_with_fd(int sock, void *data, size_t len, int *fd)
{
	struct iovec iov = { .iov_base = data, .iov_len = len };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *c;
	ssize_t n;

	*fd = -1;
	n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return n;
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

/* Send one descriptor (with a byte, as a stream needs one); 0 or -errno. */
static inline int zx_send_fd(int sock, int fd)
{
	return zx_send_with_fd(sock, "h", 1, &fd, 0) == 1 ? 0 : -errno;
}

/* Receive one descriptor (close-on-exec); the fd or -errno. */
static inline int zx_recv_fd(int sock)
{
	char byte;
	int fd;

	errno = EPROTO;
	if (zx_recv_with_fd(sock, &byte, 1, &fd) != 1)
		return -errno;
	return fd < 0 ? -EPROTO : fd;
}

/*
 * A descriptor of the device node @node opened by nobody
 * (zx_become_nobody(), in a helper process), for a caller to use with
 * the opener's credentials (file_ns_capable()); the fd or -errno.
 */
static inline int zx_nobody_opened(const char *node)
{
	int sv[2], fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		fd = -errno;
		close(sv[0]);
		close(sv[1]);
		return fd;
	}
	if (pid == 0) {
		int d;

		close(sv[0]);
		d = zx_become_nobody() ? -1 : open(node, O_RDWR | O_CLOEXEC);
		_exit(d < 0 || zx_send_fd(sv[1], d) ? 1 : 0);
	}
	close(sv[1]);
	fd = zx_recv_fd(sv[0]);
	close(sv[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return fd;
}

/* Number of open descriptors of this process. */
static inline int zx_count_fds(void)
{
	char path[64];
	int n = 0, fd;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if (access(path, F_OK) == 0)
			n++;
	}
	return n;
}

/* Write a whole file (for /sys parameters); 0 or -errno. */
static inline int zx_write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	return 0;
}

/* Read up to @len - 1 bytes of a file as a string; bytes or -errno. */
static inline ssize_t zx_read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

/*
 * Make the file named by the mkstemp() template @path (which gets the
 * name) hold @len bytes of @data, with mode @mode: the files the mapping
 * suites map.  0 or -errno (-EIO when the contents or mode do not take).
 */
static inline int zx_make_file(char *path, const void *data, size_t len, mode_t mode)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len || fchmod(fd, mode)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/*
 * One page of device memory (VM_IO | VM_PFNMAP, which zxproc refuses):
 * /dev/mem's BIOS area, read-only, at @at (MAP_FIXED) or anywhere
 * (NULL).  MAP_FAILED with errno set when this machine has none to give.
 */
static inline void *zx_device_page(void *at)
{
	int fd = open("/dev/mem", O_RDONLY | O_CLOEXEC);
	void *map;
	int err;

	if (fd < 0)
		return MAP_FAILED;
	map = mmap(at, zx_page(), PROT_READ, MAP_SHARED | (at ? MAP_FIXED : 0),
		   fd, 0xf0000);
	err = errno;
	close(fd);
	errno = err;
	return map;
}

/*
 * The module's reference count (/sys/module/zxproc/refcnt), which every
 * open device and handle holds up: how the suites see that nothing of
 * the module is left held.  -1 when it cannot be read.
 */
static inline int zx_module_refcnt(void)
{
	char buf[32];

	return zx_read_file("/sys/module/zxproc/refcnt", buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
}

/* ---- the module itself (the suites that unload it) --------------------- */

#define ZX_MODULE_NAME "zxproc"

static inline bool zx_module_loaded(void)
{
	return access("/sys/module/" ZX_MODULE_NAME, F_OK) == 0;
}

/*
 * The .ko tests/vm/run loaded (it says where: ZXPROC_VM_MODULE), else
 * the build's ($BUILD/kernel/RELEASE/zxproc.ko; BUILD defaults to build/
 * in the source tree, ZXPROC_TOP, or here).
 */
static inline const char *zx_module_path(void)
{
	static char path[4096];
	const char *env = getenv("ZXPROC_VM_MODULE");
	const char *build = getenv("BUILD");
	const char *top = getenv("ZXPROC_TOP");
	struct utsname u;

	if (env && *env)
		return env;
	if (uname(&u))
		return "zxproc.ko";
	if (build && *build)
		snprintf(path, sizeof(path), "%s/kernel/%s/zxproc.ko", build, u.release);
	else
		snprintf(path, sizeof(path), "%s/build/kernel/%s/zxproc.ko",
			 top && *top ? top : ".", u.release);
	return path;
}

/*
 * Load zx_module_path() (finit_module(2), as insmod(8) does); 0 or
 * -errno.  devtmpfs makes /dev/zxproc as the module registers its
 * device, before this returns.
 */
static inline int zx_module_load(void)
{
	int fd = open(zx_module_path(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* delete_module(2) as rmmod(8) calls it: fail rather than wait while in use. */
static inline int zx_module_unload(void)
{
	return syscall(SYS_delete_module, ZX_MODULE_NAME, O_NONBLOCK) ? -errno : 0;
}

/*
 * Load the module again if it is gone, and with it /dev/zxproc, for the
 * suites after this one in the same guest.
 */
static inline void zx_module_restore(void)
{
	if (!zx_module_loaded() && zx_module_load())
		fprintf(stderr, "# could not load %s again: later suites will fail\n",
			zx_module_path());
	else if (access(ZX_DEV_PATH, F_OK))
		fprintf(stderr, "# %s is missing: later suites will fail\n", ZX_DEV_PATH);
}

/*
 * In a suite that unloads the module, at file scope: if the module is
 * loaded when the suite starts, zx_module_restore() when the suite's own
 * process exits (the harness's main, whose exit() runs it; the tests'
 * children leave with _exit() or abort()), so the module is back even
 * after a test the harness killed (its timeout) before that test's
 * teardown could run.
 */
#define ZX_RESTORE_MODULE_AT_EXIT \
	static void __attribute__((constructor)) zx_restore_module_at_exit(void) \
	{ \
		if (zx_module_loaded()) \
			atexit(zx_module_restore); \
	}

#endif /* ZXPROC_TESTS_MODULE_HELPERS_H */

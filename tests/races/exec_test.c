// SPDX-License-Identifier: GPL-2.0
/*
 * The target execs while a write is in flight on a handle made before
 * the exec: the /proc/PID/mem bug of CVE-2012-0056.
 *
 * The target is this very program, copied into the guest's /tmp and run
 * as an image (--exec-image, see image_main()).  Each image maps a page
 * at a fixed address (IMAGE_PAGE) and another one (STALL_PAGE), fills
 * them with sentinels, mints a handle to itself and passes it to the
 * test over a unix socket, then execs the next image on the test's
 * word.  The next image maps the same pages at the same addresses: a
 * handle that followed the task instead of the address space would
 * write straight into it.
 *
 * Interleavings, each forced (tests/races/race.h), each for a plain
 * exec (root execs itself) and a setuid one (a process of nobody, with
 * a handle to itself, execs a setuid-root copy: the new image, euid 0
 * and not dumpable, must be out of the old handle's reach, and nobody's
 * attempt to open it must fail with EPERM):
 *
 *  - the write is held on a stalled page of the test's own source
 *    buffer, after copying HALF bytes into the old image and with no
 *    target page pinned; the target execs (and its exec completes while
 *    the write is still held); then the write goes on: ESTALE with
 *    actual = HALF, and the new image's pages hold their sentinels;
 *  - the write is held inside the pin of the old image's STALL_PAGE (a
 *    page of a memfd the old image registered with its userfaultfd),
 *    after the target check, with the old image's mmap_lock dropped;
 *    the target execs; the test serves the page in the old address
 *    space (which the held write keeps alive): the pin that waited
 *    checks the target again, so the write fails with ESTALE having
 *    written nothing, not even into the address space the process left
 *    (seen through the memfd); the new image's pages hold their
 *    sentinels;
 *  - after either, a write through the old handle fails with ESTALE and
 *    actual 0, and the new image's own handle writes where it should
 *    (so the addresses were right).
 *
 * The old sweeps (a chain of 100 images execing while a writer thread
 * writes as fast as it can, at least 10,000 writes) are soak_* tests,
 * run only with ZXPROC_SOAK=1 (see race.h).
 */
#include <sys/personality.h>
#include <sys/stat.h>

#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define IMAGE_ARG "--exec-image"
#define IMAGE_PAGE 0x200000000000ULL	/* free in every x86-64 layout */
#define STALL_PAGE (IMAGE_PAGE + 0x100000)
#define PAGE_SENTINEL 0x3c
#define STALL_SENTINEL 0x4b
#define DATA_SENTINEL 0x5a
#define EXECS 100
#define STALE_MIN 3
#define HALF (PAGE / 2)
#define SRC_SEED 0x61

/* A .data page at the same address in every image (no ASLR). */
static volatile uint8_t data_page[PAGE] __attribute__((aligned(PAGE))) = {
	[0 ... PAGE - 1] = DATA_SENTINEL,
};

enum msg_type { M_HELLO = 1, M_CHECK, M_RESULT, M_HANDLE, M_GO, M_QUIT,
		M_UFFD, M_MEMFD };

struct msg {
	int type;
	pid_t pid;
	uint64_t data_addr;
	int euid, uid, dumpable, ptrace_cap;
	int page_ok, data_ok, stall_ok;
	int err;
};

/* One message, with an optional descriptor; 0 or -errno. */
static int msg_send(int sock, const struct msg *m, int fd)
{
	return zx_send_with_fd(sock, m, sizeof(*m), fd >= 0 ? &fd : NULL, MSG_NOSIGNAL) ==
	       (ssize_t)sizeof(*m) ? 0 : -errno;
}

/* Receive a message of @type; *@fd gets a passed descriptor or -1. */
static int msg_recv(int sock, struct msg *m, int type, int *fd)
{
	int got;

	if (fd)
		*fd = -1;
	if (zx_recv_with_fd(sock, m, sizeof(*m), &got) != (ssize_t)sizeof(*m))
		return -EPROTO;
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	return m->type == type ? 0 : -EPROTO;
}

/* ---- the image ---------------------------------------------------------- */

/*
 * argv: [0] the program, [1] IMAGE_ARG, [2] the socket, [3] /dev/zxproc,
 * [4] "self" or "setuid", [5] the program to exec next, [6] "1" when
 * STALL_PAGE is a memfd page registered with a new userfaultfd (both
 * passed to the test), "0" when it is a sentinel page.
 *
 * Messages: HELLO; on CHECK, RESULT (are the pages still as this image
 * filled them?); HANDLE (with its handle to itself) and, with a stall
 * page, UFFD and MEMFD; then more CHECKs, and GO (exec the next image,
 * without a stall page) or QUIT.
 */
/* RESULT: are this image's pages still as it filled them? */
static int image_result(int ctl, const uint8_t *page, const uint8_t *sp, bool stall)
{
	struct msg m = { .type = M_RESULT };

	m.page_ok = zx_not_all(page, PAGE_SENTINEL, PAGE) < 0;
	m.data_ok = zx_not_all((const void *)data_page, DATA_SENTINEL, PAGE) < 0;
	m.stall_ok = stall || zx_not_all(sp, STALL_SENTINEL, PAGE) < 0;
	return msg_send(ctl, &m, -1);
}

static int image_main(char **argv)
{
	int ctl = atoi(argv[2]), dev = atoi(argv[3]);
	bool setuid_mode = !strcmp(argv[4], "setuid");
	bool stall = !strcmp(argv[6], "1");
	struct msg m = { .type = M_HELLO };
	int h, uffd = -1, memfd = -1;
	uint8_t *page, *sp;

	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a setuid exec clears it */
	page = mmap((void *)(uintptr_t)IMAGE_PAGE, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page != (void *)(uintptr_t)IMAGE_PAGE)
		return 20;
	memset(page, PAGE_SENTINEL, PAGE);
	if (stall) {
		/* While still euid 0: a userfaultfd that serves the kernel. */
		memfd = memfd_create("zxproc-stall", MFD_CLOEXEC);
		if (memfd < 0 || ftruncate(memfd, PAGE))
			return 30;
		sp = mmap((void *)(uintptr_t)STALL_PAGE, PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_FIXED_NOREPLACE, memfd, 0);
		uffd = sp == (void *)(uintptr_t)STALL_PAGE ? uf_new_missing(sp, PAGE) : -1;
		if (uffd < 0)
			return 31;
	} else {
		sp = mmap((void *)(uintptr_t)STALL_PAGE, PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (sp != (void *)(uintptr_t)STALL_PAGE)
			return 32;
		memset(sp, STALL_SENTINEL, PAGE);
	}

	m.pid = getpid();
	m.data_addr = zx_ptr((const void *)data_page);
	m.euid = (int)geteuid();
	m.uid = (int)getuid();
	m.dumpable = prctl(PR_GET_DUMPABLE);
	m.ptrace_cap = zx_has_cap(CAP_SYS_PTRACE);
	if (msg_send(ctl, &m, -1) || msg_recv(ctl, &m, M_CHECK, NULL) ||
	    image_result(ctl, page, sp, stall))
		return 21;

	/* Unprivileged again before handing out a handle to ourselves. */
	if (setuid_mode && (setresgid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY) ||
			    setresuid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY)))
		return 23;
	h = zx_open(dev, getpid(), ZXPROC_RIGHT_WRITE);
	m = (struct msg){ .type = M_HANDLE, .err = h < 0 ? h : 0 };
	if (msg_send(ctl, &m, h))
		return 24;
	if (h < 0)
		return 25;
	if (stall && (msg_send(ctl, &(struct msg){ .type = M_UFFD }, uffd) ||
		      msg_send(ctl, &(struct msg){ .type = M_MEMFD }, memfd)))
		return 33;

	for (;;) {
		if (msg_recv(ctl, &m, M_GO, NULL) == 0)
			break;
		if (m.type == M_QUIT)
			return 0;
		if (m.type != M_CHECK || image_result(ctl, page, sp, stall))
			return 26;
	}
	argv[6] = "0";
	execv(argv[5], argv);
	return 27;
}

/*
 * glibc passes (argc, argv, envp) to constructors: an image is told
 * apart from a test run before the harness's main() starts.
 */
static void __attribute__((constructor)) image_dispatch(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], IMAGE_ARG))
		_exit(image_main(argv));
}

/* This program, copied into the guest's writable /tmp (tmpfs: fast exec). */
static int copy_self(char *path, size_t size, mode_t mode)
{
	const char *dir = getenv("ZXPROC_VM_TMPDIR");
	static char buf[1 << 16];
	int in, out;
	ssize_t n;

	snprintf(path, size, "%s/zxproc-exec-XXXXXX", dir ? dir : "/tmp");
	out = mkstemp(path);
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (out < 0 || in < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -EIO;
	close(in);
	if (fchown(out, 0, 0) || fchmod(out, mode))
		return -errno;
	close(out);
	return 0;
}

/*
 * Start the first image from a child (nobody, in setuid mode, with the
 * bounding set left full: the setuid-root exec then gives the image
 * every capability, as on a real system).  Its end of @sv and @dev are
 * inherited.  The child's pid, or -errno.
 */
static pid_t start_image(const char *copy, int sv[2], int dev, bool setuid_mode,
			 bool stall)
{
	char ctl_s[16], dev_s[16];
	char *argv[] = { (char *)copy, IMAGE_ARG, ctl_s, dev_s,
			 setuid_mode ? "setuid" : "self", (char *)copy,
			 stall ? "1" : "0", NULL };
	pid_t pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(sv[0]);
	snprintf(ctl_s, sizeof(ctl_s), "%d", sv[1]);
	snprintf(dev_s, sizeof(dev_s), "%d", dev);
	fcntl(sv[1], F_SETFD, 0);
	fcntl(dev, F_SETFD, 0);
	if (setuid_mode && (setgroups(0, NULL) ||
			    setresgid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY) ||
			    setresuid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY)))
		_exit(44);
	/* Same addresses in every image (kept across a plain exec). */
	if (!setuid_mode && personality(ADDR_NO_RANDOMIZE) < 0)
		_exit(45);
	execv(copy, argv);
	_exit(46);
}

/* In a child: nobody, with the root-opened device, may not open @pid. */
static int nobody_opens(void *arg)
{
	int *a = arg, h;

	CHILD_CHECK(1, zx_become_nobody() == 0);
	h = zx_open(a[0], a[1], ZXPROC_RIGHT_WRITE);
	CHILD_CHECK(2, h == -EPERM);
	return 0;
}

/* ---- forced interleavings --------------------------------------------------- */

FIXTURE(forced) {
	char copy[256];
	int dev, sv[2];
	pid_t image;
	struct uf_stall st;
	int h0, h1, uffd, memfd;
	long long t0;
};

FIXTURE_VARIANT(forced) {
	bool setuid_mode;
	bool target_stall;	/* held in the old image's page, not in ours */
};

FIXTURE_VARIANT_ADD(forced, self_exec_caller_stall) {
	.setuid_mode = false, .target_stall = false,
};

FIXTURE_VARIANT_ADD(forced, self_exec_target_stall) {
	.setuid_mode = false, .target_stall = true,
};

FIXTURE_VARIANT_ADD(forced, setuid_exec_caller_stall) {
	.setuid_mode = true, .target_stall = false,
};

FIXTURE_VARIANT_ADD(forced, setuid_exec_target_stall) {
	.setuid_mode = true, .target_stall = true,
};

FIXTURE_SETUP(forced)
{
	self->t0 = zx_now_ms();
	self->image = -1;
	self->h0 = self->h1 = self->uffd = self->memfd = -1;
	self->st.uffd = -1;
	self->copy[0] = '\0';
	ASSERT_EQ(0, copy_self(self->copy, sizeof(self->copy),
			       variant->setuid_mode ? 04755 : 0755));
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, self->sv));
	/* Ours: two pages of SRC_SEED, page 1 stalls. */
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, SRC_SEED));
}

FIXTURE_TEARDOWN(forced)
{
	zx_reap(self->image);
	uf_stall_free(&self->st);
	if (self->copy[0])
		unlink(self->copy);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* The image's HELLO, and in setuid mode what a setuid-root image is. */
#define ASSERT_IMAGE_HELLO(m) do { \
	ASSERT_EQ(0, msg_recv(self->sv[0], (m), M_HELLO, NULL)); \
	ASSERT_EQ(self->image, (m)->pid); \
	if (variant->setuid_mode) { \
		int a_[2] = { self->dev, self->image }; \
		EXPECT_EQ(0, (m)->euid); \
		EXPECT_EQ(ZX_NOBODY, (m)->uid); \
		EXPECT_EQ(0, (m)->dumpable); \
		EXPECT_TRUE((m)->ptrace_cap); \
		EXPECT_EQ(0, zx_in_child(nobody_opens, a_)); \
	} \
} while (0)

/* CHECK: the image's pages hold its own sentinels. */
#define ASSERT_IMAGE_INTACT(what) do { \
	struct msg r_; \
	ASSERT_EQ(0, msg_send(self->sv[0], &(struct msg){ .type = M_CHECK }, -1)); \
	ASSERT_EQ(0, msg_recv(self->sv[0], &r_, M_RESULT, NULL)); \
	EXPECT_TRUE(r_.page_ok) TH_LOG("%s: its IMAGE_PAGE was written", what); \
	EXPECT_TRUE(r_.stall_ok) TH_LOG("%s: its STALL_PAGE was written", what); \
} while (0)

TEST_F_TIMEOUT(forced, exec_while_a_write_is_held, 300)
{
	static uint8_t src[PAGE], served[PAGE], back[PAGE];
	struct race_call c = { 0 };
	uint64_t actual;
	struct msg m;
	uint8_t *mem;
	char v = 0x77;

	self->image = start_image(self->copy, self->sv, self->dev,
				  variant->setuid_mode, true);
	ASSERT_LT(0, self->image);
	close(self->sv[1]);
	ASSERT_IMAGE_HELLO(&m);
	ASSERT_IMAGE_INTACT("the first image");
	ASSERT_EQ(0, msg_recv(self->sv[0], &m, M_HANDLE, &self->h0));
	ASSERT_LE(0, self->h0);
	ASSERT_EQ(0, msg_recv(self->sv[0], &m, M_UFFD, &self->uffd));
	ASSERT_LE(0, self->uffd);
	ASSERT_EQ(0, msg_recv(self->sv[0], &m, M_MEMFD, &self->memfd));
	ASSERT_LE(0, self->memfd);

	/* Hold a write through the old image's handle. */
	if (variant->target_stall) {
		zx_fill(src, PAGE, SRC_SEED);
		ASSERT_EQ(0, race_write_start(&c, self->h0, STALL_PAGE, src, PAGE, 0));
		ASSERT_HELD(&c, self->uffd, STALL_PAGE);
	} else {
		ASSERT_EQ(0, race_write_start(&c, self->h0, IMAGE_PAGE,
					      self->st.base + PAGE - HALF, PAGE, 0));
		ASSERT_HELD(&c, self->st.uffd, uf_stall_page(&self->st));
	}

	/* The exec goes through while the write is held. */
	ASSERT_EQ(0, msg_send(self->sv[0], &(struct msg){ .type = M_GO }, -1));
	ASSERT_IMAGE_HELLO(&m);
	ASSERT_FALSE(race_call_returned(&c));

	/* Let the write go on. */
	if (variant->target_stall) {
		memset(served, 0xe1, PAGE);
		ASSERT_EQ(0, uf_copy(self->uffd, STALL_PAGE, served, PAGE));
	} else {
		ASSERT_EQ(0, uf_stall_serve(&self->st));
	}
	race_call_join(&c);
	ASSERT_IMAGE_INTACT("the new image");
	ASSERT_EQ(0, msg_recv(self->sv[0], &m, M_HANDLE, &self->h1));
	ASSERT_LE(0, self->h1);
	if (variant->target_stall) {
		mem = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, self->memfd, 0);
		ASSERT_NE(MAP_FAILED, mem);
		memcpy(back, mem, PAGE);
		munmap(mem, PAGE);
		TH_LOG("held in the old image's pin: ret %d, actual %llu",
		       c.ret, (unsigned long long)c.actual);
		/* Not even the address space it left: a success would be a lie. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(0ULL, (unsigned long long)c.actual);
		EXPECT_EQ(0, memcmp(back, served, PAGE));
	} else {
		/* HALF bytes reached the old image, then the exec ended it. */
		EXPECT_EQ(-ESTALE, c.ret);
		EXPECT_EQ(HALF, c.actual);
	}

	/* After: the old handle is stale, the new one reaches the image. */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(self->h0, IMAGE_PAGE, src, 64, &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual);
	ASSERT_IMAGE_INTACT("the new image, after a write through the old handle");
	ASSERT_EQ(0, zx_write(self->h1, IMAGE_PAGE, &v, 1, &actual));
	ASSERT_EQ(1, zx_peek(self->image, IMAGE_PAGE, back, 1));
	EXPECT_EQ(v, (char)back[0]);
	ASSERT_EQ(0, msg_send(self->sv[0], &(struct msg){ .type = M_QUIT }, -1));
}

/* ---- soak: the writer of the chain ------------------------------------------ */

/*
 * The chain: image after image execs while a writer thread writes
 * through the newest handle as fast as it can, at the fixed page and
 * at a page of the image's .data (same address in every image: address
 * randomization is off).  Asserted for every exec: the new image's
 * pages hold their sentinels once the writer has been refused (ESTALE)
 * at least STALE_MIN times by writes that started after the new image
 * was running; every such write fails with ESTALE; writes racing the
 * exec are whole or ESTALE; the new handle then works.  At least
 * race_iterations() writes over at least EXECS images.
 */

enum { EX_WRITES, EX_OK, EX_STALE_AFTER, EX_STALE_RACING, EX_NO_ACTUAL, EX_IMAGES,
       EX_EPERM };

struct exec_ctx {
	struct race_shared *sh;
	bool write_data;	/* also write the image's .data page */
	uint64_t data_addr;
	_Atomic int gen;	/* the writer uses hs[gen] */
	/*
	 * Image n's handle.  Old handles stay open until the end: the writer
	 * may still be inside a write through one when the next arrives.
	 */
	_Atomic int hs[EXECS * 4];
	_Atomic int exec_seen;	/* image exec_seen is known to be running */
	_Atomic uint64_t ok_in[EXECS * 4];	/* successes per image */
	_Atomic uint64_t stale_after[EXECS * 4];	/* refused, started after exec */
	_Atomic int stop;
};

static void *exec_writer(void *arg)
{
	struct exec_ctx *c = arg;
	struct race_shared *sh = c->sh;
	uint64_t k = 0;

	while (!atomic_load(&c->stop)) {
		int g = atomic_load(&c->gen), seen = atomic_load(&c->exec_seen);
		int h = atomic_load(&c->hs[g]);
		struct race_slot slot;
		uint64_t actual = ZX_SENTINEL, at;
		int ret;

		if (h < 0) {
			sched_yield();
			continue;
		}
		k++;
		race_slot_make(&slot, k);
		at = (c->write_data && (k & 1)) ? c->data_addr : IMAGE_PAGE;
		at += (k % (PAGE / RACE_SLOT)) * RACE_SLOT;
		ret = zx_write(h, at, &slot, RACE_SLOT, &actual);
		atomic_fetch_add(&sh->counts[EX_WRITES], 1);

		if (ret == -ESTALE && actual == ZX_SENTINEL)
			atomic_fetch_add(&sh->counts[EX_NO_ACTUAL], 1);
		if (seen > g) {
			/* The next image ran before this write started. */
			if (ret != -ESTALE || (actual != 0 && actual != ZX_SENTINEL))
				race_fail(sh, "write through image %d's handle after image %d was running: ret %d actual %#llx",
					  g, seen, ret, (unsigned long long)actual);
			atomic_fetch_add(&sh->counts[EX_STALE_AFTER], 1);
			atomic_fetch_add(&c->stale_after[g], 1);
		} else if (ret == 0 && actual == RACE_SLOT) {
			atomic_fetch_add(&sh->counts[EX_OK], 1);
			atomic_fetch_add(&c->ok_in[g], 1);
		} else if (ret == -ESTALE && (actual == 0 || actual == ZX_SENTINEL)) {
			atomic_fetch_add(&sh->counts[EX_STALE_RACING], 1);
		} else {
			race_fail(sh, "write through image %d's handle racing its exec: ret %d actual %#llx",
				  g, ret, (unsigned long long)actual);
		}
	}
	return NULL;
}

/* ---- the coordinator ------------------------------------------------------ */

#define COORD_CHECK(step, cond) CHILD_CHECK(step, cond)

static void wait_for(_Atomic uint64_t *counter, uint64_t n, struct race_shared *sh)
{
	long long end = race_now_us() + 60 * 1000000LL;

	while (atomic_load(counter) < n && race_now_us() < end &&
	       !atomic_load(&sh->bad))
		sched_yield();
}

/*
 * Run the chain: @ctl talks to the images, @dev is the device (opened
 * by root).  Returns 0 or a step number.
 */
static int coordinate(struct exec_ctx *c, int ctl, int dev, pid_t first,
		      bool setuid_mode)
{
	struct race_shared *sh = c->sh;
	unsigned long writes = race_iterations();
	pthread_t w;
	struct msg m;
	int n, h;

	COORD_CHECK(1, pthread_create(&w, NULL, exec_writer, c) == 0);
	for (n = 0; n < EXECS * 4; n++) {
		bool last;

		COORD_CHECK(2, msg_recv(ctl, &m, M_HELLO, NULL) == 0);
		COORD_CHECK(3, n > 0 || m.pid == first);
		if (n == 0)
			c->data_addr = m.data_addr;
		/* Same program, same addresses: the new image is the bait. */
		COORD_CHECK(4, setuid_mode || m.data_addr == c->data_addr);
		if (setuid_mode) {
			int x;

			/* Real root: euid 0 with every capability, not dumpable. */
			COORD_CHECK(5, m.euid == 0 && m.uid == ZX_NOBODY &&
				    m.dumpable == 0 && m.ptrace_cap);
			/* nobody cannot open the setuid image. */
			x = zx_open(dev, m.pid, ZXPROC_RIGHT_WRITE);
			if (x >= 0)
				close(x);
			COORD_CHECK(6, x == -EPERM);
			atomic_fetch_add(&sh->counts[EX_EPERM], 1);
		}
		atomic_store(&c->exec_seen, n);
		if (n > 0) {
			wait_for(&c->stale_after[n - 1], STALE_MIN, sh);
			COORD_CHECK(7, atomic_load(&c->stale_after[n - 1]) >= STALE_MIN);
		}
		COORD_CHECK(8, msg_send(ctl, &(struct msg){ .type = M_CHECK }, -1) == 0);
		COORD_CHECK(9, msg_recv(ctl, &m, M_RESULT, NULL) == 0);
		if (!m.page_ok || !m.data_ok)
			race_fail(sh, "image %d: its %s page changed: a write through image %d's handle landed in it",
				  n, m.page_ok ? ".data" : "fixed", n - 1);

		/* The image's own handle: make it the writer's. */
		COORD_CHECK(10, msg_recv(ctl, &m, M_HANDLE, &h) == 0 && h >= 0);
		atomic_store(&c->hs[n], h);
		atomic_store(&c->gen, n);
		wait_for(&c->ok_in[n], 2, sh);
		COORD_CHECK(11, atomic_load(&c->ok_in[n]) >= 2);
		atomic_fetch_add(&sh->counts[EX_IMAGES], 1);

		last = n + 1 >= EXECS && atomic_load(&sh->counts[EX_WRITES]) >= writes;
		last |= atomic_load(&sh->bad) > 0;
		COORD_CHECK(12, msg_send(ctl, &(struct msg){ .type = last ? M_QUIT : M_GO }, -1) == 0);
		if (last)
			break;
	}
	atomic_store(&c->stop, 1);
	pthread_join(w, NULL);
	for (n = 0; n < EXECS * 4; n++)
		if (atomic_load(&c->hs[n]) >= 0)
			close(atomic_load(&c->hs[n]));
	return 0;
}

/* ---- soak: the chain --------------------------------------------------------- */

FIXTURE(exec) {
	struct race_shared *sh;
	struct exec_ctx *c;
	char copy[256];
	long long t0;
};

FIXTURE_SETUP(exec)
{
	self->t0 = zx_now_ms();
	self->sh = race_shared_new();
	ASSERT_NE(NULL, self->sh);
	self->c = mmap(NULL, sizeof(*self->c), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->c);
	self->c->sh = self->sh;
	for (int n = 0; n < EXECS * 4; n++)
		self->c->hs[n] = -1;
	self->copy[0] = '\0';
}

FIXTURE_TEARDOWN(exec)
{
	if (self->copy[0])
		unlink(self->copy);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* The coordinator process: returns 0 or a step number. */
static int coordinator_main(FIXTURE_DATA(exec) *self, bool setuid_mode)
{
	char ctl_s[16], dev_s[16];
	int sv[2], dev, status;
	pid_t first;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	dev = zx_dev();
	CHILD_CHECK(40, dev >= 0);
	CHILD_CHECK(41, socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	/* The image's ends survive exec; ours do not. */
	fcntl(sv[0], F_SETFD, FD_CLOEXEC);
	/*
	 * nobody, with the bounding set left full: a setuid-root exec
	 * then gives the image every capability, as on a real system.
	 */
	if (setuid_mode) {
		CHILD_CHECK(42, setgroups(0, NULL) == 0 &&
			    setresgid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY) == 0 &&
			    setresuid(ZX_NOBODY, ZX_NOBODY, ZX_NOBODY) == 0);
		CHILD_CHECK(46, !zx_has_cap(CAP_SYS_PTRACE));
	}
	first = fork();
	CHILD_CHECK(43, first >= 0);
	if (first == 0) {
		char *argv[] = { self->copy, IMAGE_ARG, ctl_s, dev_s,
				 setuid_mode ? "setuid" : "self", self->copy, "0", NULL };

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[0]);
		snprintf(ctl_s, sizeof(ctl_s), "%d", sv[1]);
		snprintf(dev_s, sizeof(dev_s), "%d", dev);
		fcntl(dev, F_SETFD, 0);
		/* Same addresses in every image (kept across a plain exec). */
		if (!setuid_mode && personality(ADDR_NO_RANDOMIZE) < 0)
			_exit(44);
		execv(self->copy, argv);
		_exit(45);
	}
	close(sv[1]);
	self->c->write_data = !setuid_mode;
	status = coordinate(self->c, sv[0], dev, first, setuid_mode);
	zx_reap(first);
	return status;
}

/*
 * Fork the coordinator (as nobody when @setuid_mode), which forks the
 * first image, and wait for it.
 */
static void run_chain(struct __test_metadata *_metadata,
		      FIXTURE_DATA(exec) *self, bool setuid_mode)
{
	struct race_shared *sh = self->sh;
	pid_t coord;
	int status;

	ASSERT_EQ(0, copy_self(self->copy, sizeof(self->copy),
			       setuid_mode ? 04755 : 0755));
	coord = fork();
	ASSERT_LE(0, coord);
	if (coord == 0)
		_exit(coordinator_main(self, setuid_mode));
	ASSERT_EQ(coord, waitpid(coord, &status, 0));

	TH_LOG("%llu images (execs %s), %llu writes: %llu landed in the image their handle was made for, %llu refused (ESTALE) while racing an exec, %llu refused after the next image ran; %llu nobody opens of a setuid image refused (EPERM); %llu ESTALE left actual unwritten",
	       (unsigned long long)sh->counts[EX_IMAGES],
	       setuid_mode ? "of a setuid-root copy, by nobody" : "of itself, by root",
	       (unsigned long long)sh->counts[EX_WRITES],
	       (unsigned long long)sh->counts[EX_OK],
	       (unsigned long long)sh->counts[EX_STALE_RACING],
	       (unsigned long long)sh->counts[EX_STALE_AFTER],
	       (unsigned long long)sh->counts[EX_EPERM],
	       (unsigned long long)sh->counts[EX_NO_ACTUAL]);
	ASSERT_TRUE(WIFEXITED(status)) TH_LOG("coordinator killed by signal %d", WTERMSIG(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_LE((unsigned long long)EXECS, (unsigned long long)sh->counts[EX_IMAGES]);
	EXPECT_LE((unsigned long long)race_iterations(),
		  (unsigned long long)sh->counts[EX_WRITES]);
	/* uapi: ESTALE writes actual back (see tests/lifetime/stale_test.c). */
	EXPECT_EQ(0ULL, (unsigned long long)sh->counts[EX_NO_ACTUAL])
		TH_LOG("ZXPROC_IOC_WRITE returned ESTALE without writing actual back");
}

TEST_F_TIMEOUT(exec, soak_self_exec, 900)
{
	run_chain(_metadata, self, false);
}

TEST_F_TIMEOUT(exec, soak_setuid_exec, 900)
{
	run_chain(_metadata, self, true);
}

RACE_HARNESS_MAIN

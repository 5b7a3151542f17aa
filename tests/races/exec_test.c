// SPDX-License-Identifier: GPL-2.0
/*
 * The target execs while writes are in flight on a handle made before
 * the exec: the /proc/PID/mem bug of CVE-2012-0056, tried over and over.
 *
 * The target is a chain of images of this very program (started with
 * --exec-image, see image_main()).  Each image maps a page at a fixed
 * address (IMAGE_PAGE) and fills it with a sentinel, mints a handle to
 * itself, passes it to the test over a unix socket, and execs the next
 * image, while a writer thread in the test writes through that handle as
 * fast as it can, at the fixed page (and, in the self-exec variant, at a
 * page of the image's own .data, at the same address in every image:
 * address randomization is off).  The new image is the same program at
 * the same addresses: a handle that followed the task instead of the
 * address space would write straight into it.
 *
 * Asserted, for every exec:
 *  - the new image's page and .data page hold their sentinel when the
 *    writer has already been refused (ESTALE) at least three times by
 *    writes that started after the new image was running;
 *  - every write through the old handle that started after the new
 *    image was seen running fails with ESTALE; writes racing the exec
 *    are whole or ESTALE, never a short count or another error;
 *  - the new handle then works (so the addresses were right).
 *
 * Two variants:
 *  - self_exec: root target, root writer; the image execs itself.
 *  - setuid_exec: the target runs as nobody, holds a handle to itself
 *    (a process may always open itself), gives it to a writer that also
 *    runs as nobody, and execs a setuid-root copy of this program made
 *    in the guest's /tmp.  The new image, euid 0 and not dumpable, must
 *    be unreachable through the old handle, and nobody's attempt to
 *    open a new handle to it must fail with EPERM.  (The image then
 *    drops back to nobody before making its own next handle, so every
 *    exec in the chain is again "unprivileged handle, setuid exec".)
 *
 * Images are expensive under TCG (an exec costs tens to hundreds of ms
 * here), so the iteration count is in writes: at least
 * race_iterations() writes in all, over at least EXECS images.
 */
#include <sys/personality.h>
#include <sys/stat.h>

#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define IMAGE_ARG "--exec-image"
#define IMAGE_PAGE 0x200000000000ULL	/* free in every x86-64 layout */
#define PAGE_SENTINEL 0x3c
#define DATA_SENTINEL 0x5a
#define EXECS 100
#define STALE_MIN 3

/* A .data page at the same address in every image (no ASLR). */
static volatile uint8_t data_page[PAGE] __attribute__((aligned(PAGE))) = {
	[0 ... PAGE - 1] = DATA_SENTINEL,
};

enum msg_type { M_HELLO = 1, M_CHECK, M_RESULT, M_HANDLE, M_GO, M_QUIT };

struct msg {
	int type;
	pid_t pid;
	uint64_t data_addr;
	int euid, uid, dumpable, ptrace_cap;
	int page_ok, data_ok;
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
	return m->type == type ? 0 : -EPROTO;
}

/* ---- the image ---------------------------------------------------------- */

static int image_main(char **argv)
{
	int ctl = atoi(argv[2]), dev = atoi(argv[3]);
	bool setuid_mode = !strcmp(argv[4], "setuid");
	struct msg m = { .type = M_HELLO };
	uint8_t *page;
	int h;

	prctl(PR_SET_PDEATHSIG, SIGKILL);	/* a setuid exec clears it */
	page = mmap((void *)(uintptr_t)IMAGE_PAGE, PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (page != (void *)(uintptr_t)IMAGE_PAGE)
		return 20;
	memset(page, PAGE_SENTINEL, PAGE);

	m.pid = getpid();
	m.data_addr = zx_ptr((const void *)data_page);
	m.euid = (int)geteuid();
	m.uid = (int)getuid();
	m.dumpable = prctl(PR_GET_DUMPABLE);
	m.ptrace_cap = zx_has_cap(CAP_SYS_PTRACE);
	if (msg_send(ctl, &m, -1) || msg_recv(ctl, &m, M_CHECK, NULL))
		return 21;

	/* Untouched by the old handle's writes? */
	m = (struct msg){ .type = M_RESULT };
	m.page_ok = zx_not_all(page, PAGE_SENTINEL, PAGE) < 0;
	m.data_ok = zx_not_all((const void *)data_page, DATA_SENTINEL, PAGE) < 0;
	if (msg_send(ctl, &m, -1))
		return 22;

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

	if (msg_recv(ctl, &m, M_GO, NULL))
		return m.type == M_QUIT ? 0 : 26;
	execv(argv[5], argv);
	return 27;
}

/*
 * glibc passes (argc, argv, envp) to constructors: an image is told
 * apart from a test run before the harness's main() starts.
 */
static void __attribute__((constructor)) image_dispatch(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], IMAGE_ARG))
		_exit(image_main(argv));
}

/* ---- the writer ---------------------------------------------------------- */

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

/* ---- the tests ----------------------------------------------------------- */

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
				 setuid_mode ? "setuid" : "self", self->copy, NULL };

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

TEST_F_TIMEOUT(exec, self_exec, 900)
{
	run_chain(_metadata, self, false);
}

TEST_F_TIMEOUT(exec, setuid_exec, 900)
{
	run_chain(_metadata, self, true);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Handles closed, duplicated (dup2 and ZXPROC_IOC_DUPLICATE) and passed
 * over unix sockets while other threads and processes use them.
 *
 * Two targets: X, whose region is shared with the test (so the test sees
 * every byte that lands there), and Y, which has a private page of its
 * own at the very same address, filled with a sentinel.  Only handles
 * to X ever carry ZXPROC_RIGHT_WRITE; the handle to Y is READ and
 * DUPLICATE only.  Whatever the descriptor games, asserted:
 *
 *  - Y's page never changes (read through /proc/PID/mem): a write never
 *    reaches a process through a handle without the WRITE right, even
 *    when the descriptor number it used was just re-pointed.
 *  - Every write returns one of: success with the whole length (its
 *    bytes then all in X), EACCES (the number named Y's handle; actual
 *    untouched), EBADF (the number was closed).  A write in flight when
 *    its descriptor is closed completes whole.
 *  - A duplicate carries exactly the rights of one of the two handles,
 *    and the target that goes with them.
 *  - Handles in flight in a unix socket, received, or dropped with the
 *    socket, all end up released: the module's reference count returns
 *    to where it was.
 */
#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (4 * PAGE)
#define NSLOTS (REGION / RACE_SLOT)
#define Y_SENTINEL 0xc3

#define RIGHTS_X (ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE)
#define RIGHTS_Y (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE)

/* Outcome counters. */
enum { H_OK, H_EACCES, H_EBADF, H_DUP_X, H_DUP_Y, H_SWAPS, H_PEER_X,
       H_PEER_Y, H_SENT, H_CLOSED_IN_FLIGHT };

FIXTURE(handles) {
	struct race_shared *sh;
	uint8_t *region;	/* shared with X; Y has its own page here */
	pid_t x, y;
	int hx, hy;
	long long t0;
};

/* Y: replace the shared region by a private sentinel page, then wait. */
static pid_t spawn_y(uint8_t *region)
{
	pid_t pid = zx_fork_tied();

	if (pid == 0) {
		if (mmap(region, REGION, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != region)
			_exit(2);
		memset(region, Y_SENTINEL, REGION);
		for (;;)
			pause();
	}
	return pid;
}

FIXTURE_SETUP(handles)
{
	uint8_t probe[16];

	self->t0 = zx_now_ms();
	self->sh = race_shared_new();
	ASSERT_NE(NULL, self->sh);
	self->region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	self->x = zx_target();
	ASSERT_LT(0, self->x);
	self->y = spawn_y(self->region);
	ASSERT_LT(0, self->y);
	self->hx = zx_handle(self->x, RIGHTS_X);
	ASSERT_LE(0, self->hx);
	self->hy = zx_handle(self->y, RIGHTS_Y);
	ASSERT_LE(0, self->hy);
	/* Y is ready once its sentinel is there. */
	do {
		usleep(1000);
		ASSERT_EQ((ssize_t)sizeof(probe),
			  zx_peek(self->y, zx_ptr(self->region), probe, sizeof(probe)));
	} while (zx_not_all(probe, Y_SENTINEL, sizeof(probe)) >= 0);
}

FIXTURE_TEARDOWN(handles)
{
	zx_reap(self->x);
	zx_reap(self->y);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* Y's page, read through /proc/PID/mem: still all sentinel? */
static bool y_intact(FIXTURE_DATA(handles) *self)
{
	static uint8_t buf[REGION];

	return zx_peek(self->y, zx_ptr(self->region), buf, REGION) == (ssize_t)REGION &&
	       zx_not_all(buf, Y_SENTINEL, REGION) < 0;
}

/* Classify one write's outcome; false on anything not allowed. */
static bool classify(struct race_shared *sh, int ret, uint64_t actual,
		     uint64_t len)
{
	if (ret == 0 && actual == len)
		atomic_fetch_add(&sh->counts[H_OK], 1);
	else if (ret == -EACCES && actual == ZX_SENTINEL)
		atomic_fetch_add(&sh->counts[H_EACCES], 1);
	else if (ret == -EBADF && actual == ZX_SENTINEL)
		atomic_fetch_add(&sh->counts[H_EBADF], 1);
	else
		return false;
	return true;
}

/* ---- dup2 re-points a number under writers; DUPLICATE copies it ------- */

struct swap_ctx {
	FIXTURE_DATA(handles) *self;
	_Atomic int fd;		/* the number everyone uses */
	_Atomic int stop;
};

static void *swap_writer(void *arg)
{
	struct swap_ctx *c = arg;
	struct race_shared *sh = c->self->sh;
	struct race_slot slot;
	uint64_t k = 0;

	while (!atomic_load(&c->stop)) {
		uint64_t actual = ZX_SENTINEL;
		unsigned int s = (unsigned int)(atomic_fetch_add(&sh->started, 1) % NSLOTS);
		int ret;

		race_slot_make(&slot, ++k);
		ret = zx_write(atomic_load(&c->fd), zx_ptr(c->self->region) + s * RACE_SLOT,
			       &slot, RACE_SLOT, &actual);
		if (!classify(sh, ret, actual, RACE_SLOT))
			race_fail(sh, "write through the swapped number: ret %d actual %#llx",
				  ret, (unsigned long long)actual);
	}
	return NULL;
}

static void *swap_duplicator(void *arg)
{
	struct swap_ctx *c = arg;
	struct race_shared *sh = c->self->sh;
	struct race_slot slot;

	race_slot_make(&slot, 1);
	while (!atomic_load(&c->stop)) {
		struct zxproc_info info;
		uint64_t actual = ZX_SENTINEL;
		int d = zx_dup(atomic_load(&c->fd), ZXPROC_RIGHT_SAME_RIGHTS, 0);
		int ret;

		if (d == -EBADF)
			continue;
		if (d < 0) {
			race_fail(sh, "DUPLICATE of the swapped number: %d", d);
			continue;
		}
		if (zx_info(d, &info)) {
			race_fail(sh, "INFO of a duplicate failed");
		} else if (info.rights == RIGHTS_X && info.pid == c->self->x) {
			atomic_fetch_add(&sh->counts[H_DUP_X], 1);
			ret = zx_write(d, zx_ptr(c->self->region), &slot, RACE_SLOT, &actual);
			if (ret || actual != RACE_SLOT)
				race_fail(sh, "write through a duplicate of X's handle: ret %d", ret);
		} else if (info.rights == RIGHTS_Y && info.pid == c->self->y) {
			atomic_fetch_add(&sh->counts[H_DUP_Y], 1);
			ret = zx_write(d, zx_ptr(c->self->region), &slot, RACE_SLOT, &actual);
			if (ret != -EACCES || actual != ZX_SENTINEL)
				race_fail(sh, "write through a duplicate of Y's handle: ret %d", ret);
		} else {
			race_fail(sh, "a duplicate has rights %#x and pid %d: neither handle's",
				  info.rights, info.pid);
		}
		close(d);
	}
	return NULL;
}

TEST_F_TIMEOUT(handles, dup2_and_duplicate_while_writing, 600)
{
	unsigned long iters = race_iterations(), i;
	struct race_shared *sh = self->sh;
	struct swap_ctx c = { .self = self };
	uint64_t rng = 0x452821e638d01377ULL;
	pthread_t w, d;
	int num;

	/*
	 * The shared number: a copy of X's handle to begin with.  High, so
	 * that while it is closed no descriptor the duplicator allocates
	 * (always the lowest free one) can take it.
	 */
	num = fcntl(self->hx, F_DUPFD_CLOEXEC, 512);
	ASSERT_LE(512, num);
	atomic_store(&c.fd, num);
	ASSERT_EQ(0, pthread_create(&w, NULL, swap_writer, &c));
	ASSERT_EQ(0, pthread_create(&d, NULL, swap_duplicator, &c));
	for (i = 0; i < iters; i++) {
		switch (i % 3) {
		case 0:
			dup2(self->hy, num);	/* now names Y, read-only */
			break;
		case 1:
			close(num);		/* now names nothing */
			break;
		case 2:
			dup2(self->hx, num);	/* X again */
			break;
		}
		atomic_fetch_add(&sh->counts[H_SWAPS], 1);
		if (i % 1000 == 999 && !y_intact(self))
			race_fail(sh, "Y's page changed by swap %lu", i);
		/* Hold each state a while, so both threads meet all three. */
		race_spin(&rng, 20000);
		sched_yield();
	}
	atomic_store(&c.stop, 1);
	pthread_join(w, NULL);
	pthread_join(d, NULL);
	close(num);

	TH_LOG("%llu swaps; writes: %llu ok, %llu EACCES, %llu EBADF; duplicates: %llu of X, %llu of Y",
	       (unsigned long long)sh->counts[H_SWAPS],
	       (unsigned long long)sh->counts[H_OK],
	       (unsigned long long)sh->counts[H_EACCES],
	       (unsigned long long)sh->counts[H_EBADF],
	       (unsigned long long)sh->counts[H_DUP_X],
	       (unsigned long long)sh->counts[H_DUP_Y]);
	EXPECT_TRUE(y_intact(self));
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_OK]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_EACCES]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_EBADF]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_DUP_X]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_DUP_Y]);
}

/* ---- close while a write is in flight --------------------------------- */

struct close_ctx {
	FIXTURE_DATA(handles) *self;
	_Atomic int fd;
	_Atomic int stop;
	_Atomic uint64_t last_ok;	/* sequence number last written whole */
	_Atomic uint64_t in_flight;	/* write k is inside its ioctl, or 0 */
};

/* Is the whole region made of slots of write @seq? */
static bool region_is(const uint8_t *region, uint64_t seq)
{
	const struct race_slot *s = (const void *)region;
	unsigned int i;

	for (i = 0; i < NSLOTS; i++)
		if (race_slot_kind(&s[i]) != 1 || s[i].seq != seq)
			return false;
	return true;
}

static void *close_writer(void *arg)
{
	static struct race_slot buf[NSLOTS];
	struct close_ctx *c = arg;
	struct race_shared *sh = c->self->sh;
	uint64_t k = 0;
	unsigned int i;

	while (!atomic_load(&c->stop)) {
		uint64_t actual = ZX_SENTINEL;
		int ret;

		k++;
		for (i = 0; i < NSLOTS; i++)
			race_slot_make(&buf[i], k);
		atomic_store(&c->in_flight, k);
		ret = zx_write(atomic_load(&c->fd), zx_ptr(c->self->region), buf,
			       REGION, &actual);
		atomic_store(&c->in_flight, 0);
		if (!classify(sh, ret, actual, REGION) || ret == -EACCES)
			race_fail(sh, "write %llu with its descriptor closed under it: ret %d actual %#llx",
				  (unsigned long long)k, ret, (unsigned long long)actual);
		/* Whole, or not at all: X's region holds the last whole write. */
		if (ret == 0)
			atomic_store(&c->last_ok, k);
		if (!region_is(c->self->region, atomic_load(&c->last_ok)))
			race_fail(sh, "after write %llu (ret %d) the region is not all of write %llu",
				  (unsigned long long)k, ret,
				  (unsigned long long)atomic_load(&c->last_ok));
	}
	return NULL;
}

TEST_F_TIMEOUT(handles, close_while_writing, 600)
{
	unsigned long iters = race_iterations(), i;
	struct race_shared *sh = self->sh;
	struct close_ctx c = { .self = self };
	static struct race_slot first[NSLOTS];
	uint64_t rng = 0x243f6a8885a308d3ULL, actual = ZX_SENTINEL;
	pthread_t w;
	int num;

	/* Start from a region that is all of write 0... made whole by write "1". */
	for (i = 0; i < NSLOTS; i++)
		race_slot_make(&first[i], 1);
	ASSERT_EQ(0, zx_write(self->hx, zx_ptr(self->region), first, REGION, &actual));
	atomic_store(&c.last_ok, 1);
	num = dup(self->hx);
	ASSERT_LE(0, num);
	atomic_store(&c.fd, num);
	/* The writer's sequence numbers start above the first write's. */
	ASSERT_EQ(0, pthread_create(&w, NULL, close_writer, &c));
	for (i = 0; i < iters; i++) {
		uint64_t before, after;

		race_spin(&rng, 20000);
		before = atomic_load(&c.in_flight);
		close(num);
		after = atomic_load(&c.in_flight);
		/* The same write was in its ioctl before and after the close. */
		if (before && before == after)
			atomic_fetch_add(&sh->counts[H_CLOSED_IN_FLIGHT], 1);
		race_spin(&rng, 2000);
		if (dup2(self->hx, num) != num)
			break;
		atomic_fetch_add(&sh->counts[H_SWAPS], 1);
	}
	atomic_store(&c.stop, 1);
	pthread_join(w, NULL);
	close(num);

	TH_LOG("%llu closes (%llu while a write was in flight); %llu writes of %lu bytes whole, %llu EBADF",
	       (unsigned long long)sh->counts[H_SWAPS],
	       (unsigned long long)sh->counts[H_CLOSED_IN_FLIGHT],
	       (unsigned long long)sh->counts[H_OK], REGION,
	       (unsigned long long)sh->counts[H_EBADF]);
	EXPECT_EQ(iters, (unsigned long)sh->counts[H_SWAPS]);
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_OK]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_EBADF]);
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_CLOSED_IN_FLIGHT]);
}

/* ---- passed over a unix socket while in use ---------------------------- */

/*
 * The receiving process: takes @keep handles off the socket, writes
 * through each one, and closes it.  Whatever is sent after those stays
 * in flight, and is dropped with the socket when this process exits.
 */
static int receiver(FIXTURE_DATA(handles) *self, int sock, unsigned long keep)
{
	struct race_shared *sh = self->sh;
	struct race_slot slot;
	unsigned long n;

	race_slot_make(&slot, 2);
	for (n = 0; n < keep; n++) {
		struct zxproc_info info;
		uint64_t actual = ZX_SENTINEL;
		int h = zx_recv_fd(sock);
		int ret;

		if (h < 0)
			return 3;
		if (zx_info(h, &info))
			return 4;
		ret = zx_write(h, zx_ptr(self->region) + (n % NSLOTS) * RACE_SLOT,
			       &slot, RACE_SLOT, &actual);
		if (info.pid == self->x && info.rights == RIGHTS_X && ret == 0 &&
		    actual == RACE_SLOT)
			atomic_fetch_add(&sh->counts[H_PEER_X], 1);
		else if (info.pid == self->y && info.rights == RIGHTS_Y &&
			 ret == -EACCES && actual == ZX_SENTINEL)
			atomic_fetch_add(&sh->counts[H_PEER_Y], 1);
		else
			race_fail(sh, "received handle (pid %d rights %#x): write ret %d actual %#llx",
				  info.pid, info.rights, ret, (unsigned long long)actual);
		close(h);
	}
	return 0;
}

struct pass_ctx {
	FIXTURE_DATA(handles) *self;
	_Atomic int stop;
};

/* Keeps writing through X's handle while copies of it travel. */
static void *pass_writer(void *arg)
{
	struct pass_ctx *c = arg;
	struct race_shared *sh = c->self->sh;
	struct race_slot slot;

	race_slot_make(&slot, 3);
	while (!atomic_load(&c->stop)) {
		uint64_t actual = ZX_SENTINEL;
		int ret = zx_write(c->self->hx, zx_ptr(c->self->region) + RACE_SLOT * (NSLOTS - 1),
				   &slot, RACE_SLOT, &actual);

		if (ret || actual != RACE_SLOT)
			race_fail(sh, "write through the handle being passed: ret %d", ret);
		atomic_fetch_add(&sh->counts[H_OK], 1);
	}
	return NULL;
}

TEST_F_TIMEOUT(handles, passed_over_unix_socket_while_writing, 600)
{
	unsigned long iters = race_iterations(), i, keep = iters - 100;
	struct race_shared *sh = self->sh;
	struct pass_ctx c = { .self = self };
	int sv[2], hold[2], base, status, now = -1;
	long long until;
	pthread_t w;
	pid_t peer;
	char byte;

	/* What the module is held by before: our two handles. */
	base = zx_module_refcnt();
	ASSERT_LT(0, base);
	signal(SIGPIPE, SIG_IGN);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
	peer = fork();
	ASSERT_LE(0, peer);
	if (peer == 0) {
		int st;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(sv[0]);
		close(hold[1]);
		st = receiver(self, sv[1], keep);
		/* Keep the socket open until the sender is done. */
		while (read(hold[0], &byte, 1) > 0)
			;
		_exit(st);
	}
	close(sv[1]);
	close(hold[0]);

	ASSERT_EQ(0, pthread_create(&w, NULL, pass_writer, &c));
	for (i = 0; i < iters; i++) {
		/* Odd: a fresh duplicate, whose only reference then travels. */
		int h = (i & 1) ? zx_dup(self->hx, ZXPROC_RIGHT_SAME_RIGHTS, 0) :
			(i % 4 == 0 ? self->hy : self->hx);

		if (h < 0 || zx_send_fd(sv[0], h)) {
			race_fail(sh, "sending handle %lu failed", i);
			break;
		}
		if (i & 1)
			close(h);
		atomic_fetch_add(&sh->counts[H_SENT], 1);
	}
	atomic_store(&c.stop, 1);
	pthread_join(w, NULL);
	/* The peer took all but 100; those die with the socket. */
	close(sv[0]);
	close(hold[1]);
	ASSERT_EQ(peer, waitpid(peer, &status, 0));
	EXPECT_EQ(0, WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status));

	/* Everything sent is released: the count falls back to the base. */
	until = zx_now_ms() + 10000;
	while ((now = zx_module_refcnt()) != base && zx_now_ms() < until)
		usleep(10000);

	TH_LOG("%llu handles sent (%lu left in flight and dropped with the socket); the peer wrote through %llu of X, was refused %llu of Y; %llu writes meanwhile; module refcnt %d -> %d",
	       (unsigned long long)sh->counts[H_SENT], iters - keep,
	       (unsigned long long)sh->counts[H_PEER_X],
	       (unsigned long long)sh->counts[H_PEER_Y],
	       (unsigned long long)sh->counts[H_OK], base, now);
	EXPECT_EQ(base, now);
	EXPECT_TRUE(y_intact(self));
	EXPECT_EQ(0ULL, (unsigned long long)sh->bad) TH_LOG("first violation: %s", sh->msg);
	EXPECT_EQ((unsigned long long)keep,
		  (unsigned long long)(sh->counts[H_PEER_X] + sh->counts[H_PEER_Y]));
	EXPECT_LT(0ULL, (unsigned long long)sh->counts[H_PEER_Y]);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptors of handles closed, re-pointed (dup2), duplicated
 * (ZXPROC_IOC_DUPLICATE) and passed over unix sockets while a call
 * through them is in flight.
 *
 * Two targets: X, whose region is shared with the test (so the test sees
 * every byte that lands there), and Y, which has a private page of its
 * own at the very same address, filled with a sentinel.  Only handles
 * to X ever carry ZXPROC_RIGHT_WRITE; the handle to Y is READ and
 * DUPLICATE only.
 *
 * Each interleaving is forced (tests/races/race.h): the call is held on
 * a stalled page of its own argument or source buffer, after ioctl(2)
 * took its reference to the file, while the test changes what the
 * number names.  Asserted:
 *
 *  - a held write completes on the handle it started with, whole, when
 *    its number is re-pointed to Y's handle or closed meanwhile; calls
 *    started after that use what the number names then (EACCES with
 *    actual untouched for Y's handle, EBADF for none), and Y's page
 *    never changes;
 *  - a DUPLICATE held in its argument's copy-in duplicates the handle
 *    it started with (X's rights and pid), whatever the number names by
 *    the time it goes on;
 *  - a handle whose last descriptor is closed, or whose last reference
 *    is in flight in a unix socket that is then dropped, lives exactly
 *    as long as the held call: the module's reference count still
 *    counts it while the call is held and no longer once it returned.
 *
 * The old random sweeps (a dup2/close/duplicate storm, closes at random
 * moments of a stream of writes, 10,000 handles passed over a socket
 * while writes run) are soak_* tests, run only with ZXPROC_SOAK=1 (see
 * race.h).
 */
#include "race.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define REGION (4 * PAGE)
#define NSLOTS (REGION / RACE_SLOT)
#define Y_SENTINEL 0xc3
#define SRC_SEED 0x41
#define HALF (PAGE / 2)

#define RIGHTS_X (ZXPROC_RIGHT_WRITE | ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE)
#define RIGHTS_Y (ZXPROC_RIGHT_READ | ZXPROC_RIGHT_DUPLICATE)

/* Outcome counters of the soak sweeps. */
enum { H_OK, H_EACCES, H_EBADF, H_DUP_X, H_DUP_Y, H_SWAPS, H_PEER_X,
       H_PEER_Y, H_SENT, H_CLOSED_IN_FLIGHT };

FIXTURE(handles) {
	struct race_shared *sh;
	uint8_t *region;	/* shared with X; Y has its own page here */
	pid_t x, y;
	int hx, hy;
	struct uf_stall st;	/* 2 pages, page 1 stalls */
	long long t0;
};

/* Y: replace the shared region by a private sentinel page. */
static int prep_y(void *arg)
{
	uint8_t *region = arg;

	if (mmap(region, REGION, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != region)
		return -1;
	memset(region, Y_SENTINEL, REGION);
	return 0;
}

FIXTURE_SETUP(handles)
{
	self->t0 = zx_now_ms();
	self->st.uffd = -1;
	self->sh = race_shared_new();
	ASSERT_NE(NULL, self->sh);
	ASSERT_EQ(0, uf_stall_new(&self->st, 2, 1, SRC_SEED));
	self->region = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->region);
	self->x = zx_target();
	ASSERT_LT(0, self->x);
	/* Ready (its sentinel page in place) once it says so. */
	self->y = zx_target_prep(prep_y, self->region);
	ASSERT_LT(0, self->y);
	self->hx = zx_handle(self->x, RIGHTS_X);
	ASSERT_LE(0, self->hx);
	self->hy = zx_handle(self->y, RIGHTS_Y);
	ASSERT_LE(0, self->hy);
}

FIXTURE_TEARDOWN(handles)
{
	zx_reap(self->x);
	zx_reap(self->y);
	uf_stall_free(&self->st);
	TH_LOG("%s: %lld ms", _metadata->name, zx_now_ms() - self->t0);
}

/* Y's page, read through /proc/PID/mem: still all sentinel? */
static bool y_intact(FIXTURE_DATA(handles) *self)
{
	static uint8_t buf[REGION];

	return zx_peek(self->y, zx_ptr(self->region), buf, REGION) == (ssize_t)REGION &&
	       zx_not_all(buf, Y_SENTINEL, REGION) < 0;
}

/* ---- forced ---------------------------------------------------------------- */

/* A write of PAGE bytes to X's region, held after HALF of them. */
static int start_held_write(struct __test_metadata *_metadata,
			    FIXTURE_DATA(handles) *self, struct race_call *c, int fd)
{
	uint64_t at = 0;
	int ret;

	ret = race_write_start(c, fd, zx_ptr(self->region),
			       self->st.base + PAGE - HALF, PAGE, 0);
	if (ret)
		return ret;
	ret = uf_wait(self->st.uffd, c->done[0], &at);
	if (ret)
		TH_LOG("the write returned (%d) before it was held", c->ret);
	return ret ? ret : (at == uf_stall_page(&self->st) ? 0 : -EPROTO);
}

/* The held write went on, whole, into X's region. */
static void expect_whole_in_x(struct __test_metadata *_metadata,
			      FIXTURE_DATA(handles) *self, struct race_call *c)
{
	static uint8_t want[2 * PAGE];

	uf_stall_expect(&self->st, want);
	EXPECT_EQ(0, c->ret);
	EXPECT_EQ(PAGE, c->actual);
	EXPECT_EQ(0, memcmp(self->region, want + PAGE - HALF, PAGE));
	EXPECT_TRUE(y_intact(self));
}

TEST_F(handles, dup2_repoints_the_number_while_a_write_is_held)
{
	uint8_t src[64] = { 0x99 };
	struct race_call c = { 0 };
	uint64_t actual;
	int num;

	/* High: no descriptor the test makes meanwhile can take it. */
	num = fcntl(self->hx, F_DUPFD_CLOEXEC, 512);
	ASSERT_LE(512, num);
	ASSERT_EQ(0, start_held_write(_metadata, self, &c, num));
	ASSERT_EQ(num, dup2(self->hy, num));	/* now names Y, read-only */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EACCES, zx_write(num, zx_ptr(self->region), src, sizeof(src), &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	ASSERT_EQ(0, close(num));		/* now names nothing */
	actual = ZX_SENTINEL;
	EXPECT_EQ(-EBADF, zx_write(num, zx_ptr(self->region), src, sizeof(src), &actual));
	EXPECT_EQ(ZX_SENTINEL, actual);
	EXPECT_TRUE(y_intact(self));
	ASSERT_FALSE(race_call_returned(&c));
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	race_call_join(&c);
	expect_whole_in_x(_metadata, self, &c);
}

static int dup_ioctl(struct race_call *c)
{
	int ret = zx_ioctl(c->h, ZXPROC_IOC_DUPLICATE, c->arg);

	c->actual = (uint64_t)ret;
	return ret;
}

/*
 * struct zxproc_dup at the stall boundary: @rights the last word of page
 * 0, @flags in page 1, which holds the DUPLICATE in its copy-in.  The
 * number is re-pointed to Y's handle (@close_instead: closed), page 1
 * served with flags 0: the duplicate is of X's handle.
 */
static void held_duplicate(struct __test_metadata *_metadata,
			   FIXTURE_DATA(handles) *self, bool close_instead)
{
	static uint8_t page1[PAGE];
	struct zxproc_dup *live = (void *)(self->st.base + PAGE - 4);
	struct race_call c = { .arg = live };
	struct zxproc_info info;
	uint8_t src[64];
	uint64_t at = 0, actual = 0;
	int d;

	c.h = fcntl(self->hx, F_DUPFD_CLOEXEC, 512);
	ASSERT_LE(512, c.h);
	live->rights = ZXPROC_RIGHT_SAME_RIGHTS;
	memset(page1, 0, sizeof(page1));	/* flags 0 */
	ASSERT_EQ(0, race_call_start(&c, dup_ioctl));
	ASSERT_EQ(0, uf_wait(self->st.uffd, c.done[0], &at))
		TH_LOG("DUPLICATE returned (%d) before it was held", c.ret);
	if (close_instead) {
		ASSERT_EQ(0, close(c.h));
	} else {
		ASSERT_EQ(c.h, dup2(self->hy, c.h));
	}
	ASSERT_EQ(0, uf_copy(self->st.uffd, uf_stall_page(&self->st), page1, PAGE));
	d = race_call_join(&c);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, zx_info(d, &info));
	EXPECT_EQ(RIGHTS_X, info.rights);
	EXPECT_EQ(self->x, info.pid);
	memset(src, 0x5e, sizeof(src));
	EXPECT_EQ(0, zx_write(d, zx_ptr(self->region), src, sizeof(src), &actual));
	EXPECT_EQ(0, memcmp(self->region, src, sizeof(src)));
	EXPECT_TRUE(y_intact(self));
	close(d);
	if (!close_instead)
		close(c.h);
}

TEST_F(handles, duplicate_held_while_its_number_is_repointed)
{
	held_duplicate(_metadata, self, false);
}

TEST_F(handles, duplicate_held_while_its_number_is_closed)
{
	held_duplicate(_metadata, self, true);
}

/*
 * The handle's only descriptor is closed while a write through it is
 * held: the file lives on in the call, and is released when it returns.
 */
TEST_F(handles, last_descriptor_closed_while_a_write_is_held)
{
	struct race_call c = { 0 };
	uint8_t src[64] = { 0 };
	uint64_t actual = ZX_SENTINEL;
	int base, d;

	base = zx_module_refcnt();
	ASSERT_LT(0, base);
	d = zx_dup(self->hx, ZXPROC_RIGHT_SAME_RIGHTS, 0);	/* a file of its own */
	ASSERT_LE(0, d);
	ASSERT_EQ(base + 1, zx_module_refcnt());
	ASSERT_EQ(0, start_held_write(_metadata, self, &c, d));
	ASSERT_EQ(0, close(d));
	EXPECT_EQ(-EBADF, zx_write(d, zx_ptr(self->region), src, sizeof(src), &actual));
	EXPECT_EQ(base + 1, zx_module_refcnt()) TH_LOG("released under a running call");
	ASSERT_FALSE(race_call_returned(&c));
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	race_call_join(&c);
	expect_whole_in_x(_metadata, self, &c);
	EXPECT_EQ(base, zx_module_refcnt()) TH_LOG("not released after the call");
}

/*
 * A handle passed over a unix socket while a write through it is held:
 * the receiver writes through its copy (the held write does not stand
 * in its way), then every descriptor is closed and the socket dropped
 * with one more copy in flight.  The held call keeps the file until it
 * returns, whole.
 */
TEST_F(handles, passed_and_dropped_while_a_write_is_held)
{
	struct race_call c = { 0 };
	uint8_t src[64];
	uint64_t actual = 0;
	int base, d, r, sv[2];

	base = zx_module_refcnt();
	ASSERT_LT(0, base);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	d = zx_dup(self->hx, ZXPROC_RIGHT_SAME_RIGHTS, 0);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, start_held_write(_metadata, self, &c, d));
	ASSERT_EQ(0, zx_send_fd(sv[0], d));
	ASSERT_EQ(0, zx_send_fd(sv[0], d));
	ASSERT_EQ(0, close(d));
	r = zx_recv_fd(sv[1]);
	ASSERT_LE(0, r);
	memset(src, 0x6a, sizeof(src));
	EXPECT_EQ(0, zx_write(r, zx_ptr(self->region) + 2 * PAGE, src, sizeof(src), &actual));
	EXPECT_EQ(0, memcmp(self->region + 2 * PAGE, src, sizeof(src)));
	close(r);
	close(sv[0]);
	close(sv[1]);		/* the second copy, still in flight, goes */
	EXPECT_EQ(base + 1, zx_module_refcnt()) TH_LOG("released under a running call");
	ASSERT_FALSE(race_call_returned(&c));
	ASSERT_EQ(0, uf_stall_serve(&self->st));
	race_call_join(&c);
	expect_whole_in_x(_metadata, self, &c);
	EXPECT_EQ(base, zx_module_refcnt()) TH_LOG("not released after the call");
}

/* ---- soak: the sweeps ------------------------------------------------------- */

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

TEST_F_TIMEOUT(handles, soak_dup2_and_duplicate_while_writing, 600)
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

TEST_F_TIMEOUT(handles, soak_close_while_writing, 600)
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

TEST_F_TIMEOUT(handles, soak_passed_over_unix_socket_while_writing, 600)
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

RACE_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * Many callers at once, and callers that die: threads sharing one
 * handle, writes racing the target's exec (nothing may land in the new
 * image), a handle closed under a running write, and a 64 MiB write cut
 * short by SIGKILL (the caller must die promptly; tests/vm/run fails
 * the run if the kernel log shows a warning).
 */
#include <pthread.h>
#include <sys/personality.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define THREADS 8
#define ITERATIONS 100
#define SLICE (16 * 1024 + 100)	/* slices straddle pages, so threads share pages */

/* ---- the exec-race target: this program again, with a fixed layout ------ */

/* What racing writers aim at; the new image must keep it all zero. */
uint8_t race_victim[4096] __attribute__((aligned(4096)));

/*
 * With ZXPROC_RACE_TARGET=IN,OUT set: report &race_victim, then exec
 * this program again on every byte received (same layout: the test
 * runs it without address randomization).
 */
__attribute__((constructor)) static void race_target_main(void)
{
	const char *env = getenv("ZXPROC_RACE_TARGET");
	uint64_t addr = zx_ptr(race_victim);
	char self[4096], c;
	ssize_t n;
	int in, out;

	if (!env || sscanf(env, "%d,%d", &in, &out) != 2)
		return;
	if (write(out, &addr, sizeof(addr)) != sizeof(addr))
		_exit(1);
	if (read(in, &c, 1) != 1)
		_exit(0);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		_exit(1);
	self[n] = '\0';
	execl(self, self, (char *)NULL);
	_exit(127);
}

struct race {
	pid_t pid;
	int req, resp;
};

static int race_start(struct race *r)
{
	int req[2], resp[2];
	char env[64], self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0 || pipe(req) || pipe(resp))
		return -1;
	self[n] = '\0';
	r->pid = fork();
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		personality(ADDR_NO_RANDOMIZE);
		snprintf(env, sizeof(env), "ZXPROC_RACE_TARGET=%d,%d", req[0], resp[1]);
		putenv(env);
		execl(self, self, (char *)NULL);
		_exit(127);
	}
	close(req[0]);
	close(resp[1]);
	r->req = req[1];
	r->resp = resp[0];
	return r->pid > 0 ? 0 : -1;
}

/* ---- threads on one handle ----------------------------------------------- */

/* No shared state: a fixture only for TEST_F_TIMEOUT's longer limits. */
FIXTURE(conc) {
	int unused;
};

FIXTURE_SETUP(conc)
{
}

FIXTURE_TEARDOWN(conc)
{
}

struct worker {
	int h;
	int index;
	uint8_t *base;		/* the target's region */
	pthread_barrier_t *start;
	int failures;
	int last_seed;
};

static void *rw_worker(void *p)
{
	struct worker *w = p;
	uint8_t *mine = malloc(SLICE), *back = malloc(SLICE);
	uint64_t addr = zx_ptr(w->base + (size_t)w->index * SLICE);
	int i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < ITERATIONS && mine && back; i++) {
		uint64_t actual = 0;

		w->last_seed = w->index * 1000 + i;
		zx_fill(mine, SLICE, (unsigned int)w->last_seed);
		if (zx_write(w->h, addr, mine, SLICE, &actual) || actual != SLICE)
			w->failures++;
		memset(back, 0, SLICE);
		if (zx_read(w->h, addr, back, SLICE, &actual) || actual != SLICE ||
		    memcmp(mine, back, SLICE))
			w->failures++;
	}
	free(mine);
	free(back);
	return NULL;
}

TEST_F_TIMEOUT(conc, threads_share_one_handle, 300)
{
	size_t len = THREADS * SLICE + zx_page();
	uint8_t *region = zx_map(len, PROT_READ | PROT_WRITE, 121);
	struct worker w[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t start;
	uint8_t *want;
	pid_t target;
	int h, i;

	ASSERT_NE(MAP_FAILED, region);
	want = malloc(len);
	ASSERT_NE(NULL, want);
	target = zx_target();
	ASSERT_LT(0, target);
	h = zx_handle(target, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, THREADS));
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .h = h, .index = i, .base = region, .start = &start };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, rw_worker, &w[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	memcpy(want, region, len);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, w[i].failures) TH_LOG("thread %d", i);
		EXPECT_EQ(i * 1000 + ITERATIONS - 1, w[i].last_seed);
		zx_fill(want + (size_t)i * SLICE, SLICE, (unsigned int)w[i].last_seed);
	}
	/* Each slice holds its thread's last pattern; the tail is untouched. */
	EXPECT_EQ(-1, zx_differs(target, zx_ptr(region), want, len));
	close(h);
	zx_reap(target);
}

struct hammer {
	int h;
	uint64_t addr;
	volatile bool stop;
	long ok, stale, other;
};

static void *hammer_main(void *p)
{
	struct hammer *m = p;
	uint8_t marker[256];

	memset(marker, 0xe5, sizeof(marker));
	while (!m->stop) {
		uint64_t actual = 0;
		int ret = zx_write(m->h, m->addr, marker, sizeof(marker), &actual);

		if (ret == 0)
			m->ok++;
		else if (ret == -ESTALE)
			m->stale++;
		else
			m->other++;
	}
	return NULL;
}

/*
 * Writers hammer an address that the target's next image will also
 * have; the target execs.  Whatever the interleaving, the new image
 * must hold nothing of theirs.  Repeated, to visit many interleavings.
 */
TEST_F_TIMEOUT(conc, writes_racing_exec_never_reach_new_image, 300)
{
	uint8_t zero[sizeof(race_victim)] = { 0 }, seen[sizeof(race_victim)];
	struct hammer m[2];
	pthread_t t[2];
	struct race r;
	uint64_t addr, again;
	int round, i;

	ASSERT_EQ(0, race_start(&r));
	ASSERT_EQ((ssize_t)sizeof(addr), read(r.resp, &addr, sizeof(addr)));
	for (round = 0; round < 20; round++) {
		int h = zx_handle(r.pid, ZXPROC_RIGHT_WRITE);

		ASSERT_LE(0, h);
		for (i = 0; i < 2; i++) {
			m[i] = (struct hammer){ .h = h, .addr = addr };
			ASSERT_EQ(0, pthread_create(&t[i], NULL, hammer_main, &m[i]));
		}
		/* Let them write the old image a little, then exec. */
		usleep(1000 * (round % 5));
		ASSERT_EQ(1, write(r.req, "x", 1));
		ASSERT_EQ((ssize_t)sizeof(again), read(r.resp, &again, sizeof(again)));
		ASSERT_EQ(addr, again) TH_LOG("the layout moved: no ADDR_NO_RANDOMIZE?");
		/* The new image is running; the writers must all be stale now. */
		usleep(2000);
		for (i = 0; i < 2; i++) {
			m[i].stop = true;
			pthread_join(t[i], NULL);
			EXPECT_EQ(0, m[i].other);
		}
		ASSERT_EQ((ssize_t)sizeof(seen), zx_peek(r.pid, addr, seen, sizeof(seen)));
		EXPECT_EQ(-1, zx_not_all(seen, 0, sizeof(seen)))
			TH_LOG("round %d: the new image was written (%ld ok, %ld stale)",
			       round, m[0].ok + m[1].ok, m[0].stale + m[1].stale);
		EXPECT_EQ(0, memcmp(seen, zero, sizeof(seen)));
		close(h);
	}
	/* A fresh handle does reach the address (it is a real target). */
	int h = zx_handle(r.pid, ZXPROC_RIGHT_WRITE);
	uint64_t actual = 0;

	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, addr, "\xe5", 1, &actual));
	ASSERT_EQ((ssize_t)1, zx_peek(r.pid, addr, seen, 1));
	EXPECT_EQ(0xe5, seen[0]);
	close(h);
	zx_reap(r.pid);
}

struct closer {
	int h;
	volatile bool stop;
	long ok, badf, other;
	uint64_t addr;
};

static void *closer_writer(void *p)
{
	struct closer *c = p;
	uint8_t buf[4096];

	memset(buf, 0x3c, sizeof(buf));
	while (!c->stop) {
		uint64_t actual = 0;
		int ret = zx_write(c->h, c->addr, buf, sizeof(buf), &actual);

		if (ret == 0)
			c->ok++;
		else if (ret == -EBADF)
			c->badf++;
		else
			c->other++;
	}
	return NULL;
}

/* Closing a handle while another thread writes through it is safe. */
TEST(handle_closed_under_running_writes)
{
	uint8_t *region = zx_map(zx_page(), PROT_READ | PROT_WRITE, 122);
	struct closer c = { .addr = zx_ptr(region) };
	pthread_t t;
	pid_t target;
	int i;

	ASSERT_NE(MAP_FAILED, region);
	target = zx_target();
	ASSERT_LT(0, target);
	c.h = zx_handle(target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, c.h);
	ASSERT_EQ(0, pthread_create(&t, NULL, closer_writer, &c));
	for (i = 0; i < 50; i++) {
		usleep(500);
		close(c.h);
		/* Usually reuses the same number: the writer then uses a new handle. */
		c.h = zx_handle(target, ZXPROC_RIGHT_WRITE);
		ASSERT_LE(0, c.h);
	}
	c.stop = true;
	pthread_join(t, NULL);
	EXPECT_EQ(0, c.other);
	EXPECT_LT(0, c.ok);
	close(c.h);
	zx_reap(target);
}

struct killee {
	int h;
	uint64_t addr;
	uint8_t *src;
	uint32_t flags;
	int ready;
};

/* In a child: announce, then write 64 MiB over and over until killed. */
static int write_forever(void *p)
{
	struct killee *k = p;

	if (write(k->ready, "r", 1) != 1)
		return 1;
	for (;;) {
		uint64_t actual = 0;
		int ret = zx_mem(k->h, ZXPROC_IOC_WRITE, k->addr, k->src,
				 ZXPROC_MAX_TRANSFER, k->flags, &actual);

		CHILD_CHECK(2, ret == 0 && actual == ZXPROC_MAX_TRANSFER);
	}
}

/*
 * SIGKILL lands while the caller is inside a 64 MiB write (it does
 * nothing else); the caller must be gone within a few seconds.
 */
static void kill_during_write(struct __test_metadata *_metadata, uint32_t flags)
{
	size_t len = ZXPROC_MAX_TRANSFER;
	struct killee k = { .flags = flags };
	long long t0, one, died;
	uint8_t *region;
	uint64_t actual = 0;
	int ready[2], status;
	pid_t target, caller;

	region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, region);
	k.src = zx_map(len, PROT_READ, 123);
	ASSERT_NE(MAP_FAILED, k.src);
	k.addr = zx_ptr(region);
	target = zx_target();
	ASSERT_LT(0, target);
	k.h = zx_handle(target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, k.h);

	/* How long one whole write takes here, for the log. */
	t0 = zx_now_ms();
	ASSERT_EQ(0, zx_mem(k.h, ZXPROC_IOC_WRITE, k.addr, k.src, len, flags, &actual));
	one = zx_now_ms() - t0;
	ASSERT_EQ((uint64_t)len, actual);

	ASSERT_EQ(0, pipe(ready));
	k.ready = ready[1];
	caller = fork();
	if (caller == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		_exit(write_forever(&k));
	}
	ASSERT_LT(0, caller);
	char c;

	ASSERT_EQ(1, read(ready[0], &c, 1));
	usleep(300 * 1000);
	t0 = zx_now_ms();
	ASSERT_EQ(0, kill(caller, SIGKILL));
	ASSERT_EQ(caller, waitpid(caller, &status, 0));
	died = zx_now_ms() - t0;
	TH_LOG("one 64 MiB write: %lld ms; death after SIGKILL: %lld ms", one, died);
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	EXPECT_GT(3000, died);
	/* The handle, the target and the module are all still fine. */
	ASSERT_EQ(0, zx_write(k.h, k.addr, "z", 1, &actual));
	ASSERT_EQ((ssize_t)1, zx_peek(target, k.addr, &c, 1));
	EXPECT_EQ('z', c);
	close(k.h);
	zx_reap(target);
}

TEST_F_TIMEOUT(conc, sigkill_ends_a_64mib_write_promptly, 300)
{
	kill_during_write(_metadata, 0);
}

TEST_F_TIMEOUT(conc, sigkill_ends_a_64mib_all_or_nothing_write_promptly, 300)
{
	kill_during_write(_metadata, ZXPROC_MEM_ALL_OR_NOTHING);
}

TEST_HARNESS_MAIN

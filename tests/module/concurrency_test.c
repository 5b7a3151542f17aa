// SPDX-License-Identifier: GPL-2.0
/*
 * Many callers at once, and callers that die: threads sharing one
 * handle; a write held in the kernel while other calls use its handle,
 * while the target execs (nothing may land in the new image), while its
 * handle is closed and another opened; and a caller killed while held
 * in a 64 MiB write (tests/vm/run fails the run if the kernel log shows
 * a warning).
 *
 * "Held" is forced with a userfaultfd stall (tests/races/race.h): on a
 * page of the caller's own source, after part of the bytes were copied,
 * or inside the pin of a target page.  No sleep or time limit decides
 * anything here.
 */
#include <pthread.h>
#include <sys/personality.h>

#include "../races/race.h"
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

/* ---- forced interleavings (tests/races/race.h) ------------------------------- */

#define PAGE 4096UL
#define HALF (PAGE / 2)
#define SRC_SEED 0x51

/*
 * A write held in the kernel (on a stalled page of its source) holds up
 * no other call on the same handle: another write, a read, INFO and
 * DUPLICATE all complete while it is held, and it then completes whole.
 */
TEST(a_held_write_holds_up_no_other_call_on_its_handle)
{
	uint8_t *region = zx_map(2 * PAGE, PROT_READ | PROT_WRITE, 124);
	uint8_t mine[64], back[64], want[2 * PAGE];
	struct race_call c = { 0 };
	struct uf_stall st = { .uffd = -1 };
	struct zxproc_info info;
	uint64_t actual = 0;
	pid_t target;
	int h, d;

	ASSERT_NE(MAP_FAILED, region);
	ASSERT_EQ(0, uf_stall_new(&st, 2, 1, SRC_SEED));
	target = zx_target();
	ASSERT_LT(0, target);
	h = zx_handle(target, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, race_write_start(&c, h, zx_ptr(region), st.base + PAGE - HALF, PAGE, 0));
	ASSERT_HELD(&c, st.uffd, uf_stall_page(&st));

	memset(mine, 0xd4, sizeof(mine));
	EXPECT_EQ(0, zx_write(h, zx_ptr(region + PAGE), mine, sizeof(mine), &actual));
	EXPECT_EQ(0, zx_read(h, zx_ptr(region + PAGE), back, sizeof(back), &actual));
	EXPECT_EQ(0, memcmp(mine, back, sizeof(back)));
	EXPECT_EQ(0, zx_info(h, &info));
	EXPECT_EQ(target, info.pid);
	d = zx_dup(h, ZXPROC_RIGHT_READ, 0);
	EXPECT_LE(0, d);
	close(d);
	EXPECT_FALSE(race_call_returned(&c));

	ASSERT_EQ(0, uf_stall_serve(&st));
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(PAGE, c.actual);
	uf_stall_expect(&st, want);
	memcpy(want + PAGE - HALF + PAGE, mine, sizeof(mine));	/* region + PAGE */
	EXPECT_EQ(-1, zx_differs(target, zx_ptr(region), want + PAGE - HALF, PAGE + sizeof(mine)));
	close(h);
	uf_stall_free(&st);
	zx_reap(target);
}

/*
 * The target execs while a write through the old image's handle is held
 * after copying HALF bytes into it (the exec completes meanwhile: its
 * new image reports in), and another write starts after the exec: both
 * get ESTALE (the held one with actual = HALF), and the new image, the
 * same program at the same addresses, holds nothing of theirs.
 */
TEST_F_TIMEOUT(conc, writes_held_across_exec_never_reach_new_image, 300)
{
	uint8_t seen[sizeof(race_victim)], byte = 0xe5;
	struct uf_stall st = { .uffd = -1 };
	struct race_call c = { 0 };
	uint64_t addr, again, actual;
	struct race r;
	int h;

	ASSERT_EQ(0, uf_stall_new(&st, 2, 1, SRC_SEED));
	ASSERT_EQ(0, race_start(&r));
	ASSERT_EQ((ssize_t)sizeof(addr), read(r.resp, &addr, sizeof(addr)));
	h = zx_handle(r.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, race_write_start(&c, h, addr, st.base + PAGE - HALF, PAGE, 0));
	ASSERT_HELD(&c, st.uffd, uf_stall_page(&st));

	ASSERT_EQ(1, write(r.req, "x", 1));
	ASSERT_EQ((ssize_t)sizeof(again), read(r.resp, &again, sizeof(again)));
	ASSERT_EQ(addr, again) TH_LOG("the layout moved: no ADDR_NO_RANDOMIZE?");
	ASSERT_FALSE(race_call_returned(&c));
	actual = ZX_SENTINEL;
	EXPECT_EQ(-ESTALE, zx_write(h, addr, &byte, 1, &actual));
	EXPECT_EQ(0ULL, (unsigned long long)actual);
	ASSERT_EQ(0, uf_stall_serve(&st));
	EXPECT_EQ(-ESTALE, race_call_join(&c));
	EXPECT_EQ(HALF, c.actual);
	ASSERT_EQ((ssize_t)sizeof(seen), zx_peek(r.pid, addr, seen, sizeof(seen)));
	EXPECT_EQ(-1, zx_not_all(seen, 0, sizeof(seen)))
		TH_LOG("the new image was written");
	close(h);

	/* A fresh handle does reach the address (it is a real target). */
	h = zx_handle(r.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, addr, &byte, 1, &actual));
	ASSERT_EQ((ssize_t)1, zx_peek(r.pid, addr, seen, 1));
	EXPECT_EQ(0xe5, seen[0]);
	close(h);
	uf_stall_free(&st);
	zx_reap(r.pid);
}

/*
 * A handle closed while a write through it is held, and another opened
 * (on the same descriptor number, the lowest free one) and used: the
 * held write completes whole through the file it started with.
 */
TEST(handle_closed_and_reopened_while_a_write_is_held)
{
	uint8_t *region = zx_map(2 * PAGE, PROT_READ | PROT_WRITE, 122);
	uint8_t mine[64], want[2 * PAGE];
	struct uf_stall st = { .uffd = -1 };
	struct race_call c = { 0 };
	uint64_t actual = 0;
	pid_t target;
	int h, h2;

	ASSERT_NE(MAP_FAILED, region);
	ASSERT_EQ(0, uf_stall_new(&st, 2, 1, SRC_SEED));
	target = zx_target();
	ASSERT_LT(0, target);
	h = zx_handle(target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, race_write_start(&c, h, zx_ptr(region), st.base + PAGE - HALF, PAGE, 0));
	ASSERT_HELD(&c, st.uffd, uf_stall_page(&st));
	ASSERT_EQ(0, close(h));
	h2 = zx_handle(target, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h2);
	TH_LOG("closed descriptor %d, the new handle is %d", h, h2);
	memset(mine, 0x3c, sizeof(mine));
	EXPECT_EQ(0, zx_write(h2, zx_ptr(region + PAGE), mine, sizeof(mine), &actual));
	ASSERT_FALSE(race_call_returned(&c));
	ASSERT_EQ(0, uf_stall_serve(&st));
	EXPECT_EQ(0, race_call_join(&c));
	EXPECT_EQ(PAGE, c.actual);
	uf_stall_expect(&st, want);
	memcpy(want + PAGE - HALF + PAGE, mine, sizeof(mine));
	EXPECT_EQ(-1, zx_differs(target, zx_ptr(region), want + PAGE - HALF, PAGE + sizeof(mine)));
	close(h2);
	uf_stall_free(&st);
	zx_reap(target);
}

/* ---- SIGKILL for a caller held in a 64 MiB write ----------------------------- */

/* Page of the 64 MiB range where the write is held: its middle. */
#define KILL_AT ((ZXPROC_MAX_TRANSFER / PAGE) / 2)

struct killee {
	int h;			/* the test's handle, inherited */
	uint8_t *region, *src;
	uint32_t flags;
};

/* The target: its page KILL_AT registered with a userfaultfd it hands over. */
static int kill_target_fn(char cmd, void *arg, int *fd)
{
	struct killee *k = arg;

	if (cmd != 0)
		return -EINVAL;
	*fd = uf_new_missing(k->region + KILL_AT * PAGE, PAGE);
	return *fd < 0 ? *fd : 0;
}

/* The caller: on 'w', 64 MiB through the handle it shares with the test. */
static int kill_caller_fn(char cmd, void *arg, int *fd)
{
	struct killee *k = arg;
	uint64_t actual = 0;

	(void)fd;
	if (cmd == 0)
		return 0;
	return zx_mem(k->h, ZXPROC_IOC_WRITE, zx_ptr(k->region), k->src,
		      ZXPROC_MAX_TRANSFER, k->flags, &actual);
}

/*
 * The caller shares the test's handle (inherited) and is held inside the
 * pin of the target's page KILL_AT; SIGKILL ends it there (no time
 * limit: the page is never served, so the caller dies or the test hangs).
 * Nothing at or past page KILL_AT landed (nothing at all for an
 * all-or-nothing write), and the same handle, the target and the module
 * all still work.
 */
static void kill_held_write(struct __test_metadata *_metadata, uint32_t flags)
{
	size_t len = ZXPROC_MAX_TRANSFER;
	struct race_proc target = { .pid = -1 }, caller = { .pid = -1 };
	struct killee k = { .flags = flags };
	uint64_t at = 0, actual = 0;
	int uffd = -1, ret, status;
	uint8_t c, first;

	k.region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, k.region);
	k.src = zx_map(len, PROT_READ, 123);
	ASSERT_NE(MAP_FAILED, k.src);
	first = k.src[KILL_AT * PAGE];
	ASSERT_EQ(0, race_proc_ready(&target, kill_target_fn, &k, &uffd));
	ASSERT_LE(0, uffd);
	k.h = zx_handle(target.pid, ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, k.h);
	ASSERT_LT(0, race_proc_start(&caller, kill_caller_fn, &k));
	ASSERT_EQ(0, race_proc_answer(&caller, &ret, NULL));

	ASSERT_EQ(0, race_proc_send(&caller, 'w'));
	ASSERT_EQ(0, uf_wait(uffd, caller.sock, &at))
		TH_LOG("the 64 MiB write returned before it was held");
	ASSERT_EQ(zx_ptr(k.region + KILL_AT * PAGE), at);
	ASSERT_EQ(0, kill(caller.pid, SIGKILL));
	ASSERT_EQ(caller.pid, waitpid(caller.pid, &status, 0));
	caller.pid = -1;
	EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	close(uffd);		/* never served: let the page go */

	ASSERT_EQ((ssize_t)1, zx_peek(target.pid, zx_ptr(k.region + KILL_AT * PAGE), &c, 1));
	EXPECT_EQ(0, c) TH_LOG("the write went past the page it was killed at");
	ASSERT_EQ((ssize_t)1, zx_peek(target.pid, zx_ptr(k.region + len - PAGE), &c, 1));
	EXPECT_EQ(0, c);
	ASSERT_EQ((ssize_t)1, zx_peek(target.pid, zx_ptr(k.region), &c, 1));
	if (flags & ZXPROC_MEM_ALL_OR_NOTHING) {
		EXPECT_EQ(0, c) TH_LOG("all or nothing, killed before its copy: something landed");
	} else {
		EXPECT_EQ(k.src[0], c) TH_LOG("the pages before the held one did not land");
	}
	TH_LOG("killed while held at page %lu of %s write; its first byte %s",
	       (unsigned long)KILL_AT, flags ? "an all-or-nothing" : "a plain",
	       c ? "landed" : "did not land");

	/* The handle, the target and the module are all still fine. */
	ASSERT_EQ(0, zx_write(k.h, zx_ptr(k.region + KILL_AT * PAGE), k.src + KILL_AT * PAGE,
			      1, &actual));
	ASSERT_EQ((ssize_t)1, zx_peek(target.pid, zx_ptr(k.region + KILL_AT * PAGE), &c, 1));
	EXPECT_EQ(first, c);
	close(k.h);
	race_proc_end(&caller);
	race_proc_end(&target);
}

TEST_F_TIMEOUT(conc, sigkill_ends_a_64mib_write_held_in_its_middle, 300)
{
	kill_held_write(_metadata, 0);
}

TEST_F_TIMEOUT(conc, sigkill_ends_a_64mib_all_or_nothing_write_held_in_its_pin, 300)
{
	kill_held_write(_metadata, ZXPROC_MEM_ALL_OR_NOTHING);
}

RACE_HARNESS_MAIN

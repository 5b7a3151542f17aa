// SPDX-License-Identifier: GPL-2.0
/*
 * ZXPROC_MEM_FORCE_EXEC against a target that changes its mappings while
 * a forced pin waits.  The call decides to force because the page is
 * code; its fault is held by the target's userfaultfd handler (the
 * proof that the caller waits with the mmap_lock dropped); the target
 * then makes the page read-only data, and only then serves the fault.
 * GUP re-finds the mapping with the FOLL_FORCE it was given: the module
 * must notice the mapping changed and refuse the write (EACCES, nothing
 * written), as it would have refused a call made after the mprotect.
 * The contrast: the same interleaving that leaves the page executable
 * is written.
 */
#include "uffd.h"

#include "kselftest_harness.h"

#define H_SEED 77
#define LEN 64

FIXTURE(fexec) {
	struct uf_target t;
	int h;
	size_t page;
	uint8_t src[LEN];
};

FIXTURE_SETUP(fexec)
{
	int dev;

	self->h = -1;
	self->page = zx_page();
	zx_fill(self->src, LEN, 5);
	ASSERT_EQ(0, uf_target_start(&self->t));
	dev = zx_dev();
	ASSERT_LE(0, dev);
	self->h = zx_open(dev, self->t.pid, ZXPROC_RIGHTS_ALL);
	close(dev);
	ASSERT_LE(0, self->h);
}

FIXTURE_TEARDOWN(fexec)
{
	if (self->h >= 0)
		close(self->h);
	uf_target_stop(&self->t);
}

struct job {
	int h;
	uint64_t addr;
	const void *buf;
	uint32_t flags;
};

static void job_run(void *arg, struct uf_res *res)
{
	struct job *j = arg;

	res->ret = zx_mem(j->h, ZXPROC_IOC_WRITE, j->addr, (void *)j->buf, LEN,
			  j->flags, &res->actual);
}

/*
 * A FORCE_EXEC write (with @flags) into a missing code page of the
 * target; while its fault is held, the target mprotects the page to
 * @prot; then the fault is served.  The caller's answer in *@res.
 */
static void held_then_mprotect(struct __test_metadata *_metadata,
			       FIXTURE_DATA(fexec) *self, uint32_t flags, int prot,
			       uint64_t *addr, struct uf_res *res)
{
	struct job j = { .h = self->h, .buf = self->src,
			 .flags = ZXPROC_MEM_FORCE_EXEC | flags };
	struct uf_caller c;
	struct uf_fault f;
	uint64_t p;

	p = uf_map(&self->t, self->page, 0);
	ASSERT_NE(0U, p);
	ASSERT_EQ(0, uf_mprotect(&self->t, p, self->page, PROT_READ | PROT_EXEC));
	ASSERT_EQ(0, uf_reg(&self->t, p, self->page, UFFDIO_REGISTER_MODE_MISSING,
			    UF_HOLD, H_SEED));
	j.addr = p + 16;
	ASSERT_EQ(0, uf_caller_start(&c, job_run, &j));
	ASSERT_EQ(0, uf_first(&self->t, &c, &f, res))
		TH_LOG("the caller returned %d without ever blocking", res->ret);
	EXPECT_EQ(p, f.addr);
	/* mprotect needs the mmap_lock for writing: the caller let it go. */
	ASSERT_EQ(0, uf_mprotect(&self->t, p, self->page, prot));
	ASSERT_EQ(0, uf_answer(&self->t, &f));
	ASSERT_EQ(0, uf_result(&c, res));
	uf_caller_stop(&c);
	*addr = p;
}

TEST_F(fexec, code_made_data_while_the_pin_waits_is_refused)
{
	const uint32_t flags[] = { 0, ZXPROC_MEM_ALL_OR_NOTHING };

	for (int i = 0; i < 2; i++) {
		struct uf_res res;
		uint64_t p = 0;

		held_then_mprotect(_metadata, self, flags[i], PROT_READ, &p, &res);
		EXPECT_EQ(-EACCES, res.ret) TH_LOG("flags %#x", flags[i]);
		EXPECT_EQ(0U, res.actual);
		/* The handler's bytes, none of ours. */
		EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, p, self->page, H_SEED, 0));
	}
}

TEST_F(fexec, code_still_code_after_the_wait_is_written)
{
	struct uf_res res;
	uint64_t p = 0;

	held_then_mprotect(_metadata, self, 0, PROT_READ | PROT_EXEC, &p, &res);
	EXPECT_EQ(0, res.ret);
	EXPECT_EQ(LEN, res.actual);
	EXPECT_EQ(-1, zx_differs(self->t.pid, p + 16, self->src, LEN));
	EXPECT_EQ(-1, uf_differs_pattern(self->t.pid, p, 16, H_SEED, 0));
}

TEST_HARNESS_MAIN

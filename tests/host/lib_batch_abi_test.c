// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What zxproc_process_{write,read}_memory_batch() hand the kernel and
 * how they read its answer, on the host: a seccomp filter turns the
 * library's ioctl into a SIGSYS whose handler plays the kernel.  It
 * records the struct zxproc_memv and the segment array the library
 * passed (seg_size, flags, each element), and answers from a script:
 * each segment's status and actual, the call's done, actual and return.
 * The library must then give every public segment the status the one
 * errno table makes of the kernel's, with the kernel's count, also for
 * a segment that failed partway.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zircon/syscalls.h>
#include <zxproc/zxproc.h>

#include "kselftest_harness.h"
#include "../userlib/segs.h"

#define NSEGS 4

/* The fake kernel's script and what it saw. */
static struct {
	/* Answers. */
	int ret;			/* 0 or -errno */
	uint32_t done;
	uint64_t actual;
	int32_t status[NSEGS];
	uint64_t seg_actual[NSEGS];
	/* Records. */
	int calls;
	unsigned long cmd;
	struct zxproc_memv memv;
	struct zxproc_seg segs[NSEGS];
} k;

/* The kernel's side of ZXPROC_IOC_WRITEV/READV, as the script says. */
static void on_sigsys(int sig, siginfo_t *info, void *uc)
{
	ucontext_t *ctx = uc;
	struct zxproc_memv *memv = (void *)ctx->uc_mcontext.gregs[REG_RDX];
	struct zxproc_seg *segs;
	uint32_t i;

	(void)sig;
	(void)info;
	/* Any other ioctl (stdio asking whether stderr is a terminal). */
	if ((unsigned long)ctx->uc_mcontext.gregs[REG_RSI] != ZXPROC_IOC_WRITEV &&
	    (unsigned long)ctx->uc_mcontext.gregs[REG_RSI] != ZXPROC_IOC_READV) {
		ctx->uc_mcontext.gregs[REG_RAX] = -ENOTTY;
		return;
	}
	k.calls++;
	k.cmd = (unsigned long)ctx->uc_mcontext.gregs[REG_RSI];
	k.memv = *memv;
	segs = (struct zxproc_seg *)(uintptr_t)memv->segs;
	for (i = 0; i < memv->nr_segs && i < NSEGS; i++) {
		/* Only if the library says these are the kernel's elements. */
		if (memv->seg_size != sizeof(struct zxproc_seg))
			break;
		k.segs[i] = segs[i];
		if (i < k.done) {
			segs[i].status = k.status[i];
			segs[i].actual = k.seg_actual[i];
		}
	}
	memv->done = k.done;
	memv->actual = k.actual;
	ctx->uc_mcontext.gregs[REG_RAX] = k.ret;
}

/* From here on, every ioctl(2) is the fake kernel's. */
static int fake_kernel(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]), .filter = code,
	};
	struct sigaction sa = { .sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO };

	if (sigaction(SIGSYS, &sa, NULL) || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return (int)syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

FIXTURE(abi) {
	zx_handle_t h;		/* any descriptor: the ioctl never leaves */
	char buf[NSEGS][16];
	zxproc_memory_seg_t segs[NSEGS];
};

FIXTURE_SETUP(abi)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	self->h = zxproc_handle_from_fd(fd);
	for (int i = 0; i < NSEGS; i++)
		seg_set(&self->segs[i], 0x10000 + 0x100 * (zx_vaddr_t)i,
			self->buf[i], 1 + (size_t)i);
	memset(&k, 0, sizeof(k));
	ASSERT_EQ(0, fake_kernel());
}

FIXTURE_TEARDOWN(abi)
{
}

/* The library passed its segments as the kernel's 40-byte elements. */
static void expect_passed(struct __test_metadata *_metadata,
			  FIXTURE_DATA(abi) *self, unsigned long cmd,
			  uint32_t flags)
{
	ASSERT_EQ(1, k.calls);
	EXPECT_EQ(cmd, k.cmd);
	EXPECT_EQ((uint32_t)ZXPROC_SEG_SIZE_VER0, k.memv.seg_size);
	EXPECT_EQ(40u, sizeof(struct zxproc_seg));
	EXPECT_EQ((uint32_t)NSEGS, k.memv.nr_segs);
	EXPECT_EQ(flags, k.memv.flags);
	for (int i = 0; i < NSEGS; i++) {
		EXPECT_EQ(self->segs[i].vaddr, k.segs[i].addr);
		EXPECT_EQ((uintptr_t)self->segs[i].buffer, k.segs[i].buf);
		EXPECT_EQ(self->segs[i].size, k.segs[i].len);
		EXPECT_EQ(0u, k.segs[i].reserved);
	}
}

/*
 * Every segment reached: each gets the table's status for its errno
 * and the kernel's count, the one that failed partway (EFAULT after 5
 * bytes) both.
 */
TEST_F(abi, write_batch_maps_each_segment)
{
	size_t actual = SEG_SENTINEL;

	k.done = NSEGS;
	k.actual = 1 + 5 + 0 + 4;
	k.status[0] = 0, k.seg_actual[0] = 1;
	k.status[1] = -EFAULT, k.seg_actual[1] = 5;
	k.status[2] = -ENOMEM, k.seg_actual[2] = 0;
	k.status[3] = 0, k.seg_actual[3] = 4;
	EXPECT_EQ(ZX_OK, zxproc_process_write_memory_batch(self->h, self->segs,
							   NSEGS, 0, &actual));
	expect_passed(_metadata, self, ZXPROC_IOC_WRITEV, 0);
	EXPECT_EQ(ZX_OK, self->segs[0].status);
	EXPECT_EQ(1u, self->segs[0].actual);
	EXPECT_EQ(ZX_ERR_INVALID_ARGS, self->segs[1].status);
	EXPECT_EQ(5u, self->segs[1].actual);
	EXPECT_EQ(ZX_ERR_NO_MEMORY, self->segs[2].status);
	EXPECT_EQ(0u, self->segs[2].actual);
	EXPECT_EQ(ZX_OK, self->segs[3].status);
	EXPECT_EQ(4u, self->segs[3].actual);
	EXPECT_EQ(10u, actual);
}

TEST_F(abi, read_batch_passes_all_or_nothing)
{
	size_t actual = SEG_SENTINEL;

	k.done = NSEGS;
	k.actual = 1 + 4;
	k.status[0] = 0, k.seg_actual[0] = 1;
	k.status[1] = -EACCES, k.seg_actual[1] = 0;
	k.status[2] = -EIO, k.seg_actual[2] = 0;
	k.status[3] = 0, k.seg_actual[3] = 4;
	EXPECT_EQ(ZX_OK, zxproc_process_read_memory_batch(self->h, self->segs,
				NSEGS, ZXPROC_MEMORY_ALL_OR_NOTHING, &actual));
	expect_passed(_metadata, self, ZXPROC_IOC_READV, ZXPROC_MEM_ALL_OR_NOTHING);
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED, self->segs[1].status);
	EXPECT_EQ(ZX_ERR_BAD_STATE, self->segs[2].status);
	EXPECT_EQ(4u, self->segs[3].actual);
	EXPECT_EQ(5u, actual);
}

/*
 * ESTALE in the third segment after 3 bytes ends the batch: that
 * segment is counted in done and carries BAD_STATE with its 3 bytes;
 * the one never reached gets the call's status and 0.
 */
TEST_F(abi, stale_target_mid_batch)
{
	size_t actual = SEG_SENTINEL;

	k.ret = -ESTALE;
	k.done = 3;
	k.actual = 1 + 2 + 3;
	k.status[0] = 0, k.seg_actual[0] = 1;
	k.status[1] = 0, k.seg_actual[1] = 2;
	k.status[2] = -ESTALE, k.seg_actual[2] = 3;
	EXPECT_EQ(ZX_ERR_BAD_STATE,
		  zxproc_process_write_memory_batch(self->h, self->segs, NSEGS,
						    0, &actual));
	expect_passed(_metadata, self, ZXPROC_IOC_WRITEV, 0);
	EXPECT_EQ(ZX_OK, self->segs[1].status);
	EXPECT_EQ(2u, self->segs[1].actual);
	EXPECT_EQ(ZX_ERR_BAD_STATE, self->segs[2].status);
	EXPECT_EQ(3u, self->segs[2].actual);
	EXPECT_EQ(ZX_ERR_BAD_STATE, self->segs[3].status);
	EXPECT_EQ(0u, self->segs[3].actual);
	EXPECT_EQ(6u, actual);
}

/*
 * Answers the interface does not document are the kernel's bugs, not
 * the caller's: a positive status, an errno the table lacks, and
 * success with a segment left unreached are ZX_ERR_INTERNAL.
 */
TEST_F(abi, undocumented_answers_are_internal)
{
	size_t actual = SEG_SENTINEL;

	k.done = NSEGS - 1;
	k.actual = 0;
	k.status[0] = 7;
	k.status[1] = -EXDEV;
	k.status[2] = 0, k.seg_actual[2] = 3;
	EXPECT_EQ(ZX_ERR_INTERNAL,
		  zxproc_process_write_memory_batch(self->h, self->segs, NSEGS,
						    0, &actual));
	EXPECT_EQ(ZX_ERR_INTERNAL, self->segs[0].status);
	EXPECT_EQ(ZX_ERR_INTERNAL, self->segs[1].status);
	EXPECT_EQ(ZX_OK, self->segs[2].status);
	EXPECT_EQ(3u, self->segs[2].actual);
	EXPECT_EQ(ZX_ERR_INTERNAL, self->segs[3].status);
	EXPECT_EQ(0u, self->segs[3].actual);
}

/* A call refused as a whole (rights): every segment gets its status. */
TEST_F(abi, refused_call_marks_every_segment)
{
	size_t actual = SEG_SENTINEL;

	k.ret = -EACCES;
	EXPECT_EQ(ZX_ERR_ACCESS_DENIED,
		  zxproc_process_read_memory_batch(self->h, self->segs, NSEGS,
						   0, &actual));
	EXPECT_TRUE(segs_all(self->segs, NSEGS, ZX_ERR_ACCESS_DENIED));
	EXPECT_EQ(0u, actual);
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 only: bytes zxproc writes into a running target's program text
 * are the instructions the target then executes.
 *
 *   breakpoint_hit      BRK #0 planted over a NOP in the target's hot
 *                       loop is executed: the target's SIGTRAP handler
 *                       reports the BRK's address.
 *   patch_immediate     "mov w2, #1" in the hot loop becomes "mov w2,
 *                       #2": the loop stores 2 from then on.
 *   maintenance_done    a write into text makes the kernel clean and
 *                       invalidate the caches for it (counted by the
 *                       test-only kprobe module zxproc_icache.ko on
 *                       sync_icache_aliases(), in the writer's thread),
 *                       and a write into data does not.
 *
 * Writer and target share one CPU (sched_setaffinity), as a debugger
 * and its target on a uniprocessor do: the target is switched out
 * while the write runs and switched back in after it.  Under QEMU's
 * TCG (the guests of the suites) this is also what makes the behaviour
 * deterministic: TCG keeps no instruction cache and treats IC IVAU as
 * a no-op, and a loop spinning on another vCPU was seen to keep running
 * its translation of the page it had before the write's copy-on-write
 * (for millions of rounds, with or without the maintenance), while a
 * context switch back to the target (a new ASID in TTBR1) makes QEMU
 * drop its lookup cache.  So under TCG the behaviour passes with or
 * without the maintenance; maintenance_done sees the maintenance itself
 * and fails without it.
 *
 * No wall clock: the loops count their iterations in shared memory, and
 * "never executed" means the loop went round LOOPS_AFTER more times after
 * the write returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include "../kmod/delay.h"
#include "../module/helpers.h"
#include "kselftest_harness.h"

#if !defined(__aarch64__)
#error "tests/arm64 is built for arm64 only"
#endif

#define BRK0		0xd4200000u	/* brk #0 */
#define NOP		0xd503201fu
#define MOVW2(imm)	(0x52800002u | ((uint32_t)(imm) << 5))	/* movz w2, #imm */
#define LOOPS_AFTER	200000u

/* The shared page: x0 of both loops. */
struct shared {
	volatile uint32_t count;	/* iterations */
	volatile uint32_t value;	/* what patch_loop stores */
	volatile uint64_t trap_pc;	/* where SIGTRAP was raised */
};

/*
 * Two hot loops in the text segment, each with its patch site labelled.
 * brk_loop:   site: nop; count++; loop
 * patch_loop: site: mov w2, #1; value = w2; count++; loop
 */
extern void brk_loop(struct shared *s);
extern uint32_t brk_site[];
extern void patch_loop(struct shared *s);
extern uint32_t patch_site[];
__asm__(".text\n"
	".p2align 4\n"
	".global brk_loop\n"
	"brk_loop:\n"
	".global brk_site\n"
	"brk_site:\n"
	"	nop\n"
	"	ldr w1, [x0]\n"
	"	add w1, w1, #1\n"
	"	str w1, [x0]\n"
	"	b brk_loop\n"
	".p2align 4\n"
	".global patch_loop\n"
	"patch_loop:\n"
	".global patch_site\n"
	"patch_site:\n"
	"	mov w2, #1\n"
	"	str w2, [x0, #4]\n"
	"	ldr w1, [x0]\n"
	"	add w1, w1, #1\n"
	"	str w1, [x0]\n"
	"	b patch_loop\n");

static struct shared *shm;

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)si;
	shm->trap_pc = ((ucontext_t *)uc)->uc_mcontext.pc;
	_exit(42);
}

/* A child running @loop; the loop has run once when this returns. */
static pid_t start_loop(void (*loop)(struct shared *))
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	pid_t pid;

	shm->count = 0;
	shm->value = 0;
	shm->trap_pc = 0;
	pid = fork();
	if (pid == 0) {
		sigaction(SIGTRAP, &sa, NULL);
		loop(shm);
		_exit(1);
	}
	while (pid > 0 && shm->count == 0)
		;
	return pid;
}

static int write_insn(pid_t pid, void *at, uint32_t insn)
{
	int h = zx_handle(pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	uint64_t n;
	int ret;

	if (h < 0)
		return h;
	ret = zx_write(h, zx_ptr(at), &insn, sizeof(insn), &n);
	close(h);
	if (!ret && n != sizeof(insn))
		ret = -EIO;
	return ret;
}

FIXTURE(icache) {
	pid_t pid;
};

FIXTURE_SETUP(icache)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	self->pid = -1;
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shm);
}

FIXTURE_TEARDOWN(icache)
{
	if (self->pid > 0) {
		kill(self->pid, SIGKILL);
		waitpid(self->pid, NULL, 0);
	}
	munmap(shm, sizeof(*shm));
}

TEST_F(icache, breakpoint_hit)
{
	uint32_t c0;
	int status;
	pid_t w = 0;

	self->pid = start_loop(brk_loop);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(0, write_insn(self->pid, brk_site, BRK0));
	c0 = shm->count;
	while (shm->count - c0 < LOOPS_AFTER) {
		w = waitpid(self->pid, &status, WNOHANG);
		if (w)
			break;
	}
	if (!w)
		w = waitpid(self->pid, &status, WNOHANG);
	ASSERT_EQ(self->pid, w) {
		TH_LOG("the target went round its loop %u times after BRK was written over its NOP, never trapping",
		       shm->count - c0);
	}
	self->pid = -1;
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(42, WEXITSTATUS(status));
	EXPECT_EQ(zx_ptr(brk_site), shm->trap_pc);
	/* Our own text is untouched: the write went into the target's copy. */
	EXPECT_EQ(NOP, brk_site[0]);
}

TEST_F(icache, patch_immediate)
{
	uint32_t c0;

	self->pid = start_loop(patch_loop);
	ASSERT_LT(0, self->pid);
	ASSERT_EQ(1, shm->value);
	ASSERT_EQ(0, write_insn(self->pid, patch_site, MOVW2(2)));
	c0 = shm->count;
	while (shm->value != 2 && shm->count - c0 < LOOPS_AFTER)
		;
	ASSERT_EQ(2, shm->value) {
		TH_LOG("the loop still stores 1 after %u more rounds", shm->count - c0);
	}
	/* And every round stores 2 from then on. */
	shm->value = 0;
	c0 = shm->count;
	while (shm->count - c0 < 3)
		;
	EXPECT_EQ(2, shm->value);
	EXPECT_EQ(MOVW2(1), patch_site[0]);
}

#define ICACHE_NAME "zxproc_icache"
#define ICACHE_PARAMS "/sys/module/" ICACHE_NAME "/parameters/"

static unsigned long read_ulong(const char *name)
{
	char path[128], buf[32] = "";
	int fd;

	snprintf(path, sizeof(path), ICACHE_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ~0UL;
	if (read(fd, buf, sizeof(buf) - 1) < 0)
		buf[0] = 0;
	close(fd);
	return strtoul(buf, NULL, 10);
}

static int arm_tid(pid_t tid)
{
	char path[] = ICACHE_PARAMS "tid", val[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	snprintf(val, sizeof(val), "%d", tid);
	n = write(fd, val, strlen(val));
	close(fd);
	return n < 0 ? -errno : 0;
}

/*
 * The kernel's maintenance, seen directly.  The first write into the
 * text page breaks its copy-on-write, and mapping the new page does the
 * maintenance by itself (set_pte_at()), before zxproc's bytes land; so
 * that write is not counted.  The second one goes into the target's own
 * copy, already mapped: only zxproc can do the maintenance for it.
 */
TEST_F(icache, maintenance_done)
{
	char path[4096];
	pid_t me = (pid_t)syscall(SYS_gettid);
	uint32_t word = 0x12345678;
	int fd, h;
	uint64_t n;

	ASSERT_EQ(0, delay_path(path, sizeof(path)));
	strcpy(strrchr(path, '/') + 1, ICACHE_NAME ".ko");
	syscall(SYS_delete_module, ICACHE_NAME, O_NONBLOCK);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(0, syscall(SYS_finit_module, fd, "", 0)) TH_LOG("insmod %s: %s", path, strerror(errno));
	close(fd);

	self->pid = start_loop(patch_loop);
	ASSERT_LT(0, self->pid);
	h = zx_handle(self->pid, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, zx_write(h, zx_ptr(patch_site), &(uint32_t){ MOVW2(3) }, 4, &n));

	/* Text, already the target's own page. */
	ASSERT_EQ(0, arm_tid(me));
	EXPECT_EQ(0, zx_write(h, zx_ptr(patch_site), &(uint32_t){ MOVW2(4) }, 4, &n));
	/* Read while still armed: writing tid resets the counters. */
	EXPECT_LE(1, read_ulong("calls")) {
		TH_LOG("no instruction-cache maintenance for a write into the target's text");
	}
	EXPECT_LE(4, read_ulong("bytes"));

	/* Data (the shared page, not executable): none. */
	ASSERT_EQ(0, arm_tid(me));
	EXPECT_EQ(0, zx_write(h, (uint64_t)(uintptr_t)&shm->trap_pc, &word, sizeof(word), &n));
	EXPECT_EQ(0, read_ulong("calls"));
	ASSERT_EQ(0, arm_tid(0));
	close(h);
	EXPECT_EQ(0, syscall(SYS_delete_module, ICACHE_NAME, O_NONBLOCK));
}

TEST_HARNESS_MAIN

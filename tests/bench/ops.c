// SPDX-License-Identifier: GPL-2.0
/*
 * One operation of each method.  Every call checks its result (a wrong
 * byte count ends the benchmark: a failing call must never be timed as
 * a fast one), and each method moves the same bytes between the same
 * local buffer and the same target address.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zircon/syscalls.h>

#include "bench.h"

/* ---- single operations: @size bytes at the start of the region ---- */

static void zx_ioctl(const struct bench_ctx *c, size_t size, bool write)
{
	struct zxproc_mem m = {
		.addr = c->t->base,
		.buf = (uintptr_t)(write ? c->src : c->dst),
		.len = size,
	};

	if (ioctl(c->t->zxfd, write ? ZXPROC_IOC_WRITE : ZXPROC_IOC_READ, &m))
		die("ZXPROC_IOC_%s of %zu bytes: %m", write ? "WRITE" : "READ", size);
	if (m.actual != size)
		die("ZXPROC_IOC_%s of %zu bytes copied %llu", write ? "WRITE" : "READ",
		    size, (unsigned long long)m.actual);
}

static void zx_write(const struct bench_ctx *c, size_t size)
{
	zx_ioctl(c, size, true);
}

static void zx_read(const struct bench_ctx *c, size_t size)
{
	zx_ioctl(c, size, false);
}

static void lib_write(const struct bench_ctx *c, size_t size)
{
	size_t actual = 0;
	zx_status_t st = zx_process_write_memory(c->t->zxh, c->t->base, c->src,
						 size, &actual);

	if (st != ZX_OK || actual != size)
		die("zx_process_write_memory of %zu bytes: status %d, actual %zu",
		    size, st, actual);
}

static void lib_read(const struct bench_ctx *c, size_t size)
{
	size_t actual = 0;
	zx_status_t st = zx_process_read_memory(c->t->zxh, c->t->base, c->dst,
						size, &actual);

	if (st != ZX_OK || actual != size)
		die("zx_process_read_memory of %zu bytes: status %d, actual %zu",
		    size, st, actual);
}

static void pvm(const struct bench_ctx *c, size_t size, bool write)
{
	struct iovec local = { write ? c->src : c->dst, size };
	struct iovec remote = { (void *)c->t->base, size };
	ssize_t n = write ? process_vm_writev(c->t->pid, &local, 1, &remote, 1, 0) :
			    process_vm_readv(c->t->pid, &local, 1, &remote, 1, 0);

	if (n != (ssize_t)size)
		die("process_vm_%sv of %zu bytes returned %zd: %m",
		    write ? "write" : "read", size, n);
}

static void pvm_write(const struct bench_ctx *c, size_t size)
{
	pvm(c, size, true);
}

static void pvm_read(const struct bench_ctx *c, size_t size)
{
	pvm(c, size, false);
}

static void mem_write(const struct bench_ctx *c, size_t size)
{
	ssize_t n = pwrite(c->t->memfd, c->src, size, (off_t)c->t->base);

	if (n != (ssize_t)size)
		die("pwrite of %zu bytes to /proc/PID/mem returned %zd: %m", size, n);
}

static void mem_read(const struct bench_ctx *c, size_t size)
{
	ssize_t n = pread(c->t->memfd, c->dst, size, (off_t)c->t->base);

	if (n != (ssize_t)size)
		die("pread of %zu bytes from /proc/PID/mem returned %zd: %m", size, n);
}

static void poke_word(const struct target *t, uintptr_t addr, const void *src)
{
	long word;

	memcpy(&word, src, sizeof(word));
	if (ptrace(PTRACE_POKEDATA, t->pid, (void *)addr, (void *)word))
		die("PTRACE_POKEDATA at %#lx: %m", (unsigned long)addr);
}

static void peek_word(const struct target *t, uintptr_t addr, void *dst)
{
	long word;

	errno = 0;
	word = ptrace(PTRACE_PEEKDATA, t->pid, (void *)addr, NULL);
	if (word == -1 && errno)
		die("PTRACE_PEEKDATA at %#lx: %m", (unsigned long)addr);
	memcpy(dst, &word, sizeof(word));
}

/* One word per system call: @size is a multiple of the word size. */
static void poke(const struct bench_ctx *c, size_t size)
{
	for (size_t i = 0; i < size; i += sizeof(long))
		poke_word(c->t, c->t->base + i, c->src + i);
}

static void peek(const struct bench_ctx *c, size_t size)
{
	for (size_t i = 0; i < size; i += sizeof(long))
		peek_word(c->t, c->t->base + i, c->dst + i);
}

/*
 * The same copy inside one process.  The empty asm tells the compiler
 * the destination is used, so the copy is neither dropped nor hoisted
 * out of the sampling loop.
 */
static void local_memcpy(const struct bench_ctx *c, size_t size)
{
	memcpy(c->dst, c->src, size);
	__asm__ __volatile__("" : : "r"(c->dst) : "memory");
}

const struct op op_zx_write = { "zxproc_ioctl", "zxproc ioctl", zx_write, false };
const struct op op_zx_read = { "zxproc_ioctl", "zxproc ioctl", zx_read, false };
const struct op op_lib_write = { "libzxproc", "zx_process_write_memory", lib_write, false };
const struct op op_lib_read = { "libzxproc", "zx_process_read_memory", lib_read, false };
const struct op op_pvm_write = { "process_vm_writev", "process_vm_writev", pvm_write, false };
const struct op op_pvm_read = { "process_vm_readv", "process_vm_readv", pvm_read, false };
const struct op op_mem_write = { "proc_pid_mem", "pwrite /proc/PID/mem", mem_write, false };
const struct op op_mem_read = { "proc_pid_mem", "pread /proc/PID/mem", mem_read, false };
const struct op op_poke = { "ptrace", "PTRACE_POKEDATA", poke, true };
const struct op op_peek = { "ptrace", "PTRACE_PEEKDATA", peek, true };
const struct op op_memcpy = { "memcpy", "memcpy (same process)", local_memcpy, false };

/* ---- the batch: BATCH_N writes of BATCH_LEN bytes, scattered ---- */

/*
 * One address per page, spread evenly over the region (every
 * len/BATCH_N bytes), at a random 8-byte-aligned offset inside its
 * page, in a random order: no two writes share a page, and neither the
 * pages nor their order help any method.  A fixed seed keeps runs
 * comparable.
 */
void batch_init(struct batch *b, const struct target *t,
		const unsigned char *src, unsigned char *dst)
{
	size_t stride = t->len / BATCH_N;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t x = 0x9e3779b97f4a7c15ULL;	/* xorshift64 state */

	if (stride < page)
		die("a %zu-byte region is too small for %d scattered pages", t->len, BATCH_N);
	for (size_t i = 0; i < BATCH_N; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b->raddr[i] = t->base + i * stride + (x % (page / BATCH_LEN)) * BATCH_LEN;
	}
	for (size_t i = BATCH_N - 1; i > 0; i--) {	/* Fisher-Yates */
		size_t j;
		uintptr_t tmp;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		j = x % (i + 1);
		tmp = b->raddr[i], b->raddr[i] = b->raddr[j], b->raddr[j] = tmp;
	}
	for (size_t i = 0; i < BATCH_N; i++) {
		b->riov[i] = (struct iovec){ (void *)b->raddr[i], BATCH_LEN };
		b->wsegs[i] = (struct zxproc_seg){
			.addr = b->raddr[i],
			.buf = (uintptr_t)(src + i * BATCH_LEN),
			.len = BATCH_LEN,
		};
		b->rsegs[i] = b->wsegs[i];
		b->rsegs[i].buf = (uintptr_t)(dst + i * BATCH_LEN);
	}
}

static void b_zx_vec(const struct bench_ctx *c, bool write)
{
	const struct zxproc_seg *segs = write ? c->b->wsegs : c->b->rsegs;
	struct zxproc_memv v = {
		.segs = (uintptr_t)segs,
		.nr_segs = BATCH_N,
		.seg_size = sizeof(*segs),
	};

	if (ioctl(c->t->zxfd, write ? ZXPROC_IOC_WRITEV : ZXPROC_IOC_READV, &v))
		die("ZXPROC_IOC_%sV of %d segments: %m", write ? "WRITE" : "READ", BATCH_N);
	if (v.done != BATCH_N || v.actual != BATCH_N * BATCH_LEN)
		die("ZXPROC_IOC_%sV: done %u, actual %llu", write ? "WRITE" : "READ",
		    v.done, (unsigned long long)v.actual);
	/* Spot checks, so a wrong element size would show. */
	if (segs[0].status || segs[0].actual != BATCH_LEN ||
	    segs[BATCH_N - 1].status || segs[BATCH_N - 1].actual != BATCH_LEN)
		die("ZXPROC_IOC_%sV: segment status %d/%d, actual %llu/%llu",
		    write ? "WRITE" : "READ", segs[0].status, segs[BATCH_N - 1].status,
		    (unsigned long long)segs[0].actual,
		    (unsigned long long)segs[BATCH_N - 1].actual);
}

static void b_zx_writev(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_zx_vec(c, true);
}

static void b_zx_readv(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_zx_vec(c, false);
}

/* The batch as BATCH_N single operations of another method. */
static void b_singles(const struct bench_ctx *c, bool write,
		      void (*one)(const struct bench_ctx *, size_t))
{
	struct target t = *c->t;
	struct bench_ctx one_c = { &t, NULL, NULL, NULL };

	for (size_t i = 0; i < BATCH_N; i++) {
		t.base = c->b->raddr[i];
		if (write)
			one_c.src = c->src + i * BATCH_LEN;
		else
			one_c.dst = c->dst + i * BATCH_LEN;
		one(&one_c, BATCH_LEN);
	}
}

static void b_zx_writes(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, true, zx_write);
}

static void b_zx_reads(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, false, zx_read);
}

static void b_lib_writes(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, true, lib_write);
}

static void b_pvm_calls(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, true, pvm_write);
}

static void b_pvm_rcalls(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, false, pvm_read);
}

static void b_mem_writes(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, true, mem_write);
}

static void b_pokes(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_singles(c, true, poke);
}

/* One call: the local side is one contiguous iovec, the remote side BATCH_N. */
static void b_pvm_vec(const struct bench_ctx *c, bool write)
{
	struct iovec local = { write ? c->src : c->dst, BATCH_N * BATCH_LEN };
	ssize_t n = write ?
		process_vm_writev(c->t->pid, &local, 1, c->b->riov, BATCH_N, 0) :
		process_vm_readv(c->t->pid, &local, 1, c->b->riov, BATCH_N, 0);

	if (n != BATCH_N * BATCH_LEN)
		die("process_vm_%sv with %d remote iovecs returned %zd: %m",
		    write ? "write" : "read", BATCH_N, n);
}

static void b_pvm_iov(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_pvm_vec(c, true);
}

static void b_pvm_riov(const struct bench_ctx *c, size_t size)
{
	(void)size;
	b_pvm_vec(c, false);
}

const struct op op_b_zx_writev = { "zxproc_writev", "zxproc WRITEV, 1024 segments", b_zx_writev, false };
const struct op op_b_zx_writes = { "zxproc_writes", "1024 zxproc WRITE calls", b_zx_writes, false };
const struct op op_b_lib_writes = { "libzxproc_writes", "1024 zx_process_write_memory calls", b_lib_writes, false };
const struct op op_b_pvm_iov = { "process_vm_writev_iovecs", "process_vm_writev, 1024 remote iovecs", b_pvm_iov, false };
const struct op op_b_pvm_calls = { "process_vm_writev_calls", "1024 process_vm_writev calls", b_pvm_calls, false };
const struct op op_b_mem_writes = { "proc_pid_mem_writes", "1024 pwrite /proc/PID/mem calls", b_mem_writes, false };
const struct op op_b_pokes = { "ptrace_pokes", "1024 PTRACE_POKEDATA calls", b_pokes, false };
const struct op op_b_zx_readv = { "zxproc_readv", "zxproc READV, 1024 segments", b_zx_readv, false };
const struct op op_b_zx_reads = { "zxproc_reads", "1024 zxproc READ calls", b_zx_reads, false };
const struct op op_b_pvm_riov = { "process_vm_readv_iovecs", "process_vm_readv, 1024 remote iovecs", b_pvm_riov, false };
const struct op op_b_pvm_rcalls = { "process_vm_readv_calls", "1024 process_vm_readv calls", b_pvm_rcalls, false };

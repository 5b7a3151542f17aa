/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zxbench: zxproc's memory access against its peers, side by side.
 *
 * zxbench.c  options, the plan of tables, the targets of issue 7
 * target.c   target processes and the handles/descriptors into them
 * ops.c      one operation of each method (zxproc, its peers, memcpy)
 * measure.c  clock, calibration, interleaved sampling, statistics,
 *            the multi-threaded runs
 * report.c   the Markdown tables and the JSON copy
 * scan.c     the scan of issue 19 (--scan)
 */
#ifndef ZXBENCH_H
#define ZXBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <linux/zxproc.h>
#include <zircon/types.h>

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

/* The largest single operation measured, and each target's region. */
#define BENCH_MAX_SIZE (64 * MIB)
/* The batch: this many 8-byte writes at scattered addresses. */
#define BATCH_N 1024
#define BATCH_LEN 8

/**
 * struct target - a process whose memory the benchmark writes and reads
 * @pid: its process id (a child of ours, sleeping in pause()).
 * @base: start of its region, every page written before any timing.
 * @len: length of the region.
 * @zxfd: zxproc handle from a raw ZXPROC_IOC_PROCESS_OPEN.
 * @zxh: zxproc handle from libzxproc's zxproc_process_open().
 * @memfd: /proc/PID/mem, open read-write.
 * @stopped: a ptrace-stopped tracee of ours (PTRACE_POKEDATA needs it).
 */
struct target {
	pid_t pid;
	uintptr_t base;
	size_t len;
	int zxfd;
	zx_handle_t zxh;
	int memfd;
	bool stopped;
};

/**
 * struct batch - BATCH_N scattered writes (or reads) of BATCH_LEN bytes
 * @raddr: target addresses, one per page across the region, shuffled.
 * @riov: the same as remote iovecs for process_vm_writev/readv.
 * @wsegs: ZXPROC_IOC_WRITEV segments, sources consecutive in ctx->src.
 * @rsegs: ZXPROC_IOC_READV segments, destinations consecutive in ctx->dst.
 */
struct batch {
	uintptr_t raddr[BATCH_N];
	struct iovec riov[BATCH_N];
	struct zxproc_seg wsegs[BATCH_N];
	struct zxproc_seg rsegs[BATCH_N];
};

/**
 * struct bench_ctx - what one thread of the benchmark works on
 * @t: the target.
 * @src: local buffer (written before timing): source of writes.
 * @dst: local buffer (written before timing): destination of reads.
 * @b: the scattered batch into @t (NULL where no batch is measured).
 */
struct bench_ctx {
	struct target *t;
	unsigned char *src;
	unsigned char *dst;
	struct batch *b;
};

/* One operation of @size bytes (for a batch: the whole batch). */
typedef void (*op_fn)(const struct bench_ctx *c, size_t size);

/**
 * struct op - a method of access
 * @id: JSON name.
 * @label: table name.
 * @run: performs one operation; exits the benchmark if it fails.
 * @word_only: PTRACE_PEEK/POKEDATA, measured at small sizes only.
 */
struct op {
	const char *id;
	const char *label;
	op_fn run;
	bool word_only;
};

/* ops.c */
extern const struct op op_zx_write, op_zx_read, op_lib_write, op_lib_read,
	op_pvm_write, op_pvm_read, op_mem_write, op_mem_read,
	op_poke, op_peek, op_memcpy;
extern const struct op op_b_zx_writev, op_b_zx_writes, op_b_lib_writes,
	op_b_pvm_iov, op_b_pvm_calls, op_b_mem_writes, op_b_pokes,
	op_b_zx_readv, op_b_zx_reads, op_b_pvm_riov, op_b_pvm_rcalls;
/* Fill @b with shuffled scattered addresses in @t (seeded, repeatable). */
void batch_init(struct batch *b, const struct target *t,
		const unsigned char *src, unsigned char *dst);

/* target.c */
void target_start(struct target *t, size_t len, bool no_thp);
void target_open(struct target *t);
void target_stop(struct target *t);
void target_end(struct target *t);
/* Huge pages of @t's region in use, in KiB (from smaps_rollup), or -1. */
long target_huge_kib(const struct target *t);
/*
 * A private anonymous buffer of @len bytes, every page written; with
 * @no_thp, MADV_NOHUGEPAGE first.  It is placed so that its start lies
 * @pages pages past @base's
 * offset in a 2 MiB frame: (start - @base) % 2 MiB == @pages pages.
 * Under QEMU TCG a kernel copy between a caller's buffer and a target's
 * huge page at the same offset in a 2 MiB frame is ~12x slower (see
 * README.md, "Buffer placement"); pages 0 asks for that placement.
 */
unsigned char *buffer_placed(size_t len, int fill, bool no_thp, uintptr_t base,
			     size_t pages);

/**
 * struct cell - one operation at one size, and its samples
 * @op: the method.
 * @size: bytes per operation (a batch's total for a batch).
 * @k: operations per sample (calibrated).
 * @ns: per-operation time of each sample, in ns; sorted after measuring.
 * @n: number of samples.
 * @median, @min, @p90: statistics of @ns.
 */
struct cell {
	const struct op *op;
	size_t size;
	unsigned long k;
	double *ns;
	size_t n, cap;
	double median, min, p90;
};

/**
 * struct mt_result - several threads, each on its own target
 * @op, @size, @threads: what ran.
 * @k: operations per thread per trial.
 * @ns: wall time of each trial (sorted).
 * @n: number of trials.
 * @median, @min, @p90: statistics of @ns.
 */
struct mt_result {
	const struct op *op;
	size_t size;
	int threads;
	unsigned long k;
	double *ns;
	size_t n, cap;
	double median, min, p90;
};

/* measure.c */
struct measure_opts {
	double budget_s;	/* time per cell */
	size_t min_samples;	/* at least this many samples per cell */
};
double now_ns(void);
void measure_group(const struct bench_ctx *c, struct cell *cells, size_t n,
		   const struct measure_opts *o);
void measure_threads(struct bench_ctx *ctxs, struct mt_result *r,
		     unsigned long k, const struct measure_opts *o);
unsigned long calibrate_k(const struct bench_ctx *c, const struct op *op,
			  size_t size, double target_ns);

/* report.c */
const char *fmt_time(char *buf, size_t len, double ns);
const char *fmt_size(char *buf, size_t len, size_t size);
struct run_info {
	char kernel[128];
	int smp;
	char date[64];
	char host_load[64];
	char guest_load[64];
	char thp[64];
	char clocksource[64];
	char copy_flags[64];	/* erms, fsrm, rep_good: how the kernel copies */
	char module[32];
	bool no_thp;		/* --no-thp: MADV_NOHUGEPAGE on every buffer */
	long target_huge_kib;	/* huge pages in the main target's region */
	bool same_offset;	/* --same-offset: local buffers at the target's
				   offset in a 2 MiB frame */
	struct measure_opts o;
};

struct table {
	const char *id;		/* JSON key */
	const char *title;
	struct cell *cells;
	size_t n;
	const struct op *ref;	/* the zxproc operation peers are compared to */
	bool batch;		/* time per batch and per write */
};

struct goal {
	char name[96];
	char detail[160];
	double measured, required;	/* pass when measured >= required */
	double measured_min;		/* the same from minimums, for context */
};

void report_header(FILE *f, const struct run_info *ri);
void report_table(FILE *f, const struct table *t);
void report_threads(FILE *f, const struct mt_result *r, size_t n);
void report_goals(FILE *f, const struct goal *g, size_t n);
void report_json(FILE *f, const struct run_info *ri, const struct table *t,
		 size_t nt, const struct mt_result *r, size_t nr,
		 const struct goal *g, size_t ng);
/* The zxproc cell a peer at the same size is compared with, or NULL. */
const struct cell *table_ref(const struct table *t, const struct cell *c);

/* scan.c: the scan's tables, @samples whole scans per method. */
void run_scan(FILE *f, size_t samples);

/* zxbench.c */
__attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...);

#endif /* ZXBENCH_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * zxbench: zxproc's memory writes and reads against every peer that does
 * the same job (process_vm_writev/readv, /proc/PID/mem, PTRACE_POKEDATA/
 * PEEKDATA) and a plain memcpy, side by side on the same target process
 * and buffers, in one run; then the targets of issue 7, PASS or MISS.
 *
 * It is a report, not a test: it exits 0 whatever the figures are, and
 * non-zero only when the benchmark itself could not run (an operation
 * failed or copied a wrong byte count, or the module is not loaded).
 * Run it in the guest, with the module loaded: `make bench`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <zxproc/zxproc.h>

#include "bench.h"

static const size_t sizes[] = { 8, 4 * KIB, 64 * KIB, MIB, 16 * MIB, 64 * MIB };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))
/* PTRACE_POKEDATA/PEEKDATA are measured only up to this size. */
#define WORD_OP_MAX (4 * KIB)
/* Each thread's target, in the multi-threaded run. */
#define THREAD_REGION (4 * MIB)
/* One thread's work per trial, in the multi-threaded run. */
#define THREAD_TRIAL_NS 50e6

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("zxbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: zxbench [--json FILE] [--time SEC] [--min-samples N]\n"
		"               [--threads N] [--only LIST] [--no-thp] [--same-offset]\n"
		"       zxbench --scan [--min-samples N]\n"
		"\n"
		"Measure zxproc's memory writes and reads against process_vm_writev/readv,\n"
		"/proc/PID/mem, PTRACE_POKEDATA/PEEKDATA and memcpy, and print Markdown\n"
		"tables and the targets of issue 7 (PASS/MISS).  Needs root and the zxproc\n"
		"module loaded (run it in the guest: tests/vm/run -- zxbench ...).\n"
		"\n"
		"  --json FILE        also write the figures as JSON to FILE; '-' prints\n"
		"                     them after the tables, in a ```json block\n"
		"  --time SEC         time per measured cell (default 0.3)\n"
		"  --min-samples N    samples per cell, at least (default 5)\n"
		"  --threads N        most threads in the multi-threaded run: 1, 2, 4, ...\n"
		"                     up to N (default 4)\n"
		"  --only LIST        measure only these tables, comma-separated, of\n"
		"                     write, read, batch, threads (default: all)\n"
		"  --no-thp           no transparent huge pages in the targets and local\n"
		"                     buffers (MADV_NOHUGEPAGE); default: the system's\n"
		"                     setting\n"
		"  --same-offset      place the local buffers at the target region's offset\n"
		"                     in a 2 MiB frame, as fork's layout does by itself\n"
		"                     (default: source 1 page and destination 2 pages\n"
		"                     past it: under TCG that placement makes every\n"
		"                     single-copy method ~12x slower; README.md)\n"
		"  --scan             instead of the tables above, the scan of issue 19:\n"
		"                     1 GiB of a target read in 64 KiB pieces, resident\n"
		"                     and half resident, zxproc (batched, no fault)\n"
		"                     against process_vm_readv and /proc/PID/mem;\n"
		"                     N whole scans per method (default 5)\n"
		"\n"
		"Exit status: 0 when the benchmark ran (whatever PASS/MISS says), 1 when\n"
		"it could not, 2 on a usage error.\n");
}

/* ---- what is known about the run ---- */

static void read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "unknown");
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* The first three fields of a loadavg line. */
static void three_fields(char *s)
{
	char *p = s;

	for (int i = 0; i < 3 && p; i++)
		p = strchr(p + (i > 0), ' ');
	if (p)
		*p = '\0';
}

/*
 * The CPU features that decide how the guest kernel copies (rep movsb
 * with ERMS/FSRM, rep movsq with REP_GOOD): under TCG they change the
 * cost of every copy several times over, so a result names them.
 */
static void copy_flags(char *buf, size_t len)
{
	static const char *const want[] = { "erms", "fsrm", "rep_good" };
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		buf[0] = '\0';
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			const char *p = line;
			size_t n = strlen(want[i]);

			while ((p = strstr(p, want[i])) &&
			       !((p == line || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n')))
				p += n;
			if (p)
				snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
					 buf[0] ? " " : "", want[i]);
		}
		if (!buf[0])
			snprintf(buf, len, "none");
		break;
	}
	fclose(f);
}

static void run_info_init(struct run_info *ri)
{
	struct utsname u;
	uint32_t ma, mi, pa;
	time_t now = time(NULL);
	const char *host = getenv("ZXPROC_BENCH_HOST_LOAD");

	uname(&u);
	snprintf(ri->kernel, sizeof(ri->kernel), "%s", u.release);
	ri->smp = (int)sysconf(_SC_NPROCESSORS_ONLN);
	strftime(ri->date, sizeof(ri->date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	snprintf(ri->host_load, sizeof(ri->host_load), "%s", host && *host ? host : "unknown");
	three_fields(ri->host_load);
	read_line("/proc/loadavg", ri->guest_load, sizeof(ri->guest_load));
	three_fields(ri->guest_load);
	read_line("/sys/kernel/mm/transparent_hugepage/enabled", ri->thp, sizeof(ri->thp));
	read_line("/sys/devices/system/clocksource/clocksource0/current_clocksource",
		  ri->clocksource, sizeof(ri->clocksource));
	copy_flags(ri->copy_flags, sizeof(ri->copy_flags));
	if (zxproc_module_version(&ma, &mi, &pa) == ZX_OK)
		snprintf(ri->module, sizeof(ri->module), "%u.%u.%u", ma, mi, pa);
	else
		die("cannot ask /dev/" ZXPROC_DEVICE_NAME " for its version (is zxproc.ko loaded?)");
}

/* ---- every method must really move the bytes ---- */

static void remote_read(const struct target *t, uintptr_t addr, void *buf, size_t len)
{
	struct iovec l = { buf, len }, r = { (void *)addr, len };

	if (process_vm_readv(t->pid, &l, 1, &r, 1, 0) != (ssize_t)len)
		die("process_vm_readv for a check: %m");
}

static void remote_fill(const struct target *t, uintptr_t addr, int byte, size_t len)
{
	unsigned char buf[4096];
	struct iovec l = { buf, len }, r = { (void *)addr, len };

	memset(buf, byte, len);
	if (len > sizeof(buf) || process_vm_writev(t->pid, &l, 1, &r, 1, 0) != (ssize_t)len)
		die("process_vm_writev for a check: %m");
}

/*
 * Each write method puts a pattern of its own into the target; each
 * read method brings back one that was put there by another; checked
 * with process_vm_readv/writev.  A method that returned success
 * without copying would otherwise be timed as the fastest.
 */
static void check_methods(const struct bench_ctx *c)
{
	static const struct op *const w[] = { &op_zx_write, &op_lib_write, &op_pvm_write,
					      &op_mem_write, &op_poke };
	static const struct op *const r[] = { &op_zx_read, &op_lib_read, &op_pvm_read,
					      &op_mem_read, &op_peek };
	static const struct op *const bw[] = { &op_b_zx_writev, &op_b_zx_writes,
					       &op_b_lib_writes, &op_b_pvm_iov,
					       &op_b_pvm_calls, &op_b_mem_writes, &op_b_pokes };
	static const struct op *const br[] = { &op_b_zx_readv, &op_b_zx_reads,
					       &op_b_pvm_riov, &op_b_pvm_rcalls };
	const size_t len = 4 * KIB, blen = BATCH_N * BATCH_LEN;
	unsigned char got[4 * KIB];
	int pattern = 0x10;

	for (size_t i = 0; i < sizeof(w) / sizeof(w[0]); i++, pattern++) {
		memset(c->src, pattern, len);
		w[i]->run(c, len);
		remote_read(c->t, c->t->base, got, len);
		for (size_t j = 0; j < len; j++)
			if (got[j] != pattern)
				die("%s did not write the target (byte %zu)", w[i]->label, j);
	}
	for (size_t i = 0; i < sizeof(r) / sizeof(r[0]); i++, pattern++) {
		remote_fill(c->t, c->t->base, pattern, len);
		memset(c->dst, 0, len);
		r[i]->run(c, len);
		for (size_t j = 0; j < len; j++)
			if (c->dst[j] != pattern)
				die("%s did not read the target (byte %zu)", r[i]->label, j);
	}
	for (size_t i = 0; i < sizeof(bw) / sizeof(bw[0]); i++, pattern++) {
		for (size_t j = 0; j < blen; j++)
			c->src[j] = (unsigned char)(pattern + j / BATCH_LEN);
		bw[i]->run(c, blen);
		for (size_t j = 0; j < BATCH_N; j++) {
			remote_read(c->t, c->b->raddr[j], got, BATCH_LEN);
			if (memcmp(got, c->src + j * BATCH_LEN, BATCH_LEN))
				die("%s did not write segment %zu", bw[i]->label, j);
		}
	}
	for (size_t i = 0; i < sizeof(br) / sizeof(br[0]); i++, pattern++) {
		for (size_t j = 0; j < BATCH_N; j++)
			remote_fill(c->t, c->b->raddr[j], (pattern + (int)j) & 0xff, BATCH_LEN);
		memset(c->dst, 0, blen);
		br[i]->run(c, blen);
		for (size_t j = 0; j < blen; j++)
			if (c->dst[j] != (unsigned char)(pattern + j / BATCH_LEN))
				die("%s did not read segment %zu", br[i]->label, j / BATCH_LEN);
	}
}

/* ---- the tables ---- */

static struct cell *cells_add(struct table *t, const struct op *op, size_t size)
{
	struct cell *c = &t->cells[t->n++];

	*c = (struct cell){ .op = op, .size = size };
	return c;
}

/* One row per method and size; the sizes are measured one at a time. */
static void run_sizes(struct table *t, const struct bench_ctx *c,
		      const struct op *const *ops, size_t nops,
		      const struct measure_opts *o)
{
	t->cells = calloc(NSIZES * nops, sizeof(*t->cells));
	if (!t->cells)
		die("out of memory");
	for (size_t s = 0; s < NSIZES; s++) {
		size_t first = t->n;

		fprintf(stderr, "zxbench: %s, %zu bytes\n", t->id, sizes[s]);
		for (size_t i = 0; i < nops; i++)
			if (!ops[i]->word_only || sizes[s] <= WORD_OP_MAX)
				cells_add(t, ops[i], sizes[s]);
		measure_group(c, &t->cells[first], t->n - first, o);
	}
}

static void run_batch(struct table *t, const struct bench_ctx *c,
		      const struct op *const *ops, size_t nops,
		      const struct measure_opts *o)
{
	t->cells = calloc(nops, sizeof(*t->cells));
	if (!t->cells)
		die("out of memory");
	fprintf(stderr, "zxbench: %s\n", t->id);
	for (size_t i = 0; i < nops; i++)
		cells_add(t, ops[i], BATCH_N * BATCH_LEN);
	measure_group(c, t->cells, t->n, o);
}

/* ---- the targets of issue 7 ---- */

static const struct cell *find(const struct table *t, const struct op *op, size_t size)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->cells[i].op == op && t->cells[i].size == size)
			return &t->cells[i];
	return NULL;
}

/* Goal: peer's time / zxproc's time >= @need. */
static void goal_faster(struct goal *g, size_t *n, const struct table *t,
			const struct op *zx, const struct op *peer, size_t size,
			double need, const char *what)
{
	const struct cell *a = find(t, zx, size), *b = find(t, peer, size);
	char sz[32], ta[32], tb[32];

	if (!a || !b)
		return;
	g = &g[(*n)++];
	if (t->batch)
		snprintf(g->name, sizeof(g->name), "%s", what);
	else
		snprintf(g->name, sizeof(g->name), "%s %s", fmt_size(sz, sizeof(sz), size), what);
	snprintf(g->detail, sizeof(g->detail), "%s %s, %s %s (medians)",
		 zx->label, fmt_time(ta, sizeof(ta), a->median),
		 peer->label, fmt_time(tb, sizeof(tb), b->median));
	g->measured = b->median / a->median;
	g->measured_min = b->min / a->min;
	g->required = need;
}

static size_t goals_eval(struct goal *g, const struct table *wr, const struct table *bt)
{
	size_t n = 0;

	if (wr) {
		goal_faster(g, &n, wr, &op_zx_write, &op_pvm_write, MIB, 1, "write: zxproc >= process_vm_writev");
		goal_faster(g, &n, wr, &op_zx_write, &op_mem_write, MIB, 2, "write: zxproc >= 2x /proc/PID/mem");
		goal_faster(g, &n, wr, &op_zx_write, &op_pvm_write, 16 * MIB, 1, "write: zxproc >= process_vm_writev");
		goal_faster(g, &n, wr, &op_zx_write, &op_mem_write, 16 * MIB, 2, "write: zxproc >= 2x /proc/PID/mem");
		goal_faster(g, &n, wr, &op_zx_write, &op_pvm_write, 8, 1, "write: zxproc no slower than process_vm_writev");
		goal_faster(g, &n, wr, &op_zx_write, &op_pvm_write, 4 * KIB, 1, "write: zxproc no slower than process_vm_writev");
		goal_faster(g, &n, wr, &op_lib_write, &op_pvm_write, 8, 1, "write: libzxproc no slower than process_vm_writev");
		goal_faster(g, &n, wr, &op_lib_write, &op_pvm_write, 4 * KIB, 1, "write: libzxproc no slower than process_vm_writev");
	}
	if (bt) {
		goal_faster(g, &n, bt, &op_b_zx_writev, &op_b_pvm_iov, BATCH_N * BATCH_LEN, 1,
			    "1024-write batch: WRITEV >= one process_vm_writev with 1024 iovecs");
		goal_faster(g, &n, bt, &op_b_zx_writev, &op_b_pvm_calls, BATCH_N * BATCH_LEN, 10,
			    "1024-write batch: WRITEV >= 10x 1024 process_vm_writev calls");
	}
	if (wr) {
		const struct cell *one = find(wr, &op_zx_write, MIB);
		const struct cell *big = find(wr, &op_zx_write, 64 * MIB);

		if (one && big) {
			double t1 = (double)MIB / one->median, t64 = 64.0 * MIB / big->median;

			snprintf(g[n].name, sizeof(g[n].name),
				 "64 MiB write throughput within 10%% of 1 MiB's");
			snprintf(g[n].detail, sizeof(g[n].detail),
				 "zxproc ioctl %.1f MiB/s at 64 MiB, %.1f MiB/s at 1 MiB (medians)",
				 t64 * 1e9 / MIB, t1 * 1e9 / MIB);
			g[n].measured = t64 / t1;
			g[n].measured_min = (64.0 * MIB / big->min) / ((double)MIB / one->min);
			g[n].required = 0.9;
			n++;
		}
	}
	return n;
}

/* ---- main ---- */

static const char *const table_names[] = { "write", "read", "batch", "threads" };

/* Is @name an item of the comma-separated @list?  No list: everything. */
static bool only_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	if (!list)
		return true;
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == len && strncmp(p, name, len) == 0)
			return true;
	return false;
}

static bool only_valid(const char *list)
{
	for (const char *p = list; *p; p += strcspn(p, ","), p += *p == ',') {
		size_t len = strcspn(p, ","), i;

		for (i = 0; i < sizeof(table_names) / sizeof(table_names[0]); i++)
			if (strlen(table_names[i]) == len && strncmp(p, table_names[i], len) == 0)
				break;
		if (i == sizeof(table_names) / sizeof(table_names[0]))
			return false;
	}
	return *list != '\0';
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", required_argument, NULL, 'j' },
		{ "time", required_argument, NULL, 't' },
		{ "min-samples", required_argument, NULL, 'm' },
		{ "threads", required_argument, NULL, 'T' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-thp", no_argument, NULL, 'n' },
		{ "same-offset", no_argument, NULL, 's' },
		{ "scan", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct op *const wops[] = { &op_zx_write, &op_lib_write, &op_pvm_write,
						 &op_mem_write, &op_poke, &op_memcpy };
	static const struct op *const rops[] = { &op_zx_read, &op_lib_read, &op_pvm_read,
						 &op_mem_read, &op_peek, &op_memcpy };
	static const struct op *const bwops[] = { &op_b_zx_writev, &op_b_zx_writes,
						  &op_b_lib_writes, &op_b_pvm_iov,
						  &op_b_pvm_calls, &op_b_mem_writes, &op_b_pokes };
	static const struct op *const brops[] = { &op_b_zx_readv, &op_b_zx_reads,
						  &op_b_pvm_riov, &op_b_pvm_rcalls };
	static const struct op *const mtops[] = { &op_zx_write, &op_pvm_write };
	static const size_t mtsizes[] = { 4 * KIB, MIB };
	struct measure_opts o = { .budget_s = 0.3, .min_samples = 5 };
	const char *json = NULL, *only = NULL;
	struct table tables[4];
	struct table *wr = NULL, *bt = NULL;
	size_t nt = 0, nr = 0, ng;
	struct mt_result *mt = NULL;
	struct goal goals[16];
	int max_threads = 4, opt, nthreads = 0;
	bool no_thp = false;
	bool same_offset = false;
	bool scan = false;
	struct target main_t, thr_t[64];
	struct bench_ctx ctx, thr_c[64];
	struct batch *batch;
	struct run_info ri;
	char *end;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = optarg;
			break;
		case 't':
			o.budget_s = strtod(optarg, &end);
			if (*end || !(o.budget_s > 0 && o.budget_s <= 60))
				goto bad;
			break;
		case 'm':
			o.min_samples = strtoul(optarg, &end, 10);
			if (*end || o.min_samples < 1 || o.min_samples > 100000)
				goto bad;
			break;
		case 'T':
			max_threads = (int)strtol(optarg, &end, 10);
			if (*end || max_threads < 1 || max_threads > 64)
				goto bad;
			break;
		case 'o':
			only = optarg;
			if (!only_valid(only))
				goto bad;
			break;
		case 'n':
			no_thp = true;
			break;
		case 's':
			same_offset = true;
			break;
		case 'S':
			scan = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc)
		goto bad;

	run_info_init(&ri);
	ri.o = o;
	ri.no_thp = no_thp;
	ri.same_offset = same_offset;

	/* The scan's 1 GiB target alone: a 2 GiB guest holds nothing else. */
	if (scan) {
		report_header(stdout, &ri);
		run_scan(stdout, o.min_samples);
		if (fflush(stdout))
			die("stdout: %m");
		return 0;
	}

	/* Targets first, so that they inherit no copy-on-write pages of ours. */
	target_start(&main_t, BENCH_MAX_SIZE, no_thp);
	for (int n = 1; n <= max_threads && only_has(only, "threads"); n *= 2)
		nthreads = n;
	for (int i = 0; i < nthreads; i++)
		target_start(&thr_t[i], THREAD_REGION, no_thp);

	ctx = (struct bench_ctx){ &main_t,
				  buffer_placed(BENCH_MAX_SIZE, 0xa5, no_thp, main_t.base,
						same_offset ? 0 : 1),
				  buffer_placed(BENCH_MAX_SIZE, 0, no_thp, main_t.base,
						same_offset ? 0 : 2), NULL };
	ri.target_huge_kib = target_huge_kib(&main_t);
	batch = malloc(sizeof(*batch));
	if (!batch)
		die("out of memory");
	target_open(&main_t);
	target_stop(&main_t);
	batch_init(batch, &main_t, ctx.src, ctx.dst);
	ctx.b = batch;
	for (int i = 0; i < nthreads; i++) {
		target_open(&thr_t[i]);
		thr_c[i] = (struct bench_ctx){ &thr_t[i],
					       buffer_placed(THREAD_REGION, 0xa5, no_thp, thr_t[i].base,
							     same_offset ? 0 : 1),
					       buffer_placed(THREAD_REGION, 0, no_thp, thr_t[i].base,
							     same_offset ? 0 : 2), NULL };
	}
	check_methods(&ctx);

	if (only_has(only, "write")) {
		wr = &tables[nt++];
		*wr = (struct table){ "write", "Writes into another process", .ref = &op_zx_write };
		run_sizes(wr, &ctx, wops, sizeof(wops) / sizeof(wops[0]), &o);
	}
	if (only_has(only, "read")) {
		struct table *t = &tables[nt++];

		*t = (struct table){ "read", "Reads from another process", .ref = &op_zx_read };
		run_sizes(t, &ctx, rops, sizeof(rops) / sizeof(rops[0]), &o);
	}
	if (only_has(only, "batch")) {
		struct table *t;

		bt = &tables[nt++];
		*bt = (struct table){ "batch_write",
				      "Batch: 1024 writes of 8 bytes, one per page over 64 MiB, shuffled",
				      .ref = &op_b_zx_writev, .batch = true };
		run_batch(bt, &ctx, bwops, sizeof(bwops) / sizeof(bwops[0]), &o);
		t = &tables[nt++];
		*t = (struct table){ "batch_read", "Batch: 1024 reads of 8 bytes, the same addresses",
				     .ref = &op_b_zx_readv, .batch = true };
		run_batch(t, &ctx, brops, sizeof(brops) / sizeof(brops[0]), &o);
	}
	if (nthreads) {
		mt = calloc(2 * 2 * 8, sizeof(*mt));
		if (!mt)
			die("out of memory");
		for (size_t s = 0; s < 2; s++) {
			/* The same work for both methods and every thread count. */
			unsigned long k = calibrate_k(&thr_c[0], &op_zx_write, mtsizes[s],
						      THREAD_TRIAL_NS);

			for (int n = 1; n <= nthreads; n *= 2) {
				fprintf(stderr, "zxbench: threads, %zu bytes, %d threads\n",
					mtsizes[s], n);
				for (size_t i = 0; i < 2; i++) {
					mt[nr] = (struct mt_result){ .op = mtops[i], .size = mtsizes[s],
								     .threads = n };
					measure_threads(thr_c, &mt[nr++], k, &o);
				}
			}
		}
	}

	ng = goals_eval(goals, wr, bt);
	report_header(stdout, &ri);
	for (size_t i = 0; i < nt; i++)
		report_table(stdout, &tables[i]);
	if (nr)
		report_threads(stdout, mt, nr);
	report_goals(stdout, goals, ng);
	if (json && strcmp(json, "-") == 0) {
		fputs("```json\n", stdout);
		report_json(stdout, &ri, tables, nt, mt, nr, goals, ng);
		fputs("```\n", stdout);
	} else if (json) {
		FILE *f = fopen(json, "w");

		if (!f)
			die("%s: %m", json);
		report_json(f, &ri, tables, nt, mt, nr, goals, ng);
		if (fclose(f))
			die("%s: %m", json);
	}
	if (fflush(stdout))
		die("stdout: %m");

	target_end(&main_t);
	for (int i = 0; i < nthreads; i++)
		target_end(&thr_t[i]);
	return 0;
bad:
	fprintf(stderr, "zxbench: bad arguments (see zxbench --help)\n");
	return 2;
}

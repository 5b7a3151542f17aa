// SPDX-License-Identifier: GPL-2.0
/*
 * Output: Markdown tables for people (the README quotes them) and the
 * same figures as JSON for programs.  Times are per operation; a ratio
 * is a peer's median time over zxproc's, so above 1 zxproc is faster.
 */
#include <string.h>

#include "bench.h"

const char *fmt_time(char *buf, size_t len, double ns)
{
	static const struct { double div; const char *unit; } u[] = {
		{ 1, "ns" }, { 1e3, "us" }, { 1e6, "ms" }, { 1e9, "s" },
	};
	size_t i = 0;
	double v;

	while (i + 1 < sizeof(u) / sizeof(u[0]) && ns >= 1000 * u[i].div)
		i++;
	v = ns / u[i].div;
	snprintf(buf, len, v < 10 ? "%.2f %s" : v < 100 ? "%.1f %s" : "%.0f %s",
		 v, u[i].unit);
	return buf;
}

const char *fmt_size(char *buf, size_t len, size_t size)
{
	if (size >= MIB && size % MIB == 0)
		snprintf(buf, len, "%zu MiB", size / MIB);
	else if (size >= KIB && size % KIB == 0)
		snprintf(buf, len, "%zu KiB", size / KIB);
	else
		snprintf(buf, len, "%zu B", size);
	return buf;
}

static double mib_s(size_t size, double ns)
{
	return (double)size / (double)MIB / (ns / 1e9);
}

const struct cell *table_ref(const struct table *t, const struct cell *c)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->cells[i].op == t->ref && t->cells[i].size == c->size)
			return &t->cells[i];
	return NULL;
}

void report_header(FILE *f, const struct run_info *ri)
{
	fprintf(f, "## Kernel %s, %d CPUs\n\n", ri->kernel, ri->smp);
	fprintf(f, "- guest: Linux %s, QEMU TCG, %d CPUs; %s\n", ri->kernel, ri->smp, ri->date);
	fprintf(f, "- zxproc module %s; clocksource: %s; CPU copy features: %s\n",
		ri->module, ri->clocksource, ri->copy_flags);
	fprintf(f, "- transparent hugepages: %s%s; main target: %ld of %zu KiB in huge pages\n",
		ri->thp, ri->no_thp ? ", off for every buffer (--no-thp)" : "",
		ri->target_huge_kib, BENCH_MAX_SIZE / KIB);
	fprintf(f, "- local buffers: %s\n", ri->same_offset ?
		"at the target region's offset in a 2 MiB frame (--same-offset; TCG's slow case)" :
		"source 1 page, destination 2 pages past the target region's offset in a 2 MiB frame");
	fprintf(f, "- load average at start: host %s; guest %s\n", ri->host_load, ri->guest_load);
	fprintf(f, "- every page of the targets and of the local buffers is written before any\n"
		   "  timing, so no page fault is measured; the main target is a ptrace-stopped\n"
		   "  tracee throughout (PTRACE_POKEDATA needs one; the other methods do not care)\n");
	fprintf(f, "- each cell: warm-up of 20 ms and 3 operations, then samples of k operations lasting at\n"
		   "  least 2 ms; the cells of a table are sampled in interleaved rounds until\n"
		   "  each has had about %.2f s and at least %zu samples; median, min and p90\n"
		   "  are per operation, over the samples\n",
		ri->o.budget_s, ri->o.min_samples);
	fprintf(f, "- ratio = peer's median time / zxproc ioctl's median time at the same size:\n"
		   "  above 1, zxproc is faster\n\n");
}

void report_table(FILE *f, const struct table *t)
{
	char a[32], b[32], c[32], d[32];

	fprintf(f, "### %s\n\n", t->title);
	if (t->batch) {
		fprintf(f, "| operation | median per batch | min | p90 | per segment | ratio |\n");
		fprintf(f, "|:--|--:|--:|--:|--:|--:|\n");
	} else {
		fprintf(f, "| size | operation | median | min | p90 | MiB/s | ratio |\n");
		fprintf(f, "|--:|:--|--:|--:|--:|--:|--:|\n");
	}
	for (size_t i = 0; i < t->n; i++) {
		const struct cell *x = &t->cells[i];
		const struct cell *ref = table_ref(t, x);
		char ratio[32] = "-";

		if (ref)
			snprintf(ratio, sizeof(ratio), "%.2f", x->median / ref->median);
		if (t->batch) {
			fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", x->op->label,
				fmt_time(a, sizeof(a), x->median), fmt_time(b, sizeof(b), x->min),
				fmt_time(c, sizeof(c), x->p90),
				fmt_time(d, sizeof(d), x->median / BATCH_N), ratio);
		} else {
			fprintf(f, "| %s | %s | %s | %s | %s | %.1f | %s |\n",
				fmt_size(d, sizeof(d), x->size), x->op->label,
				fmt_time(a, sizeof(a), x->median), fmt_time(b, sizeof(b), x->min),
				fmt_time(c, sizeof(c), x->p90), mib_s(x->size, x->median), ratio);
		}
	}
	fprintf(f, "\n");
}

static double aggregate(const struct mt_result *r)
{
	return mib_s(r->size * r->k * (size_t)r->threads, r->median);
}

static const struct mt_result *mt_find(const struct mt_result *r, size_t n,
				       const struct op *op, size_t size, int threads)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].op == op && r[i].size == size && r[i].threads == threads)
			return &r[i];
	return NULL;
}

void report_threads(FILE *f, const struct mt_result *r, size_t n)
{
	char a[32], b[32], c[32];

	fprintf(f, "### Several threads, each writing to its own target\n\n"
		   "Each thread does the same k writes per trial; a trial's time runs from the\n"
		   "common start to the last thread's end. scaling = aggregate / aggregate with\n"
		   "1 thread; ratio = process_vm_writev's trial time / zxproc's.\n\n");
	fprintf(f, "| operation | size | threads | writes per thread | median per trial | aggregate MiB/s | scaling | ratio |\n");
	fprintf(f, "|:--|--:|--:|--:|--:|--:|--:|--:|\n");
	for (size_t i = 0; i < n; i++) {
		const struct mt_result *one = mt_find(r, n, r[i].op, r[i].size, 1);
		const struct mt_result *zx = mt_find(r, n, &op_zx_write, r[i].size, r[i].threads);
		char ratio[32] = "-";

		if (zx)
			snprintf(ratio, sizeof(ratio), "%.2f", r[i].median / zx->median);
		fprintf(f, "| %s | %s | %d | %lu | %s | %.1f | %s | %s |\n", r[i].op->label,
			fmt_size(a, sizeof(a), r[i].size), r[i].threads, r[i].k,
			fmt_time(b, sizeof(b), r[i].median), aggregate(&r[i]),
			one ? (snprintf(c, sizeof(c), "%.2f", aggregate(&r[i]) / aggregate(one)), c) : "-",
			ratio);
	}
	fprintf(f, "\n");
}

void report_goals(FILE *f, const struct goal *g, size_t n)
{
	fprintf(f, "### Targets of issue 7\n\n"
		   "Judged on medians; the ratio of the minimums (the least disturbed samples)\n"
		   "is given for context.\n\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "- %s %s: %.2f, need >= %.2f (from the minimums: %.2f); %s\n",
			g[i].measured >= g[i].required ? "PASS" : "MISS", g[i].name,
			g[i].measured, g[i].required, g[i].measured_min, g[i].detail);
	fprintf(f, "\n");
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void json_kv(FILE *f, const char *key, const char *val, const char *sep)
{
	json_str(f, key);
	fputs(": ", f);
	json_str(f, val);
	fputs(sep, f);
}

void report_json(FILE *f, const struct run_info *ri, const struct table *t,
		 size_t nt, const struct mt_result *r, size_t nr,
		 const struct goal *g, size_t ng)
{
	fputs("{\n  ", f);
	json_kv(f, "kernel", ri->kernel, ",\n  ");
	fprintf(f, "\"smp\": %d,\n  ", ri->smp);
	json_kv(f, "date", ri->date, ",\n  ");
	json_kv(f, "host_load", ri->host_load, ",\n  ");
	json_kv(f, "guest_load", ri->guest_load, ",\n  ");
	json_kv(f, "module", ri->module, ",\n  ");
	json_kv(f, "transparent_hugepage", ri->thp, ",\n  ");
	json_kv(f, "clocksource", ri->clocksource, ",\n  ");
	json_kv(f, "copy_flags", ri->copy_flags, ",\n  ");
	fprintf(f, "\"no_thp\": %s,\n  \"same_offset\": %s,\n  \"target_huge_kib\": %ld,\n  ",
		ri->no_thp ? "true" : "false", ri->same_offset ? "true" : "false",
		ri->target_huge_kib);
	fprintf(f, "\"budget_s\": %g,\n  \"min_samples\": %zu,\n  \"tables\": {",
		ri->o.budget_s, ri->o.min_samples);
	for (size_t i = 0; i < nt; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		json_str(f, t[i].id);
		fputs(": [", f);
		for (size_t j = 0; j < t[i].n; j++) {
			const struct cell *x = &t[i].cells[j];
			const struct cell *ref = table_ref(&t[i], x);

			fprintf(f, "%s\n      {\"op\": ", j ? "," : "");
			json_str(f, x->op->id);
			fprintf(f, ", \"size\": %zu, \"median_ns\": %.1f, \"min_ns\": %.1f, "
				   "\"p90_ns\": %.1f, \"mib_s\": %.2f, \"samples\": %zu, "
				   "\"ops_per_sample\": %lu",
				x->size, x->median, x->min, x->p90, mib_s(x->size, x->median),
				x->n, x->k);
			if (ref)
				fprintf(f, ", \"ratio\": %.4f", x->median / ref->median);
			fputs("}", f);
		}
		fputs("\n    ]", f);
	}
	fputs("\n  },\n  \"threads\": [", f);
	for (size_t i = 0; i < nr; i++) {
		const struct mt_result *one = mt_find(r, nr, r[i].op, r[i].size, 1);

		fprintf(f, "%s\n    {\"op\": ", i ? "," : "");
		json_str(f, r[i].op->id);
		fprintf(f, ", \"size\": %zu, \"threads\": %d, \"ops_per_thread\": %lu, "
			   "\"median_ns\": %.1f, \"min_ns\": %.1f, \"p90_ns\": %.1f, "
			   "\"trials\": %zu, \"aggregate_mib_s\": %.2f",
			r[i].size, r[i].threads, r[i].k, r[i].median, r[i].min, r[i].p90,
			r[i].n, aggregate(&r[i]));
		if (one)
			fprintf(f, ", \"scaling\": %.4f", aggregate(&r[i]) / aggregate(one));
		fputs("}", f);
	}
	fputs("\n  ],\n  \"targets\": [", f);
	for (size_t i = 0; i < ng; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, g[i].name);
		fputs(", \"detail\": ", f);
		json_str(f, g[i].detail);
		fprintf(f, ", \"measured\": %.4f, \"measured_min\": %.4f, \"required\": %.4f, "
			   "\"pass\": %s}",
			g[i].measured, g[i].measured_min, g[i].required,
			g[i].measured >= g[i].required ? "true" : "false");
	}
	fputs("\n  ]\n}\n", f);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Timing.  Each cell (an operation at a size) is warmed up and
 * calibrated to k operations per sample, so that one sample lasts at
 * least SAMPLE_NS and the clock's own cost (a system call under TCG,
 * where the guest may have no usable vDSO clock) stays well under 1%.
 * The cells of one table are then sampled in interleaved rounds (one
 * sample of every cell per round, starting at a different cell each
 * round): a change in the shared host's load hits every method alike
 * instead of deciding a comparison.  Rounds go on until the table has
 * spent its time budget and every cell has its minimum of samples.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define WARMUP_NS 20e6		/* warm-up per cell ... */
#define WARMUP_OPS 3		/* ... and at least this many operations */
#define SAMPLE_NS 2e6		/* shortest sample */
#define MAX_ROUNDS 20000

double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			die("out of memory");
	}
	(*v)[(*n)++] = x;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts @v; median (mean of the middle two), min, p90 (nearest rank). */
static void stats(double *v, size_t n, double *median, double *min, double *p90)
{
	qsort(v, n, sizeof(*v), cmp_double);
	*median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	*min = v[0];
	*p90 = v[(size_t)ceil(0.9 * (double)n) - 1];
}

/*
 * Warm up @op (caches, TLBs, the first-call costs of every layer) for
 * WARMUP_NS and at least WARMUP_OPS operations, then return how many
 * operations make a sample of @target_ns.  The estimate of one
 * operation is the smaller of the mean and the fastest single one: a
 * host stall inflates the mean, the clock's own cost inflates a single
 * tiny operation, never both.
 */
unsigned long calibrate_k(const struct bench_ctx *c, const struct op *op,
			  size_t size, double target_ns)
{
	double t0 = now_ns(), t = t0, fastest = INFINITY, est;
	unsigned long n = 0;

	do {
		double t1 = t;

		op->run(c, size);
		n++;
		t = now_ns();
		fastest = fmin(fastest, t - t1);
	} while (t - t0 < WARMUP_NS || n < WARMUP_OPS);
	est = fmin((t - t0) / (double)n, fastest);
	return (unsigned long)fmax(1.0, ceil(target_ns / est));
}

static void sample(const struct bench_ctx *c, struct cell *cell)
{
	double t0 = now_ns();

	for (unsigned long i = 0; i < cell->k; i++)
		cell->op->run(c, cell->size);
	push(&cell->ns, &cell->n, &cell->cap, (now_ns() - t0) / (double)cell->k);
}

void measure_group(const struct bench_ctx *c, struct cell *cells, size_t n,
		   const struct measure_opts *o)
{
	double t0, budget = o->budget_s * 1e9 * (double)n;
	size_t round;

	for (size_t i = 0; i < n; i++)
		cells[i].k = calibrate_k(c, cells[i].op, cells[i].size, SAMPLE_NS);
	t0 = now_ns();
	for (round = 0; round < MAX_ROUNDS; round++) {
		if (round >= o->min_samples && now_ns() - t0 >= budget)
			break;
		for (size_t i = 0; i < n; i++)
			sample(c, &cells[(i + round) % n]);
	}
	for (size_t i = 0; i < n; i++)
		stats(cells[i].ns, cells[i].n, &cells[i].median, &cells[i].min,
		      &cells[i].p90);
}

/* ---- several threads, each with its own target ---- */

struct worker {
	pthread_t thread;
	const struct bench_ctx *c;
	const struct mt_result *r;
	pthread_barrier_t *start, *end;
	size_t trials;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	for (size_t t = 0; t < w->trials; t++) {
		pthread_barrier_wait(w->start);
		for (unsigned long i = 0; i < w->r->k; i++)
			w->r->op->run(w->c, w->r->size);
		pthread_barrier_wait(w->end);
	}
	return NULL;
}

/*
 * A trial: every thread does r->k operations on its own target; its
 * time is from the common start to the last thread's end.  The number
 * of trials is fixed before the threads start (they must agree on it):
 * enough for the time budget judged from one warm-up trial, at least
 * the minimum of samples.
 */
void measure_threads(struct bench_ctx *ctxs, struct mt_result *r,
		     unsigned long k, const struct measure_opts *o)
{
	struct worker w[r->threads];
	pthread_barrier_t start, end;
	double t0, first;
	size_t trials;
	int i;

	r->k = k;
	/* The warm-up trial, one thread after the other, also sizes the run. */
	t0 = now_ns();
	for (i = 0; i < r->threads; i++)
		for (unsigned long j = 0; j < k; j++)
			r->op->run(&ctxs[i], r->size);
	/* A trial lasts about one thread's time per CPU's worth of threads. */
	first = (now_ns() - t0) / r->threads *
		ceil((double)r->threads / (double)sysconf(_SC_NPROCESSORS_ONLN));
	trials = (size_t)fmax((double)o->min_samples, floor(o->budget_s * 1e9 / first));

	if (pthread_barrier_init(&start, NULL, (unsigned)r->threads + 1) ||
	    pthread_barrier_init(&end, NULL, (unsigned)r->threads + 1))
		die("pthread_barrier_init failed");
	for (i = 0; i < r->threads; i++) {
		w[i] = (struct worker){ .c = &ctxs[i], .r = r, .start = &start,
					.end = &end, .trials = trials };
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("pthread_create failed");
	}
	for (size_t t = 0; t < trials; t++) {
		pthread_barrier_wait(&start);
		t0 = now_ns();
		pthread_barrier_wait(&end);
		push(&r->ns, &r->n, &r->cap, now_ns() - t0);
	}
	for (i = 0; i < r->threads; i++)
		pthread_join(w[i].thread, NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&end);
	stats(r->ns, r->n, &r->median, &r->min, &r->p90);
}

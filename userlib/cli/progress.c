// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A progress bar on stderr for transfers.  By default (--progress=auto)
 * it appears only when stderr is a terminal and only once a transfer has
 * run for a second, so quick writes and scripts never see it; "always"
 * draws it from the start even into a pipe or file (for logs), "never"
 * not at all.  It is redrawn at most ten times a second, and shows the
 * average rate so far and the time left at that rate.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define PROGRESS_DELAY	1.0	/* seconds before "auto" shows a bar */
#define PROGRESS_PERIOD	0.1	/* seconds between redraws */
#define PROGRESS_WIDTH	30	/* characters of the bar itself */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool zxc_progress_parse(const char *text, enum zxc_progress_mode *mode)
{
	if (strcmp(text, "auto") == 0)
		*mode = ZXC_PROGRESS_AUTO;
	else if (strcmp(text, "always") == 0)
		*mode = ZXC_PROGRESS_ALWAYS;
	else if (strcmp(text, "never") == 0)
		*mode = ZXC_PROGRESS_NEVER;
	else
		return false;
	return true;
}

void zxc_progress_start(struct zxc_progress *p, enum zxc_progress_mode mode,
			const char *label, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	p->label = label;
	p->total = total;
	p->start = now();
	p->enabled = mode == ZXC_PROGRESS_ALWAYS ||
		     (mode == ZXC_PROGRESS_AUTO && isatty(STDERR_FILENO));
}

/* "12.5 MiB/s ETA 0:42", from the average rate so far. */
static void rate_eta(const struct zxc_progress *p, char *out, size_t size)
{
	double secs = now() - p->start, rate, eta;

	if (secs <= 0 || p->done == 0) {
		snprintf(out, size, "-- MiB/s ETA --:--");
		return;
	}
	rate = (double)p->done / secs;
	eta = p->done >= p->total ? 0 : (double)(p->total - p->done) / rate;
	if (eta > 99 * 3600)
		eta = 99 * 3600;
	snprintf(out, size, "%.1f MiB/s ETA %d:%02d", rate / (1 << 20),
		 (int)eta / 60, (int)eta % 60);
}

static void draw(struct zxc_progress *p)
{
	char bar[PROGRESS_WIDTH + 1], speed[48];
	double frac = p->total ? (double)p->done / (double)p->total : 1.0;
	int fill = (int)(frac * PROGRESS_WIDTH), i;

	for (i = 0; i < PROGRESS_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[PROGRESS_WIDTH] = '\0';
	rate_eta(p, speed, sizeof(speed));
	/* On a terminal, "\033[K" clears what a longer line left. */
	fprintf(stderr, "\r%s [%s] %3d%% %.1f/%.1f MiB %s%s%s%s", p->label,
		bar, (int)(frac * 100), (double)p->done / (1 << 20),
		(double)p->total / (1 << 20), speed, p->extra[0] ? ", " : "",
		p->extra, isatty(STDERR_FILENO) ? "\033[K" : "");
	fflush(stderr);
	p->shown = true;
}

void zxc_progress_add(struct zxc_progress *p, uint64_t bytes)
{
	double t;

	p->done += bytes;
	if (!p->enabled)
		return;
	t = now();
	if (p->mode == ZXC_PROGRESS_AUTO && t - p->start < PROGRESS_DELAY)
		return;
	if (p->shown && t - p->last_draw < PROGRESS_PERIOD && p->done < p->total)
		return;
	p->last_draw = t;
	draw(p);
}

void zxc_progress_end(struct zxc_progress *p)
{
	/* A bar that was shown ends on its own line, at its final count. */
	if (!p->shown)
		return;
	draw(p);
	fputc('\n', stderr);
	p->shown = false;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc find`: where a pattern (bytes, text or a typed value) is in
 * the target's readable memory.  The regions come from regions.c, the
 * bytes from scan.c in batches; this file holds the command and the
 * matching, which carries the last bytes of each piece over to the next
 * piece that continues it, so a match that straddles two reads (or two
 * adjacent mappings) is found once.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "cli.h"

static const char find_usage[] =
"Usage: zxproc find [OPTIONS] PID PATTERN-OPTION\n"
"       zxproc find [OPTIONS] --name NAME PATTERN-OPTION\n"
"\n"
"Print the address of every place in process PID's readable memory that\n"
"holds the pattern, one per line (0x-hex), in address order.  The\n"
"mappings that allow reading (\"r\" in zxproc maps) are read through a\n"
"process handle with ZX_RIGHT_READ, many ranges per system call.\n"
"\n"
"The pattern, exactly one of:\n"
"  --hex HEX          bytes in memory order: \"de ad be ef\" or \"deadbeef\"\n"
"  --string TEXT      the bytes of TEXT, without a terminating NUL\n"
"  --u8 N, --u16 N, --u32 N, --u64 N, --i8 N, --i16 N, --i32 N, --i64 N,\n"
"  --f32 X, --f64 X   a value of that type, in the machine's byte order\n"
"                     (several, comma-separated: one after the other)\n"
"\n"
"Options:\n"
"  --region NAME      only the mappings named NAME ([heap], [stack],\n"
"                     libc.so.6, a full path, the program's name); again\n"
"                     for more\n"
"  --align N          only addresses that are multiples of N (default 1)\n"
"  --limit N          stop after N matches\n"
"  --fault            read every page, faulting in those not resident\n"
"                     (swapped out, never touched); by default they are\n"
"                     passed over, leaving the target's memory as it was\n"
"  --name NAME        the process by name instead of PID (see zxproc --help)\n"
"  --progress=WHEN    progress with rate and time left on stderr: auto (on\n"
"                     a terminal, after a second; the default), always, never\n"
"  -h, --help         this text\n"
"\n"
"Memory that turns out unreadable while it is scanned (unmapped meanwhile,\n"
"device memory) is skipped.  A count of matches and bytes, with the bytes\n"
"not resident and so not read, goes to stderr.\n"
"Exit status 15 when nothing matches; others: see zxproc --help.\n";

struct matcher {
	const uint8_t *pat;
	size_t plen;
	uint64_t align, limit, found;
	uint8_t *tail;		/* up to plen - 1 bytes ending at tail_end */
	size_t tail_len;
	uint64_t tail_end;
	uint8_t *join;		/* tail + the first plen - 1 bytes of a piece */
};

/* 1 when the limit is reached, -1 when stdout fails. */
static int hit(struct matcher *m, uint64_t addr)
{
	if (addr % m->align != 0)
		return 0;
	if (printf("0x%" PRIx64 "\n", addr) < 0)
		return -1;
	m->found++;
	return m->limit && m->found >= m->limit ? 1 : 0;
}

/* Matches in @buf that start before @starts_before. */
static int search(struct matcher *m, uint64_t addr, const uint8_t *buf,
		  size_t len, size_t starts_before)
{
	const uint8_t *p = buf, *end = buf + len;
	int ret;

	while ((size_t)(end - p) >= m->plen) {
		p = memmem(p, (size_t)(end - p), m->pat, m->plen);
		if (p == NULL || (size_t)(p - buf) >= starts_before)
			break;
		ret = hit(m, addr + (uint64_t)(p - buf));
		if (ret != 0)
			return ret;
		p++;
	}
	return 0;
}

static int match_chunk(void *ctx, uint64_t addr, const uint8_t *buf,
		       size_t len)
{
	struct matcher *m = ctx;
	size_t keep = m->plen - 1, head, n;
	int ret;

	/* Straddling matches: those starting in the tail. */
	if (m->tail_len > 0 && m->tail_end == addr) {
		head = len < keep ? len : keep;
		memcpy(m->join, m->tail, m->tail_len);
		memcpy(m->join + m->tail_len, buf, head);
		ret = search(m, addr - m->tail_len, m->join,
			     m->tail_len + head, m->tail_len);
		if (ret != 0)
			return ret;
	} else {
		m->tail_len = 0;
	}
	ret = search(m, addr, buf, len, len);
	if (ret != 0)
		return ret;
	/* The new tail: the last keep bytes of the tail and this piece. */
	if (len >= keep) {
		memcpy(m->tail, buf + len - keep, keep);
		m->tail_len = keep;
	} else {
		n = m->tail_len + len > keep ? m->tail_len + len - keep : 0;
		memmove(m->tail, m->tail + n, m->tail_len - n);
		memcpy(m->tail + m->tail_len - n, buf, len);
		m->tail_len = m->tail_len - n + len;
	}
	m->tail_end = addr + len;
	return 0;
}

/* "16 KiB", "2.4 MiB": the summary's sizes. */
static void size_text(uint64_t bytes, char *out, size_t size)
{
	if (bytes < ((uint64_t)1 << 20))
		snprintf(out, size, "%" PRIu64 " KiB", (bytes + 1023) >> 10);
	else
		snprintf(out, size, "%.1f MiB", (double)bytes / (1 << 20));
}

enum { OPT_HEX = 256, OPT_STRING, OPT_REGION, OPT_ALIGN, OPT_LIMIT,
       OPT_NAME, OPT_PROGRESS, OPT_FAULT, OPT_TYPE };

/* The regions to scan: readable, and named by a --region if any. */
static int pick_regions(const struct zxc_target *t, char **names,
			size_t n_names, struct zxc_maps *out, uint64_t *total)
{
	size_t i, j;

	out->n = 0;
	*total = 0;
	out->v = calloc(t->maps.n ? t->maps.n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		zxc_err("out of memory");
		return ZXC_EXIT_FAILURE;
	}
	for (j = 0; j < n_names; j++) {
		for (i = 0; i < t->maps.n; i++)
			if (zxc_maps_name_matches(names[j], strlen(names[j]),
						  t->maps.v[i].name))
				break;
		if (i == t->maps.n) {
			zxc_err("--region %s: process %d has no mapping named \"%s\"",
				names[j], (int)t->pid, names[j]);
			return ZXC_EXIT_NOT_MAPPED;
		}
	}
	for (i = 0; i < t->maps.n; i++) {
		const struct zxc_mapping *m = &t->maps.v[i];
		bool named = n_names == 0;

		for (j = 0; j < n_names && !named; j++)
			named = zxc_maps_name_matches(names[j], strlen(names[j]),
						      m->name);
		if (!named || m->perms[0] != 'r')
			continue;
		/* Shallow: the names stay t->maps's. */
		out->v[out->n++] = *m;
		*total += m->end - m->start;
	}
	return ZXC_EXIT_OK;
}

int zxc_cmd_find(int argc, char **argv)
{
	struct option opts[] = {
		{ "hex", required_argument, NULL, OPT_HEX },
		{ "string", required_argument, NULL, OPT_STRING },
		{ "region", required_argument, NULL, OPT_REGION },
		{ "align", required_argument, NULL, OPT_ALIGN },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "fault", no_argument, NULL, OPT_FAULT },
		{ "help", no_argument, NULL, 'h' },
		[9 + ZXC_TYPE_COUNT] = { NULL, 0, NULL, 0 },
	};
	enum zxc_progress_mode pmode = ZXC_PROGRESS_AUTO;
	struct matcher m = { .align = 1 };
	const struct zxc_type *type = NULL;
	const char *hex = NULL, *string = NULL, *value = NULL;
	struct zxc_who who = { NULL, 0 };
	struct zxc_maps regions = { NULL, 0 };
	struct zxc_scan_stats stats;
	bool fault = false;
	struct zxc_progress progress;
	struct zxc_target target;
	uint8_t *pat = NULL;
	char **names = NULL, why[256];
	size_t n_names = 0;
	uint64_t total;
	int c, code, sources;

	zxc_type_options(&opts[9], required_argument, OPT_TYPE);
	names = calloc((size_t)argc, sizeof(*names));
	if (names == NULL) {
		zxc_err("out of memory");
		return ZXC_EXIT_FAILURE;
	}
	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HEX:
			hex = optarg;
			break;
		case OPT_STRING:
			string = optarg;
			break;
		case OPT_REGION:
			names[n_names++] = optarg;
			break;
		case OPT_ALIGN:
			if (!zxc_parse_u64(optarg, &m.align) || m.align == 0) {
				code = zxc_usage_err("find", "bad --align \"%s\": give a number above 0", optarg);
				goto out;
			}
			break;
		case OPT_LIMIT:
			if (!zxc_parse_u64(optarg, &m.limit) || m.limit == 0) {
				code = zxc_usage_err("find", "bad --limit \"%s\": give a number above 0", optarg);
				goto out;
			}
			break;
		case OPT_NAME:
			who.name = optarg;
			break;
		case OPT_FAULT:
			fault = true;
			break;
		case OPT_PROGRESS:
			if (!zxc_progress_parse(optarg, &pmode)) {
				code = zxc_usage_err("find", "bad --progress \"%s\": give auto, always or never", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(find_usage, stdout);
			code = ZXC_EXIT_OK;
			goto out;
		default:
			if (c >= OPT_TYPE && c < OPT_TYPE + ZXC_TYPE_COUNT) {
				if (type != NULL) {
					code = zxc_usage_err("find", "give one value option, not --%s and --%s",
							     type->name, zxc_types[c - OPT_TYPE].name);
					goto out;
				}
				type = &zxc_types[c - OPT_TYPE];
				value = optarg;
				break;
			}
			code = zxc_option_err("find", c, argv);
			goto out;
		}
	}
	if (argc - optind != (who.name ? 0 : 1)) {
		code = zxc_usage_err("find", who.name ? "expected no argument with --name, got %d" :
				     "expected PID (or --name NAME), got %d arguments",
				     argc - optind);
		goto out;
	}
	if (who.name == NULL) {
		code = zxc_who_arg("find", &who, argv[optind]);
		if (code != ZXC_EXIT_OK)
			goto out;
	}
	sources = (hex != NULL) + (string != NULL) + (type != NULL);
	if (sources != 1) {
		code = zxc_usage_err("find", "give exactly one of --hex, --string and a value option (--u8 ... --f64)");
		goto out;
	}
	if (hex != NULL) {
		pat = zxc_parse_hex(hex, &m.plen, why, sizeof(why));
	} else if (string != NULL) {
		m.plen = strlen(string);
		pat = m.plen ? (uint8_t *)strdup(string) : NULL;
		snprintf(why, sizeof(why), m.plen ? "out of memory" : "it is empty");
	} else {
		pat = zxc_type_parse(type, value, &m.plen, why, sizeof(why));
	}
	if (pat == NULL) {
		code = zxc_usage_err("find", "bad %s: %s", hex ? "--hex" : string ? "--string" : "value", why);
		goto out;
	}
	m.pat = pat;
	m.tail = malloc(m.plen);
	m.join = malloc(2 * m.plen);
	if (m.tail == NULL || m.join == NULL) {
		zxc_err("out of memory");
		code = ZXC_EXIT_FAILURE;
		goto out;
	}

	code = zxc_who_resolve(&who);
	if (code != ZXC_EXIT_OK)
		goto out;
	code = zxc_target_open(&target, who.pid, ZX_RIGHT_READ);
	if (code == ZXC_EXIT_OK && target.maps_errno != 0) {
		zxc_err("cannot list the mappings of process %d: %s",
			(int)who.pid, strerror(target.maps_errno));
		code = ZXC_EXIT_PERMISSION;
	}
	if (code == ZXC_EXIT_OK)
		code = pick_regions(&target, names, n_names, &regions, &total);
	if (code == ZXC_EXIT_OK) {
		zxc_progress_start(&progress, pmode, "searching", total);
		code = zxc_scan(&target, &regions, fault, &progress, match_chunk, &m,
				&stats);
		zxc_progress_end(&progress);
		if (fflush(stdout) != 0 && code == ZXC_EXIT_OK) {
			zxc_err("cannot write the matches to standard output");
			code = ZXC_EXIT_FAILURE;
		}
	}
	if (code == ZXC_EXIT_OK) {
		char read_text[32], skipped_text[32], absent_text[32];

		size_text(stats.bytes, read_text, sizeof(read_text));
		size_text(stats.skipped, skipped_text, sizeof(skipped_text));
		fprintf(stderr, "%" PRIu64 " match%s in %zu region%s, %s read",
			m.found, m.found == 1 ? "" : "es", regions.n,
			regions.n == 1 ? "" : "s", read_text);
		if (stats.not_resident) {
			size_text(stats.not_resident, absent_text, sizeof(absent_text));
			fprintf(stderr, ", %s not resident, not read", absent_text);
		}
		if (stats.skipped)
			fprintf(stderr, ", %s unreadable skipped", skipped_text);
		fprintf(stderr, "%s\n", m.limit && m.found >= m.limit ? " (--limit reached)" : "");
		if (m.found == 0)
			code = ZXC_EXIT_NO_MATCH;
	}
	free(regions.v);
	zxc_target_close(&target);
out:
	free(m.tail);
	free(m.join);
	free(pat);
	free(names);
	return code;
}

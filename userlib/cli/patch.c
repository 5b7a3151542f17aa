// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc patch PID FILE`: a list of writes applied through one handle.
 *
 * Nothing is written unless every line is good: all lines are parsed,
 * every ADDR is resolved against /proc/PID/maps, every range is checked
 * to lie in mapped memory that can be written, and read back through the
 * handle, and only then are the writes made, in file order.  If one of
 * them still fails (the target unmapped memory, exec'd or exited in the
 * meantime), the ones before it stay written and are counted.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "cli.h"

static const char patch_usage[] =
"Usage: zxproc patch [OPTIONS] PID FILE\n"
"\n"
"Apply the writes listed in FILE (\"-\": standard input) to process PID,\n"
"through one process handle.  Each line is\n"
"\n"
"    ADDR HEX        e.g.  [heap]+0x10 de ad be ef\n"
"\n"
"with ADDR as for zxproc write and HEX the bytes in memory order (blanks\n"
"between bytes allowed).  '#' starts a comment; blank lines are ignored.\n"
"\n"
"Every line is parsed, every ADDR resolved, and every range checked\n"
"(mapped and writable per /proc/PID/maps, and readable through the\n"
"handle) before anything is written; one bad line and nothing is.  The\n"
"writes are then made in file order, and a summary is printed.\n"
"\n"
"Options:\n"
"  --progress=WHEN    progress bar on stderr: auto (on a terminal, after a\n"
"                     second; the default), always, never\n"
"  -h, --help         this text\n"
"\n"
"Exit codes: see zxproc --help; 8 if the target changed midway and only\n"
"some writes were made (the summary says which).\n";

/* Errors listed before "... and N more". */
#define MAX_REPORTED 20

struct entry {
	unsigned int line;
	char *addr_text;
	uint64_t addr;
	uint8_t *data;
	size_t len;
};

struct patch {
	const char *file;
	struct entry *v;
	size_t n, cap;
	unsigned int errors;
	int first_code;
};

static void patch_free(struct patch *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->v[i].addr_text);
		free(p->v[i].data);
	}
	free(p->v);
}

/* One error on a line: printed (up to MAX_REPORTED) and counted. */
static void line_error(struct patch *p, unsigned int line, int code,
		       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line_error(struct patch *p, unsigned int line, int code,
		       const char *fmt, ...)
{
	va_list ap;

	if (p->errors++ == 0)
		p->first_code = code;
	if (p->errors > MAX_REPORTED)
		return;
	fprintf(stderr, "zxproc: %s:%u: ", p->file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "ADDR HEX  # comment": '#' starts a comment at a line's start or after a blank. */
static void parse_line(struct patch *p, char *text, unsigned int line)
{
	char *hash, *addr, *hex, why[256];
	struct entry e = { .line = line };

	for (hash = text; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash == text || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	addr = text + strspn(text, " \t\r");
	if (*addr == '\0')
		return;
	hex = addr + strcspn(addr, " \t\r");
	if (*hex != '\0')
		*hex++ = '\0';
	hex += strspn(hex, " \t\r");
	hex[strcspn(hex, "\r")] = '\0';
	if (*hex == '\0') {
		line_error(p, line, ZXC_EXIT_USAGE,
			   "\"%s\" has no bytes: each line is \"ADDR HEX\"", addr);
		return;
	}
	e.data = zxc_parse_hex(hex, &e.len, why, sizeof(why));
	if (e.data == NULL) {
		line_error(p, line, ZXC_EXIT_USAGE, "bad bytes: %s", why);
		return;
	}
	e.addr_text = strdup(addr);
	if (e.addr_text == NULL || (p->n == p->cap &&
	    (p->cap = p->cap ? p->cap * 2 : 64,
	     (p->v = realloc(p->v, p->cap * sizeof(*p->v))) == NULL))) {
		zxc_err("out of memory");
		exit(ZXC_EXIT_FAILURE);
	}
	p->v[p->n++] = e;
}

static int parse_file(struct patch *p)
{
	FILE *f = stdin;
	char *text = NULL;
	size_t cap = 0;
	unsigned int line = 0;

	if (strcmp(p->file, "-") != 0) {
		f = fopen(p->file, "re");
		if (f == NULL) {
			zxc_err("cannot open %s: %s", p->file, strerror(errno));
			return ZXC_EXIT_FAILURE;
		}
	} else {
		p->file = "(stdin)";
	}
	while (getline(&text, &cap, f) >= 0) {
		line++;
		text[strcspn(text, "\n")] = '\0';
		parse_line(p, text, line);
	}
	free(text);
	if (ferror(f)) {
		zxc_err("cannot read %s: %s", p->file, strerror(errno));
		if (f != stdin)
			fclose(f);
		return ZXC_EXIT_FAILURE;
	}
	if (f != stdin)
		fclose(f);
	if (p->errors == 0 && p->n == 0) {
		zxc_err("%s lists no writes", p->file);
		return ZXC_EXIT_USAGE;
	}
	return ZXC_EXIT_OK;
}

/* The range must lie in mappings that a write can go through. */
static void check_mapped(struct patch *p, const struct zxc_target *t,
			 const struct entry *e, const char *unforced)
{
	uint64_t at = e->addr, end = e->addr + e->len;

	if (end < at) {
		line_error(p, e->line, ZXC_EXIT_NOT_MAPPED,
			   "%s + %zu bytes runs past the end of the address space",
			   e->addr_text, e->len);
		return;
	}
	while (at < end) {
		const struct zxc_mapping *m = zxc_maps_find(&t->maps, at);
		const char *name;

		if (m == NULL) {
			line_error(p, e->line, ZXC_EXIT_NOT_MAPPED,
				   at == e->addr ? "%s (0x%" PRIx64 ") is not mapped in process %d" :
						   "%s: the range runs past mapped memory at 0x%" PRIx64 " in process %d",
				   e->addr_text, at, (int)t->pid);
			return;
		}
		name = m->name[0] ? m->name : "anonymous memory";
		if (m->perms[1] != 'w' && m->perms[3] == 's') {
			line_error(p, e->line, ZXC_EXIT_NOT_MAPPED,
				   "%s: 0x%" PRIx64 " is in a read-only shared mapping (%s %s), which cannot be written",
				   e->addr_text, at, m->perms, name);
			return;
		}
		if (m->perms[1] != 'w' && unforced != NULL) {
			line_error(p, e->line, ZXC_EXIT_NOT_MAPPED,
				   "%s: 0x%" PRIx64 " is read-only (%s %s), and writes are not forced: %s",
				   e->addr_text, at, m->perms, name, unforced);
			return;
		}
		at = m->end;
	}
}

static int discard(void *ctx, uint64_t addr, const uint8_t *buf, size_t len)
{
	(void)ctx;
	(void)addr;
	(void)buf;
	(void)len;
	return 0;
}

/* Resolve, check against the maps, and read every range through the handle. */
static void check_all(struct patch *p, const struct zxc_target *t)
{
	const char *unforced = zxc_unforced_why();
	struct zxc_xfer x;
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct entry *e = &p->v[i];
		enum zxc_addr_result res;
		unsigned int before = p->errors;
		char why[512];
		bool first;

		res = zxc_addr_resolve(e->addr_text, &t->maps, &e->addr, why,
				       sizeof(why));
		if (res != ZXC_ADDR_OK) {
			line_error(p, e->line, zxc_addr_exit(res), "bad address: %s", why);
			continue;
		}
		/* Without the maps, the read below is the only check. */
		if (t->maps_errno == 0)
			check_mapped(p, t, e, unforced);
		if (p->errors != before)
			continue;
		zxc_read_range(t, e->addr, e->len, discard, NULL, &x);
		if (x.status == ZX_OK && x.done == e->len)
			continue;
		if (x.status == ZX_OK) {
			line_error(p, e->line, ZXC_EXIT_NOT_MAPPED,
				   "%s: only %" PRIu64 " of %zu bytes can be read through the handle",
				   e->addr_text, x.done, e->len);
			continue;
		}
		/* errors.c words the status; this line says which entry. */
		first = p->errors == 0;
		line_error(p, e->line, ZXC_EXIT_FAILURE,
			   "%s: reading the range through the handle failed:",
			   e->addr_text);
		if (p->errors <= MAX_REPORTED) {
			int code = zxc_status_fail(ZXC_OP_READ, x.status,
						   t->pid, t->handle, x.stop);

			if (first)
				p->first_code = code;
		}
	}
}

static int apply_all(struct patch *p, const struct zxc_target *t,
		     enum zxc_progress_mode pmode)
{
	struct zxc_progress progress;
	uint64_t total = 0, bytes = 0;
	struct zxc_xfer x;
	size_t i;
	int code;

	for (i = 0; i < p->n; i++)
		total += p->v[i].len;
	zxc_progress_start(&progress, pmode, "patching", total);
	for (i = 0; i < p->n; i++) {
		const struct entry *e = &p->v[i];

		zxc_write_range(t, e->addr, e->data, e->len, &progress, &x);
		bytes += x.done;
		if (x.status == ZX_OK && x.done == e->len)
			continue;
		zxc_progress_end(&progress);
		zxc_err("%s:%u: writing %zu bytes at %s failed:", p->file,
			e->line, e->len, e->addr_text);
		code = zxc_xfer_fail(t, ZXC_OP_WRITE, e->addr, e->len, &x);
		zxc_err("applied %zu of %zu writes (%" PRIu64 " bytes in all) to process %d; the writes after line %u were not made",
			i, p->n, bytes, (int)t->pid, e->line);
		return bytes > 0 ? ZXC_EXIT_PARTIAL : code;
	}
	zxc_progress_end(&progress);
	printf("applied %zu write%s, %" PRIu64 " bytes, to process %d\n", p->n,
	       p->n == 1 ? "" : "s", bytes, (int)t->pid);
	return ZXC_EXIT_OK;
}

int zxc_cmd_patch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "progress", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum zxc_progress_mode pmode = ZXC_PROGRESS_AUTO;
	struct patch p = { 0 };
	struct zxc_target target;
	pid_t pid;
	int c, code;

	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'P':
			if (!zxc_progress_parse(optarg, &pmode))
				return zxc_usage_err("patch", "bad --progress \"%s\": give auto, always or never", optarg);
			break;
		case 'h':
			fputs(patch_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			return zxc_usage_err("patch", "unknown option");
		}
	}
	if (argc - optind != 2)
		return zxc_usage_err("patch", "expected PID and FILE, got %d argument%s",
				     argc - optind, argc - optind == 1 ? "" : "s");
	if (!zxc_parse_pid(argv[optind], &pid))
		return zxc_usage_err("patch", "bad PID \"%s\": give a process id (decimal, above 0)", argv[optind]);
	p.file = argv[optind + 1];

	code = parse_file(&p);
	if (code == ZXC_EXIT_OK && p.errors == 0) {
		code = zxc_target_open(&target, pid, ZX_RIGHT_READ | ZX_RIGHT_WRITE);
		if (code != ZXC_EXIT_OK) {
			patch_free(&p);
			return code;
		}
		if (target.maps_errno != 0)
			zxc_note("/proc/%d/maps is unreadable (%s): ranges are checked by reading them only",
				 (int)pid, strerror(target.maps_errno));
		check_all(&p, &target);
		if (p.errors == 0)
			code = apply_all(&p, &target, pmode);
		zxc_target_close(&target);
	}
	if (p.errors > 0) {
		if (p.errors > MAX_REPORTED)
			zxc_err("... and %u more", p.errors - MAX_REPORTED);
		zxc_err("nothing was written: %u error%s in %s", p.errors,
			p.errors == 1 ? "" : "s", p.file);
		code = p.first_code;
	}
	patch_free(&p);
	return code;
}

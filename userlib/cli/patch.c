// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc patch PID FILE`: a list of writes applied through one handle
 * (or one write given on the command line: PID ADDR HEX).
 *
 * Nothing is written unless every line is good: all lines are parsed,
 * every ADDR is resolved against the target's mappings, every range is
 * checked to lie in mapped memory that can be written, and read through
 * the handle (and compared with the bytes a line expects), and only then
 * are the writes made, in file order.  If one of them still fails (the
 * target unmapped memory, exec'd or exited in the meantime, or changed
 * an expected byte), the ones before it stay written and are counted.
 *
 * The old bytes read in the check make the undo file (--save-undo): a
 * patch file, written before the first write, that puts them back, each
 * line expecting the bytes this patch wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "cli.h"

static const char patch_usage[] =
"Usage: zxproc patch [OPTIONS] PID FILE\n"
"       zxproc patch [OPTIONS] PID ADDR HEX [--expect OLDHEX]\n"
"       (--name NAME instead of PID in both)\n"
"\n"
"Apply the writes listed in FILE (\"-\": standard input) to process PID,\n"
"through one process handle.  Each line is\n"
"\n"
"    ADDR HEX [expect OLDHEX]    e.g.  [heap]+0x10 de ad be ef expect 00000000\n"
"\n"
"with ADDR as for zxproc write and HEX the bytes in memory order (blanks\n"
"between bytes allowed); with \"expect OLDHEX\" (as many bytes), the line\n"
"is written only over exactly those bytes.  '#' starts a comment; blank\n"
"lines are ignored.  Lines of `zxproc read --xxd` (and of xxd(1), whose\n"
"offsets are then addresses), \"HEXADDR: HEX  TEXT\", are taken too.\n"
"The second form is one such line given as arguments.\n"
"\n"
"Every line is parsed, every ADDR resolved, and every range checked\n"
"before anything is written: mapped; not read-only shared memory, nor\n"
"read-only private memory (program text) when writes are not forced\n"
"(zxproc status); readable through the handle; holding OLDHEX if\n"
"expected.  One bad line and nothing is written.  The writes are then\n"
"made in file order, and a summary is printed.\n"
"\n"
"Options:\n"
"  --expect OLDHEX    (second form) write only if ADDR holds OLDHEX\n"
"  --dry-run          check everything, print each write as\n"
"                     \"ADDR: OLDHEX -> HEX\", write nothing\n"
"  --save-undo UNDO   before writing, save the old bytes as a patch file\n"
"                     UNDO (which must not exist) that puts them back:\n"
"                     `zxproc patch PID UNDO` (it expects this patch's\n"
"                     bytes, so it refuses if they changed since)\n"
"  --progress=WHEN    progress bar on stderr: auto (on a terminal, after a\n"
"                     second; the default), always, never\n"
"  --name NAME        the process by name instead of PID (see zxproc --help)\n"
"  -h, --help         this text\n"
"\n"
"Exit codes: see zxproc --help; 14 if the memory does not hold the\n"
"expected bytes (nothing written), 8 if the target changed midway and\n"
"only some writes were made (the summary says which).\n";

/* Errors listed before "... and N more". */
#define MAX_REPORTED 20

struct entry {
	unsigned int line;
	char *addr_text;
	uint64_t addr;
	uint8_t *data;
	uint8_t *expect;	/* the bytes the line expects, or NULL */
	uint8_t *old;		/* the bytes found by the check */
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
		free(p->v[i].expect);
		free(p->v[i].old);
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

/*
 * An xxd line, "00007f0000001000: 4865 6c6c  He": the address is hex
 * without 0x and ends in ':'; the bytes are groups separated by single
 * blanks, and end at the two blanks before the text column.  Returns
 * the address as "0x..." (malloc'd), or NULL when @addr is not such an
 * address.
 */
static char *xxd_line(const char *addr, char *rest)
{
	size_t len = strlen(addr), i;
	char *gap, *out;

	if (len < 2 || addr[len - 1] != ':')
		return NULL;
	for (i = 0; i < len - 1; i++)
		if (!strchr("0123456789abcdefABCDEF", addr[i]))
			return NULL;
	if (asprintf(&out, "0x%.*s", (int)(len - 1), addr) < 0) {
		zxc_err("out of memory");
		exit(ZXC_EXIT_FAILURE);
	}
	gap = strstr(rest, "  ");
	if (gap != NULL)
		*gap = '\0';
	return out;
}

/* " expect " as a word in @hex: cut there, return what follows, or NULL. */
static char *split_expect(char *hex)
{
	char *w;

	for (w = hex; (w = strstr(w, "expect")) != NULL; w += 6)
		if ((w == hex || w[-1] == ' ' || w[-1] == '\t') &&
		    (w[6] == ' ' || w[6] == '\t' || w[6] == '\0')) {
			*w = '\0';
			return w + 6;
		}
	return NULL;
}

static void add_entry(struct patch *p, struct entry *e)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		struct entry *v = realloc(p->v, cap * sizeof(*v));

		if (v == NULL) {
			zxc_err("out of memory");
			exit(ZXC_EXIT_FAILURE);
		}
		p->v = v;
		p->cap = cap;
	}
	p->v[p->n++] = *e;
}

/* One write: ADDR, its bytes and the expected ones (NULL: none). */
static void parse_write(struct patch *p, unsigned int line, const char *addr,
			const char *hex, const char *old)
{
	struct entry e = { .line = line };
	char why[256];

	e.data = zxc_parse_hex(hex, &e.len, why, sizeof(why));
	if (e.data == NULL) {
		line_error(p, line, ZXC_EXIT_USAGE, "bad bytes: %s", why);
		return;
	}
	if (old != NULL) {
		size_t old_len;

		e.expect = zxc_parse_hex(old, &old_len, why, sizeof(why));
		if (e.expect == NULL) {
			line_error(p, line, ZXC_EXIT_USAGE, "bad expected bytes: %s", why);
			free(e.data);
			return;
		}
		if (old_len != e.len) {
			line_error(p, line, ZXC_EXIT_USAGE,
				   "%zu bytes to write, but %zu expected: give as many old bytes as new",
				   e.len, old_len);
			free(e.data);
			free(e.expect);
			return;
		}
	}
	e.addr_text = strdup(addr);
	e.old = malloc(e.len);
	if (e.addr_text == NULL || e.old == NULL) {
		zxc_err("out of memory");
		exit(ZXC_EXIT_FAILURE);
	}
	add_entry(p, &e);
}

/* "ADDR HEX [expect HEX]  # comment": '#' starts a comment at a line's start or after a blank. */
static void parse_line(struct patch *p, char *text, unsigned int line)
{
	char *hash, *addr, *hex, *old = NULL, *xxd_addr, why[256];

	for (hash = text; (hash = strchr(hash, '#')) != NULL; hash++)
		if (hash == text || hash[-1] == ' ' || hash[-1] == '\t') {
			*hash = '\0';
			break;
		}
	text[strcspn(text, "\r")] = '\0';
	addr = text + strspn(text, " \t");
	if (*addr == '\0')
		return;
	hex = addr + strcspn(addr, " \t");
	if (*hex != '\0')
		*hex++ = '\0';
	hex += strspn(hex, " \t");
	xxd_addr = xxd_line(addr, hex);
	if (xxd_addr != NULL) {
		addr = xxd_addr;
	} else {
		old = split_expect(hex);
		if (!zxc_addr_syntax_ok(addr, why, sizeof(why))) {
			line_error(p, line, ZXC_EXIT_USAGE, "bad address: %s", why);
			return;
		}
	}
	if (hex[strspn(hex, " \t")] == '\0') {
		line_error(p, line, ZXC_EXIT_USAGE,
			   "\"%s\" has no bytes: each line is \"ADDR HEX\"", addr);
		free(xxd_addr);
		return;
	}
	parse_write(p, line, addr, hex, old);
	free(xxd_addr);
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

/* The check's read: the old bytes, for --expect, --dry-run and the undo file. */
static int keep_old(void *ctx, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct entry *e = ctx;

	memcpy(e->old + (addr - e->addr), buf, len);
	return 0;
}

static void hex_out(FILE *f, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		fprintf(f, "%02x", buf[i]);
}

/* The expected bytes were not found: says what was. */
static void mismatch(struct patch *p, const struct entry *e,
		     const uint8_t *found)
{
	line_error(p, e->line, ZXC_EXIT_MISMATCH,
		   "%s holds other bytes than expected:", e->addr_text);
	if (p->errors <= MAX_REPORTED) {
		fputs("zxproc:   expected ", stderr);
		hex_out(stderr, e->expect, e->len);
		fputs("\nzxproc:   found    ", stderr);
		hex_out(stderr, found, e->len);
		fputc('\n', stderr);
	}
}

/*
 * What @e's range will hold when its turn comes: the bytes read now,
 * with the writes of the lines before it that overlap it.  Its expected
 * bytes are compared with that, and the undo file restores that, so a
 * patch whose lines overlap is checked, and taken back, line by line.
 */
static void overlay_earlier(const struct patch *p, struct entry *e)
{
	for (const struct entry *o = p->v; o < e; o++) {
		uint64_t from = o->addr > e->addr ? o->addr : e->addr;
		uint64_t to = o->addr + o->len < e->addr + e->len ?
			      o->addr + o->len : e->addr + e->len;

		if (from < to)
			memcpy(e->old + (from - e->addr), o->data + (from - o->addr),
			       (size_t)(to - from));
	}
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
		zxc_read_range(t, e->addr, e->len, keep_old, e, &x);
		if (x.status == ZX_OK && x.done == e->len) {
			overlay_earlier(p, e);
			if (e->expect && memcmp(e->old, e->expect, e->len) != 0)
				mismatch(p, e, e->old);
			continue;
		}
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

/*
 * The undo file: entries [0, @n) taken back, last first (so overlapping
 * writes come back in the right order), each expecting what it wrote.
 * @fresh: create it (it must not exist); else rewrite it in place.
 */
static int write_undo(const struct patch *p, const struct zxc_target *t,
		      const char *path, size_t n, bool fresh)
{
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
		  (fresh ? O_EXCL : O_TRUNC), 0600);
	if (fd < 0) {
		zxc_err("cannot create the undo file %s: %s%s", path,
			strerror(errno), errno == EEXIST ? " (an older undo file? remove it or choose another name)" : "");
		return ZXC_EXIT_FAILURE;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		zxc_err("cannot write the undo file %s: %s", path, strerror(errno));
		return ZXC_EXIT_FAILURE;
	}
	fprintf(f, "# zxproc undo file for process %d: `zxproc patch %d %s`\n"
		"# puts back the bytes %s changed (each line expects them unchanged since)\n",
		(int)t->pid, (int)t->pid, path, p->file);
	while (n-- > 0) {
		const struct entry *e = &p->v[n];

		fprintf(f, "0x%" PRIx64 " ", e->addr);
		hex_out(f, e->old, e->len);
		fputs(" expect ", f);
		hex_out(f, e->data, e->len);
		fputc('\n', f);
	}
	if (fflush(f) != 0 || fsync(fd) != 0 || ferror(f)) {
		zxc_err("cannot write the undo file %s: %s", path, strerror(errno));
		fclose(f);
		return ZXC_EXIT_FAILURE;
	}
	if (fclose(f) != 0) {
		zxc_err("cannot write the undo file %s: %s", path, strerror(errno));
		return ZXC_EXIT_FAILURE;
	}
	return ZXC_EXIT_OK;
}

static void dry_run(const struct patch *p, const struct zxc_target *t)
{
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct entry *e = &p->v[i];

		printf("0x%" PRIx64 ": ", e->addr);
		hex_out(stdout, e->old, e->len);
		fputs(" -> ", stdout);
		hex_out(stdout, e->data, e->len);
		putchar('\n');
		bytes += e->len;
	}
	printf("would apply %zu write%s, %" PRIu64 " bytes, to process %d (dry run: nothing written)\n",
	       p->n, p->n == 1 ? "" : "s", bytes, (int)t->pid);
}

static int apply_all(struct patch *p, const struct zxc_target *t,
		     enum zxc_progress_mode pmode, const char *undo)
{
	struct zxc_progress progress;
	uint64_t total = 0, bytes = 0;
	struct zxc_xfer x;
	bool differs = false;
	uint8_t *found;
	size_t i, max = 0;
	int code;

	for (i = 0; i < p->n; i++) {
		total += p->v[i].len;
		if (p->v[i].len > max)
			max = p->v[i].len;
	}
	found = malloc(max);
	if (found == NULL) {
		zxc_err("out of memory");
		return ZXC_EXIT_FAILURE;
	}
	zxc_progress_start(&progress, pmode, "patching", total);
	for (i = 0; i < p->n; i++) {
		const struct entry *e = &p->v[i];

		if (e->expect) {
			zxc_write_if_equal(t, e->addr, e->expect, e->data,
					   e->len, found, &differs, &x);
			zxc_progress_add(&progress, x.done);
		} else {
			zxc_write_range(t, e->addr, e->data, e->len, &progress, &x);
		}
		bytes += x.done;
		if (!differs && x.status == ZX_OK && x.done == e->len)
			continue;
		zxc_progress_end(&progress);
		if (differs) {
			/* Changed since the check: stop before writing it. */
			mismatch(p, e, found);
			code = ZXC_EXIT_MISMATCH;
		} else {
			zxc_err("%s:%u: writing %zu bytes at %s failed:", p->file,
				e->line, e->len, e->addr_text);
			code = zxc_xfer_fail(t, ZXC_OP_WRITE, e->addr, e->len, &x);
		}
		zxc_err("applied %zu of %zu writes (%" PRIu64 " bytes in all) to process %d; the writes after line %u were not made",
			i, p->n, bytes, (int)t->pid, e->line);
		if (undo != NULL && write_undo(p, t, undo, i, false) == ZXC_EXIT_OK)
			zxc_note("%s now takes back the %zu writes made", undo, i);
		free(found);
		return bytes > 0 ? ZXC_EXIT_PARTIAL : code;
	}
	zxc_progress_end(&progress);
	free(found);
	printf("applied %zu write%s, %" PRIu64 " bytes, to process %d\n", p->n,
	       p->n == 1 ? "" : "s", bytes, (int)t->pid);
	return ZXC_EXIT_OK;
}

enum { OPT_PROGRESS = 256, OPT_EXPECT, OPT_DRY_RUN, OPT_UNDO, OPT_NAME };

int zxc_cmd_patch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "expect", required_argument, NULL, OPT_EXPECT },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "save-undo", required_argument, NULL, OPT_UNDO },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum zxc_progress_mode pmode = ZXC_PROGRESS_AUTO;
	const char *expect = NULL, *undo = NULL;
	struct zxc_who who = { NULL, 0 };
	struct patch p = { 0 };
	struct zxc_target target;
	bool dry = false;
	int c, code, n;

	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_PROGRESS:
			if (!zxc_progress_parse(optarg, &pmode))
				return zxc_usage_err("patch", "bad --progress \"%s\": give auto, always or never", optarg);
			break;
		case OPT_EXPECT:
			expect = optarg;
			break;
		case OPT_DRY_RUN:
			dry = true;
			break;
		case OPT_UNDO:
			undo = optarg;
			break;
		case OPT_NAME:
			who.name = optarg;
			break;
		case 'h':
			fputs(patch_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			return zxc_option_err("patch", c, argv);
		}
	}
	n = argc - optind - (who.name ? 0 : 1);
	if (n != 1 && n != 2)
		return zxc_usage_err("patch", "expected %sFILE, or %sADDR HEX; got %d argument%s",
				     who.name ? "" : "PID and ", who.name ? "" : "PID, ",
				     argc - optind, argc - optind == 1 ? "" : "s");
	if (who.name == NULL) {
		code = zxc_who_arg("patch", &who, argv[optind++]);
		if (code != ZXC_EXIT_OK)
			return code;
	}
	if (expect != NULL && n != 2)
		return zxc_usage_err("patch", "--expect goes with one write (PID ADDR HEX); in a file, end a line with \"expect OLDHEX\"");
	if (dry && undo != NULL)
		return zxc_usage_err("patch", "--dry-run writes nothing, not even an undo file: drop --save-undo");
	if (undo != NULL && access(undo, F_OK) == 0)
		return zxc_usage_err("patch", "the undo file %s exists: remove it or choose another name", undo);
	if (n == 2) {
		char why[256];

		p.file = "(command line)";
		if (!zxc_addr_syntax_ok(argv[optind], why, sizeof(why))) {
			code = zxc_usage_err("patch", "bad ADDR: %s", why);
			patch_free(&p);
			return code;
		}
		parse_write(&p, 1, argv[optind], argv[optind + 1], expect);
		code = p.errors ? p.first_code : ZXC_EXIT_OK;
	} else {
		p.file = argv[optind];
		code = parse_file(&p);
	}
	if (code == ZXC_EXIT_OK && p.errors == 0) {
		code = zxc_who_resolve(&who);
		if (code == ZXC_EXIT_OK)
			code = zxc_target_open(&target, who.pid,
					       ZX_RIGHT_READ | ZX_RIGHT_WRITE);
		if (code != ZXC_EXIT_OK) {
			patch_free(&p);
			return code;
		}
		if (target.maps_errno != 0)
			zxc_note("the mappings of process %d cannot be read (%s): ranges are checked by reading them only",
				 (int)who.pid, strerror(target.maps_errno));
		check_all(&p, &target);
		if (p.errors == 0 && dry)
			dry_run(&p, &target);
		else if (p.errors == 0 && undo != NULL)
			code = write_undo(&p, &target, undo, p.n, true);
		if (p.errors == 0 && !dry && code == ZXC_EXIT_OK)
			code = apply_all(&p, &target, pmode, undo);
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

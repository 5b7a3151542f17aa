// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc write` and `zxproc read`.  Everything the user typed is
 * checked, and the data to write is loaded, before the target is even
 * opened: a bad argument changes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zircon/syscalls.h>

#include "cli.h"

static const char write_usage[] =
"Usage: zxproc write [OPTIONS] PID ADDR DATA-OPTION\n"
"       zxproc write [OPTIONS] --name NAME ADDR DATA-OPTION\n"
"\n"
"Write bytes into the memory of process PID at ADDR, through a process\n"
"handle with ZX_RIGHT_WRITE.  Read-only private memory (program text) is\n"
"written by copy-on-write when writes are forced: see the module's\n"
"host_force_override and force_override parameters (zxproc status).\n"
"\n"
"The data, exactly one of:\n"
"  --hex HEX          bytes in memory order: \"de ad be ef\" or \"deadbeef\"\n"
"  --string TEXT      the bytes of TEXT, without a terminating NUL\n"
"  --file PATH        the contents of PATH (\"-\": standard input)\n"
"    --offset N       skip the first N bytes of PATH\n"
"    --length N       write N bytes of PATH (default: up to its end)\n"
"  --u8 N, --u16 N, --u32 N, --u64 N, --i8 N, --i16 N, --i32 N, --i64 N,\n"
"  --f32 X, --f64 X   values of that type, comma-separated (\"1,2,3\"), in\n"
"                     the machine's byte order (the target's: little-endian\n"
"                     on x86-64 and arm64)\n"
"    --count N        write the value(s) N times over (default 1)\n"
"\n"
"Options:\n"
"  --all-or-nothing   write every byte or none: if any page of the range\n"
"                     cannot be written, fail and write nothing (at most\n"
"                     64 MiB)\n"
"  --progress=WHEN    progress bar on stderr: auto (on a terminal, after a\n"
"                     second; the default), always, never\n"
"  --name NAME        the process by name instead of PID (see zxproc --help)\n"
"  -h, --help         this text\n"
"\n"
"ADDR is a number (0x1000, 4096) or a mapping name from /proc/PID/maps\n"
"([heap], [stack], libc.so.6, a full path, the program's own name), each\n"
"optionally followed by +OFFSET or -OFFSET.  N is decimal or 0x-hex.\n"
"If the range runs past writable memory, the bytes before it are written\n"
"and the count is reported (exit 8).  Exit codes: see zxproc --help.\n";

static const char read_usage[] =
"Usage: zxproc read [OPTIONS] PID ADDR LEN\n"
"       zxproc read [OPTIONS] PID ADDR --TYPE [--count N]\n"
"\n"
"Read LEN bytes of process PID's memory at ADDR, through a process handle\n"
"with ZX_RIGHT_READ, and print them as a hex dump whose first column is\n"
"the target's address (the layout of hexdump -C); or read N values of a\n"
"type and print them, one per line.\n"
"\n"
"Options:\n"
"  --xxd              the layout of xxd(1) instead: `xxd -r -s -ADDR` turns\n"
"                     it back into the bytes, and `zxproc patch` takes it\n"
"                     (edited or not) as a patch file\n"
"  --raw              write the bytes themselves to standard output\n"
"  --u8, --u16, --u32, --u64, --i8, --i16, --i32, --i64, --f32, --f64\n"
"                     values of that type (machine byte order), not bytes\n"
"  --count N          how many values (default 1)\n"
"  --name NAME        the process by name instead of PID (see zxproc --help)\n"
"  -h, --help         this text\n"
"\n"
"ADDR and LEN as for zxproc write.  If the range runs past readable memory,\n"
"the bytes before it are printed and the count is reported (exit 8).\n"
"Exit codes: see zxproc --help.\n";

/*
 * @length bytes of @path from @offset, or all of it from there when
 * !@have_length.  Pipes ("-") are read and discarded up to @offset.
 */
static uint8_t *load_file(const char *path, uint64_t offset, bool have_length,
			  uint64_t length, size_t *len, int *code)
{
	size_t cap = 0, used = 0;
	uint8_t *buf = NULL;
	uint64_t skipped = 0;
	int fd = STDIN_FILENO;

	*code = ZXC_EXIT_FAILURE;
	if (strcmp(path, "-") != 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			zxc_err("cannot open %s: %s", path, strerror(errno));
			return NULL;
		}
		if (offset > 0 && lseek(fd, (off_t)offset, SEEK_SET) == (off_t)offset) {
			struct stat st;

			/* Past the end of a regular file: as short as a pipe. */
			skipped = offset;
			if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
			    (uint64_t)st.st_size < offset)
				skipped = (uint64_t)st.st_size;
			if (skipped < offset)
				goto done;
		}
	}
	for (;;) {
		uint8_t tmp[65536];
		size_t want = sizeof(tmp);
		ssize_t n;

		if (skipped < offset && offset - skipped < want)
			want = (size_t)(offset - skipped);
		if (skipped == offset && have_length) {
			if (used == length)
				break;
			if (length - used < want)
				want = (size_t)(length - used);
		}
		n = read(fd, tmp, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			zxc_err("cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		if (skipped < offset) {
			skipped += (uint64_t)n;
			continue;
		}
		if (used + (size_t)n > cap) {
			size_t want_cap = cap ? cap * 2 : sizeof(tmp);
			uint8_t *grown;

			while (want_cap < used + (size_t)n)
				want_cap *= 2;
			grown = realloc(buf, want_cap);
			if (grown == NULL) {
				zxc_err("%s is too large to hold in memory", path);
				goto fail;
			}
			buf = grown;
			cap = want_cap;
		}
		memcpy(buf + used, tmp, (size_t)n);
		used += (size_t)n;
	}
done:
	*code = ZXC_EXIT_USAGE;
	if (skipped < offset)
		zxc_err("%s is shorter than --offset %" PRIu64 " (%" PRIu64 " bytes)",
			path, offset, skipped);
	else if (have_length && used < length)
		zxc_err("%s has only %zu bytes after offset %" PRIu64 ", not --length %" PRIu64,
			path, used, offset, length);
	else if (used == 0)
		zxc_err("nothing to write: %s has no bytes after offset %" PRIu64,
			path, offset);
	else {
		if (fd != STDIN_FILENO)
			close(fd);
		*len = used;
		return buf;
	}
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(buf);
	return NULL;
}

enum { OPT_HEX = 256, OPT_STRING, OPT_FILE, OPT_OFFSET, OPT_LENGTH, OPT_AON,
       OPT_PROGRESS, OPT_RAW, OPT_XXD, OPT_COUNT, OPT_NAME, OPT_TYPE };

/* The checks of ADDR that need no target (addr.c). */
static int addr_arg(const char *cmd, const char *text)
{
	char why[256];

	if (!zxc_addr_syntax_ok(text, why, sizeof(why)))
		return zxc_usage_err(cmd, "bad ADDR: %s", why);
	return ZXC_EXIT_OK;
}

int zxc_cmd_write(int argc, char **argv)
{
	struct option opts[] = {
		{ "hex", required_argument, NULL, OPT_HEX },
		{ "string", required_argument, NULL, OPT_STRING },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "offset", required_argument, NULL, OPT_OFFSET },
		{ "length", required_argument, NULL, OPT_LENGTH },
		{ "all-or-nothing", no_argument, NULL, OPT_AON },
		{ "progress", required_argument, NULL, OPT_PROGRESS },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "help", no_argument, NULL, 'h' },
		[10 + ZXC_TYPE_COUNT] = { NULL, 0, NULL, 0 },
	};
	const char *hex = NULL, *string = NULL, *file = NULL, *value = NULL;
	const struct zxc_type *type = NULL;
	struct zxc_who who = { NULL, 0 };
	uint64_t count = 1;
	bool have_count = false;
	enum zxc_progress_mode pmode = ZXC_PROGRESS_AUTO;
	bool aon = false, have_offset = false, have_length = false;
	uint64_t offset = 0, length = 0, addr;
	struct zxc_progress progress;
	struct zxc_target target;
	struct zxc_xfer x;
	uint8_t *data = NULL;
	size_t len = 0;
	int c, code, sources;
	const char *addr_text;
	char why[256];

	zxc_type_options(&opts[10], required_argument, OPT_TYPE);
	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_COUNT:
			if (!zxc_parse_u64(optarg, &count) || count == 0)
				return zxc_usage_err("write", "bad --count \"%s\": give a number above 0", optarg);
			have_count = true;
			break;
		case OPT_NAME:
			who.name = optarg;
			break;
		case OPT_HEX:
			hex = optarg;
			break;
		case OPT_STRING:
			string = optarg;
			break;
		case OPT_FILE:
			file = optarg;
			break;
		case OPT_OFFSET:
			if (!zxc_parse_u64(optarg, &offset))
				return zxc_usage_err("write", "bad --offset \"%s\": give a decimal or 0x-hex number", optarg);
			have_offset = true;
			break;
		case OPT_LENGTH:
			if (!zxc_parse_u64(optarg, &length) || length == 0)
				return zxc_usage_err("write", "bad --length \"%s\": give a number above 0", optarg);
			have_length = true;
			break;
		case OPT_AON:
			aon = true;
			break;
		case OPT_PROGRESS:
			if (!zxc_progress_parse(optarg, &pmode))
				return zxc_usage_err("write", "bad --progress \"%s\": give auto, always or never", optarg);
			break;
		case 'h':
			fputs(write_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			if (c >= OPT_TYPE && c < OPT_TYPE + ZXC_TYPE_COUNT) {
				if (type != NULL)
					return zxc_usage_err("write", "give one value option, not --%s and --%s",
							     type->name, zxc_types[c - OPT_TYPE].name);
				type = &zxc_types[c - OPT_TYPE];
				value = optarg;
				break;
			}
			return zxc_option_err("write", c, argv);
		}
	}
	if (argc - optind != (who.name ? 1 : 2))
		return zxc_usage_err("write", who.name ? "expected ADDR after --name NAME, got %d arguments" :
				     "expected PID and ADDR, got %d argument%s",
				     argc - optind, argc - optind == 1 ? "" : "s");
	if (who.name == NULL) {
		code = zxc_who_arg("write", &who, argv[optind++]);
		if (code != ZXC_EXIT_OK)
			return code;
	}
	addr_text = argv[optind];
	code = addr_arg("write", addr_text);
	if (code != ZXC_EXIT_OK)
		return code;
	sources = (hex != NULL) + (string != NULL) + (file != NULL) + (type != NULL);
	if (sources != 1)
		return zxc_usage_err("write", "give exactly one of --hex, --string, --file and a value option (--u8 ... --f64)");
	if ((have_offset || have_length) && file == NULL)
		return zxc_usage_err("write", "--offset and --length go with --file");
	if (have_count && type == NULL)
		return zxc_usage_err("write", "--count goes with a value option (--u8 ... --f64)");

	if (hex != NULL) {
		data = zxc_parse_hex(hex, &len, why, sizeof(why));
		if (data == NULL)
			return zxc_usage_err("write", "bad --hex: %s", why);
	} else if (string != NULL) {
		len = strlen(string);
		if (len == 0)
			return zxc_usage_err("write", "--string is empty: nothing to write");
		data = (uint8_t *)strdup(string);
		if (data == NULL) {
			zxc_err("out of memory");
			return ZXC_EXIT_FAILURE;
		}
	} else if (type != NULL) {
		data = zxc_type_parse(type, value, &len, why, sizeof(why));
		if (data == NULL)
			return zxc_usage_err("write", "bad --%s: %s", type->name, why);
		if (count > 1) {
			uint8_t *all = count <= SIZE_MAX / len ?
				       malloc((size_t)count * len) : NULL;

			if (all == NULL) {
				free(data);
				return zxc_usage_err("write", "--count %" PRIu64 " is too many to hold in memory", count);
			}
			for (uint64_t i = 0; i < count; i++)
				memcpy(all + i * len, data, len);
			free(data);
			data = all;
			len *= (size_t)count;
		}
	} else {
		data = load_file(file, offset, have_length, length, &len, &code);
		if (data == NULL)
			return code;
	}
	if (aon && len > ZXPROC_MAX_TRANSFER) {
		free(data);
		return zxc_usage_err("write", "--all-or-nothing writes at most %llu bytes (64 MiB), not %zu",
				     (unsigned long long)ZXPROC_MAX_TRANSFER, len);
	}

	code = zxc_who_resolve(&who);
	if (code != ZXC_EXIT_OK) {
		free(data);
		return code;
	}
	code = zxc_target_open(&target, who.pid, ZX_RIGHT_WRITE);
	if (code == ZXC_EXIT_OK)
		code = zxc_target_addr(&target, addr_text, &addr);
	if (code == ZXC_EXIT_OK) {
		if (aon) {
			zxc_write_all_or_nothing(&target, addr, data, len, &x);
		} else {
			zxc_progress_start(&progress, pmode, "writing", len);
			zxc_write_range(&target, addr, data, len, &progress, &x);
			zxc_progress_end(&progress);
		}
		if (x.status == ZX_OK && x.done == len) {
			printf("wrote %zu bytes to process %d at 0x%" PRIx64 "\n",
			       len, (int)who.pid, addr);
		} else {
			code = zxc_xfer_fail(&target, ZXC_OP_WRITE, addr, len, &x);
			if (aon)
				zxc_err("--all-or-nothing: nothing was written");
		}
	}
	zxc_target_close(&target);
	free(data);
	return code;
}

struct read_sink {
	bool raw;
	struct zxc_hexdump dump;
	const struct zxc_type *type;
	uint8_t part[8];	/* a value split between two chunks */
	size_t part_len;
};

static int put_values(struct read_sink *s, const uint8_t *buf, size_t len)
{
	size_t size = s->type->size, take;
	char text[64];

	while (len > 0) {
		take = size - s->part_len < len ? size - s->part_len : len;
		memcpy(s->part + s->part_len, buf, take);
		s->part_len += take;
		buf += take;
		len -= take;
		if (s->part_len < size)
			break;
		zxc_type_format(s->type, s->part, text, sizeof(text));
		if (printf("%s\n", text) < 0)
			return -1;
		s->part_len = 0;
	}
	return 0;
}

static int read_sink(void *ctx, uint64_t addr, const uint8_t *buf, size_t len)
{
	struct read_sink *s = ctx;

	(void)addr;
	if (s->type)
		return put_values(s, buf, len);
	if (s->raw)
		return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
	return zxc_hexdump_feed(&s->dump, buf, len);
}

int zxc_cmd_read(int argc, char **argv)
{
	struct option opts[] = {
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "xxd", no_argument, NULL, OPT_XXD },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "help", no_argument, NULL, 'h' },
		[5 + ZXC_TYPE_COUNT] = { NULL, 0, NULL, 0 },
	};
	struct read_sink sink = { .raw = false };
	struct zxc_who who = { NULL, 0 };
	struct zxc_target target;
	uint64_t addr, len, count = 1;
	bool xxd = false, have_count = false;
	const char *addr_text;
	struct zxc_xfer x;
	int c, code, want;

	zxc_type_options(&opts[5], no_argument, OPT_TYPE);
	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_RAW:
			sink.raw = true;
			break;
		case OPT_XXD:
			xxd = true;
			break;
		case OPT_COUNT:
			if (!zxc_parse_u64(optarg, &count) || count == 0)
				return zxc_usage_err("read", "bad --count \"%s\": give a number above 0", optarg);
			have_count = true;
			break;
		case OPT_NAME:
			who.name = optarg;
			break;
		case 'h':
			fputs(read_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			if (c >= OPT_TYPE && c < OPT_TYPE + ZXC_TYPE_COUNT) {
				if (sink.type != NULL)
					return zxc_usage_err("read", "give one type, not --%s and --%s",
							     sink.type->name, zxc_types[c - OPT_TYPE].name);
				sink.type = &zxc_types[c - OPT_TYPE];
				break;
			}
			return zxc_option_err("read", c, argv);
		}
	}
	/* PID (unless --name), ADDR, and LEN unless a type gives it. */
	want = (who.name ? 0 : 1) + 1 + (sink.type ? 0 : 1);
	if (argc - optind != want)
		return zxc_usage_err("read", "expected %s, got %d argument%s",
				     sink.type ? (who.name ? "ADDR (a type gives the length)" :
						  "PID and ADDR (a type gives the length)") :
				     who.name ? "ADDR and LEN" : "PID, ADDR and LEN",
				     argc - optind, argc - optind == 1 ? "" : "s");
	if (who.name == NULL) {
		code = zxc_who_arg("read", &who, argv[optind++]);
		if (code != ZXC_EXIT_OK)
			return code;
	}
	addr_text = argv[optind++];
	code = addr_arg("read", addr_text);
	if (code != ZXC_EXIT_OK)
		return code;
	if (sink.raw + xxd + (sink.type != NULL) > 1)
		return zxc_usage_err("read", "give at most one of --raw, --xxd and a type");
	if (have_count && sink.type == NULL)
		return zxc_usage_err("read", "--count goes with a type (--u8 ... --f64)");
	if (sink.type) {
		if (count > UINT64_MAX / sink.type->size)
			return zxc_usage_err("read", "--count %" PRIu64 " is past the address space", count);
		len = count * sink.type->size;
	} else if (!zxc_parse_u64(argv[optind], &len) || len == 0) {
		return zxc_usage_err("read", "bad LEN \"%s\": give a number above 0", argv[optind]);
	}

	code = zxc_who_resolve(&who);
	if (code != ZXC_EXIT_OK)
		return code;
	code = zxc_target_open(&target, who.pid, ZX_RIGHT_READ);
	if (code == ZXC_EXIT_OK)
		code = zxc_target_addr(&target, addr_text, &addr);
	if (code == ZXC_EXIT_OK) {
		zxc_hexdump_init(&sink.dump, addr, xxd);
		zxc_read_range(&target, addr, len, read_sink, &sink, &x);
		if ((sink.raw ? fflush(stdout) : zxc_hexdump_flush(&sink.dump)) != 0 &&
		    x.status == ZX_OK)
			x.status = ZX_ERR_IO;
		if (x.status != ZX_OK || x.done < len)
			code = zxc_xfer_fail(&target, ZXC_OP_READ, addr, len, &x);
	}
	zxc_target_close(&target);
	return code;
}

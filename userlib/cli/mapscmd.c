// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc maps`: the target's mappings, as regions.c gets them, for a
 * person (a table) or a program (--json).  The target is opened first,
 * with ZX_RIGHT_INSPECT, so the same rules say who may list a process's
 * mappings as who may read it, and the list comes from the handle once
 * the module can give it (regions.c).
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "cli.h"

static const char maps_usage[] =
"Usage: zxproc maps [OPTIONS] PID\n"
"       zxproc maps [OPTIONS] --name NAME\n"
"\n"
"List the mappings of process PID, one per line, in address order:\n"
"\n"
"    START-END  PERMS  OFFSET  SIZE  NAME\n"
"\n"
"START and END (exclusive) are the target's addresses, PERMS as in\n"
"/proc/PID/maps (r, w, x, then p private, s shared or ? not known), OFFSET\n"
"the offset in the mapped file, SIZE in bytes with a K/M/G unit, and NAME\n"
"the file, [heap], [stack], ... or nothing for anonymous memory.  Any NAME\n"
"here can be an ADDR of read, write and patch.  The list is the handle's\n"
"(ZX_INFO_PROCESS_MAPS), completed from /proc/PID/maps: see zxproc(1).\n"
"\n"
"Options:\n"
"  --json             a JSON array of objects: start, end (\"0x...\"\n"
"                     strings), size, offset, inode (numbers), perms, name\n"
"  --name NAME        the process by name instead of PID (see zxproc --help)\n"
"  -h, --help         this text\n"
"\n"
"Exit codes: see zxproc --help.\n";

static void human(uint64_t bytes, char *out, size_t size)
{
	static const char units[] = "KMGTP";
	double v = (double)bytes / 1024;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(out, size, "%" PRIu64 "%c", (uint64_t)v, units[u]);
	else
		snprintf(out, size, "%.1f%c", v, units[u]);
}

static void print_text(const struct zxc_maps *maps)
{
	char size[16];
	size_t i;

	for (i = 0; i < maps->n; i++) {
		const struct zxc_mapping *m = &maps->v[i];

		human(m->end - m->start, size, sizeof(size));
		printf("%016" PRIx64 "-%016" PRIx64 " %s %08" PRIx64 " %6s %s\n",
		       m->start, m->end, m->perms, m->offset, size, m->name);
	}
}

static void print_json(const struct zxc_maps *maps)
{
	size_t i;

	fputs("[", stdout);
	for (i = 0; i < maps->n; i++) {
		const struct zxc_mapping *m = &maps->v[i];

		printf("%s\n  {\"start\": \"0x%" PRIx64 "\", \"end\": \"0x%" PRIx64
		       "\", \"size\": %" PRIu64 ", \"perms\": ", i ? "," : "",
		       m->start, m->end, m->end - m->start);
		zxc_json_string(stdout, m->perms);
		printf(", \"offset\": %" PRIu64 ", \"inode\": %lu, \"name\": ",
		       m->offset, m->inode);
		zxc_json_string(stdout, m->name);
		fputs("}", stdout);
	}
	fputs(maps->n ? "\n]\n" : "]\n", stdout);
}

int zxc_cmd_maps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zxc_who who = { NULL, 0 };
	struct zxc_target target;
	bool json = false;
	int c, code;

	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'n':
			who.name = optarg;
			break;
		case 'h':
			fputs(maps_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			return zxc_option_err("maps", c, argv);
		}
	}
	if (argc - optind != (who.name ? 0 : 1))
		return zxc_usage_err("maps", who.name ? "expected no argument with --name, got %d" :
				     "expected PID (or --name NAME), got %d arguments",
				     argc - optind);
	if (who.name == NULL) {
		code = zxc_who_arg("maps", &who, argv[optind]);
		if (code != ZXC_EXIT_OK)
			return code;
	}
	code = zxc_who_resolve(&who);
	if (code != ZXC_EXIT_OK)
		return code;
	code = zxc_target_open(&target, who.pid, ZX_RIGHT_INSPECT);
	if (code == ZXC_EXIT_OK && target.maps_errno != 0) {
		zxc_err("cannot list the mappings of process %d: %s",
			(int)who.pid, strerror(target.maps_errno));
		code = ZXC_EXIT_PERMISSION;
	}
	if (code == ZXC_EXIT_OK) {
		if (json)
			print_json(&target.maps);
		else
			print_text(&target.maps);
		if (fflush(stdout) != 0) {
			zxc_err("cannot write to standard output");
			code = ZXC_EXIT_FAILURE;
		}
	}
	zxc_target_close(&target);
	return code;
}

// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc: the command-line face of the zxproc module and libzxproc.
 * This file holds the global options, the subcommand table and the
 * top-level help (with the exit codes); each subcommand parses its own
 * options and has its own --help.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <linux/zxproc.h>

#include "cli.h"

int zxc_verbose;

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "status", zxc_cmd_status },
	{ "load", zxc_cmd_load },
	{ "unload", zxc_cmd_unload },
	{ "write", zxc_cmd_write },
	{ "read", zxc_cmd_read },
	{ "patch", zxc_cmd_patch },
	{ "maps", zxc_cmd_maps },
	{ "find", zxc_cmd_find },
};

static const char usage[] =
"Usage: zxproc [-v] COMMAND [ARGS...]\n"
"       zxproc COMMAND --help\n"
"\n"
"Control the zxproc kernel module and read or write the memory of live\n"
"processes through its process handles.\n"
"\n"
"Commands:\n"
"  status [--json]             is the module loaded and /dev/zxproc usable?\n"
"  load                        load the module (libkmod, blacklist honoured)\n"
"  unload                      unload it (refused while handles are open)\n"
"  write PID ADDR DATA-OPTION  write bytes (--hex, --string, --file) or values\n"
"                              (--u8 ... --f64)\n"
"  read PID ADDR LEN           print memory as a hex dump (--xxd, --raw), or\n"
"  read PID ADDR --TYPE        values (--u8 ... --f64, --count N)\n"
"  patch PID FILE              apply \"ADDR HEX\" lines, all checked first\n"
"  patch PID ADDR HEX          one write (--expect OLDHEX: only over those bytes)\n"
"  maps PID [--json]           list the process's mappings\n"
"  find PID PATTERN-OPTION     print where the bytes (--hex, --string) or a\n"
"                              value (--u8 ... --f64) are in its memory\n"
"\n"
"Options:\n"
"  -v, --verbose               more detail (libkmod's log; twice: debug)\n"
"  -h, --help                  this text\n"
"      --version               the version of zxproc\n"
"\n"
"ADDR: 0x-hex or decimal, or a mapping name from /proc/PID/maps ([heap],\n"
"[stack], libc.so.6, a full path, the program's name), each optionally\n"
"followed by +OFFSET or -OFFSET, e.g. [heap]+0x10 or libc.so.6+0x1d2000.\n"
"PID: a process id, or --name NAME (the process's name as ps shows it, or\n"
"its program's file name; a name that several processes share is an error\n"
"that lists them).\n"
"\n"
"Exit status:\n"
"   0  success (status: loaded and usable)\n"
"   1  other failure (out of memory, unreadable file, kernel refused, ...)\n"
"   2  bad usage: arguments, ADDR syntax, ambiguous name, data, patch file\n"
"   3  the zxproc module is not loaded\n"
"   4  the module is loaded, but /dev/zxproc is missing or not accessible\n"
"   5  no such process\n"
"   6  permission denied (CAP_SYS_PTRACE over the process; CAP_SYS_MODULE)\n"
"   7  address not mapped, or memory that cannot be read or written\n"
"   8  partial: only part of the bytes (or patch lines) were transferred\n"
"   9  the process exited, or exec'd a new program, meanwhile\n"
"  10  the process is a kernel thread\n"
"  11  load: the module is blacklisted in modprobe.d\n"
"  12  load: the module is not installed for the running kernel\n"
"  13  unload: the module is in use (handles are open)\n"
"  14  patch --expect: the memory does not hold the expected bytes\n"
"  15  find: no match\n"
"\n"
"See zxproc(1).\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i;
	int c;

	/* Every bad option is worded once, by zxc_option_err(). */
	opterr = 0;
	/* "+": stop at the subcommand, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'v':
			zxc_verbose++;
			break;
		case 'h':
			fputs(usage, stdout);
			return ZXC_EXIT_OK;
		case 'V':
			printf("zxproc %d.%d.%d\n", ZXPROC_VERSION_MAJOR,
			       ZXPROC_VERSION_MINOR, ZXPROC_VERSION_PATCH);
			return ZXC_EXIT_OK;
		default:
			return zxc_option_err(NULL, c, argv);
		}
	}
	if (optind >= argc)
		return zxc_usage_err(NULL, "no command given");
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc) {
			fputs(usage, stdout);
			return ZXC_EXIT_OK;
		}
		/* "zxproc help write" is "zxproc write --help". */
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			if (strcmp(argv[optind + 1], commands[i].name) == 0) {
				char *help_argv[] = { argv[optind + 1], "--help", NULL };

				return commands[i].run(2, help_argv);
			}
		return zxc_usage_err(NULL, "no command named \"%s\"", argv[optind + 1]);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].run(argc - optind, argv + optind);
	return zxc_usage_err(NULL, "no command named \"%s\"", argv[optind]);
}

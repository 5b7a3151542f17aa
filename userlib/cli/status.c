// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `zxproc status`: whether the module is loaded (libkmod's initstate),
 * its version (the loaded module's /sys/module/zxproc/version, the
 * installed file's modinfo through kmod_module_get_info(), and the
 * device's own answer to ZXPROC_IOC_GET_VERSION), its refcount, holders
 * and parameters, the /dev node, and whether the running kernel is one
 * zxproc is tested on.  The exit status says which of
 * "usable" (0), "not loaded" (3) and "loaded, device missing or not
 * accessible" (4) holds, so scripts need not parse the output.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include <linux/zxproc.h>
#include <zircon/status.h>
#include <zxproc/zxproc.h>

#include "cli.h"

#define MAX_PARAMS 32

/*
 * The kernel series zxproc is tested on (tests/vm/kernels: Debian's 6.1,
 * 6.12 and 6.12-rt, and 7.2), the range dkms.conf builds for.  Another
 * kernel is reported as untested; the exit status still says only
 * whether the module is usable.
 */
static const unsigned int tested_from[2] = { 6, 1 };
static const unsigned int tested_to[2] = { 7, 2 };

struct status {
	char release[65];
	bool kernel_tested;
	bool loaded;
	const char *state;		/* "live", "coming", "going", "builtin" */
	char *version, *srcversion;	/* of the loaded module */
	int refcnt;			/* -1: unknown */
	char *holders[16];
	int nholders;
	struct { char *name, *value; } params[MAX_PARAMS];
	int nparams;
	char *installed_path, *installed_version;
	struct zxc_devnode node;
	zx_status_t dev_status;		/* opening /dev/zxproc + GET_VERSION */
	uint32_t dev_version[3];
	int code;
	const char *summary;
};

static char *read_sys(const char *path)
{
	char buf[4096];
	size_t len;
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return NULL;
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

static void read_params(struct status *st)
{
	const char *dir = "/sys/module/" ZXC_MODULE_NAME "/parameters";
	struct dirent **names;
	int n, i;

	n = scandir(dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		char path[512];

		if (names[i]->d_name[0] != '.' && st->nparams < MAX_PARAMS) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			st->params[st->nparams].name = strdup(names[i]->d_name);
			/* A write-only parameter reads as NULL: "unreadable". */
			st->params[st->nparams].value = read_sys(path);
			st->nparams++;
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

static bool kernel_tested(const char *release)
{
	unsigned int major, minor;

	if (sscanf(release, "%u.%u", &major, &minor) != 2)
		return false;
	if (major < tested_from[0] || (major == tested_from[0] && minor < tested_from[1]))
		return false;
	return major < tested_to[0] || (major == tested_to[0] && minor <= tested_to[1]);
}

static void gather(struct status *st)
{
	struct kmod_module *mod = NULL, *inst;
	struct kmod_list *holders, *l;
	struct kmod_ctx *ctx;
	struct utsname u;
	int state;

	memset(st, 0, sizeof(*st));
	st->refcnt = -1;
	if (uname(&u) == 0)
		snprintf(st->release, sizeof(st->release), "%s", u.release);
	st->kernel_tested = kernel_tested(st->release);
	ctx = zxc_kmod_new();
	if (ctx != NULL && kmod_module_new_from_name(ctx, ZXC_MODULE_NAME, &mod) == 0) {
		state = kmod_module_get_initstate(mod);
		st->loaded = state >= 0;
		if (st->loaded) {
			st->state = kmod_module_initstate_str(state);
			st->refcnt = kmod_module_get_refcnt(mod);
			holders = kmod_module_get_holders(mod);
			kmod_list_foreach(l, holders) {
				struct kmod_module *h = kmod_module_get_module(l);

				if (st->nholders < 16)
					st->holders[st->nholders++] = strdup(kmod_module_get_name(h));
				kmod_module_unref(h);
			}
			kmod_module_unref_list(holders);
			st->version = read_sys("/sys/module/" ZXC_MODULE_NAME "/version");
			st->srcversion = read_sys("/sys/module/" ZXC_MODULE_NAME "/srcversion");
			read_params(st);
		}
		inst = zxc_kmod_installed(ctx);
		if (inst != NULL) {
			st->installed_path = strdup(kmod_module_get_path(inst));
			st->installed_version = zxc_kmod_file_version(inst);
			kmod_module_unref(inst);
		}
		kmod_module_unref(mod);
	}
	if (ctx != NULL)
		kmod_unref(ctx);

	zxc_devnode_stat(&st->node);
	st->dev_status = zxproc_module_version(&st->dev_version[0],
					       &st->dev_version[1],
					       &st->dev_version[2]);
	if (!st->loaded && st->dev_status != ZX_OK) {
		st->code = ZXC_EXIT_NOT_LOADED;
		st->summary = "not loaded";
	} else if (st->dev_status != ZX_OK) {
		st->code = ZXC_EXIT_NO_DEVICE;
		st->summary = st->node.present ? "loaded, but /dev/zxproc is not accessible" :
						 "loaded, but /dev/zxproc is missing";
	} else {
		st->code = ZXC_EXIT_OK;
		st->summary = "loaded and usable";
	}
}

static const char *dev_problem(const struct status *st)
{
	if (st->dev_status == ZX_OK)
		return NULL;
	if (!st->node.present)
		return "missing";
	if (st->dev_status == ZX_ERR_ACCESS_DENIED)
		return "permission denied";
	if (st->dev_status == ZX_ERR_NOT_SUPPORTED)
		return "no driver behind the node";
	return zx_status_get_string(st->dev_status);
}

/* The value of module parameter @name, or NULL. */
static const char *param_value(const struct status *st, const char *name)
{
	for (int i = 0; i < st->nparams; i++)
		if (strcmp(st->params[i].name, name) == 0)
			return st->params[i].value;
	return NULL;
}

/*
 * Whether this command's writes to read-only private memory and reads
 * of PROT_NONE memory are forced, from the two forcing parameters.
 */
static void print_forcing(const struct status *st)
{
	const char *why;

	if (param_value(st, "host_force_override") == NULL ||
	    param_value(st, "force_override") == NULL)
		return;
	why = zxc_unforced_why();
	if (why != NULL)
		printf("forcing:     not for zxproc: %s\n", why);
	else
		printf("forcing:     always (read-only private memory is written by copy-on-write, PROT_NONE memory is read)\n");
}

static void print_text(const struct status *st)
{
	int i;

	printf("zxproc:      %s\n", st->summary);
	printf("kernel:      %s (%s Linux %u.%u to %u.%u)\n", st->release,
	       st->kernel_tested ? "within what zxproc is tested on," :
				   "untested: zxproc is tested on",
	       tested_from[0], tested_from[1], tested_to[0], tested_to[1]);
	if (st->loaded) {
		printf("module:      %s, version %s, refcount %d\n", st->state,
		       st->version ? st->version : "(none)", st->refcnt);
		printf("holders:     ");
		for (i = 0; i < st->nholders; i++)
			printf("%s%s", i ? ", " : "", st->holders[i]);
		printf("%s\n", st->nholders ? "" : "none");
		printf("parameters: ");
		for (i = 0; i < st->nparams; i++)
			printf(" %s=%s", st->params[i].name,
			       st->params[i].value ? st->params[i].value : "(unreadable)");
		printf("%s\n", st->nparams ? "" : " none");
		print_forcing(st);
	} else {
		printf("module:      not loaded\n");
	}
	if (st->installed_path != NULL)
		printf("installed:   %s, version %s\n", st->installed_path,
		       st->installed_version ? st->installed_version : "(none)");
	else
		printf("installed:   no (not in /lib/modules/%s)\n", st->release);
	if (st->node.present)
		printf("device:      %s %s %s:%s", ZXC_DEVICE_PATH, st->node.mode,
		       st->node.owner, st->node.group);
	else
		printf("device:      %s", ZXC_DEVICE_PATH);
	if (st->dev_status == ZX_OK)
		printf(", version %u.%u.%u\n", st->dev_version[0],
		       st->dev_version[1], st->dev_version[2]);
	else
		printf(" (%s)\n", dev_problem(st));
	printf("tool:        zxproc %d.%d.%d\n", ZXPROC_VERSION_MAJOR,
	       ZXPROC_VERSION_MINOR, ZXPROC_VERSION_PATCH);
}

static void print_json(const struct status *st)
{
	char devver[48], perm[8];
	int i;

	printf("{\n  \"summary\": ");
	zxc_json_string(stdout, st->summary);
	printf(",\n  \"exit_status\": %d,\n  \"kernel\": ", st->code);
	zxc_json_string(stdout, st->release);
	printf(",\n  \"kernel_tested\": %s", st->kernel_tested ? "true" : "false");
	printf(",\n  \"module\": {\n    \"name\": \"%s\",\n    \"loaded\": %s,\n    \"state\": ",
	       ZXC_MODULE_NAME, st->loaded ? "true" : "false");
	zxc_json_string(stdout, st->state);
	printf(",\n    \"version\": ");
	zxc_json_string(stdout, st->version);
	printf(",\n    \"srcversion\": ");
	zxc_json_string(stdout, st->srcversion);
	if (st->refcnt >= 0)
		printf(",\n    \"refcount\": %d", st->refcnt);
	else
		printf(",\n    \"refcount\": null");
	printf(",\n    \"holders\": [");
	for (i = 0; i < st->nholders; i++) {
		printf("%s", i ? ", " : "");
		zxc_json_string(stdout, st->holders[i]);
	}
	printf("],\n    \"parameters\": {");
	for (i = 0; i < st->nparams; i++) {
		printf("%s\n      ", i ? "," : "");
		zxc_json_string(stdout, st->params[i].name);
		printf(": ");
		zxc_json_string(stdout, st->params[i].value);
	}
	printf("%s}\n  },\n  \"installed\": ", st->nparams ? "\n    " : "");
	if (st->installed_path != NULL) {
		printf("{\n    \"path\": ");
		zxc_json_string(stdout, st->installed_path);
		printf(",\n    \"version\": ");
		zxc_json_string(stdout, st->installed_version);
		printf("\n  }");
	} else {
		printf("null");
	}
	printf(",\n  \"device\": {\n    \"path\": \"%s\",\n    \"present\": %s",
	       ZXC_DEVICE_PATH, st->node.present ? "true" : "false");
	if (st->node.present) {
		snprintf(perm, sizeof(perm), "%04o", st->node.perm);
		printf(",\n    \"type\": \"%s\",\n    \"mode\": \"%s\",\n    \"permissions\": \"%s\",\n    \"owner\": ",
		       st->node.is_char ? "char" : "other", st->node.mode, perm);
		zxc_json_string(stdout, st->node.owner);
		printf(",\n    \"group\": ");
		zxc_json_string(stdout, st->node.group);
	}
	printf(",\n    \"usable\": %s,\n    \"version\": ",
	       st->dev_status == ZX_OK ? "true" : "false");
	snprintf(devver, sizeof(devver), "%u.%u.%u", st->dev_version[0],
		 st->dev_version[1], st->dev_version[2]);
	zxc_json_string(stdout, st->dev_status == ZX_OK ? devver : NULL);
	printf(",\n    \"error\": ");
	zxc_json_string(stdout, dev_problem(st));
	printf("\n  },\n  \"tool_version\": \"%d.%d.%d\"\n}\n",
	       ZXPROC_VERSION_MAJOR, ZXPROC_VERSION_MINOR, ZXPROC_VERSION_PATCH);
}

static void status_free(struct status *st)
{
	int i;

	free(st->version);
	free(st->srcversion);
	for (i = 0; i < st->nholders; i++)
		free(st->holders[i]);
	for (i = 0; i < st->nparams; i++) {
		free(st->params[i].name);
		free(st->params[i].value);
	}
	free(st->installed_path);
	free(st->installed_version);
}

static const char status_usage[] =
"Usage: zxproc status [--json]\n"
"\n"
"Report whether the zxproc module is loaded (through libkmod), its\n"
"version (loaded, installed file, and as the device reports it), its\n"
"refcount (open process handles and /dev/zxproc descriptors), holders,\n"
"parameters, and the /dev/zxproc node (mode, owner:group, usable).\n"
"\n"
"Options:\n"
"  --json             the same as one JSON object\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 loaded and /dev/zxproc usable by the caller, 3 not\n"
"loaded, 4 loaded but /dev/zxproc missing or not accessible.\n";

int zxc_cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status st;
	bool json = false;
	int c;

	/* 0, not 1: glibc re-reads the option string (main used "+"). */
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(status_usage, stdout);
			return ZXC_EXIT_OK;
		default:
			return zxc_option_err("status", c, argv);
		}
	}
	if (optind != argc)
		return zxc_usage_err("status", "takes no arguments");
	gather(&st);
	if (json)
		print_json(&st);
	else
		print_text(&st);
	status_free(&st);
	return st.code;
}

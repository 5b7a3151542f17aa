// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The module through libkmod, as systemd's module-util.c uses it:
 * kmod_new(), a lookup, kmod_module_get_initstate(), then
 * kmod_module_probe_insert_module() with the modprobe blacklist applied,
 * or kmod_module_remove_module().
 *
 * zxproc is a privileged binary, so it never lets libkmod run a shell:
 * KMOD_PROBE_IGNORE_COMMAND skips "install" commands from modprobe.d for
 * zxproc itself, and a run_install callback that refuses covers any
 * dependency that has one (libkmod passes those to system() when the
 * callback is NULL).  "remove" commands are never run either: only
 * kmod_module_remove_module() is called.  "options zxproc ..." lines and
 * blacklists from modprobe.d do apply.
 *
 * libkmod's own log goes to stderr as "zxproc: libkmod: ...": errors
 * only by default, informational messages with -v, debug with -vv.
 */
#include <dirent.h>
#include <errno.h>
#include <libkmod.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <linux/zxproc.h>
#include <zxproc/zxproc.h>

#include "cli.h"

static void log_to_stderr(void *data, int priority, const char *file,
			  int line, const char *fn, const char *format,
			  va_list args)
{
	(void)data;
	(void)file;
	(void)line;
	/*
	 * libkmod's own bookkeeping ("context 0x55d0c0a0 released") is
	 * for its developers: a pointer tells a user nothing.  -vv shows it.
	 */
	if (zxc_verbose < 2 && strstr(format, "%p") != NULL)
		return;
	if (zxc_verbose >= 2)
		fprintf(stderr, "zxproc: libkmod: %s[%d]: ", fn, priority);
	else
		fprintf(stderr, "zxproc: libkmod: ");
	vfprintf(stderr, format, args);
}

static const char *kernel_release(void)
{
	static struct utsname u;

	if (u.release[0] == '\0' && uname(&u) != 0)
		snprintf(u.release, sizeof(u.release), "(unknown)");
	return u.release;
}

struct kmod_ctx *zxc_kmod_new(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx == NULL) {
		zxc_err("cannot start libkmod (is /lib/modules/%s there?)",
			kernel_release());
		return NULL;
	}
	kmod_set_log_fn(ctx, log_to_stderr, NULL);
	kmod_set_log_priority(ctx, zxc_verbose >= 2 ? LOG_DEBUG :
				   zxc_verbose == 1 ? LOG_INFO : LOG_ERR);
	return ctx;
}

int zxc_module_loaded(void)
{
	struct kmod_ctx *ctx = zxc_kmod_new();
	struct kmod_module *mod = NULL;
	int state;

	if (ctx == NULL)
		return -ENOMEM;
	state = kmod_module_new_from_name(ctx, ZXC_MODULE_NAME, &mod);
	if (state == 0)
		state = kmod_module_get_initstate(mod);
	kmod_module_unref(mod);
	kmod_unref(ctx);
	if (state == -ENOENT)
		return 0;
	return state < 0 ? state : 1;
}

/* The modinfo value of @key in the module's file, or NULL. */
static char *module_info(const struct kmod_module *mod, const char *key)
{
	struct kmod_list *info = NULL, *l;
	char *value = NULL;

	if (kmod_module_get_info(mod, &info) < 0)
		return NULL;
	kmod_list_foreach(l, info) {
		if (strcmp(kmod_module_info_get_key(l), key) == 0) {
			value = strdup(kmod_module_info_get_value(l));
			break;
		}
	}
	kmod_module_info_free_list(info);
	return value;
}

/*
 * The installed zxproc for the running kernel (in modules.dep), with a
 * reference; NULL when there is none.
 */
struct kmod_module *zxc_kmod_installed(struct kmod_ctx *ctx)
{
	struct kmod_list *list = NULL, *l;
	struct kmod_module *found = NULL;

	if (kmod_module_new_from_lookup(ctx, ZXC_MODULE_NAME, &list) < 0)
		return NULL;
	kmod_list_foreach(l, list) {
		struct kmod_module *mod = kmod_module_get_module(l);

		/* An "install" line alone makes a lookup hit with no file. */
		if (found == NULL &&
		    strcmp(kmod_module_get_name(mod), ZXC_MODULE_NAME) == 0 &&
		    kmod_module_get_path(mod) != NULL)
			found = mod;
		else
			kmod_module_unref(mod);
	}
	kmod_module_unref_list(list);
	return found;
}

char *zxc_kmod_file_version(const struct kmod_module *mod)
{
	return module_info(mod, "version");
}

/* Refuses what libkmod would hand to system(). */
static int refuse_install(struct kmod_module *m, const char *cmd, void *data)
{
	*(bool *)data = true;
	zxc_err("refusing to run the modprobe.d install command for %s (\"%s\"): zxproc never runs configured commands",
		kmod_module_get_name(m), cmd);
	return -EPERM;
}

static void print_action(struct kmod_module *m, bool install,
			 const char *options)
{
	fprintf(stderr, "zxproc: %s %s%s%s\n", install ? "install command for" : "insmod",
		install ? kmod_module_get_name(m) : kmod_module_get_path(m),
		*options ? " " : "", options);
}

/* /dev/zxproc appears from the module's init (devtmpfs), udev may redo it. */
static zx_status_t wait_for_device(void)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	zx_status_t status = ZX_ERR_NOT_SUPPORTED;
	int i;

	for (i = 0; i < 40; i++) {
		status = zxproc_module_version(NULL, NULL, NULL);
		if (status != ZX_ERR_NOT_SUPPORTED)
			break;
		nanosleep(&pause, NULL);
	}
	return status;
}

static int read_int_file(const char *path)
{
	char buf[32] = "";
	FILE *f = fopen(path, "re");

	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	return atoi(buf);
}

static int insert_failed(struct kmod_module *mod, int err, bool refused)
{
	const char *path = kmod_module_get_path(mod);
	char *vermagic;

	if (refused) {
		zxc_err("zxproc was not loaded: a module it needs has an install command");
		return ZXC_EXIT_FAILURE;
	}
	switch (-err) {
	case EPERM:
	case EACCES:
		if (read_int_file("/proc/sys/kernel/modules_disabled") == 1) {
			zxc_err("module loading is disabled on this system (kernel.modules_disabled = 1)");
			return ZXC_EXIT_PERMISSION;
		}
		zxc_err("permission denied: loading a kernel module needs root (CAP_SYS_MODULE)%s",
			geteuid() == 0 ? "; the kernel refused it (lockdown or a security module?)" : "");
		return ZXC_EXIT_PERMISSION;
	case EKEYREJECTED:
	case ENOKEY:
	case EBADMSG:
		zxc_err("the kernel refused %s: its signature is missing or not trusted (module signatures are enforced); sign it with a key the kernel trusts (dkms can do this)",
			path);
		return ZXC_EXIT_FAILURE;
	case ENOEXEC:
		vermagic = module_info(mod, "vermagic");
		zxc_err("%s was not built for kernel %s (its vermagic is \"%s\"): rebuild and reinstall it",
			path, kernel_release(), vermagic ? vermagic : "unknown");
		free(vermagic);
		return ZXC_EXIT_FAILURE;
	case EINVAL:
		zxc_err("the kernel refused zxproc's parameters (\"%s\", from the \"options zxproc\" lines of modprobe.d); see dmesg",
			kmod_module_get_options(mod) ? kmod_module_get_options(mod) : "");
		return ZXC_EXIT_FAILURE;
	default:
		zxc_err("loading %s failed: %s; see dmesg", path, strerror(-err));
		return ZXC_EXIT_FAILURE;
	}
}

static const char load_usage[] =
"Usage: zxproc load [-h]\n"
"\n"
"Load the zxproc kernel module installed for the running kernel, through\n"
"libkmod, as `modprobe -b zxproc` would: the modprobe.d blacklist is\n"
"honoured (a \"blacklist zxproc\" line stops it, exit 11), \"options zxproc\"\n"
"lines apply, and \"install\" commands are never run (zxproc does not let\n"
"libkmod start a shell).  Loading an already loaded module succeeds.\n"
"Needs root (CAP_SYS_MODULE).  Exit codes: see zxproc --help.\n";

int zxc_cmd_load(int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	const char *cmd;
	bool refused = false;
	zx_status_t status;
	char *version;
	int err, code;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(load_usage, stdout);
		return ZXC_EXIT_OK;
	}
	if (argc > 1)
		return zxc_usage_err("load", "takes no arguments");
	ctx = zxc_kmod_new();
	if (ctx == NULL)
		return ZXC_EXIT_FAILURE;
	if (zxc_module_loaded() == 1) {
		zxc_note("zxproc is already loaded");
		kmod_unref(ctx);
		return ZXC_EXIT_OK;
	}
	/* No /proc/modules: the kernel cannot load modules at all. */
	if (access("/proc/modules", F_OK) != 0 && errno == ENOENT) {
		zxc_err("kernel %s has no loadable module support (CONFIG_MODULES is off): zxproc cannot be loaded into it; boot a kernel with module support",
			kernel_release());
		kmod_unref(ctx);
		return ZXC_EXIT_NOT_INSTALLED;
	}
	mod = zxc_kmod_installed(ctx);
	if (mod == NULL) {
		zxc_err("zxproc.ko is not installed for kernel %s (libkmod finds no zxproc in /lib/modules/%s): run `make install` or `make dkms-install` in zxproc's source tree, or `dkms install zxproc/%d.%d.%d -k %s`",
			kernel_release(), kernel_release(), ZXPROC_VERSION_MAJOR,
			ZXPROC_VERSION_MINOR, ZXPROC_VERSION_PATCH, kernel_release());
		kmod_unref(ctx);
		return ZXC_EXIT_NOT_INSTALLED;
	}
	cmd = kmod_module_get_install_commands(mod);
	if (cmd != NULL)
		zxc_note("ignoring the modprobe.d install command for zxproc (\"%s\"): zxproc never runs configured commands",
			 cmd);
	err = kmod_module_probe_insert_module(mod,
					      KMOD_PROBE_APPLY_BLACKLIST |
					      KMOD_PROBE_IGNORE_COMMAND |
					      KMOD_PROBE_FAIL_ON_LOADED,
					      NULL, refuse_install, &refused,
					      zxc_verbose ? print_action : NULL);
	if (err == KMOD_PROBE_APPLY_BLACKLIST) {
		zxc_err("zxproc is blacklisted: a \"blacklist zxproc\" line in modprobe.d (/etc/modprobe.d, /run/modprobe.d, /usr/local/lib/modprobe.d or /lib/modprobe.d) forbids loading it; not loaded");
		code = ZXC_EXIT_BLACKLISTED;
	} else if (err == -EEXIST) {
		zxc_note("zxproc is already loaded");
		code = ZXC_EXIT_OK;
	} else if (err < 0 || refused) {
		code = insert_failed(mod, err, refused);
	} else {
		status = wait_for_device();
		version = zxc_kmod_file_version(mod);
		if (status != ZX_OK) {
			code = zxc_status_fail(ZXC_OP_DEVICE, status, 0,
					       ZX_HANDLE_INVALID, 0);
		} else {
			printf("loaded zxproc %s from %s\n",
			       version ? version : "(no version)",
			       kmod_module_get_path(mod));
			code = ZXC_EXIT_OK;
		}
		free(version);
	}
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return code;
}

/*
 * Who holds zxproc: processes with /dev/zxproc or a process handle
 * open, from /proc/PID/fd (readable for root only).  Appends
 * "PID (comm), ..." to @out.
 */
static void list_users(char *out, size_t size)
{
	DIR *proc = opendir("/proc");
	struct dirent *de;
	size_t used = strlen(out);

	if (proc == NULL)
		return;
	while ((de = readdir(proc)) != NULL) {
		char path[PATH_MAX], link[PATH_MAX], comm[64] = "?";
		struct dirent *fe;
		bool holds = false;
		FILE *f;
		DIR *fds;

		/* Not ourselves: we may have inherited the caller's descriptor. */
		if (de->d_name[0] < '1' || de->d_name[0] > '9' ||
		    atoi(de->d_name) == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", de->d_name);
		fds = opendir(path);
		if (fds == NULL)
			continue;
		while (!holds && (fe = readdir(fds)) != NULL) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", de->d_name,
				 fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			holds = strcmp(link, ZXC_DEVICE_PATH) == 0 ||
				strcmp(link, "anon_inode:[zxproc-process]") == 0;
		}
		closedir(fds);
		if (!holds)
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		f = fopen(path, "re");
		if (f != NULL) {
			if (fgets(comm, sizeof(comm), f) != NULL)
				comm[strcspn(comm, "\n")] = '\0';
			fclose(f);
		}
		used += (size_t)snprintf(out + used, used < size ? size - used : 0,
					 "%s%s (%s)", used ? ", " : "",
					 de->d_name, comm);
		if (used >= size)
			break;
	}
	closedir(proc);
}

static const char unload_usage[] =
"Usage: zxproc unload [-h]\n"
"\n"
"Unload the zxproc kernel module through libkmod.  It is refused while\n"
"process handles or /dev/zxproc descriptors are open (exit 13): the\n"
"message names the processes holding them.  \"remove\" commands from\n"
"modprobe.d are never run.  Needs root (CAP_SYS_MODULE).\n"
"Exit codes: see zxproc --help.\n";

int zxc_cmd_unload(int argc, char **argv)
{
	struct kmod_module *mod = NULL;
	struct kmod_list *holders;
	struct kmod_ctx *ctx;
	char users[1024] = "";
	int state, refcnt, err, code = ZXC_EXIT_OK;

	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(unload_usage, stdout);
		return ZXC_EXIT_OK;
	}
	if (argc > 1)
		return zxc_usage_err("unload", "takes no arguments");
	ctx = zxc_kmod_new();
	if (ctx == NULL)
		return ZXC_EXIT_FAILURE;
	err = kmod_module_new_from_name(ctx, ZXC_MODULE_NAME, &mod);
	if (err < 0) {
		zxc_err("libkmod cannot name the module: %s", strerror(-err));
		kmod_unref(ctx);
		return ZXC_EXIT_FAILURE;
	}
	state = kmod_module_get_initstate(mod);
	if (state == -ENOENT) {
		zxc_err("zxproc is not loaded");
		code = ZXC_EXIT_NOT_LOADED;
		goto out;
	}
	if (state == KMOD_MODULE_BUILTIN) {
		zxc_err("zxproc is built into this kernel: it cannot be unloaded");
		code = ZXC_EXIT_FAILURE;
		goto out;
	}
	holders = kmod_module_get_holders(mod);
	if (holders != NULL) {
		struct kmod_module *holder = kmod_module_get_module(holders);

		zxc_err("zxproc is in use by the module %s: unload that first",
			kmod_module_get_name(holder));
		kmod_module_unref(holder);
		kmod_module_unref_list(holders);
		code = ZXC_EXIT_IN_USE;
		goto out;
	}
	refcnt = kmod_module_get_refcnt(mod);
	if (kmod_module_get_remove_commands(mod) != NULL)
		zxc_note("ignoring the modprobe.d remove command for zxproc: zxproc never runs configured commands");
	err = refcnt > 0 ? -EBUSY : kmod_module_remove_module(mod, 0);
	if (err == -EBUSY || err == -EAGAIN || err == -EWOULDBLOCK) {
		list_users(users, sizeof(users));
		if (refcnt < 0)
			refcnt = kmod_module_get_refcnt(mod);
		zxc_err("zxproc is in use: %d process handle%s or /dev/zxproc descriptor%s still open; close %s and try again",
			refcnt, refcnt == 1 ? "" : "s", refcnt == 1 ? " is" : "s are",
			refcnt == 1 ? "it" : "them");
		if (users[0] != '\0')
			zxc_note("held by %s", users);
		else if (geteuid() != 0)
			zxc_note("run as root to see which processes hold them");
		code = ZXC_EXIT_IN_USE;
	} else if (err == -EPERM || err == -EACCES) {
		zxc_err("permission denied: unloading a kernel module needs root (CAP_SYS_MODULE)");
		code = ZXC_EXIT_PERMISSION;
	} else if (err == -ENOENT) {
		zxc_err("zxproc is not loaded");
		code = ZXC_EXIT_NOT_LOADED;
	} else if (err < 0) {
		zxc_err("unloading zxproc failed: %s; see dmesg", strerror(-err));
		code = ZXC_EXIT_FAILURE;
	} else {
		printf("unloaded zxproc\n");
	}
out:
	kmod_module_unref(mod);
	kmod_unref(ctx);
	return code;
}

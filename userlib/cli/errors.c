// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every failure the user sees is worded here: the one map from a
 * libzxproc status (what the kernel said) to a sentence in the user's
 * terms and an exit code (cli.h).  A status alone is ambiguous (BAD_STATE
 * is "exited", "exec'd" or "device memory"; ACCESS_DENIED is "no
 * CAP_SYS_PTRACE" when opening and "read-only memory" when writing), so
 * the operation that failed, the handle's ZX_INFO_PROCESS and a look at
 * /proc pick the sentence.
 */
#include <ctype.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <zircon/status.h>
#include <zircon/syscalls.h>

#include "cli.h"

static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "zxproc: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void zxc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void zxc_note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("note: ", fmt, ap);
	va_end(ap);
}

int zxc_usage_err(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "zxproc%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'zxproc%s%s --help'.\n", cmd ? " " : "",
		cmd ? cmd : "");
	return ZXC_EXIT_USAGE;
}

int zxc_option_err(const char *cmd, int c, char **argv)
{
	/* getopt_long() has stepped past the culprit: it is argv[optind - 1]. */
	const char *arg = optind > 0 ? argv[optind - 1] : "";

	if (c == ':')
		return zxc_usage_err(cmd, "option '%s' needs a value", arg);
	/* "-1" where a number goes: a negative number, not an option. */
	if (arg[0] == '-' && isdigit((unsigned char)arg[1]))
		return zxc_usage_err(cmd, "\"%s\" is not an option, and no argument here can be negative",
				     arg);
	if (arg[0] == '-' && arg[1] == '-')
		return zxc_usage_err(cmd, "unknown option '%.*s'",
				     (int)strcspn(arg, "="), arg);
	if (optopt > 0 && optopt < 128)
		return zxc_usage_err(cmd, "unknown option '-%c'", optopt);
	return zxc_usage_err(cmd, "unknown option '%s'", arg);
}

/* The status name, for -v: what a bug report needs. */
static const char *detail(zx_status_t status)
{
	static char buf[64];

	if (zxc_verbose == 0)
		return "";
	snprintf(buf, sizeof(buf), " [%s]", zx_status_get_string(status));
	return buf;
}

static int device_fail(zx_status_t status)
{
	struct zxc_devnode node;
	int loaded;

	if (status == ZX_ERR_NOT_SUPPORTED) {
		loaded = zxc_module_loaded();
		if (loaded == 0) {
			zxc_err("the zxproc kernel module is not loaded (try `zxproc load` as root)%s",
				detail(status));
			return ZXC_EXIT_NOT_LOADED;
		}
		zxc_err("the zxproc module is loaded but %s is missing: is devtmpfs mounted on /dev, or did udev remove it?%s",
			ZXC_DEVICE_PATH, detail(status));
		return ZXC_EXIT_NO_DEVICE;
	}
	if (status == ZX_ERR_ACCESS_DENIED) {
		zxc_devnode_stat(&node);
		zxc_err("permission denied opening %s (%s %s:%s): run as root, or give your group access to the device%s",
			ZXC_DEVICE_PATH, node.mode, node.owner, node.group,
			detail(status));
		return ZXC_EXIT_NO_DEVICE;
	}
	if (status == ZX_ERR_NO_RESOURCES || status == ZX_ERR_NO_MEMORY) {
		zxc_err("cannot open %s: out of file descriptors or memory%s",
			ZXC_DEVICE_PATH, detail(status));
		return ZXC_EXIT_FAILURE;
	}
	zxc_err("%s does not answer as the zxproc device (%s)",
		ZXC_DEVICE_PATH, zx_status_get_string(status));
	return ZXC_EXIT_NO_DEVICE;
}

static int open_fail(zx_status_t status, pid_t pid)
{
	switch (status) {
	case ZX_ERR_NOT_FOUND:
		zxc_err("no such process: %d%s", (int)pid, detail(status));
		return ZXC_EXIT_NO_PROCESS;
	case ZX_ERR_ACCESS_DENIED:
		zxc_err("permission denied: opening process %d needs CAP_SYS_PTRACE over it (in its user namespace)%s",
			(int)pid, detail(status));
		return ZXC_EXIT_PERMISSION;
	case ZX_ERR_WRONG_TYPE:
		zxc_err("process %d is a kernel thread: it has no user memory to read or write%s",
			(int)pid, detail(status));
		return ZXC_EXIT_KERNEL_THREAD;
	case ZX_ERR_BAD_STATE:
		zxc_err("process %d is exiting: its memory is already gone%s",
			(int)pid, detail(status));
		return ZXC_EXIT_GONE;
	case ZX_ERR_NO_RESOURCES:
	case ZX_ERR_NO_MEMORY:
		zxc_err("cannot open process %d: out of file descriptors or memory%s",
			(int)pid, detail(status));
		return ZXC_EXIT_FAILURE;
	case ZX_ERR_NOT_SUPPORTED:
	case ZX_ERR_INVALID_ARGS:
	default:
		/* The device answered a moment ago: not the user's doing. */
		zxc_err("opening process %d failed unexpectedly (%s)", (int)pid,
			zx_status_get_string(status));
		return ZXC_EXIT_FAILURE;
	}
}

/*
 * Whether @handle's process has ended for it: exited, or exec'd (the
 * handle is bound to the image it was opened on).  Unknown (the query
 * failed) counts as ended: BAD_STATE means that far more often.
 */
static bool handle_ended(zx_handle_t handle)
{
	zx_info_process_t info;

	if (zx_object_get_info(handle, ZX_INFO_PROCESS, &info, sizeof(info),
			       NULL, NULL) != ZX_OK)
		return true;
	return info.flags & ZX_INFO_PROCESS_FLAG_EXITED;
}

static int memory_fail(enum zxc_op op, zx_status_t status, pid_t pid,
		       zx_handle_t handle, uint64_t addr)
{
	const char *verb = op == ZXC_OP_WRITE ? "written" : "read";
	const char *unforced;

	switch (status) {
	case ZX_ERR_NO_MEMORY:
		zxc_err("address 0x%" PRIx64 " is not mapped in process %d%s",
			addr, (int)pid, detail(status));
		return ZXC_EXIT_NOT_MAPPED;
	case ZX_ERR_ACCESS_DENIED:
		unforced = zxc_unforced_why();
		if (op == ZXC_OP_READ) {
			if (unforced != NULL)
				zxc_err("memory at 0x%" PRIx64 " in process %d cannot be read: its mapping does not allow reading, and reads are not forced: %s%s",
					addr, (int)pid, unforced, detail(status));
			else
				zxc_err("memory at 0x%" PRIx64 " in process %d cannot be read: its mapping does not allow it%s",
					addr, (int)pid, detail(status));
			return ZXC_EXIT_NOT_MAPPED;
		}
		if (unforced != NULL)
			zxc_err("memory at 0x%" PRIx64 " in process %d cannot be written: it is read-only, and writes are not forced: %s%s",
				addr, (int)pid, unforced, detail(status));
		else
			zxc_err("memory at 0x%" PRIx64 " in process %d cannot be written: it is a read-only shared mapping (writing would change the file behind it)%s",
				addr, (int)pid, detail(status));
		return ZXC_EXIT_NOT_MAPPED;
	case ZX_ERR_BAD_STATE:
		/* The handle still works: the memory itself is refused. */
		if (!handle_ended(handle)) {
			zxc_err("memory at 0x%" PRIx64 " in process %d is device memory (VM_IO/VM_PFNMAP), which zxproc does not access%s",
				addr, (int)pid, detail(status));
			return ZXC_EXIT_NOT_MAPPED;
		}
		if (zxc_proc_state(pid) != ZXC_PROC_ALIVE) {
			zxc_err("process %d exited: its memory cannot be %s any more%s",
				(int)pid, verb, detail(status));
			return ZXC_EXIT_GONE;
		}
		zxc_err("process %d exec'd a new program since it was opened: nothing was %s in the new program%s",
			(int)pid, verb, detail(status));
		return ZXC_EXIT_GONE;
	default:
		zxc_err("%s process %d at 0x%" PRIx64 " failed unexpectedly (%s)",
			op == ZXC_OP_WRITE ? "writing" : "reading", (int)pid,
			addr, zx_status_get_string(status));
		return ZXC_EXIT_FAILURE;
	}
}

int zxc_status_fail(enum zxc_op op, zx_status_t status, pid_t pid,
		    zx_handle_t handle, uint64_t addr)
{
	switch (op) {
	case ZXC_OP_DEVICE:
		return device_fail(status);
	case ZXC_OP_OPEN:
		return open_fail(status, pid);
	case ZXC_OP_READ:
	case ZXC_OP_WRITE:
		return memory_fail(op, status, pid, handle, addr);
	}
	return ZXC_EXIT_FAILURE;
}

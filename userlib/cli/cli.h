/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The zxproc command's shared declarations: its exit codes, and the
 * interfaces between its source files.  Each file holds one job (see
 * the comment at its top); this header only says how they meet.
 */
#ifndef ZXPROC_CLI_H
#define ZXPROC_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <zircon/types.h>

#define ZXC_MODULE_NAME "zxproc"
#define ZXC_DEVICE_PATH "/dev/zxproc"

/*
 * Exit codes, one per class of failure, the same for every subcommand.
 * zxproc(1) and `zxproc --help` list them; tests rely on the numbers.
 */
enum zxc_exit {
	ZXC_EXIT_OK = 0,
	ZXC_EXIT_FAILURE = 1,		/* anything not listed below */
	ZXC_EXIT_USAGE = 2,		/* bad command line, ADDR, data, patch file */
	ZXC_EXIT_NOT_LOADED = 3,	/* the module is not loaded */
	ZXC_EXIT_NO_DEVICE = 4,		/* loaded, /dev/zxproc missing or not accessible */
	ZXC_EXIT_NO_PROCESS = 5,	/* no such process */
	ZXC_EXIT_PERMISSION = 6,	/* needs CAP_SYS_PTRACE / CAP_SYS_MODULE */
	ZXC_EXIT_NOT_MAPPED = 7,	/* address not mapped or not accessible */
	ZXC_EXIT_PARTIAL = 8,		/* some bytes (or patch lines) done, not all */
	ZXC_EXIT_GONE = 9,		/* the process exec'd or exited meanwhile */
	ZXC_EXIT_KERNEL_THREAD = 10,	/* a kernel thread has no user memory */
	ZXC_EXIT_BLACKLISTED = 11,	/* load: blacklisted by modprobe.d */
	ZXC_EXIT_NOT_INSTALLED = 12,	/* load: no zxproc.ko for this kernel */
	ZXC_EXIT_IN_USE = 13,		/* unload: handles are still open */
	ZXC_EXIT_MISMATCH = 14,		/* patch: the current bytes are not the expected */
	ZXC_EXIT_NO_MATCH = 15,		/* find: the pattern is nowhere */
};

/* main.c: how loud to be (0 normal, 1 -v, 2 -vv). */
extern int zxc_verbose;

/* errors.c: messages on stderr, prefixed "zxproc: ". */
void zxc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zxc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int zxc_usage_err(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The usage error for getopt_long()'s '?' or ':' (main.c sets opterr to
 * 0, so this is the only message): the option, and what was wrong.
 */
int zxc_option_err(const char *cmd, int c, char **argv);

/* What a failed library call was doing; it picks the message. */
enum zxc_op {
	ZXC_OP_DEVICE,	/* opening /dev/zxproc */
	ZXC_OP_OPEN,	/* opening a handle to the process */
	ZXC_OP_READ,	/* reading the process's memory */
	ZXC_OP_WRITE,	/* writing it */
};

/*
 * The one place that turns a zx_status_t into words and an exit code:
 * prints why @op failed on process @pid at @addr, and returns the exit
 * code of that class.  @handle is the handle a failed READ or WRITE
 * used (ZX_INFO_PROCESS on it tells a gone process from device memory),
 * ZX_HANDLE_INVALID for DEVICE and OPEN.
 */
int zxc_status_fail(enum zxc_op op, zx_status_t status, pid_t pid,
		    zx_handle_t handle, uint64_t addr);

/* number.c: the number syntax of every numeric argument. */
bool zxc_parse_u64(const char *text, uint64_t *out);
bool zxc_parse_pid(const char *text, pid_t *out);

/*
 * who.c: the process a subcommand works on, given as a PID argument or
 * as --name NAME.  zxc_who_arg() checks the PID's syntax (with the other
 * arguments, before anything is opened); zxc_who_resolve() then finds
 * the process a name stands for.  Both print and return an exit code.
 */
struct zxc_who {
	const char *name;	/* --name NAME, or NULL */
	pid_t pid;
};
int zxc_who_arg(const char *cmd, struct zxc_who *who, const char *text);
int zxc_who_resolve(struct zxc_who *who);

/* pidname.c: the processes whose name is @name (comm or program file). */
struct zxc_pidlist {
	pid_t *v;
	size_t n;
};
/* 0, or -errno when /proc cannot be listed. */
int zxc_pids_named(const char *name, struct zxc_pidlist *out);
void zxc_pidlist_free(struct zxc_pidlist *list);

/* hexdata.c: "de ad be ef" -> bytes.  Returns NULL and says why. */
uint8_t *zxc_parse_hex(const char *text, size_t *len, char *why,
		       size_t why_size);

/* maps.c: a snapshot of /proc/PID/maps. */
struct zxc_mapping {
	uint64_t start, end;	/* [start, end) */
	uint64_t offset;	/* file offset of start */
	char perms[5];		/* "r-xp" */
	unsigned long inode;
	char *name;		/* path, "[heap]", ... or "" (anonymous) */
};

struct zxc_maps {
	struct zxc_mapping *v;
	size_t n;
};

/* 0, or -errno from opening/reading /proc/PID/maps. */
int zxc_maps_read(pid_t pid, struct zxc_maps *maps);
void zxc_maps_free(struct zxc_maps *maps);
/*
 * Appends @m to @maps, which has room for @alloc (grown as needed), with
 * its own copy of @name for a name.  0 or -ENOMEM.
 */
int zxc_maps_add(struct zxc_maps *maps, size_t *alloc,
		 const struct zxc_mapping *m, const char *name);
/*
 * Whether @name (a mapping's name) is what a user means by @want: the
 * same name, or @want is the last component of the path @name.
 */
bool zxc_maps_name_matches(const char *want, size_t want_len,
			   const char *name);
/* The mapping holding @addr, or NULL. */
const struct zxc_mapping *zxc_maps_find(const struct zxc_maps *maps,
					uint64_t addr);

/* addr.c: ADDR arguments (numbers or mapping names, +/- offset). */
enum zxc_addr_result {
	ZXC_ADDR_OK,
	ZXC_ADDR_SYNTAX,	/* not an ADDR at all */
	ZXC_ADDR_UNKNOWN,	/* no mapping has that name */
	ZXC_ADDR_AMBIGUOUS,	/* several mappings have it */
};
/* On failure @why says what went wrong, in words. */
enum zxc_addr_result zxc_addr_resolve(const char *text,
				      const struct zxc_maps *maps,
				      uint64_t *addr, char *why,
				      size_t why_size);
/* Exit code for a failed resolution. */
int zxc_addr_exit(enum zxc_addr_result result);
/*
 * What can be told of ADDR before the target is opened: false (and @why)
 * for an empty text, or one that starts with a digit but is not
 * NUMBER[+-NUMBER] (a typo in a number, or hex without "0x").
 */
bool zxc_addr_syntax_ok(const char *text, char *why, size_t why_size);

/*
 * regions.c: the target's mappings, the one place that decides where
 * they come from (the handle's ZX_INFO_PROCESS_MAPS, completed from
 * /proc/PID/maps; /proc alone on a 0.2 module).  0 or -errno.
 */
int zxc_regions_read(pid_t pid, zx_handle_t handle, struct zxc_maps *maps);

/* proc.c: facts about the target from /proc, for messages. */
enum zxc_proc_state {
	ZXC_PROC_ALIVE,
	ZXC_PROC_ZOMBIE,	/* exited, not yet reaped */
	ZXC_PROC_GONE,		/* no such pid any more */
};
enum zxc_proc_state zxc_proc_state(pid_t pid);
/*
 * Why the command's own accesses are not forced (read-only private
 * memory written by copy-on-write, PROT_NONE memory read): the module
 * parameters host_force_override and force_override, in words, or NULL
 * when they are forced or the parameters cannot be read.
 */
const char *zxc_unforced_why(void);

/* device.c: the /dev node, for messages and status. */
struct zxc_devnode {
	bool present;
	bool is_char;
	char mode[11];		/* "crw-------" */
	unsigned int perm;	/* 0600 */
	char owner[64], group[64];
};
void zxc_devnode_stat(struct zxc_devnode *node);

/* kmod.c: the module through libkmod. */
struct kmod_ctx;
struct kmod_module;
struct kmod_ctx *zxc_kmod_new(void);
/* zxproc installed for the running kernel (a reference), or NULL. */
struct kmod_module *zxc_kmod_installed(struct kmod_ctx *ctx);
/* The "version" modinfo of the module's file (malloc'd), or NULL. */
char *zxc_kmod_file_version(const struct kmod_module *mod);
/* 1 loaded (any state), 0 not loaded, -errno when libkmod cannot tell. */
int zxc_module_loaded(void);
int zxc_cmd_status(int argc, char **argv);
int zxc_cmd_load(int argc, char **argv);
int zxc_cmd_unload(int argc, char **argv);

/* progress.c: a progress bar on stderr for long transfers. */
enum zxc_progress_mode {
	ZXC_PROGRESS_AUTO,	/* on a terminal, once a second has passed */
	ZXC_PROGRESS_ALWAYS,
	ZXC_PROGRESS_NEVER,
};
struct zxc_progress {
	enum zxc_progress_mode mode;
	const char *label;
	uint64_t total, done;
	double start, last_draw;
	char extra[64];		/* after the counts, e.g. "3 matches" */
	bool enabled, shown;
};
bool zxc_progress_parse(const char *text, enum zxc_progress_mode *mode);
void zxc_progress_start(struct zxc_progress *p, enum zxc_progress_mode mode,
			const char *label, uint64_t total);
void zxc_progress_add(struct zxc_progress *p, uint64_t bytes);
void zxc_progress_end(struct zxc_progress *p);

/* target.c: a handle to the target, opened with the checks in order. */
struct zxc_target {
	pid_t pid;
	zx_handle_t handle;
	struct zxc_maps maps;	/* read after the handle was opened */
	int maps_errno;		/* why the maps could not be read, or 0 */
};
/*
 * Opens @pid with @rights and ZX_RIGHT_INSPECT (for errors.c), and
 * snapshots its maps; returns an exit code.
 */
int zxc_target_open(struct zxc_target *t, pid_t pid, zx_rights_t rights);
void zxc_target_close(struct zxc_target *t);
/* Resolves ADDR against the target; prints and returns an exit code. */
int zxc_target_addr(const struct zxc_target *t, const char *text,
		    uint64_t *addr);

/* memio.c: whole transfers in bounded chunks, with progress. */
struct zxc_xfer {
	uint64_t done;		/* bytes copied */
	zx_status_t status;	/* ZX_OK, or why the copy stopped early */
	uint64_t stop;		/* address where it stopped when short */
};
void zxc_write_range(const struct zxc_target *t, uint64_t addr,
		     const uint8_t *buf, uint64_t len,
		     struct zxc_progress *progress, struct zxc_xfer *x);
/* One all-or-nothing write (len <= ZXPROC_MAX_TRANSFER). */
void zxc_write_all_or_nothing(const struct zxc_target *t, uint64_t addr,
			      const uint8_t *buf, uint64_t len,
			      struct zxc_xfer *x);
/* Reads up to @len bytes; calls @sink for each chunk as it arrives. */
void zxc_read_range(const struct zxc_target *t, uint64_t addr, uint64_t len,
		    int (*sink)(void *ctx, uint64_t addr, const uint8_t *buf,
				size_t len),
		    void *ctx, struct zxc_xfer *x);
/*
 * Reports a transfer that did not complete (prints, returns an exit
 * code): PARTIAL when some bytes were copied, else the status's class.
 */
int zxc_xfer_fail(const struct zxc_target *t, enum zxc_op op, uint64_t addr,
		  uint64_t len, const struct zxc_xfer *x);

/*
 * cas.c: a write that happens only if the memory holds @expect: the one
 * place that decides how the comparison is made (the kernel's atomic
 * compare-and-swap for 1, 2, 4 or 8 aligned bytes, else read, compare,
 * write).  @x as for zxc_write_range(); *@differs is set when the bytes
 * differ, and @current (@len bytes) then holds what was found.
 */
void zxc_write_if_equal(const struct zxc_target *t, uint64_t addr,
			const uint8_t *expect, const uint8_t *data,
			uint64_t len, uint8_t *current, bool *differs,
			struct zxc_xfer *x);

/*
 * scan.c: the target's memory in batches, for `find`.  Calls @chunk for
 * every piece read, in address order; a piece that starts where the
 * previous one ended continues it; @chunk returns 0 to go on, 1 to
 * stop, -1 when its output failed.  Pages that are not resident are
 * passed over unless @fault (then they are read, faulted in).  Returns
 * an exit code (0, or the target ended).
 */
struct zxc_scan_stats {
	uint64_t bytes;		/* read */
	uint64_t skipped;	/* in regions that could not be read */
	uint64_t not_resident;	/* in pages passed over, not faulted in */
};
int zxc_scan(const struct zxc_target *t, const struct zxc_maps *regions,
	     bool fault, struct zxc_progress *progress,
	     int (*chunk)(void *ctx, uint64_t addr, const uint8_t *buf,
			  size_t len),
	     void *ctx, struct zxc_scan_stats *stats);

/* typed.c: --u8 ... --f64 values. */
struct zxc_type {
	const char *name;	/* "u32" */
	size_t size;
	char kind;		/* 'u', 'i' or 'f' */
};
/* The type of option @name ("u32"), or NULL. */
const struct zxc_type *zxc_type_find(const char *name);
/*
 * "1,2,-3": values of @type in the machine's byte order (the target's:
 * the same machine).  Returns NULL and says why.
 */
uint8_t *zxc_type_parse(const struct zxc_type *type, const char *text,
			size_t *len, char *why, size_t why_size);
/* One value at @p, as text, into @out. */
void zxc_type_format(const struct zxc_type *type, const uint8_t *p,
		     char *out, size_t out_size);
#define ZXC_TYPE_COUNT 10
extern const struct zxc_type zxc_types[ZXC_TYPE_COUNT];
struct option;
/*
 * The getopt_long() entries "--u8" ... "--f64" into @opts[0 ..
 * ZXC_TYPE_COUNT - 1], with @has_arg, their vals from @base.
 */
void zxc_type_options(struct option *opts, int has_arg, int base);

/* json.c: @s as a JSON string (null for NULL). */
void zxc_json_string(FILE *out, const char *s);

/* hexdump.c */
struct zxc_hexdump {
	uint8_t line[16];
	size_t fill;
	uint64_t line_addr;
	bool xxd;
};
/* xxd: the layout of xxd(1), "ADDR: 4865 6c6c  He", that xxd -r takes. */
void zxc_hexdump_init(struct zxc_hexdump *h, uint64_t addr, bool xxd);
int zxc_hexdump_feed(struct zxc_hexdump *h, const uint8_t *buf, size_t len);
int zxc_hexdump_flush(struct zxc_hexdump *h);

/* The memory subcommands. */
int zxc_cmd_write(int argc, char **argv);
int zxc_cmd_read(int argc, char **argv);
int zxc_cmd_patch(int argc, char **argv);
int zxc_cmd_maps(int argc, char **argv);
int zxc_cmd_find(int argc, char **argv);

#endif /* ZXPROC_CLI_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * Forcing follows the host's /proc/PID/mem policy (issue 13, item 4).
 *
 * Run in guests booted with each policy (tests/vm/run --append
 * proc_mem.force_override=never, =ptrace, and none): every suite under
 * tests/force/ means something only across those boots.
 *
 * policy: the module's host_force_override is the strictest of the
 *	kernel's CONFIG_PROC_MEM_* default and every valid
 *	proc_mem.force_override= of the command line (early_param() rules:
 *	"-" and "_" alike, quotes stripped, nothing after "--", an unknown
 *	value changes nothing).  fs/proc/base.c takes the last value
 *	instead; the two agree unless the command line loosens the
 *	configured policy, where zxproc stays stricter by design (it cannot
 *	tell the kernel's values from bootconfig's, which the kernel
 *	ignores; module/force.c).
 * differential: the module forces exactly when /proc/PID/mem does, in
 *	the same guest.  For a target with private mappings that are
 *	read-write (the control), read-only anonymous, read-only of a file,
 *	and PROT_NONE, a write and a read of each go through a zxproc
 *	handle and through /proc/PID/mem (pwrite/pread), by a caller that
 *	is (a) not the target's tracer, (b) its ptrace tracer (seized and
 *	stopped), (c) the target itself (a handle to its own process vs
 *	/proc/self/mem).  Each pair must be allowed or refused alike (and
 *	as the kernel's rule says); a refusal is EACCES from zxproc and
 *	EIO from /proc.  Then the target's own view of every page (read
 *	by the target itself, never by either channel) shows exactly the
 *	writes that were allowed, and the file behind the file mapping
 *	never changes.
 */
#include <ctype.h>
#include <limits.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
#define PAGES 3			/* 0: reads; 1: zxproc's write; 2: /proc's */
#define OFF 128			/* where in its page a write lands */
#define LEN 64
#define ZX_PARAMS "/sys/module/zxproc/parameters/"

enum policy { P_ALWAYS, P_PTRACE, P_NEVER, P_UNKNOWN };
static const char *const policy_name[] = { "always", "ptrace", "never" };

/* ---- the kernel's rule ------------------------------------------------ */

/* The kernel's next_arg() (lib/cmdline.c), which early_param() parsing uses. */
static char *next_arg(char *args, char **param, char **val)
{
	unsigned int i, equals = 0;
	int in_quote = 0, quoted = 0;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		args += i + 1;
	} else {
		args += i;
	}
	while (isspace((unsigned char)*args))
		args++;
	return args;
}

/* parameq(): "-" and "_" are the same character in a parameter name. */
static bool parameq(const char *a, const char *b)
{
	for (; *a || *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
	}
	return true;
}

/* The default the kernel was built with (CONFIG_PROC_MEM_*). */
static enum policy config_policy(char *why, size_t len)
{
	static const struct { const char *opt; enum policy p; } opts[] = {
		{ "CONFIG_PROC_MEM_ALWAYS_FORCE=y", P_ALWAYS },
		{ "CONFIG_PROC_MEM_FORCE_PTRACE=y", P_PTRACE },
		{ "CONFIG_PROC_MEM_NO_FORCE=y", P_NEVER },
	};
	enum policy p = P_UNKNOWN;
	struct utsname u;
	char path[80 + sizeof(((struct utsname *)0)->release)], line[256];
	FILE *f;
	size_t i;

	uname(&u);
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	f = fopen(path, "re");
	if (!f) {
		/* The debug kernel has no /boot entry, but IKCONFIG_PROC. */
		snprintf(path, sizeof(path), "/proc/config.gz");
		f = popen("zcat /proc/config.gz 2>/dev/null", "re");
	}
	if (!f) {
		snprintf(why, len, "no /boot/config-%s, no /proc/config.gz", u.release);
		return P_UNKNOWN;
	}
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			if (!strncmp(line, opts[i].opt, strlen(opts[i].opt)))
				p = opts[i].p;
	if (strcmp(path, "/proc/config.gz"))
		fclose(f);
	else
		pclose(f);
	snprintf(why, len, "%s has no CONFIG_PROC_MEM_* choice", path);
	return p;
}

/*
 * What fs/proc/base.c decided for this boot (the last valid value), and
 * in *@strictest what zxproc's rule gives (the strictest of them all).
 */
static enum policy kernel_policy(char *why, size_t len, enum policy *strictest)
{
	static char cmdline[65536];
	enum policy p = config_policy(why, len);
	char *args = cmdline, *param, *val;
	ssize_t n;
	size_t i;
	int fd;

	*strictest = p;
	if (p == P_UNKNOWN)
		return p;
	fd = open("/proc/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "/proc/cmdline: %s", strerror(errno));
		return P_UNKNOWN;
	}
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, len, "/proc/cmdline: %s", strerror(errno));
		return P_UNKNOWN;
	}
	cmdline[n] = '\0';
	if (n && cmdline[n - 1] == '\n')
		cmdline[n - 1] = '\0';

	while (isspace((unsigned char)*args))
		args++;
	while (*args) {
		args = next_arg(args, &param, &val);
		if (!val && !strcmp(param, "--"))
			break;
		if (!val || !parameq(param, "proc_mem.force_override"))
			continue;
		for (i = 0; i < 3; i++) {
			if (!strcmp(val, policy_name[i])) {
				p = (enum policy)i;
				if (p > *strictest)
					*strictest = p;
			}
		}
	}
	return p;
}

/* A zxproc parameter's value, newline stripped; -errno if unreadable. */
static int zx_param(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), ZX_PARAMS "%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

TEST(policy)
{
	char why[512] = "", host[32];
	enum policy want, kernel = kernel_policy(why, sizeof(why), &want);
	int ret;

	ASSERT_NE(P_UNKNOWN, want) TH_LOG("the kernel's rule is unknown here: %s", why);
	ret = zx_param("host_force_override", host, sizeof(host));
	ASSERT_EQ(0, ret) TH_LOG(ZX_PARAMS "host_force_override: %s", strerror(-ret));
	TH_LOG("fs/proc/base.c's policy for this boot: %s; the strictest named: %s; zxproc's: %s",
	       policy_name[kernel], policy_name[want], host);
	ASSERT_STREQ(policy_name[want], host);
	ASSERT_GE(want, kernel) TH_LOG("zxproc must never be looser than the kernel");
}

/* ---- the differential -------------------------------------------------- */

enum region { R_RW, R_RO_ANON, R_RO_FILE, R_NONE, R_N };
static const char *const region_name[] = { "rw", "ro_anon", "ro_file", "none" };
static const int region_prot[] = {
	PROT_READ | PROT_WRITE, PROT_READ, PROT_READ, PROT_NONE,
};

enum mode { M_OTHER, M_TRACER, M_SELF };

FIXTURE(diff) {
	uint8_t *region[R_N];
	uint8_t *view;		/* shared: the target's copy of a region */
	char file[PATH_MAX];
	int file_fd;
	int sock;		/* to the target: "show me region r" */
	pid_t target;		/* the target (this process for M_SELF) */
	bool traced;
	int dev, h, mem;
	enum policy policy;
};

FIXTURE_VARIANT(diff) {
	enum mode mode;
};

FIXTURE_VARIANT_ADD(diff, other) { .mode = M_OTHER };
FIXTURE_VARIANT_ADD(diff, tracer) { .mode = M_TRACER };
FIXTURE_VARIANT_ADD(diff, self) { .mode = M_SELF };

static unsigned int seed_of(enum region r, unsigned int page)
{
	return 20 + r * 8 + page;
}

/* Copy region @r, as its process sees it, into @out (no channel used). */
static void own_view(uint8_t *const *region, enum region r, uint8_t *out)
{
	if (region_prot[r] == PROT_NONE)
		mprotect(region[r], PAGES * PAGE, PROT_READ);
	memcpy(out, region[r], PAGES * PAGE);
	if (region_prot[r] == PROT_NONE)
		mprotect(region[r], PAGES * PAGE, PROT_NONE);
}

/* The target: answers "region r?" with its own view, until the socket closes. */
static void serve(uint8_t *const *region, uint8_t *view, int sock)
{
	int r;

	while (read(sock, &r, sizeof(r)) == sizeof(r)) {
		if (r < 0 || r >= R_N)
			_exit(2);
		own_view(region, r, view);
		if (write(sock, "k", 1) != 1)
			_exit(3);
	}
	_exit(0);
}

FIXTURE_SETUP(diff)
{
	char why[512] = "", val[32], path[64];
	enum policy strictest;
	const char *tmp = getenv("TMPDIR");
	uint8_t *pattern;
	int sv[2], r, ret;
	unsigned int p;

	self->h = self->mem = self->dev = self->file_fd = self->sock = -1;
	self->target = 0;
	self->traced = false;
	self->policy = kernel_policy(why, sizeof(why), &strictest);
	ASSERT_NE(P_UNKNOWN, self->policy) TH_LOG("%s", why);
	/* Where zxproc is stricter by design there is no differential. */
	ASSERT_EQ(self->policy, strictest)
		TH_LOG("this boot's command line loosens its configured policy: boot one that does not");
	/* The administrator's restriction must not be in play. */
	ret = zx_param("force_override", val, sizeof(val));
	if (ret != -ENOENT) {
		ASSERT_EQ(0, ret);
		ASSERT_STREQ("always", val);
	}

	/* A file for the private file mapping; it must never change. */
	snprintf(self->file, sizeof(self->file), "%s/zxproc-force-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	self->file_fd = mkstemp(self->file);
	ASSERT_LE(0, self->file_fd);
	unlink(self->file);
	pattern = malloc(PAGES * PAGE);
	ASSERT_NE(NULL, pattern);
	for (p = 0; p < PAGES; p++)
		zx_fill(pattern + p * PAGE, PAGE, seed_of(R_RO_FILE, p));
	ASSERT_EQ((ssize_t)(PAGES * PAGE), pwrite(self->file_fd, pattern, PAGES * PAGE, 0));
	free(pattern);

	for (r = 0; r < R_N; r++) {
		if (r == R_RO_FILE) {
			self->region[r] = mmap(NULL, PAGES * PAGE, PROT_READ,
					       MAP_PRIVATE, self->file_fd, 0);
		} else {
			self->region[r] = mmap(NULL, PAGES * PAGE,
					       PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			ASSERT_NE(MAP_FAILED, self->region[r]);
			for (p = 0; p < PAGES; p++)
				zx_fill(self->region[r] + p * PAGE, PAGE,
					seed_of(r, p));
			ASSERT_EQ(0, mprotect(self->region[r], PAGES * PAGE,
					      region_prot[r]));
		}
		ASSERT_NE(MAP_FAILED, self->region[r]);
	}
	self->view = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->view);

	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
	if (variant->mode == M_SELF) {
		self->target = getpid();
		snprintf(path, sizeof(path), "/proc/self/mem");
	} else {
		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
		self->target = zx_fork_tied();
		ASSERT_LE(0, self->target);
		if (self->target == 0) {
			close(sv[0]);
			serve(self->region, self->view, sv[1]);
		}
		close(sv[1]);
		self->sock = sv[0];
		snprintf(path, sizeof(path), "/proc/%d/mem", self->target);
	}
	self->h = zx_open(self->dev, self->target,
			  ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, self->h) TH_LOG("open: %s", strerror(-self->h));
	self->mem = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->mem) TH_LOG("%s: %s", path, strerror(errno));

	if (variant->mode == M_TRACER) {
		int status;

		ASSERT_EQ(0, ptrace(PTRACE_SEIZE, self->target, 0, 0));
		self->traced = true;
		ASSERT_EQ(0, ptrace(PTRACE_INTERRUPT, self->target, 0, 0));
		ASSERT_EQ(self->target, waitpid(self->target, &status, __WALL));
		ASSERT_TRUE(WIFSTOPPED(status));
	}
}

FIXTURE_TEARDOWN(diff)
{
	if (self->traced)
		ptrace(PTRACE_DETACH, self->target, 0, 0);
	if (self->h >= 0)
		close(self->h);
	if (self->mem >= 0)
		close(self->mem);
	if (self->dev >= 0)
		close(self->dev);
	if (self->file_fd >= 0)
		close(self->file_fd);
	if (self->sock >= 0)
		close(self->sock);
	if (variant->mode != M_SELF && self->target > 0)
		zx_reap(self->target);
}

static int zx_try(int h, bool write, uint64_t addr, void *buf)
{
	uint64_t actual;
	int ret = write ? zx_write(h, addr, buf, LEN, &actual) :
			  zx_read(h, addr, buf, LEN, &actual);

	if (ret)
		return actual == 0 ? ret : -ERANGE;
	return actual == LEN ? 0 : -ERANGE;
}

static int proc_try(int fd, bool write, uint64_t addr, void *buf)
{
	ssize_t n = write ? pwrite(fd, buf, LEN, (off_t)addr) :
			    pread(fd, buf, LEN, (off_t)addr);

	if (n < 0)
		return -errno;
	return n == LEN ? 0 : -ERANGE;
}

/* Does the kernel's rule allow this access? */
static bool allowed(enum policy policy, enum mode mode, enum region r,
		    bool write)
{
	bool forced = write ? !(region_prot[r] & PROT_WRITE) :
			      !(region_prot[r] & PROT_READ);

	return !forced || policy == P_ALWAYS ||
	       (policy == P_PTRACE && mode == M_TRACER);
}

TEST_F(diff, write_read)
{
	uint8_t want[PAGES * PAGE], data[2][LEN], got[2][LEN];
	bool landed[R_N][2];
	int r, ch, out[2];
	unsigned int p;
	char c;

	TH_LOG("policy %s, caller %s", policy_name[self->policy],
	       variant->mode == M_OTHER ? "not the tracer" :
	       variant->mode == M_TRACER ? "the tracer" : "the target itself");

	for (r = 0; r < R_N; r++) {
		uint64_t base = zx_ptr(self->region[r]);
		bool ok = allowed(self->policy, variant->mode, r, true);

		/* Writes: zxproc into page 1, /proc into page 2. */
		for (ch = 0; ch < 2; ch++)
			zx_fill(data[ch], LEN, 100 + r * 2 + ch);
		out[0] = zx_try(self->h, true, base + PAGE + OFF, data[0]);
		out[1] = proc_try(self->mem, true, base + 2 * PAGE + OFF, data[1]);
		TH_LOG("%-7s write: zxproc %d, /proc %d (the rule: %s)",
		       region_name[r], out[0], out[1], ok ? "allowed" : "refused");
		EXPECT_EQ(!out[1], !out[0]) TH_LOG("%s write: zxproc and /proc/PID/mem disagree",
						   region_name[r]);
		EXPECT_EQ(ok, !out[1]) TH_LOG("/proc/PID/mem does not follow the rule");
		EXPECT_EQ(ok ? 0 : -EACCES, out[0]);
		EXPECT_EQ(ok ? 0 : -EIO, out[1]);
		for (ch = 0; ch < 2; ch++)
			landed[r][ch] = !out[ch];

		/* Reads of page 0, which no write touches. */
		ok = allowed(self->policy, variant->mode, r, false);
		memset(got, 0xa5, sizeof(got));
		out[0] = zx_try(self->h, false, base + OFF, got[0]);
		out[1] = proc_try(self->mem, false, base + OFF, got[1]);
		TH_LOG("%-7s read:  zxproc %d, /proc %d (the rule: %s)",
		       region_name[r], out[0], out[1], ok ? "allowed" : "refused");
		EXPECT_EQ(!out[1], !out[0]) TH_LOG("%s read: zxproc and /proc/PID/mem disagree",
						   region_name[r]);
		EXPECT_EQ(ok, !out[1]) TH_LOG("/proc/PID/mem does not follow the rule");
		EXPECT_EQ(ok ? 0 : -EACCES, out[0]);
		EXPECT_EQ(ok ? 0 : -EIO, out[1]);
		for (ch = 0; ch < 2; ch++) {
			zx_fill(want, LEN + OFF, seed_of(r, 0));
			if (!out[ch]) {
				EXPECT_EQ(0, memcmp(got[ch], want + OFF, LEN));
			} else {
				EXPECT_EQ(-1, zx_not_all(got[ch], 0xa5, LEN));
			}
		}
	}

	if (self->traced) {
		ASSERT_EQ(0, ptrace(PTRACE_DETACH, self->target, 0, 0));
		self->traced = false;
	}

	/* The target's own view: exactly the allowed writes landed. */
	for (r = 0; r < R_N; r++) {
		if (variant->mode == M_SELF) {
			own_view(self->region, r, self->view);
		} else {
			ASSERT_EQ((ssize_t)sizeof(r), write(self->sock, &r, sizeof(r)));
			ASSERT_EQ(1, read(self->sock, &c, 1));
		}
		for (p = 0; p < PAGES; p++)
			zx_fill(want + p * PAGE, PAGE, seed_of(r, p));
		for (ch = 0; ch < 2; ch++) {
			zx_fill(data[ch], LEN, 100 + r * 2 + ch);
			if (landed[r][ch])
				memcpy(want + (1 + ch) * PAGE + OFF, data[ch], LEN);
		}
		EXPECT_EQ(0, memcmp(self->view, want, PAGES * PAGE))
			TH_LOG("%s: the target's memory is not what the allowed writes made it",
			       region_name[r]);
	}

	/* Copy-on-write never reaches the file. */
	for (p = 0; p < PAGES; p++)
		zx_fill(want + p * PAGE, PAGE, seed_of(R_RO_FILE, p));
	ASSERT_EQ((ssize_t)(PAGES * PAGE), pread(self->file_fd, self->view, PAGES * PAGE, 0));
	EXPECT_EQ(0, memcmp(self->view, want, PAGES * PAGE));
}

TEST_HARNESS_MAIN

// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege matrix: who may mint a handle to whom, and a
 * differential check against the kernel's own ptrace policy.
 *
 * Callers (fixture variants):
 *   root              uid 0, every capability, device opened by root
 *   root_noptrace     uid 0 without CAP_SYS_PTRACE
 *   nobody            uid 65534, no capabilities, device opened by root
 *                     (so that the caller's own credentials decide)
 *   nobody_own_device uid 65534 with a descriptor it opened itself, of a
 *                     private 0666 node of /dev/zxproc (as a member of the
 *                     group udev gives the device would)
 *   userns_root       nobody after unshare(CLONE_NEWUSER): uid 0 and every
 *                     capability, in its own user namespace only
 *   pidns_root        root in a new pid namespace (unshare(CLONE_NEWPID)
 *                     then fork: pid 1 there); its targets live inside it
 *   root_unpriv_device root using a descriptor that nobody opened (the
 *                     confused deputy: the opener's credentials count too)
 *
 * Targets (tests), relative to the caller:
 *   self, root_owned, same_user, nondumpable (same user, PR_SET_DUMPABLE 0),
 *   userns_nobody (uid 65534 in a user namespace nobody created),
 *   userns_nobody_nondumpable (the same, not dumpable: its address space
 *   still belongs to the initial namespace), userns_other (uid 4242 in a
 *   namespace 4242 created), other_pidns (root, in a child pid namespace;
 *   for pidns_root: a process outside its namespace, named by the pid the
 *   test sees), caller_child (a child the caller forked, same credentials).
 *
 * Every cell checks:
 *  1. zxproc's answer against the rules of uapi/linux/zxproc.h (the
 *     table expected[] below, each row explained): own process always;
 *     otherwise CAP_SYS_PTRACE in the target's user namespace, held now
 *     and by the device's opener; if the target is not dumpable, also in
 *     the namespace of its address space.  A granted handle must write.
 *  2. the differential: wherever zxproc grants a handle, the same caller
 *     may process_vm_writev() the same target (the kernel's own ptrace
 *     check, PTRACE_MODE_ATTACH_REALCREDS, with Yama and the LSMs).
 * under Yama ptrace_scope 0, 1 and 2 in turn (or ZXPROC_YAMA_SCOPES).
 * zxproc cannot ask Yama, so under ptrace_scope 3 (no attach at all,
 * irreversible until reboot) it grants what ptrace refuses: that run is
 * only made when asked for, and then reports the gap (see SECURITY.md)
 * instead of failing the differential.
 *
 * The last test prints the whole matrix.
 */
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "../module/helpers.h"
#include "kselftest_harness.h"

#define OTHER_UID 4242
#define YAMA "/proc/sys/kernel/yama/ptrace_scope"
#define MAX_SCOPES 4

enum caller { C_ROOT, C_ROOT_NOPTRACE, C_NOBODY, C_NOBODY_OWN_DEV, C_USERNS_ROOT,
	      C_PIDNS_ROOT, C_ROOT_UNPRIV_DEV, NCALLERS };
enum target { T_SELF, T_ROOT, T_SAME, T_NONDUMP, T_USERNS_NOBODY,
	      T_USERNS_NOBODY_NONDUMP, T_USERNS_OTHER, T_OTHER_PIDNS,
	      T_CALLER_CHILD, NTARGETS };

static const char *const caller_name[NCALLERS] = {
	"root", "root_noptrace", "nobody", "nobody_own_device", "userns_root",
	"pidns_root", "root_unpriv_device",
};
static const char *const target_name[NTARGETS] = {
	"self", "root_owned", "same_user", "nondumpable", "userns_nobody",
	"userns_nobody_nondumpable", "userns_other", "other_pidns", "caller_child",
};

#define G 1		/* a handle is granted */
#define P (-EPERM)
#define S (-ESRCH)

/*
 * What the header's rules say.  "cap(ns)" is CAP_SYS_PTRACE in ns;
 * root of the initial namespace has it everywhere; the owner of a
 * user namespace has it inside (the kernel's cap_capable()).
 */
static const int expected[NCALLERS][NTARGETS] = {
	/* root: cap everywhere, opener too */
	[C_ROOT] = { G, G, G, G, G, G, G, G, G },
	/* no cap anywhere: only itself; same uid is not enough */
	[C_ROOT_NOPTRACE] = { G, P, P, P, P, P, P, P, P },
	/* owns the namespace nobody made, so cap there; not over its mm */
	[C_NOBODY] = { G, P, P, P, G, P, P, P, P },
	/* the same, with its own descriptor: the opener owns that ns too */
	[C_NOBODY_OWN_DEV] = { G, P, P, P, G, P, P, P, P },
	/* cap only in its own namespace: sibling namespaces are not in it */
	[C_USERNS_ROOT] = { G, P, P, P, P, P, P, P, G },
	/* root, everything inside its pid namespace; outside: no such pid */
	[C_PIDNS_ROOT] = { G, G, G, G, G, G, G, S, G },
	/*
	 * the opener (nobody) has cap only where it owns the namespace: the
	 * caller's own process, and the namespace nobody made
	 */
	[C_ROOT_UNPRIV_DEV] = { G, P, P, P, G, P, P, P, P },
};

/* A page every forked process has at the same address. */
static uint8_t scratch[4096] __attribute__((aligned(4096)));

struct cell {
	int zx;		/* PROCESS_OPEN: fd >= 0 as 1, or -errno */
	int zx_write;	/* WRITE through it: 0 or -errno */
	int pvw;	/* process_vm_writev: 1 or -errno */
	int setup;	/* 0, or the caller's failed setup step */
};

/* Results of every cell, shared with the forked tests, for the table. */
struct results {
	int scopes[MAX_SCOPES], nscopes;
	bool done[NCALLERS][NTARGETS];
	struct cell cell[NCALLERS][NTARGETS][MAX_SCOPES];
};
static struct results *results;

static void __attribute__((constructor)) results_map(void)
{
	void *p = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	results = p == MAP_FAILED ? NULL : p;
}

/* ---- credentials -------------------------------------------------------- */

/* uid/gid @id, no groups, no capabilities, but dumpable (for /proc). */
static int become(uid_t id)
{
	if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id))
		return -errno;
	return prctl(PR_SET_DUMPABLE, 1) ? -errno : 0;
}

/*
 * The kernel refuses to create a user namespace for a chrooted task
 * (create_user_ns(): current_chrooted()), and the test guest runs
 * everything chrooted into the host's tree (tests/vm/init).  A process
 * about to make one first takes pid 1's root, the mount namespace's own
 * root, as its root (it needs no path afterwards).  Needs CAP_SYS_CHROOT;
 * a no-op where nothing is chrooted.
 */
static int leave_chroot(void)
{
	struct stat here, real;

	if (stat("/", &here) || stat("/proc/1/root/", &real))
		return -errno;
	if (here.st_dev == real.st_dev && here.st_ino == real.st_ino)
		return 0;
	if (chroot("/proc/1/root") || chdir("/"))
		return -errno;
	return 0;
}

/* Enter a new user namespace as its root, mapped to our own uid. */
static int enter_userns(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (unshare(CLONE_NEWUSER))
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (zx_write_file("/proc/self/uid_map", map) ||
	    zx_write_file("/proc/self/setgroups", "deny"))
		return -EPERM;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	return zx_write_file("/proc/self/gid_map", map) ? -EPERM : 0;
}

/* ---- targets ------------------------------------------------------------ */

/* The parent of a T_OTHER_PIDNS target, which the test reaps too. */
static pid_t pidns_middle = -1;

/*
 * Fork a target of @kind for a caller of uid @uid; it reports readiness
 * on a pipe, then waits to be killed.  Returns its pid as the caller's
 * namespace sees it (the forking process's namespace).
 */
static pid_t spawn_target(enum target kind, uid_t uid)
{
	int p[2];
	pid_t pid;
	char c = 0;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int err = 0;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		switch (kind) {
		case T_ROOT:
			break;
		case T_SAME:
		case T_CALLER_CHILD:
			err = uid ? become(uid) : 0;
			break;
		case T_NONDUMP:
			err = uid ? become(uid) : 0;
			err = err ?: prctl(PR_SET_DUMPABLE, 0);
			break;
		case T_USERNS_NOBODY:
		case T_USERNS_NOBODY_NONDUMP:
			err = leave_chroot() ?: become(ZX_NOBODY) ?: enter_userns();
			if (!err && kind == T_USERNS_NOBODY_NONDUMP)
				err = prctl(PR_SET_DUMPABLE, 0);
			break;
		case T_USERNS_OTHER:
			err = leave_chroot() ?: become(OTHER_UID) ?: enter_userns();
			break;
		case T_OTHER_PIDNS: {
			/* Its child is pid 1 of a new namespace: report that one. */
			pid_t inner;

			if (unshare(CLONE_NEWPID))
				_exit(1);
			inner = fork();
			if (inner == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			if (inner < 0 || write(p[1], &inner, sizeof(inner)) != sizeof(inner))
				_exit(1);
			for (;;)
				pause();
		}
		default:
			break;
		}
		if (err || write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (kind == T_OTHER_PIDNS) {
		pid_t inner;

		if (read(p[0], &inner, sizeof(inner)) != sizeof(inner))
			inner = -EIO;
		close(p[0]);
		/* The caller names the inner process. */
		pidns_middle = pid;
		return inner;
	}
	if (read(p[0], &c, 1) != 1)
		pid = -EIO;
	close(p[0]);
	return pid;
}

/* ---- the caller ---------------------------------------------------------- */

struct matrix_env {
	int dev;		/* /dev/zxproc opened by root */
	char node[128];		/* a private 0666 node of the same device */
};

/*
 * Become caller @c, find target @t (@outer: a pid the test made), try
 * both interfaces, and store the answers in @out.  Returns a setup
 * step on failure.
 */
static int caller_try(const struct matrix_env *env, enum caller c, enum target t,
		      pid_t outer, struct cell *out)
{
	struct iovec local = { .iov_base = &(uint8_t){ 0x5c }, .iov_len = 1 };
	struct iovec remote = { .iov_base = scratch, .iov_len = 1 };
	int dev = env->dev, h;
	uid_t uid = 0;
	pid_t pid;

	switch (c) {
	case C_ROOT:
	case C_PIDNS_ROOT:
		break;
	case C_ROOT_NOPTRACE:
		if (zx_drop_cap(CAP_SYS_PTRACE))
			return 2;
		break;
	case C_NOBODY:
		uid = ZX_NOBODY;
		if (become(uid))
			return 3;
		break;
	case C_NOBODY_OWN_DEV:
		uid = ZX_NOBODY;
		if (become(uid))
			return 4;
		dev = open(env->node, O_RDWR | O_CLOEXEC);
		if (dev < 0)
			return 5;
		break;
	case C_USERNS_ROOT:
		uid = ZX_NOBODY;
		if (leave_chroot() || become(uid) || enter_userns() || getuid() != 0 ||
		    !zx_has_cap(CAP_SYS_PTRACE))
			return 6;
		break;
	case C_ROOT_UNPRIV_DEV:
		dev = zx_nobody_opened(env->node);
		if (dev < 0)
			return 7;
		break;
	default:
		return 8;
	}

	/* The target, as this caller names it. */
	if (t == T_SELF)
		pid = getpid();
	else if (t == T_CALLER_CHILD)
		pid = spawn_target(T_CALLER_CHILD, 0);	/* our own credentials */
	else if (c == C_PIDNS_ROOT && t != T_OTHER_PIDNS)
		pid = spawn_target(t, 0);		/* inside our namespace */
	else
		pid = outer;
	if (pid <= 0)
		return 9;

	h = zx_open(dev, pid, ZXPROC_RIGHT_WRITE);
	out->zx = h >= 0 ? G : h;
	out->zx_write = -ENOTTY;
	if (h >= 0) {
		uint64_t actual = 0;
		uint8_t v = 0xa7;

		out->zx_write = zx_write(h, zx_ptr(scratch), &v, 1, &actual);
		if (!out->zx_write && actual != 1)
			out->zx_write = -EIO;
		close(h);
	}
	out->pvw = (int)process_vm_writev(pid, &local, 1, &remote, 1, 0);
	if (out->pvw < 0)
		out->pvw = -errno;
	return 0;
}

/* Run one caller in a fresh process; its answers land in @out. */
static int run_caller(const struct matrix_env *env, enum caller c, enum target t,
		      pid_t outer, struct cell *out)
{
	struct cell *shared;
	pid_t pid;
	int status;

	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -errno;
	memset(shared, 0, sizeof(*shared));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (c == C_PIDNS_ROOT) {
			/* pid 1 of a new namespace does the trying. */
			pid_t inner;

			if (unshare(CLONE_NEWPID))
				_exit(10);
			inner = fork();
			if (inner == 0) {
				shared->setup = caller_try(env, c, t, outer, shared);
				_exit(0);
			}
			_exit(inner > 0 && waitpid(inner, &status, 0) == inner &&
			      WIFEXITED(status) ? WEXITSTATUS(status) : 11);
		}
		shared->setup = caller_try(env, c, t, outer, shared);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -ECHILD;
	*out = *shared;
	munmap(shared, sizeof(*shared));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -EPROTO;
	return out->setup ? -EPROTO : 0;
}

/* ---- Yama -------------------------------------------------------------- */

static int yama_get(void)
{
	char buf[16];

	return zx_read_file(YAMA, buf, sizeof(buf)) > 0 ? atoi(buf) : -1;
}

static int yama_set(int scope)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", scope);
	return zx_write_file(YAMA, buf);
}

/*
 * Scopes to run under: ZXPROC_YAMA_SCOPES ("0 1 2 3"), default "0 1 2";
 * none at or above the current one can be lowered from 3, so under 3
 * only 3 runs.  Without Yama: one run, recorded as scope -1.
 */
static int scopes_to_run(int *scopes)
{
	const char *env = getenv("ZXPROC_YAMA_SCOPES");
	int now = yama_get(), n = 0;
	char *list, *tok, *save;

	if (now < 0) {
		scopes[0] = -1;
		return 1;
	}
	if (now == 3) {
		scopes[0] = 3;
		return 1;
	}
	list = strdup(env && *env ? env : "0 1 2");
	for (tok = strtok_r(list, " ,", &save); tok && n < MAX_SCOPES;
	     tok = strtok_r(NULL, " ,", &save))
		scopes[n++] = atoi(tok);
	free(list);
	return n;
}

/* ---- the cells ----------------------------------------------------------- */

FIXTURE(matrix) {
	struct matrix_env env;
	char dir[64];
	int yama_before;
};

FIXTURE_VARIANT(matrix) {
	enum caller caller;
};

#define CALLER(name, id) \
	FIXTURE_VARIANT_ADD(matrix, name) { .caller = id }
CALLER(root, C_ROOT);
CALLER(root_noptrace, C_ROOT_NOPTRACE);
CALLER(nobody, C_NOBODY);
CALLER(nobody_own_device, C_NOBODY_OWN_DEV);
CALLER(userns_root, C_USERNS_ROOT);
CALLER(pidns_root, C_PIDNS_ROOT);
CALLER(root_unpriv_device, C_ROOT_UNPRIV_DEV);

FIXTURE_SETUP(matrix)
{
	struct stat st;

	ASSERT_NE(NULL, results);
	self->yama_before = yama_get();
	self->env.dev = zx_dev();
	ASSERT_LE(0, self->env.dev);
	/* A private node of the device, mode 0666, in a directory of ours. */
	ASSERT_EQ(0, stat(ZX_DEV_PATH, &st));
	snprintf(self->dir, sizeof(self->dir), "%s/zxproc-matrix-XXXXXX",
		 getenv("ZXPROC_VM_TMPDIR") ?: "/tmp");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->env.node, sizeof(self->env.node), "%s/zxproc", self->dir);
	ASSERT_EQ(0, mknod(self->env.node, S_IFCHR | 0666, st.st_rdev));
	ASSERT_EQ(0, chmod(self->env.node, 0666));
}

FIXTURE_TEARDOWN(matrix)
{
	if (self->yama_before >= 0 && self->yama_before < 3 &&
	    yama_get() != self->yama_before)
		yama_set(self->yama_before);
	unlink(self->env.node);
	rmdir(self->dir);
	close(self->env.dev);
}

static const char *answer(int v)
{
	switch (v) {
	case 1: return "granted";
	case -EPERM: return "EPERM";
	case -ESRCH: return "ESRCH";
	case -EACCES: return "EACCES";
	default: return strerror(-v);
	}
}

static void run_cell(struct __test_metadata *_metadata, FIXTURE_DATA(matrix) *self,
		     enum caller c, enum target t)
{
	int scopes[MAX_SCOPES], n = scopes_to_run(scopes), i;
	uid_t uid = (c == C_NOBODY || c == C_NOBODY_OWN_DEV || c == C_USERNS_ROOT) ?
		    ZX_NOBODY : 0;
	pid_t outer = 0;

	/* Targets outside the caller: made here, once for every scope. */
	if (t != T_SELF && t != T_CALLER_CHILD &&
	    (c != C_PIDNS_ROOT || t == T_OTHER_PIDNS)) {
		outer = spawn_target(t == T_OTHER_PIDNS && c == C_PIDNS_ROOT ? T_ROOT : t, uid);
		ASSERT_LT(0, outer) TH_LOG("target %s: %s", target_name[t], strerror(-outer));
	}
	results->nscopes = n;
	for (i = 0; i < n; i++) {
		struct cell got;
		bool differential = scopes[i] < 3;

		results->scopes[i] = scopes[i];
		if (scopes[i] >= 0 && scopes[i] != yama_get())
			ASSERT_EQ(0, yama_set(scopes[i]));
		ASSERT_EQ(0, run_caller(&self->env, c, t, outer, &got))
			TH_LOG("caller %s failed to set up (step %d)", caller_name[c], got.setup);
		results->cell[c][t][i] = got;

		TH_LOG("yama %d: %s -> %s: zxproc %s (expected %s)%s, process_vm_writev %s%s",
		       scopes[i], caller_name[c], target_name[t], answer(got.zx),
		       answer(expected[c][t]),
		       got.zx == G ? (got.zx_write ? " but WRITE failed" : " and writes") : "",
		       got.pvw == 1 ? "allowed" : answer(got.pvw),
		       got.zx == G && got.pvw != 1 ?
		       (differential ? "  <-- zxproc grants more than ptrace" :
				       "  (Yama 3: the documented gap)") : "");
		EXPECT_EQ(expected[c][t], got.zx);
		if (got.zx == G)
			EXPECT_EQ(0, got.zx_write);
		/* The differential: never more than the kernel's ptrace check. */
		if (got.zx == G && differential)
			EXPECT_EQ(1, got.pvw);
	}
	results->done[c][t] = true;
	zx_reap(outer);
	zx_reap(pidns_middle);
	pidns_middle = -1;
}

#define CELL(name, id) \
	TEST_F_TIMEOUT(matrix, name, 300) { run_cell(_metadata, self, variant->caller, id); }
CELL(self, T_SELF)
CELL(root_owned, T_ROOT)
CELL(same_user, T_SAME)
CELL(nondumpable, T_NONDUMP)
CELL(userns_nobody, T_USERNS_NOBODY)
CELL(userns_nobody_nondumpable, T_USERNS_NOBODY_NONDUMP)
CELL(userns_other, T_USERNS_OTHER)
CELL(other_pidns, T_OTHER_PIDNS)
CELL(caller_child, T_CALLER_CHILD)

/* ---- the table ------------------------------------------------------------ */

FIXTURE(table) {
	int unused;
};

FIXTURE_SETUP(table)
{
	self->unused = 0;
}

FIXTURE_TEARDOWN(table)
{
}

static char mark(int v)
{
	return v == 1 ? 'G' : v == -EPERM ? '-' : v == -ESRCH ? 'S' : '?';
}

/*
 * One table per Yama scope: each entry is "zxproc/process_vm_writev",
 * G granted or allowed, - EPERM, S ESRCH.
 */
TEST_F(table, print)
{
	int i, c, t, missing = 0;

	ASSERT_NE(NULL, results);
	ksft_print_msg("columns: ");
	for (t = 0; t < NTARGETS; t++)
		printf("%d=%s ", t + 1, target_name[t]);
	printf("\n");
	for (i = 0; i < results->nscopes; i++) {
		ksft_print_msg("yama ptrace_scope %d (entries: zxproc/process_vm_writev)\n",
			       results->scopes[i]);
		ksft_print_msg("%-20s", "caller");
		for (t = 0; t < NTARGETS; t++)
			printf(" %4d", t + 1);
		printf("\n");
		for (c = 0; c < NCALLERS; c++) {
			ksft_print_msg("%-20s", caller_name[c]);
			for (t = 0; t < NTARGETS; t++) {
				const struct cell *x = &results->cell[c][t][i];

				if (results->done[c][t])
					printf("  %c/%c", mark(x->zx), mark(x->pvw));
				else
					printf("   n/a");
			}
			printf("\n");
		}
	}
	for (c = 0; c < NCALLERS; c++)
		for (t = 0; t < NTARGETS; t++)
			if (!results->done[c][t]) {
				ksft_print_msg("cell %s -> %s did not run\n",
					       caller_name[c], target_name[t]);
				missing++;
			}
	EXPECT_EQ(0, missing);
}

TEST_HARNESS_MAIN

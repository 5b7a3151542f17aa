// SPDX-License-Identifier: GPL-2.0
/*
 * Audit records (type AUDIT_KERNEL_OTHER, 1316) of handles asked for to
 * other processes, seen on the audit subsystem's read-only multicast
 * group (AUDIT_NLGRP_READLOG, which any CAP_AUDIT_READ holder may join
 * beside the daemon), with their fields: the caller's pid, uid, auid
 * and comm, the target's pid and comm, the rights, the outcome; one for
 * a refused open too; none for a handle to one's own process or for a
 * duplicate.  And, with no audit daemon (the guest runs none), the same
 * record in the kernel log, where kauditd prints what no daemon takes.
 *
 * Records arrive asynchronously (kauditd sends them), in the order they
 * were made: a record we wait for is a fence for every record before it.
 */
#include <linux/audit.h>
#include <linux/netlink.h>

#include "helpers.h"
#include "kselftest_harness.h"

#define RECORD_MAX 8192
#define RATELIMIT "/proc/sys/kernel/printk_ratelimit"

FIXTURE(audit) {
	int nl;
	int dev;
	pid_t a, b;		/* targets */
	char comm[17];
	char auid[32];
	char ratelimit[32];	/* to restore, when changed */
};

FIXTURE_SETUP(audit)
{
	struct sockaddr_nl addr = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1u << (AUDIT_NLGRP_READLOG - 1),
	};
	/* To fail with a message, before the harness's 30 s, when none comes. */
	struct timeval tv = { .tv_sec = 20 };
	ssize_t n;

	ASSERT_EQ(0, prctl(PR_GET_NAME, self->comm));
	n = zx_read_file("/proc/self/loginuid", self->auid, sizeof(self->auid));
	ASSERT_LT(0, n);
	self->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	ASSERT_LE(0, self->nl) TH_LOG("NETLINK_AUDIT: %s", strerror(errno));
	ASSERT_EQ(0, bind(self->nl, (struct sockaddr *)&addr, sizeof(addr)))
		TH_LOG("AUDIT_NLGRP_READLOG: %s", strerror(errno));
	ASSERT_EQ(0, setsockopt(self->nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	self->a = zx_target();
	ASSERT_LT(0, self->a);
	self->b = zx_target();
	ASSERT_LT(0, self->b);
	self->dev = zx_dev();
	ASSERT_LE(0, self->dev);
}

FIXTURE_TEARDOWN(audit)
{
	if (self->ratelimit[0])
		zx_write_file(RATELIMIT, self->ratelimit);
	zx_reap(self->a);
	zx_reap(self->b);
	close(self->dev);
	close(self->nl);
}

/*
 * Receive records until one of type 1316 for target @pid (a field
 * " target_pid=PID "); each 1316 record's text, NUL-separated, is
 * appended to @log (RECORD_MAX * 8 bytes).  0, or -errno (-EAGAIN: none
 * within the socket's timeout).
 */
static int recv_until(int nl, pid_t pid, char *log, size_t cap)
{
	char want[48];
	size_t used = 0;

	snprintf(want, sizeof(want), " target_pid=%d ", pid);
	for (;;) {
		char buf[RECORD_MAX];
		struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
		ssize_t n = recv(nl, buf, sizeof(buf) - 1, 0);
		size_t len;
		char *text;

		if (n < 0)
			return -errno;
		if (n < (ssize_t)NLMSG_HDRLEN || nlh->nlmsg_type != AUDIT_KERNEL_OTHER)
			continue;
		buf[n] = '\0';
		text = (char *)NLMSG_DATA(nlh);
		len = strlen(text);
		if (used + len + 1 < cap) {
			memcpy(log + used, text, len + 1);
			used += len + 1;
			log[used] = '\0';
		}
		if (strstr(text, want))
			return 0;
	}
}

/* The record in @log (records NUL-separated) that names target @pid. */
static const char *record_for(const char *log, pid_t pid)
{
	char want[48];

	snprintf(want, sizeof(want), " target_pid=%d ", pid);
	for (; *log; log += strlen(log) + 1)
		if (strstr(log, want))
			return log;
	return NULL;
}

#define EXPECT_FIELD(rec, ...) do { \
	char _f[256]; \
	snprintf(_f, sizeof(_f), __VA_ARGS__); \
	EXPECT_NE(NULL, strstr(rec, _f)) TH_LOG("no \"%s\" in: %s", _f, rec); \
} while (0)

/* A granted open: every field. */
TEST_F(audit, granted_open)
{
	static char log[RECORD_MAX * 8];
	const char *rec;
	int h;

	h = zx_open(self->dev, self->a, ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	ASSERT_LE(0, h);
	ASSERT_EQ(0, recv_until(self->nl, self->a, log, sizeof(log)));
	rec = record_for(log, self->a);
	ASSERT_NE(NULL, rec);
	EXPECT_FIELD(rec, "op=zxproc_open ");
	EXPECT_FIELD(rec, " pid=%d ", getpid());
	EXPECT_FIELD(rec, " auid=%s ", self->auid);
	EXPECT_FIELD(rec, " uid=%d ", getuid());
	EXPECT_FIELD(rec, " comm=\"%s\" ", self->comm);
	EXPECT_FIELD(rec, " target_pid=%d target_comm=\"%s\" ", self->a, self->comm);
	EXPECT_FIELD(rec, " rights=0x%x res=1", ZXPROC_RIGHT_READ | ZXPROC_RIGHT_WRITE);
	EXPECT_EQ(NULL, strstr(rec, "errno=")) TH_LOG("%s", rec);
	close(h);
}

/* Refused for want of CAP_SYS_PTRACE: recorded with res=0 and the errno. */
static int refused_open(void *arg)
{
	pid_t *target = arg;
	int dev = zx_dev();

	CHILD_CHECK(1, dev >= 0);
	CHILD_CHECK(2, zx_drop_cap(CAP_SYS_PTRACE) == 0);
	CHILD_CHECK(3, zx_open(dev, *target, ZXPROC_RIGHT_READ) == -EPERM);
	return 0;
}

TEST_F(audit, refused_open)
{
	static char log[RECORD_MAX * 8];
	const char *rec;

	ASSERT_EQ(0, zx_in_child(refused_open, &self->a));
	ASSERT_EQ(0, recv_until(self->nl, self->a, log, sizeof(log)));
	rec = record_for(log, self->a);
	ASSERT_NE(NULL, rec);
	EXPECT_FIELD(rec, "op=zxproc_open ");
	EXPECT_FIELD(rec, " target_pid=%d ", self->a);
	EXPECT_FIELD(rec, " rights=0x%x res=0 errno=%d", ZXPROC_RIGHT_READ, EPERM);
	/* The caller was the child, not us. */
	EXPECT_EQ(NULL, strstr(rec, " ppid=1 ")) TH_LOG("%s", rec);
	EXPECT_FIELD(rec, " ppid=%d ", getpid());
}

/* Our own process, and duplicates: no record (B's record is the fence). */
TEST_F(audit, none_for_self_or_duplicates)
{
	static char log[RECORD_MAX * 8];
	char self_field[48];
	int h, h2, hb;

	h = zx_open(self->dev, getpid(), ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, h);
	h2 = zx_dup(h, ZXPROC_RIGHT_READ, 0);
	ASSERT_LE(0, h2);
	hb = zx_open(self->dev, self->b, ZXPROC_RIGHTS_ALL);
	ASSERT_LE(0, hb);
	close(zx_dup(hb, ZXPROC_RIGHT_READ, 0));
	hb = zx_open(self->dev, self->a, ZXPROC_RIGHT_READ);	/* the fence */
	ASSERT_LE(0, hb);
	ASSERT_EQ(0, recv_until(self->nl, self->a, log, sizeof(log)));
	snprintf(self_field, sizeof(self_field), " target_pid=%d ", getpid());
	{
		const char *r;
		int for_b = 0;

		for (r = log; *r; r += strlen(r) + 1) {
			EXPECT_EQ(NULL, strstr(r, self_field)) TH_LOG("%s", r);
			if (record_for(r, self->b))
				for_b++;
		}
		/* B's open was recorded once; its duplicate was not. */
		EXPECT_EQ(1, for_b);
	}
	close(hb);
	close(h2);
	close(h);
}

/*
 * No daemon: kauditd prints the record to the kernel log, under printk's
 * rate limit, which is lifted for the test (restored after).  B's record
 * on the socket is the fence: kauditd prints each record right after it
 * multicasts it, in order, so A's is in the log once B's arrived.
 */
TEST_F(audit, kernel_log_without_daemon)
{
	static char log[RECORD_MAX * 8];
	char want[64], rec[RECORD_MAX];
	bool found = false;
	int kmsg, ha, hb;
	ssize_t n;

	ASSERT_LT(0, zx_read_file(RATELIMIT, self->ratelimit, sizeof(self->ratelimit)));
	ASSERT_EQ(0, zx_write_file(RATELIMIT, "0"));
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));
	ha = zx_open(self->dev, self->a, ZXPROC_RIGHT_READ);
	ASSERT_LE(0, ha);
	hb = zx_open(self->dev, self->b, ZXPROC_RIGHT_READ);
	ASSERT_LE(0, hb);
	ASSERT_EQ(0, recv_until(self->nl, self->b, log, sizeof(log)));

	snprintf(want, sizeof(want), " target_pid=%d ", self->a);
	while (!found && (n = read(kmsg, rec, sizeof(rec) - 1)) != -1) {
		rec[n > 0 ? n : 0] = '\0';
		found = strstr(rec, "audit: type=1316 ") && strstr(rec, want) &&
			strstr(rec, "op=zxproc_open ");
	}
	EXPECT_TRUE(found) TH_LOG("no \"audit: type=1316 ...%s\" in /dev/kmsg", want);
	close(kmsg);
	close(hb);
	close(ha);
}

TEST_HARNESS_MAIN

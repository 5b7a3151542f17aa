// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A handle passed to another process over a unix domain socket
 * (SCM_RIGHTS) keeps exactly its rights there.  The receiver drops to
 * uid 65534 with no capabilities before receiving: it cannot open any
 * handle of its own, so what it can do is what it was given, no more
 * and no less.  The target is then read back independently.
 */
#include <sys/socket.h>

#include "kselftest_harness.h"
#include "target.h"

static int send_fd(int sock, int fd)
{
	char byte = 'h';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf,
			      .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

struct receiver {
	int sock;
	pid_t target;
	zx_rights_t rights;	/* what the sender gives */
};

#define WRITTEN 0x5eedbeefu

/*
 * In the receiver: everything the handle's rights allow works, and
 * everything they do not is ACCESS_DENIED (or INVALID_ARGS for asking
 * more).  Returns 0, or the number of the first check that failed.
 */
static int receive_and_use(void *arg)
{
	struct receiver *r = arg;
	uint8_t buf[64];
	uint32_t v = WRITTEN;
	size_t actual;
	zx_handle_t h, other;
	zx_status_t st;
	int fd;

	if (drop_to_nobody())
		return 1;
	/* It could not have got a handle by itself. */
	if (zxproc_process_open(r->target, ZX_RIGHT_READ, &other) ==
	    ZX_OK)
		return 2;
	fd = recv_fd(r->sock);
	if (fd < 0)
		return 3;
	h = zxproc_handle_from_fd(fd);
	if (rights_of(h) != r->rights)
		return 4;
	if (koid_of(h) != (zx_koid_t)r->target)
		return 5;

	st = zx_process_read_memory(h, (zx_vaddr_t)target_region, buf,
				    sizeof(buf), &actual);
	if (st != (r->rights & ZX_RIGHT_READ ? ZX_OK : ZX_ERR_ACCESS_DENIED))
		return 6;
	if (st == ZX_OK && (actual != sizeof(buf) ||
			    buf[9] != target_pattern(9)))
		return 7;
	st = zx_process_write_memory(h, (zx_vaddr_t)target_region, &v,
				     sizeof(v), &actual);
	if (st != (r->rights & ZX_RIGHT_WRITE ? ZX_OK : ZX_ERR_ACCESS_DENIED))
		return 8;
	st = zx_handle_duplicate(h, ZX_RIGHT_SAME_RIGHTS, &other);
	if (st != (r->rights & ZX_RIGHT_DUPLICATE ? ZX_OK :
						   ZX_ERR_ACCESS_DENIED))
		return 9;
	if (st == ZX_OK) {
		if (rights_of(other) != r->rights)
			return 10;
		zx_handle_close(other);
	}
	/* Rights never grow, here either; the failed replace consumes. */
	if (zx_handle_replace(h, r->rights | ZX_RIGHT_WRITE | ZX_RIGHT_READ,
			      &other) != ((r->rights & ZX_RIGHTS_IO) ==
					  ZX_RIGHTS_IO ? ZX_OK :
					  ZX_ERR_INVALID_ARGS))
		return 11;
	return 0;
}

FIXTURE(transfer) {
	pid_t target;
	int sock[2];
	zx_handle_t all;
};

FIXTURE_SETUP(transfer)
{
	self->target = target_spawn();
	ASSERT_LT(0, self->target);
	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
				self->sock));
	ASSERT_EQ(ZX_OK, zxproc_process_open(self->target,
					     ZXPROC_PROCESS_RIGHTS,
					     &self->all));
}

FIXTURE_TEARDOWN(transfer)
{
	zx_handle_close(self->all);
	target_reap(self->target);
}

/* Sends a handle with @rights to a receiver; its verdict. */
static int give(struct __test_metadata *_metadata,
		FIXTURE_DATA(transfer) *self, zx_rights_t rights)
{
	struct receiver r = { .sock = self->sock[1], .target = self->target,
			      .rights = rights };
	zx_handle_t h;
	int status;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(receive_and_use(&r));
	EXPECT_LT(0, pid);
	EXPECT_EQ(ZX_OK, zx_handle_duplicate(self->all, rights, &h));
	EXPECT_EQ(0, send_fd(self->sock[0], zxproc_handle_fd(h)));
	/* The sender's copy is independent: closing it changes nothing. */
	EXPECT_EQ(ZX_OK, zx_handle_close(h));
	EXPECT_EQ(pid, waitpid(pid, &status, 0));
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(transfer, read_only)
{
	EXPECT_EQ(0, give(_metadata, self, ZX_RIGHT_READ | ZX_RIGHT_TRANSFER));
	EXPECT_TRUE(target_untouched(self->target));
}

TEST_F(transfer, write_only)
{
	uint32_t got;

	EXPECT_EQ(0, give(_metadata, self, ZX_RIGHT_WRITE));
	ASSERT_EQ(0, peek(self->target, (uintptr_t)target_region, &got,
			  sizeof(got)));
	EXPECT_EQ(WRITTEN, got);
}

TEST_F(transfer, no_rights)
{
	EXPECT_EQ(0, give(_metadata, self, ZX_RIGHT_NONE));
	EXPECT_TRUE(target_untouched(self->target));
}

TEST_F(transfer, every_right)
{
	uint32_t got;

	EXPECT_EQ(0, give(_metadata, self, ZXPROC_PROCESS_RIGHTS));
	ASSERT_EQ(0, peek(self->target, (uintptr_t)target_region, &got,
			  sizeof(got)));
	EXPECT_EQ(WRITTEN, got);
}

TEST_F(transfer, read_and_duplicate)
{
	EXPECT_EQ(0, give(_metadata, self,
			  ZX_RIGHT_READ | ZX_RIGHT_DUPLICATE));
	EXPECT_TRUE(target_untouched(self->target));
}

TEST_HARNESS_MAIN

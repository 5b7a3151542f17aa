// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_process_self(): the library's only global state, a handle to the
 * calling process with every right, opened on first use.
 *
 * A child of fork() inherits the parent's descriptors, so the cached
 * handle would name the parent there: a pthread_atfork() child handler
 * closes it, and the child opens its own on first use.  Every call also
 * asks the kernel whether the cached descriptor is still that handle
 * (still a zxproc handle, to our pid, with every right); if not
 * (the caller closed it, or a raw clone(2) skipped the fork handlers),
 * it is forgotten without being closed, since it is no longer ours,
 * and a new one is opened.
 */
#include <pthread.h>
#include <unistd.h>

#include <zircon/process.h>

#include "internal.h"

static pthread_once_t self_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t self_lock = PTHREAD_MUTEX_INITIALIZER;
static int self_fd = -1;		/* under self_lock */

/* Fork with self_lock held, so the child never inherits it locked. */
static void self_prepare(void)
{
	pthread_mutex_lock(&self_lock);
}

static void self_parent(void)
{
	pthread_mutex_unlock(&self_lock);
}

static void self_child(void)
{
	if (self_fd >= 0)
		close(self_fd);
	self_fd = -1;
	pthread_mutex_init(&self_lock, NULL);
}

static void self_init(void)
{
	pthread_atfork(self_prepare, self_parent, self_child);
}

static int self_fd_valid(int fd)
{
	struct zxproc_info info;

	return zxp_handle_info(fd, &info) == 0 && info.pid == getpid() &&
	       info.rights == ZXPROC_RIGHTS_ALL &&
	       !(info.flags & ZXPROC_INFO_STALE);
}

ZXP_EXPORT zx_handle_t zx_process_self(void)
{
	zx_handle_t handle;

	pthread_once(&self_once, self_init);
	pthread_mutex_lock(&self_lock);
	if (self_fd >= 0 && !self_fd_valid(self_fd))
		self_fd = -1;
	if (self_fd < 0) {
		int fd = zxp_process_open_fd(getpid(), ZXPROC_RIGHTS_ALL);

		if (fd >= 0)
			self_fd = fd;
	}
	handle = zxp_fd_to_handle(self_fd);
	pthread_mutex_unlock(&self_lock);
	return handle;
}

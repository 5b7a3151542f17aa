// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zxproc_process_open() and zxproc_process_open_pidfd(): minting a
 * process handle through /dev/zxproc.  Who may open what is the
 * kernel's decision alone.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <zxproc/zxproc.h>

#include "internal.h"

int zxp_process_open_fd(pid_t pid, zx_rights_t rights)
{
	struct zxproc_open arg = { .pid = pid, .rights = rights };
	int dev, fd;

	dev = zxp_device_open();
	if (dev < 0)
		return dev;
	fd = zxp_ioctl(dev, ZXPROC_IOC_PROCESS_OPEN, &arg);
	close(dev);
	return fd;
}

ZXP_EXPORT zx_status_t zxproc_process_open(pid_t pid, zx_rights_t rights,
					   zx_handle_t *out)
{
	int fd;

	if (out == NULL)
		return ZX_ERR_INVALID_ARGS;
	fd = zxp_process_open_fd(pid, rights);
	if (fd < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -fd);
	*out = zxp_fd_to_handle(fd);
	return ZX_OK;
}

/*
 * fdinfo shows pids in the pid namespace of the /proc mount, the module
 * takes them in the caller's: they agree when /proc/self is our pid.
 */
static int proc_is_ours(void)
{
	char link[32];
	ssize_t len = readlink("/proc/self", link, sizeof(link) - 1);

	if (len <= 0)
		return 0;
	link[len] = '\0';
	return strtol(link, NULL, 10) == (long)getpid();
}

/*
 * The pid a pidfd names, from the "Pid:" line of its fdinfo (Linux 6.1
 * and 6.12 have no other way to ask): > 0, or -1 when the process has
 * been reaped, 0 when it has no pid in our namespace.  Returns a status.
 */
static zx_status_t pidfd_pid(int pidfd, long *pid)
{
	char path[64], text[1024], *line, *end;
	ssize_t len;
	size_t used = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	do
		fd = open(path, O_RDONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		int err = errno;

		/* ENOENT: pidfd is not open, or there is no /proc. */
		if (fcntl(pidfd, F_GETFD) < 0 && errno == EBADF)
			return ZX_ERR_BAD_HANDLE;
		return zxp_status_from_errno(ZXP_ON_PROCESS, err);
	}
	if (!proc_is_ours()) {
		close(fd);
		return ZX_ERR_NOT_SUPPORTED;
	}
	/* fdinfo is a seq_file: read until EOF, not just once. */
	for (;;) {
		len = read(fd, text + used, sizeof(text) - 1 - used);
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		used += (size_t)len;
		if (used == sizeof(text) - 1)
			break;
	}
	close(fd);
	text[used] = '\0';
	line = strncmp(text, "Pid:", 4) == 0 ? text : strstr(text, "\nPid:");
	if (line != NULL) {
		line += *line == '\n' ? 5 : 4;
		errno = 0;
		*pid = strtol(line, &end, 10);
		if (errno == 0 && end != line)
			return ZX_OK;
	}
	/* Every pidfd has a "Pid:" line; this descriptor is something else. */
	return ZX_ERR_WRONG_TYPE;
}

/*
 * Whether the pidfd's process still holds its pid: pidfd_send_signal()
 * with signal 0 fails with ESRCH only once the process has been reaped,
 * which is when its pid is freed for reuse.  EPERM (not allowed to
 * signal it) also proves it is there.  Returns a status.
 */
static zx_status_t pidfd_holds_pid(int pidfd)
{
	long ret;

	do
		ret = syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
	while (ret < 0 && errno == EINTR);
	if (ret == 0 || errno == EPERM)
		return ZX_OK;
	if (errno == ENOSYS)
		return ZX_ERR_NOT_SUPPORTED;
	if (errno == EBADF)		/* not a pidfd */
		return ZX_ERR_WRONG_TYPE;
	if (errno == EINVAL)		/* not in our pid namespace */
		return ZX_ERR_NOT_FOUND;
	return zxp_status_from_errno(ZXP_ON_PROCESS, errno);
}

/*
 * Free of pid-reuse races without help from the kernel module: the pid
 * read from fdinfo is opened, and only afterwards is the pidfd asked
 * whether its process still holds that pid.  A pid is freed only when
 * its process is reaped, which cannot be undone; so if the process
 * still holds it after the open, it held it throughout, no other
 * process could have had that pid at the time of the open, and the
 * handle names the pidfd's process.  Otherwise the new handle is
 * closed and the call fails.
 */
ZXP_EXPORT zx_status_t zxproc_process_open_pidfd(int pidfd,
						 zx_rights_t rights,
						 zx_handle_t *out)
{
	zx_status_t status, alive;
	long pid;
	int fd;

	if (out == NULL)
		return ZX_ERR_INVALID_ARGS;
	if (pidfd < 0)
		return ZX_ERR_BAD_HANDLE;
	status = pidfd_pid(pidfd, &pid);
	if (status != ZX_OK)
		return status;
	if (pid <= 0)
		return ZX_ERR_NOT_FOUND;
	fd = zxp_process_open_fd((pid_t)pid, rights);
	alive = pidfd_holds_pid(pidfd);
	if (alive != ZX_OK) {
		if (fd >= 0)
			close(fd);
		return alive;
	}
	if (fd < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -fd);
	*out = zxp_fd_to_handle(fd);
	return ZX_OK;
}

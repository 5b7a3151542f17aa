// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Zircon's virtual memory objects over memfd_create(2): zx_vmo_create(),
 * zx_vmo_read(), zx_vmo_write(), zx_vmo_get_size(), zx_vmo_set_size(),
 * and what zx_handle_duplicate/replace/close and zx_object_get_info need
 * to treat a VMO handle as they treat a process handle.
 *
 * A VMO handle is a descriptor of the memfd, plus one (as every handle).
 * Its rights live where the kernel enforces them:
 *   - READ and WRITE are the descriptor's access mode (O_RDONLY,
 *     O_WRONLY, O_RDWR, or O_PATH for neither), so pread/pwrite/mmap on
 *     the raw descriptor are refused by the kernel just as zx_vmo_* are.
 *     A duplicate with fewer of them is a new open of the same memfd
 *     through /proc/thread-self/fd/N with the smaller access mode.
 *   - MAP goes with READ: mmap(2) needs a readable descriptor, and the
 *     kernel maps any readable one.
 *   - The other rights of ZX_DEFAULT_VMO_RIGHTS are carried by every VMO
 *     handle: Linux cannot take dup(2), SCM_RIGHTS, fstat(2) or poll(2)
 *     from a descriptor's holder (DUPLICATE, TRANSFER, INSPECT,
 *     GET_PROPERTY, WAIT), and libzxproc has no call that SET_PROPERTY
 *     or SIGNAL would guard.  Asking for a handle without them gives one
 *     that still reports them, because it still has them.
 *   - Not resizable (zx_vmo_create without ZX_VMO_RESIZABLE) is the seals
 *     F_SEAL_GROW | F_SEAL_SHRINK, so ftruncate(2) on any descriptor of
 *     it fails too.  F_SEAL_SEAL always follows, so no holder of a
 *     writable descriptor can seal writes away from the others.
 *   - The memfd's file mode is 0600: reopening it through /proc with
 *     more access than one's descriptor has needs the creator's user id
 *     (or CAP_DAC_OVERRIDE).  Processes under other user ids cannot
 *     regain a right that way; the creator's own user id can, as it
 *     could chmod the memfd or ptrace its creator.
 *
 * Sizes follow Zircon: zx_vmo_create and zx_vmo_set_size round up to
 * the page size, and reads and writes must lie within [0, size).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <zircon/syscalls.h>

#include "internal.h"

/* Linux 6.3's memfd flag; glibc 2.36 does not name it yet. */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif

/* The rights every VMO handle has; see the top of this file. */
#define VMO_RIGHTS_CARRIED \
	(ZX_DEFAULT_VMO_RIGHTS & ~(ZX_RIGHT_READ | ZX_RIGHT_WRITE | ZX_RIGHT_MAP))

/* What the memfd's name shows in /proc/PID/fd and /proc/PID/maps. */
#define VMO_NAME "zx_vmo"

/*
 * A VMO is what memfd_create(2) makes: a regular file of tmpfs that has
 * no name in any directory.  (hugetlbfs memfds answer no pread/pwrite,
 * so they are not VMOs here.)  Both calls work on O_PATH descriptors,
 * which VMO handles without READ and WRITE are.
 */
static int vmo_stat(int fd, struct stat *st)
{
	struct statfs sfs;

	if (fstat(fd, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode) || st->st_nlink != 0)
		return -ENOTTY;
	if (fstatfs(fd, &sfs) < 0)
		return -errno;
	return sfs.f_type == TMPFS_MAGIC ? 0 : -ENOTTY;
}

int zxp_vmo_check(int fd)
{
	struct stat st;

	return vmo_stat(fd, &st);
}

/* The rights a VMO descriptor's open flags (fcntl F_GETFL) carry. */
static zx_rights_t rights_of_flags(int flags)
{
	if (flags & O_PATH)
		return VMO_RIGHTS_CARRIED;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		return VMO_RIGHTS_CARRIED | ZX_RIGHT_READ | ZX_RIGHT_MAP;
	case O_WRONLY:
		return VMO_RIGHTS_CARRIED | ZX_RIGHT_WRITE;
	case O_RDWR:
		return VMO_RIGHTS_CARRIED | ZX_RIGHT_READ | ZX_RIGHT_WRITE |
		       ZX_RIGHT_MAP;
	default:	/* 3: open for neither (open(2)'s ioctl-only mode) */
		return VMO_RIGHTS_CARRIED;
	}
}

/* The access mode that carries @rights: O_PATH when neither READ nor WRITE. */
static int mode_of_rights(zx_rights_t rights)
{
	bool r = rights & ZX_RIGHT_READ, w = rights & ZX_RIGHT_WRITE;

	if (r && w)
		return O_RDWR;
	if (r)
		return O_RDONLY;
	return w ? O_WRONLY : O_PATH;
}

/*
 * The VMO a handle names: its descriptor, stat and rights, or a status.
 * Zircon's order: a bad handle, then the wrong type, then (the caller's
 * job) the rights, then the arguments.
 */
struct vmo {
	int fd;
	struct stat st;
	zx_rights_t rights;
};

static zx_status_t vmo_lookup(zx_handle_t handle, struct vmo *vmo)
{
	int ret, flags;

	vmo->fd = zxp_handle_to_fd(handle);
	if (vmo->fd < 0)
		return ZX_ERR_BAD_HANDLE;
	ret = vmo_stat(vmo->fd, &vmo->st);
	if (ret == -EBADF)
		return ZX_ERR_BAD_HANDLE;
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, -ret);
	flags = fcntl(vmo->fd, F_GETFL);
	if (flags < 0)
		return errno == EBADF ? ZX_ERR_BAD_HANDLE :
			zxp_status_from_errno(ZXP_ON_VMO, errno);
	vmo->rights = rights_of_flags(flags);
	return ZX_OK;
}

/*
 * @size rounded up to the page size, as Zircon rounds VMO sizes; the
 * result must fit off_t.  Returns ZX_OK or ZX_ERR_OUT_OF_RANGE.
 */
static zx_status_t round_size(uint64_t size, uint64_t *rounded)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (size > (uint64_t)INT64_MAX - (page - 1))
		return ZX_ERR_OUT_OF_RANGE;
	*rounded = (size + page - 1) & ~(page - 1);
	return ZX_OK;
}

/*
 * Growing a file past RLIMIT_FSIZE makes the kernel send SIGXFSZ, whose
 * default action kills the process; a VMO that large is out of range.
 */
static bool exceeds_fsize_limit(uint64_t size)
{
	struct rlimit lim;

	if (getrlimit(RLIMIT_FSIZE, &lim) < 0 || lim.rlim_cur == RLIM_INFINITY)
		return false;
	return size > (uint64_t)lim.rlim_cur;
}

static int retry_ftruncate(int fd, uint64_t size)
{
	int ret;

	do
		ret = ftruncate(fd, (off_t)size);
	while (ret < 0 && errno == EINTR);
	return ret;
}

ZXP_EXPORT zx_status_t zx_vmo_create(uint64_t size, uint32_t options,
				     zx_handle_t *out)
{
	unsigned int seals = F_SEAL_SEAL;
	uint64_t rounded;
	zx_status_t status;
	int fd, err;

	if (out == NULL || (options & ~ZX_VMO_RESIZABLE))
		return ZX_ERR_INVALID_ARGS;
	status = round_size(size, &rounded);
	if (status != ZX_OK)
		return status;
	if (exceeds_fsize_limit(rounded))
		return ZX_ERR_OUT_OF_RANGE;
	/*
	 * Not executable, as a Zircon VMO is not until
	 * zx_vmo_replace_as_executable(); Linux 6.1 predates the flag.
	 */
	fd = memfd_create(VMO_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING |
			  MFD_NOEXEC_SEAL);
	if (fd < 0 && errno == EINVAL)
		fd = memfd_create(VMO_NAME, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, errno);
	if (!(options & ZX_VMO_RESIZABLE))
		seals |= F_SEAL_GROW | F_SEAL_SHRINK;
	if (retry_ftruncate(fd, rounded) < 0 || fchmod(fd, 0600) < 0 ||
	    fcntl(fd, F_ADD_SEALS, seals) < 0) {
		err = errno;
		close(fd);
		return zxp_status_from_errno(ZXP_ON_VMO, err);
	}
	*out = zxp_fd_to_handle(fd);
	return ZX_OK;
}

/*
 * Whether [offset, offset + len) lies within the VMO, without overflow:
 * zx_vmo_read/write's ZX_ERR_OUT_OF_RANGE.
 */
static bool in_range(const struct vmo *vmo, uint64_t offset, size_t len)
{
	uint64_t size = (uint64_t)vmo->st.st_size;

	return offset <= size && len <= size - offset;
}

/*
 * pread/pwrite until all @len bytes are copied, into @dst (a read) or
 * from @src (a write).  A call copies fewer bytes when the caller's
 * buffer stops being accessible part way, and the next one then fails
 * with EFAULT; zero bytes mean the VMO shrank meanwhile (another
 * handle's zx_vmo_set_size).
 */
static zx_status_t copy_all(int fd, bool write, char *dst, const char *src,
			    size_t len, uint64_t offset)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(fd, src + done, len - done,
					 (off_t)(offset + done)) :
				  pread(fd, dst + done, len - done,
					(off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return zxp_status_from_errno(ZXP_ON_VMO, errno);
		if (n == 0)
			return ZX_ERR_OUT_OF_RANGE;
		done += (size_t)n;
	}
	return ZX_OK;
}

/*
 * zx_vmo_read (@write false, into @dst) and zx_vmo_write (from @src):
 * exactly @len bytes or an error.  The rights check here only orders the errors as
 * Zircon does; the kernel refuses the same access on its own (EBADF,
 * the VMO column's ACCESS_DENIED).
 */
static zx_status_t transfer(zx_handle_t handle, bool write, void *dst,
			    const void *src, uint64_t offset, size_t len)
{
	zx_rights_t need = write ? ZX_RIGHT_WRITE : ZX_RIGHT_READ;
	struct vmo vmo;
	zx_status_t status;

	status = vmo_lookup(handle, &vmo);
	if (status != ZX_OK)
		return status;
	if (!(vmo.rights & need))
		return ZX_ERR_ACCESS_DENIED;
	if (!in_range(&vmo, offset, len))
		return ZX_ERR_OUT_OF_RANGE;
	if (len == 0)
		return ZX_OK;
	if ((write ? src : dst) == NULL)
		return ZX_ERR_INVALID_ARGS;
	return copy_all(vmo.fd, write, dst, src, len, offset);
}

ZXP_EXPORT zx_status_t zx_vmo_read(zx_handle_t handle, void *buffer,
				   uint64_t offset, size_t buffer_size)
{
	return transfer(handle, false, buffer, NULL, offset, buffer_size);
}

ZXP_EXPORT zx_status_t zx_vmo_write(zx_handle_t handle, const void *buffer,
				    uint64_t offset, size_t buffer_size)
{
	return transfer(handle, true, NULL, buffer, offset, buffer_size);
}

ZXP_EXPORT zx_status_t zx_vmo_get_size(zx_handle_t handle, uint64_t *size)
{
	struct vmo vmo;
	zx_status_t status;

	/* Zircon needs no right for this, and checks the handle first. */
	status = vmo_lookup(handle, &vmo);
	if (status != ZX_OK)
		return status;
	if (size == NULL)
		return ZX_ERR_INVALID_ARGS;
	*size = (uint64_t)vmo.st.st_size;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_vmo_set_size(zx_handle_t handle, uint64_t size)
{
	uint64_t rounded, old;
	struct vmo vmo;
	zx_status_t status;
	int seals;

	status = vmo_lookup(handle, &vmo);
	if (status != ZX_OK)
		return status;
	if (!(vmo.rights & ZX_RIGHT_WRITE))
		return ZX_ERR_ACCESS_DENIED;
	/* A memfd sealed against growing or shrinking is not resizable. */
	seals = fcntl(vmo.fd, F_GET_SEALS);
	if (seals < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, errno);
	if (seals & (F_SEAL_GROW | F_SEAL_SHRINK))
		return ZX_ERR_UNAVAILABLE;
	status = round_size(size, &rounded);
	if (status != ZX_OK)
		return status;
	old = (uint64_t)vmo.st.st_size;
	if (rounded > old && exceeds_fsize_limit(rounded))
		return ZX_ERR_OUT_OF_RANGE;
	if (retry_ftruncate(vmo.fd, rounded) < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, errno);
	/*
	 * Zircon zeroes the bytes from the requested size to the page
	 * boundary; past the old size they are zero already.
	 */
	if (size < rounded && size < old &&
	    fallocate(vmo.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (off_t)size, (off_t)(rounded - size)) < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, errno);
	return ZX_OK;
}

zx_status_t zxp_vmo_basic(int fd, zx_info_handle_basic_t *record)
{
	struct stat st;
	int ret, flags;

	ret = vmo_stat(fd, &st);
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -ret);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, errno);
	*record = (zx_info_handle_basic_t) {
		.koid = (zx_koid_t)st.st_ino,
		.rights = rights_of_flags(flags),
		.type = ZX_OBJ_TYPE_VMO,
		.related_koid = ZX_KOID_INVALID,
	};
	return ZX_OK;
}

/*
 * A new open of the memfd @fd names, with access @mode, through
 * /proc/thread-self/fd (this thread's descriptor table, which may not be
 * the process's).  It must be the same file as @st: another thread may
 * have dup2'd something else onto @fd since it was checked.
 */
static zx_status_t reopen(int fd, const struct stat *st, int mode, int *new_fd)
{
	char path[64];
	struct stat now;
	int nfd;

	snprintf(path, sizeof(path), "/proc/thread-self/fd/%d", fd);
	do
		nfd = open(path, mode | O_CLOEXEC);
	while (nfd < 0 && errno == EINTR);
	if (nfd < 0)
		return zxp_status_from_errno(ZXP_ON_VMO, errno);
	if (fstat(nfd, &now) < 0 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		close(nfd);
		return ZX_ERR_BAD_HANDLE;
	}
	*new_fd = nfd;
	return ZX_OK;
}

zx_status_t zxp_vmo_duplicate(int fd, zx_rights_t rights, int *new_fd)
{
	struct stat st;
	zx_rights_t have;
	int ret, flags, mode, nfd;

	ret = vmo_stat(fd, &st);
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -ret);
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, errno);
	have = rights_of_flags(flags);
	if (rights == ZX_RIGHT_SAME_RIGHTS)
		rights = have;
	else if ((rights & have) != rights)
		return ZX_ERR_INVALID_ARGS;
	/* DUPLICATE is always among @have: dup(2) cannot be refused. */
	mode = mode_of_rights(rights);
	if (mode == mode_of_rights(have)) {
		nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (nfd < 0)
			return zxp_status_from_errno(ZXP_ON_VMO, errno);
		*new_fd = nfd;
		return ZX_OK;
	}
	return reopen(fd, &st, mode, new_fd);
}

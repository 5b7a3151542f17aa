// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * zx_object_get_info() for the topics a process or VMO handle can
 * answer: ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC, built from the
 * kernel's ZXPROC_IOC_INFO for a process handle and from the memfd for
 * a VMO (vmo.c); ZX_INFO_PROCESS, from ZXPROC_IOC_INFO alone; and
 * ZX_INFO_PROCESS_MAPS, from ZXPROC_IOC_MAPS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zircon/syscalls.h>

#include "internal.h"

/*
 * ZXPROC_IOC_INFO on @handle: ZX_OK and *@info for a process handle, or
 * a status.  A descriptor that is open but no process handle (ENOTTY;
 * EBADF from an O_PATH VMO) is ZX_ERR_WRONG_TYPE, with *@fd set to it
 * for the caller to ask whether it is a VMO; *@fd is -1 otherwise.
 */
static zx_status_t process_info(zx_handle_t handle, struct zxproc_info *info,
				int *fd)
{
	int ret, handle_fd = zxp_handle_to_fd(handle);

	*fd = -1;
	if (handle_fd < 0)
		return ZX_ERR_BAD_HANDLE;
	ret = zxp_handle_info(handle_fd, info);
	if (ret == -ENOTTY || ret == -EBADF) {
		*fd = handle_fd;
		return ZX_ERR_WRONG_TYPE;
	}
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_HANDLE, -ret);
	return ZX_OK;
}

/*
 * process_info() for the topics only a process handle answers: ZX_OK
 * and *@info, or a status.  A VMO is ZX_ERR_WRONG_TYPE; a descriptor
 * open but neither a process handle nor a VMO is no handle at all.
 */
static zx_status_t process_only_info(zx_handle_t handle,
				     struct zxproc_info *info)
{
	zx_status_t status;
	int other;

	status = process_info(handle, info, &other);
	if (other >= 0 && zxp_vmo_check(other) != 0)
		return ZX_ERR_BAD_HANDLE;
	if (status != ZX_OK)
		return status;
	if (info->type != ZXPROC_OBJ_TYPE_PROCESS)
		return ZX_ERR_WRONG_TYPE;
	return ZX_OK;
}

/* The handle's ZX_INFO_HANDLE_BASIC record, or a status. */
static zx_status_t basic_record(zx_handle_t handle,
				zx_info_handle_basic_t *record)
{
	struct zxproc_info info;
	zx_status_t status;
	int other;

	status = process_info(handle, &info, &other);
	if (other >= 0)
		return zxp_vmo_basic(other, record);
	if (status != ZX_OK)
		return status;
	memset(record, 0, sizeof(*record));
	/* 0 once the process is gone from the caller's pid namespace. */
	record->koid = info.pid > 0 ? (zx_koid_t)info.pid : ZX_KOID_INVALID;
	record->rights = info.rights;
	record->type = info.type;
	record->related_koid = ZX_KOID_INVALID;
	return ZX_OK;
}

/*
 * The handle's ZX_INFO_PROCESS record, or a status.  The kernel knows
 * whether the handle's address space is gone (the process exited, or
 * exec'd: the handle is bound to the image it was opened on), which is
 * EXITED; every process a handle was ever made for has started.  The
 * return code, the start time and whether a debugger is attached are
 * not known, and stay 0.
 */
static zx_status_t process_record(zx_handle_t handle,
				  zx_info_process_t *record)
{
	struct zxproc_info info;
	zx_status_t status;

	status = process_only_info(handle, &info);
	if (status != ZX_OK)
		return status;
	/*
	 * Zircon's rule for this topic.  The kernel answers ZXPROC_IOC_INFO
	 * without any right, so this is the library's check, made against
	 * the rights the kernel holds for the handle.
	 */
	if (!(info.rights & ZX_RIGHT_INSPECT))
		return ZX_ERR_ACCESS_DENIED;
	memset(record, 0, sizeof(*record));
	record->flags = ZX_INFO_PROCESS_FLAG_STARTED;
	if (info.flags & ZXPROC_INFO_STALE)
		record->flags |= ZX_INFO_PROCESS_FLAG_EXITED;
	return ZX_OK;
}

/*
 * One fixed-size record, the way Zircon's kernel returns one: when the
 * buffer is too small, *actual = 0 and *avail = 1 tell the caller what
 * was needed; the buffer is written only on success.  @status is that
 * of looking the record up, after the check of @buffer.
 */
static zx_status_t single_record(zx_status_t status, const void *record,
				 size_t size, void *buffer, size_t buffer_size,
				 size_t *actual, size_t *avail)
{
	if (status != ZX_OK)
		return status;
	if (avail != NULL)
		*avail = 1;
	if (buffer_size < size) {
		if (actual != NULL)
			*actual = 0;
		return ZX_ERR_BUFFER_TOO_SMALL;
	}
	memcpy(buffer, record, size);
	if (actual != NULL)
		*actual = 1;
	return ZX_OK;
}

/*
 * Every mapping of process handle @fd, from ZXPROC_IOC_MAPS: 0 with
 * *@maps (malloc'd, the caller frees it) and *@count, or -errno.  Asked
 * once for the count, then for all of them into room for a few more; a
 * target that mapped faster than that is asked again, with more room.
 */
int zxp_process_maps(int fd, struct zxproc_map **maps, size_t *count)
{
	struct zxproc_maps req = {
		.entry_size = sizeof(struct zxproc_map),
	};
	struct zxproc_map *buf = NULL, *bigger;
	uint32_t room = 0;
	int ret;

	for (;;) {
		req.addr = 0;
		req.entries = (uintptr_t)buf;
		req.count = room;
		ret = zxp_ioctl(fd, ZXPROC_IOC_MAPS, &req);
		if (ret < 0) {
			free(buf);
			return ret;
		}
		if (req.avail <= room)
			break;
		/* Room for what is there now and some growth. */
		room = req.avail + req.avail / 8 + 16;
		bigger = realloc(buf, (size_t)room * sizeof(*buf));
		if (bigger == NULL) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
	}
	*maps = buf;
	*count = req.actual;
	return 0;
}

/* ZX_INFO_PROCESS_MAPS's node @depth of @type over [@base, @end). */
static void maps_node(zx_info_maps_t *rec, const char *name, size_t depth,
		      zx_info_maps_type_t type, uint64_t base, uint64_t end)
{
	memset(rec, 0, sizeof(*rec));
	/* Truncated to ZX_MAX_NAME_LEN - 1 bytes, always terminated. */
	strncpy(rec->name, name, sizeof(rec->name) - 1);
	rec->base = (zx_vaddr_t)base;
	rec->size = (size_t)(end - base);
	rec->depth = depth;
	rec->type = type;
}

/* The ZX_INFO_PROCESS_MAPS record of mapping @m. */
static void maps_mapping(zx_info_maps_t *rec, const struct zxproc_map *m)
{
	maps_node(rec, m->name, 2, ZX_INFO_MAPS_TYPE_MAPPING, m->start, m->end);
	if (m->flags & ZXPROC_MAP_READ)
		rec->u.mapping.mmu_flags |= ZX_VM_PERM_READ;
	if (m->flags & ZXPROC_MAP_WRITE)
		rec->u.mapping.mmu_flags |= ZX_VM_PERM_WRITE;
	if (m->flags & ZXPROC_MAP_EXEC)
		rec->u.mapping.mmu_flags |= ZX_VM_PERM_EXECUTE;
	rec->u.mapping.vmo_koid = m->inode;
	rec->u.mapping.vmo_offset = m->offset;
}

/*
 * ZX_INFO_PROCESS_MAPS: Zircon's tree of the address space, flattened
 * in depth-first pre-order.  Linux has no nested regions, so the tree is
 * the address space, one root region, and the mappings.  Those two
 * span from the lowest mapped address to the end of the highest
 * mapping.  As for Zircon's other topics of n records, a buffer too
 * small is no error: the first records that fit are written, *actual
 * says how many, and *avail how many there were.
 */
static zx_status_t maps_records(zx_handle_t handle, zx_info_maps_t *buffer,
				size_t buffer_size, size_t *actual,
				size_t *avail)
{
	size_t room = buffer_size / sizeof(*buffer), n, i, total;
	struct zxproc_map *maps;
	struct zxproc_info info;
	zx_status_t status;
	uint64_t lo = 0, hi = 0;
	int ret;

	status = process_only_info(handle, &info);
	if (status != ZX_OK)
		return status;
	/* The kernel checks ZX_RIGHT_INSPECT, and whether the target is gone. */
	ret = zxp_process_maps(zxp_handle_to_fd(handle), &maps, &n);
	/* A process handle (INFO answered) whose module predates MAPS (0.2). */
	if (ret == -ENOTTY)
		return ZX_ERR_NOT_SUPPORTED;
	if (ret < 0)
		return zxp_status_from_errno(ZXP_ON_PROCESS, -ret);
	if (n > 0) {
		lo = maps[0].start;
		hi = maps[n - 1].end;
	}
	total = n + 2;
	if (room > 0)
		maps_node(&buffer[0], "aspace", 0, ZX_INFO_MAPS_TYPE_ASPACE,
			  lo, hi);
	if (room > 1)
		maps_node(&buffer[1], "root", 1, ZX_INFO_MAPS_TYPE_VMAR, lo, hi);
	for (i = 2; i < room && i < total; i++)
		maps_mapping(&buffer[i], &maps[i - 2]);
	free(maps);
	if (actual != NULL)
		*actual = room < total ? room : total;
	if (avail != NULL)
		*avail = total;
	return ZX_OK;
}

ZXP_EXPORT zx_status_t zx_object_get_info(zx_handle_t handle, uint32_t topic,
					  void *buffer, size_t buffer_size,
					  size_t *actual, size_t *avail)
{
	zx_info_handle_basic_t basic;
	zx_info_process_t process;

	switch (topic) {
	case ZX_INFO_HANDLE_VALID:
		return basic_record(handle, &basic);
	case ZX_INFO_HANDLE_BASIC:
		if (buffer == NULL && buffer_size >= sizeof(basic))
			return ZX_ERR_INVALID_ARGS;
		return single_record(basic_record(handle, &basic), &basic,
				     sizeof(basic), buffer, buffer_size,
				     actual, avail);
	case ZX_INFO_PROCESS:
		if (buffer == NULL && buffer_size >= sizeof(process))
			return ZX_ERR_INVALID_ARGS;
		return single_record(process_record(handle, &process),
				     &process, sizeof(process), buffer,
				     buffer_size, actual, avail);
	case ZX_INFO_PROCESS_MAPS:
		if (buffer == NULL && buffer_size > 0)
			return ZX_ERR_INVALID_ARGS;
		return maps_records(handle, buffer, buffer_size, actual,
				    avail);
	default:
		return ZX_ERR_NOT_SUPPORTED;
	}
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Topics and records of zx_object_get_info(), with Zircon's values and
 * layout (Fuchsia's zircon/system/public/zircon/syscalls/object.h).
 * libzxproc answers ZX_INFO_HANDLE_VALID and ZX_INFO_HANDLE_BASIC.
 */
#ifndef ZXPROC_ZIRCON_SYSCALLS_OBJECT_H
#define ZXPROC_ZIRCON_SYSCALLS_OBJECT_H

#include <zircon/types.h>

typedef uint32_t zx_object_info_topic_t;
#define ZX_INFO_NONE		((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID	((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC	((zx_object_info_topic_t)2u) /* zx_info_handle_basic_t[1] */

typedef struct zx_info_handle_basic {
	/*
	 * The object's id: for a process handle, its process id; for a
	 * VMO handle, the inode number of its memfd.
	 */
	zx_koid_t koid;
	/* The rights of this handle. */
	zx_rights_t rights;
	/* ZX_OBJ_TYPE_PROCESS or ZX_OBJ_TYPE_VMO. */
	zx_obj_type_t type;
	/* Koid of a related object; processes and VMOs have none, so 0. */
	zx_koid_t related_koid;
	uint32_t reserved;
	uint8_t padding1[4];
} zx_info_handle_basic_t;

#endif /* ZXPROC_ZIRCON_SYSCALLS_OBJECT_H */

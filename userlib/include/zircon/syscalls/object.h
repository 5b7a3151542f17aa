/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Topics and records of zx_object_get_info(), with Zircon's values and
 * layout (Fuchsia's zircon/system/public/zircon/syscalls/object.h).
 * libzxproc answers ZX_INFO_HANDLE_VALID, ZX_INFO_HANDLE_BASIC,
 * ZX_INFO_PROCESS and ZX_INFO_PROCESS_MAPS; zx_object_get_info(3) says
 * what each field holds.
 */
#ifndef ZXPROC_ZIRCON_SYSCALLS_OBJECT_H
#define ZXPROC_ZIRCON_SYSCALLS_OBJECT_H

#include <zircon/types.h>

typedef uint32_t zx_object_info_topic_t;
#define ZX_INFO_NONE		((zx_object_info_topic_t)0u)
#define ZX_INFO_HANDLE_VALID	((zx_object_info_topic_t)1u)
#define ZX_INFO_HANDLE_BASIC	((zx_object_info_topic_t)2u) /* zx_info_handle_basic_t[1] */
/*
 * Zircon's __ZX_INFO_TOPIC(3u, 1u): version 1 of topic 3, in the top
 * four bits.  Plain 3 was the retired ZX_INFO_PROCESS_V1 (booleans
 * instead of flags), which libzxproc does not answer.
 */
#define ZX_INFO_PROCESS		((zx_object_info_topic_t)(3u | (1u << 28))) /* zx_info_process_t[1] */
#define ZX_INFO_PROCESS_MAPS	((zx_object_info_topic_t)13u) /* zx_info_maps_t[n] */

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

typedef uint32_t zx_info_process_flags_t;

/* The process has started (every process a handle can name has). */
#define ZX_INFO_PROCESS_FLAG_STARTED		((zx_info_process_flags_t)(1u << 0))
/*
 * The process has exited; for a zxproc handle, also set once the
 * process has executed a new program, since the handle is bound to
 * the program image it was opened on.
 */
#define ZX_INFO_PROCESS_FLAG_EXITED		((zx_info_process_flags_t)(1u << 1))
/* A debugger is attached (never set by libzxproc). */
#define ZX_INFO_PROCESS_FLAG_DEBUGGER_ATTACHED	((zx_info_process_flags_t)(1u << 2))

typedef struct zx_info_process {
	/*
	 * Zircon: the return code once EXITED is set.  The zxproc module
	 * does not report a process's exit status, so this is always 0.
	 */
	int64_t return_code;
	/*
	 * Zircon: the monotonic time zx_process_start() was called.  Not
	 * known here, so always 0.
	 */
	zx_time_t start_time;
	/* ZX_INFO_PROCESS_FLAG_* bits. */
	zx_info_process_flags_t flags;
	uint8_t padding1[4];
} zx_info_process_t;

/* ZX_INFO_PROCESS_MAPS: one mapping (type ZX_INFO_MAPS_TYPE_MAPPING). */
typedef struct zx_info_maps_mapping {
	/* ZX_VM_PERM_READ, ZX_VM_PERM_WRITE and ZX_VM_PERM_EXECUTE bits. */
	zx_vm_option_t mmu_flags;
	uint8_t padding1[4];
	/* The mapped file's inode number; 0 for anonymous memory. */
	zx_koid_t vmo_koid;
	/* The byte offset in the file of the mapping's base; else 0. */
	uint64_t vmo_offset;
	/* Zircon: pages backed by memory.  Not known here: always 0. */
	size_t committed_pages;
} zx_info_maps_mapping_t;

typedef uint32_t zx_info_maps_type_t;
#define ZX_INFO_MAPS_TYPE_NONE		((zx_info_maps_type_t)0u)
#define ZX_INFO_MAPS_TYPE_ASPACE	((zx_info_maps_type_t)1u)
#define ZX_INFO_MAPS_TYPE_VMAR		((zx_info_maps_type_t)2u)
#define ZX_INFO_MAPS_TYPE_MAPPING	((zx_info_maps_type_t)3u)

/*
 * A node of the address space's tree, in depth-first pre-order: the
 * address space (depth 0), its one root region (depth 1), then each
 * mapping (depth 2) in ascending address order.  96 bytes.
 */
typedef struct zx_info_maps {
	/* As /proc/PID/maps names a mapping, a file by its last component. */
	char name[ZX_MAX_NAME_LEN];
	zx_vaddr_t base;
	size_t size;
	size_t depth;
	zx_info_maps_type_t type;
	uint8_t padding1[4];
	union {
		zx_info_maps_mapping_t mapping;
	} u;
} zx_info_maps_t;

#endif /* ZXPROC_ZIRCON_SYSCALLS_OBJECT_H */
